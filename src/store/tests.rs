use super::*;
use crate::store::events::Event;

fn event(action: &str) -> Event {
    Event {
        at: None,
        action: action.into(),
        outcome: "ok".into(),
        code: None,
        http_status: None,
        detail: String::new(),
    }
}

fn seed(store: &Store) {
    store
        .conn
        .execute_batch(
            "INSERT INTO reports (report_id, title, target) VALUES ('r1', 'Scan', 'https://shop.example');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f1', 'xss', 'XSS', 'high', 'https://shop.example/s', 'q', '', '', '', 'open');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f2', 'sqli', 'SQLi', 'high', 'https://shop.example/p', 'id', '', '', '', 'open');
             INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status, mapping_status,
                 duplicate_fingerprint, idempotency_key, created_at, updated_at)
               VALUES ('t1', 'r1', 'f1', 'jira', 'failed', 'complete', 'fp1:a', 'k1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      ('t2', 'r1', 'f2', 'jira', 'failed', 'complete', 'fp1:b', 'k2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
}

#[test]
fn migrating_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    seed(&store);
    drop(store);
    let mut store = Store::open(&path).unwrap();
    store.migrate().unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(
        store.attempt("t1").unwrap().is_some(),
        "data survives reopening"
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn links_are_unique_per_fingerprint_and_per_ticket() {
    let store = Store::open_in_memory().unwrap();
    seed(&store);
    let link = |fp: &str, ticket: &str, tex: &str| {
        store.conn.execute(
            "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, ticket_export_id, linked_at)
             VALUES ('jira', ?1, ?2, ?3, 'now')",
            [fp, ticket, tex],
        )
    };
    link("fp1:a", "SEC-1", "t1").unwrap();
    assert!(
        link("fp1:a", "SEC-2", "t1").is_err(),
        "second ticket for one fingerprint"
    );
    assert!(
        link("fp1:b", "SEC-1", "t2").is_err(),
        "one ticket for two fingerprints"
    );
    link("fp1:b", "SEC-2", "t2").unwrap();
}

#[test]
fn events_are_append_only() {
    let store = Store::open_in_memory().unwrap();
    seed(&store);
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    store.append_event("t1", at, &event("import")).unwrap();
    store.append_event("t1", at, &event("retry")).unwrap();
    let events = store.events("t1").unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["import", "retry"]
    );
    assert_eq!(events[0].at, Some(at));
    let err = store
        .conn
        .execute("UPDATE events SET outcome = 'x'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(store.conn.execute("DELETE FROM events", []).is_err());
}

#[test]
fn foreign_keys_hold() {
    let store = Store::open_in_memory().unwrap();
    seed(&store);
    let err = store
        .conn
        .execute(
            "INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status, mapping_status,
                 duplicate_fingerprint, idempotency_key, created_at, updated_at)
             VALUES ('t9', 'r1', 'missing', 'jira', 'failed', 'complete', 'fp', 'k', 'now', 'now')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let original = b"these are my notes, not a database\n".repeat(100);
    std::fs::write(&path, &original).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert!(err.to_string().contains("was not modified"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), original);
    assert!(!dir.path().join("notes.txt-wal").exists());
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().expect("must refuse");
    assert!(
        err.to_string().contains("not one written by ticket-export"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_store_from_a_newer_version_names_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&path).err().expect("must refuse").to_string();
    assert!(err.contains("store schema version 99"), "{err}");
    assert!(
        err.contains(&format!("understands up to {SCHEMA_VERSION}")),
        "{err}"
    );
}

#[test]
fn readers_are_not_blocked_by_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let mut writer = Store::open(&path).unwrap();
    seed(&writer);
    let tx = writer
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute(
        "UPDATE ticket_exports SET export_status = 'exported' WHERE ticket_export_id = 't1'",
        [],
    )
    .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let reader = Store::open(&path).unwrap();
                reader.attempt("t1").unwrap().unwrap().export_status
            })
        })
        .collect();
    for h in handles {
        // Readers see the last committed state while the write is open.
        assert_eq!(h.join().unwrap(), crate::model::ExportStatus::Failed);
    }
    tx.commit().unwrap();
    let reader = Store::open(&path).unwrap();
    assert_eq!(
        reader.attempt("t1").unwrap().unwrap().export_status,
        crate::model::ExportStatus::Exported
    );
}

#[test]
fn salt_is_created_once() {
    let store = Store::open_in_memory().unwrap();
    let salt = store.salt().unwrap();
    assert_eq!(salt.len(), 32);
    assert_eq!(store.salt().unwrap(), salt);
}

#[test]
fn timestamps_sort_as_text() {
    let a = ts_to_sql("2026-11-29T09:59:59.9Z".parse().unwrap());
    let b = ts_to_sql("2026-11-29T10:00:00Z".parse().unwrap());
    assert!(a < b, "{a} < {b}");
    assert_eq!(
        ts_from_sql(&b),
        Some("2026-11-29T10:00:00Z".parse().unwrap())
    );
}

/// A batch of listed syncs applies each only to a link still as it was read: one another run
/// synced meanwhile is handed back, and nothing of it is written.
#[test]
fn listed_syncs_apply_only_to_links_still_as_read() {
    let mut store = Store::open_in_memory().unwrap();
    seed(&store);
    store
        .conn
        .execute_batch(
            "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, ticket_export_id, linked_at, last_synced_state)
             VALUES ('jira', 'fp1:a', 'SEC-1', 't1', 'now', 'open|open'), ('jira', 'fp1:b', 'SEC-2', 't2', 'now', 'open|open');
             UPDATE links SET last_synced_state = 'open|done' WHERE ticket_export_id = 't2';",
        )
        .unwrap();
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let listed = |id| ListedSync {
        id,
        last_synced: Some("open|open"),
        push_target: None,
        synced: "open|done",
        outcome: "pulled",
        detail: "the ticket is closed",
    };
    let outcomes = store
        .record_listed(
            &[listed("t1"), listed("t2"), listed("t9")],
            "me:1",
            at,
            |_, _| false,
        )
        .unwrap();
    assert_eq!(
        outcomes,
        [
            ListedOutcome::Recorded,
            ListedOutcome::Changed,
            ListedOutcome::Changed
        ]
    );
    assert_eq!(
        store.last_synced("t1").unwrap().0.as_deref(),
        Some("open|done")
    );
    let pulled = |id| {
        store
            .events(id)
            .unwrap()
            .iter()
            .filter(|e| e.outcome == "pulled")
            .count()
    };
    assert_eq!((pulled("t1"), pulled("t2")), (1, 0));
}
