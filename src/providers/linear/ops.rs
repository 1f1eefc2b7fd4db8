//! The GraphQL operations the Linear client sends, and the reading of Linear's `errors[]`.
//!
//! Each operation is named, and the name is sent as `operationName` too, so logs and the
//! simulator can tell them apart. The test suite checks every field, argument and input field
//! used here against Linear's published schema (`schema.graphql`).

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::providers::failure::{Failure, classify, summary, wait_in_headers};
use crate::providers::http::HttpResponse;

/// The issue fields every operation reads back.
macro_rules! issue_fields {
    () => {
        "id identifier url description state { id name type } team { id }"
    };
}

/// The credentials' user, for `check`.
pub const VIEWER: &str = "query Viewer { viewer { id name email } }";
/// A team by key: `mapping.team` may be a key such as `SEC`.
pub const TEAM_BY_KEY: &str =
    "query TeamByKey($filter: TeamFilter) { teams(filter: $filter) { nodes { id key name } } }";
/// A team's workflow states, which differ from team to team.
pub const TEAM_STATES: &str =
    "query TeamStates($id: String!) { team(id: $id) { id key states { nodes { id name type } } } }";
/// Creates an issue with the client-chosen id (the idempotency key).
pub const ISSUE_CREATE: &str = concat!(
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { ",
    issue_fields!(),
    " } } }"
);
/// Attaches the fingerprint URL; the same URL on the same issue updates instead of adding.
pub const ATTACH_FINGERPRINT: &str = "mutation AttachFingerprint($input: AttachmentCreateInput!) { attachmentCreate(input: $input) { success attachment { id url } } }";
/// The issues carrying a fingerprint attachment.
pub const FINGERPRINT_LOOKUP: &str = concat!(
    "query FingerprintLookup($url: String!) { attachmentsForURL(url: $url) { nodes { url issue { ",
    issue_fields!(),
    " } } } }"
);
/// One issue by id.
pub const ISSUE_BY_ID: &str = concat!(
    "query IssueById($id: String!) { issue(id: $id) { ",
    issue_fields!(),
    " } }"
);
/// Changes an issue's content or state.
pub const ISSUE_UPDATE: &str = concat!(
    "mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success issue { ",
    issue_fields!(),
    " } } }"
);

/// Every operation, for the schema test.
pub const ALL: &[&str] = &[
    VIEWER,
    TEAM_BY_KEY,
    TEAM_STATES,
    ISSUE_CREATE,
    ATTACH_FINGERPRINT,
    FINGERPRINT_LOOKUP,
    ISSUE_BY_ID,
    ISSUE_UPDATE,
];

/// The operation's name: the word after `query` or `mutation`.
pub fn name(operation: &str) -> &str {
    operation
        .split_whitespace()
        .nth(1)
        .map(|n| n.split('(').next().unwrap_or(n))
        .unwrap_or_default()
}

/// When Linear throttles without saying how long: its bucket refills continuously.
const DEFAULT_WAIT: SignedDuration = SignedDuration::from_secs(60);
/// Linear's reset headers, epoch seconds in older docs and milliseconds in newer clients;
/// `wait_in_headers` reads both magnitudes.
const RESET_HEADERS: &[&str] = &[
    "retry-after",
    "x-ratelimit-requests-reset",
    "x-ratelimit-complexity-reset",
    "x-ratelimit-endpoint-requests-reset",
];

/// Reads an answer: its `data`, or the failure its `errors[]` or status describe. Linear
/// answers many errors with HTTP 200 (and rate limits with 400), so `errors` decides first.
pub fn read(resp: &HttpResponse, now: Timestamp, write: bool) -> Result<Value, Failure> {
    let body = resp.json();
    let errors: Vec<&Value> = body["errors"].as_array().into_iter().flatten().collect();
    if errors.is_empty() {
        if (200..300).contains(&resp.status) && body["data"].is_object() {
            return Ok(body["data"].clone());
        }
        return Err(match resp.status {
            429 => rate_limited(resp, now, summary(resp)),
            200..=299 => Failure::Rejected {
                status: resp.status,
                detail: "an answer without data or errors".into(),
            },
            _ => classify(resp, now, write, Vec::new()),
        });
    }
    let status = resp.status;
    let detail = errors
        .iter()
        .map(|e| message(e))
        .collect::<Vec<_>>()
        .join("; ");
    let raw = errors
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect::<Vec<_>>()
        .join("; ")
        .to_ascii_lowercase();
    let is = |codes: &[&str]| errors.iter().any(|e| codes.contains(&kind(e).as_str()));
    Err(if is(&["ratelimited"]) || status == 429 {
        rate_limited(resp, now, detail)
    } else if is(&["authenticationerror", "forbidden"]) || status == 401 {
        Failure::Auth { status, detail }
    } else if is(&["entitynotfound"]) || raw.contains("not found") {
        Failure::NotFound { status, detail }
    } else if is(&[
        "invalidinput",
        "usererror",
        "baduserinput",
        "graphqlvalidationfailed",
    ]) {
        Failure::Mapping {
            status,
            fields: errors.iter().flat_map(|e| fields(e)).collect(),
            detail,
        }
    } else if is(&["internalerror", "locktimeout"]) || status >= 500 {
        if write {
            Failure::Uncertain {
                status: Some(status),
                detail,
            }
        } else {
            Failure::Unavailable {
                status: Some(status),
                retry_after: None,
                detail,
            }
        }
    } else {
        Failure::Rejected { status, detail }
    })
}

fn rate_limited(resp: &HttpResponse, now: Timestamp, detail: String) -> Failure {
    Failure::RateLimited {
        status: resp.status,
        retry_after: wait_in_headers(resp, RESET_HEADERS, now).unwrap_or(now + DEFAULT_WAIT),
        detail,
    }
}

/// An error's kind from `extensions.code` (`RATELIMITED`) or `extensions.type`
/// (`invalid input`), folded to one spelling.
fn kind(error: &Value) -> String {
    let ext = &error["extensions"];
    ext["code"]
        .as_str()
        .or(ext["type"].as_str())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn message(error: &Value) -> String {
    error["extensions"]["userPresentableMessage"]
        .as_str()
        .or(error["message"].as_str())
        .unwrap_or("unknown error")
        .to_owned()
}

/// The input fields a validation error names: `validationErrors[].property`, `field`, or an
/// `input.<field>` path in the message.
fn fields(error: &Value) -> Vec<String> {
    let ext = &error["extensions"];
    let mut out: Vec<String> = ext["validationErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["property"].as_str().map(str::to_owned))
        .collect();
    if let Some(f) = ext["field"].as_str() {
        out.push(f.to_owned());
    }
    if out.is_empty() {
        let text = error["message"].as_str().unwrap_or_default();
        out.extend(text.split("input.").skip(1).filter_map(|rest| {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            (!word.is_empty()).then_some(word)
        }));
    }
    out
}
