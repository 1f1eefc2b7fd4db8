//! `inspect --summary`: counts by failure code, state and provider.
//!
//! Attempts are grouped by every input triage reads (`store/summary.rs`), and each group is
//! triaged once, so a summary of a million attempts costs one scan plus a few hundred decisions.

use std::collections::BTreeMap;

use serde_json::json;

use super::Context;
use crate::assess::Assessor;
use crate::counts::StateCounts;
use crate::error::ExitStatus;
use crate::store::Store;

/// A table row: the label, then the counts.
fn cells(counts: &StateCounts, label: &str) -> Vec<String> {
    let mut row = vec![label.to_owned()];
    row.extend(counts.values().map(|n| n.to_string()));
    row
}

/// Runs the summary and prints it; exits with the worst state present.
pub fn run(
    ctx: &mut Context,
    store: &Store,
    assessor: &mut Assessor<'_>,
) -> anyhow::Result<ExitStatus> {
    let mut total = StateCounts::default();
    let mut by_code: BTreeMap<String, StateCounts> = BTreeMap::new();
    let mut by_provider: BTreeMap<String, StateCounts> = BTreeMap::new();
    for group in store.summary_groups(ctx.ambient.now())? {
        let state = assessor.decide(&group.representative).state;
        let code = group
            .representative
            .provider_error_code
            .as_ref()
            .map_or_else(|| "none".to_owned(), |c| c.as_str().to_owned());
        total.add(state, group.count);
        by_code.entry(code).or_default().add(state, group.count);
        by_provider
            .entry(group.representative.provider_key.clone())
            .or_default()
            .add(state, group.count);
    }
    let status = total.exit_status();
    if ctx.printer.settings.json {
        ctx.printer.json_pretty(&json!({
            "schema_version": 1,
            "summary": {"total": total, "by_code": by_code, "by_provider": by_provider},
        }))?;
        return Ok(status);
    }
    let header = ["", "READY", "BLOCKED", "COOLDOWN", "STOP", "TOTAL"];
    if ctx.printer.settings.terminal {
        let mut rows: Vec<Vec<String>> = by_code.iter().map(|(c, n)| cells(n, c)).collect();
        rows.push(cells(&total, "all"));
        let mut code_header = header;
        code_header[0] = "CODE";
        ctx.printer.table(&code_header, &rows)?;
        let mut rows: Vec<Vec<String>> = by_provider.iter().map(|(p, n)| cells(n, p)).collect();
        rows.push(cells(&total, "all"));
        let mut provider_header = header;
        provider_header[0] = "PROVIDER";
        ctx.printer.table(&provider_header, &rows)?;
    } else {
        let mut rows = Vec::new();
        for (code, n) in &by_code {
            let mut row = vec!["code".to_owned()];
            row.extend(cells(n, code));
            rows.push(row);
        }
        for (provider, n) in &by_provider {
            let mut row = vec!["provider".to_owned()];
            row.extend(cells(n, provider));
            rows.push(row);
        }
        let mut row = vec!["total".to_owned()];
        row.extend(cells(&total, "all"));
        rows.push(row);
        ctx.printer.table(&[], &rows)?;
    }
    if total.total == 0 {
        ctx.printer
            .info("the store is empty; import attempts with `ticket-export import FILE`");
    }
    Ok(status)
}
