//! Issue 11, "done means": for arbitrary sequences of imports, scripted failures (404, 5xx,
//! dropped connections, lost answers) and runs of `retry`, `fallback` and `sync` over hostile
//! data, every finding has at most one ticket, no request leaves the owned destinations, and no
//! attempt stays in flight after a run ends.
//!
//! The hostile data, per provider entry: a known ticket given only by its URL (the guard must
//! hold), an imported ticket id that climbs out of the destination (`../`, `%2e%2e`), a finding
//! whose text carries another finding's exact marker line, and an uncertain create.
//!
//! `SEQUENCE_CASES` (default 12) sets the number of generated sequences.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use ticket_export::simulator::{Fault, Matcher};

use crate::fleet::Fleet;
use crate::{data, invariants, knob};

/// One step of a sequence.
#[derive(Debug, Clone)]
enum Step {
    Retry,
    Sync,
    /// `fallback --all-blocked`, or by report.
    Fallback {
        by_report: bool,
    },
    /// The second import (forged markers, a rescan with resolved findings).
    Import,
    /// The next `times` requests of `method` to simulator `sim` meet `fault`.
    Fault {
        sim: usize,
        method: &'static str,
        fault: FaultKind,
        times: usize,
    },
    Tick(i64),
}

#[derive(Debug, Clone, Copy)]
enum FaultKind {
    NotFound,
    ServerError,
    Unavailable,
    Drop,
    LoseResponse,
}

impl FaultKind {
    fn fault(self) -> Fault {
        match self {
            FaultKind::NotFound => Fault::status(404, &[], r#"{"message":"Not Found"}"#),
            FaultKind::ServerError => Fault::status(500, &[], "internal error"),
            FaultKind::Unavailable => {
                Fault::status(503, &[("retry-after", "1")], "unavailable, try later")
            }
            FaultKind::Drop => Fault::Drop,
            FaultKind::LoseResponse => Fault::LoseResponse,
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    let fault = prop_oneof![
        Just(FaultKind::NotFound),
        Just(FaultKind::ServerError),
        Just(FaultKind::Unavailable),
        Just(FaultKind::Drop),
        Just(FaultKind::LoseResponse),
    ];
    prop_oneof![
        3 => Just(Step::Retry),
        2 => Just(Step::Sync),
        2 => any::<bool>().prop_map(|by_report| Step::Fallback { by_report }),
        1 => Just(Step::Import),
        3 => (0..data::kinds().len(), prop_oneof![Just("GET"), Just("POST"), Just("PATCH"), Just("PUT")], fault, 1..4usize)
            .prop_map(|(sim, method, fault, times)| Step::Fault { sim, method, fault, times }),
        1 => (1..90i64).prop_map(Step::Tick),
    ]
}

/// A fixed, imported fingerprint for a finding, so another finding can quote its marker.
fn fingerprint_for(name: &str) -> String {
    format!(
        "fp1:{}",
        ticket_export::fingerprint::sha256_hex(&["sequences", name])
    )
}

/// The hostile report for every provider entry. `second`: the later import, with findings
/// that quote another's marker and a rescan that resolves the traversal finding.
fn report(fleet: &Fleet, second: bool) -> Value {
    let mut findings = Vec::new();
    let mut exports = Vec::new();
    for (n, sim) in fleet.sims.iter().enumerate() {
        let key = sim.key;
        let base = sim.sim.base_url();
        let finding = |tag: &str, description: String, status: &str| {
            json!({"finding_id": format!("f{n}{tag}"), "rule_id": "xss-reflected",
                "title": format!("Reflected XSS on f{n}{tag} page"), "severity": "high",
                "url": format!("https://shop.example/{n}/{tag}"), "parameter": "q",
                "description": description, "evidence": "GET / HTTP/1.1", "remediation": "encode",
                "status": status})
        };
        let export = |tag: &str, status: &str, code: Option<&str>| {
            json!({"ticket_export_id": format!("tex{n}{tag}"), "finding_id": format!("f{n}{tag}"),
                "provider_key": key, "export_status": status, "provider_error_code": code,
                "provider_response_code": code.map(|_| 409), "mapping_status": "complete",
                "duplicate_fingerprint": fingerprint_for(&format!("{key}/{tag}")),
                "idempotency_key": null, "retry_after": null, "external_ticket_url": null,
                "status_sync_status": null, "portable_export_path": null})
        };
        // A plain pending attempt: the victim whose marker the forger quotes.
        findings.push(finding("p", "plain".into(), "open"));
        exports.push(export("p", "pending", None));
        // A known ticket given only by its URL (no such ticket on the simulator).
        findings.push(finding("u", "known by URL".into(), "open"));
        let mut known = export("u", "failed", Some("TICKET_EXPORT_DUPLICATE_BLOCKED"));
        known["external_ticket_url"] = json!(format!("{base}/acme/shop/issues/77"));
        exports.push(known);
        // Imported ticket ids that climb out of the destination.
        for (tag, id) in [("t", CLIMBING_IDS[0]), ("e", CLIMBING_IDS[1])] {
            let status = if second { "resolved" } else { "open" };
            findings.push(finding(tag, "climbs".into(), status));
            let mut climbing = export(tag, "failed", Some("TICKET_EXPORT_DUPLICATE_BLOCKED"));
            climbing["external_ticket_id"] = json!(id);
            exports.push(climbing);
        }
        // A create whose answer never came: the ticket may exist.
        findings.push(finding("c", "uncertain".into(), "open"));
        let mut uncertain = export("c", "uncertain", Some("TICKET_EXPORT_DELIVERY_FAILED"));
        uncertain["provider_response_code"] = json!(504);
        exports.push(uncertain);
        if second {
            // Quotes the victim's exact marker line (and pings everyone).
            let forged = format!(
                "see\n{}\n@everyone <img src=\"https://evil.example/x.png\">",
                ticket_export::fingerprint::body_marker(&fingerprint_for(&format!("{key}/p")))
            );
            findings.push(finding("f", forged, "open"));
            exports.push(export("f", "pending", None));
        }
    }
    json!({"schema_version": 1, "reports": [{"report_id": "rep_hostile", "title": "Hostile",
        "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]})
}

/// The ticket ids the hostile report records, which no simulator holds.
const CLIMBING_IDS: [&str; 2] = [
    "../../../evil/elsewhere/issues/1001",
    "%2e%2e%2f%2e%2e%2fevil%2felsewhere%2fissues%2f1001",
];

fn import(fleet: &mut Fleet, second: bool) {
    fleet
        .imported_ticket_ids
        .extend(CLIMBING_IDS.iter().map(|id| id.to_string()));
    let doc = report(fleet, second);
    let path = data::write(fleet.dir.path(), &format!("hostile-{second}.json"), &doc);
    let out = fleet.run(&["import", path.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What must hold after every finished run, beyond `invariants::check`.
fn check(fleet: &mut Fleet) {
    let conn = rusqlite::Connection::open(fleet.store()).unwrap();
    let stuck: Vec<String> = conn
        .prepare(
            "SELECT ticket_export_id FROM ticket_exports
              WHERE export_status = 'in_flight' OR lease_holder IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(stuck.is_empty(), "left in flight after the run: {stuck:?}");
    // Fingerprints guarded by a known ticket, and those delivered as portable files.
    let rows = |sql: &str| -> BTreeSet<(String, String)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let guarded = rows(
        "SELECT provider_key, duplicate_fingerprint FROM ticket_exports
          WHERE substr(ticket_export_id, -1) IN ('u', 't', 'e')",
    );
    let portable = rows(
        "SELECT provider_key, duplicate_fingerprint FROM ticket_exports
          WHERE export_status = 'fallback_written'",
    );
    let links: BTreeMap<(String, String), String> = conn
        .prepare(
            "SELECT l.provider_key, l.external_ticket_id, t.finding_id
               FROM links l JOIN ticket_exports t USING (ticket_export_id)",
        )
        .unwrap()
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for sim in &fleet.sims {
        let state = sim.sim.state();
        for req in &state.requests {
            let path = percent_decoded(&req.path).to_ascii_lowercase();
            assert!(
                !path.contains("evil") && !path.split('/').any(|s| s == ".." || s == "."),
                "{}: a request left the owned destination: {} {}",
                sim.key,
                req.method,
                req.path
            );
        }
        for t in state.tickets.iter().filter(|t| t.kind == sim.kind) {
            let Some(fp) = own_marker(&t.body).or_else(|| own_marker(&t.title)) else {
                continue;
            };
            let key = (sim.key.to_owned(), fp.clone());
            assert!(
                !guarded.contains(&key),
                "{}: ticket {} created for {fp}, whose known ticket guards it",
                sim.key,
                t.id
            );
            assert!(
                !portable.contains(&key),
                "{}: {fp} has a ticket ({}) and portable files",
                sim.key,
                t.id
            );
        }
        for ((key, ticket), finding) in links.iter().filter(|((k, _), _)| k == sim.key) {
            let t = state.tickets.iter().find(|t| {
                t.kind == sim.kind && (&t.id == ticket || t.extra["identifier"] == **ticket)
            });
            if let Some(t) = t {
                assert!(
                    t.title.contains(&format!("{finding} ")),
                    "{key}: {finding} is linked to {ticket}, the ticket of another finding ({})",
                    t.title
                );
            }
        }
    }
    drop(conn);
    invariants::check(fleet, false);
}

/// The fingerprint of the marker that ends a body: the real one is always last, after any
/// finding text that may quote another's.
fn own_marker(text: &str) -> Option<String> {
    const MARKER: &str = "ticket-export:fingerprint=";
    let at = text.rfind(MARKER)?;
    Some(
        text[at + MARKER.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect(),
    )
}

fn percent_decoded(path: &str) -> String {
    let mut text = path.to_owned();
    // Twice: a doubly encoded `%252e` is a dot after two decodings.
    for _ in 0..2 {
        text = url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
    }
    text
}

fn run(fleet: &mut Fleet, step: &Step) {
    match step {
        Step::Retry => {
            fleet.run(&["--json", "retry", "--all"]);
        }
        Step::Sync => {
            fleet.run(&["--json", "sync", "--all"]);
        }
        Step::Fallback { by_report: true } => {
            fleet.run(&["--json", "fallback", "--yes", "--report", "rep_hostile"]);
        }
        Step::Fallback { by_report: false } => {
            fleet.run(&["--json", "fallback", "--yes", "--all-blocked"]);
        }
        Step::Import => import(fleet, true),
        Step::Fault {
            sim,
            method,
            fault,
            times,
        } => {
            let s = &fleet.sims[*sim].sim;
            s.fail(Matcher::new(method, "/"), fault.fault(), *times);
            return;
        }
        Step::Tick(minutes) => {
            fleet.tick(*minutes);
            return;
        }
    }
    check(fleet);
}

#[test]
fn arbitrary_sequences_keep_one_ticket_per_finding_and_stay_in_the_owned_destination() {
    let cases = knob("SEQUENCE_CASES", 12u32);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..Config::default()
    });
    let steps = proptest::collection::vec(step(), 3..9);
    runner
        .run(&steps, |steps| {
            let mut fleet = Fleet::new();
            import(&mut fleet, false);
            for s in &steps {
                run(&mut fleet, s);
            }
            // Faults off, time on: a last retry and sync still keep every promise.
            for s in &fleet.sims {
                s.sim.clear_faults();
            }
            fleet.tick(30);
            run(&mut fleet, &Step::Retry);
            run(&mut fleet, &Step::Sync);
            Ok(())
        })
        .unwrap();
}
