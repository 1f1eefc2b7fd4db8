//! The invariants checked after chaos, kills or concurrent runs, with the counts of what was
//! checked recorded in the fleet's tally.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ticket_export::simulator::{SIM_TOKEN, SimTicket};

use crate::data;
use crate::fleet::Fleet;

const EXPORT_STATUSES: [&str; 8] = [
    "pending",
    "in_flight",
    "exported",
    "linked",
    "failed",
    "uncertain",
    "fallback_written",
    "stopped",
];
const STATES: [&str; 4] = ["ready", "blocked", "cooldown", "stop"];

/// What the store holds about attempts and links.
struct Stored {
    /// provider_key -> every duplicate_fingerprint of its attempts.
    fingerprints: BTreeMap<String, BTreeSet<String>>,
    /// (provider_key, ticket_export_id, external_ticket_id) of every linked attempt.
    linked: Vec<(String, String, String)>,
    /// (provider_key, duplicate_fingerprint, external_ticket_id) of every link.
    links: Vec<(String, String, String)>,
    /// provider_key -> fingerprints delivered as portable files (`fallback`) instead.
    portable: BTreeMap<String, BTreeSet<String>>,
    integrity: String,
}

fn stored(store: &Path) -> Stored {
    let conn = rusqlite::Connection::open(store).unwrap();
    let rows = |sql: &str| -> Vec<(String, String, Option<String>)> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut fingerprints: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, fp, _) in rows("SELECT provider_key, duplicate_fingerprint, NULL FROM ticket_exports")
    {
        fingerprints.entry(key).or_default().insert(fp);
    }
    let linked = rows("SELECT provider_key, ticket_export_id, external_ticket_id FROM ticket_exports WHERE external_ticket_id IS NOT NULL")
        .into_iter()
        .map(|(k, id, t)| (k, id, t.unwrap()))
        .collect();
    let links = rows("SELECT provider_key, duplicate_fingerprint, external_ticket_id FROM links")
        .into_iter()
        .map(|(k, fp, t)| (k, fp, t.unwrap()))
        .collect();
    let mut portable: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (key, fp, _) in rows(
        "SELECT provider_key, duplicate_fingerprint, NULL FROM ticket_exports WHERE export_status = 'fallback_written'",
    ) {
        portable.entry(key).or_default().insert(fp);
    }
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    Stored {
        fingerprints,
        linked,
        links,
        portable,
        integrity,
    }
}

/// The fingerprint a remote ticket carries: the body marker, else the `fp-` label matched
/// against the destination's fingerprints.
fn fingerprint_of(t: &SimTicket, known: &BTreeSet<String>) -> Option<String> {
    const MARKER: &str = "ticket-export:fingerprint=";
    // The last marker: the real one ends the body, after finding text that may quote another.
    for text in [&t.body, &t.title] {
        if let Some(at) = text.rfind(MARKER) {
            let fp: String = text[at + MARKER.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
                .collect();
            return Some(fp);
        }
    }
    let label = t.labels.iter().find_map(|l| l.strip_prefix("fp-"))?;
    known
        .iter()
        .find(|fp| fp.trim_start_matches("fp1:").starts_with(label))
        .cloned()
}

/// The attempts of one fingerprint, as `{"ticket_export_id": ...}` items for a history.
fn attempts_of(store: &Path, fp: &str) -> Vec<serde_json::Value> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare("SELECT ticket_export_id FROM ticket_exports WHERE duplicate_fingerprint = ?1")
        .unwrap();
    stmt.query_map([fp], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|id| serde_json::json!({"ticket_export_id": id.unwrap()}))
        .collect()
}

fn ticket_ids(t: &SimTicket) -> [String; 2] {
    let identifier = t.extra["identifier"].as_str().unwrap_or_default();
    [t.id.clone(), identifier.to_owned()]
}

/// Every invariant. `settled`: after a clean round, so every owned attempt must be delivered
/// and every remote ticket linked (nothing lost).
pub fn check(fleet: &mut Fleet, settled: bool) {
    let imported = fleet.imported_ticket_ids.clone();
    let s = stored(&fleet.store());
    assert_eq!(s.integrity, "ok", "PRAGMA integrity_check");
    fleet.tally.add("store integrity checks", 1);
    let none = BTreeSet::new();
    for sim in &fleet.sims {
        let known = s.fingerprints.get(sim.key).unwrap_or(&none);
        let state = sim.sim.state();
        let mut per: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for t in state.tickets.iter().filter(|t| t.kind == sim.kind) {
            let fp = fingerprint_of(t, known)
                .unwrap_or_else(|| panic!("{}: ticket {} carries no fingerprint", sim.key, t.id));
            assert!(
                known.contains(&fp),
                "{}: ticket {} for an unknown fingerprint {fp}",
                sim.key,
                t.id
            );
            per.entry((t.destination.clone(), fp))
                .or_default()
                .push(t.id.clone());
        }
        for ((dest, fp), ids) in &per {
            if ids.len() > 1 {
                let attempts = attempts_of(&fleet.store(), fp);
                let items: Vec<&serde_json::Value> = attempts.iter().collect();
                panic!(
                    "{}: {} tickets for {fp} in {dest}: {ids:?}\n{}",
                    sim.key,
                    ids.len(),
                    crate::rounds::history(fleet, &items)
                );
            }
        }
        fleet.tally.add(
            "remote tickets, one per fingerprint and destination",
            per.len() as u64,
        );
        creates_recorded(&fleet.store(), &mut fleet.tally, sim.key, &per);
        let find = |id: &str| {
            state
                .tickets
                .iter()
                .find(|t| ticket_ids(t).iter().any(|i| i == id))
        };
        let ours = |ticket: &String| !imported.contains(ticket);
        for (key, tex, ticket) in s.linked.iter().filter(|(k, _, t)| k == sim.key && ours(t)) {
            assert!(
                find(ticket).is_some(),
                "{key}: {tex} is linked to {ticket}, which does not exist"
            );
            fleet.tally.add("linked attempts whose ticket exists", 1);
        }
        for (key, fp, ticket) in s.links.iter().filter(|(k, _, t)| k == sim.key && ours(t)) {
            let t = find(ticket)
                .unwrap_or_else(|| panic!("{key}: link to {ticket} that does not exist"));
            assert_eq!(
                fingerprint_of(t, known).as_ref(),
                Some(fp),
                "{key}: link {ticket} carries another fingerprint"
            );
            fleet
                .tally
                .add("links whose ticket carries their fingerprint", 1);
        }
        if settled {
            let linked: BTreeSet<&str> = s
                .links
                .iter()
                .filter(|(k, _, _)| k == sim.key)
                .map(|(_, _, t)| t.as_str())
                .collect();
            for t in state.tickets.iter().filter(|t| t.kind == sim.kind) {
                if !ticket_ids(t).iter().any(|i| linked.contains(i.as_str())) {
                    let fp = fingerprint_of(t, known).unwrap_or_default();
                    let attempts = attempts_of(&fleet.store(), &fp);
                    let items: Vec<&serde_json::Value> = attempts.iter().collect();
                    panic!(
                        "{}: ticket {} ({fp}) is linked by no attempt\n{}",
                        sim.key,
                        t.id,
                        crate::rounds::history(fleet, &items)
                    );
                }
            }
            let portable = s.portable.get(sim.key).unwrap_or(&none);
            let ticketed: BTreeSet<&String> = per.keys().map(|(_, fp)| fp).collect();
            for fp in portable {
                assert!(
                    !ticketed.contains(fp),
                    "{}: {fp} has a ticket and portable files: duplicate downstream work",
                    sim.key
                );
            }
            assert_eq!(
                per.len() + portable.len(),
                known.len(),
                "{}: one ticket (or portable files) per fingerprint, none lost",
                sim.key
            );
            fleet.tally.add(
                "settled: remote tickets linked, none lost",
                per.len() as u64,
            );
        }
    }
    assert_eq!(
        fleet.unowned.request_count(),
        0,
        "the unowned destination was called"
    );
    decisions(fleet, settled);
    no_secret_in_files(fleet);
}

/// Every ticket a provider holds was asked for by a create this tool recorded: an event on an
/// attempt of its fingerprint for each create sent (`retry`/`created`, or `create` with the
/// outcome uncertain, retrying or failed), lost answers included. A killed run may die between
/// the request and that event; the intent it recorded before any request still accounts for it.
fn creates_recorded(
    store: &Path,
    tally: &mut crate::fleet::Tally,
    key: &str,
    per: &BTreeMap<(String, String), Vec<String>>,
) {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT t.duplicate_fingerprint,
                    sum(e.action = 'create' OR (e.action = 'retry' AND e.outcome = 'created')),
                    sum(e.action = 'retry' AND e.outcome = 'intent')
               FROM events e JOIN ticket_exports t USING (ticket_export_id)
              WHERE t.provider_key = ?1 GROUP BY 1",
        )
        .unwrap();
    let recorded: BTreeMap<String, (i64, i64)> = stmt
        .query_map([key], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let killed = tally.0.contains_key("kills that landed mid-run");
    for ((_, fp), ids) in per {
        let (creates, intents) = recorded.get(fp).copied().unwrap_or_default();
        let tickets = ids.len() as i64;
        assert!(
            intents >= tickets,
            "{key}: {tickets} ticket(s) {ids:?} for {fp}, but only {intents} recorded intent(s)"
        );
        if !killed {
            assert!(
                creates >= tickets,
                "{key}: {tickets} ticket(s) {ids:?} for {fp}, but only {creates} recorded create(s)"
            );
        }
        tally.add(
            "remote tickets whose create was recorded first",
            tickets as u64,
        );
    }
}

/// Every attempt is in a known state and `inspect --json` explains it.
fn decisions(fleet: &mut Fleet, settled: bool) {
    let attempts = fleet.inspect();
    assert!(!attempts.is_empty());
    for a in &attempts {
        let id = a["ticket_export_id"].as_str().unwrap();
        let status = a["export_status"].as_str().unwrap();
        assert!(
            EXPORT_STATUSES.contains(&status),
            "{id}: export_status {status}"
        );
        let d = &a["decision"];
        let state = d["state"].as_str().unwrap();
        assert!(STATES.contains(&state), "{id}: state {state}");
        for field in ["why", "next_step", "reason"] {
            assert!(
                d[field].as_str().is_some_and(|t| !t.trim().is_empty()),
                "{id}: empty {field}: {a}"
            );
        }
        if a["provider_key"] == data::UNOWNED.0 {
            assert_eq!(state, "stop", "{id}: an unowned destination is a stop");
        } else if settled && status == "fallback_written" {
            let path = a["portable_export_path"].as_str().unwrap_or_default();
            assert!(
                !path.is_empty() && state == "ready" && d["action"] == "nothing",
                "{id}: fallback written without its files: {a}"
            );
            fleet
                .tally
                .add("settled: attempts delivered as portable files", 1);
        } else if settled {
            assert!(
                matches!(status, "exported" | "linked")
                    && a["provider_error_code"].is_null()
                    && state == "ready"
                    && d["action"] == "nothing",
                "{id}: not delivered after the clean round: {a}"
            );
        }
    }
    fleet.tally.add(
        "attempts in a known state with a decision, why and next step",
        attempts.len() as u64,
    );
}

/// No file under the test folder (the store and its WAL included) holds the token, except the
/// token file itself.
fn no_secret_in_files(fleet: &mut Fleet) {
    let mut stack = vec![fleet.dir.path().to_owned()];
    let (mut files, mut bytes) = (0, 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().is_some_and(|n| n == "sim.token") {
                continue;
            }
            let Ok(content) = std::fs::read(&path) else {
                continue;
            };
            assert!(
                !content
                    .windows(SIM_TOKEN.len())
                    .any(|w| w == SIM_TOKEN.as_bytes()),
                "the token is in {}",
                path.display()
            );
            files += 1;
            bytes += content.len() as u64;
        }
    }
    fleet.tally.add(
        "files scanned for the token (store and WAL included)",
        files,
    );
    fleet.tally.add("bytes scanned for the token", bytes);
}
