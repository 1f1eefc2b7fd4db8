//! A sync conflict is a fact of the attempt that triage reads: recorded by a conflicting sync,
//! kept through a failure of another kind, cleared by a successful sync, and a key of the
//! summary's groups (hashed and sorted alike). And a sync records the finding status it
//! confirmed, which an undated import then keeps.

use super::*;
use crate::store::sync::SyncFailure;

fn seed(store: &Store) {
    store
        .conn
        .execute_batch(
            "INSERT INTO reports (report_id, title, target) VALUES ('r1', 'Scan', 'https://shop.example');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status)
               VALUES ('r1', 'f1', 'xss', 'XSS', 'high', 'https://shop.example/s', 'q', '', '', '', 'resolved'),
                      ('r1', 'f2', 'sqli', 'SQLi', 'high', 'https://shop.example/p', 'id', '', '', '', 'resolved');
             INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status, mapping_status,
                 duplicate_fingerprint, idempotency_key, external_ticket_id, created_at, updated_at)
               VALUES ('t1', 'r1', 'f1', 'jira', 'exported', 'complete', 'fp1:a', 'k1', 'SEC-1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      ('t2', 'r1', 'f2', 'jira', 'exported', 'complete', 'fp1:b', 'k2', 'SEC-2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, ticket_export_id, linked_at, last_synced_state)
               VALUES ('jira', 'fp1:a', 'SEC-1', 't1', 'now', 'open|open'), ('jira', 'fp1:b', 'SEC-2', 't2', 'now', 'open|open');",
        )
        .unwrap();
}

fn failure(outcome: &str) -> SyncFailure<'_> {
    SyncFailure {
        http_status: None,
        retry_after: None,
        outcome,
        detail: "x",
        tool_wait: false,
    }
}

fn conflicted(store: &Store, id: &str) -> bool {
    store.attempt(id).unwrap().unwrap().sync_conflict
}

#[test]
fn a_conflict_is_recorded_kept_through_other_failures_and_cleared_by_a_sync() {
    let mut store = Store::open_in_memory().unwrap();
    seed(&store);
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    assert!(!conflicted(&store, "t1"));
    store
        .record_sync_failure("t1", "h", now, &failure("conflict"))
        .unwrap();
    assert!(conflicted(&store, "t1"));
    assert!(!conflicted(&store, "t2"));
    // A failed read later does not make the conflict go away.
    store
        .record_sync_failure("t1", "h", now, &failure("failed"))
        .unwrap();
    assert!(conflicted(&store, "t1"));
    // The summary keeps it apart from a plain sync failure, both ways of grouping alike.
    store
        .record_sync_failure("t2", "h", now, &failure("failed"))
        .unwrap();
    let groups = |hashed: bool| {
        let now = ts_to_sql(now);
        let mut groups = match hashed {
            true => store.hashed_groups_for_tests(&now).unwrap(),
            false => store.sorted_groups_for_tests(&now).unwrap(),
        };
        groups.sort_by_key(|g| g.representative.sync_conflict);
        groups
            .iter()
            .map(|g| (g.representative.sync_conflict, g.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(groups(true), vec![(false, 1), (true, 1)]);
    assert_eq!(groups(false), groups(true));
    // A successful sync clears it, and records the finding status it confirmed.
    store
        .record_synced("t1", "h", now, "done|done", "pushed", "moved")
        .unwrap();
    assert!(!conflicted(&store, "t1"));
    let synced: Option<String> = store
        .conn
        .query_row(
            "SELECT synced_status FROM findings WHERE finding_id = 'f1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(synced.as_deref(), Some("resolved"));
    // A pair whose local side is not the finding's state confirms nothing (a held push).
    store
        .record_synced("t2", "h", now, "open|open", "unchanged", "")
        .unwrap();
    let synced: Option<String> = store
        .conn
        .query_row(
            "SELECT synced_status FROM findings WHERE finding_id = 'f2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(synced, None);
}
