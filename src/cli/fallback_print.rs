//! What `fallback` prints: the attempts left out, the files (written, replaced, removed, left
//! alone) and the reports that failed, as text or `--json` records.

use serde_json::json;

use super::Context;
use crate::model::State;
use crate::portable::export::{FileOutcome, FileRecord};
use crate::portable::select::Skipped;

/// `before`: the attempt's state before the run; under `--quiet` only a new problem is printed.
pub fn skipped(ctx: &mut Context, s: &Skipped, before: Option<State>) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        let mut value = serde_json::to_value(s).unwrap_or_default();
        value["record"] = "skipped".into();
        return ctx.printer.json(&value);
    }
    if ctx.printer.settings.quiet && !super::quiet::shown(false, before, s.state) {
        return Ok(());
    }
    let text = format!("left out {} ({}): {}", s.ticket_export_id, s.state, s.why);
    if s.state == State::Ready {
        ctx.printer.info(&text);
    } else {
        ctx.printer.warn(&text);
    }
    Ok(())
}

pub fn files(ctx: &mut Context, files: &[FileRecord]) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        for f in files {
            let mut value = serde_json::to_value(f).unwrap_or_default();
            value["record"] = "file".into();
            ctx.printer.json(&value)?;
        }
        return Ok(());
    }
    let outcome = |o: FileOutcome| match o {
        FileOutcome::Written => "written",
        FileOutcome::Unchanged => "unchanged",
        FileOutcome::WouldWrite => "would write",
        FileOutcome::WouldKeep => "would keep",
        FileOutcome::Replaced => "replaced",
        FileOutcome::WouldReplace => "would replace",
        FileOutcome::Removed => "removed",
        FileOutcome::WouldRemove => "would remove",
        FileOutcome::LeftAlone => "left alone (not written by ticket-export)",
    };
    // Under --quiet, only what this run changed: an unchanged set (or a file left alone) is no
    // news.
    let quiet = ctx.printer.settings.quiet;
    let changed = |o: FileOutcome| {
        !matches!(
            o,
            FileOutcome::Unchanged | FileOutcome::WouldKeep | FileOutcome::LeftAlone
        )
    };
    let rows: Vec<Vec<String>> = files
        .iter()
        .filter(|f| !quiet || changed(f.outcome))
        .map(|f| {
            let format = match f.preset {
                Some(p) => format!("{} ({p})", f.format),
                None => f.format.to_owned(),
            };
            vec![
                outcome(f.outcome).to_owned(),
                format,
                f.report_id.clone(),
                f.findings.to_string(),
                f.path.display().to_string(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        ctx.printer
            .table(&["OUTCOME", "FORMAT", "REPORT", "FINDINGS", "PATH"], &rows)?;
    }
    Ok(())
}

pub fn failure(
    ctx: &mut Context,
    report_id: &str,
    findings: u64,
    e: &crate::portable::write::WriteError,
    dry_run: bool,
) -> std::io::Result<()> {
    let recorded = if dry_run {
        "dry run: nothing was recorded"
    } else {
        "its selected attempts now carry PORTABLE_EXPORT_FAILED; no partial file was left"
    };
    if ctx.printer.settings.json {
        return ctx.printer.json(&json!({
            "record": "failed", "report_id": report_id, "findings": findings,
            "provider_error_code": "PORTABLE_EXPORT_FAILED", "reason": e.to_string(),
        }));
    }
    ctx.printer.error(&format!(
        "the fallback files of report {report_id} were not written ({recorded})\n  why: {e}\n  \
         next: make fallback.out_dir (or --out) an existing, writable folder with no symlinks inside, \
         then run the same command again"
    ));
    Ok(())
}
