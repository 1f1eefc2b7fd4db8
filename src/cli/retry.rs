//! `retry [ID...]`: re-deliver attempts idempotently.

use std::ops::ControlFlow;

use clap::Args;

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
    ticket-export --json retry --all --concurrency 8 > retry.jsonl\n  \
    ticket-export retry tex_9010 --allow-create\n\n\
    From cron, every 10 minutes (the README's \"Running from cron\" says which codes alert):\n  \
    ticket-export --quiet retry --all; rc=$?; case $rc in 0|4) ;; *) echo \"retry: exit $rc\" ;; esac\n\n\
    With --quiet, only what changed or is a new problem is printed: the exit code carries the rest.\n\
    Attempts that triage does not find ready are refused with the reason; nothing is sent for them.\n\
    A TICKET_EXPORT_DUPLICATE_BLOCKED attempt is never created by retry: it updates the known\n\
    ticket, or looks it up and links it. When the known ticket is gone (404) or cannot be found, a\n\
    person decides: `ticket-export link ID URL` records the ticket they found, and\n\
    `ticket-export retry ID --allow-create` allows one create after they confirmed none exists.")]
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
    /// Lift the duplicate guard of the named TICKET_EXPORT_DUPLICATE_BLOCKED attempts, once you
    /// confirmed that no ticket exists: the ticket is still looked up first and linked if found.
    /// Asks for confirmation; recorded in each attempt's history
    #[arg(long)]
    pub allow_create: bool,
    /// Confirm --allow-create without a question (needed where no terminal can ask)
    #[arg(long, requires = "allow_create")]
    pub yes: bool,
}

/// Runs `retry`.
pub fn run(args: RetryArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let allow_create = match confirm_allow_create(&args, ctx)? {
        Confirmed::NotAsked => None,
        Confirmed::Yes(how) => Some(how),
        Confirmed::No => {
            ctx.printer
                .info("nothing was sent: the create was not confirmed; the duplicate guard stays");
            return Ok(ExitStatus::Blocked);
        }
    };
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
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    let mut selection = Vec::new();
    // Each attempt's state before the run: under --quiet, only a new problem earns a line.
    let mut before = std::collections::HashMap::new();
    if args.ids.is_empty() {
        let filter = AttemptFilter {
            report: args.report.clone(),
            ..AttemptFilter::default()
        };
        // A batch selects what has work to do; finished attempts are not "refused".
        store.for_each_attempt(&filter, |a| {
            let decision = assessor.decide(&a);
            if decision.action != Action::Nothing {
                before.insert(a.ticket_export_id.clone(), decision.state);
                selection.push(a);
            }
            ControlFlow::Continue(())
        })?;
    } else {
        for id in &args.ids {
            if let Some(a) = store.attempt(id)? {
                before.insert(a.ticket_export_id.clone(), assessor.decide(&a).state);
                selection.push(a);
            }
        }
    }
    if !args.dry_run {
        let waits = selection
            .iter()
            .map(|a| (a.ticket_export_id.as_str(), a.retry_after));
        ctx.cap_far_waits(&mut store, waits)?;
    }
    drop(store);
    let options = RetryOptions {
        concurrency: args.concurrency as usize,
        dry_run: args.dry_run,
        timeouts: Default::default(),
        allow_create,
    };
    let mut status = ExitStatus::Ok;
    let mut counts: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut rows = Vec::new();
    let mut io = Ok(());
    let total = selection.len();
    let progress = ctx.printer.progress(total as u64, "retry");
    let quiet = ctx.printer.settings.quiet && !ctx.printer.settings.json;
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
            // A ticket written, or an outcome nobody knows yet (a create may have landed).
            let changed = item.store_failed
                || matches!(
                    item.outcome,
                    "created" | "linked" | "updated" | "uncertain" | "planned"
                );
            let before = before.get(&item.ticket_export_id).copied();
            if io.is_ok() && (!quiet || super::quiet::shown(changed, before, item.state)) {
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
        let mut summary = super::batch_summary("retry", args.dry_run, &counts, status);
        summary["attempts"] = total.into();
        ctx.printer.json(&summary)?;
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
        return ctx.printer.json(&super::batch_record(item));
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

/// The answer to `--allow-create`'s question.
enum Confirmed {
    /// No override asked for (or a dry run, which sends nothing).
    NotAsked,
    /// Confirmed, and how: recorded in the history.
    Yes(&'static str),
    No,
}

/// `--allow-create` applies to named attempts only, and a person confirms it: on a terminal by
/// answering, elsewhere with `--yes`.
fn confirm_allow_create(args: &RetryArgs, ctx: &mut Context) -> anyhow::Result<Confirmed> {
    if !args.allow_create {
        return Ok(Confirmed::NotAsked);
    }
    if args.all || args.report.is_some() || args.ids.is_empty() {
        return Err(UsageError::new(
            "--allow-create applies only to the ids you name, not to --all or --report",
            "it lifts the duplicate guard of an attempt after a person confirmed that no ticket \
             exists for it; a batch would lift it for attempts nobody checked",
            "name each checked attempt: `ticket-export retry ID... --allow-create`",
        )
        .into());
    }
    if args.dry_run {
        return Ok(Confirmed::NotAsked);
    }
    if args.yes {
        return Ok(Confirmed::Yes("confirmed with --yes"));
    }
    if !ctx.printer.settings.interactive {
        return Err(UsageError::new(
            "--allow-create needs a confirmation, and there is no terminal to ask on",
            "it may create a second ticket if one exists after all, so a person confirms it",
            "check that no ticket exists for each attempt, then rerun with --yes",
        )
        .into());
    }
    let question = format!(
        "Allow a create for {}? Only if you confirmed that no ticket exists for {}: the ticket is \
         still looked up first, and linked if found.",
        args.ids.join(", "),
        if args.ids.len() == 1 { "it" } else { "them" }
    );
    let mut stdin = std::io::stdin().lock();
    Ok(if ctx.printer.confirm(&question, &mut stdin)? {
        Confirmed::Yes("confirmed on the terminal")
    } else {
        Confirmed::No
    })
}
