//! ClickUp's per-list statuses, priorities, and its `ECODE` errors.

use jiff::Timestamp;
use serde_json::Value;

use crate::config::Provider;
use crate::model::Severity;
use crate::providers::NormalState;
use crate::providers::failure::{Failure, classify, summary};
use crate::providers::http::HttpResponse;
use crate::providers::status_map::{mapped, sounds_like_wont_fix};

/// One status of a list: its name and ClickUp's type (`open`, `custom`, `done`, `closed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub name: String,
    pub kind: String,
}

/// The statuses a list defines, in ClickUp's order.
pub fn list_statuses(list: &Value) -> Vec<Status> {
    list["statuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some(Status {
                name: s["status"].as_str()?.to_owned(),
                kind: s["type"].as_str().unwrap_or("custom").to_owned(),
            })
        })
        .collect()
}

/// A status, normalised: `status_map` first, then names that mean "won't fix" (ClickUp has no
/// type for it), then the type.
pub fn normalise(provider: &Provider, name: &str, kind: &str) -> NormalState {
    if let Some(mapped) = mapped(&provider.status_map, name) {
        return mapped;
    }
    if sounds_like_wont_fix(name) {
        return NormalState::WontFix;
    }
    match kind {
        "open" => NormalState::Open,
        "done" | "closed" => NormalState::Done,
        _ => NormalState::InProgress,
    }
}

/// The status to set for `target`: one the customer mapped to it, else the first that reads as
/// the target, preferring ClickUp's final `closed` status for done.
pub fn choose<'a>(
    provider: &Provider,
    statuses: &'a [Status],
    target: NormalState,
) -> Option<&'a Status> {
    let reads_as = |s: &&Status| normalise(provider, &s.name, &s.kind) == target;
    statuses
        .iter()
        .find(|s| mapped(&provider.status_map, &s.name) == Some(target))
        .or_else(|| {
            (target == NormalState::Done)
                .then(|| {
                    statuses
                        .iter()
                        .filter(reads_as)
                        .find(|s| s.kind == "closed")
                })
                .flatten()
        })
        .or_else(|| statuses.iter().find(reads_as))
}

/// ClickUp's priority (1 urgent, 2 high, 3 normal, 4 low) from the mapping's value, which may
/// be the number as text or its name; without a mapping, by severity (info gets none).
pub fn priority(mapped: Option<&str>, severity: Severity) -> Result<Option<u8>, String> {
    let Some(text) = mapped else {
        return Ok(match severity {
            Severity::Critical => Some(1),
            Severity::High => Some(2),
            Severity::Medium => Some(3),
            Severity::Low => Some(4),
            Severity::Info => None,
        });
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "urgent" => Ok(Some(1)),
        "2" | "high" => Ok(Some(2)),
        "3" | "normal" => Ok(Some(3)),
        "4" | "low" => Ok(Some(4)),
        "" | "none" => Ok(None),
        other => Err(format!(
            "priority {other:?} is not a ClickUp priority; use 1 (urgent) to 4 (low)"
        )),
    }
}

/// Whether an `ECODE` is one ClickUp documents as a token or workspace authorisation failure:
/// OAUTH_017, 019, 021, 023, 025 to 027, 029 to 045, and 077.
pub fn is_auth_code(ecode: &str) -> bool {
    let Some(n) = ecode
        .strip_prefix("OAUTH_")
        .and_then(|n| n.parse::<u16>().ok())
    else {
        return false;
    };
    matches!(n, 17 | 19 | 21 | 23 | 25..=27 | 29..=45 | 77)
}

/// The request field an `INPUT_*` error blames, from the error's words.
fn input_field(err: &str, ecode: &str) -> String {
    let lower = err.to_ascii_lowercase();
    [
        ("list id", "list_id"),
        ("name", "name"),
        ("status", "status"),
        ("priority", "priority"),
        ("tag", "tags"),
        ("assignee", "assignees"),
        ("custom field", "custom_fields"),
        ("description", "markdown_content"),
    ]
    .iter()
    .find(|(words, _)| lower.contains(words))
    .map(|(_, field)| field.to_string())
    .unwrap_or_else(|| ecode.to_owned())
}

/// ClickUp's reading of a failed answer: its auth codes come with 400 as well as 401, and
/// `INPUT_*` codes are validation failures; the rest is read generically (429 waits until
/// `X-RateLimit-Reset`, in epoch seconds).
pub fn failure(resp: &HttpResponse, now: Timestamp, write: bool) -> Failure {
    let json = resp.json();
    let ecode = json["ECODE"].as_str().unwrap_or_default();
    let err = json["err"].as_str().unwrap_or_default();
    let detail = if ecode.is_empty() {
        summary(resp)
    } else {
        format!("{err} ({ecode})")
    };
    if is_auth_code(ecode) {
        return Failure::Auth {
            status: resp.status,
            detail,
        };
    }
    if ecode.starts_with("INPUT_") && resp.status < 500 {
        if err.to_ascii_lowercase().contains("task id") {
            return Failure::NotFound {
                status: resp.status,
                detail,
            };
        }
        return Failure::Mapping {
            status: resp.status,
            fields: vec![input_field(err, ecode)],
            detail,
        };
    }
    classify(resp, now, write, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_codes_are_the_documented_ones() {
        for code in [
            "OAUTH_017",
            "OAUTH_019",
            "OAUTH_023",
            "OAUTH_027",
            "OAUTH_045",
            "OAUTH_077",
        ] {
            assert!(is_auth_code(code), "{code}");
        }
        for code in [
            "OAUTH_010",
            "OAUTH_028",
            "OAUTH_046",
            "INPUT_005",
            "OAUTH_x",
        ] {
            assert!(!is_auth_code(code), "{code}");
        }
    }

    #[test]
    fn priorities_by_number_name_or_severity() {
        assert_eq!(priority(Some("2"), Severity::Low), Ok(Some(2)));
        assert_eq!(priority(Some("Urgent"), Severity::Low), Ok(Some(1)));
        assert_eq!(priority(None, Severity::Critical), Ok(Some(1)));
        assert_eq!(priority(None, Severity::Info), Ok(None));
        assert!(priority(Some("Highest"), Severity::High).is_err());
    }
}
