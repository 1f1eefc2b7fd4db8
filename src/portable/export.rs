//! A fallback run over the store: streams the selected rows report by report into the chosen
//! writers, commits each report's files with a `SHA256SUMS` manifest, and records the outcome.
//!
//! Rows arrive ordered by report then attempt, so one report's writers are open at a time and
//! memory does not grow with the number of findings. Each report folder holds exactly the files
//! of its last run, listed in `SHA256SUMS` (check them with `sha256sum -c SHA256SUMS`); the
//! manifest's path and SHA-256 are what `portable_export_path` records.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;

use jiff::Timestamp;

use super::files::ReportSet;
use super::write::{OutDir, WriteError};
use super::{CsvPreset, PortableFormat, PortableRow, TicketShape};
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

/// Writes every selected report. `on_file` sees each file as it is committed; the returned
/// results, one per report, are what [`record`] stores.
pub fn write_reports(
    store: &Store,
    target: Target<'_>,
    prefix: &str,
    opts: &ExportOptions<'_>,
    mut on_file: impl FnMut(&FileRecord),
) -> Result<Vec<ReportResult>, StoreError> {
    let label_columns = 1 + opts
        .shapes
        .values()
        .map(|s| s.labels.len())
        .max()
        .unwrap_or(0);
    let mut results = Vec::new();
    let mut current: Option<ReportSet> = None;
    store.for_each_fallback_row(prefix, |source| {
        if current.as_ref().map(|c| c.report_id.as_str()) != Some(source.report.report_id.as_str())
        {
            if let Some(done) = current.take() {
                results.push(done.finish(opts, &mut on_file));
            }
            current = Some(ReportSet::open(target, &source.report, opts, label_columns));
        }
        let row = PortableRow::new(source, opts.shapes);
        if let Some(set) = current.as_mut() {
            set.row(&row, opts);
        }
        ControlFlow::Continue(())
    })?;
    if let Some(done) = current.take() {
        results.push(done.finish(opts, &mut on_file));
    }
    Ok(results)
}

/// Stores each report's outcome: the verified manifest, or `PORTABLE_EXPORT_FAILED` with its
/// reason and the output folder's digest. Returns the attempts changed.
pub fn record(
    store: &Store,
    results: &[ReportResult],
    prefix: &str,
    owner_digest: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut changed = 0;
    for r in results {
        changed += match &r.outcome {
            Ok(value) => store.record_fallback_written(&r.report_id, prefix, value, now)?,
            Err(e) => store.record_fallback_failed(
                &r.report_id,
                prefix,
                &e.to_string(),
                owner_digest,
                now,
            )?,
        };
    }
    Ok(changed)
}
