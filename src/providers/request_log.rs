//! `-v`: every exchange with a provider logged on stderr, like `GH_DEBUG=api`, and never a
//! credential. The hook is in `http::Http::send`, the one place every client sends through.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::http::{HttpRequest, HttpResponse, TransportError};

/// Whether every exchange is logged on stderr: set once by the command line from `-v`.
static REQUEST_LOG: AtomicBool = AtomicBool::new(false);

/// Logs each request of every provider client on stderr, like `GH_DEBUG=api`: method, path,
/// status and time. The one hook for `-v`: every command that talks to a provider (retry, sync,
/// settings check, demo) sends through `Http::send`.
pub fn log_requests(on: bool) {
    REQUEST_LOG.store(on, Ordering::Relaxed);
}

/// Whether `-v` asked for the log.
pub fn enabled() -> bool {
    REQUEST_LOG.load(Ordering::Relaxed)
}

/// One log line: `http: POST /repos/acme/shop/issues 201 (12 ms)`. Never a credential: no
/// header, no body, no query (Trello sends its key and token there, searches carry finding
/// data), and the path is scrubbed of every credential the request's headers hold and of
/// anything that reads as a token (a webhook URL's secret path segment).
pub fn line(
    req: &HttpRequest,
    result: &Result<HttpResponse, TransportError>,
    took: Duration,
) -> String {
    let secrets = header_secrets(req);
    let scrub = |text: &str| {
        let mut text = crate::redact::redact(text).into_owned();
        for secret in &secrets {
            text = text.replace(secret.as_str(), crate::redact::REDACTED);
        }
        text
    };
    let path: Vec<String> = req
        .url
        .path()
        .split('/')
        .map(|segment| match looks_like_a_token(segment) {
            true => crate::redact::REDACTED.to_owned(),
            false => scrub(segment),
        })
        .collect();
    let outcome = match result {
        Ok(response) => response.status.to_string(),
        Err(err) => format!("failed: {}", scrub(&err.to_string())),
    };
    format!(
        "http: {} {} {outcome} ({} ms)",
        req.method,
        path.join("/"),
        took.as_millis()
    )
}

/// The credentials a request's headers carry: each word of each value (a bearer token, an API
/// key), and for `Basic` the decoded user and password.
fn header_secrets(req: &HttpRequest) -> Vec<String> {
    use base64::Engine;
    let mut secrets = Vec::new();
    for (_, value) in &req.headers {
        for word in value.split_whitespace().filter(|w| w.len() >= 6) {
            secrets.push(word.to_owned());
            if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(word)
                && let Ok(pair) = String::from_utf8(decoded)
            {
                secrets.extend(pair.split(':').filter(|p| p.len() >= 6).map(str::to_owned));
            }
        }
    }
    secrets
}

/// A path segment that reads as a random secret: 20 or more letters and digits mixing upper
/// case, lower case and digits (a Slack or Discord webhook token). Provider ids are digits,
/// single-case hex (Trello), UUIDs or keys like `SEC-12`, and stay readable.
fn looks_like_a_token(segment: &str) -> bool {
    segment.len() >= 20
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && segment.chars().any(|c| c.is_ascii_uppercase())
        && segment.chars().any(|c| c.is_ascii_lowercase())
        && segment.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::http::basic_auth;
    use url::Url;

    /// The `-v` line names method, path, status and time, and never a credential: not the
    /// query, not a header's token (even when a path repeats it), not a token-like segment.
    #[test]
    fn the_request_log_line_never_shows_a_credential() {
        let url = Url::parse(
            "https://api.example/repos/acme/shop/issues/s3cretTOKEN42?access_token=q1&key=k2",
        )
        .unwrap();
        let req = HttpRequest::new("POST", url).header("authorization", "Bearer s3cretTOKEN42");
        let ok = Ok(HttpResponse {
            status: 201,
            headers: Vec::new(),
            body: "s3cretTOKEN42".into(),
        });
        let line = super::line(&req, &ok, Duration::from_millis(12));
        assert_eq!(
            line,
            "http: POST /repos/acme/shop/issues/[REDACTED] 201 (12 ms)"
        );
        let basic = HttpRequest::new(
            "GET",
            Url::parse("https://x.example/user/ann@corp.example/pass-word-9").unwrap(),
        )
        .header(
            "authorization",
            basic_auth("ann@corp.example", "pass-word-9"),
        );
        let failed = Err(TransportError::NotSent("refused pass-word-9".into()));
        let line = super::line(&basic, &failed, Duration::ZERO);
        assert!(!line.contains("pass-word-9"), "{line}");
        assert!(!line.contains("ann@corp.example"), "{line}");
        assert!(line.starts_with("http: GET /user/"), "{line}");
        let hook = HttpRequest::new(
            "POST",
            Url::parse("https://hooks.example/services/T0ABC/B0DEF/aB3dE5gH7jK9mN1pQ3rS5tU7")
                .unwrap(),
        );
        let line = super::line(&hook, &ok, Duration::ZERO);
        assert_eq!(
            line,
            "http: POST /services/T0ABC/B0DEF/[REDACTED] 201 (0 ms)"
        );
        let trello = HttpRequest::new(
            "GET",
            Url::parse("https://api.trello.com/1/cards/5f8d0c1e2a3b4c5d6e7f8a9b?key=k&token=t")
                .unwrap(),
        );
        let line = super::line(&trello, &ok, Duration::ZERO);
        assert_eq!(
            line,
            "http: GET /1/cards/5f8d0c1e2a3b4c5d6e7f8a9b 201 (0 ms)"
        );
    }
}
