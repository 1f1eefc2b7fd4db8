//! How Azure DevOps says no: a 203 or HTML sign-in page for bad credentials, `TF400733` for
//! throttling (with `Retry-After`, `X-RateLimit-Reset` or `X-RateLimit-Delay`), and
//! `TF401320` rule errors naming the field.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::providers::failure::{Failure, classify, requested_wait, summary, wait_in_headers};
use crate::providers::http::HttpResponse;

/// The wait after a block that names none: Azure's usage window slides over five minutes.
const USAGE_WAIT: SignedDuration = SignedDuration::from_mins(5);

/// Azure's answer, classified: its quirks first, then the generic reading.
pub(super) fn failure(resp: &HttpResponse, now: Timestamp, write: bool) -> Failure {
    let detail = summary(resp);
    let html = resp
        .header("content-type")
        .is_some_and(|c| c.contains("html"));
    if resp.status == 203 || (html && resp.status < 400) {
        return Failure::Auth {
            status: resp.status,
            detail: "Azure DevOps answered with a sign-in page: the personal access token is \
                     missing, expired or lacks the Work Items scope"
                .into(),
        };
    }
    if resp.status == 429 || resp.body.contains("TF400733") {
        let retry_after = requested_wait(resp, now)
            .or_else(|| wait_in_headers(resp, &["x-ratelimit-delay"], now))
            .unwrap_or(now + USAGE_WAIT);
        return Failure::RateLimited {
            status: resp.status,
            retry_after,
            detail,
        };
    }
    let body = resp.json();
    if resp.status == 400
        && (resp.body.contains("TF401320") || body["typeKey"] == "RuleValidationException")
    {
        return Failure::Mapping {
            status: 400,
            fields: rule_fields(&body),
            detail,
        };
    }
    classify(resp, now, write, Vec::new())
}

/// The field a rule error names: `customProperties`, or the message's "for field X.".
fn rule_fields(body: &Value) -> Vec<String> {
    let custom = &body["customProperties"];
    let mut out: Vec<String> = custom["RuleValidationErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["fieldReferenceName"].as_str().map(str::to_owned))
        .collect();
    if out.is_empty()
        && let Some(f) = custom["FieldReferenceName"].as_str()
    {
        out.push(f.to_owned());
    }
    if out.is_empty()
        && let Some(rest) = body["message"]
            .as_str()
            .and_then(|m| m.split("for field ").nth(1))
    {
        let field = rest
            .split(". ")
            .next()
            .unwrap_or(rest)
            .trim_end_matches('.');
        out.push(field.trim().to_owned());
    }
    out
}
