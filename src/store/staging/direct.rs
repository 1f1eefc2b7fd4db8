//! Records in the common order, written straight into the store's tables as they arrive.
//!
//! Each statement here is the one-row form of the merge `sql.rs` runs for deferred records, and
//! `Stored::changed_by` is its `DEFERRED_MARK_CHANGES` for one attempt: both routes must leave
//! the same store. Only the keys go to staging, for the whole-file checks.

use rusqlite::{OptionalExtension, params};

use super::{ExportRow, FindingRow, Identities, OpenReport, ReportAge, ReportRow, Writer, sql};
use crate::error::{SqlContext, StoreError};
use crate::fingerprint::{FindingIdentity, idempotency_key, normalise_url};

/// The stored attempt a direct one is compared with.
struct Stored {
    rowid: i64,
    report_id: String,
    finding_id: String,
    provider_key: String,
    duplicate_fingerprint: String,
    idempotency_key: String,
    mapping_status: String,
    mapping_missing: String,
    external_ticket_id: Option<String>,
    external_ticket_url: Option<String>,
    portable_export_path: Option<String>,
    outcome_recorded: bool,
    export_status: String,
    provider_error_code: Option<String>,
    provider_response_code: Option<i64>,
    retry_after: Option<String>,
    status_sync_status: Option<String>,
}

impl Stored {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            rowid: row.get(0)?,
            report_id: row.get(1)?,
            finding_id: row.get(2)?,
            provider_key: row.get(3)?,
            duplicate_fingerprint: row.get(4)?,
            idempotency_key: row.get(5)?,
            mapping_status: row.get(6)?,
            mapping_missing: row.get(7)?,
            external_ticket_id: row.get(8)?,
            external_ticket_url: row.get(9)?,
            portable_export_path: row.get(10)?,
            outcome_recorded: row.get(11)?,
            export_status: row.get(12)?,
            provider_error_code: row.get(13)?,
            provider_response_code: row.get(14)?,
            retry_after: row.get(15)?,
            status_sync_status: row.get(16)?,
        })
    }

    /// Whether the file changes what an update may change. Once this tool has recorded an
    /// outcome, status, code, cooldown and mapping are no longer the platform's to change; links
    /// only fill.
    fn changed_by(&self, e: &ExportRow) -> bool {
        (self.external_ticket_id.is_none() && e.external_ticket_id.is_some())
            || (self.external_ticket_url.is_none() && e.external_ticket_url.is_some())
            || (self.portable_export_path.is_none() && e.portable_export_path.is_some())
            || (!self.outcome_recorded
                && (self.mapping_status != e.mapping_status
                    || self.mapping_missing != e.mapping_missing
                    || self.export_status != e.export_status
                    || self.provider_error_code != e.provider_error_code
                    || self.provider_response_code != e.provider_response_code
                    || self.retry_after != e.retry_after
                    || self.status_sync_status.as_deref() != e.status_sync_status))
    }
}

/// Which setting owns a failure, for "retry only when the owning reason has changed".
fn owner_kind(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "PROVIDER_AUTH_FAILED" | "TICKET_EXPORT_DELIVERY_FAILED" => Some("connection"),
        "TICKET_EXPORT_MAPPING_REQUIRED" => Some("mapping"),
        "PORTABLE_EXPORT_FAILED" => Some("output_path"),
        _ => None,
    }
}

impl Writer<'_> {
    /// Merges a report whose header came before its lists; its records follow.
    pub(super) fn merge_report(&mut self, row: ReportRow) -> Result<(), StoreError> {
        let stored: Option<(String, Option<String>)> = self
            .tx
            .prepare_cached(sql::STORED_REPORT)
            .and_then(|mut s| {
                s.query_row([&row.report_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .doing("reading a report")?;
        let (stored_target, stored_exported_at) = stored.unzip();
        // Compared once per report: every finding of it is merged as its age allows.
        let age = ReportAge::of(
            row.exported_at.as_deref(),
            stored_exported_at.flatten().as_deref(),
        );
        let merge = match age {
            ReportAge::Older => {
                self.state.counts.older_reports.push(row.report_id.clone());
                sql::KEEP_REPORT
            }
            ReportAge::Undated | ReportAge::NotOlder => sql::MERGE_REPORT,
        };
        self.state.counts.reports += self
            .tx
            .prepare_cached(merge)
            .and_then(|mut s| {
                s.execute(params![
                    row.report_id,
                    row.title,
                    row.target,
                    row.exported_at
                ])
            })
            .doing("merging reports")? as u64;
        self.state.open = Some(OpenReport {
            idx: row.idx,
            report_id: row.report_id,
            target: row.target,
            stored_target,
            age,
        });
        Ok(())
    }

    /// The report a direct record belongs to: the last one merged.
    pub(super) fn open_report(&self, report_idx: usize) -> Option<&OpenReport> {
        self.state
            .open
            .as_ref()
            .filter(|open| open.idx == report_idx)
    }

    /// Merges a finding of the open report.
    pub(super) fn merge_finding(&mut self, r: &FindingRow) -> Result<(), StoreError> {
        let Some(open) = &self.state.open else {
            unreachable!("Writer::finding routes a finding without its report to staging")
        };
        let (statement, dated) = match open.age {
            ReportAge::Older => (&mut self.stmts.keep_finding, None),
            ReportAge::Undated => (&mut self.stmts.merge_finding, Some(false)),
            ReportAge::NotOlder => (&mut self.stmts.merge_finding, Some(true)),
        };
        let changed = match dated {
            // The older report's statement takes no `?12`.
            None => statement.execute(params![
                open.report_id,
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
            ]),
            Some(dated) => statement.execute(params![
                open.report_id,
                r.finding_id,
                r.rule_id,
                r.title,
                r.severity,
                r.url,
                r.parameter,
                r.description,
                r.evidence,
                r.remediation,
                r.status,
                dated
            ]),
        };
        self.state.counts.findings += changed.doing("merging findings")? as u64;
        Ok(())
    }

    /// An attempt whose report and findings came before it: resolved, checked and merged now.
    /// The caller has checked that its report is the open one.
    pub(super) fn direct_export(
        &mut self,
        report_idx: usize,
        idx: usize,
        e: &ExportRow,
        finding_seen: bool,
        identities: Option<Identities>,
    ) -> Result<(), StoreError> {
        let Some(open) = self.open_report(report_idx) else {
            unreachable!("Writer::stage routes an attempt without its report to staging")
        };
        let report_id = open.report_id.clone();
        let found = self
            .stmts
            .stored_attempt
            .query_row([&e.ticket_export_id], Stored::read)
            .optional()
            .doing("comparing with the store")?;
        // A row past the base was written by this import: the id is repeated in the file, which
        // the checks report. The attempt is resolved as the store before the import would have it.
        let repeated = found
            .as_ref()
            .is_some_and(|t| t.rowid > self.state.base_exports);
        let stored = found.filter(|t| t.rowid <= self.state.base_exports);
        let finding_exists = finding_seen || self.finding_exists(&report_id, e)?;
        let identities = match (&stored, identities) {
            (Some(t), _) => Some(Identities {
                duplicate_fingerprint: t.duplicate_fingerprint.clone(),
                idempotency_key: t.idempotency_key.clone(),
            }),
            (None, Some(computed)) => Some(computed),
            (None, None) => self.identities_from_store(report_idx, &report_id, e)?,
        };
        if let Some(ticket) = &e.external_ticket_id {
            let fingerprint = identities.as_ref().map(|i| &i.duplicate_fingerprint);
            self.stmts
                .stage_link
                .execute(params![
                    e.provider_key,
                    ticket,
                    fingerprint,
                    report_idx as i64,
                    idx as i64
                ])
                .doing("staging a link")?;
        }
        let path = format!("reports[{report_idx}].ticket_exports[{idx}]");
        let mut sound = true;
        if !finding_exists {
            sound = false;
            self.problem(
                format!("{path}.finding_id"),
                format!(
                    "finding \"{}\" is not in this report's findings (nor in the store)",
                    e.finding_id
                ),
            )?;
        }
        if let Some(t) = &stored
            && (t.report_id != report_id
                || t.finding_id != e.finding_id
                || t.provider_key != e.provider_key)
        {
            sound = false;
            self.problem(
                path,
                format!(
                    "ticket export \"{}\" belongs to {}/{} at {} in the store; an attempt's report, finding and provider never change: import it under a new ticket_export_id",
                    e.ticket_export_id, t.report_id, t.finding_id, t.provider_key
                ),
            )?;
        }
        if !sound || repeated {
            // The file will not be imported; its other problems are still being collected.
            return Ok(());
        }
        let change = match &stored {
            None => "created",
            Some(t) if t.changed_by(e) => "updated",
            Some(_) => {
                self.state.counts.attempts_unchanged += 1;
                return Ok(());
            }
        };
        if stored.is_none() {
            self.state.counts.attempts_created += 1;
        } else {
            self.state.counts.attempts_updated += 1;
        }
        self.write_export(e, &report_id, change, identities.as_ref(), stored.as_ref())
    }

    fn write_export(
        &mut self,
        e: &ExportRow,
        report_id: &str,
        change: &str,
        identities: Option<&Identities>,
        stored: Option<&Stored>,
    ) -> Result<(), StoreError> {
        // Identities are missing only where the checks already found a problem; a NULL then
        // fails the insert, as the merge of a deferred attempt would.
        let fingerprint = identities.map(|i| &i.duplicate_fingerprint);
        let key = identities.map(|i| &i.idempotency_key);
        let now = &self.state.now;
        self.stmts
            .record_event
            .execute(params![
                e.ticket_export_id,
                now,
                change,
                e.provider_error_code,
                e.provider_response_code,
                e.export_status,
                e.mapping_status
            ])
            .doing("recording import events")?;
        let kind = owner_kind(e.provider_error_code.as_deref());
        let digest = kind.and_then(|kind| {
            let owner = self.state.owners.get(&e.provider_key)?;
            Some(match kind {
                "connection" => &owner.connection,
                "mapping" => &owner.mapping,
                _ => &owner.output,
            })
        });
        let failing_since = e.provider_error_code.as_ref().map(|_| now);
        self.stmts
            .merge_export
            .execute(params![
                e.ticket_export_id,
                report_id,
                e.finding_id,
                e.provider_key,
                e.export_status,
                e.provider_error_code,
                e.provider_response_code,
                e.mapping_status,
                e.mapping_missing,
                fingerprint,
                key,
                e.retry_after,
                e.external_ticket_id,
                e.external_ticket_url,
                e.status_sync_status,
                e.portable_export_path,
                kind,
                digest,
                failing_since,
                now
            ])
            .doing("merging ticket exports")?;
        // The link as the merged attempt has it: a stored ticket is kept, a new one fills in.
        let ticket = stored
            .and_then(|t| t.external_ticket_id.as_ref())
            .or(e.external_ticket_id.as_ref());
        let Some(ticket) = ticket else {
            return Ok(());
        };
        let url = stored
            .and_then(|t| t.external_ticket_url.as_ref())
            .or(e.external_ticket_url.as_ref());
        self.stmts
            .merge_link
            .execute(params![
                e.provider_key,
                fingerprint,
                ticket,
                url,
                e.ticket_export_id,
                now
            ])
            .doing("recording links")?;
        Ok(())
    }

    fn problem(&mut self, path: String, message: String) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(sql::STAGE_PROBLEM)
            .and_then(|mut s| s.execute(params![path, message]))
            .doing("checking the import")?;
        Ok(())
    }

    /// Whether the finding is in the store, which by now holds this report's findings too.
    fn finding_exists(&self, report_id: &str, e: &ExportRow) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(sql::STORED_FINDING)
            .and_then(|mut s| s.exists([report_id, &e.finding_id]))
            .doing("reading a finding")
    }

    /// Identities the reader could not compute (its cache of the report's findings was full,
    /// or the finding is the store's): the file's finding with the file's target, else the
    /// store's with the store's, as the deferred route resolves them.
    fn identities_from_store(
        &self,
        report_idx: usize,
        report_id: &str,
        e: &ExportRow,
    ) -> Result<Option<Identities>, StoreError> {
        let fingerprint = match &e.duplicate_fingerprint {
            Some(given) => Some(given.clone()),
            None => self.computed_fingerprint(report_idx, report_id, e)?,
        };
        Ok(fingerprint.map(|fp| Identities {
            idempotency_key: e
                .idempotency_key
                .clone()
                .unwrap_or_else(|| idempotency_key(&fp)),
            duplicate_fingerprint: fp,
        }))
    }

    fn computed_fingerprint(
        &self,
        report_idx: usize,
        report_id: &str,
        e: &ExportRow,
    ) -> Result<Option<String>, StoreError> {
        let finding: Option<(String, String, Option<String>)> = self
            .tx
            .prepare_cached(sql::STORED_FINDING)
            .and_then(|mut s| {
                s.query_row([report_id, &e.finding_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
            })
            .doing("reading a finding")?;
        let Some((rule_id, url, parameter)) = finding else {
            return Ok(None);
        };
        let in_file = self
            .tx
            .prepare_cached(sql::FILE_HAS_FINDING)
            .and_then(|mut s| s.exists(params![report_idx as i64, e.finding_id]))
            .doing("reading a finding")?;
        let open = self.state.open.as_ref();
        let target = if in_file {
            open.map(|o| &o.target)
        } else {
            open.and_then(|o| o.stored_target.as_ref())
        };
        Ok(target.map(|target| {
            FindingIdentity::new(&rule_id, &url, parameter.as_deref())
                .fingerprint(&normalise_url(target), &e.provider_key)
        }))
    }
}
