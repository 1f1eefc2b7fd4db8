//! `fallback [ID...]`: portable CSV, Markdown and JSON files a customer can import without
//! provider credentials (design section 6). Glue only: `portable` selects, writes and records.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::Context;
use super::fallback_print;
use crate::assess::Assessor;
use crate::error::{ExitStatus, UsageError};
use crate::model::State;
use crate::portable::export::{self, ExportOptions, FileOutcome};
use crate::portable::select::{self, Skipped};
use crate::portable::write::OutDir;
use crate::portable::{CsvPreset, JSON_SCHEMA, PortableFormat};
use crate::store::AttemptFilter;

/// Write portable CSV, Markdown and JSON files a customer can import without provider credentials
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export fallback tex_9014\n  \
    ticket-export fallback --report rep_2051 --format csv --preset jira\n  \
    ticket-export fallback --all-blocked --dry-run\n  \
    ticket-export --json fallback --all-blocked --yes | jq -r 'select(.record == \"file\") | .path'\n  \
    ticket-export fallback --schema > fallback-v1.schema.json\n\n\
    Files go to OUT/<report_id>/ with a SHA256SUMS manifest (check with `sha256sum -c SHA256SUMS`).\n\
    Attempts that already have a ticket, or that triage stopped, are left out: an imported file\n\
    would duplicate the ticket.\n\n\
    Fallback is final: an attempt with files becomes fallback_written, and `retry` refuses it for\n\
    ever. Files for an attempt whose NEXT is not fallback (ready for retry, cooldown, blocked) are\n\
    written only once confirmed: on a terminal by answering, in scripts with --yes (without it\n\
    the run exits 2 and names them). The output names the attempts that became final.\n\
    Exits 3 when a file could not be written (PORTABLE_EXPORT_FAILED).")]
pub struct FallbackArgs {
    /// ticket_export_ids to write
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every attempt of this report (with --all-blocked: those of this report that --all-blocked takes)
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Every attempt that stays blocked (STATE blocked: a person must act) or whose NEXT is
    /// fallback; never a linked, stopped or duplicate-blocked one
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
    #[arg(long, conflicts_with_all = ["ids", "report", "all_blocked", "out", "dry_run", "yes"])]
    pub schema: bool,
    /// Confirm files for attempts whose NEXT is not fallback, which become final (needed where
    /// no terminal can ask)
    #[arg(long)]
    pub yes: bool,
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
    crate::named::check(
        crate::named::Named {
            ids: &args.ids,
            report: args.report.as_deref(),
            ..Default::default()
        },
        Some(&store),
        Some(&config),
    )?;
    super::fallback_note::earlier_out_dir_once(
        ctx,
        &config,
        &store,
        args.out.is_some(),
        !args.dry_run,
    )?;
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
            // Left out for what triage says already: the same state before and after the run.
            io_result = fallback_print::skipped(ctx, &s, Some(s.state));
        }
    })?;
    io_result?;
    drop(assessor);
    if args.dry_run {
        super::fallback_final::print_would_become_final(ctx, &counts.to_confirm)?;
    }
    if !super::fallback_final::confirm(ctx, &counts.to_confirm, args.yes, args.dry_run)? {
        ctx.printer.info(
            "nothing was written: the files were not confirmed; the attempts stay as they are",
        );
        return Ok(ExitStatus::Blocked);
    }
    let holder = crate::lease::holder();
    // An attempt whose create may have reached the provider is looked up there first: a file
    // beside a ticket that exists would be imported as a duplicate.
    for s in select::look_up_first(&config, &ctx.ambient, &mut store, &holder, args.dry_run)? {
        skipped += 1;
        counts.selected = counts.selected.saturating_sub(1);
        status = status.worst(s.state.into());
        // Selected for fallback (ready) before its look-up; blocked after it is a new problem.
        fallback_print::skipped(ctx, &s, Some(State::Ready))?;
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
    let mut made_final = Vec::new();
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
                let (n, ids) = export::record(&store, r, &prefix, &owner_digest, &holder, now)?;
                recorded += n;
                made_final.push((r.report_id.clone(), ids));
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
        fallback_print::skipped(ctx, &s, Some(state))?;
    }
    fallback_print::files(ctx, &files)?;
    super::fallback_final::print_made_final(ctx, &made_final)?;
    let finals: usize = made_final.iter().map(|(_, ids)| ids.len()).sum();
    let mut failed = 0;
    let mut findings = 0;
    for r in &results {
        findings += r.findings;
        if let Err(e) = &r.outcome {
            failed += 1;
            status = status.worst(ExitStatus::Blocked);
            fallback_print::failure(ctx, &r.report_id, r.findings, e, args.dry_run)?;
        }
    }
    let count = |o: FileOutcome| files.iter().filter(|f| f.outcome == o).count();
    let written = files.iter().filter(|f| f.outcome.writes()).count();
    let replaced = count(FileOutcome::Replaced) + count(FileOutcome::WouldReplace);
    let removed = count(FileOutcome::Removed) + count(FileOutcome::WouldRemove);
    let left_alone = count(FileOutcome::LeftAlone);
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
                "files_written": written, "files_replaced": replaced, "files_removed": removed,
                "files_left_alone": left_alone,
                "files_unchanged": count(FileOutcome::Unchanged) + count(FileOutcome::WouldKeep),
                "findings": findings, "attempts_selected": counts.selected,
                "attempts_skipped": skipped, "attempts_recorded": recorded,
                "attempts_final": finals,
            }),
        );
        ctx.printer.json(&summary)?;
        return Ok(status);
    }
    let verb = if args.dry_run { "would write" } else { "wrote" };
    let same = count(FileOutcome::Unchanged) + count(FileOutcome::WouldKeep);
    let (replace, remove) = if args.dry_run {
        ("would replace", "would remove")
    } else {
        ("replaced", "removed")
    };
    let mut changes = String::new();
    if replaced > 0 {
        changes.push_str(&format!(" ({replace} {replaced})"));
    }
    if removed > 0 {
        changes.push_str(&format!(", {remove} {removed} earlier file(s)"));
    }
    if left_alone > 0 {
        changes.push_str(&format!(
            ", left alone {left_alone} not written by ticket-export"
        ));
    }
    ctx.printer.info(&format!(
        "{verb} {written} file(s){changes}, {same} unchanged, for {} report(s) and {findings} finding(s) under {}; \
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
