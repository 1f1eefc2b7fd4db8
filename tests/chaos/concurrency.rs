//! Item 3: four processes mixing `retry`, `sync` and `fallback` over one store at once; the
//! invariants hold and no lock error reaches the user.

use std::time::{Duration, Instant};

use ticket_export::simulator::SplitMix64;

use crate::fleet::Fleet;
use crate::rounds::{fallback_written, no_conflict, report, settle, tally_outcomes};
use crate::{data, invariants, knob};

const MIX: [&[&str]; 4] = [
    &["--json", "retry", "--all"],
    &["--json", "sync", "--all"],
    &["--json", "retry", "--all", "--concurrency", "8"],
    &["--json", "fallback", "--yes", "--all-blocked"],
];

#[test]
fn four_processes_at_once_keep_every_invariant() {
    let started = Instant::now();
    let waves = knob("CONCURRENT_WAVES", 3usize);
    let seed = knob("CHAOS_SEED", 0x7e57_c4a0_5eed_u64) ^ 0xc0c0;
    let attempts = 200;
    let mut fleet = Fleet::new();
    let mut rng = SplitMix64::new(seed);
    fleet.import(attempts, "scan-0.json", |_| "open");
    fleet.chaos(seed, 0.05);
    for s in &fleet.sims {
        s.sim.set_latency(Duration::from_millis(2));
    }
    for w in 0..waves {
        fleet.tick(6);
        if w % 2 == 1 {
            let status = data::rescan(&mut rng);
            fleet.import(attempts, &format!("scan-{w}.json"), status);
        }
        let outputs = fleet.watched(|f| {
            std::thread::scope(|s| {
                let runs: Vec<_> = MIX
                    .iter()
                    .map(|args| {
                        let child = f.spawn(args);
                        s.spawn(move || child.wait_with_output().unwrap())
                    })
                    .collect();
                runs.into_iter().map(|r| r.join().unwrap()).collect()
            })
        });
        for (args, out) in MIX.iter().zip(&outputs) {
            if args[1] == "fallback" {
                fallback_written(&mut fleet, out);
                continue;
            }
            let items = Fleet::items(out);
            tally_outcomes(&mut fleet, items.iter());
            if args[1] == "sync" {
                no_conflict(&mut fleet, &items);
            }
        }
        fleet
            .tally
            .add("concurrent processes checked", MIX.len() as u64);
    }
    fleet.tally.add(
        "attempts (and 6 for the unowned destination)",
        attempts as u64,
    );
    invariants::check(&mut fleet, false);
    settle(&mut fleet);
    invariants::check(&mut fleet, true);
    report(&fleet, "concurrency", started);
}
