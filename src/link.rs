//! `link ID URL`: a person who found the finding's ticket records it. Nothing is sent. The URL
//! must be a ticket page of the attempt's destination (its web address, repository or
//! project), the ticket's API id is derived from it, and the link is recorded under the store's
//! rules (one ticket per finding and destination, one finding per ticket), with an event in
//! the attempt's history. From then on the attempt is linked: `retry` has nothing to create and
//! `sync` keeps the ticket's status.

use jiff::Timestamp;

use crate::config::{Config, ProviderKind};
use crate::error::{StoreError, UsageError};
use crate::providers::ticket_ref;
use crate::store::{ManualLink, Store};

/// What `link` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkReport {
    pub ticket_export_id: String,
    pub provider_key: String,
    /// `linked`, or `already_linked` when nothing changed.
    pub outcome: &'static str,
    pub external_ticket_id: String,
    pub external_ticket_url: String,
    pub detail: String,
}

/// Why nothing was linked.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The request cannot be honoured as given (exit 2); the message says why and what next.
    #[error("{0}")]
    Refused(UsageError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn refused(what: String, why: String, next: String) -> LinkError {
    LinkError::Refused(UsageError::new(what, why, next))
}

/// Records that attempt `id`'s ticket is the one at `url`.
pub fn link(
    config: &Config,
    store: &mut Store,
    now: Timestamp,
    id: &str,
    url: &str,
) -> Result<LinkReport, LinkError> {
    let what = || format!("{id} was not linked");
    let Some(attempt) = store.attempt(id)? else {
        return Err(refused(
            format!("no attempt {id} in the store"),
            "the id is not among the imported ticket exports".into(),
            "list them with `ticket-export inspect`; nothing was linked".into(),
        ));
    };
    let key = &attempt.provider_key;
    let Some(provider) = config.provider(key) else {
        return Err(refused(
            what(),
            format!(
                "providers.{key} is not in the config, so the URL cannot be checked against its destination"
            ),
            format!(
                "add [providers.{key}] to the config, then run `ticket-export link {id} URL` again"
            ),
        ));
    };
    if provider.kind == ProviderKind::Webhook {
        return Err(refused(
            what(),
            format!("providers.{key} is a webhook, which has no tickets to link"),
            "nothing to do: a webhook delivery is linked by its outcome".into(),
        ));
    }
    if !provider.destination_owned() {
        return Err(refused(
            what(),
            format!(
                "the destination {:?} of providers.{key} is not in providers.{key}.owned",
                provider.destination()
            ),
            format!("add it to providers.{key}.owned only if the customer owns it"),
        ));
    }
    let ticket_id = ticket_ref::derive(provider, url).map_err(|e| {
        refused(
            what(),
            e.to_string(),
            format!(
                "give the URL of the ticket page on providers.{key}'s destination, as the provider shows it"
            ),
        )
    })?;
    let url = url.trim();
    let detail = format!(
        "linked by hand to ticket {ticket_id} at {url}; nothing was sent (was {}{})",
        attempt.export_status.as_str(),
        attempt
            .provider_error_code
            .as_ref()
            .map(|c| format!(", {}", c.as_str()))
            .unwrap_or_default()
    );
    let holder = crate::lease::holder();
    let outcome = store.link_by_hand(
        id,
        &ticket_id,
        url,
        now,
        &holder,
        crate::lease::stale,
        &detail,
    )?;
    let report = |outcome, detail: String| LinkReport {
        ticket_export_id: id.to_owned(),
        provider_key: key.clone(),
        outcome,
        external_ticket_id: ticket_id.clone(),
        external_ticket_url: url.to_owned(),
        detail,
    };
    match outcome {
        ManualLink::Linked => Ok(report("linked", detail)),
        ManualLink::AlreadyLinked => Ok(report(
            "already_linked",
            format!("already linked to ticket {ticket_id} at {url}; nothing changed"),
        )),
        ManualLink::Held => Err(refused(
            what(),
            "another ticket-export run holds this attempt (or another of the same finding) right now".into(),
            format!("run `ticket-export link {id} {url}` again once that run has finished"),
        )),
        ManualLink::FindingLinked { ticket_id: other, through } => Err(refused(
            what(),
            format!(
                "the finding is already linked to ticket {other} at {key} (through {through}); a second ticket for one finding is a duplicate"
            ),
            format!("see `ticket-export inspect {through}`; keep one ticket, close the other on the provider"),
        )),
        ManualLink::TicketLinked { through } => Err(refused(
            what(),
            format!(
                "ticket {ticket_id} at {key} is already linked to another finding (through {through}); one ticket, one finding"
            ),
            format!("check the URL; see `ticket-export inspect {through}` for the finding it is linked to"),
        )),
    }
}
