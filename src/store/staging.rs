//! Import staging: records stream into temporary tables, are checked as a whole with SQL, then
//! merged into the store in the same transaction. Memory stays flat whatever the file's size,
//! and a file with any problem changes nothing.

use jiff::Timestamp;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, Transaction, params};

use super::{Store, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::fingerprint::{FingerprintInput, fingerprint, idempotency_key};

/// One import in progress: an open transaction holding the staged rows.
pub struct Staging<'a> {
    tx: Transaction<'a>,
}

/// What a merge changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub reports: u64,
    pub findings: u64,
    pub attempts_created: u64,
    pub attempts_updated: u64,
    pub attempts_unchanged: u64,
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

const STAGE_TABLES: &str = r#"
DROP TABLE IF EXISTS temp.s_reports;
DROP TABLE IF EXISTS temp.s_findings;
DROP TABLE IF EXISTS temp.s_exports;
DROP TABLE IF EXISTS temp.s_owners;
CREATE TEMP TABLE s_reports (idx INTEGER PRIMARY KEY, report_id TEXT NOT NULL, title TEXT NOT NULL, target TEXT NOT NULL);
CREATE TEMP TABLE s_findings (report_idx INTEGER NOT NULL, idx INTEGER NOT NULL, finding_id TEXT NOT NULL,
    rule_id TEXT NOT NULL, title TEXT NOT NULL, severity TEXT NOT NULL, url TEXT NOT NULL, parameter TEXT,
    description TEXT NOT NULL, evidence TEXT NOT NULL, remediation TEXT NOT NULL, status TEXT NOT NULL,
    PRIMARY KEY (report_idx, idx));
CREATE TEMP TABLE s_exports (report_idx INTEGER NOT NULL, idx INTEGER NOT NULL, ticket_export_id TEXT NOT NULL,
    finding_id TEXT NOT NULL, provider_key TEXT NOT NULL, export_status TEXT NOT NULL, provider_error_code TEXT,
    provider_response_code INTEGER, mapping_status TEXT NOT NULL, mapping_missing TEXT NOT NULL,
    duplicate_fingerprint TEXT, idempotency_key TEXT, retry_after TEXT, external_ticket_id TEXT,
    external_ticket_url TEXT, status_sync_status TEXT, portable_export_path TEXT, report_id TEXT, change TEXT,
    PRIMARY KEY (report_idx, idx));
CREATE INDEX temp.s_findings_by_id ON s_findings(report_idx, finding_id);
CREATE INDEX temp.s_exports_by_id ON s_exports(ticket_export_id);
CREATE INDEX temp.s_exports_by_ticket ON s_exports(provider_key, external_ticket_id);
CREATE INDEX temp.s_reports_by_id ON s_reports(report_id);
CREATE TEMP TABLE s_owners (provider_key TEXT PRIMARY KEY, connection TEXT NOT NULL, mapping TEXT NOT NULL, output TEXT NOT NULL);
"#;

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
    .doing("registering te_idempotency_key")
}

impl Store {
    /// Starts an import: one write transaction with empty staging tables.
    pub fn begin_import(&mut self) -> Result<Staging<'_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .doing("starting the import")?;
        tx.execute_batch(STAGE_TABLES)
            .doing("creating staging tables")?;
        Ok(Staging { tx })
    }
}

/// A report as staged, by its position in the file.
pub struct StagedReport<'a> {
    pub idx: usize,
    pub report_id: &'a str,
    pub title: &'a str,
    pub target: &'a str,
}

impl Staging<'_> {
    /// Records the owning-setting digests of a configured provider.
    pub fn owner_digests(&mut self, d: &OwnerDigests<'_>) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO s_owners VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![d.provider_key, d.connection, d.mapping, d.output]))
            .doing("staging provider digests")?;
        Ok(())
    }

    /// Stages one report's header.
    pub fn report(&mut self, r: &StagedReport<'_>) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO s_reports VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![r.idx as i64, r.report_id, r.title, r.target]))
            .doing("staging a report")?;
        Ok(())
    }

    /// Stages one finding; `values` are the columns after `finding_id` in table order.
    pub fn finding(
        &mut self,
        report_idx: usize,
        idx: usize,
        values: &[&dyn rusqlite::ToSql; 10],
    ) -> Result<(), StoreError> {
        let mut all: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(12);
        let (ri, i) = (report_idx as i64, idx as i64);
        all.push(&ri);
        all.push(&i);
        all.extend_from_slice(values);
        self.tx
            .prepare_cached(
                "INSERT INTO s_findings VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            )
            .and_then(|mut s| s.execute(&all[..]))
            .doing("staging a finding")?;
        Ok(())
    }

    /// Stages one ticket export; `values` are the 15 columns from `ticket_export_id` to
    /// `portable_export_path` in table order.
    pub fn export(
        &mut self,
        report_idx: usize,
        idx: usize,
        values: &[&dyn rusqlite::ToSql; 15],
    ) -> Result<(), StoreError> {
        let mut all: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(17);
        let (ri, i) = (report_idx as i64, idx as i64);
        all.push(&ri);
        all.push(&i);
        all.extend_from_slice(values);
        self.tx
            .prepare_cached(
                "INSERT INTO s_exports (report_idx, idx, ticket_export_id, finding_id, provider_key, export_status,
                 provider_error_code, provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint,
                 idempotency_key, retry_after, external_ticket_id, external_ticket_url, status_sync_status,
                 portable_export_path) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
            )
            .and_then(|mut s| s.execute(&all[..]))
            .doing("staging a ticket export")?;
        Ok(())
    }

    /// Checks the staged file as a whole: duplicates, references, identities and links.
    /// Also fills in the identities that the merge will store.
    pub fn validate(&mut self) -> Result<Vec<Problem>, StoreError> {
        self.tx
            .execute_batch(RESOLVE)
            .doing("resolving identities")?;
        let mut problems = Vec::new();
        for sql in CHECKS {
            let mut stmt = self.tx.prepare(sql).doing("checking the import")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .doing("checking the import")?;
            for row in rows {
                problems.push(row.doing("checking the import")?);
            }
        }
        Ok(problems)
    }

    /// Merges the staged rows into the store and commits.
    pub fn commit(self, now: Timestamp) -> Result<ImportCounts, StoreError> {
        let now = ts_to_sql(now);
        let tx = self.tx;
        let count = |sql: &str| -> Result<u64, StoreError> {
            tx.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .doing("counting the import")
        };
        tx.execute_batch(MARK_CHANGES)
            .doing("comparing with the store")?;
        let counts = ImportCounts {
            reports: tx.execute(MERGE_REPORTS, []).doing("merging reports")? as u64,
            findings: tx.execute(MERGE_FINDINGS, []).doing("merging findings")? as u64,
            attempts_created: count("SELECT count(*) FROM s_exports WHERE change = 'created'")?,
            attempts_updated: count("SELECT count(*) FROM s_exports WHERE change = 'updated'")?,
            attempts_unchanged: count("SELECT count(*) FROM s_exports WHERE change IS NULL")?,
        };
        tx.execute(RECORD_EVENTS, [&now])
            .doing("recording import events")?;
        tx.execute(MERGE_EXPORTS, [&now])
            .doing("merging ticket exports")?;
        tx.execute(MERGE_LINKS, [&now]).doing("recording links")?;
        tx.execute_batch("DELETE FROM s_reports; DELETE FROM s_findings; DELETE FROM s_exports; DELETE FROM s_owners;")
            .doing("clearing staging")?;
        tx.commit().doing("committing the import")?;
        Ok(counts)
    }
}

/// Fills report ids, and identities: the store's when the attempt exists (they never change),
/// else the file's, else computed.
const RESOLVE: &str = r#"
UPDATE s_exports SET report_id = (SELECT report_id FROM s_reports r WHERE r.idx = s_exports.report_idx);
UPDATE s_exports SET duplicate_fingerprint = COALESCE(
    (SELECT t.duplicate_fingerprint FROM ticket_exports t WHERE t.ticket_export_id = s_exports.ticket_export_id),
    duplicate_fingerprint,
    (SELECT te_fingerprint(f.rule_id, f.url, f.parameter, r.target, s_exports.provider_key)
       FROM s_findings f JOIN s_reports r ON r.idx = f.report_idx
      WHERE f.report_idx = s_exports.report_idx AND f.finding_id = s_exports.finding_id),
    (SELECT te_fingerprint(f.rule_id, f.url, f.parameter, r.target, s_exports.provider_key)
       FROM findings f JOIN reports r ON r.report_id = f.report_id
      WHERE f.report_id = s_exports.report_id AND f.finding_id = s_exports.finding_id)),
  idempotency_key = COALESCE(
    (SELECT t.idempotency_key FROM ticket_exports t WHERE t.ticket_export_id = s_exports.ticket_export_id),
    idempotency_key);
-- No fingerprint means no finding was found: the checks report that, so derive nothing.
UPDATE s_exports SET idempotency_key = te_idempotency_key(duplicate_fingerprint)
 WHERE idempotency_key IS NULL AND duplicate_fingerprint IS NOT NULL;
"#;

/// Whole-file checks; each yields (JSON path, message).
const CHECKS: &[&str] = &[
    "SELECT 'reports[' || idx || '].report_id', 'duplicate report_id \"' || report_id || '\" (it appears more than once in the file)'
       FROM s_reports WHERE report_id IN (SELECT report_id FROM s_reports GROUP BY report_id HAVING count(*) > 1) ORDER BY idx",
    "SELECT 'reports[' || report_idx || '].findings[' || idx || '].finding_id', 'duplicate finding_id \"' || finding_id || '\" in this report'
       FROM s_findings f JOIN (SELECT report_idx AS ri, finding_id AS fid FROM s_findings GROUP BY 1, 2 HAVING count(*) > 1)
         ON ri = f.report_idx AND fid = f.finding_id
      ORDER BY report_idx, idx",
    EXPORT_CHECKS,
];

/// Checks on ticket exports: duplicates, missing findings, changed identities, link conflicts.
const EXPORT_CHECKS: &str = "SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].ticket_export_id', 'duplicate ticket_export_id \"' || e.ticket_export_id || '\" (it appears more than once in the file)'
       FROM s_exports e WHERE e.ticket_export_id IN (SELECT ticket_export_id FROM s_exports GROUP BY ticket_export_id HAVING count(*) > 1)
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].finding_id', 'finding \"' || e.finding_id || '\" is not in this report''s findings (nor in the store)'
       FROM s_exports e
      WHERE NOT EXISTS (SELECT 1 FROM s_findings f WHERE f.report_idx = e.report_idx AND f.finding_id = e.finding_id)
        AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.report_id = e.report_id AND f.finding_id = e.finding_id)
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || ']', 'ticket export \"' || e.ticket_export_id || '\" belongs to ' || t.report_id || '/' || t.finding_id || ' at ' || t.provider_key || ' in the store; an attempt''s report, finding and provider never change: import it under a new ticket_export_id'
       FROM s_exports e JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id
      WHERE t.report_id IS NOT e.report_id OR t.finding_id IS NOT e.finding_id OR t.provider_key IS NOT e.provider_key
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'ticket \"' || e.external_ticket_id || '\" at ' || e.provider_key || ' is already linked to another finding (' || l.ticket_export_id || '); one ticket, one finding'
       FROM s_exports e JOIN links l ON l.provider_key = e.provider_key AND l.external_ticket_id = e.external_ticket_id
      WHERE l.duplicate_fingerprint IS NOT e.duplicate_fingerprint
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'this finding is already linked to ticket \"' || l.external_ticket_id || '\" at ' || e.provider_key || '; a second ticket for it would be a duplicate'
       FROM s_exports e JOIN links l ON l.provider_key = e.provider_key AND l.duplicate_fingerprint = e.duplicate_fingerprint
      WHERE e.external_ticket_id IS NOT NULL AND l.external_ticket_id IS NOT e.external_ticket_id
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'ticket \"' || e.external_ticket_id || '\" at ' || e.provider_key || ' is named by more than one finding in the file'
       FROM s_exports e
      WHERE e.external_ticket_id IS NOT NULL AND (SELECT count(DISTINCT g.duplicate_fingerprint) FROM s_exports g
             WHERE g.provider_key = e.provider_key AND g.external_ticket_id = e.external_ticket_id) > 1
     ORDER BY 1";

/// Marks each staged attempt created, updated or unchanged. Once this tool has recorded an
/// outcome, the platform can no longer overwrite status, code or cooldown; links only ever fill.
const MARK_CHANGES: &str = r#"
UPDATE s_exports SET change = (
  SELECT CASE
    WHEN t.ticket_export_id IS NULL THEN 'created'
    WHEN t.mapping_status IS NOT s_exports.mapping_status OR t.mapping_missing IS NOT s_exports.mapping_missing
      OR (t.external_ticket_id IS NULL AND s_exports.external_ticket_id IS NOT NULL)
      OR (t.external_ticket_url IS NULL AND s_exports.external_ticket_url IS NOT NULL)
      OR (t.portable_export_path IS NULL AND s_exports.portable_export_path IS NOT NULL)
      OR (t.outcome_recorded_at IS NULL AND (
           t.export_status IS NOT s_exports.export_status OR t.provider_error_code IS NOT s_exports.provider_error_code
        OR t.provider_response_code IS NOT s_exports.provider_response_code OR t.retry_after IS NOT s_exports.retry_after
        OR t.status_sync_status IS NOT s_exports.status_sync_status))
    THEN 'updated'
  END
  FROM (SELECT 1) LEFT JOIN ticket_exports t ON t.ticket_export_id = s_exports.ticket_export_id);
"#;

const MERGE_REPORTS: &str = "INSERT INTO reports (report_id, title, target) SELECT report_id, title, target FROM s_reports WHERE true
  ON CONFLICT (report_id) DO UPDATE SET title = excluded.title, target = excluded.target
  WHERE reports.title IS NOT excluded.title OR reports.target IS NOT excluded.target";

const MERGE_FINDINGS: &str = "INSERT INTO findings SELECT r.report_id, f.finding_id, f.rule_id, f.title, f.severity, f.url, f.parameter,
    f.description, f.evidence, f.remediation, f.status FROM s_findings f JOIN s_reports r ON r.idx = f.report_idx WHERE true
  ON CONFLICT (report_id, finding_id) DO UPDATE SET rule_id = excluded.rule_id, title = excluded.title,
    severity = excluded.severity, url = excluded.url, parameter = excluded.parameter, description = excluded.description,
    evidence = excluded.evidence, remediation = excluded.remediation, status = excluded.status
  WHERE (findings.rule_id, findings.title, findings.severity, findings.url, findings.description, findings.evidence,
         findings.remediation, findings.status) IS NOT (excluded.rule_id, excluded.title, excluded.severity, excluded.url,
         excluded.description, excluded.evidence, excluded.remediation, excluded.status)
     OR findings.parameter IS NOT excluded.parameter";

const RECORD_EVENTS: &str =
    "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
  SELECT ticket_export_id, ?1, 'import', change, provider_error_code, provider_response_code,
         'export_status ' || export_status || ', mapping ' || mapping_status
    FROM s_exports WHERE change IS NOT NULL ORDER BY report_idx, idx";

const MERGE_EXPORTS: &str = "INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
    provider_error_code, provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint, idempotency_key,
    retry_after, external_ticket_id, external_ticket_url, status_sync_status, portable_export_path, owner_kind,
    owner_digest, failing_since, created_at, updated_at)
  SELECT e.ticket_export_id, e.report_id, e.finding_id, e.provider_key, e.export_status, e.provider_error_code,
    e.provider_response_code, e.mapping_status, e.mapping_missing, e.duplicate_fingerprint, e.idempotency_key,
    e.retry_after, e.external_ticket_id, e.external_ticket_url, e.status_sync_status, e.portable_export_path,
    CASE WHEN e.provider_error_code IN ('PROVIDER_AUTH_FAILED', 'TICKET_EXPORT_DELIVERY_FAILED') THEN 'connection'
         WHEN e.provider_error_code = 'TICKET_EXPORT_MAPPING_REQUIRED' THEN 'mapping'
         WHEN e.provider_error_code = 'PORTABLE_EXPORT_FAILED' THEN 'output_path' END,
    CASE WHEN e.provider_error_code IN ('PROVIDER_AUTH_FAILED', 'TICKET_EXPORT_DELIVERY_FAILED') THEN o.connection
         WHEN e.provider_error_code = 'TICKET_EXPORT_MAPPING_REQUIRED' THEN o.mapping
         WHEN e.provider_error_code = 'PORTABLE_EXPORT_FAILED' THEN o.output END,
    CASE WHEN e.provider_error_code IS NOT NULL THEN ?1 END, ?1, ?1
  FROM s_exports e LEFT JOIN s_owners o ON o.provider_key = e.provider_key WHERE e.change IS NOT NULL
  ON CONFLICT (ticket_export_id) DO UPDATE SET
    mapping_status = excluded.mapping_status, mapping_missing = excluded.mapping_missing,
    external_ticket_id = COALESCE(ticket_exports.external_ticket_id, excluded.external_ticket_id),
    external_ticket_url = COALESCE(ticket_exports.external_ticket_url, excluded.external_ticket_url),
    portable_export_path = COALESCE(ticket_exports.portable_export_path, excluded.portable_export_path),
    export_status = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.export_status, ticket_exports.export_status),
    provider_response_code = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.provider_response_code, ticket_exports.provider_response_code),
    retry_after = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.retry_after, ticket_exports.retry_after),
    status_sync_status = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.status_sync_status, ticket_exports.status_sync_status),
    failing_since = iif(ticket_exports.outcome_recorded_at IS NOT NULL, ticket_exports.failing_since,
        iif(ticket_exports.provider_error_code IS excluded.provider_error_code, ticket_exports.failing_since, excluded.failing_since)),
    owner_kind = iif(ticket_exports.outcome_recorded_at IS NULL AND ticket_exports.provider_error_code IS NOT excluded.provider_error_code, excluded.owner_kind, ticket_exports.owner_kind),
    owner_digest = iif(ticket_exports.outcome_recorded_at IS NULL AND ticket_exports.provider_error_code IS NOT excluded.provider_error_code, excluded.owner_digest, ticket_exports.owner_digest),
    provider_error_code = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.provider_error_code, ticket_exports.provider_error_code),
    updated_at = excluded.updated_at";

const MERGE_LINKS: &str = "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, external_ticket_url,
    ticket_export_id, linked_at)
  SELECT t.provider_key, t.duplicate_fingerprint, t.external_ticket_id, t.external_ticket_url, t.ticket_export_id, ?1
    FROM s_exports e JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id
   WHERE e.change IS NOT NULL AND t.external_ticket_id IS NOT NULL
  ON CONFLICT DO NOTHING";
