//! A board's lists, and how a list's name reads when `status_map` does not name it.

use crate::providers::NormalState;

/// One list of the board.
#[derive(Debug, Clone)]
pub(super) struct BoardList {
    pub id: String,
    pub name: String,
}

/// A list's state from its name, for boards without `status_map`.
pub(super) fn guess(name: &str) -> NormalState {
    let n = name.to_ascii_lowercase().replace('\'', "");
    if n.contains("wont") || n.contains("rejected") || n.contains("declined") {
        NormalState::WontFix
    } else if n.contains("done") || n.contains("complete") || n.contains("closed") {
        NormalState::Done
    } else if n.contains("doing") || n.contains("progress") || n.contains("review") {
        NormalState::InProgress
    } else {
        NormalState::Open
    }
}
