//! A link recorded by a person (`ticket-export link ID URL`): the ticket they found is the
//! finding's. The store's two rules hold as for any link: one ticket per finding and
//! destination, one finding per ticket; a link that would break either is refused with the
//! link in the way, never half written.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::outcomes::{held_elsewhere, insert_event};
use super::{Store, ts_to_sql};
use crate::error::{SqlContext, StoreError};

/// What became of a link by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManualLink {
    /// Recorded (or the attempt joined the finding's existing link to the same ticket).
    Linked,
    /// The attempt was already linked to this ticket at this URL: nothing changed.
    AlreadyLinked,
    /// Another live run holds the attempt (or one of the same finding and destination).
    Held,
    /// The finding is linked to another ticket at this destination, through `through`.
    FindingLinked { ticket_id: String, through: String },
    /// The ticket is linked to another finding, through the attempt `through`.
    TicketLinked { through: String },
}

impl Store {
    /// Links attempt `id` to ticket `ticket_id` at `url`, as a person decided: the link row,
    /// the attempt's ticket, status `linked` with its failure cleared, and an event, in one
    /// transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn link_by_hand(
        &mut self,
        id: &str,
        ticket_id: &str,
        url: &str,
        now: Timestamp,
        holder: &str,
        stale: impl Fn(&str, Timestamp) -> bool,
        detail: &str,
    ) -> Result<ManualLink, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("recording a link")?;
        if held_elsewhere(&tx, id, holder, stale)? != Some(false) {
            return Ok(ManualLink::Held);
        }
        let (provider, fp): (String, String) = tx
            .query_row(
                "SELECT provider_key, duplicate_fingerprint FROM ticket_exports WHERE ticket_export_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .doing("recording a link")?;
        let by_finding: Option<(String, String, Option<String>)> = tx
            .query_row(
                "SELECT ticket_export_id, external_ticket_id, external_ticket_url FROM links
                 WHERE provider_key = ?1 AND duplicate_fingerprint = ?2",
                [&provider, &fp],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .doing("recording a link")?;
        match by_finding {
            Some((through, linked, _)) if linked != ticket_id => {
                return Ok(ManualLink::FindingLinked {
                    ticket_id: linked,
                    through,
                });
            }
            Some((through, _, linked_url)) if through == id => {
                let current: (Option<String>, Option<String>, String) = tx
                    .query_row(
                        "SELECT external_ticket_id, external_ticket_url, export_status FROM ticket_exports
                         WHERE ticket_export_id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .doing("recording a link")?;
                let same = linked_url.as_deref() == Some(url)
                    && current.0.as_deref() == Some(ticket_id)
                    && current.1.as_deref() == Some(url)
                    && current.2 == "linked";
                if same {
                    return Ok(ManualLink::AlreadyLinked);
                }
                tx.execute(
                    "UPDATE links SET external_ticket_url = ?2 WHERE ticket_export_id = ?1",
                    params![id, url],
                )
                .doing("recording a link")?;
            }
            // Another attempt of the same finding and destination holds the link to this
            // ticket: this attempt joins it.
            Some(_) => {}
            None => {
                let by_ticket: Option<String> = tx
                    .query_row(
                        "SELECT ticket_export_id FROM links WHERE provider_key = ?1 AND external_ticket_id = ?2",
                        [&provider, ticket_id],
                        |r| r.get(0),
                    )
                    .optional()
                    .doing("recording a link")?;
                if let Some(through) = by_ticket {
                    return Ok(ManualLink::TicketLinked { through });
                }
                tx.execute(
                    "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, external_ticket_url, ticket_export_id, linked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![provider, fp, ticket_id, url, id, ts_to_sql(now)],
                )
                .doing("recording a link")?;
            }
        }
        tx.execute(
            "UPDATE ticket_exports SET export_status = 'linked', provider_error_code = NULL, provider_response_code = NULL,
                 retry_after = NULL, external_ticket_id = ?2, external_ticket_url = ?3, owner_kind = NULL,
                 owner_digest = NULL, failing_since = NULL, outcome_recorded_at = ?4, updated_at = ?4,
                 mapping_status = 'complete', mapping_missing = '[]',
                 lease_holder = NULL, lease_until = NULL
             WHERE ticket_export_id = ?1",
            params![id, ticket_id, url, ts_to_sql(now)],
        )
        .doing("recording a link")?;
        insert_event(&tx, id, now, "link", "linked", None, None, detail)?;
        tx.commit().doing("recording a link")?;
        Ok(ManualLink::Linked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO reports (report_id, title, target) VALUES ('r1', 'Scan', 'https://shop.example');
                 INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f1', 'xss', 'XSS', 'high', 'https://shop.example/s', 'q', '', '', '', 'open');
                 INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence, remediation, status) VALUES ('r1', 'f2', 'sqli', 'SQLi', 'high', 'https://shop.example/p', 'id', '', '', '', 'open');
                 INSERT INTO ticket_exports (ticket_export_id, report_id, finding_id, provider_key, export_status,
                     provider_error_code, mapping_status, duplicate_fingerprint, idempotency_key, created_at, updated_at)
                   VALUES ('t1', 'r1', 'f1', 'gh', 'failed', 'TICKET_EXPORT_DUPLICATE_BLOCKED', 'complete', 'fp1:a', 'k1', 'x', 'x'),
                          ('t1b', 'r1', 'f1', 'gh', 'failed', 'TICKET_EXPORT_DUPLICATE_BLOCKED', 'complete', 'fp1:a', 'k1', 'x', 'x'),
                          ('t2', 'r1', 'f2', 'gh', 'failed', NULL, 'complete', 'fp1:b', 'k2', 'x', 'x');",
            )
            .unwrap();
        store
    }

    fn link(store: &mut Store, id: &str, ticket: &str, url: &str) -> ManualLink {
        let now: Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        store
            .link_by_hand(id, ticket, url, now, "me:1", |_, _| false, "by hand")
            .unwrap()
    }

    fn row(store: &Store, id: &str) -> (String, Option<String>, Option<String>) {
        store
            .conn
            .query_row(
                "SELECT export_status, provider_error_code, external_ticket_id FROM ticket_exports WHERE ticket_export_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    }

    #[test]
    fn a_link_by_hand_keeps_both_unique_rules_and_says_which_link_is_in_the_way() {
        let mut store = store();
        let url = "https://github.com/acme/shop/issues/7";
        assert_eq!(link(&mut store, "t1", "7", url), ManualLink::Linked);
        assert_eq!(row(&store, "t1"), ("linked".into(), None, Some("7".into())));
        assert_eq!(store.events("t1").unwrap().len(), 1);
        assert_eq!(link(&mut store, "t1", "7", url), ManualLink::AlreadyLinked);
        assert_eq!(store.events("t1").unwrap().len(), 1, "nothing changed");
        // Another ticket for the same finding is refused, naming the link.
        assert_eq!(
            link(
                &mut store,
                "t1b",
                "8",
                "https://github.com/acme/shop/issues/8"
            ),
            ManualLink::FindingLinked {
                ticket_id: "7".into(),
                through: "t1".into()
            }
        );
        // The same ticket for the same finding, through its other attempt: joined.
        assert_eq!(link(&mut store, "t1b", "7", url), ManualLink::Linked);
        // The ticket of another finding is refused.
        assert_eq!(
            link(&mut store, "t2", "7", url),
            ManualLink::TicketLinked {
                through: "t1".into()
            }
        );
        assert_eq!(row(&store, "t2"), ("failed".into(), None, None));
        let links: i64 = store
            .conn
            .query_row("SELECT count(*) FROM links", [], |r| r.get(0))
            .unwrap();
        assert_eq!(links, 1);
    }

    #[test]
    fn a_link_by_hand_waits_for_a_run_that_holds_the_attempt() {
        let mut store = store();
        store
            .conn
            .execute(
                "UPDATE ticket_exports SET lease_holder = 'other:2', lease_until = '2999-01-01T00:00:00Z' WHERE ticket_export_id = 't1'",
                [],
            )
            .unwrap();
        assert_eq!(
            link(
                &mut store,
                "t1",
                "7",
                "https://github.com/acme/shop/issues/7"
            ),
            ManualLink::Held
        );
        assert_eq!(row(&store, "t1").0, "failed");
    }
}
