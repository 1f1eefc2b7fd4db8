//! What a batch command (`retry`, `sync`, `fallback`) prints under `--quiet`.
//!
//! Cron mails whatever a job prints, so `--quiet` must mean quiet when nothing changed: a run
//! that refuses, skips or leaves alone the same items as the last run prints nothing, and the
//! exit code carries the rest (3 or 5: a person must look; 4: later). An item earns a line only
//! when it changed something (a ticket created, linked, updated or moved, a file written), or
//! when it needs a person now and did not before the run (a new problem). A problem that was
//! already there was reported by the run that found it; `inspect` and `log` still show it.

use crate::model::State;

/// Whether one item of a batch is printed under `--quiet`. `before` is the item's triage state
/// before the run, `None` when it was not known to need anything (so any problem is new).
pub fn shown(changed: bool, before: Option<State>, after: State) -> bool {
    let needs_person = matches!(after, State::Blocked | State::Stop);
    changed || (needs_person && before != Some(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_and_new_problems_are_shown() {
        use State::*;
        // (changed, before, after, shown)
        let table = [
            (true, Some(Ready), Ready, true),         // created, linked, pulled
            (false, Some(Ready), Ready, false),       // skipped webhook, unchanged link
            (false, Some(Blocked), Blocked, false),   // refused again
            (false, Some(Stop), Stop, false),         // refused again
            (false, Some(Cooldown), Cooldown, false), // still waiting: the exit code says 4
            (false, Some(Ready), Cooldown, false),    // failed, the next run retries
            (false, Some(Ready), Blocked, true),      // failed: a person must look now
            (false, None, Blocked, true),             // a first conflict
            (false, Some(Blocked), Stop, true),       // another problem than before
        ];
        for (changed, before, after, want) in table {
            assert_eq!(
                shown(changed, before, after),
                want,
                "{changed} {before:?} {after:?}"
            );
        }
    }
}
