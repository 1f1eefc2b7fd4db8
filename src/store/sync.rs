//! What `sync` reads and records: linked attempts, the last synced pair, and sync outcomes.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::attempts::{COLUMNS, attempt_from_row};
use super::outcomes::{held_elsewhere, insert_event, stored_code};
use super::{AttemptFilter, Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::{FailureCode, FindingStatus, TicketExport};

/// A linked ticket to sync, with the finding's status and the last synced pair.
#[derive(Debug, Clone)]
pub struct SyncItem {
    pub attempt: TicketExport,
    pub ticket_id: String,
    pub ticket_url: Option<String>,
    pub last_synced: Option<String>,
    /// The state a push was moving the ticket to, when its outcome was never recorded.
    pub push_target: Option<String>,
    pub finding_status: FindingStatus,
}

/// A linked ticket as the first, light read of `sync` sees it: enough to start each provider's
/// listing while the full items are still being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLink {
    pub ticket_export_id: String,
    pub provider_key: String,
    pub ticket_id: String,
    pub retry_after: Option<Timestamp>,
}

/// A sync decided from a provider's listing that writes nothing to the provider (pulled,
/// converged, or unchanged with a failure to clear), recorded in a batch without a claim.
#[derive(Debug, Clone, Copy)]
pub struct ListedSync<'a> {
    pub id: &'a str,
    /// The link's last synced pair and push target when the batch was read: the record only
    /// applies while the link is still so.
    pub last_synced: Option<&'a str>,
    pub push_target: Option<&'a str>,
    pub synced: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
}

/// What became of one [`ListedSync`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedOutcome {
    Recorded,
    /// Another live run holds the attempt (or one of the same fingerprint).
    Held,
    /// Another run synced the link since the batch read (or it is gone): it needs a fresh look.
    Changed,
}

/// The selection `sync` works on, shared by its two reads: `?1` ids (JSON array), `?2` report,
/// `?3` provider.
const SELECTED_LINKS: &str = "FROM links l
               JOIN ticket_exports t ON t.ticket_export_id = l.ticket_export_id
               JOIN findings f ON f.report_id = t.report_id AND f.finding_id = t.finding_id
              WHERE (?1 = '[]' OR t.ticket_export_id IN (SELECT value FROM json_each(?1)))
                AND (?2 IS NULL OR t.report_id = ?2)
                AND (?3 IS NULL OR t.provider_key = ?3)";

/// A failed or conflicting sync, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct SyncFailure<'a> {
    pub http_status: Option<u16>,
    pub retry_after: Option<Timestamp>,
    /// `failed` or `conflict`.
    pub outcome: &'a str,
    /// The wait is the tool's backoff, not one the provider sent: recorded as the tool's
    /// cooldown owner so that triage and sync never say the provider asked for it.
    pub tool_wait: bool,
    pub detail: &'a str,
}

impl Store {
    /// The selected links, light: ids, provider, ticket and the attempt's wait.
    pub fn sync_links(&self, filter: &AttemptFilter) -> Result<Vec<SyncLink>, StoreError> {
        let ids = serde_json::to_string(&filter.ids).unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "SELECT t.ticket_export_id, t.provider_key, l.external_ticket_id, t.retry_after {SELECTED_LINKS}
              ORDER BY t.provider_key, t.ticket_export_id"
        );
        let mut stmt = self.conn.prepare(&sql).doing("listing linked tickets")?;
        let rows = stmt
            .query_map(params![ids, filter.report, filter.provider], |r| {
                let retry_after: Option<String> = r.get(3)?;
                Ok(SyncLink {
                    ticket_export_id: r.get(0)?,
                    provider_key: r.get(1)?,
                    ticket_id: r.get(2)?,
                    retry_after: retry_after.as_deref().and_then(ts_from_sql),
                })
            })
            .doing("listing linked tickets")?;
        rows.collect::<Result<_, _>>()
            .doing("listing linked tickets")
    }

    /// Every link (one per finding and destination) among the selected attempts.
    pub fn sync_items(&self, filter: &AttemptFilter) -> Result<Vec<SyncItem>, StoreError> {
        let cols = COLUMNS
            .split(',')
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let ids = serde_json::to_string(&filter.ids).unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "SELECT {cols}, l.external_ticket_id, l.external_ticket_url, l.last_synced_state, f.status, l.push_target
               {SELECTED_LINKS}
              ORDER BY t.provider_key, t.ticket_export_id"
        );
        let mut stmt = self.conn.prepare(&sql).doing("listing linked tickets")?;
        let n = COLUMNS.split(',').count();
        let rows = stmt
            .query_map(params![ids, filter.report, filter.provider], |r| {
                let status: String = r.get(n + 3)?;
                Ok(SyncItem {
                    attempt: attempt_from_row(r)?,
                    ticket_id: r.get(n)?,
                    ticket_url: r.get(n + 1)?,
                    last_synced: r.get(n + 2)?,
                    push_target: r.get(n + 4)?,
                    finding_status: FindingStatus::parse(&status).unwrap_or(FindingStatus::Open),
                })
            })
            .doing("listing linked tickets")?;
        rows.collect::<Result<_, _>>()
            .doing("listing linked tickets")
    }

    /// The last synced pair of an attempt's link and its unconfirmed push target, read fresh
    /// (another run may have synced it).
    pub fn last_synced(&self, id: &str) -> Result<(Option<String>, Option<String>), StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT last_synced_state, push_target FROM links WHERE ticket_export_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .doing("reading the last sync")?
            .unwrap_or_default())
    }

    /// Records, before a push is sent, the pair it starts from (`baseline`: what both sides
    /// last agreed on, an earlier unconfirmed push included) and the state it moves the ticket to.
    pub fn record_push_intent(
        &self,
        id: &str,
        baseline: &str,
        target: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE links SET last_synced_state = ?2, push_target = ?3 WHERE ticket_export_id = ?1",
                params![id, baseline, target],
            )
            .doing("recording a push")?;
        Ok(())
    }

    /// Records a successful sync: the new synced pair, `status_sync_status = ok`, a cleared
    /// sync-failed code, an event when something changed, and the released lease.
    pub fn record_synced(
        &mut self,
        id: &str,
        holder: &str,
        now: Timestamp,
        synced: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a sync")?;
        write_synced(&tx, id, holder, now, synced, outcome, detail)?;
        tx.commit().doing("recording a sync")
    }

    /// Records syncs decided from a listing, in one transaction and without claims: each one
    /// applies only while no other live run holds its attempt and its link is as it was read,
    /// which is what a claim followed by a fresh read of the link would have checked. Nothing is
    /// written to a provider for these, so a run killed before the commit leaves the remote
    /// change for the next run to record.
    pub fn record_listed(
        &mut self,
        batch: &[ListedSync<'_>],
        holder: &str,
        now: Timestamp,
        stale: impl Fn(&str, Timestamp) -> bool,
    ) -> Result<Vec<ListedOutcome>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording synced tickets")?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for item in batch {
            match held_elsewhere(&tx, item.id, holder, &stale)? {
                Some(true) => {
                    outcomes.push(ListedOutcome::Held);
                    continue;
                }
                None => {
                    outcomes.push(ListedOutcome::Changed);
                    continue;
                }
                Some(false) => {}
            }
            let now_link: Option<(Option<String>, Option<String>)> = tx
                .prepare_cached(
                    "SELECT last_synced_state, push_target FROM links WHERE ticket_export_id = ?1",
                )
                .and_then(|mut s| {
                    s.query_row([item.id], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .doing("reading the last sync")?;
            let unchanged = now_link.is_some_and(|(last, push)| {
                last.as_deref() == item.last_synced && push.as_deref() == item.push_target
            });
            if !unchanged {
                outcomes.push(ListedOutcome::Changed);
                continue;
            }
            // A lease left by a dead run is taken over here, as a claim would have.
            tx.prepare_cached(
                "UPDATE ticket_exports SET lease_holder = NULL, lease_until = NULL
                 WHERE ticket_export_id = ?1 AND lease_holder IS NOT NULL",
            )
            .and_then(|mut s| s.execute([item.id]))
            .doing("recording synced tickets")?;
            write_synced(
                &tx,
                item.id,
                holder,
                now,
                item.synced,
                item.outcome,
                item.detail,
            )?;
            outcomes.push(ListedOutcome::Recorded);
        }
        tx.commit().doing("recording synced tickets")?;
        Ok(outcomes)
    }

    /// Records one step of a push that takes two writes (reopen, then close the other way): the
    /// pair the link is in now and an event, keeping the lease for the next step. A run that
    /// stops after this step leaves a plain push for the next run, not a conflict.
    pub fn record_sync_step(
        &mut self,
        id: &str,
        now: Timestamp,
        synced: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a sync step")?;
        tx.execute(
            "UPDATE links SET last_synced_state = ?2 WHERE ticket_export_id = ?1",
            params![id, synced],
        )
        .doing("recording a sync step")?;
        insert_event(&tx, id, now, "sync", "reopened", None, None, detail)?;
        tx.commit().doing("recording a sync step")
    }

    /// Records a failed or conflicting sync: the code, the wait, an event; the link is kept.
    pub fn record_sync_failure(
        &mut self,
        id: &str,
        holder: &str,
        now: Timestamp,
        f: &SyncFailure<'_>,
    ) -> Result<(), StoreError> {
        let SyncFailure {
            http_status,
            retry_after,
            outcome,
            detail,
            tool_wait,
        } = *f;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a sync failure")?;
        // A duplicate-blocked (or unknown) code stays: the sync failure goes beside it.
        let new = FailureCode::StatusSyncFailed;
        let stored = stored_code(&tx, id)?;
        let code = crate::triage::code_after_failure(stored.as_ref(), new.clone());
        let detail = match crate::triage::kept_note(&code, &new) {
            Some(note) => format!("{detail}; {note}"),
            None => detail.to_owned(),
        };
        let owner_kept = code != new;
        let tool_owner = retry_after
            .filter(|_| tool_wait)
            .map(|t| format!("{}{t}", crate::model::TOOL_WAIT));
        tx.execute(
            "UPDATE ticket_exports SET status_sync_status = 'failed', provider_response_code = ?3, retry_after = ?4,
                 failing_since = CASE WHEN provider_error_code = ?6 AND failing_since IS NOT NULL
                                      THEN failing_since ELSE ?2 END,
                 provider_error_code = ?6, owner_kind = iif(?7, owner_kind, ?8), owner_digest = iif(?7, owner_digest, ?9),
                 outcome_recorded_at = ?2, updated_at = ?2, lease_holder = NULL, lease_until = NULL,
                 sync_conflict_at = iif(?10 = 'conflict', ?2, sync_conflict_at)
             WHERE ticket_export_id = ?1 AND (lease_holder IS NULL OR lease_holder = ?5)",
            params![
                id,
                ts_to_sql(now),
                http_status,
                retry_after.map(ts_to_sql),
                holder,
                code.as_str(),
                owner_kept,
                tool_owner.as_ref().map(|_| crate::model::OwnerKind::Cooldown.as_str()),
                tool_owner,
                outcome,
            ],
        )
        .doing("recording a sync failure")?;
        insert_event(
            &tx,
            id,
            now,
            "sync",
            outcome,
            Some(code.as_str()),
            http_status,
            &detail,
        )?;
        tx.commit().doing("recording a sync failure")
    }
}

/// The writes of a successful sync, inside the caller's transaction: the new synced pair,
/// `status_sync_status = ok`, a cleared sync-failed code, an event when something changed, and
/// the released lease.
fn write_synced(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    holder: &str,
    now: Timestamp,
    synced: &str,
    outcome: &str,
    detail: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE links SET last_synced_state = ?2, push_target = NULL WHERE ticket_export_id = ?1",
    )
    .and_then(|mut s| s.execute(params![id, synced]))
    .doing("recording a sync")?;
    // The finding status this sync confirmed with the ticket (when the synced pair's local side
    // is that status's state; a held push confirms nothing): an import that cannot say it is
    // newer never moves it away from a closed one (an older export would reopen the ticket).
    tx.prepare_cached(
        "UPDATE findings SET synced_status = status
          WHERE (report_id, finding_id) = (SELECT report_id, finding_id FROM ticket_exports WHERE ticket_export_id = ?1)
            AND synced_status IS NOT status
            AND substr(?2, 1, instr(?2, '|') - 1) =
                CASE status WHEN 'open' THEN 'open' WHEN 'resolved' THEN 'done' ELSE 'wont_fix' END",
    )
    .and_then(|mut s| s.execute(params![id, synced]))
    .doing("recording a sync")?;
    let cleared = tx
        .prepare_cached(
            "UPDATE ticket_exports SET provider_error_code = NULL, provider_response_code = NULL, retry_after = NULL,
                 failing_since = NULL, owner_kind = NULL, owner_digest = NULL, outcome_recorded_at = ?2, updated_at = ?2
             WHERE ticket_export_id = ?1 AND provider_error_code = 'TICKET_STATUS_SYNC_FAILED'",
        )
        .and_then(|mut s| s.execute(params![id, ts_to_sql(now)]))
        .doing("recording a sync")?;
    tx.prepare_cached(
        "UPDATE ticket_exports SET status_sync_status = 'ok', lease_holder = NULL, lease_until = NULL,
             sync_conflict_at = NULL
         WHERE ticket_export_id = ?1 AND (lease_holder IS NULL OR lease_holder = ?2)",
    )
    .and_then(|mut s| s.execute(params![id, holder]))
    .doing("recording a sync")?;
    if outcome != "unchanged" || cleared > 0 {
        let detail = if cleared > 0 {
            format!("{detail}; the sync failure is cleared")
        } else {
            detail.to_owned()
        };
        insert_event(tx, id, now, "sync", outcome, None, None, &detail)?;
    }
    Ok(())
}
