//! A fallback run over the store: streams the selected rows report by report into the chosen
//! writers, commits each report's files with a `SHA256SUMS` manifest, and records the outcome.
//!
//! Rows arrive ordered by report then attempt, so one report's writers are open at a time and
//! memory does not grow with the number of findings. Each report folder holds exactly the files
//! of its last run (besides the customer's own), listed in `SHA256SUMS` (check them with
//! `sha256sum -c SHA256SUMS`); the manifest's path and SHA-256 are what `portable_export_path`
//! records. Folder and file names come from `names.rs`.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;

use jiff::Timestamp;

use super::pipeline::{Batch, Done, ROWS_PER_BATCH, Stages};
use super::write::{OutDir, WriteError};
use super::{CsvPreset, PortableFormat, TicketShape};
use crate::error::StoreError;
use crate::store::Store;

/// The name of each report folder's checksum list.
pub const MANIFEST: &str = "SHA256SUMS";

/// What a run writes.
#[derive(Debug, Clone)]
pub struct ExportOptions<'a> {
    /// The formats, each once.
    pub formats: &'a [PortableFormat],
    pub preset: CsvPreset,
    /// Compute every file and report it, but write nothing and record nothing.
    pub dry_run: bool,
    /// The ticket shape of each configured provider.
    pub shapes: &'a BTreeMap<String, std::sync::Arc<TicketShape>>,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    /// Written (new or changed bytes), verified.
    Written,
    /// The same bytes were already there; left untouched.
    Unchanged,
    /// `--dry-run`: would be written.
    WouldWrite,
    /// `--dry-run`: the same bytes are already there.
    WouldKeep,
    /// Written over an earlier file of the tool's with other bytes.
    Replaced,
    /// `--dry-run`: would be written over an earlier file of the tool's.
    WouldReplace,
    /// A file the tool wrote earlier (another `--format` or `--preset`, or a run that failed)
    /// that this run does not write: removed, so the folder holds one run's set.
    Removed,
    /// `--dry-run`: would be removed.
    WouldRemove,
    /// Named like the tool's files but not written by it (the customer's, or edited since):
    /// never touched, and not in `SHA256SUMS`.
    LeftAlone,
}

impl FileOutcome {
    /// Whether the run writes (or would write) the file's bytes.
    pub fn writes(self) -> bool {
        matches!(
            self,
            FileOutcome::Written
                | FileOutcome::WouldWrite
                | FileOutcome::Replaced
                | FileOutcome::WouldReplace
        )
    }
}

/// One file of a run, as reported to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileRecord {
    pub report_id: String,
    /// `csv`, `md`, `json`, or `sha256sums` for the manifest.
    pub format: &'static str,
    /// The CSV preset, for CSV files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<&'static str>,
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    /// Findings in the file (files listed in the manifest, for the manifest).
    pub findings: u64,
    pub outcome: FileOutcome,
}

/// The outcome of one report's file set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportResult {
    pub report_id: String,
    pub findings: u64,
    /// The `portable_export_path` value (manifest path and SHA-256), or why the set failed.
    pub outcome: Result<String, WriteError>,
}

/// Where files go: the output folder, or why it is unusable.
pub type Target<'a> = Result<&'a OutDir, &'a WriteError>;

/// Writes every selected report, report by report. `on_start` runs before a report's rows are
/// read (a run claims them there); `on_file` sees each file once it is in place; `on_report` sees each report's outcome after its files are in place (or failed), in
/// report order, on this thread: it is where a run records them. Returns the outcomes.
///
/// The rows of a report are read in one query, handed to the writing stage, and the next
/// report is read while the earlier ones are written and committed (see `pipeline`); no read
/// stays open while `on_report` writes to the store.
#[allow(clippy::too_many_arguments)]
pub fn write_reports(
    store: &Store,
    target: Target<'_>,
    prefix: &str,
    opts: &ExportOptions<'_>,
    mut on_start: impl FnMut(&str) -> Result<(), StoreError>,
    mut on_file: impl FnMut(&FileRecord),
    mut on_report: impl FnMut(&ReportResult) -> Result<(), StoreError>,
) -> Result<Vec<ReportResult>, StoreError> {
    let label_columns = 1 + opts
        .shapes
        .values()
        .map(|s| s.labels.len())
        .max()
        .unwrap_or(0);
    let mut results = Vec::new();
    let mut deliver = |(result, files): Done| -> Result<(), StoreError> {
        for f in &files {
            on_file(f);
        }
        on_report(&result)?;
        results.push(result);
        Ok(())
    };
    std::thread::scope(|scope| {
        let mut stages = Stages::start(scope, target, opts, label_columns);
        let mut after: Option<String> = None;
        while let Some(report) = store.next_fallback_report(after.as_deref())? {
            // Claims the report's attempts before its rows are read (see `Store::claim_fallback_report`).
            on_start(&report)?;
            let mut rows = Vec::with_capacity(ROWS_PER_BATCH);
            let mut open = true;
            store.for_each_fallback_row(&report, prefix, |source| {
                rows.push(source);
                if rows.len() == ROWS_PER_BATCH {
                    let full = std::mem::replace(&mut rows, Vec::with_capacity(ROWS_PER_BATCH));
                    open = stages.send(Batch {
                        rows: full,
                        end: false,
                    });
                }
                if open {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            })?;
            if !(open && stages.send(Batch { rows, end: true })) {
                // A stage stopped (its panic ends the scope); read no further.
                break;
            }
            while let Some(done) = stages.try_done() {
                deliver(done)?;
            }
            after = Some(report);
        }
        for done in stages.rest() {
            deliver(done)?;
        }
        Ok(())
    })?;
    Ok(results)
}

/// Stores a report's outcome: the verified manifest, or `PORTABLE_EXPORT_FAILED` with its
/// reason and the output folder's digest, and releases `holder`'s claims on the report's
/// attempts in the same transaction. Returns how many attempts changed, and the ids of those
/// that became `fallback_written` now.
pub fn record(
    store: &Store,
    result: &ReportResult,
    prefix: &str,
    owner_digest: &str,
    holder: &str,
    now: Timestamp,
) -> Result<(u64, Vec<String>), StoreError> {
    match &result.outcome {
        Ok(value) => store.record_fallback_written(&result.report_id, prefix, value, holder, now),
        Err(e) => store
            .record_fallback_failed(
                &result.report_id,
                prefix,
                &e.to_string(),
                owner_digest,
                holder,
                now,
            )
            .map(|n| (n, Vec::new())),
    }
}
