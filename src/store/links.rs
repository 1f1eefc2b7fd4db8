//! Links: the ticket this tool linked to a finding at a destination, unique per fingerprint
//! and per ticket, and what happens when a new link would break that.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::outcomes::{FailureRecord, insert_event, write_failure};
use super::{Store, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::model::{ExportStatus, FailureCode, OwnerKind};

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
    id: &str,
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
    // The attempt's own link to another ticket is replaced, not a conflict: only a person's
    // decision gets here (`link`, or `--allow-create` after the known ticket answered 404).
    Ok(by_fp
        .filter(|(other_attempt, other_ticket)| other_ticket != ticket_id && other_attempt != id)
        .map(|(other_attempt, other_ticket)| Conflict {
            other_attempt,
            other_ticket: Some(other_ticket),
        }))
}

impl Store {
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
        if let Some(conflict) = link_conflict(&tx, id, &provider, &fp, ticket_id)? {
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
             ON CONFLICT (provider_key, duplicate_fingerprint) DO UPDATE SET
                 last_synced_state = iif(links.external_ticket_id = excluded.external_ticket_id, links.last_synced_state, NULL),
                 push_target = iif(links.external_ticket_id = excluded.external_ticket_id, links.push_target, NULL),
                 external_ticket_id = excluded.external_ticket_id, external_ticket_url = excluded.external_ticket_url
             WHERE links.external_ticket_id = excluded.external_ticket_id OR links.ticket_export_id = excluded.ticket_export_id",
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
}
