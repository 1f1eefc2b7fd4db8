//! What every test repeats: a round of runs, a clean settle at the end, and the report.

use std::time::Instant;

use serde_json::Value;

use crate::fleet::Fleet;

/// One round: a settings check where credentials flapped, then `retry --all`, `sync --all`
/// and `fallback --all-blocked`.
/// Returns what the round still found to do (nothing when empty).
pub fn round(fleet: &mut Fleet) -> Vec<Value> {
    fleet.check_settings_where_blocked();
    let retry = fleet.run(&["--json", "retry", "--all"]);
    let sync = fleet.run(&["--json", "sync", "--all"]);
    let fallback = fleet.run(&["--json", "fallback", "--yes", "--all-blocked"]);
    let (retried, synced) = (Fleet::items(&retry), Fleet::items(&sync));
    tally_outcomes(fleet, retried.iter().chain(&synced));
    no_conflict(fleet, &synced);
    let written = fallback_written(fleet, &fallback);
    // Refused and ready (its next step is `sync`) or a stop (the unowned destination): idle.
    let retry_busy = retried.into_iter().filter(|i| {
        !(i["outcome"] == "refused" && (i["state"] == "ready" || i["state"] == "stop"))
    });
    let sync_busy = synced.into_iter().filter(|i| i["outcome"] != "unchanged");
    retry_busy.chain(sync_busy).chain(written).collect()
}

/// Counts what a `fallback --all-blocked` run wrote; its summary when it recorded attempts.
pub fn fallback_written(fleet: &mut Fleet, out: &std::process::Output) -> Option<Value> {
    let summary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["record"] == "summary")?;
    let n = |k: &str| summary[k].as_u64().unwrap_or(0);
    fleet
        .tally
        .add("fallback: files written", n("files_written"));
    fleet.tally.add(
        "fallback: attempts recorded as written",
        n("attempts_recorded"),
    );
    (n("attempts_recorded") > 0).then_some(summary)
}

/// Counts each item's outcome in the tally.
pub fn tally_outcomes<'a>(fleet: &mut Fleet, items: impl Iterator<Item = &'a Value>) {
    for item in items {
        let name = match item["outcome"].as_str().unwrap_or("?") {
            "created" => "outcome: created",
            "linked" => "outcome: linked",
            "updated" => "outcome: updated",
            "refused" => "outcome: refused",
            "skipped" => "outcome: skipped",
            "failed" => "outcome: failed",
            "uncertain" => "outcome: uncertain",
            "cooldown" => "outcome: cooldown",
            "unchanged" => "outcome: unchanged",
            "pulled" => "outcome: pulled",
            "pushed" => "outcome: pushed",
            "converged" => "outcome: converged",
            _ => "outcome: other",
        };
        fleet.tally.add(name, 1);
    }
}

/// Only this tool writes to the tickets here: a conflict would be one of its own making.
pub fn no_conflict(fleet: &mut Fleet, synced: &[Value]) {
    let conflicts: Vec<&Value> = synced
        .iter()
        .filter(|i| i["outcome"] == "conflict")
        .collect();
    assert!(
        conflicts.is_empty(),
        "a conflict of the tool's own making:\n{}",
        history(fleet, &conflicts)
    );
    fleet.tally.add(
        "sync items, none a conflict of the tool's own making",
        synced.len() as u64,
    );
}

/// Chaos off, then rounds until one finds nothing left to do.
pub fn settle(fleet: &mut Fleet) {
    fleet.chaos_off();
    let mut busy = Vec::new();
    for _ in 0..6 {
        fleet.tick(10);
        busy = round(fleet);
        if busy.is_empty() {
            fleet
                .tally
                .add("clean rounds that found nothing left to do", 1);
            return;
        }
    }
    let busy: Vec<&Value> = busy.iter().collect();
    panic!(
        "still work left after six clean rounds:\n{}",
        history(fleet, &busy)
    );
}

/// Items with their attempt's whole history, for a failure message.
pub fn history(fleet: &Fleet, items: &[&Value]) -> String {
    let mut lines = Vec::new();
    for item in items {
        let id = item["ticket_export_id"].as_str().unwrap_or_default();
        let out = fleet.command(&["--json", "inspect", id]).output().unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        lines.push(item.to_string());
        for e in doc["events"].as_array().into_iter().flatten() {
            lines.push(format!(
                "  {} {} {} {} {}",
                e["at"], e["action"], e["outcome"], e["code"], e["detail"]
            ));
        }
    }
    lines.join("\n")
}

/// Prints the tally and what chaos applied.
pub fn report(fleet: &Fleet, test: &str, started: Instant) {
    let mut applied = std::collections::BTreeMap::new();
    let mut requests = 0;
    for s in &fleet.sims {
        let state = s.sim.state();
        requests += state.requests.len();
        for (kind, n) in &state.chaos_applied {
            *applied.entry(kind.as_str()).or_insert(0) += n;
        }
    }
    fleet.tally.print(test, started);
    println!("  requests served: {requests}; faults applied: {applied:?}");
}
