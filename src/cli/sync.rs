//! `sync [ID...]`: keep linked tickets and findings in step; safe to run from cron every minute.

use clap::Args;

use super::Context;
use crate::error::{ExitStatus, UsageError};
use crate::store::AttemptFilter;
use crate::sync::{Direction, Prefer, SyncOptions, SyncReport};

/// Sync ticket status both ways for linked tickets; conflicts are reported, never guessed
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export sync --all\n  \
    ticket-export sync --report rep_1042 --direction pull --dry-run\n  \
    ticket-export sync tex_9001 --prefer remote      # a conflict: keep the ticket's state\n\n\
    From cron, every minute (the README's \"Running from cron\" says which codes alert):\n  \
    ticket-export --quiet sync --all; rc=$?; case $rc in 0|4) ;; *) echo \"sync: exit $rc\" ;; esac\n\n\
    Prints nothing when nothing changed; otherwise the changed links and a one-line summary.\n\
    With --quiet, only what changed or is a new problem: the exit code carries the rest.\n\
    A conflict (both sides changed differently) changes neither side and exits 3 until a person\n\
    chooses one with --prefer, per attempt ID (never for --all or --report).")]
#[command(group = clap::ArgGroup::new("selection").required(true).args(["ids", "report", "all"]))]
pub struct SyncArgs {
    /// ticket_export_ids whose ticket link to sync
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every linked ticket of this report
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Every linked ticket in the store
    #[arg(long)]
    pub all: bool,
    /// Which sides may change
    #[arg(long, value_enum, default_value = "both")]
    pub direction: Direction,
    /// For links in conflict: local pushes the finding's state to the ticket, remote records the
    /// ticket's state; logged with who chose. Only with IDs; other links sync as usual
    #[arg(long, value_enum, value_name = "SIDE", requires = "ids", conflicts_with_all = ["all", "report", "direction"])]
    pub prefer: Option<Prefer>,
    /// Read the tickets and print what would change on each side; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Requests in flight at once per provider
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// Runs `sync`.
pub fn run(args: SyncArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
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
    let filter = AttemptFilter {
        ids: args.ids.clone(),
        report: args.report.clone(),
        ..AttemptFilter::default()
    };
    // The light read only: each provider reads its links in full while its listing runs.
    let links = store.sync_links(&filter)?;
    if !args.ids.is_empty() && links.len() < args.ids.len() {
        let found: Vec<&str> = links.iter().map(|l| l.ticket_export_id.as_str()).collect();
        let missing: Vec<&str> = args
            .ids
            .iter()
            .map(String::as_str)
            .filter(|id| !found.contains(id))
            .collect();
        return Err(UsageError::new(
            format!("{} has no linked ticket to sync", missing.join(", ")),
            "sync works on attempts linked to a ticket (after a successful retry or an import with external_ticket_id)",
            "check with `ticket-export inspect ID`; nothing was synced",
        )
        .into());
    }
    if !args.dry_run {
        let waits = links
            .iter()
            .map(|l| (l.ticket_export_id.as_str(), l.retry_after));
        ctx.cap_far_waits(&mut store, waits)?;
    }
    drop(store);
    let options = SyncOptions {
        direction: args.direction,
        prefer: args.prefer,
        dry_run: args.dry_run,
        concurrency: args.concurrency as usize,
        timeouts: Default::default(),
    };
    let mut status = ExitStatus::Ok;
    let mut counts: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut rows = Vec::new();
    let mut io = Ok(());
    let progress = ctx.printer.progress(links.len() as u64, "sync");
    let (ambient, store_path) = (ctx.ambient.clone(), ctx.store_path.clone());
    crate::sync::run(
        &config,
        &ambient,
        &store_path,
        &filter,
        links,
        options,
        |item: SyncReport| {
            status = status.worst(if item.store_failed {
                ExitStatus::Failure
            } else {
                item.state.into()
            });
            *counts.entry(item.outcome).or_default() += 1;
            progress.inc(1);
            if io.is_ok() && shown(&item, &ctx.printer.settings) {
                io = print_item(ctx, &item, &mut rows);
            }
        },
    )?;
    progress.finish_and_clear();
    io?;
    if ctx.printer.settings.terminal && !rows.is_empty() {
        ctx.printer.table(
            &["ID", "PROVIDER", "TICKET", "OUTCOME", "STATE", "DETAIL"],
            &rows,
        )?;
    }
    let changed = counts.iter().any(|(k, _)| *k != "unchanged");
    if ctx.printer.settings.json {
        ctx.printer
            .json(&super::batch_summary("sync", args.dry_run, &counts, status))?;
    } else if changed {
        let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        ctx.printer.info(&format!(
            "sync: {} (exit {})",
            summary.join(", "),
            status.code()
        ));
    }
    Ok(status)
}

/// Every line with `--json`; without it, what changed; with `--quiet`, only what changed or is
/// a new problem (a conflict or failure on a link whose sync was not already failing).
fn shown(item: &SyncReport, settings: &crate::output::OutputSettings) -> bool {
    if settings.json {
        return true;
    }
    if !settings.quiet {
        return item.outcome != "unchanged";
    }
    let changed = item.store_failed
        || matches!(
            item.outcome,
            "pulled" | "pushed" | "converged" | "would_pull" | "would_push"
        );
    // A skipped, held or waiting link is as it was; a failure is new unless the last sync failed.
    let before = match item.outcome {
        "conflict" | "failed" if !item.was_failing => None,
        _ => Some(item.state),
    };
    super::quiet::shown(changed, before, item.state)
}

fn print_item(
    ctx: &mut Context,
    item: &SyncReport,
    rows: &mut Vec<Vec<String>>,
) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        return ctx.printer.json(&super::batch_record(item));
    }
    let row = vec![
        item.ticket_export_id.clone(),
        item.provider_key.clone(),
        item.external_ticket_id.clone(),
        item.outcome.to_owned(),
        item.state.to_string(),
        item.detail.clone(),
    ];
    if ctx.printer.settings.terminal {
        rows.push(row);
        Ok(())
    } else {
        ctx.printer.table(&[], &[row])
    }
}
