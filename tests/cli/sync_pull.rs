//! Pulls settled by a provider's listing are recorded in batches without claims: each remote
//! change is still recorded once, and a link another live run holds is left to that run.

use ticket_export::providers::NormalState;

use crate::sync::{Linked, kinds};

/// How many `pulled` events each attempt has.
fn pulled_events(l: &Linked) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(l.env.store()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT ticket_export_id, count(*) FROM events WHERE action = 'sync' AND outcome = 'pulled'
             GROUP BY ticket_export_id ORDER BY ticket_export_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn two_concurrent_runs_record_each_remote_change_once() {
    // GitHub lists by label, so every pull here is settled by the listing.
    let (key, entry) = kinds().swap_remove(0);
    let l = Linked::new(key, &entry, 30);
    let client = l.client();
    for i in 1..=30 {
        let ticket = l.ticket(&format!("tex_{i:04}"));
        client.write_status(&ticket, NormalState::Done).unwrap();
    }
    l.sim.set_latency(std::time::Duration::from_millis(2));
    let run = || {
        l.env
            .cmd()
            .args(["--json", "sync", "--all"])
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pulled = pulled_events(&l);
    assert_eq!(pulled.len(), 30, "{pulled:?}");
    assert!(pulled.iter().all(|(_, n)| *n == 1), "{pulled:?}");
    let (_, lines) = l.sync(&["--all"]);
    assert!(
        lines
            .iter()
            .filter(|v| v.get("outcome").is_some())
            .all(|v| v["outcome"] == "unchanged"),
        "{lines:?}"
    );
}

#[test]
fn a_link_held_by_another_live_run_is_left_to_it() {
    let (key, entry) = kinds().swap_remove(0);
    let l = Linked::new(key, &entry, 2);
    let client = l.client();
    for id in ["tex_0001", "tex_0002"] {
        client
            .write_status(&l.ticket(id), NormalState::Done)
            .unwrap();
    }
    // A live holder: this test's own process, with a lease far ahead.
    let conn = rusqlite::Connection::open(l.env.store()).unwrap();
    let lease = |holder: Option<String>| {
        conn.execute(
            "UPDATE ticket_exports SET lease_holder = ?1, lease_until = ?2 WHERE ticket_export_id = 'tex_0001'",
            rusqlite::params![holder, holder.as_ref().map(|_| "2999-01-01T00:00:00Z")],
        )
        .unwrap();
    };
    lease(Some(format!("{}:00", std::process::id())));
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(code, Some(0), "{lines:?}");
    let held = lines
        .iter()
        .find(|v| v["ticket_export_id"] == "tex_0001")
        .unwrap();
    assert_eq!(held["outcome"], "skipped", "{lines:?}");
    assert_eq!(held["detail"], "held by another ticket-export run");
    assert_eq!(pulled_events(&l), vec![("tex_0002".to_owned(), 1)]);
    lease(None);
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(
        pulled_events(&l),
        vec![("tex_0001".to_owned(), 1), ("tex_0002".to_owned(), 1)]
    );
}

/// A sync claims a link only to keep two runs apart: it delivers nothing, so the attempt's
/// export status is not its to change. It was set to `in_flight` by the claim and never
/// restored, and `inspect` then called a linked ticket a delivery in flight.
#[test]
fn a_push_leaves_the_export_status_as_it_was() {
    let (key, entry) = crate::sync::kinds().swap_remove(0);
    let l = crate::sync::Linked::new(key, &entry, 1);
    let conn = rusqlite::Connection::open(l.env.store()).unwrap();
    conn.execute("UPDATE ticket_exports SET export_status = 'failed'", [])
        .unwrap();
    l.set_finding_status("resolved");
    let (code, items) = l.sync(&["--all"]);
    assert_eq!(code, Some(0), "{items:?}");
    assert!(items.iter().any(|i| i["outcome"] == "pushed"), "{items:?}");
    let status: String = conn
        .query_row("SELECT export_status FROM ticket_exports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "failed");
}
