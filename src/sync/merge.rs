//! The three-way merge of status sync: a pure function of the last synced pair and both sides now.

use crate::model::FindingStatus;
use crate::providers::NormalState;

/// Which sides `sync` may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    /// Remote changes are recorded locally; the provider is never written.
    Pull,
    /// Local changes are written to the provider.
    Push,
    /// Both.
    Both,
}

/// The side a person chose for a link in conflict (`sync ID --prefer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prefer {
    /// The finding's state wins: the ticket is moved to it.
    Local,
    /// The ticket's state wins: it is recorded, and the finding's change is not pushed.
    Remote,
}

impl Prefer {
    /// The plan that applies the chosen side to a conflict.
    pub fn resolve(self, local: NormalState, remote: NormalState) -> Plan {
        match self {
            Prefer::Local => Plan::Push { target: local },
            Prefer::Remote => Plan::Pull { remote },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Prefer::Local => "local",
            Prefer::Remote => "remote",
        }
    }
}

/// The state both sides had at the last successful sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    pub local: NormalState,
    pub remote: NormalState,
}

impl Synced {
    /// A ticket is created open for an open finding: the baseline before any sync.
    pub const CREATED: Synced = Synced {
        local: NormalState::Open,
        remote: NormalState::Open,
    };

    /// `local|remote`, as the store keeps it.
    pub fn encode(self) -> String {
        format!("{}|{}", self.local.as_str(), self.remote.as_str())
    }

    /// Parses the stored form; None for anything else.
    pub fn decode(text: &str) -> Option<Synced> {
        let (l, r) = text.split_once('|')?;
        Some(Synced {
            local: parse_state(l)?,
            remote: parse_state(r)?,
        })
    }
}

fn parse_state(s: &str) -> Option<NormalState> {
    Some(match s {
        "open" => NormalState::Open,
        "in_progress" => NormalState::InProgress,
        "done" => NormalState::Done,
        "wont_fix" => NormalState::WontFix,
        _ => return None,
    })
}

/// The local side: what the finding's status means for its ticket.
pub fn local_state(status: FindingStatus) -> NormalState {
    match status {
        FindingStatus::Open => NormalState::Open,
        FindingStatus::Resolved => NormalState::Done,
        FindingStatus::AcceptedRisk | FindingStatus::FalsePositive => NormalState::WontFix,
    }
}

/// The baseline to merge against: the last synced pair, unless a push whose outcome was not
/// recorded (its answer lost, the run stopped) shows on the remote, in which case that write
/// was this tool's own and both sides last agreed on its target.
pub fn baseline(last: Synced, push_target: Option<NormalState>, remote: NormalState) -> Synced {
    match push_target {
        Some(target) if target == remote => Synced {
            local: target,
            remote: target,
        },
        _ => last,
    }
}

/// Parses a state as the store keeps it.
pub fn parse(text: &str) -> Option<NormalState> {
    parse_state(text)
}

/// Whether two states agree for sync purposes: open and in progress are both "not closed".
pub fn same(a: NormalState, b: NormalState) -> bool {
    let open = |s| matches!(s, NormalState::Open | NormalState::InProgress);
    a == b || (open(a) && open(b))
}

/// What to do for one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Nothing changed on either side.
    Unchanged,
    /// Only the remote changed: record it locally (the finding stays for the scanner to verify).
    Pull { remote: NormalState },
    /// Only the local side changed: move the remote ticket to `target`.
    Push { target: NormalState },
    /// Both changed to the same thing: record the new baseline.
    Converged,
    /// Both changed differently: report, change neither side.
    Conflict,
    /// A change exists that the direction does not allow applying.
    Held { remote_changed: bool },
}

/// Decides from the last synced pair and both sides now.
pub fn plan(last: Synced, local: NormalState, remote: NormalState, direction: Direction) -> Plan {
    let local_changed = !same(local, last.local);
    let remote_changed = remote != last.remote;
    let remote_moved = !same(remote, last.remote);
    match (local_changed, remote_changed) {
        (false, false) => Plan::Unchanged,
        (false, true) if direction == Direction::Push => Plan::Held {
            remote_changed: true,
        },
        (false, true) => Plan::Pull { remote },
        (true, false) if direction == Direction::Pull => Plan::Held {
            remote_changed: false,
        },
        (true, false) => Plan::Push { target: local },
        (true, true) if same(local, remote) => Plan::Converged,
        (true, true) if !remote_moved => {
            // The remote only moved between open and in progress: the local close still applies.
            if direction == Direction::Pull {
                Plan::Held {
                    remote_changed: false,
                }
            } else {
                Plan::Push { target: local }
            }
        }
        (true, true) => Plan::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NormalState::*;

    #[test]
    fn a_push_whose_answer_was_lost_is_recognised_as_our_own() {
        let last = Synced::CREATED;
        // The push to won't fix landed: the baseline is won't fix on both sides, so a finding
        // resolved since is a plain push, not a conflict.
        let base = baseline(last, Some(WontFix), WontFix);
        assert_eq!(
            plan(base, Done, WontFix, Direction::Both),
            Plan::Push { target: Done }
        );
        // It did not land: the last synced pair stands.
        assert_eq!(baseline(last, Some(WontFix), Open), last);
        assert_eq!(baseline(last, None, WontFix), last);
    }

    #[test]
    fn three_way_merge_table() {
        let base = Synced::CREATED;
        let rows: &[(Synced, NormalState, NormalState, Direction, Plan)] = &[
            (base, Open, Open, Direction::Both, Plan::Unchanged),
            (
                base,
                Open,
                InProgress,
                Direction::Both,
                Plan::Pull { remote: InProgress },
            ),
            (
                base,
                Open,
                Done,
                Direction::Both,
                Plan::Pull { remote: Done },
            ),
            (
                base,
                Open,
                WontFix,
                Direction::Pull,
                Plan::Pull { remote: WontFix },
            ),
            (
                base,
                Open,
                Done,
                Direction::Push,
                Plan::Held {
                    remote_changed: true,
                },
            ),
            (
                base,
                Done,
                Open,
                Direction::Both,
                Plan::Push { target: Done },
            ),
            (
                base,
                WontFix,
                Open,
                Direction::Push,
                Plan::Push { target: WontFix },
            ),
            (
                base,
                Done,
                Open,
                Direction::Pull,
                Plan::Held {
                    remote_changed: false,
                },
            ),
            (base, Done, Done, Direction::Both, Plan::Converged),
            (base, Done, WontFix, Direction::Both, Plan::Conflict),
            (base, WontFix, Done, Direction::Both, Plan::Conflict),
            (
                base,
                Done,
                InProgress,
                Direction::Both,
                Plan::Push { target: Done },
            ),
            // A finding that reopens reopens its ticket.
            (
                Synced {
                    local: Done,
                    remote: Done,
                },
                Open,
                Done,
                Direction::Both,
                Plan::Push { target: Open },
            ),
            // A ticket reopened remotely is recorded.
            (
                Synced {
                    local: Open,
                    remote: Done,
                },
                Open,
                Open,
                Direction::Both,
                Plan::Pull { remote: Open },
            ),
            (
                Synced {
                    local: Done,
                    remote: Done,
                },
                Done,
                Done,
                Direction::Both,
                Plan::Unchanged,
            ),
        ];
        for (last, local, remote, direction, expected) in rows {
            assert_eq!(
                plan(*last, *local, *remote, *direction),
                *expected,
                "{last:?} local={local:?} remote={remote:?} {direction:?}"
            );
        }
    }

    #[test]
    fn synced_round_trips() {
        for local in [Open, InProgress, Done, WontFix] {
            for remote in [Open, InProgress, Done, WontFix] {
                let s = Synced { local, remote };
                assert_eq!(Synced::decode(&s.encode()), Some(s));
            }
        }
        assert_eq!(Synced::decode("garbage"), None);
    }

    #[test]
    fn finding_statuses_map_to_ticket_states() {
        assert_eq!(local_state(FindingStatus::Resolved), Done);
        assert_eq!(local_state(FindingStatus::AcceptedRisk), WontFix);
        assert_eq!(local_state(FindingStatus::FalsePositive), WontFix);
        assert_eq!(local_state(FindingStatus::Open), Open);
    }
}
