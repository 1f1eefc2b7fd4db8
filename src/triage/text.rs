//! The words of triage: decoded failure codes, status lines and the phrases that several rows
//! share. Kept apart from the rules so the rules read as the design table.
//!
//! Convention for every text: starts lower-case, no trailing period, names the concrete field,
//! config key or command, so `inspect` can print them after a label.

use jiff::Timestamp;

use super::ProviderHealth;
use crate::model::{ExportStatus, FailureCode};

/// The seed's "Ticket export failure reasons", one plain sentence per code.
///
/// The seed decodes the first four codes word for word; it only groups the last three
/// ("determine whether provider recovery, safe fallback generation or stop is next"), so their
/// wording says what each one means in the same voice.
pub(super) fn describe_code(code: &FailureCode) -> &'static str {
    match code {
        FailureCode::DeliveryFailed => {
            "the provider request failed after WebRiskOps built the export payload"
        }
        FailureCode::MappingRequired => {
            "required provider fields, project, board, issue type, labels or assignees are missing"
        }
        FailureCode::DuplicateBlocked => {
            "duplicate detection found an existing downstream ticket for the same finding or export fingerprint"
        }
        FailureCode::StatusSyncFailed => {
            "status_sync_status could not be read or written after ticket creation"
        }
        FailureCode::ProviderUnavailable => {
            "the provider could not accept the export for now; provider recovery or a portable fallback is next"
        }
        FailureCode::ProviderAuthFailed => {
            "the provider rejected the credentials or their scope; provider recovery is next"
        }
        FailureCode::PortableExportFailed => {
            "the portable CSV, Markdown or JSON files could not be written safely to the output folder"
        }
        FailureCode::Other(_) => {
            "a code this version does not know; it is shown raw for manual review"
        }
    }
}

/// The plain status line used as `reason` when the attempt carries no failure code.
pub(super) fn status_line(status: ExportStatus) -> &'static str {
    match status {
        ExportStatus::Pending => "pending: the export was never attempted",
        ExportStatus::InFlight => "in flight: a request was sent and no outcome was recorded",
        ExportStatus::Exported => "exported: the ticket was created",
        ExportStatus::Linked => "linked: the finding is linked to an existing ticket",
        ExportStatus::Failed => "failed, with no failure code recorded",
        ExportStatus::Uncertain => "uncertain: the provider may or may not have created the ticket",
        ExportStatus::FallbackWritten => "fallback written: portable files were generated",
        ExportStatus::Stopped => "stopped: nothing is sent for this attempt",
    }
}

/// Says what the last `settings check` found, relative to when the failure started, for the
/// rows that must not retry on an unchanged connection.
pub(super) fn health_since(health: &ProviderHealth, failing_since: Option<Timestamp>) -> String {
    let after = |at: &Timestamp| failing_since.is_none_or(|since| *at >= since);
    match health {
        ProviderHealth::Unknown => "no `settings check` has run since the failure".to_owned(),
        ProviderHealth::Ok { checked_at } => {
            format!("the last passing `settings check` ({checked_at}) was before the failure")
        }
        ProviderHealth::AuthFailed { checked_at, detail } if after(checked_at) => {
            format!("`settings check` at {checked_at} still fails authentication: {detail}")
        }
        ProviderHealth::Unreachable { checked_at, detail } if after(checked_at) => {
            format!("`settings check` at {checked_at} still cannot reach the provider: {detail}")
        }
        ProviderHealth::AuthFailed { checked_at, detail }
        | ProviderHealth::Unreachable { checked_at, detail } => format!(
            "no `settings check` has run since the failure (the last, at {checked_at}, failed: {detail})"
        ),
    }
}

/// The two decisions a person takes when a duplicate is known to exist but cannot be reached:
/// link the ticket they found, or allow a create once they confirmed none exists.
pub fn person_steps(id: &str) -> String {
    format!(
        "if you find the ticket, link it with `ticket-export link {id} URL`; if you confirmed that \
         no ticket exists, allow one create with `ticket-export retry {id} --allow-create` \
         (it still looks the ticket up first)"
    )
}

/// `ticket-export <command> <argument>` in backticks, the way every next step names commands.
pub(super) fn command(name: &str, argument: &str) -> String {
    format!("`ticket-export {name} {argument}`")
}
