//! Item 1: many attempts over every kind through repeated runs in chaos mode, then a clean
//! round; the invariants hold throughout and nothing is left to do at the end.

use std::time::Instant;

use ticket_export::simulator::SplitMix64;

use crate::fleet::Fleet;
use crate::rounds::{report, round, settle};
use crate::{data, invariants, knob};

#[test]
fn chaos_run_keeps_every_invariant() {
    let started = Instant::now();
    let attempts = knob("CHAOS_ATTEMPTS", 300usize);
    let seed = knob("CHAOS_SEED", 0x7e57_c4a0_5eed_u64);
    let rate = knob("CHAOS_RATE", 0.15f64);
    let rounds = knob("CHAOS_ROUNDS", 30usize);
    let mut fleet = Fleet::new();
    let mut rng = SplitMix64::new(seed);
    fleet.import(attempts, "scan-0.json", |_| "open");
    fleet.chaos(seed, rate);
    let mut ran = 0;
    for r in 1..=rounds {
        ran = r;
        fleet.tick(5);
        if r % 4 == 0 {
            // A rescan: findings resolved or reopened, so sync has pushes to make.
            let status = data::rescan(&mut rng);
            fleet.import(attempts, &format!("scan-{r}.json"), status);
        }
        let idle = round(&mut fleet).is_empty();
        if r % 5 == 0 {
            invariants::check(&mut fleet, false);
        }
        if idle && r > 4 {
            break;
        }
    }
    fleet.tally.add("chaos rounds", ran as u64);
    fleet.tally.add(
        "attempts (and 6 for the unowned destination)",
        attempts as u64,
    );
    invariants::check(&mut fleet, false);
    settle(&mut fleet);
    invariants::check(&mut fleet, true);
    report(&fleet, "chaos run", started);
}
