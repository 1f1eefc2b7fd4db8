//! Every route a record can take into the store leaves the same store: written as it streams
//! past, staged and merged by SQL at the end, past the reader's cache, or with indexes set aside.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::*;
use crate::fingerprint::{FingerprintInput, fingerprint};

const DEMO: &str = include_str!("../../examples/demo-report.json");

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

/// Every row of every data table, sorted; events without their ids, which follow the order
/// attempts were written in.
fn dump(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut lines = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let skip = usize::from(table == "events");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((skip..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        lines.extend(rows.map(|row| format!("{table}: {}", row.unwrap())));
    }
    lines.sort();
    lines.join("\n")
}

fn indexes(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.prepare(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| r.get(0))
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The demo report with each report's keys written in `order`.
fn reordered(order: &[&str]) -> String {
    let doc: Value = serde_json::from_str(DEMO).unwrap();
    let reports: Vec<String> = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|report| {
            let fields: Vec<String> = order
                .iter()
                .map(|key| format!("{key:?}:{}", report[key]))
                .collect();
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    format!(
        "{{\"schema_version\":1,\"reports\":[{}]}}",
        reports.join(",")
    )
}

/// A store in its own folder, with the bulk threshold given.
fn store(dir: &tempfile::TempDir, name: &str, bulk_threshold: Option<u64>) -> Store {
    let mut store = Store::open(&dir.path().join(name)).unwrap();
    if let Some(threshold) = bulk_threshold {
        store.set_bulk_threshold(threshold);
    }
    store
}

#[test]
fn every_route_leaves_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = serde_json::to_string(&serde_json::from_str::<Value>(DEMO).unwrap()).unwrap();
    let variants = [
        ("direct", DEMO.to_owned(), None),
        ("direct, indexes set aside", DEMO.to_owned(), Some(1)),
        ("keys sorted: lists before the header", sorted, None),
        (
            "attempts before findings",
            reordered(&["report_id", "title", "target", "ticket_exports", "findings"]),
            Some(1),
        ),
    ];
    let mut first: Option<(ImportCounts, String)> = None;
    for (name, text, bulk) in variants {
        let file = format!("{}.sqlite3", name.replace([' ', ',', ':'], "_"));
        let mut s = store(&dir, &file, bulk);
        let counts = run(&mut s, &text).unwrap();
        drop(s);
        let path = dir.path().join(&file);
        let contents = dump(&path);
        assert_eq!(counts.attempts_created, 20, "{name}");
        assert_eq!(indexes(&path).len(), 7, "{name}: indexes are back");
        match &first {
            None => first = Some((counts, contents)),
            Some((c, d)) => {
                assert_eq!(&counts, c, "{name}: counts");
                assert_eq!(&contents, d, "{name}: store");
            }
        }
        // Whatever route wrote it, any route reads it again as unchanged.
        for again in [
            DEMO.to_owned(),
            reordered(&["findings", "ticket_exports", "target", "title", "report_id"]),
        ] {
            let mut s = store(&dir, &file, Some(1));
            let counts = run(&mut s, &again).unwrap();
            assert_eq!(
                (
                    counts.attempts_unchanged,
                    counts.attempts_created,
                    counts.attempts_updated
                ),
                (20, 0, 0),
                "{name}: re-import"
            );
            assert_eq!(counts.reports + counts.findings, 0, "{name}: re-import");
            drop(s);
            assert_eq!(
                dump(&path),
                first.as_ref().unwrap().1,
                "{name}: re-import changed the store"
            );
        }
    }
}

#[test]
fn an_attempt_of_a_stored_finding_uses_the_stored_target() {
    // The identity of a finding the file does not carry is computed as the store holds it,
    // even when the file moves its report's target; on every route.
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(DEMO).unwrap();
    let report = &mut doc["reports"][0];
    let old_target = report["target"].as_str().unwrap().to_owned();
    let gone = report["findings"].as_array_mut().unwrap().remove(0);
    report["target"] = "https://moved.example".into();
    let mut attempt = report["ticket_exports"][0].clone();
    attempt["ticket_export_id"] = "tex_new".into();
    attempt["finding_id"] = gone["finding_id"].clone();
    attempt["provider_key"] = "jira-sec".into();
    report["ticket_exports"]
        .as_array_mut()
        .unwrap()
        .push(attempt);
    let expected = fingerprint(FingerprintInput {
        rule_id: gone["rule_id"].as_str().unwrap(),
        url: gone["url"].as_str().unwrap(),
        parameter: gone["parameter"].as_str(),
        target: &old_target,
        provider_key: "jira-sec",
    });
    let direct = {
        let mut text = String::from("{\"schema_version\":1,\"reports\":[");
        for (i, r) in doc["reports"].as_array().unwrap().iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let keys = ["report_id", "title", "target", "findings", "ticket_exports"];
            let fields: Vec<String> = keys.iter().map(|k| format!("{k:?}:{}", r[k])).collect();
            text.push_str(&format!("{{{}}}", fields.join(",")));
        }
        text + "]}"
    };
    for (name, text) in [("direct", direct), ("staged", doc.to_string())] {
        let file = format!("{name}.sqlite3");
        let mut s = store(&dir, &file, None);
        run(&mut s, DEMO).unwrap();
        run(&mut s, &text).unwrap();
        let stored = s.attempt("tex_new").unwrap().unwrap();
        assert_eq!(stored.duplicate_fingerprint, expected, "{name}");
    }
}

#[test]
fn a_failing_bulk_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.sqlite3", Some(1));
    let fresh = indexes(&dir.path().join("s.sqlite3"));
    // The duplicate comes last, after every attempt was written and the indexes set aside.
    let mut doc: Value = serde_json::from_str(DEMO).unwrap();
    let last = doc["reports"].as_array().unwrap().len() - 1;
    let first_id = doc["reports"][0]["ticket_exports"][0]["ticket_export_id"].clone();
    let exports = doc["reports"][last]["ticket_exports"]
        .as_array_mut()
        .unwrap();
    let mut again = exports[0].clone();
    again["ticket_export_id"] = first_id;
    exports.push(again);
    let text = reordered_doc(&doc);
    let err = run(&mut s, &text).unwrap_err();
    assert!(
        err.to_string().contains("duplicate ticket_export_id"),
        "{err}"
    );
    drop(s);
    let path = dir.path().join("s.sqlite3");
    assert_eq!(dump(&path), "", "nothing was written");
    assert_eq!(indexes(&path), fresh, "the indexes are all there");
}

/// `doc` written with each report's header first, then its findings, then its attempts.
fn reordered_doc(doc: &Value) -> String {
    let keys = ["report_id", "title", "target", "findings", "ticket_exports"];
    let reports: Vec<String> = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let fields: Vec<String> = keys.iter().map(|k| format!("{k:?}:{}", r[k])).collect();
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    format!(
        "{{\"schema_version\":1,\"reports\":[{}]}}",
        reports.join(",")
    )
}

#[test]
fn a_repeated_header_field_or_list_is_refused_before_or_after_the_lists() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir, "s.sqlite3", None);
    let repeated = "appears more than once in this object";
    let cases = [
        r#"{"schema_version":1,"reports":[{"report_id":"r","title":"t","target":"https://a.example","findings":[],"title":"u"}]}"#,
        r#"{"schema_version":1,"reports":[{"report_id":"r","title":"t","title":"u","target":"https://a.example","findings":[]}]}"#,
        r#"{"schema_version":1,"reports":[{"report_id":"r","title":"t","target":"https://a.example","findings":[],"findings":[]}]}"#,
    ];
    for (text, member) in cases.iter().zip(["title", "title", "findings"]) {
        let err = run(&mut s, text).unwrap_err().to_string();
        assert!(
            err.contains(&format!("reports[0].{member}: {repeated}")),
            "{err}"
        );
    }
    drop(s);
    let conn = rusqlite::Connection::open(dir.path().join("s.sqlite3")).unwrap();
    let reports: i64 = conn
        .query_row("SELECT count(*) FROM reports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reports, 0, "nothing imported");
}

#[test]
fn a_missing_finding_without_identities_is_a_file_problem_on_every_route() {
    // Found on main by tests/hostile (commit 77f09b0): the staged route derived a key from a
    // NULL fingerprint and failed as a store error.
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(DEMO).unwrap();
    doc["reports"][0]["ticket_exports"][0]["finding_id"] = "fnd_404".into();
    for (name, text) in [("direct", reordered_doc(&doc)), ("staged", doc.to_string())] {
        let mut s = store(&dir, &format!("{name}.sqlite3"), None);
        let err = run(&mut s, &text).unwrap_err();
        assert!(matches!(err, ImportFailure::File(_)), "{name}: {err}");
        assert!(
            err.to_string()
                .contains("ticket_exports[0].finding_id: finding \"fnd_404\" is not in"),
            "{name}: {err}"
        );
    }
}

/// Was: a re-import of the platform's file put back `mapping_status: complete` over the fields
/// a failed retry had recorded, which made the attempt ready again with nothing changed. Once
/// this tool recorded an outcome the mapping is its own, on every route.
#[test]
fn a_reimport_keeps_the_mapping_a_failed_retry_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(DEMO).unwrap();
    let attempt = &mut doc["reports"][0]["ticket_exports"][0];
    attempt["provider_error_code"] = "TICKET_EXPORT_MAPPING_REQUIRED".into();
    attempt["mapping_status"] = "complete".into();
    attempt["mapping_missing"] = serde_json::json!([]);
    let id = attempt["ticket_export_id"].as_str().unwrap().to_owned();
    let sorted = serde_json::to_string(&doc).unwrap();
    for (name, text, bulk) in [
        ("direct", reordered_doc(&doc), None),
        ("staged", sorted.clone(), None),
        ("bulk", sorted, Some(1)),
    ] {
        let mut s = store(&dir, &format!("{name}.sqlite3"), bulk);
        run(&mut s, &text).unwrap();
        let now: jiff::Timestamp = "2026-11-29T12:05:00Z".parse().unwrap();
        let failure = crate::store::FailureRecord {
            export_status: crate::model::ExportStatus::Failed,
            code: crate::model::FailureCode::MappingRequired,
            http_status: Some(422),
            retry_after: None,
            owner: None,
            mapping_missing: Some(vec!["milestone".into()]),
            action: "retry",
            detail: "the provider requires fields (milestone)".into(),
        };
        s.record_failure(&id, "nobody", now, &failure).unwrap();
        let counts = run(&mut s, &text).unwrap();
        let stored = s.attempt(&id).unwrap().unwrap();
        assert_eq!(
            stored.mapping_status,
            crate::model::MappingStatus::Incomplete,
            "{name}"
        );
        assert_eq!(stored.mapping_missing, ["milestone"], "{name}");
        assert_eq!(
            counts.attempts_updated, 0,
            "{name}: nothing the platform may change changed"
        );
    }
}
