//! `reports`: the reports in the store with their attempts counted by triage state.

use clap::Args;
use serde_json::json;

use super::Context;
use crate::assess::Assessor;
use crate::counts::{StateCounts, by_report};
use crate::error::ExitStatus;

/// The reports in the store, each with its attempts counted by state (ready, blocked, cooldown, stop)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export reports\n  \
    ticket-export --json reports | jq -r '.reports[] | select(.attempts.blocked > 0) | .report_id'\n\n\
    States are triage's, as `inspect` shows them. Piped, each report is one tab-separated line:\n\
    report_id, ready, blocked, cooldown, stop, total, title. Reads the store, never creates it.\n\
    Exits like `inspect --summary`: 0 ready, 3 blocked, 5 stop, 4 cooldown, the worst present.")]
pub struct ReportsArgs {}

/// Runs `reports`.
pub fn run(_args: ReportsArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let store = ctx.existing_store()?;
    let config = ctx.config()?;
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    let reports = by_report(&store, &mut assessor)?;
    let mut total = StateCounts::default();
    for r in &reports {
        total.merge(&r.attempts);
    }
    if ctx.printer.settings.json {
        ctx.printer.json_pretty(&json!({
            "schema_version": 1,
            "reports": reports,
            "total": total,
        }))?;
        return Ok(total.exit_status());
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let counts = r.attempts.values().map(|n| n.to_string());
            if ctx.printer.settings.terminal {
                let mut row = vec![r.report_id.clone(), r.title.clone()];
                row.extend(counts);
                row
            } else {
                let mut row = vec![r.report_id.clone()];
                row.extend(counts);
                row.push(r.title.clone());
                row
            }
        })
        .collect();
    if ctx.printer.settings.terminal {
        let mut rows = rows;
        let mut all = vec!["all".to_owned(), format!("{} report(s)", reports.len())];
        all.extend(total.values().map(|n| n.to_string()));
        rows.push(all);
        ctx.printer.table_keeping(
            &[
                "REPORT", "TITLE", "READY", "BLOCKED", "COOLDOWN", "STOP", "TOTAL",
            ],
            &rows,
            1,
        )?;
    } else {
        ctx.printer.table(&[], &rows)?;
    }
    if reports.is_empty() {
        ctx.printer
            .info("the store holds no reports; import one with `ticket-export import FILE`");
    } else {
        ctx.printer
            .hint("attempts of one report: ticket-export inspect --report REPORT");
    }
    Ok(total.exit_status())
}
