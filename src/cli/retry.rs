//! `retry [ID...]`: re-deliver attempts idempotently.

use std::ops::ControlFlow;

use clap::Args;
use serde_json::json;

use super::Context;
use crate::assess::Assessor;
use crate::error::{ExitStatus, UsageError};
use crate::retry::{ItemReport, RetryOptions};
use crate::store::AttemptFilter;
use crate::triage::Action;

/// Re-deliver attempts: look the ticket up by fingerprint first, create only when none exists
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export retry tex_9001\n  \
    ticket-export retry --report rep_1042 --dry-run\n  \
    ticket-export --json retry --all --concurrency 8 > retry.jsonl\n\n\
    Attempts that triage does not find ready are refused with the reason; nothing is sent for them.")]
#[command(group = clap::ArgGroup::new("selection").required(true).args(["ids", "report", "all"]))]
pub struct RetryArgs {
    /// ticket_export_ids to retry
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Every attempt of this report that has work to do
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Every attempt in the store that has work to do
    #[arg(long)]
    pub all: bool,
    /// Print the calls that would be made, to which destination, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Requests in flight at once per provider
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// Runs `retry`.
pub fn run(args: RetryArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
    let mut store = if args.dry_run {
        ctx.store()?
    } else {
        ctx.store_for_writing()?
    };
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    let mut selection = Vec::new();
    if args.ids.is_empty() {
        let filter = AttemptFilter {
            report: args.report.clone(),
            ..AttemptFilter::default()
        };
        // A batch selects what has work to do; finished attempts are not "refused".
        store.for_each_attempt(&filter, |a| {
            if assessor.decide(&a).action != Action::Nothing {
                selection.push(a);
            }
            ControlFlow::Continue(())
        })?;
    } else {
        let mut missing = Vec::new();
        for id in &args.ids {
            match store.attempt(id)? {
                Some(a) => selection.push(a),
                None => missing.push(id.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(UsageError::new(
                format!("no attempt {} in the store", missing.join(", ")),
                "these ids are not among the imported ticket exports",
                "list them with `ticket-export inspect`; nothing was retried",
            )
            .into());
        }
    }
    if !args.dry_run {
        let now = ctx.ambient.now();
        let far: Vec<&str> = selection
            .iter()
            .filter(|a| {
                crate::triage::Wait::read(a.retry_after, now)
                    .is_some_and(|w| w.capped_from.is_some())
            })
            .map(|a| a.ticket_export_id.as_str())
            .collect();
        ctx.cap_far_waits(&mut store, &far)?;
    }
    drop(store);
    let options = RetryOptions {
        concurrency: args.concurrency as usize,
        dry_run: args.dry_run,
        timeouts: Default::default(),
    };
    let mut status = ExitStatus::Ok;
    let mut counts: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut rows = Vec::new();
    let mut io = Ok(());
    let total = selection.len();
    let progress = ctx.printer.progress(total as u64, "retry");
    let (ambient, store_path) = (ctx.ambient.clone(), ctx.store_path.clone());
    crate::retry::run(
        &config,
        &ambient,
        &store_path,
        selection,
        options,
        |item: ItemReport| {
            status = status.worst(if item.store_failed {
                ExitStatus::Failure
            } else {
                item.state.into()
            });
            *counts.entry(item.outcome).or_default() += 1;
            progress.inc(1);
            if io.is_ok() {
                io = print_item(ctx, &item, &mut rows);
            }
        },
    )?;
    progress.finish_and_clear();
    io?;
    if ctx.printer.settings.terminal && !rows.is_empty() {
        ctx.printer.table(
            &[
                "ID",
                "PROVIDER",
                "OUTCOME",
                "STATE",
                "TICKET / CODE",
                "DETAIL",
            ],
            &rows,
        )?;
    }
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if ctx.printer.settings.json {
        ctx.printer.json(&json!({"summary": counts, "attempts": total, "exit_code": status.code(), "dry_run": args.dry_run}))?;
    } else if total == 0 {
        ctx.printer
            .info("nothing to retry: no selected attempt has work to do");
    } else {
        ctx.printer.info(&format!(
            "retry: {} (exit {})",
            summary.join(", "),
            status.code()
        ));
    }
    Ok(status)
}

fn print_item(
    ctx: &mut Context,
    item: &ItemReport,
    rows: &mut Vec<Vec<String>>,
) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        return ctx.printer.json(item);
    }
    let ticket = item
        .external_ticket_url
        .clone()
        .or_else(|| item.provider_error_code.clone())
        .unwrap_or_else(|| "-".into());
    let mut detail = item.detail.clone();
    for line in &item.plan {
        detail.push_str(&format!("; {line}"));
    }
    let row = vec![
        item.ticket_export_id.clone(),
        item.provider_key.clone(),
        item.outcome.to_owned(),
        item.state.to_string(),
        ticket,
        detail,
    ];
    if ctx.printer.settings.terminal {
        rows.push(row);
        Ok(())
    } else {
        ctx.printer.table(&[], &[row])
    }
}
