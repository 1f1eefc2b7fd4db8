//! The one rule for a failure recorded over a stored failure code: which codes a later failure
//! may replace, and which it may not.
//!
//! Every writer of `provider_error_code` after a failure (retry, sync, fallback, import) asks
//! [`code_after_failure`], so the duplicate guard cannot be dropped by one path that forgot it.
//! A code is kept when replacing it could let a later run create a ticket that may already
//! exist; the failure's own answer (status, wait, detail) is still recorded beside it.

use jiff::Timestamp;

use super::{Action, Decision};
use crate::model::{ExportStatus, FailureCode, State, TicketExport};

impl FailureCode {
    /// Whether a later failure recorded as `new` may replace this stored code.
    ///
    /// - `TICKET_EXPORT_DUPLICATE_BLOCKED` is never replaced: a ticket for the finding exists
    ///   (or several do), and every other code leads somewhere a create is possible. Only a
    ///   confirmed link clears it, or a person's explicit `retry --allow-create`.
    /// - `TICKET_STATUS_SYNC_FAILED` belongs to a ticket that exists: only another sync failure
    ///   or a duplicate finding may replace it, never a delivery, mapping, auth, unavailable or
    ///   portable failure, which would turn a kept link into a create or a file.
    /// - An unknown code is the platform's and is shown raw for a person: only a duplicate
    ///   finding (a stronger guard) replaces it.
    /// - The other five describe a delivery that never produced a ticket; any later failure
    ///   describes the attempt better and replaces them.
    pub fn may_be_replaced_by(&self, new: &FailureCode) -> bool {
        use FailureCode::*;
        if self == new || *new == DuplicateBlocked {
            return true;
        }
        match self {
            DuplicateBlocked => false,
            StatusSyncFailed => false,
            Other(_) => false,
            DeliveryFailed | MappingRequired | ProviderUnavailable | ProviderAuthFailed
            | PortableExportFailed => true,
        }
    }
}

/// The code an attempt holds after a failure classified as `new`, given its stored code.
pub fn code_after_failure(stored: Option<&FailureCode>, new: FailureCode) -> FailureCode {
    match stored {
        Some(stored) if !stored.may_be_replaced_by(&new) => stored.clone(),
        _ => new,
    }
}

/// The code an attempt holds after the platform's newer import of it (before this tool has
/// recorded an outcome of its own). A code in the file is a failure and follows
/// [`code_after_failure`]; no code with `exported` or `linked` is the platform confirming a
/// ticket, which clears any code; no code otherwise (`pending`, `failed` without a code...)
/// confirms nothing, so it clears only what any failure may replace.
pub fn code_after_import(
    stored: Option<&FailureCode>,
    new: Option<FailureCode>,
    new_status: ExportStatus,
) -> Option<FailureCode> {
    match new {
        Some(new) => Some(code_after_failure(stored, new)),
        None if matches!(new_status, ExportStatus::Exported | ExportStatus::Linked) => None,
        None => stored
            .filter(|s| !s.may_be_replaced_by(&FailureCode::DeliveryFailed))
            .cloned(),
    }
}

/// The action `retry --allow-create` takes for an attempt, or why the override does not apply.
///
/// The override lifts only the duplicate guard, and only into a lookup first: the ticket is
/// looked up by fingerprint and linked if found; a create follows only if none is. Everything
/// else triage holds stays held: a stop for an unowned or unsafe destination, a missing
/// provider, a cooldown (nothing calls the provider before `retry_after`).
pub fn allow_create(
    attempt: &TicketExport,
    decision: &Decision,
    now: Timestamp,
) -> Result<Action, String> {
    if attempt.provider_error_code != Some(FailureCode::DuplicateBlocked) {
        let code = attempt
            .provider_error_code
            .as_ref()
            .map_or("no failure code", |c| c.as_str());
        return Err(format!(
            "--allow-create lifts only the duplicate guard (TICKET_EXPORT_DUPLICATE_BLOCKED), and \
             {} has {code}; run `ticket-export retry {}` without it",
            attempt.ticket_export_id, attempt.ticket_export_id
        ));
    }
    if let Some(until) = super::cooldown_until(attempt.retry_after, now) {
        let who = match attempt.wait_origin() {
            crate::model::WaitOrigin::Provider => "the provider asked to wait",
            crate::model::WaitOrigin::Tool => "ticket-export backs off (the provider did not ask)",
        };
        return Err(format!(
            "{who} until {until} (retry_after), and an override does not lift a wait; rerun \
             after {until}"
        ));
    }
    let lifted = matches!(
        decision.action,
        Action::LookupAndLink | Action::UpdateExisting | Action::ManualReview
    );
    if decision.state == State::Cooldown || !lifted {
        return Err(format!(
            "--allow-create lifts only the duplicate guard, and {}; {}",
            decision.why, decision.next_step
        ));
    }
    Ok(Action::LookupThenRetry)
}

/// The words an event adds when the rule kept the stored code: what the failure would have
/// recorded and why it did not.
pub fn kept_note(kept: &FailureCode, new: &FailureCode) -> Option<String> {
    (kept != new).then(|| {
        format!(
            "{kept} kept (this failure alone would record {new}); {}",
            match kept {
                FailureCode::DuplicateBlocked =>
                    "the duplicate guard stays until a ticket is linked or a person allows a create",
                FailureCode::StatusSyncFailed =>
                    "the ticket of a kept link is never re-created or replaced by files",
                _ => "an unknown code stays for a person to review",
            }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use FailureCode::*;

    fn other() -> FailureCode {
        FailureCode::Other("TICKET_EXPORT_NEW_THING".into())
    }

    /// Every stored code against every new code: one row per stored code, listing the new
    /// codes that replace it (in `KNOWN` order, then an unknown code).
    #[test]
    fn which_codes_a_later_failure_may_replace() {
        let news: Vec<FailureCode> = FailureCode::KNOWN
            .iter()
            .cloned()
            .chain([other()])
            .collect();
        let all = [true; 8];
        #[rustfmt::skip]
        let table: [(FailureCode, [bool; 8]); 8] = [
            //                       DELIV  MAP    DUP   SYNC   UNAV   AUTH   PORT   OTHER
            (DeliveryFailed,        all),
            (MappingRequired,       all),
            (DuplicateBlocked,     [false, false, true, false, false, false, false, false]),
            (StatusSyncFailed,     [false, false, true, true,  false, false, false, false]),
            (ProviderUnavailable,   all),
            (ProviderAuthFailed,    all),
            (PortableExportFailed,  all),
            (other(),              [false, false, true, false, false, false, false, true]),
        ];
        for (stored, row) in &table {
            for (new, expected) in news.iter().zip(row) {
                assert_eq!(
                    stored.may_be_replaced_by(new),
                    *expected,
                    "stored {stored}, new {new}"
                );
                let after = code_after_failure(Some(stored), new.clone());
                assert_eq!(&after, if *expected { new } else { stored });
            }
        }
    }

    #[test]
    fn another_unknown_code_does_not_replace_an_unknown_code() {
        let other2 = FailureCode::Other("TICKET_EXPORT_OTHER_THING".into());
        assert_eq!(code_after_failure(Some(&other()), other2), other());
    }

    #[test]
    fn no_stored_code_takes_the_new_one() {
        for new in FailureCode::KNOWN.iter().cloned().chain([other()]) {
            assert_eq!(code_after_failure(None, new.clone()), new);
        }
    }

    #[test]
    fn an_import_without_a_code_clears_a_guard_only_when_it_confirms_a_ticket() {
        use ExportStatus as S;
        let cases = [
            (
                Some(DuplicateBlocked),
                None,
                S::Pending,
                Some(DuplicateBlocked),
            ),
            (
                Some(DuplicateBlocked),
                None,
                S::Failed,
                Some(DuplicateBlocked),
            ),
            (Some(DuplicateBlocked), None, S::Exported, None),
            (Some(DuplicateBlocked), None, S::Linked, None),
            (
                Some(DuplicateBlocked),
                Some(DeliveryFailed),
                S::Failed,
                Some(DuplicateBlocked),
            ),
            (
                Some(StatusSyncFailed),
                None,
                S::Pending,
                Some(StatusSyncFailed),
            ),
            (Some(other()), None, S::Pending, Some(other())),
            (Some(DeliveryFailed), None, S::Pending, None),
            (
                Some(ProviderAuthFailed),
                Some(MappingRequired),
                S::Failed,
                Some(MappingRequired),
            ),
            (
                None,
                Some(DuplicateBlocked),
                S::Failed,
                Some(DuplicateBlocked),
            ),
            (None, None, S::Pending, None),
        ];
        for (stored, new, status, expected) in cases {
            assert_eq!(
                code_after_import(stored.as_ref(), new.clone(), status),
                expected,
                "{stored:?} then {new:?} ({status})"
            );
        }
    }

    /// The promise the rule exists for: after any failure, a duplicate-blocked attempt is still
    /// one that no run creates for.
    #[test]
    fn no_failure_removes_the_duplicate_guard() {
        for new in FailureCode::KNOWN.iter().cloned().chain([other()]) {
            assert_eq!(
                code_after_failure(Some(&DuplicateBlocked), new.clone()),
                DuplicateBlocked
            );
            let note = kept_note(&DuplicateBlocked, &new);
            assert_eq!(note.is_some(), new != DuplicateBlocked, "{new}");
        }
    }
}
