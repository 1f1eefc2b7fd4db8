//! The fallback's part in the lease `retry` and `sync` take: one finding at one destination is
//! handled by one command at a time, and no file is written for an attempt whose ticket may
//! exist.
//!
//! Claims are taken report by report, in one transaction per report, just before its rows are
//! read; `record_fallback_written` and `record_fallback_failed` release them in the
//! transaction that records the outcome.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::attempts::{COLUMNS, attempt_from_row};
use super::{Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::{ExportStatus, FailureCode, TicketExport};

/// A selected attempt a fallback run leaves out when it claims its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub ticket_export_id: String,
    pub report_id: String,
    /// Another live run holds it (or another attempt of the same finding at its destination).
    pub held: bool,
    pub why: String,
}

/// Whether an attempt's create may have reached the provider without a confirmed outcome: its
/// status says so, or a create's answer was lost and no lookup ran since. `?` is `t`.
const UNSURE: &str = "(t.export_status IN ('uncertain', 'in_flight')
    OR EXISTS (SELECT 1 FROM events e WHERE e.ticket_export_id = t.ticket_export_id
                 AND e.action = 'create' AND e.outcome = 'uncertain'
                 AND NOT EXISTS (SELECT 1 FROM events l WHERE l.ticket_export_id = t.ticket_export_id
                                   AND l.id > e.id AND l.action = 'lookup')))";

impl Store {
    /// The selected attempts whose ticket may exist (an uncertain or in-flight create, or a
    /// create whose answer was lost and not looked up since): each is looked up at its
    /// provider, or left out, before any file is written for it.
    pub fn fallback_unsure(&self) -> Result<Vec<TicketExport>, StoreError> {
        let cols = COLUMNS
            .split(',')
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM temp.fallback_selection s
               JOIN ticket_exports t ON t.ticket_export_id = s.ticket_export_id
              WHERE {UNSURE} ORDER BY s.report_id, s.ticket_export_id"
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .doing("reading the fallback selection")?;
        let rows = stmt
            .query_map([], attempt_from_row)
            .doing("reading the fallback selection")?;
        rows.collect::<Result<_, _>>()
            .doing("reading the fallback selection")
    }

    /// Takes an attempt out of this run's selection: no file is written for it.
    pub fn leave_out_of_fallback(&self, report_id: &str, id: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "DELETE FROM temp.fallback_selection WHERE report_id = ?1 AND ticket_export_id = ?2",
            )
            .and_then(|mut s| s.execute([report_id, id]))
            .doing("leaving an attempt out of the fallback")?;
        Ok(())
    }

    /// Claims, for `holder`, every selected attempt of one report, in one transaction, and
    /// takes out of the selection (returning them) those it must not write: held by another
    /// live run (`stale` decides whether a holder is gone), or changed since the selection so
    /// that a ticket exists or may exist. Attempts `holder` claimed already (looked up first)
    /// stay as they are.
    pub fn claim_fallback_report(
        &self,
        report_id: &str,
        holder: &str,
        until: Timestamp,
        stale: impl Fn(&str, Timestamp) -> bool,
    ) -> Result<Vec<LeftOut>, StoreError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .doing("claiming fallback attempts")?;
        let rows: Vec<Row> = {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT t.ticket_export_id, t.lease_holder, t.lease_until, t.export_status,
                        t.provider_error_code, coalesce(t.external_ticket_url, t.external_ticket_id), {UNSURE},
                        (SELECT group_concat(o.lease_holder || char(9) || o.lease_until, char(10))
                           FROM ticket_exports o
                          WHERE o.provider_key = t.provider_key AND o.duplicate_fingerprint = t.duplicate_fingerprint
                            AND o.ticket_export_id != t.ticket_export_id AND o.lease_holder IS NOT NULL
                            AND o.lease_holder != ?2),
                        (SELECT l.external_ticket_id || ' (through ' || l.ticket_export_id || ')' FROM links l
                          WHERE l.provider_key = t.provider_key AND l.duplicate_fingerprint = t.duplicate_fingerprint),
                        EXISTS (SELECT 1 FROM ticket_exports o
                          WHERE o.provider_key = t.provider_key AND o.duplicate_fingerprint = t.duplicate_fingerprint
                            AND o.ticket_export_id != t.ticket_export_id
                            AND o.export_status IN ('uncertain', 'in_flight', 'exported', 'linked')
                            -- one this run claimed was looked up first and answered none
                            AND o.lease_holder IS NOT ?2)
                       FROM temp.fallback_selection s JOIN ticket_exports t ON t.ticket_export_id = s.ticket_export_id
                      WHERE s.report_id = ?1"
                ))
                .doing("claiming fallback attempts")?;
            let rows = stmt
                .query_map(params![report_id, holder], |r| {
                    Ok(Row {
                        id: r.get(0)?,
                        holder: r.get(1)?,
                        until: r.get(2)?,
                        status: r.get(3)?,
                        code: r.get(4)?,
                        ticket: r.get(5)?,
                        unsure: r.get(6)?,
                        others: r.get(7)?,
                        finding_linked: r.get(8)?,
                        sibling_ticket: r.get(9)?,
                    })
                })
                .doing("claiming fallback attempts")?;
            rows.collect::<Result<_, _>>()
                .doing("claiming fallback attempts")?
        };
        let live = |h: &str, until: Option<&str>| {
            h != holder && until.and_then(ts_from_sql).is_some_and(|u| !stale(h, u))
        };
        let mut left = Vec::new();
        for row in rows {
            let mine = row.holder.as_deref() == Some(holder);
            let held_here = row
                .holder
                .as_deref()
                .is_some_and(|h| live(h, row.until.as_deref()));
            let held_beside = row.others.as_deref().is_some_and(|others| {
                others
                    .lines()
                    .filter_map(|l| l.split_once('\t'))
                    .any(|(h, u)| live(h, Some(u)))
            });
            let why = if held_here {
                Some((true, "held by another ticket-export run (retry, sync or fallback); it records the outcome".to_owned()))
            } else if held_beside {
                Some((true, "another attempt of the same finding at this destination is held by another ticket-export run".to_owned()))
            } else if mine {
                None
            } else {
                row.changed().map(|why| (false, why))
            };
            if let Some((held, why)) = why {
                tx.prepare_cached(
                    "DELETE FROM temp.fallback_selection WHERE report_id = ?1 AND ticket_export_id = ?2",
                )
                .and_then(|mut s| s.execute([report_id, row.id.as_str()]))
                .doing("claiming fallback attempts")?;
                left.push(LeftOut {
                    ticket_export_id: row.id,
                    report_id: report_id.to_owned(),
                    held,
                    why: format!("{why}; no file written"),
                });
            }
        }
        tx.prepare_cached(
            "UPDATE ticket_exports SET lease_holder = ?2, lease_until = ?3
              WHERE ticket_export_id IN (SELECT ticket_export_id FROM temp.fallback_selection WHERE report_id = ?1)",
        )
        .and_then(|mut s| s.execute(params![report_id, holder, ts_to_sql(until)]))
        .doing("claiming fallback attempts")?;
        tx.commit().doing("claiming fallback attempts")?;
        Ok(left)
    }
}

impl Store {
    /// For a claimed attempt whose finding was already delivered at the same destination as
    /// portable files through another attempt: records those files as this attempt's export too
    /// (`fallback_written`, the same `portable_export_path`, an event) and releases the claim,
    /// so `retry` never creates a ticket beside them. Returns the other attempt's id, or None
    /// when there is no such attempt (nothing is changed then).
    pub fn adopt_sibling_portable(
        &mut self,
        id: &str,
        holder: &str,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("checking the finding's portable files")?;
        let sibling: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT o.ticket_export_id, o.portable_export_path FROM ticket_exports t
                   JOIN ticket_exports o ON o.provider_key = t.provider_key
                                        AND o.duplicate_fingerprint = t.duplicate_fingerprint
                  WHERE t.ticket_export_id = ?1 AND o.ticket_export_id != ?1
                    AND o.export_status = 'fallback_written'
                  ORDER BY o.ticket_export_id LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .doing("checking the finding's portable files")?;
        let Some((other, path)) = sibling else {
            return Ok(None);
        };
        let at = ts_to_sql(now);
        tx.execute(
            "UPDATE ticket_exports SET export_status = 'fallback_written', portable_export_path = ?3,
                 provider_error_code = NULL, provider_response_code = NULL, retry_after = NULL,
                 owner_kind = NULL, owner_digest = NULL, failing_since = NULL,
                 outcome_recorded_at = ?4, updated_at = ?4, lease_holder = NULL, lease_until = NULL
              WHERE ticket_export_id = ?1 AND lease_holder = ?2",
            params![id, holder, path, at],
        )
        .doing("recording the finding's portable files")?;
        super::outcomes::insert_event(
            &tx,
            id,
            now,
            "retry",
            "fallback_written",
            None,
            None,
            &format!(
                "the finding's portable files were written through {other} for this destination; \
                 they are this attempt's export too, so nothing was sent"
            ),
        )?;
        tx.commit()
            .doing("recording the finding's portable files")?;
        Ok(Some(other))
    }
}

/// One selected attempt as its report's claim reads it.
struct Row {
    id: String,
    holder: Option<String>,
    until: Option<String>,
    status: String,
    code: Option<String>,
    ticket: Option<String>,
    unsure: bool,
    others: Option<String>,
    /// The ticket linked for the same finding at this destination, through any attempt.
    finding_linked: Option<String>,
    /// Another attempt of the same finding at this destination has, or may have, a ticket.
    sibling_ticket: bool,
}

impl Row {
    /// What changed since the selection that forbids a file, if anything: another run linked
    /// it, found a duplicate, or sent a create whose outcome is unknown.
    fn changed(&self) -> Option<String> {
        if let Some(ticket) = &self.ticket {
            return Some(format!(
                "linked to the ticket {ticket} since this run selected it"
            ));
        }
        if matches!(
            ExportStatus::parse(&self.status),
            Some(ExportStatus::Exported | ExportStatus::Linked)
        ) {
            return Some(format!(
                "export_status became {} since this run selected it: the ticket exists",
                self.status
            ));
        }
        // The same finding at the same destination, exported through another attempt: its
        // ticket is this attempt's ticket too, and a file would be imported as a second one.
        if let Some(ticket) = &self.finding_linked {
            return Some(format!(
                "the finding already has the ticket {ticket} at this destination; a portable \
                 file would be imported as a duplicate; `ticket-export retry {}` links it",
                self.id
            ));
        }
        if self.sibling_ticket {
            return Some(
                "another attempt of the same finding at this destination has, or may have, a \
                 ticket; `ticket-export retry` looks it up and links it"
                    .to_owned(),
            );
        }
        let code = self.code.as_deref().and_then(FailureCode::parse);
        if let Some(code @ (FailureCode::DuplicateBlocked | FailureCode::StatusSyncFailed)) = code {
            return Some(format!(
                "{code} since this run selected it: a ticket exists for this finding"
            ));
        }
        self.unsure.then(|| {
            "a create may have reached the provider since this run selected it (another run \
             sent one); run fallback again: it looks the ticket up first"
                .to_owned()
        })
    }
}
