//! `provider.status_map`: the customer's own state names mapped to the four normalised states.
//! It overrides the built-in reading of a state, and names the state to move a ticket to.

use super::NormalState;
use crate::config::Provider;

/// Reads a normalised state as a person may write it in the config (`done`, `in progress`,
/// `won't fix`...).
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
pub fn mapped(provider: &Provider, raw: &str) -> Option<NormalState> {
    provider
        .status_map
        .iter()
        .find(|(name, _)| name.trim().eq_ignore_ascii_case(raw.trim()))
        .and_then(|(_, state)| parse_normal(state))
}

/// The provider state names the customer mapped to `target`, in the config's order.
pub fn names_for(provider: &Provider, target: NormalState) -> Vec<&str> {
    provider
        .status_map
        .iter()
        .filter(|(_, state)| parse_normal(state) == Some(target))
        .map(|(name, _)| name.trim())
        .collect()
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
}
