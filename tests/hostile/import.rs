//! The import parser against arbitrary bytes, arbitrary JSON and mutations of a valid file:
//! never a panic; a rejection is an `ImportError` whose every problem has a JSON path and a
//! one-line message, and leaves the store byte-for-byte as it was; an acceptance imports exactly
//! the attempts in the file.

mod mutate;
mod regressions;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};
use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::import::{ImportFailure, import};
use ticket_export::store::Store;

use crate::{NOW, cases, one_line};
use mutate::{arb_value, mutated};

/// What the template store holds before every case: one report, finding and linked attempt.
fn seed_doc() -> Value {
    json!({"schema_version": 1, "reports": [{"report_id": "rep_0", "title": "Seed", "target": "https://shop.example",
        "findings": [{"finding_id": "fnd_0", "rule_id": "csrf", "title": "CSRF", "severity": "medium", "url": "https://shop.example/form"}],
        "ticket_exports": [{"ticket_export_id": "tex_0", "finding_id": "fnd_0", "provider_key": "gh", "export_status": "linked",
            "mapping_status": "complete", "external_ticket_id": "99", "external_ticket_url": "https://github.com/acme/shop/issues/99"}]}]})
}

/// The small valid file every mutation starts from.
pub fn base_doc() -> Value {
    json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan", "target": "https://shop.example",
        "findings": [
            {"finding_id": "fnd_1", "rule_id": "xss", "title": "XSS", "severity": "high", "url": "https://shop.example/a?q=1",
             "parameter": "q", "description": "d", "evidence": "e", "remediation": "r", "status": "open"},
            {"finding_id": "fnd_2", "rule_id": "sqli", "title": "SQLi", "severity": "critical", "url": "https://shop.example/b"}],
        "ticket_exports": [
            {"ticket_export_id": "tex_1", "finding_id": "fnd_1", "provider_key": "gh", "export_status": "failed",
             "provider_error_code": "TICKET_EXPORT_DELIVERY_FAILED", "provider_response_code": 503, "mapping_status": "complete",
             "mapping_missing": [], "duplicate_fingerprint": null, "idempotency_key": null, "retry_after": "2026-11-29T10:00:00Z",
             "external_ticket_id": null, "external_ticket_url": null, "status_sync_status": null, "portable_export_path": null},
            {"ticket_export_id": "tex_2", "finding_id": "fnd_2", "provider_key": "gh", "export_status": "linked",
             "mapping_status": "incomplete", "mapping_missing": ["labels"], "external_ticket_id": "7",
             "external_ticket_url": "https://github.com/acme/shop/issues/7", "status_sync_status": "ok"}]}]})
}

fn config() -> Config {
    let text = "[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\n\
                auth = { token_env = \"GH_TOKEN\" }\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n";
    Config::parse(text, Path::new("/tmp/hostile/config.toml")).unwrap()
}

fn ambient() -> Ambient {
    let vars = [("TICKET_EXPORT_NOW".to_owned(), NOW.to_owned())].into();
    Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap()
}

/// A store file holding the seed, closed (checkpointed), copied for every case.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let seed = serde_json::to_vec(&seed_doc()).unwrap();
        import(&mut store, &config(), &ambient(), &seed[..], "seed.json").unwrap();
        (dir, path)
    });
    path
}

/// A fresh copy of the template store, with its own folder and a reading connection.
pub struct Case {
    _dir: tempfile::TempDir,
    pub store: Store,
    reader: rusqlite::Connection,
}

impl Case {
    pub fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite3");
        std::fs::copy(template(), &path).unwrap();
        let store = Store::open(&path).unwrap();
        let reader = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        Case {
            _dir: dir,
            store,
            reader,
        }
    }

    /// Every row of every table (the salt included), in a stable order.
    pub fn dump(&self) -> String {
        let conn = &self.reader;
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut out = String::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap();
            for row in rows {
                out.push_str(&format!("{table}: {}\n", row.unwrap()));
            }
        }
        out
    }

    fn attempt_ids(&self) -> BTreeSet<String> {
        let mut stmt = self
            .reader
            .prepare("SELECT ticket_export_id FROM ticket_exports")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

/// True for `$`, or a path like `reports[0].findings[2].title` or `reports[0]["odd key"]`.
pub fn is_json_path(path: &str) -> bool {
    if path == "$" {
        return true;
    }
    if path.is_empty() {
        return false;
    }
    let mut rest = path;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let digits = inner.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
            if digits > 0 && inner[digits..].starts_with(']') {
                rest = &inner[digits + 1..];
            } else {
                let mut stream = serde_json::Deserializer::from_str(inner).into_iter::<String>();
                match stream.next() {
                    Some(Ok(_)) if inner.starts_with('"') => {
                        let Some(after) = inner[stream.byte_offset()..].strip_prefix(']') else {
                            return false;
                        };
                        rest = after;
                    }
                    _ => return false,
                }
            }
        } else {
            let Some(seg) = (if first {
                Some(rest)
            } else {
                rest.strip_prefix('.')
            }) else {
                return false;
            };
            let end = seg.find(['.', '[']).unwrap_or(seg.len());
            let ident = &seg[..end];
            if ident.is_empty() || !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return false;
            }
            rest = &seg[end..];
        }
        first = false;
    }
    true
}

/// The input as text for a failure message, cut short.
pub fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(3_000).collect()
}

/// Imports `bytes` into a fresh copy of the template and checks every property.
pub fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    thread_local! {
        /// A store that only rejections have touched, so it still equals the template.
        static UNCHANGED: std::cell::RefCell<Option<Case>> = const { std::cell::RefCell::new(None) };
    }
    let mut case = UNCHANGED
        .with(|c| c.borrow_mut().take())
        .unwrap_or_else(Case::new);
    let rejected = check_in(&mut case, bytes)?;
    if rejected {
        UNCHANGED.with(|c| *c.borrow_mut() = Some(case));
    }
    Ok(())
}

/// `check` on a given store; true when the file was refused (and the store is unchanged).
fn check_in(case: &mut Case, bytes: &[u8]) -> Result<bool, TestCaseError> {
    static BEFORE: OnceLock<(String, BTreeSet<String>)> = OnceLock::new();
    let (before, ids_before) = BEFORE.get_or_init(|| {
        let fresh = Case::new();
        (fresh.dump(), fresh.attempt_ids())
    });
    let result = import(
        &mut case.store,
        &config(),
        &ambient(),
        bytes,
        "hostile.json",
    );
    match result {
        Err(ImportFailure::Store(e)) => Err(TestCaseError::fail(format!(
            "a file problem surfaced as a store error: {e}\ninput: {}",
            shown(bytes)
        ))),
        Err(ImportFailure::File(e)) => {
            prop_assert!(!e.problems.is_empty(), "a rejection names its problems");
            for (path, message) in &e.problems {
                prop_assert!(is_json_path(path), "not a JSON path: {path:?} ({message})");
                prop_assert!(
                    !message.trim().is_empty() && one_line(message),
                    "not a one-line message at {path}: {message:?}"
                );
            }
            prop_assert_eq!(&case.dump(), before, "a rejected import changed the store");
            Ok(true)
        }
        Ok(counts) => {
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let doc: Value = serde_json::from_slice(text)
                .map_err(|e| TestCaseError::fail(format!("accepted, but not JSON: {e}")))?;
            let exports: Vec<&Value> = doc["reports"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["ticket_exports"].as_array().into_iter().flatten())
                .collect();
            let total =
                counts.attempts_created + counts.attempts_updated + counts.attempts_unchanged;
            prop_assert_eq!(
                total,
                exports.len() as u64,
                "every attempt in the file is counted"
            );
            let file_ids: BTreeSet<String> = exports
                .iter()
                .map(|e| e["ticket_export_id"].as_str().unwrap().to_owned())
                .collect();
            let expected: BTreeSet<String> = ids_before.union(&file_ids).cloned().collect();
            prop_assert_eq!(
                case.attempt_ids(),
                expected,
                "exactly the file's attempts are added"
            );
            for e in exports {
                let id = e["ticket_export_id"].as_str().unwrap();
                let stored = case.store.attempt(id).unwrap().expect("imported");
                prop_assert_eq!(
                    stored.provider_key.as_str(),
                    e["provider_key"].as_str().unwrap()
                );
                prop_assert_eq!(
                    stored.finding_id.as_str(),
                    e["finding_id"].as_str().unwrap()
                );
                prop_assert_eq!(
                    stored.export_status.as_str(),
                    e["export_status"].as_str().unwrap()
                );
                let retry_after = e["retry_after"]
                    .as_str()
                    .map(|t| t.parse::<jiff::Timestamp>().unwrap())
                    .map(|t| jiff::Timestamp::from_second(t.as_second()).unwrap());
                prop_assert_eq!(stored.retry_after, retry_after, "retry_after of {}", id);
            }
            Ok(false)
        }
    }
}

#[test]
fn the_base_document_imports_and_every_check_holds() {
    check(&serde_json::to_vec(&base_doc()).unwrap()).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(serde_json::to_vec_pretty(&base_doc()).unwrap());
    check(&bom).unwrap();
}

/// The small file cut at every byte: each prefix is refused cleanly.
#[test]
fn truncation_at_every_position_is_refused_cleanly() {
    let full = serde_json::to_vec(&base_doc()).unwrap();
    let mut case = Case::new();
    let before = case.dump();
    for end in 0..full.len() {
        let prefix = &full[..end];
        match import(&mut case.store, &config(), &ambient(), prefix, "cut.json") {
            Err(ImportFailure::File(e)) => {
                for (path, message) in &e.problems {
                    assert!(is_json_path(path), "cut at {end}: {path:?}");
                    assert!(
                        one_line(message) && !message.is_empty(),
                        "cut at {end}: {message:?}"
                    );
                }
            }
            other => panic!("cut at {end} of {}: {other:?}", full.len()),
        }
        assert_eq!(case.dump(), before, "cut at {end} changed the store");
    }
}

#[test]
fn json_path_checker_knows_paths() {
    for ok in [
        "$",
        "schema_version",
        "reports[0].findings[12].title",
        "reports[3]",
        r#"reports[0]["a b"]"#,
        r#"["\n"]"#,
    ] {
        assert!(is_json_path(ok), "{ok}");
    }
    for bad in [
        "",
        "reports[0].",
        "reports[x]",
        "a b",
        "reports[0]..x",
        "reports[0].\n",
        r#"["a"#,
    ] {
        assert!(!is_json_path(bad), "{bad:?}");
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_and_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes)?;
    }

    #[test]
    fn json_shaped_bytes_are_refused_cleanly(bytes in mutate::json_ish_bytes()) {
        check(&bytes)?;
    }

    #[test]
    fn mutations_of_a_valid_file_are_refused_or_imported_exactly(bytes in mutated()) {
        check(&bytes)?;
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn arbitrary_json_values_are_refused_cleanly(value in arb_value()) {
        check(&serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn arbitrary_reports_are_refused_cleanly(reports in prop::collection::vec(arb_value(), 0..3)) {
        check(&serde_json::to_vec(&json!({"schema_version": 1, "reports": reports})).unwrap())?;
    }
}
