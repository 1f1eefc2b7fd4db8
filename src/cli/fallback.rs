//! `fallback [ID...]`: portable CSV, Markdown and JSON files a customer can import without
//! provider credentials (design section 6). Glue only: `portable` selects, writes and records.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::Context;
use crate::assess::Assessor;
use crate::error::{ExitStatus, UsageError};
use crate::model::State;
use crate::portable::export::{self, ExportOptions, FileOutcome, FileRecord};
use crate::portable::select::{self, Skipped};
use crate::portable::write::OutDir;
use crate::portable::{CsvPreset, JSON_SCHEMA, PortableFormat};
use crate::store::AttemptFilter;

/// Write portable CSV, Markdown and JSON files a customer can import without provider credentials
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export fallback tex_9014\n  \
    ticket-export fallback --report rep_2051 --format csv --preset jira\n  \
    ticket-export fallback --all-blocked --dry-run\n  \
    ticket-export --json fallback --all-blocked | jq -r 'select(.record == \"file\") | .path'\n  \
    ticket-export fallback --schema > fallback-v1.schema.json\n\n\
    Files go to OUT/<report_id>/ with a SHA256SUMS manifest (check with `sha256sum -c SHA256SUMS`).\n\
    Attempts that already have a ticket, or that triage stopped, are left out: an imported file\n\
    would duplicate the ticket. Exits 3 when a file could not be written (PORTABLE_EXPORT_FAILED).")]
pub struct FallbackArgs {
    /// ticket_export_ids to write
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every attempt of this report (with --all-blocked: those of this report whose next step is fallback)
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Every attempt whose triage says fallback (`ticket-export inspect` shows NEXT = fallback)
    #[arg(long, conflicts_with = "ids")]
    pub all_blocked: bool,
    /// The formats to write, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FORMATS",
          default_values_t = PortableFormat::ALL)]
    pub format: Vec<PortableFormat>,
    /// The CSV columns: generic, or those of a provider's own CSV importer
    #[arg(long, value_enum, default_value_t, value_name = "PRESET")]
    pub preset: CsvPreset,
    /// The output folder [default: fallback.out_dir of the config]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Show the files that would be written; write and record nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the JSON Schema of the JSON file and exit
    #[arg(long, conflicts_with_all = ["ids", "report", "all_blocked", "out", "dry_run"])]
    pub schema: bool,
}

/// Runs `fallback`.
pub fn run(args: FallbackArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    if args.schema {
        ctx.printer.raw(JSON_SCHEMA)?;
        return Ok(ExitStatus::Ok);
    }
    if args.ids.is_empty() && args.report.is_none() && !args.all_blocked {
        return Err(UsageError::new(
            "fallback needs a selection",
            "it writes files only for the attempts you name, so that nothing is handed over by accident",
            "pass ticket_export_ids, --report REPORT or --all-blocked (`ticket-export inspect` shows NEXT = fallback)",
        )
        .into());
    }
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    let mut config = ctx.config()?;
    // A run that writes files records them: a store it may not write is refused before any
    // file is written, so no set exists that the store does not know about.
    let mut store = if args.dry_run {
        // A dry run only reads: a missing store is reported, never created.
        ctx.existing_store()?
    } else {
        ctx.store_for_writing()?
    };
    check_selection_exists(&args, ctx, &store)?;
    if let Some(out) = &args.out {
        config.fallback.out_dir = out.clone();
    }
    let out_dir = config.fallback.out_dir.clone();
    let owner_digest = config.output_digest();
    let shapes = crate::portable::shapes(&config);
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    let filter = AttemptFilter {
        ids: args.ids.clone(),
        report: args.report.clone(),
        ..AttemptFilter::default()
    };
    let mut status = ExitStatus::Ok;
    let mut skipped = 0u64;
    let json = ctx.printer.settings.json;
    let mut io_result = Ok(());
    let mut counts = select::select(&store, &mut assessor, &filter, args.all_blocked, |s| {
        skipped += 1;
        status = status.worst(s.state.into());
        if io_result.is_ok() {
            io_result = print_skipped(ctx, &s);
        }
    })?;
    io_result?;
    drop(assessor);
    let holder = crate::lease::holder();
    // An attempt whose create may have reached the provider is looked up there first: a file
    // beside a ticket that exists would be imported as a duplicate.
    for s in select::look_up_first(&config, &ctx.ambient, &mut store, &holder, args.dry_run)? {
        skipped += 1;
        counts.selected = counts.selected.saturating_sub(1);
        status = status.worst(s.state.into());
        print_skipped(ctx, &s)?;
    }
    let mut left_out = Vec::new();
    // Nothing selected: create no folder either.
    let target = if args.dry_run || counts.selected == 0 {
        OutDir::resolve(&out_dir)
    } else {
        OutDir::prepare(&out_dir)
    };
    let prefix = match &target {
        Ok(dir) => dir.prefix(),
        Err(_) => format!("{}{}", out_dir.display(), std::path::MAIN_SEPARATOR),
    };
    let opts = ExportOptions {
        formats: &formats,
        preset: args.preset,
        dry_run: args.dry_run,
        shapes: &shapes,
    };
    let mut files = Vec::new();
    let mut recorded = 0;
    let now = ctx.ambient.now();
    let results = export::write_reports(
        &store,
        target.as_ref(),
        &prefix,
        &opts,
        |report| {
            // The same lease as retry and sync: one command at a time per finding and destination.
            if !args.dry_run {
                let until = crate::lease::lease(&holder).until;
                left_out.extend(store.claim_fallback_report(
                    report,
                    &holder,
                    until,
                    crate::lease::stale,
                )?);
            }
            Ok(())
        },
        |f| files.push(f.clone()),
        |r| {
            if !args.dry_run {
                recorded += export::record(&store, r, &prefix, &owner_digest, &holder, now)?;
            }
            Ok(())
        },
    )?;
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    for out in left_out {
        let state = match store.attempt(&out.ticket_export_id)? {
            Some(a) if !out.held => assessor.decide(&a).state,
            _ => State::Ready,
        };
        skipped += 1;
        counts.selected = counts.selected.saturating_sub(1);
        status = status.worst(state.into());
        let s = Skipped {
            ticket_export_id: out.ticket_export_id,
            report_id: out.report_id,
            state,
            why: out.why,
        };
        print_skipped(ctx, &s)?;
    }
    print_files(ctx, &files)?;
    let mut failed = 0;
    let mut findings = 0;
    for r in &results {
        findings += r.findings;
        if let Err(e) = &r.outcome {
            failed += 1;
            status = status.worst(ExitStatus::Blocked);
            print_failure(ctx, &r.report_id, r.findings, e, args.dry_run)?;
        }
    }
    let count = |o: FileOutcome| files.iter().filter(|f| f.outcome == o).count();
    let shown_dir = target
        .as_ref()
        .map_or(out_dir.clone(), |d| d.root().to_path_buf());
    if json {
        // The batch envelope `retry` and `sync` share (`cli::batch_summary`), then the files.
        let outcomes = std::collections::BTreeMap::from([
            ("fallback_written", recorded),
            ("left_out", skipped),
        ]);
        let mut summary = super::batch_summary("fallback", args.dry_run, &outcomes, status);
        summary["attempts"] = json!(counts.selected);
        super::extend(
            &mut summary,
            json!({
                "out_dir": shown_dir, "reports": results.len(), "reports_failed": failed,
                "out_dir": shown_dir, "reports": results.len(), "reports_failed": failed,
                "files_written": count(FileOutcome::Written) + count(FileOutcome::WouldWrite),
                "files_unchanged": count(FileOutcome::Unchanged) + count(FileOutcome::WouldKeep),
                "findings": findings, "attempts_selected": counts.selected,
                "attempts_skipped": skipped, "attempts_recorded": recorded,
            }),
        );
        ctx.printer.json(&summary)?;
        return Ok(status);
    }
    let verb = if args.dry_run { "would write" } else { "wrote" };
    let written = count(FileOutcome::Written) + count(FileOutcome::WouldWrite);
    let same = count(FileOutcome::Unchanged) + count(FileOutcome::WouldKeep);
    ctx.printer.info(&format!(
        "{verb} {written} file(s), {same} unchanged, for {} report(s) and {findings} finding(s) under {}; \
         {skipped} attempt(s) left out, {failed} report(s) failed",
        results.len(),
        shown_dir.display()
    ));
    if args.dry_run {
        ctx.printer.info("dry run: nothing was written or recorded");
    } else if counts.selected == 0 && skipped == 0 {
        ctx.printer
            .info("no attempt matched; `ticket-export inspect` shows each attempt's next step");
    }
    Ok(status)
}

/// Named IDs and reports must exist: a typo should not read as "nothing to do".
fn check_selection_exists(
    args: &FallbackArgs,
    ctx: &Context,
    store: &crate::store::Store,
) -> anyhow::Result<()> {
    let mut missing = Vec::new();
    for id in &args.ids {
        if store.attempt(id)?.is_none() {
            missing.push(id.clone());
        }
    }
    if !missing.is_empty() {
        return Err(UsageError::new(
            format!(
                "no attempt {} in the store {}",
                missing.join(", "),
                ctx.store_path.display()
            ),
            "the ids are not among the imported ticket exports; nothing was written",
            "list them with `ticket-export inspect`, or import the report first",
        )
        .into());
    }
    if let Some(report) = &args.report {
        let filter = AttemptFilter {
            report: Some(report.clone()),
            ..AttemptFilter::default()
        };
        let mut any = false;
        store.for_each_attempt(&filter, |_| {
            any = true;
            std::ops::ControlFlow::Break(())
        })?;
        if !any {
            return Err(UsageError::new(
                format!(
                    "no attempts of report {report:?} in the store {}",
                    ctx.store_path.display()
                ),
                "the report has not been imported; nothing was written",
                "check the id with `ticket-export inspect --summary`, or import the report first",
            )
            .into());
        }
    }
    Ok(())
}

fn print_skipped(ctx: &mut Context, s: &Skipped) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        let mut value = serde_json::to_value(s).unwrap_or_default();
        value["record"] = "skipped".into();
        return ctx.printer.json(&value);
    }
    let text = format!("left out {} ({}): {}", s.ticket_export_id, s.state, s.why);
    if s.state == State::Ready {
        ctx.printer.info(&text);
    } else {
        ctx.printer.warn(&text);
    }
    Ok(())
}

fn print_files(ctx: &mut Context, files: &[FileRecord]) -> std::io::Result<()> {
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
    };
    let rows: Vec<Vec<String>> = files
        .iter()
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

fn print_failure(
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
