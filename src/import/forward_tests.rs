//! Data only moves forward: an older export never undoes what a newer one (or a sync) recorded,
//! on either route a report can take into the store.

use std::collections::BTreeMap;

use super::*;

fn ambient() -> Ambient {
    Ambient::new(BTreeMap::new(), "2026-11-29T12:00:00Z".parse().unwrap()).unwrap()
}

fn run(store: &mut Store, text: &str) -> Result<ImportCounts, ImportFailure> {
    import(
        store,
        &Config::default(),
        &ambient(),
        text.as_bytes(),
        "t.json",
    )
}

/// One report `r` with the findings `(id, status)`, its header before its findings (written as
/// it streams) or after them (staged and merged at the end).
fn report(
    exported_at: Option<&str>,
    title: &str,
    findings: &[(&str, &str)],
    deferred: bool,
) -> String {
    let findings: Vec<String> = findings
        .iter()
        .map(|(id, status)| {
            format!(
                r#"{{"finding_id":"{id}","rule_id":"xss","title":"XSS","severity":"high","url":"https://a.example/{id}","status":"{status}"}}"#
            )
        })
        .collect();
    let mut header = format!(r#""report_id":"r","title":"{title}","target":"https://a.example""#);
    if let Some(at) = exported_at {
        header.push_str(&format!(r#","exported_at":"{at}""#));
    }
    let lists = format!(r#""findings":[{}],"ticket_exports":[]"#, findings.join(","));
    let body = if deferred {
        format!("{lists},{header}")
    } else {
        format!("{header},{lists}")
    };
    format!(r#"{{"schema_version":1,"reports":[{{{body}}}]}}"#)
}

/// A store in a folder of its own, and a second connection to look into it.
fn open() -> (tempfile::TempDir, Store, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = Store::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    (dir, store, conn)
}

fn status(conn: &rusqlite::Connection, finding: &str) -> String {
    conn.query_row(
        "SELECT status FROM findings WHERE report_id = 'r' AND finding_id = ?1",
        [finding],
        |r| r.get(0),
    )
    .unwrap()
}

fn stored_report(conn: &rusqlite::Connection) -> (String, Option<String>) {
    conn.query_row(
        "SELECT title, exported_at FROM reports WHERE report_id = 'r'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// What a successful sync records for the finding: the status it confirmed with the ticket.
fn synced(conn: &rusqlite::Connection, finding: &str) {
    conn.execute(
        "UPDATE findings SET synced_status = status WHERE report_id = 'r' AND finding_id = ?1",
        [finding],
    )
    .unwrap();
}

const T1: &str = "2026-11-01T00:00:00Z";
const T2: &str = "2026-11-15T00:00:00+01:00";

#[test]
fn an_older_export_changes_none_of_its_reports_findings_and_says_so() {
    for deferred in [false, true] {
        let (_dir, mut store, conn) = open();
        let newer = report(Some(T2), "Newer", &[("f1", "resolved")], deferred);
        let older = report(
            Some(T1),
            "Older",
            &[("f1", "open"), ("f2", "open")],
            deferred,
        );
        assert!(run(&mut store, &newer).unwrap().older_reports.is_empty());
        let counts = run(&mut store, &older).unwrap();
        assert_eq!(
            counts.older_reports,
            vec!["r".to_owned()],
            "deferred: {deferred}"
        );
        assert_eq!(status(&conn, "f1"), "resolved", "deferred: {deferred}");
        // What the store lacked is still added; the stored header and time stay.
        assert_eq!(status(&conn, "f2"), "open");
        assert_eq!(counts.findings, 1);
        assert_eq!(
            stored_report(&conn),
            ("Newer".to_owned(), Some("2026-11-14T23:00:00Z".to_owned()))
        );
    }
}

#[test]
fn an_equal_or_newer_export_stands_even_over_a_synced_close() {
    for deferred in [false, true] {
        let (_dir, mut store, conn) = open();
        run(
            &mut store,
            &report(Some(T1), "A", &[("f1", "resolved")], deferred),
        )
        .unwrap();
        synced(&conn, "f1");
        // The same time again: not older, so it stands (the scanner saw it again).
        let counts = run(
            &mut store,
            &report(Some(T1), "A", &[("f1", "open")], deferred),
        )
        .unwrap();
        assert!(counts.older_reports.is_empty());
        assert_eq!(status(&conn, "f1"), "open", "deferred: {deferred}");
        run(
            &mut store,
            &report(Some(T2), "B", &[("f1", "false_positive")], deferred),
        )
        .unwrap();
        assert_eq!(status(&conn, "f1"), "false_positive");
        assert_eq!(
            stored_report(&conn).1.as_deref(),
            Some("2026-11-14T23:00:00Z")
        );
    }
}

#[test]
fn an_undated_export_never_moves_a_closed_status_a_sync_confirmed() {
    for deferred in [false, true] {
        let (_dir, mut store, conn) = open();
        run(
            &mut store,
            &report(None, "A", &[("f1", "open"), ("f2", "open")], deferred),
        )
        .unwrap();
        synced(&conn, "f1");
        synced(&conn, "f2");
        // Open to closed after a sync confirmed open: the usual way forward, allowed.
        let closes = report(
            None,
            "B",
            &[("f1", "resolved"), ("f2", "resolved")],
            deferred,
        );
        run(&mut store, &closes).unwrap();
        assert_eq!(status(&conn, "f1"), "resolved", "deferred: {deferred}");
        // A sync confirms f1's close; f2's is not confirmed yet.
        synced(&conn, "f1");
        let counts = run(
            &mut store,
            &report(None, "A", &[("f1", "open"), ("f2", "open")], deferred),
        )
        .unwrap();
        assert_eq!(status(&conn, "f1"), "resolved", "deferred: {deferred}");
        assert_eq!(status(&conn, "f2"), "open", "deferred: {deferred}");
        assert_eq!(counts.findings, 1, "only f2 was written");
        // An undated import keeps the stored time.
        run(
            &mut store,
            &report(Some(T1), "A", &[("f1", "resolved")], deferred),
        )
        .unwrap();
        run(
            &mut store,
            &report(None, "A", &[("f1", "resolved")], deferred),
        )
        .unwrap();
        assert_eq!(stored_report(&conn).1.as_deref(), Some(T1));
    }
}

#[test]
fn exported_at_after_the_findings_is_refused_with_its_path() {
    let (_dir, mut store, _conn) = open();
    let text = r#"{"schema_version":1,"reports":[{"report_id":"r","title":"t","target":"https://a.example",
        "findings":[],"exported_at":"2026-11-01T00:00:00Z"}]}"#;
    let err = run(&mut store, text).unwrap_err().to_string();
    assert!(err.contains("reports[0].exported_at"), "{err}");
    assert!(err.contains("before \"findings\""), "{err}");
    let bad = r#"{"schema_version":1,"reports":[{"report_id":"r","exported_at":"yesterday","title":"t",
        "target":"https://a.example","findings":[]}]}"#;
    let err = run(&mut store, bad).unwrap_err().to_string();
    assert!(
        err.contains("reports[0].exported_at") && err.contains("RFC 3339"),
        "{err}"
    );
}
