//! Item 2: `retry --all` and `sync --all` killed (SIGKILL) at random points over one store,
//! with full runs in between; the invariants hold and the store passes its integrity check.

use std::time::{Duration, Instant};

use ticket_export::simulator::SplitMix64;

use crate::fleet::Fleet;
use crate::rounds::{report, round, settle, tally_outcomes};
use crate::{data, invariants, knob};

#[test]
fn kills_at_random_points_lose_nothing_and_duplicate_nothing() {
    let started = Instant::now();
    let kills = knob("CRASH_KILLS", 12usize);
    let seed = knob("CHAOS_SEED", 0x7e57_c4a0_5eed_u64) ^ 0xc4a5;
    let mut fleet = Fleet::new();
    let mut rng = SplitMix64::new(seed);
    fleet.chaos(seed, 0.05);
    for s in &fleet.sims {
        s.sim.set_latency(Duration::from_millis(25));
    }
    let mut attempts = 0;
    for k in 0..kills {
        fleet.tick(1);
        // Every kill meets new attempts to deliver and findings that changed to push.
        attempts += if k == 0 { 60 } else { 10 };
        let status = data::rescan(&mut rng);
        fleet.import(attempts, &format!("scan-{k}.json"), status);
        let command = if rng.next_u64().is_multiple_of(2) {
            "retry"
        } else {
            "sync"
        };
        let delay = Duration::from_millis(rng.between(10, 300));
        let out = fleet.watched(|f| {
            let mut child = f.spawn(&["--json", command, "--all"]);
            std::thread::sleep(delay);
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            // The simulated clock jumps minutes in milliseconds: let what the dead run sent
            // land first, as it would long before a real clock had moved that far.
            for s in &f.sims {
                assert!(
                    s.sim.wait_idle(Duration::from_secs(10)),
                    "{} stays busy",
                    s.key
                );
            }
            vec![out]
        });
        if out[0].status.code().is_none() {
            fleet.tally.add("kills that landed mid-run", 1);
        } else {
            fleet.tally.add("runs that finished before their kill", 1);
            tally_outcomes(&mut fleet, Fleet::items(&out[0]).iter());
        }
        if k % 2 == 1 {
            // Rerun in between, after the waits an interrupted run leaves have passed.
            fleet.tick(6);
            round(&mut fleet);
        }
    }
    fleet.tally.add(
        "attempts (and 6 for the unowned destination)",
        attempts as u64,
    );
    invariants::check(&mut fleet, false);
    settle(&mut fleet);
    invariants::check(&mut fleet, true);
    report(&fleet, "crash safety", started);
}
