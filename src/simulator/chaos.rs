//! Chaos mode: a seeded random fault for a fraction of the requests, drawn from everything a
//! real provider does to a client (auth flaps, each form of rate limit, outages, slow answers,
//! lost answers, dropped connections).
//!
//! The draws come from a small inline PRNG (splitmix64), so the same seed gives the same
//! sequence of faults: the n-th request the simulator serves in chaos mode always meets the
//! same fault. (Which request is the n-th depends on the client's own ordering.)

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::{Fault, SIM_TOKEN};

/// A small, fast, seedable PRNG (Steele, Lea and Flood's splitmix64), good enough for tests.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// The faults chaos mode applies, each with the same probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChaosKind {
    /// 401, the body echoing the token as a careless proxy might: nothing may pass it on.
    AuthFlap,
    /// 429 with `Retry-After` in seconds (1 or 2): short enough to be waited out in a run.
    RetryAfterSeconds,
    /// 429 with `Retry-After` as an HTTP date, 1 to 4 minutes ahead of the simulator's clock.
    RetryAfterDate,
    /// 429 with the providers' reset headers (epoch seconds, and Linear's epoch milliseconds).
    ResetHeader,
    /// 503 without a wait.
    Unavailable,
    /// A normal answer after 100 to 300 ms.
    Slow,
    /// The request is processed (a create creates), then the connection drops unanswered.
    LoseResponse,
    /// The connection drops before anything is processed.
    Drop,
}

impl ChaosKind {
    pub const ALL: [ChaosKind; 8] = [
        ChaosKind::AuthFlap,
        ChaosKind::RetryAfterSeconds,
        ChaosKind::RetryAfterDate,
        ChaosKind::ResetHeader,
        ChaosKind::Unavailable,
        ChaosKind::Slow,
        ChaosKind::LoseResponse,
        ChaosKind::Drop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChaosKind::AuthFlap => "401",
            ChaosKind::RetryAfterSeconds => "429 retry-after seconds",
            ChaosKind::RetryAfterDate => "429 retry-after date",
            ChaosKind::ResetHeader => "429 reset header",
            ChaosKind::Unavailable => "503",
            ChaosKind::Slow => "slow",
            ChaosKind::LoseResponse => "lost response",
            ChaosKind::Drop => "dropped connection",
        }
    }
}

/// The seeded fault source.
#[derive(Debug, Clone)]
pub struct Chaos {
    rng: SplitMix64,
    rate: f64,
}

impl Chaos {
    /// Faults for a fraction `rate` (0 to 1) of the requests.
    pub fn new(seed: u64, rate: f64) -> Chaos {
        Chaos {
            rng: SplitMix64::new(seed),
            rate: rate.clamp(0.0, 1.0),
        }
    }

    /// The fault for the next request, if it gets one; dates are relative to `now`.
    pub fn next(&mut self, now: Timestamp) -> Option<(ChaosKind, Fault)> {
        if self.rng.next_f64() >= self.rate {
            return None;
        }
        let kind = ChaosKind::ALL[self.rng.next_u64() as usize % ChaosKind::ALL.len()];
        let ahead =
            |rng: &mut SplitMix64| now + SignedDuration::from_secs(rng.between(60, 240) as i64);
        let json = [("content-type", "application/json")];
        let fault = match kind {
            ChaosKind::AuthFlap => Fault::status(
                401,
                &json,
                &format!(r#"{{"message":"Bad credentials: token {SIM_TOKEN} was not accepted"}}"#),
            ),
            ChaosKind::RetryAfterSeconds => {
                let secs = self.rng.between(1, 2).to_string();
                Fault::status(
                    429,
                    &[("retry-after", secs.as_str())],
                    r#"{"message":"slow down"}"#,
                )
            }
            ChaosKind::RetryAfterDate => {
                let date = ahead(&mut self.rng)
                    .strftime("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string();
                Fault::status(
                    429,
                    &[("retry-after", date.as_str())],
                    r#"{"message":"slow down"}"#,
                )
            }
            ChaosKind::ResetHeader => {
                let at = ahead(&mut self.rng);
                let (secs, millis) = (at.as_second().to_string(), at.as_millisecond().to_string());
                Fault::status(
                    429,
                    &[
                        ("x-ratelimit-remaining", "0"),
                        ("x-ratelimit-reset", secs.as_str()),
                        ("x-ratelimit-requests-reset", millis.as_str()),
                    ],
                    r#"{"message":"rate limit exceeded"}"#,
                )
            }
            ChaosKind::Unavailable => Fault::status(503, &json, r#"{"message":"unavailable"}"#),
            ChaosKind::Slow => Fault::Slow(Duration::from_millis(self.rng.between(100, 300))),
            ChaosKind::LoseResponse => Fault::LoseResponse,
            ChaosKind::Drop => Fault::Drop,
        };
        Some((kind, fault))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn now() -> Timestamp {
        "2026-11-29T12:00:00Z".parse().unwrap()
    }

    fn sequence(seed: u64, rate: f64, n: usize) -> Vec<Option<String>> {
        let mut chaos = Chaos::new(seed, rate);
        (0..n)
            .map(|_| chaos.next(now()).map(|(k, f)| format!("{k:?} {f:?}")))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        assert_eq!(sequence(42, 0.3, 2000), sequence(42, 0.3, 2000));
        assert_ne!(sequence(42, 0.3, 2000), sequence(43, 0.3, 2000));
    }

    #[test]
    fn the_rate_is_the_fraction_of_requests_and_every_kind_occurs() {
        assert!(sequence(7, 0.0, 1000).iter().all(Option::is_none));
        assert!(sequence(7, 1.0, 1000).iter().all(Option::is_some));
        let mut chaos = Chaos::new(7, 0.2);
        let mut kinds = BTreeMap::new();
        for _ in 0..10_000 {
            if let Some((kind, _)) = chaos.next(now()) {
                *kinds.entry(kind).or_insert(0) += 1;
            }
        }
        let hits: usize = kinds.values().sum();
        assert!((1_800..=2_200).contains(&hits), "{hits}");
        assert_eq!(kinds.len(), ChaosKind::ALL.len(), "{kinds:?}");
    }

    #[test]
    fn waits_are_short_or_ahead_of_the_clock_in_every_header_form() {
        let mut chaos = Chaos::new(1, 1.0);
        let mut seen = 0;
        for _ in 0..500 {
            let Some((
                kind,
                Fault::Status {
                    status, headers, ..
                },
            )) = chaos.next(now())
            else {
                continue;
            };
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            match kind {
                ChaosKind::RetryAfterSeconds => {
                    let secs: u64 = header("retry-after").unwrap().parse().unwrap();
                    assert!((1..=2).contains(&secs));
                }
                ChaosKind::RetryAfterDate => {
                    let date = header("retry-after").unwrap();
                    let at = jiff::fmt::rfc2822::parse(&date).unwrap().timestamp();
                    assert!(
                        at > now() && at <= now() + SignedDuration::from_mins(4),
                        "{date}"
                    );
                    seen += 1;
                }
                ChaosKind::ResetHeader => {
                    let at: i64 = header("x-ratelimit-reset").unwrap().parse().unwrap();
                    assert!(at > now().as_second());
                    assert_eq!(status, 429);
                }
                ChaosKind::AuthFlap => assert_eq!(status, 401),
                ChaosKind::Unavailable => assert_eq!(status, 503),
                _ => unreachable!("{kind:?} is not a status fault"),
            }
        }
        assert!(seen > 0);
    }

    #[test]
    fn scripted_faults_come_first_then_chaos_draws() {
        use crate::simulator::{Matcher, SimRequest, SimState};
        let req = SimRequest {
            method: "GET".into(),
            path: "/user".into(),
            query: String::new(),
            headers: Vec::new(),
            body: String::new(),
        };
        let mut state = SimState {
            chaos: Some(Chaos::new(3, 1.0)),
            clock: Some(now()),
            ..SimState::default()
        };
        state.faults.push_back((Matcher::any(), Fault::Drop, 1));
        assert!(matches!(state.fault_for(&req), Some(Fault::Drop)));
        assert!(state.chaos_applied.is_empty(), "the scripted fault won");
        assert!(state.fault_for(&req).is_some());
        assert_eq!(state.chaos_applied.values().sum::<usize>(), 1);
        state.chaos = None;
        assert!(state.fault_for(&req).is_none());
    }
}
