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
            "the listing answer {} ({}); it is not taken for \"no ticket\", which could create a duplicate",
            if field.is_empty() {
                "is not a list".to_owned()
            } else {
                format!("has no `{field}` list")
            },
            excerpt(answer)
        ),
    })
}

/// A short, printable description of an answer's body.
fn excerpt(answer: &Value) -> String {
    if answer.is_null() {
        return "not JSON: a proxy or sign-in page, or an empty body".into();
    }
    let text: String = answer
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 100 {
        format!("{}…", text.chars().take(100).collect::<String>())
    } else {
        text
    }
}

/// Every client, with its results checked once for all kinds: a created ticket must have an
/// id, and so must every ticket a lookup found.
pub(super) struct Checked(pub Box<dyn ProviderClient>);

impl ProviderClient for Checked {
    fn check(&self) -> Result<CheckReport, Failure> {
        self.0.check()
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
