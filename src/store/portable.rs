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
    /// value are left alone, so a rerun changes nothing. Returns the attempts changed.
    pub fn record_fallback_written(
        &self,
        report_id: &str,
        out_prefix: &str,
        value: &str,
        holder: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
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
        Ok(n as u64)
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
mod tests {
    use super::*;

    fn seeded() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO reports (report_id, title, target) VALUES ('r2', 'B', 'https://b.example'), ('r1', 'A', 'https://a.example');
                 INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f1', 'x', 'T1', 'high', 'u', NULL, 'd', 'e', 'm', 'open'),
                     ('r1', 'f2', 'x', 'T2', 'low', 'u', 'q', 'd', 'e', 'm', 'open'),
                     ('r2', 'f3', 'x', 'T3', 'info', 'u', NULL, 'd', 'e', 'm', 'open');
                 INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                     provider_error_code, mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
                   VALUES ('t3', 'r2', 'f3', 'p', 'failed', 'TICKET_EXPORT_PROVIDER_UNAVAILABLE', 'complete', 'fp1:c', 'k3', 'x', 'x'),
                          ('t2', 'r1', 'f2', 'p', 'pending', NULL, 'complete', 'fp1:b', 'k2', 'x', 'x'),
                          ('t1', 'r1', 'f1', 'p', 'failed', 'PORTABLE_EXPORT_FAILED', 'complete', 'fp1:a', 'k1', 'x', 'x');",
            )
            .unwrap();
        store
    }

    fn select(store: &Store, ids: &[(&str, &str)]) {
        let mut sel = store.fallback_selection().unwrap();
        for (id, report) in ids {
            sel.add(id, report).unwrap();
        }
        assert_eq!(sel.finish().unwrap(), ids.len() as u64);
    }

    fn rows(store: &Store) -> Vec<String> {
        rows_in(store, "/out/")
    }

    fn rows_in(store: &Store, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut after = None;
        while let Some(report) = store.next_fallback_report(after.as_deref()).unwrap() {
            store
                .for_each_fallback_row(&report, prefix, |s| {
                    out.push(s.ticket_export_id);
                    ControlFlow::Continue(())
                })
                .unwrap();
            after = Some(report);
        }
        out
    }

    #[test]
    fn rows_come_by_report_then_id_and_earlier_files_stay_members() {
        let store = seeded();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        select(&store, &[("t3", "r2"), ("t1", "r1")]);
        assert_eq!(rows(&store), ["t1", "t3"]);
        let value = "/out/r1/SHA256SUMS sha256:aa";
        assert_eq!(
            store
                .record_fallback_written("r1", "/out/", value, "h", now)
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .record_fallback_written("r1", "/out/", value, "h", now)
                .unwrap(),
            0,
            "rerun changes nothing"
        );
        let t1 = store.attempt("t1").unwrap().unwrap();
        assert_eq!(t1.export_status.as_str(), "fallback_written");
        assert_eq!(
            (t1.provider_error_code, t1.portable_export_path.as_deref()),
            (None, Some(value))
        );
        // A later run for t2 alone still writes t1 into r1's files.
        select(&store, &[("t2", "r1")]);
        assert_eq!(rows(&store), ["t1", "t2"]);
        // The other folder does not count.
        assert_eq!(rows_in(&store, "/elsewhere/"), ["t2"]);
    }

    #[test]
    fn a_failure_marks_only_attempts_without_a_file_here() {
        let store = seeded();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        select(&store, &[("t1", "r1")]);
        store
            .record_fallback_written("r1", "/out/", "/out/r1/SHA256SUMS sha256:aa", "h", now)
            .unwrap();
        select(&store, &[("t1", "r1"), ("t2", "r1")]);
        assert_eq!(
            store
                .record_fallback_failed("r1", "/out/", "disk full", "dg", "h", now)
                .unwrap(),
            1
        );
        let t2 = store.attempt("t2").unwrap().unwrap();
        assert_eq!(
            t2.provider_error_code.unwrap().as_str(),
            "PORTABLE_EXPORT_FAILED"
        );
        assert_eq!(t2.owner.unwrap().digest, "dg");
        assert_eq!(
            store.attempt("t1").unwrap().unwrap().export_status.as_str(),
            "fallback_written"
        );
        let events = store.events("t2").unwrap();
        assert_eq!(
            (events[0].outcome.as_str(), events[0].detail.as_str()),
            ("failed", "disk full")
        );
    }
}
