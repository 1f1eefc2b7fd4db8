//! Proof under faults, kills and concurrency (issue 7, items 1-3): the CLI against one
//! loopback simulator per provider entry, in the simulators' seeded chaos mode.
//!
//! The CI form runs by default; the long forms are the same tests with bigger numbers:
//!
//! ```sh
//! cargo test --release --test chaos -- --nocapture                       # CI form, counts printed
//! CHAOS_ATTEMPTS=1000 CRASH_KILLS=50 cargo test --release --test chaos -- --nocapture
//! ```
//!
//! Knobs (environment): `CHAOS_ATTEMPTS` (300), `CHAOS_SEED`, `CHAOS_RATE` (0.15),
//! `CHAOS_ROUNDS` (30), `CRASH_KILLS` (12), `CONCURRENT_WAVES` (3).
//!
//! The `fallback` command is not in this build yet, so the loops mix `retry`, `sync` and
//! `settings check` only.

mod chaos_run;
mod concurrency;
mod crash;
mod data;
mod fleet;
mod invariants;
mod rounds;

/// A number from the environment, or `default`.
pub fn knob<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
