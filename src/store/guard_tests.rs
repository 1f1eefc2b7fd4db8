//! The duplicate guard in the store: every writer of a failure code keeps it, a link conflict
//! is recorded for its attempt, and fallback's claims keep runs apart.

use jiff::Timestamp;

use super::*;
use crate::model::{ExportStatus, FailureCode, OwnerKind};

fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

/// Two attempts of two findings at `jira`; `t1` duplicate-blocked with a known ticket URL.
fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .conn
        .execute_batch(
            "INSERT INTO reports (report_id, title, target) VALUES ('r1', 'Scan', 'https://shop.example');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f1', 'xss', 'XSS', 'high', 'https://shop.example/s', 'q', '', '', '', 'open');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f2', 'sqli', 'SQLi', 'high', 'https://shop.example/p', 'id', '', '', '', 'open');
             INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                 provider_error_code, mapping_status, duplicate_fingerprint, idempotency_key, external_ticket_url,
                 created_at, updated_at)
               VALUES ('t1', 'r1', 'f1', 'jira', 'failed', 'TICKET_EXPORT_DUPLICATE_BLOCKED', 'complete', 'fp1:a', 'k1',
                       'https://acme.atlassian.net/browse/SEC-9', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                      ('t2', 'r1', 'f2', 'jira', 'pending', NULL, 'complete', 'fp1:b', 'k2', NULL,
                       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    store
}

fn failure(code: FailureCode, status: Option<u16>) -> FailureRecord {
    FailureRecord {
        export_status: ExportStatus::Failed,
        code,
        http_status: status,
        retry_after: Some(now() + jiff::SignedDuration::from_mins(5)),
        owner: Some((OwnerKind::Cooldown, "x".into())),
        mapping_missing: None,
        action: "retry",
        detail: "update: unavailable (HTTP 503)".into(),
    }
}

#[test]
fn a_delivery_failure_keeps_the_duplicate_guard_and_records_the_answer_beside_it() {
    let mut store = seeded();
    for code in [
        FailureCode::DeliveryFailed,
        FailureCode::ProviderUnavailable,
        FailureCode::ProviderAuthFailed,
        FailureCode::MappingRequired,
    ] {
        let kept = store
            .record_failure("t1", "h", now(), &failure(code.clone(), Some(503)))
            .unwrap();
        assert_eq!(kept, FailureCode::DuplicateBlocked, "{code}");
        let a = store.attempt("t1").unwrap().unwrap();
        assert_eq!(a.provider_error_code, Some(FailureCode::DuplicateBlocked));
        assert_eq!(a.provider_response_code, Some(503));
        assert_eq!(
            a.retry_after,
            Some(now() + jiff::SignedDuration::from_mins(5))
        );
        let last = store.events("t1").unwrap().pop().unwrap();
        assert_eq!(
            last.code.as_deref(),
            Some("TICKET_EXPORT_DUPLICATE_BLOCKED")
        );
        assert!(
            last.detail.contains("HTTP 503")
                && last.detail.contains(&format!("would record {code}")),
            "{}",
            last.detail
        );
    }
    // Without a guard the new code is recorded as before.
    let code = store
        .record_failure(
            "t2",
            "h",
            now(),
            &failure(FailureCode::DeliveryFailed, Some(503)),
        )
        .unwrap();
    assert_eq!(code, FailureCode::DeliveryFailed);
}

#[test]
fn a_sync_failure_keeps_the_duplicate_guard() {
    let mut store = seeded();
    let f = SyncFailure {
        http_status: Some(404),
        retry_after: None,
        outcome: "failed",
        detail: "read: ticket SEC-9 is gone",
        tool_wait: false,
    };
    store.record_sync_failure("t1", "h", now(), &f).unwrap();
    let a = store.attempt("t1").unwrap().unwrap();
    assert_eq!(a.provider_error_code, Some(FailureCode::DuplicateBlocked));
    assert_eq!(a.status_sync_status, Some(crate::model::SyncStatus::Failed));
    assert_eq!(a.provider_response_code, Some(404));
    store.record_sync_failure("t2", "h", now(), &f).unwrap();
    let b = store.attempt("t2").unwrap().unwrap();
    assert_eq!(b.provider_error_code, Some(FailureCode::StatusSyncFailed));
}

#[test]
fn a_portable_failure_never_replaces_a_guard() {
    let store = seeded();
    store
        .conn
        .execute_batch(
            "UPDATE ticket_exports SET provider_error_code = 'TICKET_STATUS_SYNC_FAILED' WHERE ticket_export_id = 't2';",
        )
        .unwrap();
    let mut sel = store.fallback_selection().unwrap();
    sel.add("t1", "r1").unwrap();
    sel.add("t2", "r1").unwrap();
    sel.finish().unwrap();
    store
        .record_fallback_failed("r1", "/out/", "disk full", "dg", "h", now())
        .unwrap();
    let code = |id| store.attempt(id).unwrap().unwrap().provider_error_code;
    assert_eq!(code("t1"), Some(FailureCode::DuplicateBlocked));
    assert_eq!(code("t2"), Some(FailureCode::StatusSyncFailed));
    let last = store.events("t2").unwrap().pop().unwrap();
    assert_eq!(last.code.as_deref(), Some("TICKET_STATUS_SYNC_FAILED"));
    assert!(last.detail.contains("kept"), "{}", last.detail);
}

#[test]
fn a_link_conflict_blocks_that_attempt_and_releases_it() {
    let mut store = seeded();
    let lease = Lease {
        holder: "h".into(),
        until: now() + jiff::SignedDuration::from_mins(5),
    };
    assert!(
        store
            .claim("t1", &lease, now(), "retry", |_, _| false)
            .unwrap()
    );
    let linked = store
        .record_linked(
            "t1",
            "h",
            now(),
            "SEC-9",
            "u9",
            ExportStatus::Linked,
            ExportStatus::Failed,
            "retry",
            "linked",
            "found",
        )
        .unwrap();
    assert_eq!(linked, LinkOutcome::Recorded);
    // t2's lookup "finds" SEC-9, t1's ticket: a conflict, not a store error.
    assert!(
        store
            .claim("t2", &lease, now(), "retry", |_, _| false)
            .unwrap()
    );
    let outcome = store
        .record_linked(
            "t2",
            "h",
            now(),
            "SEC-9",
            "u9",
            ExportStatus::Linked,
            ExportStatus::Uncertain,
            "retry",
            "linked",
            "found",
        )
        .unwrap();
    let LinkOutcome::Conflict { other_attempt, why } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(other_attempt, "t1");
    assert!(why.contains("SEC-9") && why.contains("t1"), "{why}");
    let b = store.attempt("t2").unwrap().unwrap();
    assert_eq!(
        b.export_status,
        ExportStatus::Uncertain,
        "never left in_flight"
    );
    assert_eq!(b.provider_error_code, Some(FailureCode::DuplicateBlocked));
    assert_eq!(b.external_ticket_id, None);
    let owner = b.owner.unwrap();
    assert_eq!(
        (owner.kind, owner.digest.as_str()),
        (OwnerKind::Person, "taken t1 SEC-9")
    );
    assert_eq!(
        store.in_flight_since("t2").unwrap(),
        None,
        "the lease is released"
    );
    assert!(
        store
            .claim("t2", &lease, now(), "retry", |_, _| false)
            .unwrap()
    );
    // The finding already linked to SEC-9 cannot get a second ticket through another attempt.
    store
        .conn
        .execute_batch(
            "INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                 mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
               VALUES ('t3', 'r1', 'f1', 'jira', 'failed', 'complete', 'fp1:a', 'k1', 'x', 'x');",
        )
        .unwrap();
    let link = |store: &mut Store, id: &str, ticket: &str| {
        store
            .record_linked(
                id,
                "h",
                now(),
                ticket,
                "u",
                ExportStatus::Linked,
                ExportStatus::Failed,
                "link",
                "linked",
                "found",
            )
            .unwrap()
    };
    let outcome = link(&mut store, "t3", "SEC-10");
    assert!(
        matches!(&outcome, LinkOutcome::Conflict { why, .. } if why.contains("already linked to the ticket SEC-9 through t1")),
        "{outcome:?}"
    );
    // The link's own attempt may move it (a person linked the ticket they found after a 404).
    assert_eq!(link(&mut store, "t1", "SEC-11"), LinkOutcome::Recorded);
    let now_linked = store.link_for("jira", "fp1:a").unwrap().unwrap();
    assert_eq!(
        (
            now_linked.ticket_export_id.as_str(),
            now_linked.external_ticket_id.as_str()
        ),
        ("t1", "SEC-11")
    );
}

#[test]
fn a_reimport_never_removes_the_duplicate_guard() {
    let store = seeded();
    let set = |code: Option<&str>, status: &str| {
        store
            .conn
            .execute(
                &format!(
                    "INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                        provider_error_code, mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
                     VALUES ('t1', 'r1', 'f1', 'jira', ?1, ?2, 'complete', 'fp1:a', 'k1', 'x', 'x') {}",
                    crate::store::staging::upsert_export_sql()
                ),
                rusqlite::params![status, code],
            )
            .unwrap();
        store.attempt("t1").unwrap().unwrap().provider_error_code
    };
    assert_eq!(
        set(Some("TICKET_EXPORT_DELIVERY_FAILED"), "failed"),
        Some(FailureCode::DuplicateBlocked)
    );
    assert_eq!(set(None, "pending"), Some(FailureCode::DuplicateBlocked));
    assert_eq!(
        set(None, "exported"),
        None,
        "the platform confirmed a ticket"
    );
}

#[test]
fn fallback_claims_skip_held_and_changed_attempts_and_keep_their_own() {
    let store = seeded();
    store
        .conn
        .execute_batch(
            "INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f3', 'x', 'X', 'low', 'u', NULL, '', '', '', 'open');
             INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f4', 'y', 'Y', 'low', 'u', NULL, '', '', '', 'open');
             INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                 mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at, lease_holder, lease_until)
               VALUES ('t3', 'r1', 'f3', 'jira', 'failed', 'complete', 'fp1:c', 'k3', 'x', 'x', 'other', '2099-01-01T00:00:00Z'),
                      ('t4', 'r1', 'f4', 'jira', 'uncertain', 'complete', 'fp1:d', 'k4', 'x', 'x', 'me', '2099-01-01T00:00:00Z'),
                      ('t5', 'r1', 'f4', 'jira', 'failed', 'complete', 'fp1:d', 'k5', 'x', 'x', NULL, NULL),
                      ('t6', 'r1', 'f3', 'jira', 'in_flight', 'complete', 'fp1:e', 'k6', 'x', 'x', 'dead', '2099-01-01T00:00:00Z');",
        )
        .unwrap();
    let mut sel = store.fallback_selection().unwrap();
    for id in ["t2", "t3", "t4", "t5", "t6"] {
        sel.add(id, "r1").unwrap();
    }
    sel.finish().unwrap();
    let until = now() + jiff::SignedDuration::from_mins(5);
    let stale = |holder: &str, _: Timestamp| holder == "dead";
    let left = store
        .claim_fallback_report("r1", "me", until, stale)
        .unwrap();
    let left: Vec<(&str, bool)> = left
        .iter()
        .map(|l| (l.ticket_export_id.as_str(), l.held))
        .collect();
    // t3 is held by a live run; t5 shares t4's finding, held by this same run (it looked t4
    // up first), so t5 is free; t6 was left mid-create by a dead run: its ticket may exist.
    assert_eq!(left, [("t3", true), ("t6", false)]);
    let holder = |id| -> Option<String> {
        store
            .conn
            .query_row(
                "SELECT lease_holder FROM ticket_exports WHERE ticket_export_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(holder("t2").as_deref(), Some("me"));
    assert_eq!(holder("t4").as_deref(), Some("me"));
    assert_eq!(holder("t5").as_deref(), Some("me"));
    assert_eq!(
        holder("t3").as_deref(),
        Some("other"),
        "never taken from a live run"
    );
    store
        .record_fallback_written("r1", "/out/", "/out/r1/SHA256SUMS sha256:aa", "me", now())
        .unwrap();
    for id in ["t2", "t4", "t5"] {
        assert_eq!(holder(id), None, "{id} released with the outcome");
        assert_eq!(
            store.attempt(id).unwrap().unwrap().export_status,
            ExportStatus::FallbackWritten
        );
    }
    assert_ne!(
        store.attempt("t6").unwrap().unwrap().export_status,
        ExportStatus::FallbackWritten,
        "a create that may have landed gets no file"
    );
}
