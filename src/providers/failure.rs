//! One classification of provider outcomes into the design's failure codes.

use jiff::{SignedDuration, Timestamp};

use super::http::{HttpResponse, TransportError};
use crate::model::FailureCode;
use crate::secret::CredentialError;

/// The longest wait a provider can impose on us; longer values are capped (the same cap every
/// reader of a stored wait applies, see `triage::wait`).
const MAX_WAIT: SignedDuration = crate::triage::MAX_WAIT;
/// The wait when a provider throttles without saying for how long.
const DEFAULT_WAIT: SignedDuration = SignedDuration::from_secs(60);

/// Why a provider call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Credentials or scope refused (401, 403 without a rate limit, Azure 203 sign-in page...).
    #[error("authentication failed (HTTP {status}): {detail}")]
    Auth { status: u16, detail: String },
    /// Required fields are missing or invalid; `fields` are the provider's names.
    #[error("the provider requires fields ({}): {detail}", fields.join(", "))]
    Mapping {
        status: u16,
        fields: Vec<String>,
        detail: String,
    },
    /// Throttled: wait until `retry_after`.
    #[error("rate limited (HTTP {status}) until {retry_after}: {detail}")]
    RateLimited {
        status: u16,
        retry_after: Timestamp,
        detail: String,
    },
    /// Down or unreachable, and the request was not processed: safe to retry later.
    #[error("unavailable{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable {
        status: Option<u16>,
        retry_after: Option<Timestamp>,
        detail: String,
    },
    /// The request may have been processed: look up before creating again.
    #[error("outcome unknown{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Uncertain { status: Option<u16>, detail: String },
    /// The destination does not exist or is not visible (often a scope problem).
    #[error("not found (HTTP {status}): {detail}")]
    NotFound { status: u16, detail: String },
    /// Refused for another reason (4xx, unexpected 3xx redirect, 410 Gone on a webhook...).
    #[error("rejected (HTTP {status}): {detail}")]
    Rejected { status: u16, detail: String },
    /// A success status whose answer is not what was asked for (an HTML sign-in page, text,
    /// `null`, an empty object or body where an object with an identity belongs).
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// Refused by ticket-export before anything was sent (an unsafe address, an endpoint
    /// without the call).
    #[error("not sent: {0}")]
    NotSent(String),
    /// The credential is missing, unreadable or malformed: nothing was sent, so the provider
    /// said nothing about it. Never recorded as the provider rejecting the credentials.
    #[error("not sent: the credential cannot be used: {0}")]
    Credential(CredentialError),
    /// One call refused by ticket-export before anything was sent, for a reason of its own
    /// (a ticket id that is not the provider's form, a URL outside the owned destination);
    /// other calls to the provider are not affected.
    #[error("refused before sending: {0}")]
    Refused(String),
}

impl Failure {
    /// The failure code recorded for this outcome. A credential that could not be used is
    /// the nearest to an authentication failure (a person fixes the credentials), but the retry
    /// engine never records it as a code: it notes that nothing was sent and why.
    pub fn code(&self) -> FailureCode {
        match self {
            Failure::Auth { .. } | Failure::Credential(_) => FailureCode::ProviderAuthFailed,
            Failure::Mapping { .. } => FailureCode::MappingRequired,
            Failure::RateLimited { .. } | Failure::Unavailable { .. } => {
                FailureCode::ProviderUnavailable
            }
            Failure::Uncertain { .. }
            | Failure::NotFound { .. }
            | Failure::Rejected { .. }
            | Failure::Unexpected(_)
            | Failure::NotSent(_)
            | Failure::Refused(_) => FailureCode::DeliveryFailed,
        }
    }

    /// The HTTP status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Auth { status, .. }
            | Failure::Mapping { status, .. }
            | Failure::RateLimited { status, .. }
            | Failure::NotFound { status, .. }
            | Failure::Rejected { status, .. } => Some(*status),
            Failure::Unavailable { status, .. } | Failure::Uncertain { status, .. } => *status,
            Failure::NotSent(_)
            | Failure::Credential(_)
            | Failure::Unexpected(_)
            | Failure::Refused(_) => None,
        }
    }

    /// When the provider may be called again.
    pub fn retry_after(&self) -> Option<Timestamp> {
        match self {
            Failure::RateLimited { retry_after, .. } => Some(*retry_after),
            Failure::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True when further calls to this provider in this run would fail the same way. A 410 is
    /// a webhook endpoint that disabled itself (Standard Webhooks) or an endpoint the provider
    /// removed (Jira's old search): every further call would get it too.
    pub fn stops_provider(&self) -> bool {
        matches!(
            self,
            Failure::Auth { .. }
                | Failure::RateLimited { .. }
                | Failure::NotSent(_)
                | Failure::Credential(_)
                | Failure::Rejected { status: 410, .. }
        ) || matches!(
            self,
            Failure::Unavailable {
                retry_after: Some(_),
                ..
            }
        )
    }

    /// Transport failures: nothing sent is unavailable; maybe sent is uncertain.
    pub fn from_transport(err: TransportError, write: bool) -> Failure {
        match err {
            TransportError::Refused(reason) => Failure::NotSent(reason),
            TransportError::NotSent(detail) => Failure::Unavailable {
                status: None,
                retry_after: None,
                detail,
            },
            TransportError::MaybeSent(detail) if write => Failure::Uncertain {
                status: None,
                detail,
            },
            TransportError::MaybeSent(detail) => Failure::Unavailable {
                status: None,
                retry_after: None,
                detail,
            },
        }
    }
}

/// The wait a response asks for: `Retry-After` (seconds or HTTP date) first, then the
/// provider's reset header (epoch seconds or milliseconds, a delta, or ISO 8601).
pub fn requested_wait(resp: &HttpResponse, now: Timestamp) -> Option<Timestamp> {
    let at = resp
        .header("retry-after")
        .and_then(|v| parse_wait(v, now))
        .or_else(|| {
            ["x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"]
                .iter()
                .find_map(|h| resp.header(h).and_then(|v| parse_wait(v, now)))
        })?;
    Some(at.max(now).min(now + MAX_WAIT))
}

/// The wait named by one of a provider's own headers (Linear's `X-RateLimit-Requests-Reset`,
/// Azure's `X-RateLimit-Delay`), read like `requested_wait` reads its headers, capped the same way.
pub fn wait_in_headers(resp: &HttpResponse, names: &[&str], now: Timestamp) -> Option<Timestamp> {
    let at = names
        .iter()
        .find_map(|h| resp.header(h).and_then(|v| parse_wait(v, now)))?;
    Some(at.max(now).min(now + MAX_WAIT))
}

fn parse_wait(value: &str, now: Timestamp) -> Option<Timestamp> {
    let value = value.trim();
    if let Ok(n) = value.parse::<i64>() {
        return if n > 100_000_000_000 {
            Timestamp::from_millisecond(n).ok()
        } else if n > 1_000_000_000 {
            Timestamp::from_second(n).ok()
        } else {
            now.checked_add(SignedDuration::from_secs(n.max(0))).ok()
        };
    }
    if let Ok(secs) = value.parse::<f64>() {
        // `inf`, `1e300`: longer than any wait we honour (NaN counts as no wait).
        let secs = secs.max(0.0).min(MAX_WAIT.as_secs_f64());
        return now
            .checked_add(SignedDuration::try_from_secs_f64(secs).ok()?)
            .ok();
    }
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Some(ts);
    }
    // Jira Cloud sends `yyyy-MM-ddTHH:mmZ`, without seconds.
    if let Some(minutes) = value.strip_suffix('Z')
        && let Ok(ts) = format!("{minutes}:00Z").parse::<Timestamp>()
    {
        return Some(ts);
    }
    jiff::fmt::rfc2822::parse(value).ok().map(|z| z.timestamp())
}

/// The generic reading of a non-success response. Clients handle their quirks first (GitHub's
/// 403 rate limit, Azure's 203, Linear's errors in a 200) and fall back to this.
pub fn classify(resp: &HttpResponse, now: Timestamp, write: bool, fields: Vec<String>) -> Failure {
    let status = resp.status;
    let detail = summary(resp);
    let wait = requested_wait(resp, now);
    match status {
        429 => Failure::RateLimited {
            status,
            retry_after: wait.unwrap_or(now + DEFAULT_WAIT),
            detail,
        },
        401 | 407 => Failure::Auth { status, detail },
        403 if wait.is_some() || resp.header("x-ratelimit-remaining") == Some("0") => {
            Failure::RateLimited {
                status,
                retry_after: wait.unwrap_or(now + DEFAULT_WAIT),
                detail,
            }
        }
        403 => Failure::Auth { status, detail },
        404 => Failure::NotFound { status, detail },
        400 | 422 if !fields.is_empty() => Failure::Mapping {
            status,
            fields,
            detail,
        },
        500..=599 if write && status != 503 => Failure::Uncertain {
            status: Some(status),
            detail,
        },
        500..=599 => Failure::Unavailable {
            status: Some(status),
            retry_after: wait,
            detail,
        },
        _ => Failure::Rejected { status, detail },
    }
}

/// A single-line description of a response body for events and messages, uncut.
pub fn summary(resp: &HttpResponse) -> String {
    let json = resp.json();
    let text = [
        "message",
        "error",
        "errorMessages",
        "err",
        "error_description",
    ]
    .iter()
    .find_map(|k| match &json[k] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) if !items.is_empty() => Some(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        serde_json::Value::Object(o) => {
            o.get("message").and_then(|m| m.as_str()).map(str::to_owned)
        }
        _ => None,
    })
    .unwrap_or_else(|| {
        if resp
            .header("content-type")
            .is_some_and(|c| c.contains("html"))
        {
            "an HTML page instead of an API answer".to_owned()
        } else {
            resp.body.clone()
        }
    });
    // Control characters (escape sequences, DEL, NUL) never reach a terminal or a TSV line.
    // The text is not cut here: it may hold an echoed credential, and only the client wrapper
    // that knows the credentials may cut, after scrubbing (providers::scrub).
    let text = text.replace(|c: char| c.is_control(), " ");
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        format!("HTTP {}", resp.status)
    } else {
        line
    }
}

#[cfg(test)]
mod tests;
