//! Stored waits further ahead than any wait may be: recorded as capped by the commands that
//! write, so a wait stored while the clock was ahead ends within a day instead of never.
//!
//! Every reader caps such a wait at `triage::MAX_WAIT` from its own clock (`triage/wait.rs`),
//! which alone would move the end a day ahead at every run. `retry`, `sync` and `settings check`
//! therefore store the capped time, with an event on each attempt it changed.

use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};

use super::outcomes::insert_event;
use super::{Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};
use crate::triage::MAX_WAIT;

/// A stored wait that was capped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedWait {
    /// The provider key of a provider cooldown, or the ticket_export_id of an attempt.
    pub subject: String,
    /// True for a provider cooldown, false for an attempt's `retry_after`.
    pub provider: bool,
    /// The wait as it was stored.
    pub stored: Timestamp,
    /// The wait as it is stored now: `MAX_WAIT` after the clock of the run that capped it.
    pub until: Timestamp,
}

impl Store {
    /// Caps every provider cooldown, and the `retry_after` of each attempt in `attempts`, that
    /// ends further than `MAX_WAIT` after `now`. Takes no write lock when there is none (the
    /// usual case): the caller names the attempts whose wait it read as too far ahead.
    pub fn cap_far_waits(
        &mut self,
        now: Timestamp,
        attempts: &[&str],
    ) -> Result<Vec<CappedWait>, StoreError> {
        let Ok(cap) = now.checked_add(MAX_WAIT) else {
            return Ok(Vec::new());
        };
        let cap_text = ts_to_sql(cap);
        let far: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM provider_cooldowns WHERE until > ?1",
                [&cap_text],
                |r| r.get(0),
            )
            .doing("reading provider cooldowns")?;
        if far == 0 && attempts.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("capping stored waits")?;
        let mut capped = Vec::new();
        let providers: Vec<(String, String, String)> = {
            let mut stmt = tx
                .prepare(
                    "SELECT provider_key, until, reason FROM provider_cooldowns WHERE until > ?1",
                )
                .doing("capping stored waits")?;
            let rows = stmt
                .query_map([&cap_text], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .doing("capping stored waits")?;
            rows.collect::<Result<_, _>>()
                .doing("capping stored waits")?
        };
        for (key, stored, reason) in providers {
            let note = format!(
                "{reason} (stored until {stored}, more than 24 h ahead of the clock at {now}: capped)"
            );
            tx.execute(
                "UPDATE provider_cooldowns SET until = ?2, reason = ?3 WHERE provider_key = ?1",
                params![key, cap_text, note],
            )
            .doing("capping stored waits")?;
            if let Some(stored) = ts_from_sql(&stored) {
                capped.push(CappedWait {
                    subject: key,
                    provider: true,
                    stored,
                    until: cap,
                });
            }
        }
        for id in attempts {
            let stored: Option<String> = tx
                .query_row(
                    "SELECT retry_after FROM ticket_exports WHERE ticket_export_id = ?1 AND retry_after > ?2",
                    params![id, cap_text],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .doing("capping stored waits")?;
            let Some(stored) = stored.as_deref().and_then(ts_from_sql) else {
                continue;
            };
            tx.execute(
                "UPDATE ticket_exports SET retry_after = ?2, updated_at = ?3 WHERE ticket_export_id = ?1",
                params![id, cap_text, ts_to_sql(now)],
            )
            .doing("capping stored waits")?;
            let detail = format!(
                "retry_after {stored} was more than 24 h ahead of the clock ({now}), so it was \
                 recorded while the clock was ahead or imported so; capped at {cap}"
            );
            insert_event(&tx, id, now, "clock", "capped", None, None, &detail)?;
            capped.push(CappedWait {
                subject: (*id).to_owned(),
                provider: false,
                stored,
                until: cap,
            });
        }
        tx.commit().doing("capping stored waits")?;
        Ok(capped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// Was: a cooldown stored while the clock was years ahead held the provider off for years,
    /// and a later, real one could not replace it ("a later `until` wins").
    #[test]
    fn waits_far_ahead_are_stored_capped_and_near_ones_are_kept() {
        let mut store = Store::open_in_memory().unwrap();
        let now = ts("2026-11-29T12:00:00Z");
        store
            .set_provider_cooldown("far", ts("2036-01-01T00:00:00Z"), "rate limited")
            .unwrap();
        store
            .set_provider_cooldown("near", ts("2026-11-29T13:00:00Z"), "rate limited")
            .unwrap();
        assert_eq!(store.cap_far_waits(now, &[]).unwrap().len(), 1);
        let (until, reason) = store.provider_cooldown("far", now).unwrap().unwrap();
        assert_eq!(until, ts("2026-11-30T12:00:00Z"));
        assert!(
            reason.starts_with("rate limited (stored until 2036-01-01T00:00:00Z"),
            "{reason}"
        );
        let (near, _) = store.provider_cooldown("near", now).unwrap().unwrap();
        assert_eq!(near, ts("2026-11-29T13:00:00Z"));
        assert!(store.cap_far_waits(now, &[]).unwrap().is_empty(), "once");
        // A day later the capped wait has ended: the provider is called again.
        let later = ts("2026-11-30T12:00:01Z");
        assert_eq!(store.provider_cooldown("far", later).unwrap(), None);
    }
}
