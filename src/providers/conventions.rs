//! Small rules several clients share: where the API lives under a base URL, and how the
//! customer's `status_map` overrides a client's own reading of a state name.

use super::NormalState;
use crate::config::Provider;

/// The part of `api` (such as `/api/v2`) still to add after the base URL's path, so a base URL
/// given as the host (`https://api.clickup.com`) and one pasted with the API path
/// (`https://api.clickup.com/api/v2`) both work.
pub fn api_prefix(base: &url::Url, api: &str) -> String {
    let path = base.path().trim_end_matches('/');
    let cuts = api
        .match_indices('/')
        .map(|(i, _)| i)
        .chain([api.len()])
        .collect::<Vec<_>>();
    // Longest overlap first: a base ending in `/api/v2` needs nothing, one ending in `/api`
    // needs `/v2`.
    for &cut in cuts.iter().rev() {
        if cut > 0 && path.ends_with(&api[..cut]) {
            return api[cut..].to_owned();
        }
    }
    api.to_owned()
}

/// Parses a normalised state as the config spells it (`open`, `in_progress`, `done`,
/// `wont_fix`), accepting spaces, dashes and the apostrophe people type in "won't fix".
pub fn parse_normal(text: &str) -> Option<NormalState> {
    let key: String = text
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    match key.as_str() {
        "open" => Some(NormalState::Open),
        "in_progress" => Some(NormalState::InProgress),
        "done" => Some(NormalState::Done),
        "wont_fix" | "wontfix" => Some(NormalState::WontFix),
        _ => None,
    }
}

/// The customer's mapping for a provider state name, compared without regard to case.
pub fn mapped_state(provider: &Provider, raw: &str) -> Option<NormalState> {
    provider
        .status_map
        .iter()
        .find(|(name, _)| name.trim().eq_ignore_ascii_case(raw.trim()))
        .and_then(|(_, normal)| parse_normal(normal))
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
    fn the_api_prefix_is_added_once() {
        let at = |base: &str| api_prefix(&base.parse().unwrap(), "/api/v2");
        assert_eq!(at("https://api.clickup.com"), "/api/v2");
        assert_eq!(at("https://api.clickup.com/"), "/api/v2");
        assert_eq!(at("https://api.clickup.com/api"), "/v2");
        assert_eq!(at("https://api.clickup.com/api/v2/"), "");
        assert_eq!(at("https://host/youtrack"), "/api/v2");
    }

    #[test]
    fn normal_states_parse_in_the_spellings_people_write() {
        assert_eq!(parse_normal("won't fix"), Some(NormalState::WontFix));
        assert_eq!(parse_normal("In-Progress"), Some(NormalState::InProgress));
        assert_eq!(parse_normal("done"), Some(NormalState::Done));
        assert_eq!(parse_normal("closed"), None);
        assert!(sounds_like_wont_fix("Won’t Fix"));
        assert!(sounds_like_wont_fix("Cancelled"));
        assert!(!sounds_like_wont_fix("Fixed"));
    }
}
