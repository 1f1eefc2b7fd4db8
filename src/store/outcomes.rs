//! What `retry` and `sync` record: leases, intents, outcomes and provider cooldowns (links are
//! in `links.rs`).
//!
//! Every change to an attempt and its event are written in one transaction, so a crash leaves
//! either both or neither.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::{ExportStatus, FailureCode, OwnerKind};

/// A held claim on an attempt: only its holder may record outcomes until it is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub until: Timestamp,
}

/// A recorded failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRecord {
    pub export_status: ExportStatus,
    pub code: FailureCode,
    pub http_status: Option<u16>,
    pub retry_after: Option<Timestamp>,
    pub owner: Option<(OwnerKind, String)>,
    /// Provider field names, for mapping failures.
    pub mapping_missing: Option<Vec<String>>,
    pub action: &'static str,
    pub detail: String,
}

impl Store {
    /// Claims an attempt for `holder` unless another live holder has it. `stale` decides
    /// whether an existing holder may be replaced (its lease expired or its process is gone).
    /// On success the intent is recorded: an event and, for a delivery (`retry`), status
    /// `in_flight` and one more attempt. A `sync` or `fallback` claim only keeps runs apart: it
    /// delivers nothing, so the export status stays as it was.
    pub fn claim(
        &mut self,
        id: &str,
        lease: &Lease,
        now: Timestamp,
        action: &str,
        stale: impl Fn(&str, Timestamp) -> bool,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("claiming an attempt")?;
        if held_elsewhere(&tx, id, &lease.holder, stale)? != Some(false) {
            return Ok(false);
        }
        tx.execute(
            "UPDATE ticket_exports SET lease_holder = ?2, lease_until = ?3, attempt_count = attempt_count + (?5 = 'retry'),
                 export_status = CASE WHEN ?5 IN ('sync', 'fallback') OR export_status IN ('exported', 'linked', 'fallback_written')
                                      THEN export_status ELSE 'in_flight' END,
                 updated_at = ?4
             WHERE ticket_export_id = ?1",
            params![id, lease.holder, ts_to_sql(lease.until), ts_to_sql(now), action],
        )
        .doing("claiming an attempt")?;
        insert_event(
            &tx,
            id,
            now,
            action,
            "intent",
            None,
            None,
            match action {
                "sync" => "claimed; reading the ticket before any write",
                "fallback" => {
                    "claimed; a create may have reached the provider, so the ticket is looked up before any portable file"
                }
                _ => "claimed; looking the ticket up before any create",
            },
        )?;
        tx.commit().doing("claiming an attempt")?;
        Ok(true)
    }

    /// When a run claimed this attempt without recording an outcome since (it is in flight
    /// under a holder's lease): that run may still be delivering it, or it died mid-delivery.
    pub fn in_flight_since(&self, id: &str) -> Result<Option<Timestamp>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT updated_at FROM ticket_exports
                 WHERE ticket_export_id = ?1 AND export_status = 'in_flight' AND lease_holder IS NOT NULL",
                [id],
                |r| r.get(0),
            )
            .optional()
            .doing("reading a claim")?;
        Ok(at.as_deref().and_then(ts_from_sql))
    }

    /// Releases a lease without recording an outcome (nothing was sent).
    pub fn release(&self, id: &str, holder: &str, restore: ExportStatus) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE ticket_exports SET lease_holder = NULL, lease_until = NULL,
                     export_status = CASE WHEN export_status = 'in_flight' THEN ?3 ELSE export_status END
                 WHERE ticket_export_id = ?1 AND lease_holder = ?2",
                params![id, holder, restore.as_str()],
            )
            .doing("releasing a lease")?;
        Ok(())
    }

    /// Records a failure with its cooldown and owner, and releases the lease. The code written
    /// is [`crate::triage::code_after_failure`] of the stored one and `f.code` (the duplicate
    /// guard is never replaced); it is returned, and the event says when the stored one was kept.
    pub fn record_failure(
        &mut self,
        id: &str,
        holder: &str,
        now: Timestamp,
        f: &FailureRecord,
    ) -> Result<FailureCode, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a failure")?;
        let code = write_failure(&tx, id, holder, now, f)?;
        tx.commit().doing("recording a failure")?;
        Ok(code)
    }

    /// Records an event on its own (a refusal, a skip, a plan).
    pub fn note(
        &self,
        id: &str,
        now: Timestamp,
        action: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        insert_event(&self.conn, id, now, action, outcome, None, None, detail)
    }

    /// A provider's cooldown, when one is active at `now`.
    pub fn provider_cooldown(
        &self,
        provider_key: &str,
        now: Timestamp,
    ) -> Result<Option<(Timestamp, String)>, StoreError> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT until, reason FROM provider_cooldowns WHERE provider_key = ?1")
            .and_then(|mut s| {
                s.query_row([provider_key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .doing("reading a provider cooldown")?;
        Ok(row.and_then(|(until, reason)| {
            ts_from_sql(&until)
                .filter(|u| *u > now)
                .map(|u| (u, reason))
        }))
    }

    /// Sets a provider's cooldown; a later `until` wins over an earlier one.
    pub fn set_provider_cooldown(
        &self,
        provider_key: &str,
        until: Timestamp,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO provider_cooldowns (provider_key, until, reason) VALUES (?1, ?2, ?3)
                 ON CONFLICT (provider_key) DO UPDATE SET until = excluded.until, reason = excluded.reason
                 WHERE excluded.until > provider_cooldowns.until",
                params![provider_key, ts_to_sql(until), reason],
            )
            .doing("recording a provider cooldown")?;
        Ok(())
    }
}

/// The writes of [`Store::record_failure`], inside the caller's transaction.
pub(super) fn write_failure(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    holder: &str,
    now: Timestamp,
    f: &FailureRecord,
) -> Result<FailureCode, StoreError> {
    let stored = stored_code(tx, id)?;
    let code = crate::triage::code_after_failure(stored.as_ref(), f.code.clone());
    let detail = match crate::triage::kept_note(&code, &f.code) {
        Some(note) => format!("{}; {note}", f.detail),
        None => f.detail.clone(),
    };
    let missing = f
        .mapping_missing
        .as_ref()
        .map(|m| serde_json::to_string(m).unwrap_or_else(|_| "[]".into()));
    tx.execute(
        "UPDATE ticket_exports SET export_status = ?2, provider_response_code = ?4, retry_after = ?5,
         owner_kind = ?6, owner_digest = ?7,
         failing_since = CASE WHEN provider_error_code IS ?3 AND failing_since IS NOT NULL THEN failing_since ELSE ?8 END,
         provider_error_code = ?3,
         mapping_status = CASE WHEN ?9 IS NULL THEN mapping_status ELSE 'incomplete' END,
         mapping_missing = COALESCE(?9, mapping_missing),
         outcome_recorded_at = ?8, updated_at = ?8, lease_holder = NULL, lease_until = NULL
         WHERE ticket_export_id = ?1 AND (lease_holder IS NULL OR lease_holder = ?10)",
        params![
        id,
        f.export_status.as_str(),
        code.as_str(),
        f.http_status,
        f.retry_after.map(ts_to_sql),
        f.owner.as_ref().map(|(k, _)| k.as_str()),
        f.owner.as_ref().map(|(_, d)| d.as_str()),
        ts_to_sql(now),
        missing,
        holder
        ],
    )
    .doing("recording a failure")?;
    insert_event(
        tx,
        id,
        now,
        f.action,
        "failed",
        Some(code.as_str()),
        f.http_status,
        &detail,
    )?;
    Ok(code)
}

/// The failure code an attempt holds now, read inside the caller's transaction.
pub(super) fn stored_code(
    conn: &rusqlite::Connection,
    id: &str,
) -> Result<Option<FailureCode>, StoreError> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT provider_error_code FROM ticket_exports WHERE ticket_export_id = ?1",
        )
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .doing("reading a failure code")?
        .flatten();
    Ok(text.as_deref().and_then(FailureCode::parse))
}

/// Whether another live holder has a lease on the attempt or on any attempt of the same
/// finding at the same destination (two attempts of one fingerprint must never be delivered at
/// once); None when the attempt does not exist. `stale` decides whether a holder is gone.
pub(super) fn held_elsewhere(
    conn: &rusqlite::Connection,
    id: &str,
    holder: &str,
    stale: impl Fn(&str, Timestamp) -> bool,
) -> Result<Option<bool>, StoreError> {
    let holders: Vec<(Option<String>, Option<String>)> = {
        let mut stmt = conn
            .prepare_cached(
                "SELECT lease_holder, lease_until FROM ticket_exports
                 WHERE ticket_export_id = ?1
                    OR (lease_holder IS NOT NULL AND (provider_key, duplicate_fingerprint) =
                        (SELECT provider_key, duplicate_fingerprint FROM ticket_exports WHERE ticket_export_id = ?1))",
            )
            .doing("reading leases")?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .doing("reading leases")?;
        rows.collect::<Result<_, _>>().doing("reading leases")?
    };
    if holders.is_empty() {
        return Ok(None);
    }
    Ok(Some(holders.into_iter().any(|(other, until)| {
        matches!(
            (other, until.as_deref().and_then(ts_from_sql)),
            (Some(other), Some(until)) if other != holder && !stale(&other, until)
        )
    })))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn insert_event(
    conn: &rusqlite::Connection,
    id: &str,
    at: Timestamp,
    action: &str,
    outcome: &str,
    code: Option<&str>,
    http_status: Option<u16>,
    detail: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| s.execute(params![id, ts_to_sql(at), action, outcome, code, http_status, detail]))
    .doing("recording an event")?;
    Ok(())
}
