//! Candidates for shell completion: attempt ids, report ids and provider keys that start with
//! what the person has typed.
//!
//! A completion runs on every TAB, so it must be quick and harmless: it opens an existing store
//! for reading only (never creating, migrating or locking it), and each listing is one query
//! that seeks the prefix in an index and stops at a limit, whatever the size of the store.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use crate::error::{SqlContext, StoreError};

/// One value a shell may offer, with a short description for the shells that show one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: Option<String>,
}

/// A store opened for completion only.
pub struct CompletionStore {
    conn: Connection,
}

impl CompletionStore {
    /// Opens the store at `path` for reading. `None` when there is no file, or when it is not a
    /// ticket-export store: completion offers nothing then, and says nothing.
    pub fn open(path: &Path) -> Result<Option<CompletionStore>, StoreError> {
        if !path.is_file() {
            return Ok(None);
        }
        // READ_ONLY without CREATE: a missing file stays missing and nothing is written.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        // A TAB must not hang behind a writer; readers rarely wait in WAL mode anyway.
        conn.busy_timeout(std::time::Duration::from_millis(200))
            .doing("setting the busy timeout")?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .doing("reading the schema version")?;
        Ok((version > 0).then_some(CompletionStore { conn }))
    }

    /// Attempt ids starting with `prefix`, in id order, with their provider, report and status.
    pub fn attempt_ids(&self, prefix: &str, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        self.candidates(&attempt_sql(prefix), prefix, limit, |r| {
            let (provider, report, status): (String, String, String) =
                (r.get(1)?, r.get(2)?, r.get(3)?);
            Ok(format!("{status}, {provider}, {report}"))
        })
    }

    /// Report ids starting with `prefix`, in id order, with their titles.
    pub fn report_ids(&self, prefix: &str, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        self.candidates(&report_sql(prefix), prefix, limit, |r| r.get(1))
    }

    /// The distinct provider keys of the store's attempts starting with `prefix`.
    pub fn provider_keys(&self, prefix: &str, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        self.candidates(&provider_sql(prefix), prefix, limit, |_| Ok(String::new()))
            .map(|found| {
                found
                    .into_iter()
                    .map(|c| Candidate {
                        help: Some("has attempts in the store".into()),
                        ..c
                    })
                    .collect()
            })
    }

    fn candidates(
        &self,
        sql: &str,
        prefix: &str,
        limit: usize,
        help: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(sql)
            .doing("preparing a completion listing")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![prefix, prefix_end(prefix), limit], |r| {
                let help = help(r)?;
                Ok(Candidate {
                    value: r.get(0)?,
                    help: (!help.is_empty()).then_some(help),
                })
            })
            .doing("listing completion candidates")?;
        rows.collect::<Result<_, _>>()
            .doing("listing completion candidates")
    }

    /// The query plan of a listing, for the test that keeps each one an index seek.
    #[cfg(test)]
    pub(crate) fn plan(&self, sql: &str, prefix: &str) -> Vec<String> {
        let mut stmt = self
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        stmt.query_map(params![prefix, prefix_end(prefix), 10], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

fn attempt_sql(prefix: &str) -> String {
    format!(
        "SELECT ticket_export_id, provider_key, report_id, export_status
         FROM ticket_exports WHERE {} ORDER BY ticket_export_id LIMIT ?3",
        range("ticket_export_id", prefix)
    )
}

fn report_sql(prefix: &str) -> String {
    format!(
        "SELECT report_id, title FROM reports WHERE {} ORDER BY report_id LIMIT ?3",
        range("report_id", prefix)
    )
}

/// Each step of the recursion is one seek in `ticket_exports_by_provider` to the next larger
/// key, so the cost grows with the number of keys returned, not with the number of attempts
/// (`SELECT DISTINCT` would read every attempt's index entry).
fn provider_sql(prefix: &str) -> String {
    let within = range("provider_key", prefix);
    format!(
        "WITH RECURSIVE keys(key) AS (
             SELECT (SELECT min(provider_key) FROM ticket_exports WHERE {within})
             UNION ALL
             SELECT (SELECT min(provider_key) FROM ticket_exports
                     WHERE provider_key > keys.key AND {within})
             FROM keys WHERE keys.key IS NOT NULL
             LIMIT ?3 + 1
         )
         SELECT key FROM keys WHERE key IS NOT NULL LIMIT ?3"
    )
}

/// The condition "`column` starts with ?1" as a range an index can seek: `?1 <= column < ?2`,
/// where ?2 is [`prefix_end`]. `LIKE` would not use the index (it ignores case) and `GLOB`
/// would need the prefix escaped.
fn range(column: &str, prefix: &str) -> String {
    match prefix_end(prefix) {
        Some(_) => format!("{column} >= ?1 AND {column} < ?2"),
        // Nothing sorts after the prefix's end: only the lower bound applies (?2 is NULL).
        None => format!("{column} >= ?1 AND ?2 IS NULL"),
    }
}

/// The smallest string greater than every string that starts with `prefix`: the prefix with its
/// last character raised by one (UTF-8 sorts by code point, as SQLite's BINARY collation
/// compares). `None` when no such string exists (an empty prefix).
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn prefix_end_is_the_next_string_after_every_extension() {
        assert_eq!(prefix_end(""), None);
        assert_eq!(prefix_end("tex_9").as_deref(), Some("tex_:"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
    }

    /// A store on disk with attempts of three providers in two reports, closed again.
    fn store_file(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("store.sqlite3");
        let store = Store::open(&path).unwrap();
        let mut sql = String::from(
            "INSERT INTO reports (report_id, title, target) VALUES ('rep_a', 'Shop scan', 'https://shop.example');
             INSERT INTO reports (report_id, title, target) VALUES ('rep_b', 'Blog scan', 'https://blog.example');",
        );
        for (i, provider) in ["jira", "github", "gitlab", "jira", "github", "jira"]
            .iter()
            .enumerate()
        {
            let report = if i < 3 { "rep_a" } else { "rep_b" };
            sql.push_str(&format!(
                "INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('{report}', 'f{i}', 'xss', 'XSS', 'high', 'https://shop.example/', 'q', '', '', '', 'open');
                 INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                     mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
                   VALUES ('tex_90{i}', '{report}', 'f{i}', '{provider}', 'failed', 'complete', 'fp{i}', 'k{i}',
                           '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
            ));
        }
        store.conn.execute_batch(&sql).unwrap();
        path
    }

    fn values(found: Vec<Candidate>) -> Vec<String> {
        found.into_iter().map(|c| c.value).collect()
    }

    #[test]
    fn listings_start_with_the_prefix_and_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_file(dir.path());
        let store = CompletionStore::open(&path).unwrap().unwrap();
        assert_eq!(values(store.attempt_ids("tex_90", 100).unwrap()).len(), 6);
        assert_eq!(
            values(store.attempt_ids("tex_90", 2).unwrap()),
            ["tex_900", "tex_901"]
        );
        assert_eq!(
            values(store.attempt_ids("tex_903", 100).unwrap()),
            ["tex_903"]
        );
        assert!(store.attempt_ids("nope", 100).unwrap().is_empty());
        let first = &store.attempt_ids("tex_900", 1).unwrap()[0];
        assert_eq!(first.help.as_deref(), Some("failed, jira, rep_a"));

        assert_eq!(
            values(store.report_ids("", 100).unwrap()),
            ["rep_a", "rep_b"]
        );
        assert_eq!(
            store.report_ids("rep_b", 100).unwrap()[0].help.as_deref(),
            Some("Blog scan")
        );

        assert_eq!(
            values(store.provider_keys("", 100).unwrap()),
            ["github", "gitlab", "jira"],
            "each key once"
        );
        assert_eq!(
            values(store.provider_keys("git", 100).unwrap()),
            ["github", "gitlab"]
        );
        assert_eq!(
            values(store.provider_keys("", 2).unwrap()),
            ["github", "gitlab"]
        );
        assert!(store.provider_keys("x", 100).unwrap().is_empty());
    }

    #[test]
    fn every_listing_seeks_an_index_instead_of_reading_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = CompletionStore::open(&store_file(dir.path()))
            .unwrap()
            .unwrap();
        for prefix in ["", "tex_9"] {
            for sql in [
                attempt_sql(prefix),
                report_sql(prefix),
                provider_sql(prefix),
            ] {
                let plan = store.plan(&sql, prefix);
                assert!(
                    plan.iter().any(|step| step.starts_with("SEARCH"))
                        && plan
                            .iter()
                            .all(|step| !step.starts_with("SCAN ticket_exports")
                                && !step.starts_with("SCAN reports")
                                && !step.contains("TEMP B-TREE")),
                    "{sql}\n{plan:#?}"
                );
            }
        }
    }

    #[test]
    fn a_missing_store_is_not_created_and_a_foreign_file_offers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("sub/store.sqlite3");
        assert!(CompletionStore::open(&missing).unwrap().is_none());
        assert!(!dir.path().join("sub").exists(), "no folder made");

        let empty_db = dir.path().join("other.sqlite3");
        rusqlite::Connection::open(&empty_db)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(CompletionStore::open(&empty_db).unwrap().is_none());
    }

    #[test]
    fn completion_never_changes_the_store_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = store_file(dir.path());
        let before = std::fs::read(&path).unwrap();
        let store = CompletionStore::open(&path).unwrap().unwrap();
        store.attempt_ids("", 100).unwrap();
        store.provider_keys("", 100).unwrap();
        drop(store);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
