//! Row 3: no failure code, so the export status (and status sync) alone decides.

use crate::model::{ExportStatus, State, SyncStatus};
use crate::triage::text::command;
use crate::triage::{Action, Decision, Guide};

use super::Ctx;

impl Ctx<'_> {
    // Row 3: no failure code, so the export status alone decides.
    pub(super) fn no_code(&self) -> Decision {
        let a = self.attempt;
        match a.export_status {
            ExportStatus::Exported | ExportStatus::Linked | ExportStatus::FallbackWritten => {
                self.done()
            }
            ExportStatus::Pending => self.retry(
                Guide::ProviderOverview,
                "the export was never attempted".to_owned(),
            ),
            ExportStatus::InFlight | ExportStatus::Uncertain => self.retry(
                Guide::StatusSyncAndDuplicates,
                format!("export_status is {}", a.export_status),
            ),
            ExportStatus::Stopped => self.decision(
                State::Stop,
                Action::DoNotSend,
                Guide::ProviderOverview,
                "stopped by an earlier decision".to_owned(),
                format!(
                    "nothing is sent; {} shows the history",
                    command("inspect", self.id)
                ),
            ),
            ExportStatus::Failed => {
                let http = a
                    .provider_response_code
                    .map(|c| format!(" (HTTP {c})"))
                    .unwrap_or_default();
                self.decision(
                    State::Blocked,
                    Action::ManualReview,
                    Guide::ProviderOverview,
                    format!(
                        "export_status is failed with no provider_error_code{http}; shown raw \
                         for manual review, never retried automatically"
                    ),
                    format!(
                        "read the whole attempt with {}",
                        command("inspect", self.id)
                    ),
                )
            }
        }
    }

    // Row 3, exported, linked or fallback written: ready unless status sync still needs a run.
    pub(super) fn done(&self) -> Decision {
        let a = self.attempt;
        let linked = self.link().is_some();
        let portable = a.portable_export_path.as_deref();
        match a.status_sync_status {
            // A failed sync needs the link; without one, a portable file is what makes it ready.
            Some(SyncStatus::Failed) if linked || portable.is_none() => return self.sync_on_link(),
            Some(SyncStatus::Pending) if linked => {
                let link = self.link().unwrap_or_default();
                return self.decision(
                    State::Ready,
                    Action::Sync,
                    Guide::StatusSyncAndDuplicates,
                    format!("status sync has not run yet on the linked ticket {link}"),
                    format!("run {}", command("sync", self.id)),
                );
            }
            _ => {}
        }
        let (why, guide) = match (self.link(), portable) {
            (Some(link), _) => (
                format!("the ticket {link} is linked and status sync is not failing"),
                Guide::StatusSyncAndDuplicates,
            ),
            (None, Some(path)) => (
                format!("portable files are at {path}"),
                Guide::PortableExportFallbacks,
            ),
            (None, None) => (
                format!("export_status is {} and nothing failed", a.export_status),
                Guide::ProviderOverview,
            ),
        };
        self.decision(
            State::Ready,
            Action::Nothing,
            guide,
            why,
            "nothing to do".to_owned(),
        )
    }
}
