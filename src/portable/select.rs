//! Which attempts a fallback run writes.
//!
//! A portable file is a ticket the customer will create by importing it, so anything that
//! already has, or probably has, a ticket is left out: the promise is never to create duplicate
//! downstream work. Triage's stops are kept too: nothing leaves for an attempt triage stopped.

use std::collections::HashMap;
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

/// A selected attempt that triage does not send to `fallback` (it could still be retried, is
/// waiting, or waits for a person): its files would make it `fallback_written`, which `retry`
/// refuses for ever, so a person confirms it first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MadeFinal {
    pub ticket_export_id: String,
    pub report_id: String,
    pub state: State,
    /// Triage's next step for it now.
    pub next: Action,
}

/// How many attempts matched the selection, and which of them were chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionCounts {
    pub matched: u64,
    pub selected: u64,
    /// The selected attempts that triage does not send to `fallback` and that are not
    /// `fallback_written` yet: writing their files needs a confirmation.
    pub to_confirm: Vec<MadeFinal>,
}

/// Whether `--all-blocked` takes an attempt: its next step is `fallback`, or it is blocked
/// (only a person can move it, so the customer gets files while it stays blocked). Waiting,
/// ready-to-retry and done attempts are not taken; stops and linked attempts are then left out
/// by [`refusal`], and uncertain ones are looked up first ([`look_up_first`]).
pub fn stays_blocked(state: State, action: Action) -> bool {
    action == Action::Fallback || state == State::Blocked
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
    if attempt.provider_error_code == Some(FailureCode::StatusSyncFailed) {
        return Some(
            "status sync failed on its ticket (TICKET_STATUS_SYNC_FAILED): the ticket exists; \
             run `ticket-export sync`, or `ticket-export retry` to find and link it"
                .to_owned(),
        );
    }
    if decision.state == State::Stop {
        return Some(format!("triage stopped it: {}", decision.why));
    }
    None
}

/// Streams the attempts of `filter` through triage and puts the chosen ones in the store's
/// selection. `all_blocked` keeps only the attempts [`stays_blocked`] takes; otherwise every
/// matching attempt is chosen unless [`refusal`] leaves it out (reported through `skipped`).
///
/// Attempts that share every input triage reads get the same state and action, so an attempt
/// is decided in full only when its inputs are new, or when it is left out (the words of why
/// name the attempt): reading and deciding each of 100,000 attempts in full took 0.26 s of CPU,
/// this way 0.10 s.
pub fn select(
    store: &Store,
    assessor: &mut Assessor<'_>,
    filter: &AttemptFilter,
    all_blocked: bool,
    mut skipped: impl FnMut(Skipped),
) -> Result<SelectionCounts, StoreError> {
    let mut selection = store.fallback_selection()?;
    let mut counts = SelectionCounts::default();
    let mut known: HashMap<Vec<u8>, Known> = HashMap::new();
    let mut key = Vec::new();
    let now = assessor.now();
    store.for_each_attempt_keyed(filter, |row| {
        counts.matched += 1;
        key.clear();
        row.triage_key(now, &mut key)?;
        key.push(output_byte(assessor.output_checked()));
        let seen = known.get(key.as_slice()).copied();
        #[cfg(debug_assertions)]
        if let Some(seen) = seen {
            let attempt = row.attempt()?;
            let decision = assessor.decide(&attempt);
            debug_assert_eq!(seen, Known::of(&attempt, &decision), "{attempt:?}");
        }
        let seen = match seen {
            Some(seen) => seen,
            None => {
                let attempt = row.attempt()?;
                let decision = assessor.decide(&attempt);
                let seen = Known::of(&attempt, &decision);
                // Deciding may have checked the output folder: file it under what it saw.
                key.pop();
                key.push(output_byte(assessor.output_checked()));
                if known.len() >= KNOWN_MAX {
                    known.clear();
                }
                known.insert(key.clone(), seen);
                seen
            }
        };
        if all_blocked && !stays_blocked(seen.state, seen.action) {
            return Ok(ControlFlow::Continue(()));
        }
        if seen.refused {
            let attempt = row.attempt()?;
            let decision = assessor.decide(&attempt);
            if let Some(why) = refusal(&attempt, &decision) {
                skipped(Skipped {
                    ticket_export_id: attempt.ticket_export_id,
                    report_id: attempt.report_id,
                    state: decision.state,
                    why,
                });
            }
            return Ok(ControlFlow::Continue(()));
        }
        let (id, report) = row.ids()?;
        selection.add(id, report)?;
        if seen.becomes_final {
            counts.to_confirm.push(MadeFinal {
                ticket_export_id: id.to_owned(),
                report_id: report.to_owned(),
                state: seen.state,
                next: seen.action,
            });
        }
        Ok(ControlFlow::Continue(()))
    })?;
    counts.selected = selection.finish()?;
    Ok(counts)
}

/// Looks up each selected attempt whose ticket may exist, at its provider, before any file is
/// written (a dry run sends nothing and leaves them out). Returns the attempts left out, which
/// are out of the selection: found and linked, held by another run, waiting, or not looked up.
pub fn look_up_first(
    config: &crate::config::Config,
    ambient: &crate::ambient::Ambient,
    store: &mut Store,
    holder: &str,
    dry_run: bool,
) -> Result<Vec<Skipped>, StoreError> {
    let unsure = store.fallback_unsure()?;
    if unsure.is_empty() {
        return Ok(Vec::new());
    }
    let mut left = Vec::new();
    if dry_run {
        for a in unsure {
            store.leave_out_of_fallback(&a.report_id, &a.ticket_export_id)?;
            let why = format!(
                "a create may have reached {}: a real run looks the ticket up there first and \
                 writes files only if none is found; a dry run sends nothing",
                a.provider_key
            );
            left.push(Skipped {
                ticket_export_id: a.ticket_export_id,
                report_id: a.report_id,
                state: State::Ready,
                why,
            });
        }
        return Ok(left);
    }
    let looked =
        crate::retry::before_fallback(config, ambient, store, holder, unsure, Default::default())?;
    let mut assessor = Assessor::new(config, ambient, store)?;
    for (a, found) in looked {
        let crate::retry::BeforeFallback::Settled(report) = found else {
            continue;
        };
        store.leave_out_of_fallback(&a.report_id, &a.ticket_export_id)?;
        let state = match (report.outcome, store.attempt(&a.ticket_export_id)?) {
            ("skipped" | "cooldown", _) | (_, None) => report.state,
            (_, Some(after)) => assessor.decide(&after).state,
        };
        left.push(Skipped {
            ticket_export_id: a.ticket_export_id,
            report_id: a.report_id,
            state,
            why: format!("{}: {}", report.outcome, report.detail),
        });
    }
    Ok(left)
}

/// At most this many distinct triage inputs are remembered; then the memory starts over, so
/// it stays small when every attempt's inputs differ (a `failing_since` of its own, say).
const KNOWN_MAX: usize = 4096;

/// What a run needs of a decision, the same for every attempt with the same triage inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Known {
    state: State,
    action: Action,
    refused: bool,
    /// Triage does not send it to `fallback` and it has no files yet: files make it final.
    becomes_final: bool,
}

impl Known {
    fn of(attempt: &TicketExport, decision: &Decision) -> Known {
        Known {
            state: decision.state,
            action: decision.action,
            refused: refusal(attempt, decision).is_some(),
            becomes_final: decision.action != Action::Fallback
                && attempt.export_status != ExportStatus::FallbackWritten,
        }
    }
}

fn output_byte(checked: Option<bool>) -> u8 {
    match checked {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}
