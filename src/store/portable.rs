//! The portable fallback's SQL: which attempts a run writes, the rows it streams, and the
//! outcome it records (design section 6).
//!
//! The selection lives in a temporary table, so a run over 100,000 attempts keeps no id list in
//! memory. A report's files hold every attempt of that report written to the same output folder
//! before, plus the ones selected now: a later run for one more attempt never drops an earlier
//! one, and the same run twice selects the same rows.

use std::ops::ControlFlow;

use jiff::Timestamp;
use rusqlite::{Row, Transaction, params};

use super::{Store, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::{Finding, FindingStatus, Report, Severity};

/// One attempt to write, with its finding and report as imported (not yet redacted).
#[derive(Debug, Clone, PartialEq)]
pub struct PortableSource {
    pub ticket_export_id: String,
    pub provider_key: String,
    pub fingerprint: String,
    pub finding: Finding,
    pub report: Report,
}

/// The attempts chosen for one fallback run, held in a temporary table until the run ends.
pub struct FallbackSelection<'a> {
    tx: Transaction<'a>,
    count: u64,
}

/// Keyed by report first: every query of it asks for one report's attempts, or for one
/// attempt of a known report, so one B-tree serves them all.
const SELECTION_TABLE: &str = "DROP TABLE IF EXISTS temp.fallback_selection;
CREATE TEMP TABLE fallback_selection (report_id TEXT NOT NULL, ticket_export_id TEXT NOT NULL,
    PRIMARY KEY (report_id, ticket_export_id)) WITHOUT ROWID;";

/// Members of one report's file set: selected now, or written to this folder before and not
/// since linked to a ticket (a linked attempt in a file would be imported as a duplicate).
/// `?1` is the report, `?2` the output folder prefix.
const MEMBERS: &str = "t.report_id = ?1 AND (
    t.ticket_export_id IN (SELECT ticket_export_id FROM temp.fallback_selection WHERE report_id = ?1)
    OR (t.export_status = 'fallback_written' AND t.external_ticket_id IS NULL AND t.external_ticket_url IS NULL
        AND substr(t.portable_export_path, 1, length(?2)) = ?2))";

impl Store {
    /// Starts a selection. It reads in one transaction, so every attempt is judged against the
    /// same snapshot; only the temporary table is written, so other processes are not blocked.
    pub fn fallback_selection(&self) -> Result<FallbackSelection<'_>, StoreError> {
        self.conn
            .execute_batch(SELECTION_TABLE)
            .doing("preparing the fallback selection")?;
        let tx = self
            .conn
            .unchecked_transaction()
            .doing("starting the fallback selection")?;
        Ok(FallbackSelection { tx, count: 0 })
    }

    /// The first selected report after `after` (the first of all without it), in the order
    /// reports are written.
    pub fn next_fallback_report(&self, after: Option<&str>) -> Result<Option<String>, StoreError> {
        // Two statements, so that each is one step down the table's key.
        let next = match after {
            None => self
                .conn
                .prepare_cached("SELECT min(report_id) FROM temp.fallback_selection")
                .and_then(|mut s| s.query_row([], |r| r.get(0))),
            Some(after) => self
                .conn
                .prepare_cached(
                    "SELECT min(report_id) FROM temp.fallback_selection WHERE report_id > ?1",
                )
                .and_then(|mut s| s.query_row([after], |r| r.get(0))),
        };
        next.doing("reading the fallback selection")
    }

    /// Streams the rows of one selected report's file set, ordered by attempt id, so that
    /// reruns write identical bytes. `out_prefix` is the output folder with a trailing
    /// separator: earlier files are recognised by their recorded path under it. One report at
    /// a time, so that no read stays open while a run records the reports it has written.
    pub fn for_each_fallback_row(
        &self,
        report_id: &str,
        out_prefix: &str,
        mut visit: impl FnMut(PortableSource) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let sql = "SELECT t.ticket_export_id, t.provider_key, t.duplicate_fingerprint, f.finding_id, f.rule_id, f.title,
                    f.severity, f.url, f.parameter, f.description, f.evidence, f.remediation, f.status, r.report_id,
                    r.title, r.target
               FROM ticket_exports t
               JOIN findings f ON f.report_id = t.report_id AND f.finding_id = t.finding_id
               JOIN reports r ON r.report_id = t.report_id
              WHERE t.report_id = ?2
                AND (EXISTS (SELECT 1 FROM temp.fallback_selection s
                             WHERE s.report_id = t.report_id AND s.ticket_export_id = t.ticket_export_id)
                     OR (t.export_status = 'fallback_written' AND t.external_ticket_id IS NULL
                         AND t.external_ticket_url IS NULL AND substr(t.portable_export_path, 1, length(?1)) = ?1))
              ORDER BY t.ticket_export_id";
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .doing("reading fallback rows")?;
        let mut rows = stmt
            .query([out_prefix, report_id])
            .doing("reading fallback rows")?;
        while let Some(row) = rows.next().doing("reading fallback rows")? {
            if visit(source_from_row(row).doing("reading a fallback row")?).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Records a verified file set for one report. `value` (manifest path and SHA-256) goes into
    /// `portable_export_path`; the attempt becomes `fallback_written` and its failure code is
    /// cleared, because the portable files are now its export. Rows already holding this exact
    /// value are left alone, so a rerun changes nothing. Returns how many attempts changed and
    /// the ids of those that became `fallback_written` now (final: `retry` refuses them).
    pub fn record_fallback_written(
        &self,
        report_id: &str,
        out_prefix: &str,
        value: &str,
        holder: &str,
        now: Timestamp,
    ) -> Result<(u64, Vec<String>), StoreError> {
        let changed = "(t.portable_export_path IS NOT ?3 OR t.export_status != 'fallback_written'
            OR t.provider_error_code IS NOT NULL)";
        let tx = self
            .conn
            .unchecked_transaction()
            .doing("recording fallback files")?;
        tx.execute(
            &format!(
                "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
                 SELECT t.ticket_export_id, ?4, 'fallback', 'written', NULL, NULL,
                        ?3 || coalesce(' (cleared ' || t.provider_error_code || ')', '')
                   FROM ticket_exports t WHERE {MEMBERS} AND {changed} ORDER BY t.ticket_export_id"
            ),
            params![report_id, out_prefix, value, ts_to_sql(now)],
        )
        .doing("recording fallback events")?;
        let made_final = tx
            .prepare(&format!(
                "SELECT t.ticket_export_id FROM ticket_exports t
                  WHERE {MEMBERS} AND t.export_status != 'fallback_written' ORDER BY t.ticket_export_id"
            ))
            .and_then(|mut s| {
                s.query_map(params![report_id, out_prefix], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .doing("recording fallback files")?;
        let n = tx
            .execute(
                &format!(
                    "UPDATE ticket_exports AS t SET export_status = 'fallback_written', portable_export_path = ?3,
                        provider_error_code = NULL, owner_kind = NULL, owner_digest = NULL, failing_since = NULL,
                        outcome_recorded_at = ?4, updated_at = ?4
                      WHERE {MEMBERS} AND {changed}"
                ),
                params![report_id, out_prefix, value, ts_to_sql(now)],
            )
            .doing("recording fallback files")?;
        release(&tx, report_id, holder)?;
        tx.commit().doing("recording fallback files")?;
        Ok((n as u64, made_final))
    }

    /// Records `PORTABLE_EXPORT_FAILED` for the selected attempts of a report that have no
    /// verified file in this folder yet, owned by the output path (`owner_digest` is the
    /// folder setting's digest, so triage can tell when it changes). Attempts written before
    /// keep their files and their record. Returns the attempts changed.
    pub fn record_fallback_failed(
        &self,
        report_id: &str,
        out_prefix: &str,
        reason: &str,
        owner_digest: &str,
        holder: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let failing = "t.ticket_export_id IN (SELECT ticket_export_id FROM temp.fallback_selection WHERE report_id = ?1)
            AND NOT (t.export_status = 'fallback_written' AND substr(t.portable_export_path, 1, length(?2)) = ?2)";
        let tx = self
            .conn
            .unchecked_transaction()
            .doing("recording a fallback failure")?;
        let detail: String = reason.chars().take(500).collect();
        tx.execute(
            &format!(
                "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
                 SELECT t.ticket_export_id, ?4, 'fallback', 'failed', te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED'), NULL,
                        ?3 || iif(te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED') = 'PORTABLE_EXPORT_FAILED', '',
                                  '; ' || t.provider_error_code || ' kept: a ticket may exist, so no file replaces it')
                   FROM ticket_exports t WHERE t.report_id = ?1 AND {failing} ORDER BY t.ticket_export_id"
            ),
            params![report_id, out_prefix, detail, ts_to_sql(now)],
        )
        .doing("recording fallback events")?;
        let n = tx
            .execute(
                &format!(
                    "UPDATE ticket_exports AS t SET export_status = 'failed',
                        failing_since = iif(t.provider_error_code IS te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED'),
                            coalesce(t.failing_since, ?4), ?4),
                        owner_kind = iif(te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED') = 'PORTABLE_EXPORT_FAILED', 'output_path', t.owner_kind),
                        owner_digest = iif(te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED') = 'PORTABLE_EXPORT_FAILED', ?3, t.owner_digest),
                        provider_error_code = te_code_after_failure(t.provider_error_code, 'PORTABLE_EXPORT_FAILED'),
                        outcome_recorded_at = ?4, updated_at = ?4
                      WHERE t.report_id = ?1 AND {failing}"
                ),
                params![report_id, out_prefix, owner_digest, ts_to_sql(now)],
            )
            .doing("recording a fallback failure")?;
        release(&tx, report_id, holder)?;
        tx.commit().doing("recording a fallback failure")?;
        Ok(n as u64)
    }
}

impl FallbackSelection<'_> {
    /// Adds one attempt to the run.
    pub fn add(&mut self, ticket_export_id: &str, report_id: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO temp.fallback_selection VALUES (?1, ?2)")
            .and_then(|mut s| s.execute([report_id, ticket_export_id]))
            .doing("selecting an attempt for fallback")?;
        self.count += 1;
        Ok(())
    }

    /// How many attempts were added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Ends the selection; the table stays for the rest of the run.
    pub fn finish(self) -> Result<u64, StoreError> {
        self.tx.commit().doing("finishing the fallback selection")?;
        Ok(self.count)
    }
}

/// Releases the leases `holder` took on a report's attempts, in the transaction that records
/// the report's outcome.
fn release(tx: &Transaction<'_>, report_id: &str, holder: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE ticket_exports SET lease_holder = NULL, lease_until = NULL
          WHERE report_id = ?1 AND lease_holder = ?2",
        params![report_id, holder],
    )
    .doing("releasing fallback attempts")?;
    Ok(())
}

fn source_from_row(r: &Row<'_>) -> rusqlite::Result<PortableSource> {
    let bad = |idx: usize, what: &str, value: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown {what} {value:?} in the store").into(),
        )
    };
    let severity: String = r.get(6)?;
    let status: String = r.get(12)?;
    let report_id: String = r.get(13)?;
    Ok(PortableSource {
        ticket_export_id: r.get(0)?,
        provider_key: r.get(1)?,
        fingerprint: r.get(2)?,
        finding: Finding {
            report_id: report_id.clone(),
            finding_id: r.get(3)?,
            rule_id: r.get(4)?,
            title: r.get(5)?,
            severity: Severity::parse(&severity).ok_or_else(|| bad(6, "severity", &severity))?,
            url: r.get(7)?,
            parameter: r.get(8)?,
            description: r.get(9)?,
            evidence: r.get(10)?,
            remediation: r.get(11)?,
            status: FindingStatus::parse(&status)
                .ok_or_else(|| bad(12, "finding status", &status))?,
        },
        report: Report {
            report_id,
            title: r.get(14)?,
            target: r.get(15)?,
        },
    })
}

#[cfg(test)]
#[path = "portable_tests.rs"]
mod tests;
