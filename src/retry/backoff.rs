//! Capped exponential backoff with jitter, for waits short enough to spend inside one run.

use std::time::Duration;

use jiff::Timestamp;

use crate::providers::Failure;

/// Tries of one call sequence within a run, the first included.
pub const MAX_TRIES: u32 = 3;
const BASE: Duration = Duration::from_millis(200);
const CAP: Duration = Duration::from_secs(4);
/// A provider's requested wait up to this long is waited out in the run; longer becomes a
/// stored cooldown that every later run honours.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(3);

/// The delay before try `attempt` (1-based retry count): half fixed, half random.
pub fn delay(attempt: u32) -> Duration {
    let full = BASE.saturating_mul(1 << attempt.min(10)).min(CAP);
    let jitter = getrandom::u64().unwrap_or(0) % (full.as_millis() as u64 / 2 + 1);
    full / 2 + Duration::from_millis(jitter)
}

/// How long to wait before trying again within this run, or None to record the failure.
pub fn inline_wait(failure: &Failure, attempt: u32, now: Timestamp) -> Option<Duration> {
    if attempt >= MAX_TRIES {
        return None;
    }
    let until = match failure {
        Failure::Unavailable {
            retry_after: None, ..
        } => return Some(delay(attempt)),
        Failure::Unavailable {
            retry_after: Some(at),
            ..
        }
        | Failure::RateLimited {
            retry_after: at, ..
        } => *at,
        _ => return None,
    };
    let wait = Duration::try_from(until.duration_since(now)).unwrap_or(Duration::ZERO);
    (wait <= MAX_INLINE_WAIT).then(|| wait.max(delay(attempt)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        for attempt in 0..12 {
            let d = delay(attempt);
            let full = BASE.saturating_mul(1 << attempt.min(10)).min(CAP);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn long_waits_are_not_spent_in_the_run() {
        let now: Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        let limited = |secs| Failure::RateLimited {
            status: 429,
            retry_after: now + jiff::SignedDuration::from_secs(secs),
            detail: String::new(),
        };
        assert!(inline_wait(&limited(1), 1, now).is_some());
        assert_eq!(inline_wait(&limited(600), 1, now), None);
        assert_eq!(inline_wait(&limited(1), MAX_TRIES, now), None);
        let auth = Failure::Auth {
            status: 401,
            detail: String::new(),
        };
        assert_eq!(inline_wait(&auth, 1, now), None);
    }
}
