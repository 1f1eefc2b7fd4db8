//! The fallback SQL on an in-memory store.
use super::*;

fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .conn
        .execute_batch(
            "INSERT INTO reports (report_id, title, target) VALUES ('r2', 'B', 'https://b.example'), ('r1', 'A', 'https://a.example');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f1', 'x', 'T1', 'high', 'u', NULL, 'd', 'e', 'm', 'open'),
                 ('r1', 'f2', 'x', 'T2', 'low', 'u', 'q', 'd', 'e', 'm', 'open'),
                 ('r2', 'f3', 'x', 'T3', 'info', 'u', NULL, 'd', 'e', 'm', 'open');
             INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                 provider_error_code, mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
               VALUES ('t3', 'r2', 'f3', 'p', 'failed', 'TICKET_EXPORT_PROVIDER_UNAVAILABLE', 'complete', 'fp1:c', 'k3', 'x', 'x'),
                      ('t2', 'r1', 'f2', 'p', 'pending', NULL, 'complete', 'fp1:b', 'k2', 'x', 'x'),
                      ('t1', 'r1', 'f1', 'p', 'failed', 'PORTABLE_EXPORT_FAILED', 'complete', 'fp1:a', 'k1', 'x', 'x');",
        )
        .unwrap();
    store
}

fn select(store: &Store, ids: &[(&str, &str)]) {
    let mut sel = store.fallback_selection().unwrap();
    for (id, report) in ids {
        sel.add(id, report).unwrap();
    }
    assert_eq!(sel.finish().unwrap(), ids.len() as u64);
}

fn rows(store: &Store) -> Vec<String> {
    rows_in(store, "/out/")
}

fn rows_in(store: &Store, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = None;
    while let Some(report) = store.next_fallback_report(after.as_deref()).unwrap() {
        store
            .for_each_fallback_row(&report, prefix, |s| {
                out.push(s.ticket_export_id);
                ControlFlow::Continue(())
            })
            .unwrap();
        after = Some(report);
    }
    out
}

#[test]
fn rows_come_by_report_then_id_and_earlier_files_stay_members() {
    let store = seeded();
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    select(&store, &[("t3", "r2"), ("t1", "r1")]);
    assert_eq!(rows(&store), ["t1", "t3"]);
    let value = "/out/r1/SHA256SUMS sha256:aa";
    assert_eq!(
        store
            .record_fallback_written("r1", "/out/", value, "h", now)
            .unwrap(),
        (1, vec!["t1".to_owned()]),
        "t1 became final"
    );
    assert_eq!(
        store
            .record_fallback_written("r1", "/out/", value, "h", now)
            .unwrap(),
        (0, vec![]),
        "rerun changes nothing"
    );
    let t1 = store.attempt("t1").unwrap().unwrap();
    assert_eq!(t1.export_status.as_str(), "fallback_written");
    assert_eq!(
        (t1.provider_error_code, t1.portable_export_path.as_deref()),
        (None, Some(value))
    );
    // A later run for t2 alone still writes t1 into r1's files.
    select(&store, &[("t2", "r1")]);
    assert_eq!(rows(&store), ["t1", "t2"]);
    // The other folder does not count.
    assert_eq!(rows_in(&store, "/elsewhere/"), ["t2"]);
}

#[test]
fn a_failure_marks_only_attempts_without_a_file_here() {
    let store = seeded();
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    select(&store, &[("t1", "r1")]);
    store
        .record_fallback_written("r1", "/out/", "/out/r1/SHA256SUMS sha256:aa", "h", now)
        .unwrap();
    select(&store, &[("t1", "r1"), ("t2", "r1")]);
    assert_eq!(
        store
            .record_fallback_failed("r1", "/out/", "disk full", "dg", "h", now)
            .unwrap(),
        1
    );
    let t2 = store.attempt("t2").unwrap().unwrap();
    assert_eq!(
        t2.provider_error_code.unwrap().as_str(),
        "PORTABLE_EXPORT_FAILED"
    );
    assert_eq!(t2.owner.unwrap().digest, "dg");
    assert_eq!(
        store.attempt("t1").unwrap().unwrap().export_status.as_str(),
        "fallback_written"
    );
    let events = store.events("t2").unwrap();
    assert_eq!(
        (events[0].outcome.as_str(), events[0].detail.as_str()),
        ("failed", "disk full")
    );
}
