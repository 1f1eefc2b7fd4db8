//! Work item states: each process template has its own, and every state has a category, which
//! is what they are normalised and chosen by.

use crate::providers::NormalState;

/// One state of a work item type's workflow.
#[derive(Debug, Clone)]
pub(super) struct WorkflowState {
    pub(super) name: String,
    pub(super) category: String,
}

/// A state category, normalised (`Proposed`, `InProgress`, `Resolved`, `Completed`, `Removed`).
pub fn normalise(category: &str) -> NormalState {
    match category {
        "InProgress" => NormalState::InProgress,
        "Resolved" | "Completed" => NormalState::Done,
        "Removed" => NormalState::WontFix,
        _ => NormalState::Open,
    }
}

/// Categories to pick a state from for a target, best first.
pub(super) fn preferred_categories(target: NormalState) -> &'static [&'static str] {
    match target {
        NormalState::Open => &["Proposed"],
        NormalState::InProgress => &["InProgress"],
        NormalState::Done => &["Completed", "Resolved"],
        NormalState::WontFix => &["Removed"],
    }
}
