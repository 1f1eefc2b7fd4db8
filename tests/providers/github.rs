//! GitHub: requests, lookups, every scripted failure, and status round trips.

use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN};

use crate::spec;
use crate::support::{
    FailureCase, Rig, assert_failures, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const ENTRY: &str = r#"kind = "github"
base_url = "{base}"
owned = ["acme/shop"]
mapping = { repo = "acme/shop", labels = ["security"], assignees = ["octo"] }
"#;

pub(super) fn rig() -> Rig {
    Rig::new("gh", ENTRY)
}

fn github_spec() -> Option<&'static serde_json::Value> {
    spec::load("github/api.github.com.json")
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "1");
    assert_eq!(ticket.url, "https://github.com/acme/shop/issues/1");
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/repos/acme/shop/issues")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {SIM_TOKEN}").as_str())
    );
    assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        req.header("user-agent")
            .unwrap()
            .starts_with("ticket-export/")
    );
    let body = req.json();
    assert_eq!(
        body["labels"],
        serde_json::json!(["security", draft.fingerprint_label])
    );
    assert_eq!(body["assignees"], serde_json::json!(["octo"]));
    let text = body["body"].as_str().unwrap();
    assert!(
        text.contains(&draft.marker()),
        "the body carries the fingerprint marker"
    );
    assert!(
        !text.contains("live-secret") && text.contains("Authorization: Bearer [REDACTED]"),
        "{text}"
    );
    if let Some(doc) = github_spec() {
        spec::assert_valid(doc, &req, "");
    }
}

#[test]
fn lookup_lists_by_label_and_confirms_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    assert_eq!(client.lookup(&draft).unwrap(), vec![created]);
    let req = rig.last();
    assert_eq!(req.path, "/repos/acme/shop/issues");
    assert_eq!(
        req.param("labels").as_deref(),
        Some(draft.fingerprint_label.as_str())
    );
    assert_eq!(req.param("state").as_deref(), Some("all"));
    if let Some(doc) = github_spec() {
        spec::assert_valid(doc, &req, "");
    }
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(401, &[], r#"{"message":"Bad credentials"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[],
                r#"{"message":"Resource not accessible by personal access token"}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(404, &[], r#"{"message":"Not Found"}"#),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "422",
            Fault::status(
                422,
                &[],
                r#"{"message":"Validation Failed","errors":[{"resource":"Issue","field":"assignees","code":"invalid"}]}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "429 seconds",
            Fault::status(429, &[("retry-after", "120")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "429 date",
            Fault::status(
                429,
                &[("retry-after", "Sun, 29 Nov 2026 12:05:00 GMT")],
                "{}",
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "403 primary limit",
            Fault::status(
                403,
                &[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1795953900"),
                ],
                r#"{"message":"API rate limit exceeded"}"#,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "403 secondary limit",
            Fault::status(
                403,
                &[],
                r#"{"message":"You have exceeded a secondary rate limit"}"#,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:01:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "502 after a write",
            Fault::status(502, &[], "bad gateway"),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    assert_failures(rig, &Matcher::new("POST", "/issues"), &cases);
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/issues"),
        Fault::status(
            422,
            &[],
            r#"{"message":"Validation Failed","errors":[{"field":"assignees"}]}"#,
        ),
        1,
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["assignees"]),
        other => panic!("{other}"),
    }
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/issues"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for target in [NormalState::Done, NormalState::Open, NormalState::WontFix] {
        client.write_status(&t.id, target).unwrap();
        if let Some(doc) = github_spec() {
            spec::assert_valid(doc, &rig.last(), "");
        }
        let expected = if target == NormalState::InProgress {
            NormalState::Open
        } else {
            target
        };
        assert_eq!(
            client.read_status(&t.id).unwrap().normal,
            expected,
            "{target:?}"
        );
    }
    assert_eq!(
        rig.sim.state().tickets[0].extra["state_reason"],
        "not_planned"
    );
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    assert_eq!(rig.sim.state().tickets[0].title, "[High] Updated title");
    assert_eq!(rig.sim.state().tickets.len(), 1);
    if let Some(doc) = github_spec() {
        spec::assert_valid(doc, &rig.last(), "");
    }
}

#[test]
fn check_probes_user_and_repository_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "sim-bot");
    let methods: Vec<String> = rig
        .sim
        .state()
        .requests
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert!(methods.iter().all(|m| m == "GET"), "{methods:?}");
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
}
