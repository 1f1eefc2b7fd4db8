//! Reading attempts, findings and reports.

use std::ops::ControlFlow;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, ToSql};

use super::{Store, ts_from_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::*;

/// Which attempts a listing selects. Empty fields select everything.
#[derive(Debug, Clone, Default)]
pub struct AttemptFilter {
    pub ids: Vec<String>,
    pub report: Option<String>,
    pub provider: Option<String>,
    /// A failure code, or `none` for attempts without one.
    pub code: Option<String>,
}

/// One attempt of a listing, read from its row only as far as the caller asks.
pub struct AttemptRow<'a> {
    row: &'a Row<'a>,
}

/// The columns of [`COLUMNS`] that triage reads for a decision's state and action, as
/// [`AttemptRow::triage_key`] lists them. Ids, fingerprint, ticket and path values only ever go
/// into the words of a decision, so they count by presence (the ticket and the path) or not at
/// all; `retry_after` counts by whether it is still ahead, the only thing triage asks of it.
/// The provider's stored cooldown, also an input, is one per `provider_key`, which is a key.
const KEY_COLUMNS: [usize; 11] = [3, 4, 5, 6, 7, 8, 14, 17, 18, 19, 22];
const PRESENCE_COLUMNS: [usize; 3] = [12, 13, 15];

impl AttemptRow<'_> {
    /// `ticket_export_id` and `report_id`, borrowed from the row.
    pub fn ids(&self) -> Result<(&str, &str), StoreError> {
        let text = |i: usize| {
            self.row
                .get_ref(i)
                .and_then(|v| v.as_str().map_err(Into::into))
                .doing("reading an attempt")
        };
        Ok((text(0)?, text(1)?))
    }

    /// The whole attempt.
    pub fn attempt(&self) -> Result<TicketExport, StoreError> {
        attempt_from_row(self.row).doing("reading an attempt")
    }

    /// Appends to `key` the inputs that triage reads for a decision's state and action, so that
    /// two attempts with equal keys, decided against the same config, health and clock, get the
    /// same state and action (the words differ: they name the attempt).
    pub fn triage_key(&self, now: Timestamp, key: &mut Vec<u8>) -> Result<(), StoreError> {
        use rusqlite::types::ValueRef;
        // The same encoding as `inspect --summary`'s groups.
        for i in KEY_COLUMNS {
            super::summary::encode(self.row.get_ref(i).doing("reading an attempt")?, key);
        }
        // The ticket counts by value where a decision checks that it can be addressed.
        let text = |i: usize| -> Result<Option<&str>, StoreError> {
            Ok(self
                .row
                .get_ref(i)
                .doing("reading an attempt")?
                .as_str()
                .ok())
        };
        let by_value = crate::triage::reads_ticket(text(5)?, text(14)?);
        for i in PRESENCE_COLUMNS {
            let value = self.row.get_ref(i).doing("reading an attempt")?;
            if by_value && i != 15 {
                super::summary::encode(value, key);
            } else {
                key.push(u8::from(value != ValueRef::Null));
            }
        }
        let retry_after = ts_col(self.row, 11).doing("reading an attempt")?;
        let ahead = crate::triage::cooldown_until(retry_after, now).is_some();
        key.push(u8::from(ahead));
        Ok(())
    }
}

pub(super) const COLUMNS: &str = "ticket_export_id, report_id, finding_id, provider_key, export_status, provider_error_code,
    provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint, idempotency_key, retry_after,
    external_ticket_id, external_ticket_url, status_sync_status, portable_export_path, attempt_count, owner_kind,
    owner_digest, failing_since, created_at, updated_at, sync_conflict_at IS NOT NULL";

pub(super) fn ts_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    Ok(row
        .get::<_, Option<String>>(idx)?
        .as_deref()
        .and_then(ts_from_sql))
}

pub(super) fn bad(idx: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?} in the store").into(),
    )
}

pub(super) fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<TicketExport> {
    let status: String = row.get(4)?;
    let mapping: String = row.get(7)?;
    let missing: String = row.get(8)?;
    let sync: Option<String> = row.get(14)?;
    let owner_kind: Option<String> = row.get(17)?;
    let owner_digest: Option<String> = row.get(18)?;
    Ok(TicketExport {
        ticket_export_id: row.get(0)?,
        report_id: row.get(1)?,
        finding_id: row.get(2)?,
        provider_key: row.get(3)?,
        export_status: ExportStatus::parse(&status)
            .ok_or_else(|| bad(4, "export_status", &status))?,
        provider_error_code: row
            .get::<_, Option<String>>(5)?
            .map(|c| FailureCode::parse(&c).unwrap_or(FailureCode::Other(c))),
        provider_response_code: row.get(6)?,
        mapping_status: MappingStatus::parse(&mapping)
            .ok_or_else(|| bad(7, "mapping_status", &mapping))?,
        mapping_missing: serde_json::from_str(&missing).unwrap_or_default(),
        duplicate_fingerprint: row.get(9)?,
        idempotency_key: row.get(10)?,
        retry_after: ts_col(row, 11)?,
        external_ticket_id: row.get(12)?,
        external_ticket_url: row.get(13)?,
        status_sync_status: sync.as_deref().and_then(SyncStatus::parse),
        portable_export_path: row.get(15)?,
        attempt_count: row.get(16)?,
        owner: match (
            owner_kind.as_deref().and_then(OwnerKind::parse),
            owner_digest,
        ) {
            (Some(kind), Some(digest)) => Some(Owner { kind, digest }),
            _ => None,
        },
        failing_since: ts_col(row, 19)?,
        created_at: ts_col(row, 20)?,
        updated_at: ts_col(row, 21)?,
        sync_conflict: row.get(22)?,
    })
}

impl Store {
    /// One attempt by id.
    pub fn attempt(&self, id: &str) -> Result<Option<TicketExport>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM ticket_exports WHERE ticket_export_id = ?1"
            ))
            .and_then(|mut s| s.query_row([id], attempt_from_row).optional())
            .doing("reading an attempt")
    }

    /// Streams the selected attempts in id order to `visit`, which may stop early.
    pub fn for_each_attempt(
        &self,
        filter: &AttemptFilter,
        mut visit: impl FnMut(TicketExport) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        self.for_each_attempt_row(filter, |row| {
            Ok(visit(attempt_from_row(row).doing("reading an attempt")?))
        })
    }

    /// [`Store::for_each_attempt`] for callers that decide many attempts: each is seen as an
    /// [`AttemptRow`], whose fields are read only when asked for.
    pub fn for_each_attempt_keyed(
        &self,
        filter: &AttemptFilter,
        mut visit: impl FnMut(&AttemptRow<'_>) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        self.for_each_attempt_row(filter, |row| visit(&AttemptRow { row }))
    }

    fn for_each_attempt_row(
        &self,
        filter: &AttemptFilter,
        mut visit: impl FnMut(&Row<'_>) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        let mut clauses = Vec::new();
        let mut args: Vec<&dyn ToSql> = Vec::new();
        let id_list;
        if !filter.ids.is_empty() {
            id_list = serde_json::to_string(&filter.ids).unwrap_or_default();
            clauses.push("ticket_export_id IN (SELECT value FROM json_each(?))");
            args.push(&id_list);
        }
        if let Some(report) = &filter.report {
            clauses.push("report_id = ?");
            args.push(report);
        }
        if let Some(provider) = &filter.provider {
            clauses.push("provider_key = ?");
            args.push(provider);
        }
        match filter.code.as_deref() {
            Some("none") => clauses.push("provider_error_code IS NULL"),
            Some(code) => {
                clauses.push("provider_error_code = ?");
                args.push(&filter.code);
                let _ = code;
            }
            None => {}
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql =
            format!("SELECT {COLUMNS} FROM ticket_exports {where_sql} ORDER BY ticket_export_id");
        let mut stmt = self.conn.prepare(&sql).doing("listing attempts")?;
        let mut rows = stmt.query(&args[..]).doing("listing attempts")?;
        while let Some(row) = rows.next().doing("listing attempts")? {
            if visit(row)?.is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Every report, in id order.
    pub fn reports(&self) -> Result<Vec<Report>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT report_id, title, target FROM reports ORDER BY report_id")
            .doing("listing reports")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Report {
                    report_id: r.get(0)?,
                    title: r.get(1)?,
                    target: r.get(2)?,
                })
            })
            .doing("listing reports")?;
        rows.collect::<Result<_, _>>().doing("listing reports")
    }

    /// The finding an attempt exports.
    pub fn finding(
        &self,
        report_id: &str,
        finding_id: &str,
    ) -> Result<Option<Finding>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence,
                        remediation, status FROM findings WHERE report_id = ?1 AND finding_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row([report_id, finding_id], |r| {
                    let severity: String = r.get(4)?;
                    let status: String = r.get(10)?;
                    Ok(Finding {
                        report_id: r.get(0)?,
                        finding_id: r.get(1)?,
                        rule_id: r.get(2)?,
                        title: r.get(3)?,
                        severity: Severity::parse(&severity).ok_or_else(|| bad(4, "severity", &severity))?,
                        url: r.get(5)?,
                        parameter: r.get(6)?,
                        description: r.get(7)?,
                        evidence: r.get(8)?,
                        remediation: r.get(9)?,
                        status: FindingStatus::parse(&status).ok_or_else(|| bad(10, "finding status", &status))?,
                    })
                })
                .optional()
            })
            .doing("reading a finding")
    }
}
