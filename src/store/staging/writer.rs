//! Takes records as the reader sends them and writes or stages each as its route says.
//!
//! The statements run once per record are prepared here once: rusqlite's statement cache
//! hashes and compares the whole SQL text on every use, which for these long statements cost
//! about a tenth of an import's time.

use rusqlite::{Statement, Transaction, params};

use super::{ExportRow, FindingRow, OwnerDigestsOwned, ReportRow, Route, Staged, State, sql};
use crate::error::{SqlContext, StoreError};
use crate::store::OwnerDigests;

/// Writes the records of one import, in file order.
pub struct Writer<'s> {
    pub(super) tx: &'s Transaction<'s>,
    pub(super) state: &'s mut State,
    pub(super) stmts: Statements<'s>,
}

/// The statements run for every record.
pub(super) struct Statements<'s> {
    pub stage_finding_id: Statement<'s>,
    pub stage_export_id: Statement<'s>,
    pub stage_link: Statement<'s>,
    pub stored_attempt: Statement<'s>,
    pub merge_finding: Statement<'s>,
    pub keep_finding: Statement<'s>,
    pub merge_export: Statement<'s>,
    pub record_event: Statement<'s>,
    pub merge_link: Statement<'s>,
}

impl<'s> Writer<'s> {
    pub(super) fn new(tx: &'s Transaction<'s>, state: &'s mut State) -> Result<Self, StoreError> {
        let prepare = |sql: &str| tx.prepare(sql).doing("preparing the import");
        let stmts = Statements {
            stage_finding_id: prepare(sql::STAGE_FINDING_ID)?,
            stage_export_id: prepare(sql::STAGE_EXPORT_ID)?,
            stage_link: prepare(sql::STAGE_LINK)?,
            stored_attempt: prepare(sql::STORED_ATTEMPT)?,
            merge_finding: prepare(sql::MERGE_FINDING)?,
            keep_finding: prepare(sql::KEEP_FINDING)?,
            merge_export: prepare(sql::MERGE_EXPORT)?,
            record_event: prepare(sql::RECORD_EVENT)?,
            merge_link: prepare(sql::MERGE_LINK)?,
        };
        Ok(Writer { tx, state, stmts })
    }

    /// Records the owning-setting digests of a configured provider.
    pub fn owner_digests(&mut self, d: &OwnerDigests<'_>) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql::STAGE_OWNERS,
                params![d.provider_key, d.connection, d.mapping, d.output],
            )
            .doing("staging provider digests")?;
        self.state.owners.insert(
            d.provider_key.to_owned(),
            OwnerDigestsOwned {
                connection: d.connection.to_owned(),
                mapping: d.mapping.to_owned(),
                output: d.output.to_owned(),
            },
        );
        Ok(())
    }

    /// Takes one record: writes it into the store or stages it, as its route says.
    pub fn stage(&mut self, record: Staged) -> Result<(), StoreError> {
        match record {
            Staged::Report { row, route } => self.report(row, route),
            Staged::Finding {
                report_idx,
                idx,
                row,
                route,
            } => self.finding(report_idx, idx, &row, route),
            Staged::Export {
                report_idx,
                idx,
                row,
                route,
                finding_seen,
                identities,
            } => {
                self.stmts
                    .stage_export_id
                    .execute(params![row.ticket_export_id, report_idx as i64, idx as i64])
                    .doing("staging a ticket export")?;
                if route == Route::Direct && self.open_report(report_idx).is_some() {
                    self.direct_export(report_idx, idx, &row, finding_seen, identities)?;
                    let written =
                        self.state.counts.attempts_created + self.state.counts.attempts_updated;
                    self.state.indexes.note(self.tx, written)
                } else {
                    self.deferred_export(report_idx, idx, &row)
                }
            }
        }
    }

    fn report(&mut self, row: ReportRow, route: Route) -> Result<(), StoreError> {
        let direct = route == Route::Direct;
        self.tx
            .execute(
                sql::STAGE_REPORT,
                params![
                    row.idx as i64,
                    row.report_id,
                    row.title,
                    row.target,
                    direct,
                    row.exported_at
                ],
            )
            .doing("staging a report")?;
        if !direct {
            self.state.deferred = true;
            return Ok(());
        }
        self.merge_report(row)
    }

    fn finding(
        &mut self,
        report_idx: usize,
        idx: usize,
        r: &FindingRow,
        route: Route,
    ) -> Result<(), StoreError> {
        self.stmts
            .stage_finding_id
            .execute(params![report_idx as i64, r.finding_id, idx as i64])
            .doing("staging a finding")?;
        if route == Route::Direct && self.open_report(report_idx).is_some() {
            return self.merge_finding(r);
        }
        self.state.deferred = true;
        self.tx
            .prepare_cached(sql::STAGE_FINDING)
            .and_then(|mut s| {
                s.execute(params![
                    report_idx as i64,
                    idx as i64,
                    r.finding_id,
                    r.rule_id,
                    r.title,
                    r.severity,
                    r.url,
                    r.parameter,
                    r.description,
                    r.evidence,
                    r.remediation,
                    r.status
                ])
            })
            .doing("staging a finding")?;
        Ok(())
    }

    /// Stages an attempt whole, to be resolved and merged by SQL at the end.
    fn deferred_export(
        &mut self,
        report_idx: usize,
        idx: usize,
        r: &ExportRow,
    ) -> Result<(), StoreError> {
        self.state.deferred = true;
        self.tx
            .prepare_cached(sql::STAGE_EXPORT)
            .and_then(|mut s| {
                s.execute(params![
                    report_idx as i64,
                    idx as i64,
                    r.ticket_export_id,
                    r.finding_id,
                    r.provider_key,
                    r.export_status,
                    r.provider_error_code,
                    r.provider_response_code,
                    r.mapping_status,
                    r.mapping_missing,
                    r.duplicate_fingerprint,
                    r.idempotency_key,
                    r.retry_after,
                    r.external_ticket_id,
                    r.external_ticket_url,
                    r.status_sync_status,
                    r.portable_export_path
                ])
            })
            .doing("staging a ticket export")?;
        Ok(())
    }
}
