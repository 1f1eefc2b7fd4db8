//! Reading successful answers strictly. A 2xx that is not what was asked for (a proxy's or
//! sign-in page, an error object, an empty body) is never read as "no ticket carries this
//! fingerprint", which would make the next step create a duplicate, nor as a created ticket
//! without an id, which would record a link to nothing.

use std::collections::HashMap;

use serde_json::Value;

use super::{
    CheckReport, Failure, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft,
};

/// The items of a listing answer: the array at `field`, or the answer itself when `field` is
/// empty. Anything else is a failure, never an empty listing.
pub fn listing<'a>(answer: &'a Value, field: &str) -> Result<&'a Vec<Value>, Failure> {
    let list = if field.is_empty() {
        answer
    } else {
        &answer[field]
    };
    list.as_array().ok_or_else(|| Failure::Unavailable {
        status: None,
        retry_after: None,
        detail: format!(
            "the listing answer {}; it is not taken for \"no ticket\", which could create a duplicate: {}",
            if field.is_empty() {
                "is not a list".to_owned()
            } else {
                format!("has no `{field}` list")
            },
            excerpt(answer)
        ),
    })
}

/// A printable description of an answer's body, uncut: the scrubbing wrapper cuts it after
/// removing any credential it echoes (providers::scrub).
fn excerpt(answer: &Value) -> String {
    if answer.is_null() {
        return "not JSON: a proxy or sign-in page, or an empty body".into();
    }
    answer
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The JSON object a read-only probe of `settings check` asked for: an object with a
/// non-empty value at one of `keys` (JSON pointers to an identity or an id). A success status
/// with anything else (an HTML sign-in page, plain text, `null`, `{}`, a list, an empty 204)
/// fails the probe: a check passing on it would mark the provider healthy, and a healthy check
/// is what makes attempts that failed authentication ready again.
pub fn object<'a>(answer: &'a Value, probe: &str, keys: &[&str]) -> Result<&'a Value, Failure> {
    if keys.iter().any(|k| present(answer.pointer(k))) {
        return Ok(answer);
    }
    let got = match answer {
        Value::Null => {
            "no JSON (an empty body, an HTML sign-in or proxy page, text, or null)".to_owned()
        }
        Value::Object(o) if o.is_empty() => "an empty object".to_owned(),
        Value::Object(_) => format!("an object without it: {}", excerpt(answer)),
        Value::Array(_) => "a list".to_owned(),
        other => format!("a lone JSON value ({other})"),
    };
    let wanted: Vec<String> = keys
        .iter()
        .map(|k| format!("`{}`", k.trim_start_matches('/').replace('/', ".")))
        .collect();
    Err(Failure::Unexpected(format!(
        "{probe} answered with {got}, not the object with {} it asks for; the check does not pass on it (a proxy, a sign-in page or a wrong base_url)",
        wanted.join(" or ")
    )))
}

/// Who the credentials belong to: the first non-empty string or number at one of `keys`.
pub fn identity(answer: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match answer.pointer(k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(_) | Value::Number(_) | Value::Bool(_)) => true,
    }
}

/// Every client, with its results checked once for all kinds: a created ticket must have an
/// id, and so must every ticket a lookup found.
pub(super) struct Checked(pub Box<dyn ProviderClient>);

impl ProviderClient for Checked {
    /// Whatever a kind's probes read, a check that cannot say whose credentials it ran with
    /// did not see a real answer, and never passes.
    fn check(&self) -> Result<CheckReport, Failure> {
        let report = self.0.check()?;
        let identity = report.identity.trim();
        if identity.is_empty() || identity == "?" {
            return Err(Failure::Unexpected(format!(
                "the answers to {} name no account; the check does not pass on them",
                report.probes.join(", ")
            )));
        }
        Ok(report)
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let found = self.0.lookup(draft)?;
        if found.iter().any(|t| t.id.is_empty()) {
            return Err(Failure::Unavailable {
                status: None,
                retry_after: None,
                detail: "the listing named a ticket carrying the fingerprint without its id".into(),
            });
        }
        Ok(found)
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let ticket = self.0.create(draft)?;
        if ticket.id.is_empty() {
            return Err(Failure::Uncertain {
                status: None,
                detail: "the provider accepted the create, but its answer names no ticket; it is \
                         looked up by fingerprint before anything is created again"
                    .into(),
            });
        }
        Ok(ticket)
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        self.0.update(ticket_id, draft)
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        self.0.read_status(ticket_id)
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        self.0.write_status(ticket_id, target)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        self.0.plan(call)
    }

    fn read_statuses(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<HashMap<String, RemoteState>>, Failure> {
        self.0.read_statuses(ticket_ids)
    }
}
