//! `log`: the events of every attempt, newest first.

use std::ops::ControlFlow;

use clap::Args;

use super::Context;
use crate::error::ExitStatus;
use crate::history::{check_filter, parse_since};
use crate::store::{EventFilter, LoggedEvent};

/// What happened across attempts, newest first: each import, retry, sync and fallback event
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export log --since 12h                     # what last night's cron run changed\n  \
    ticket-export --json log --since 2026-11-28 --action create --provider jira-sec | jq .total\n\n\
    Piped, each event is one tab-separated line: at, ticket_export_id, report_id, provider_key,\n\
    action, outcome, code, http_status, detail (`-` where empty). With --json, one document:\n\
    {\"schema_version\": 1, \"events\": [...], \"shown\": N, \"total\": M}. Reads the store, never\n\
    creates it; exits 0, or 2 when a filter names nothing in the store or config."
)]
pub struct LogArgs {
    /// Only events at or after WHEN: a time (RFC 3339), a date (midnight UTC), or an age: 12h, 7d, 2w
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only events of this report's attempts
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Only events of attempts for this provider key
    #[arg(long, value_name = "KEY")]
    pub provider: Option<String>,
    /// Only events of this action: import, retry, lookup, create, sync or fallback
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Show at most N events, the newest
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
}

/// Runs `log`.
pub fn run(args: LogArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let since = args
        .since
        .as_deref()
        .map(|text| parse_since(text, ctx.ambient.now()))
        .transpose()?;
    let store = ctx.existing_store()?;
    let filter = EventFilter {
        since,
        report: args.report,
        provider: args.provider,
        action: args.action,
    };
    // The config only widens what `--provider` may name; a broken config does not hide the log.
    let config = filter.provider.as_ref().and_then(|_| ctx.config().ok());
    check_filter(&filter, &store, config.as_ref())?;
    let (json, terminal) = (ctx.printer.settings.json, ctx.printer.settings.terminal);
    if json {
        ctx.printer.raw("{\"schema_version\":1,\"events\":[")?;
    }
    let mut shown = 0u64;
    let mut rows = Vec::new();
    let mut written = Ok(());
    store.for_each_logged_event(&filter, args.limit, |event| {
        let result = if json {
            let sep = if shown == 0 { "" } else { "," };
            ctx.printer
                .raw(sep)
                .and_then(|()| ctx.printer.json_inline(&event))
        } else if terminal {
            rows.push(cells(&event));
            Ok(())
        } else {
            ctx.printer.table(&[], &[cells(&event)])
        };
        shown += 1;
        match result {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                written = Err(e);
                ControlFlow::Break(())
            }
        }
    })?;
    written?;
    // Counted only when the limit cut the list: the count reads every selected event.
    let total = match shown == args.limit {
        true => store.count_logged_events(&filter)?,
        false => shown,
    };
    if json {
        ctx.printer
            .raw(&format!("],\"shown\":{shown},\"total\":{total}}}\n"))?;
    } else if terminal {
        ctx.printer.table_keeping(
            &[
                "AT", "ATTEMPT", "REPORT", "PROVIDER", "ACTION", "OUTCOME", "CODE", "HTTP",
                "DETAIL",
            ],
            &rows,
            2,
        )?;
    }
    if shown < total {
        ctx.printer.info(&format!(
            "{shown} of {total} events shown, newest first; more: --limit {total}, or narrow with --since, --report, --provider or --action"
        ));
    } else if total == 0 {
        let what = match store.count_logged_events(&EventFilter::default())? {
            0 => "the store has no events yet; import a report with `ticket-export import FILE`"
                .to_owned(),
            all => {
                format!("no events match; the store holds {all}: widen --since or drop a filter")
            }
        };
        ctx.printer.info(&what);
    } else {
        ctx.printer.hint("details: ticket-export inspect ID");
    }
    Ok(ExitStatus::Ok)
}

/// A row: the columns in the documented order, `-` where a value is empty.
fn cells(e: &LoggedEvent) -> Vec<String> {
    let dash = |v: Option<String>| v.filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into());
    vec![
        dash(e.event.at.map(|t| t.to_string())),
        e.ticket_export_id.clone(),
        dash(e.report_id.clone()),
        dash(e.provider_key.clone()),
        e.event.action.clone(),
        e.event.outcome.clone(),
        dash(e.event.code.clone()),
        dash(e.event.http_status.map(|s| s.to_string())),
        dash(Some(e.event.detail.clone())),
    ]
}
