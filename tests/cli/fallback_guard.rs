//! `fallback` beside a ticket that may exist: it looks the ticket up first (linking it when
//! found), and it takes the same lease as `retry` and `sync`. Each test checks what the
//! simulator received and what the store and the output folder hold.

use ticket_export::simulator::{Fault, Matcher, Simulator};

use crate::duplicate_guard::{inspect, json_lines, plant_ticket, setup};
use crate::support::Env;

fn uncertain(n: usize) -> (Env, Simulator) {
    setup(n, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, e| {
        e["export_status"] = "uncertain".into();
        e["provider_response_code"] = 504.into();
    })
}

fn report_json(env: &Env) -> Option<serde_json::Value> {
    // The config names no out_dir: the default folder is in the data folder.
    let path = env
        .path()
        .join(".local/share/ticket-export/ticket-exports/rep_1/rep_1.json");
    std::fs::read(path)
        .ok()
        .map(|b| serde_json::from_slice(&b).unwrap())
}

fn ids_in_files(env: &Env) -> Vec<String> {
    report_json(env)
        .map(|doc| {
            doc["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["ticket_export_id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn no_writes(sim: &Simulator) -> bool {
    sim.state().requests.iter().all(|r| r.method == "GET")
}

#[test]
fn an_uncertain_attempt_whose_ticket_exists_is_linked_not_written() {
    let (env, sim) = uncertain(1);
    plant_ticket(&env, &sim, "tex_0001", "41");
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_0001"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        out.contains("found by fingerprint before writing portable files"),
        "{out}"
    );
    assert!(ids_in_files(&env).is_empty(), "no file beside the ticket");
    let doc = inspect(&env, "tex_0001");
    assert_eq!(doc["export_status"], "linked", "{doc}");
    assert_eq!(
        doc["external_ticket_url"],
        "https://github.com/acme/shop/issues/41"
    );
    assert_eq!(doc["portable_export_path"], serde_json::Value::Null);
    assert!(no_writes(&sim), "only the lookup was sent");
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn an_uncertain_attempt_without_a_ticket_is_looked_up_then_written() {
    let (env, sim) = uncertain(2);
    let out = env.run(env.cmd().args(["fallback", "--yes", "--report", "rep_1"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert_eq!(ids_in_files(&env), ["tex_0001", "tex_0002"]);
    assert_eq!(sim.request_count(), 2, "one lookup per uncertain attempt");
    assert!(no_writes(&sim));
    for id in ["tex_0001", "tex_0002"] {
        let doc = inspect(&env, id);
        assert_eq!(doc["export_status"], "fallback_written", "{doc}");
        let outcomes: Vec<&str> = doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes[outcomes.len() - 3..],
            ["intent", "found 0", "written"],
            "{id}"
        );
    }
}

#[test]
fn a_lookup_that_cannot_answer_leaves_the_attempt_out() {
    let (env, sim) = uncertain(1);
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(503, &[], "{}"),
        5,
    );
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_0001"]));
    assert!(out.starts_with("exit: 4\n"), "{out}");
    assert!(out.contains("left out tex_0001"), "{out}");
    assert!(ids_in_files(&env).is_empty());
    let doc = inspect(&env, "tex_0001");
    assert_eq!(doc["export_status"], "uncertain", "still unknown: {doc}");
    assert!(no_writes(&sim));
    // During the wait, not even the lookup is sent again.
    let sent = sim.request_count();
    let again = env.run(env.cmd().args(["fallback", "--yes", "tex_0001"]));
    assert!(again.starts_with("exit: 4\n"), "{again}");
    assert_eq!(sim.request_count(), sent);
}

#[test]
fn a_dry_run_sends_nothing_and_writes_nothing_for_an_uncertain_attempt() {
    let (env, sim) = uncertain(1);
    let before = env.dump();
    let out = env.run(
        env.cmd()
            .args(["fallback", "--yes", "tex_0001", "--dry-run"]),
    );
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        out.contains("a real run looks the ticket up there first"),
        "{out}"
    );
    assert!(out.contains("would write 0 file(s)"), "{out}");
    assert_eq!(sim.request_count(), 0);
    assert_eq!(env.dump(), before);
}

#[test]
fn attempts_another_run_holds_are_left_out() {
    let (env, sim) = setup(3, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {});
    // A live retry (this test process) holds tex_0001 mid-delivery, and another live run holds
    // tex_0002 (looked up before writing, or claimed by its own fallback).
    let holder = format!("{}:00000000deadbeef", std::process::id());
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.execute(
        "UPDATE ticket_exports SET lease_holder = ?1, lease_until = '2999-01-01T00:00:00Z',
             export_status = iif(ticket_export_id = 'tex_0001', 'in_flight', export_status)
          WHERE ticket_export_id IN ('tex_0001', 'tex_0002')",
        [&holder],
    )
    .unwrap();
    drop(conn);
    let out = env
        .cmd()
        .args(["--json", "fallback", "--yes", "--report", "rep_1"])
        .output()
        .unwrap();
    let lines = json_lines(&out);
    for id in ["tex_0001", "tex_0002"] {
        let skipped = lines
            .iter()
            .find(|l| l["record"] == "skipped" && l["ticket_export_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {lines:?}"));
        assert!(
            skipped["why"]
                .as_str()
                .unwrap()
                .contains("held by another ticket-export run"),
            "{skipped}"
        );
    }
    assert_eq!(ids_in_files(&env), ["tex_0003"]);
    assert_eq!(inspect(&env, "tex_0001")["export_status"], "in_flight");
    assert_eq!(inspect(&env, "tex_0002")["export_status"], "failed");
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let holder_of = |id: &str| -> Option<String> {
        conn.query_row(
            "SELECT lease_holder FROM ticket_exports WHERE ticket_export_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    for id in ["tex_0001", "tex_0002"] {
        assert_eq!(
            holder_of(id).as_deref(),
            Some(holder.as_str()),
            "{id}: never taken from a live run"
        );
    }
    assert_eq!(
        holder_of("tex_0003"),
        None,
        "released with the recorded outcome"
    );
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn a_fallback_racing_a_retry_never_leaves_a_ticket_and_a_file_for_one_finding() {
    for round in 0..3 {
        let (env, sim) = setup(40, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {});
        sim.set_latency(std::time::Duration::from_millis(3));
        let (retry, fallback) = std::thread::scope(|s| {
            let retry = s.spawn(|| {
                env.cmd()
                    .args(["--json", "retry", "--all", "--concurrency", "2"])
                    .output()
                    .unwrap()
            });
            let fallback = s.spawn(|| {
                env.cmd()
                    .args(["--json", "fallback", "--yes", "--report", "rep_1"])
                    .output()
                    .unwrap()
            });
            (retry.join().unwrap(), fallback.join().unwrap())
        });
        for out in [&retry, &fallback] {
            assert_ne!(
                out.status.code(),
                Some(1),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let in_files = ids_in_files(&env);
        let mut ticketed = Vec::new();
        for i in 1..=40 {
            let id = format!("tex_{i:04}");
            let doc = inspect(&env, &id);
            assert_ne!(doc["export_status"], "in_flight", "round {round}: {id}");
            if doc["external_ticket_url"].is_string() {
                ticketed.push(id.clone());
            }
            assert!(
                !(ticketed.contains(&id) && in_files.contains(&id)),
                "round {round}: {id} has a ticket and a portable file"
            );
            if in_files.contains(&id) {
                assert_eq!(
                    doc["export_status"], "fallback_written",
                    "round {round}: {id}"
                );
            }
        }
        assert_eq!(sim.state().tickets.len(), ticketed.len(), "round {round}");
    }
}

/// Two attempts of one finding at one destination (one fingerprint): the second is blocked on
/// a 401, the first pending.
fn one_finding_twice() -> (Env, Simulator) {
    setup(2, None, |i, e| {
        e["finding_id"] = "fnd_1".into();
        if i == 1 {
            e["export_status"] = "failed".into();
            e["provider_error_code"] = "PROVIDER_AUTH_FAILED".into();
            e["provider_response_code"] = 401.into();
        }
    })
}

/// Was: `fallback --all-blocked` wrote files for the blocked attempt although the same finding
/// already had a ticket at that destination through the other attempt (found by the chaos
/// crash test): a ticket and a portable file for one finding.
#[test]
fn a_finding_with_a_ticket_through_another_attempt_gets_no_file() {
    let (env, sim) = one_finding_twice();
    let out = env.run(env.cmd().args(["retry", "tex_0001"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert_eq!(sim.state().tickets.len(), 1);
    let out = env.run(env.cmd().args(["fallback", "--all-blocked", "--yes"]));
    assert!(
        out.contains("tex_0002") && out.contains("already has the ticket"),
        "{out}"
    );
    assert!(ids_in_files(&env).is_empty(), "{:?}", ids_in_files(&env));
    assert_ne!(
        inspect(&env, "tex_0002")["export_status"],
        "fallback_written"
    );
}

/// The other order: portable files went out for the finding through one attempt; a retry of
/// the other sends nothing and records those files as its export too.
#[test]
fn a_finding_delivered_as_files_through_another_attempt_is_never_ticketed() {
    let (env, sim) = one_finding_twice();
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_0002"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert_eq!(ids_in_files(&env), ["tex_0002"]);
    let out = env.run(env.cmd().args(["retry", "tex_0001"]));
    assert!(
        out.contains("portable files were written through tex_0002"),
        "{out}"
    );
    assert!(sim.state().tickets.is_empty(), "no ticket beside the files");
    assert!(no_writes(&sim), "nothing but reads was sent");
    let a = inspect(&env, "tex_0001");
    assert_eq!(a["export_status"], "fallback_written", "{a}");
    assert_eq!(
        a["portable_export_path"],
        inspect(&env, "tex_0002")["portable_export_path"]
    );
}
