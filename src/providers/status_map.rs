//! `provider.status_map`: the customer's own state names mapped to the four normalised states.
//! It overrides a client's own reading of a state, and names the state to move a ticket to.
//! Also here: the words that make a state name read as "won't fix" or "in progress", for
//! trackers whose states carry no type that says so.

use std::collections::BTreeMap;

use super::NormalState;

/// Reads a normalised state as a person may write it in the config (`done`, `in progress`,
/// `in_progress`, `won't fix`, `Won't-Fix`...); `todo` reads as open and `closed` as done.
pub fn parse_normal(text: &str) -> Option<NormalState> {
    let key: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    match key.as_str() {
        "open" | "todo" => Some(NormalState::Open),
        "inprogress" => Some(NormalState::InProgress),
        "done" | "closed" => Some(NormalState::Done),
        "wontfix" => Some(NormalState::WontFix),
        _ => None,
    }
}

/// The normalised state the customer mapped a provider state name to (names compared without
/// case, as the providers' own UIs do).
pub fn mapped(status_map: &BTreeMap<String, String>, raw: &str) -> Option<NormalState> {
    status_map
        .iter()
        .find(|(name, _)| name.trim().eq_ignore_ascii_case(raw.trim()))
        .and_then(|(_, state)| parse_normal(state))
}

/// The provider state names the customer mapped to `target`, in the config's order.
pub fn names_for(status_map: &BTreeMap<String, String>, target: NormalState) -> Vec<&str> {
    status_map
        .iter()
        .filter(|(_, state)| parse_normal(state) == Some(target))
        .map(|(name, _)| name.trim())
        .collect()
}

/// True when a state name reads as "won't fix" in any of the usual spellings: trackers name
/// these states differently, and none of them has a type for it.
pub fn sounds_like_wont_fix(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace(['\'', '’'], "");
    [
        "wont fix",
        "wontfix",
        "wont do",
        "not planned",
        "cancel",
        "duplicate",
        "obsolete",
        "rejected",
        "declined",
        "invalid",
        "cant reproduce",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// True when a state name reads as work in progress.
pub fn sounds_like_in_progress(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "in progress",
        "in-progress",
        "doing",
        "in review",
        "started",
    ]
    .iter()
    .any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_states_are_read_leniently() {
        assert_eq!(parse_normal("In Progress"), Some(NormalState::InProgress));
        assert_eq!(parse_normal("won't_fix"), Some(NormalState::WontFix));
        assert_eq!(parse_normal("done"), Some(NormalState::Done));
        assert_eq!(parse_normal("later"), None);
    }

    #[test]
    fn normal_states_parse_in_the_spellings_people_write() {
        assert_eq!(parse_normal("won't fix"), Some(NormalState::WontFix));
        assert_eq!(parse_normal("In-Progress"), Some(NormalState::InProgress));
        assert_eq!(parse_normal("done"), Some(NormalState::Done));
        // One reading for every client: `closed` was ignored by the Asana, YouTrack and ClickUp
        // clients and read as done by the others, which kept their reading.
        assert_eq!(parse_normal("closed"), Some(NormalState::Done));
        assert!(sounds_like_wont_fix("Won’t Fix"));
        assert!(sounds_like_wont_fix("Cancelled"));
        assert!(!sounds_like_wont_fix("Fixed"));
    }
}
