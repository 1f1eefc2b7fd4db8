//! Import staging: records stream into the store inside one transaction, are checked as a
//! whole with SQL, and the transaction commits only when the whole file is sound. Memory stays
//! flat whatever the file's size (the staged keys live in SQLite's temporary tables, on disk
//! past a fixed cache), and a file with any problem changes nothing.
//!
//! `sql.rs` says which records go straight into the store's tables and which are staged whole;
//! `writer.rs` takes records as they stream in, `direct.rs` writes the first kind, and
//! `indexes.rs` sets secondary indexes aside during a bulk load.

mod direct;
mod indexes;
mod sql;
mod writer;

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Transaction};

use super::{Store, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::fingerprint::{FingerprintInput, fingerprint, idempotency_key};

/// SQLite's page cache for the store while records stream in, in KiB. Fixed, so memory stays
/// flat in the file's size. Measured on 1M attempts: SQLite's default (2 MiB) costs more system
/// time in reads of pages the OS still caches; 64 and 256 MiB were no faster than 16.
const IMPORT_CACHE_KIB: i64 = 16 * 1024;
/// The staging tables' cache: they are appended to, so only their last pages are hot.
const IMPORT_TEMP_CACHE_KIB: i64 = 8 * 1024;
/// The cache once the records are in, for the checks and the index builds. SQLite's sorter sizes
/// its buffers (one per sorting thread) on it: at 16 MiB, peak memory still grew from 100k to 1M
/// attempts; at 8 MiB it does not.
const SORT_CACHE_KIB: i64 = 8 * 1024;

/// One import in progress: an open transaction holding the staged and written rows.
pub struct Staging<'a> {
    tx: Transaction<'a>,
    state: State,
}

pub use writer::Writer;

/// What an import keeps besides its transaction.
struct State {
    now: String,
    /// Each configured provider's owning-setting digests; as many as the config has providers.
    owners: HashMap<String, OwnerDigestsOwned>,
    /// The highest rowids of `ticket_exports` and `links` before this import.
    base_exports: i64,
    base_links: i64,
    /// The report whose records are being written directly.
    open: Option<OpenReport>,
    counts: ImportCounts,
    /// Whether any record was staged whole, to be merged by SQL at the end.
    deferred: bool,
    /// The cache sizes the connection had before the import, to put back after it.
    cache_sizes: (i64, i64),
    /// Secondary indexes set aside for a bulk load, to build again before the commit.
    indexes: indexes::SetAside,
}

struct OwnerDigestsOwned {
    connection: String,
    mapping: String,
    output: String,
}

struct OpenReport {
    idx: usize,
    report_id: String,
    target: String,
    /// The report's target in the store before the import, if it was there.
    stored_target: Option<String>,
    age: ReportAge,
}

/// How a report of the file compares in time with the store's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReportAge {
    /// The file gives no `exported_at`: a closed status a sync confirmed stays.
    Undated,
    /// Its `exported_at` is not older than the store's (or the store has none): it stands.
    NotOlder,
    /// Older than the store's: only what the store lacks is added.
    Older,
}

impl ReportAge {
    /// Compares the file's `exported_at` with the stored one (both in the store's UTC form).
    pub(super) fn of(file: Option<&str>, stored: Option<&str>) -> ReportAge {
        match (file, stored) {
            (None, _) => ReportAge::Undated,
            (Some(file), Some(stored)) if file < stored => ReportAge::Older,
            (Some(_), _) => ReportAge::NotOlder,
        }
    }
}

/// What a merge changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub reports: u64,
    pub findings: u64,
    pub attempts_created: u64,
    pub attempts_updated: u64,
    pub attempts_unchanged: u64,
    /// Reports whose `exported_at` is older than the store's: their stored title, target and
    /// findings were left as they were (new findings were added).
    pub older_reports: Vec<String>,
}

/// A problem found by the whole-file checks: where, and what.
pub type Problem = (String, String);

/// The digests of each configured provider's owning settings at import time.
pub struct OwnerDigests<'a> {
    pub provider_key: &'a str,
    pub connection: &'a str,
    pub mapping: &'a str,
    pub output: &'a str,
}

/// Whether a record can be written as it arrives, or must wait for the end of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The report's header came before its lists, and (for an attempt) its findings before it:
    /// the record is written straight into the store.
    Direct,
    /// Something it depends on comes later in the file: it is staged whole and merged by SQL.
    Deferred,
}

/// A report header, by its position in the file.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub idx: usize,
    pub report_id: String,
    pub title: String,
    pub target: String,
    /// When the platform exported it, in the store's UTC form.
    pub exported_at: Option<String>,
}

/// A validated finding.
#[derive(Debug, Clone)]
pub struct FindingRow {
    pub finding_id: String,
    pub rule_id: String,
    pub title: String,
    pub severity: &'static str,
    pub url: String,
    pub parameter: Option<String>,
    pub description: String,
    pub evidence: String,
    pub remediation: String,
    pub status: &'static str,
}

/// A validated ticket export, as the file gives it.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub ticket_export_id: String,
    pub finding_id: String,
    pub provider_key: String,
    pub export_status: &'static str,
    pub provider_error_code: Option<String>,
    pub provider_response_code: Option<i64>,
    pub mapping_status: &'static str,
    pub mapping_missing: String,
    pub duplicate_fingerprint: Option<String>,
    pub idempotency_key: Option<String>,
    pub retry_after: Option<String>,
    pub external_ticket_id: Option<String>,
    pub external_ticket_url: Option<String>,
    pub status_sync_status: Option<&'static str>,
    pub portable_export_path: Option<String>,
}

/// The identities an attempt gets if the store does not hold it yet: the file's, else computed
/// from the file's finding by the reader.
#[derive(Debug, Clone)]
pub struct Identities {
    pub duplicate_fingerprint: String,
    pub idempotency_key: String,
}

/// One record on its way into the store.
#[derive(Debug)]
pub enum Staged {
    Report {
        row: ReportRow,
        route: Route,
    },
    Finding {
        report_idx: usize,
        idx: usize,
        row: FindingRow,
        route: Route,
    },
    Export {
        report_idx: usize,
        idx: usize,
        row: ExportRow,
        route: Route,
        /// Whether the reader saw the finding in this report (it may have, past its cache,
        /// without knowing).
        finding_seen: bool,
        /// None when the reader could not compute them; the store then does.
        identities: Option<Identities>,
    },
}

/// Registers the SQL functions the merge uses to compute identities.
pub(super) fn register_functions(conn: &Connection) -> Result<(), StoreError> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("te_fingerprint", 5, flags, |ctx| {
        let param: Option<String> = ctx.get(2)?;
        Ok(fingerprint(FingerprintInput {
            rule_id: &ctx.get::<String>(0)?,
            url: &ctx.get::<String>(1)?,
            parameter: param.as_deref(),
            target: &ctx.get::<String>(3)?,
            provider_key: &ctx.get::<String>(4)?,
        }))
    })
    .doing("registering te_fingerprint")?;
    conn.create_scalar_function("te_idempotency_key", 1, flags, |ctx| {
        Ok(idempotency_key(&ctx.get::<String>(0)?))
    })
    .doing("registering te_idempotency_key")?;
    // The rule of which stored codes a failure may replace, for the writers that record
    // failures in SQL (fallback's batches, the import's merge): the same function as in Rust.
    conn.create_scalar_function("te_code_after_failure", 2, flags, |ctx| {
        let stored = code_arg(ctx, 0)?;
        let new = code_arg(ctx, 1)?.ok_or_else(|| {
            rusqlite::Error::UserFunctionError("te_code_after_failure: no new code".into())
        })?;
        Ok(crate::triage::code_after_failure(stored.as_ref(), new)
            .as_str()
            .to_owned())
    })
    .doing("registering te_code_after_failure")?;
    conn.create_scalar_function("te_code_after_import", 3, flags, |ctx| {
        let status: String = ctx.get(2)?;
        let status = crate::model::ExportStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::UserFunctionError(format!("unknown export_status {status:?}").into())
        })?;
        let after =
            crate::triage::code_after_import(code_arg(ctx, 0)?.as_ref(), code_arg(ctx, 1)?, status);
        Ok(after.map(|c| c.as_str().to_owned()))
    })
    .doing("registering te_code_after_import")
}

/// The attempt upsert's ON CONFLICT clause, for tests.
#[cfg(test)]
pub(crate) fn upsert_export_sql() -> &'static str {
    sql::UPSERT_EXPORT
}

/// A failure code argument of a SQL function; NULL is none.
fn code_arg(
    ctx: &rusqlite::functions::Context<'_>,
    idx: usize,
) -> rusqlite::Result<Option<crate::model::FailureCode>> {
    let text: Option<String> = ctx.get(idx)?;
    text.map(|t| {
        crate::model::FailureCode::parse(&t).ok_or_else(|| {
            rusqlite::Error::UserFunctionError(format!("malformed failure code {t:?}").into())
        })
    })
    .transpose()
}

impl Store {
    /// Starts an import at `now`: one write transaction with empty staging tables.
    pub fn begin_import(&mut self, now: Timestamp) -> Result<Staging<'_>, StoreError> {
        // Set before the transaction; `Staging` puts the sizes back when it ends.
        let size = |schema: &str| {
            self.conn
                .pragma_query_value(Some(schema), "cache_size", |r| r.get::<_, i64>(0))
                .doing("reading the cache size")
        };
        let cache_sizes = (size("main")?, size("temp")?);
        self.conn
            .execute_batch(&format!(
                "PRAGMA main.cache_size = -{IMPORT_CACHE_KIB}; PRAGMA temp.cache_size = -{IMPORT_TEMP_CACHE_KIB};"
            ))
            .doing("sizing the import cache")?;
        let bulk_threshold = self.bulk_threshold;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .doing("starting the import")?;
        tx.execute_batch(sql::STAGE_TABLES)
            .doing("creating staging tables")?;
        let base = |sql: &str| tx.query_row(sql, [], |r| r.get::<_, i64>(0));
        let base_exports = base(sql::BASE_EXPORTS).doing("reading the store's extent")?;
        let base_links = base(sql::BASE_LINKS).doing("reading the store's extent")?;
        Ok(Staging {
            tx,
            state: State {
                now: ts_to_sql(now),
                owners: HashMap::new(),
                base_exports,
                base_links,
                open: None,
                counts: ImportCounts::default(),
                deferred: false,
                cache_sizes,
                indexes: indexes::SetAside::new(bulk_threshold.max(base_exports as u64)),
            },
        })
    }
}

impl Staging<'_> {
    /// A writer for the records as they stream in, with its statements prepared once.
    pub fn writer(&mut self) -> Result<Writer<'_>, StoreError> {
        Writer::new(&self.tx, &mut self.state)
    }

    /// Checks the file as a whole: duplicates, references, identities and links. Deferred
    /// attempts get their identities here first.
    pub fn validate(&mut self) -> Result<Vec<Problem>, StoreError> {
        let (tx, state) = (&self.tx, &self.state);
        tx.execute_batch(&format!(
            "PRAGMA main.cache_size = -{SORT_CACHE_KIB}; PRAGMA temp.cache_size = -{SORT_CACHE_KIB};"
        ))
        .doing("sizing the cache")?;
        if state.deferred {
            for sql in sql::DEFERRED_RESOLVE.iter().chain(sql::DEFERRED_STAGE) {
                tx.execute(sql, bound(sql, state.base_exports))
                    .doing("resolving identities")?;
            }
        }
        let mut problems = Vec::new();
        for sql in sql::CHECKS {
            let mut stmt = tx.prepare(sql).doing("checking the import")?;
            let rows = stmt
                .query_map(bound(sql, state.base_links), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .doing("checking the import")?;
            for row in rows {
                problems.push(row.doing("checking the import")?);
            }
        }
        Ok(problems)
    }

    /// Merges the deferred rows into the store and builds any index set aside. Call
    /// [`Staging::validate`] first.
    pub fn merge(&mut self) -> Result<(), StoreError> {
        if self.state.deferred {
            self.merge_deferred()?;
            self.state.deferred = false;
        }
        self.state.indexes.restore(&self.tx)
    }

    /// Commits the import. Call [`Staging::merge`] first.
    pub fn commit(self) -> Result<ImportCounts, StoreError> {
        self.tx
            .execute_batch(sql::CLEAR)
            .doing("clearing staging")?;
        self.default_cache()?;
        let counts = self.state.counts;
        self.tx.commit().doing("committing the import")?;
        Ok(counts)
    }

    /// Ends the import without writing anything.
    pub fn abandon(self) -> Result<(), StoreError> {
        self.default_cache()?;
        self.tx.rollback().doing("abandoning the import")
    }

    /// Puts the connection's cache sizes back, so that a later command on it does not keep an
    /// import's cache. The transaction's dirty pages stay until it ends.
    fn default_cache(&self) -> Result<(), StoreError> {
        let (main, temp) = self.state.cache_sizes;
        self.tx
            .execute_batch(&format!(
                "PRAGMA main.cache_size = {main}; PRAGMA temp.cache_size = {temp};"
            ))
            .doing("sizing the cache")
    }

    fn merge_deferred(&mut self) -> Result<(), StoreError> {
        let (tx, state) = (&self.tx, &mut self.state);
        let counts = &mut state.counts;
        tx.execute_batch(sql::DEFERRED_MARK_CHANGES)
            .doing("comparing with the store")?;
        tx.execute(sql::DEFERRED_AGES, [])
            .doing("comparing report times")?;
        let older = tx
            .prepare(sql::DEFERRED_OLDER)
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .doing("comparing report times")?;
        counts.older_reports.extend(older);
        counts.reports += tx
            .execute(sql::DEFERRED_MERGE_REPORTS, [])
            .doing("merging reports")? as u64;
        counts.reports += tx
            .execute(sql::DEFERRED_KEEP_REPORTS, [])
            .doing("merging reports")? as u64;
        for merge in sql::DEFERRED_MERGE_FINDINGS {
            counts.findings += tx.execute(merge, []).doing("merging findings")? as u64;
        }
        let (created, updated, unchanged) = tx
            .query_row(sql::DEFERRED_COUNTS, [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .doing("counting the import")?;
        counts.attempts_created += created as u64;
        counts.attempts_updated += updated as u64;
        counts.attempts_unchanged += unchanged as u64;
        tx.execute(sql::DEFERRED_RECORD_EVENTS, [&state.now])
            .doing("recording import events")?;
        tx.execute(sql::DEFERRED_MERGE_EXPORTS, [&state.now])
            .doing("merging ticket exports")?;
        tx.execute(sql::DEFERRED_MERGE_LINKS, [&state.now])
            .doing("recording links")?;
        Ok(())
    }
}

/// The parameters a statement takes: `?1` where it names one, else none.
fn bound(sql: &str, value: i64) -> rusqlite::ParamsFromIter<Option<i64>> {
    rusqlite::params_from_iter(sql.contains("?1").then_some(value))
}
