//! What `retry` and `sync` record: leases, intents, outcomes, links and provider cooldowns.
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

/// A ticket this tool linked to a finding at a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub ticket_export_id: String,
    pub external_ticket_id: String,
    pub external_ticket_url: Option<String>,
    pub last_synced_state: Option<String>,
}

/// What became of a link [`Store::record_linked`] was asked to record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum LinkOutcome {
    Recorded,
    /// The ticket or the finding is linked elsewhere: the attempt was recorded blocked.
    Conflict {
        /// The attempt that holds the other link.
        other_attempt: String,
        /// The conflict in words, naming that attempt.
        why: String,
    },
}

/// A link that stands in the way of a new one.
struct Conflict {
    other_attempt: String,
    /// The ticket the finding is linked to already, when that is the conflict.
    other_ticket: Option<String>,
}

impl Conflict {
    fn why(&self, ticket_id: &str) -> String {
        match &self.other_ticket {
            None => format!(
                "the ticket {ticket_id} found by the lookup is already linked to {} (another \
                 finding at this destination)",
                self.other_attempt
            ),
            Some(other) => format!(
                "this finding is already linked to the ticket {other} through {}, and the \
                 lookup found {ticket_id}",
                self.other_attempt
            ),
        }
    }

    /// The person-owner digest triage reads the conflict from (see `triage::rules::tickets`).
    fn owner_digest(&self, ticket_id: &str) -> String {
        format!("taken {} {ticket_id}", self.other_attempt)
    }
}

/// The link that would conflict with linking `ticket_id` to the fingerprint `fp`, if any.
fn link_conflict(
    tx: &rusqlite::Transaction<'_>,
    provider: &str,
    fp: &str,
    ticket_id: &str,
) -> Result<Option<Conflict>, StoreError> {
    let by_ticket: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT ticket_export_id, duplicate_fingerprint FROM links
             WHERE provider_key = ?1 AND external_ticket_id = ?2",
        )
        .and_then(|mut s| {
            s.query_row([provider, ticket_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .doing("reading a link")?;
    if let Some((other_attempt, other_fp)) = by_ticket
        && other_fp != fp
    {
        return Ok(Some(Conflict {
            other_attempt,
            other_ticket: None,
        }));
    }
    let by_fp: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT ticket_export_id, external_ticket_id FROM links
             WHERE provider_key = ?1 AND duplicate_fingerprint = ?2",
        )
        .and_then(|mut s| {
            s.query_row([provider, fp], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .doing("reading a link")?;
    Ok(by_fp
        .filter(|(_, other_ticket)| other_ticket != ticket_id)
        .map(|(other_attempt, other_ticket)| Conflict {
            other_attempt,
            other_ticket: Some(other_ticket),
        }))
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

    /// The ticket linked to a fingerprint at a provider, if any.
    pub fn link_for(
        &self,
        provider_key: &str,
        fingerprint: &str,
    ) -> Result<Option<Link>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT ticket_export_id, external_ticket_id, external_ticket_url, last_synced_state FROM links
                 WHERE provider_key = ?1 AND duplicate_fingerprint = ?2",
            )
            .and_then(|mut s| {
                s.query_row([provider_key, fingerprint], |r| {
                    Ok(Link {
                        ticket_export_id: r.get(0)?,
                        external_ticket_id: r.get(1)?,
                        external_ticket_url: r.get(2)?,
                        last_synced_state: r.get(3)?,
                    })
                })
                .optional()
            })
            .doing("reading a link")
    }

    /// Records a confirmed ticket: the link (unique per fingerprint and per ticket), the
    /// attempt's new status, its event, and releases the lease.
    ///
    /// A ticket already linked to another finding, or a finding already linked to another
    /// ticket, is a conflict, not a store error: the attempt is recorded blocked for that reason
    /// (`TICKET_EXPORT_DUPLICATE_BLOCKED`, owned by a person's decision, naming the other
    /// attempt), its lease is released, and the caller goes on with the rest of its batch.
    /// `before` is the status the attempt had before this run claimed it: a conflict keeps an
    /// unknown create outcome unknown.
    #[allow(clippy::too_many_arguments)]
    pub fn record_linked(
        &mut self,
        id: &str,
        holder: &str,
        now: Timestamp,
        ticket_id: &str,
        url: &str,
        status: ExportStatus,
        before: ExportStatus,
        action: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<LinkOutcome, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a link")?;
        let (provider, fp): (String, String) = tx
            .query_row(
                "SELECT provider_key, duplicate_fingerprint FROM ticket_exports WHERE ticket_export_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .doing("recording a link")?;
        if let Some(conflict) = link_conflict(&tx, &provider, &fp, ticket_id)? {
            let unresolved = matches!(before, ExportStatus::Uncertain | ExportStatus::InFlight);
            let why = conflict.why(ticket_id);
            let record = FailureRecord {
                export_status: if unresolved {
                    ExportStatus::Uncertain
                } else {
                    ExportStatus::Failed
                },
                code: FailureCode::DuplicateBlocked,
                http_status: None,
                retry_after: None,
                owner: Some((OwnerKind::Person, conflict.owner_digest(ticket_id))),
                mapping_missing: None,
                action: "link",
                detail: format!(
                    "{why}; not linked and nothing created; a person decides: {}",
                    crate::triage::person_steps(id)
                ),
            };
            write_failure(&tx, id, holder, now, &record)?;
            tx.commit().doing("recording a link")?;
            return Ok(LinkOutcome::Conflict {
                other_attempt: conflict.other_attempt,
                why,
            });
        }
        tx.execute(
            "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, external_ticket_url, ticket_export_id, linked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (provider_key, duplicate_fingerprint) DO UPDATE SET external_ticket_url = excluded.external_ticket_url
             WHERE links.external_ticket_id = excluded.external_ticket_id",
            params![provider, fp, ticket_id, url, id, ts_to_sql(now)],
        )
        .doing("recording a link")?;
        tx.execute(
            "UPDATE ticket_exports SET export_status = ?2, provider_error_code = NULL, provider_response_code = NULL,
                 retry_after = NULL, external_ticket_id = ?3, external_ticket_url = ?4, owner_kind = NULL,
                 owner_digest = NULL, failing_since = NULL, outcome_recorded_at = ?5, updated_at = ?5,
                 mapping_status = 'complete', mapping_missing = '[]',
                 lease_holder = NULL, lease_until = NULL
             WHERE ticket_export_id = ?1 AND (lease_holder IS NULL OR lease_holder = ?6)",
            params![id, status.as_str(), ticket_id, url, ts_to_sql(now), holder],
        )
        .doing("recording a link")?;
        insert_event(&tx, id, now, action, outcome, None, None, detail)?;
        tx.commit().doing("recording a link")?;
        Ok(LinkOutcome::Recorded)
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
fn write_failure(
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
