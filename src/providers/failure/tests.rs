use super::*;

fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

fn now() -> Timestamp {
    "2026-11-29T12:00:00Z".parse().unwrap()
}

#[test]
fn retry_after_in_every_header_form() {
    let at = |h: &[(&str, &str)]| requested_wait(&resp(429, h, ""), now()).map(|t| t.to_string());
    assert_eq!(
        at(&[("Retry-After", "120")]).as_deref(),
        Some("2026-11-29T12:02:00Z")
    );
    assert_eq!(
        at(&[("Retry-After", "Sun, 29 Nov 2026 12:05:00 GMT")]).as_deref(),
        Some("2026-11-29T12:05:00Z")
    );
    // GitHub and GitLab: epoch seconds.
    assert_eq!(
        at(&[("x-ratelimit-reset", "1795953900")]).as_deref(),
        Some("2026-11-29T12:05:00Z")
    );
    assert_eq!(
        at(&[("RateLimit-Reset", "1795953900")]).as_deref(),
        Some("2026-11-29T12:05:00Z")
    );
    // Jira Cloud: ISO 8601 without seconds.
    assert_eq!(
        at(&[("X-RateLimit-Reset", "2026-11-29T12:10Z")]).as_deref(),
        Some("2026-11-29T12:10:00Z")
    );
    // Milliseconds (Linear per some clients).
    assert_eq!(
        at(&[("x-ratelimit-reset", "1795953900000")]).as_deref(),
        Some("2026-11-29T12:05:00Z")
    );
    // Retry-After wins over the reset header; absurd waits are capped at a day; the past is now.
    assert_eq!(
        at(&[("retry-after", "5"), ("x-ratelimit-reset", "1795953900")]).as_deref(),
        Some("2026-11-29T12:00:05Z")
    );
    assert_eq!(
        at(&[("retry-after", "999999999")]).as_deref(),
        Some("2026-11-30T12:00:00Z")
    );
    assert_eq!(
        at(&[("retry-after", "Sun, 01 Nov 2026 00:00:00 GMT")]).as_deref(),
        Some("2026-11-29T12:00:00Z")
    );
    assert_eq!(at(&[("retry-after", "soon")]), None);
}

#[test]
fn statuses_map_to_codes() {
    let c = |status, headers: &[(&str, &str)], write| {
        classify(&resp(status, headers, "{}"), now(), write, vec![])
    };
    assert_eq!(c(401, &[], true).code(), FailureCode::ProviderAuthFailed);
    assert_eq!(c(403, &[], true).code(), FailureCode::ProviderAuthFailed);
    assert!(matches!(
        c(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1795953900")
            ],
            true
        ),
        Failure::RateLimited { .. }
    ));
    assert!(matches!(c(429, &[], true), Failure::RateLimited { .. }));
    assert_eq!(c(429, &[], true).retry_after(), Some(now() + DEFAULT_WAIT));
    assert!(matches!(
        c(503, &[("retry-after", "30")], true),
        Failure::Unavailable {
            retry_after: Some(_),
            ..
        }
    ));
    assert!(
        matches!(c(502, &[], true), Failure::Uncertain { .. }),
        "5xx after a write may have landed"
    );
    assert!(
        matches!(c(502, &[], false), Failure::Unavailable { .. }),
        "a failed read changed nothing"
    );
    assert!(matches!(c(404, &[], false), Failure::NotFound { .. }));
    assert!(matches!(c(400, &[], true), Failure::Rejected { .. }));
    let mapped = classify(&resp(422, &[], "{}"), now(), true, vec!["assignees".into()]);
    assert_eq!(mapped.code(), FailureCode::MappingRequired);
}

#[test]
fn summaries_are_single_lines() {
    assert_eq!(
        summary(&resp(401, &[], r#"{"message":"Bad credentials"}"#)),
        "Bad credentials"
    );
    assert_eq!(
        summary(&resp(400, &[], r#"{"errorMessages":["a","b"]}"#)),
        "a; b"
    );
    assert_eq!(summary(&resp(401, &[], "invalid token")), "invalid token");
    assert_eq!(
        summary(&resp(203, &[("content-type", "text/html")], "<html>")),
        "an HTML page instead of an API answer"
    );
    // Uncut: the scrubbing wrapper cuts, after scrubbing (a token at the cut would survive).
    assert_eq!(
        summary(&resp(500, &[], &"x ".repeat(500))).chars().count(),
        999
    );
    assert_eq!(summary(&resp(502, &[], "")), "HTTP 502");
}
