//! Stored waits as they are honoured: an attempt's `retry_after` and a provider's cooldown,
//! each capped at [`MAX_WAIT`] from now when read.
//!
//! Providers' waits are capped when they are recorded, so a stored wait further ahead than
//! the cap was recorded while the machine's clock was ahead (or imported so). Honoured as
//! stored, it would lock the provider out for years; capped when read, it ends within a day of
//! the commands that record the capped time (`retry`, `sync`, `settings check`), and every
//! output that shows it says it was capped.

use jiff::{SignedDuration, Timestamp};

/// The longest a stored wait holds anything off, counted from now.
pub const MAX_WAIT: SignedDuration = SignedDuration::from_hours(24);

/// A stored wait that is still ahead, as it is honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// When it ends: the stored time, or `now + MAX_WAIT` when that comes first.
    pub until: Timestamp,
    /// The stored time, when it was further ahead than `MAX_WAIT` and so capped.
    pub capped_from: Option<Timestamp>,
}

impl Wait {
    /// `stored` when it is still ahead of `now` (a wait until `now` has ended: the provider
    /// said "not before"), capped at `MAX_WAIT` from now.
    pub fn read(stored: Option<Timestamp>, now: Timestamp) -> Option<Wait> {
        let stored = stored.filter(|at| *at > now)?;
        let cap = now.checked_add(MAX_WAIT).unwrap_or(Timestamp::MAX);
        Some(match stored > cap {
            true => Wait {
                until: cap,
                capped_from: Some(stored),
            },
            false => Wait {
                until: stored,
                capped_from: None,
            },
        })
    }

    /// What a message adds when the wait was capped: empty otherwise.
    pub fn note(&self) -> String {
        match self.capped_from {
            Some(stored) => format!(
                "; the stored wait until {stored} is more than 24 h ahead of the clock (recorded \
                 while the clock was ahead?), so it is capped at {}",
                self.until
            ),
            None => String::new(),
        }
    }
}

/// When a stored `retry_after` still holds the provider off, capped: the only thing triage
/// asks of it (callers that group attempts by triage's inputs use it too).
pub fn cooldown_until(retry_after: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    Wait::read(retry_after, now).map(|w| w.until)
}

/// A provider-wide cooldown as stored (`provider_cooldowns`): every run honours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCooldown {
    /// The stored end, before any cap.
    pub until: Timestamp,
    /// Why the provider asked (its answer, scrubbed).
    pub reason: String,
}

impl ProviderCooldown {
    /// The wait as honoured at `now`, if it is still ahead.
    pub fn wait(&self, now: Timestamp) -> Option<Wait> {
        Wait::read(Some(self.until), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_wait_is_honoured_as_stored_up_to_a_day_and_capped_beyond() {
        let now = ts("2026-11-29T12:00:00Z");
        assert_eq!(Wait::read(None, now), None);
        assert_eq!(Wait::read(Some(now), now), None, "until now has ended");
        assert_eq!(Wait::read(Some(ts("2026-11-29T11:00:00Z")), now), None);
        let near = Wait::read(Some(ts("2026-11-29T13:00:00Z")), now).unwrap();
        assert_eq!(
            (near.until, near.capped_from),
            (ts("2026-11-29T13:00:00Z"), None)
        );
        assert_eq!(near.note(), "");
        let day = Wait::read(Some(ts("2026-11-30T12:00:00Z")), now).unwrap();
        assert_eq!(day.capped_from, None, "exactly the cap is kept");
        let years = Wait::read(Some(ts("2036-01-01T00:00:00Z")), now).unwrap();
        assert_eq!(years.until, ts("2026-11-30T12:00:00Z"));
        assert_eq!(years.capped_from, Some(ts("2036-01-01T00:00:00Z")));
        assert!(
            years.note().contains("2036-01-01T00:00:00Z"),
            "{}",
            years.note()
        );
        assert!(years.note().contains("capped at 2026-11-30T12:00:00Z"));
        let max = Wait::read(Some(Timestamp::MAX), now).unwrap();
        assert_eq!(max.until, ts("2026-11-30T12:00:00Z"));
    }
}
