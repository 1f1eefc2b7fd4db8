//! Which attempts a fallback run writes.
//!
//! A portable file is a ticket the customer will create by importing it, so anything that
//! already has, or probably has, a ticket is left out: the promise is never to create duplicate
//! downstream work. Triage's stops are kept too: nothing leaves for an attempt triage stopped.

use std::ops::ControlFlow;

use crate::assess::Assessor;
use crate::error::StoreError;
use crate::model::{ExportStatus, FailureCode, State, TicketExport};
use crate::store::{AttemptFilter, Store};
use crate::triage::{Action, Decision};

/// An attempt the run leaves out, with its triage state and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub ticket_export_id: String,
    pub report_id: String,
    pub state: State,
    pub why: String,
}

/// How many attempts matched the selection, and which of them were chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SelectionCounts {
    pub matched: u64,
    pub selected: u64,
}

/// Why an attempt must not get a portable file, if it must not.
pub fn refusal(attempt: &TicketExport, decision: &Decision) -> Option<String> {
    let ticket = attempt
        .external_ticket_url
        .as_deref()
        .or(attempt.external_ticket_id.as_deref());
    if let Some(ticket) = ticket {
        return Some(format!(
            "it is linked to the ticket {ticket}; a portable file would be imported as a duplicate"
        ));
    }
    if matches!(
        attempt.export_status,
        ExportStatus::Exported | ExportStatus::Linked
    ) {
        return Some(format!(
            "export_status is {}: the ticket exists; a portable file would be imported as a duplicate",
            attempt.export_status
        ));
    }
    if attempt.provider_error_code == Some(FailureCode::DuplicateBlocked) {
        return Some(
            "the provider reported a ticket for this finding already (TICKET_EXPORT_DUPLICATE_BLOCKED); \
             link it with `ticket-export retry` instead"
                .to_owned(),
        );
    }
    if decision.state == State::Stop {
        return Some(format!("triage stopped it: {}", decision.why));
    }
    None
}

/// Streams the attempts of `filter` through triage and puts the chosen ones in the store's
/// selection. `all_blocked` keeps only attempts whose next step is `fallback`; otherwise every
/// matching attempt is chosen unless [`refusal`] leaves it out (reported through `skipped`).
pub fn select(
    store: &Store,
    assessor: &mut Assessor<'_>,
    filter: &AttemptFilter,
    all_blocked: bool,
    mut skipped: impl FnMut(Skipped),
) -> Result<SelectionCounts, StoreError> {
    let mut selection = store.fallback_selection()?;
    let mut counts = SelectionCounts::default();
    let mut failure = None;
    store.for_each_attempt(filter, |attempt| {
        counts.matched += 1;
        let decision = assessor.decide(&attempt);
        if all_blocked && decision.action != Action::Fallback {
            return ControlFlow::Continue(());
        }
        if let Some(why) = refusal(&attempt, &decision) {
            skipped(Skipped {
                ticket_export_id: attempt.ticket_export_id,
                report_id: attempt.report_id,
                state: decision.state,
                why,
            });
            return ControlFlow::Continue(());
        }
        match selection.add(&attempt.ticket_export_id, &attempt.report_id) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    counts.selected = selection.finish()?;
    Ok(counts)
}
