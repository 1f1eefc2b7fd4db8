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
use crate::model::State;
use crate::store::Store;

/// What `inspect --summary` counts: every attempt, or those of a report, provider, failure
/// code (`none` for none) or triage state.
#[derive(Debug, Default)]
pub struct SummaryFilter {
    pub report: Option<String>,
    pub provider: Option<String>,
    pub code: Option<String>,
    pub state: Option<State>,
}

impl SummaryFilter {
    fn is_empty(&self) -> bool {
        self.report.is_none()
            && self.provider.is_none()
            && self.code.is_none()
            && self.state.is_none()
    }
}

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
    filter: &SummaryFilter,
) -> anyhow::Result<ExitStatus> {
    let mut total = StateCounts::default();
    let mut by_code: BTreeMap<String, StateCounts> = BTreeMap::new();
    let mut by_provider: BTreeMap<String, StateCounts> = BTreeMap::new();
    // Groups split by report only when a report is asked for: its representative then names it.
    let groups = match filter.report {
        Some(_) => store.report_summary_groups(ctx.ambient.now())?,
        None => store.summary_groups(ctx.ambient.now())?,
    };
    for group in groups {
        let a = &group.representative;
        let code = a
            .provider_error_code
            .as_ref()
            .map_or_else(|| "none".to_owned(), |c| c.as_str().to_owned());
        if filter.report.as_ref().is_some_and(|r| *r != a.report_id)
            || filter
                .provider
                .as_ref()
                .is_some_and(|p| *p != a.provider_key)
            || filter.code.as_ref().is_some_and(|c| *c != code)
        {
            continue;
        }
        let state = assessor.decide(a).state;
        if filter.state.is_some_and(|s| s != state) {
            continue;
        }
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
    if total.total == 0 && filter.is_empty() {
        ctx.printer
            .info("the store is empty; import attempts with `ticket-export import FILE`");
    } else if total.total == 0 {
        ctx.printer
            .info("no attempts match; drop a filter, or list them with `ticket-export inspect`");
    }
    Ok(status)
}
