//! Hostile input: property tests for the import parser, the config parser and the
//! classification of provider answers, and the CLI against damaged files (issue 7, item 4).
//!
//! Case counts are set per test and kept small so the binary runs in seconds on two cores. The
//! random seed is fixed and failures are not persisted to files, so a CI run depends only on the
//! code under test. Explore further with `PROPTEST_RNG_SEED=<n>` (another seed) and
//! `PROPTEST_CASES=<n>` (more cases), both read by `cases` below.

mod classify;
mod config;
mod files;
mod import;

use proptest::test_runner::{Config as ProptestConfig, RngSeed};

/// The seed of every property here, unless `PROPTEST_RNG_SEED` names another.
const SEED: u64 = 0x7e57_0007;

/// A proptest config: `n` cases, a fixed seed, no failure files, bounded shrinking.
pub fn cases(n: u32) -> ProptestConfig {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: env("PROPTEST_CASES").map_or(n, |v: u64| v as u32),
        rng_seed: RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(SEED)),
        failure_persistence: None,
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    }
}

/// The fixed clock of these tests.
pub const NOW: &str = "2026-11-29T12:00:00Z";

/// True when `text` is one printable line: no control characters at all.
pub fn one_line(text: &str) -> bool {
    !text.chars().any(char::is_control)
}
