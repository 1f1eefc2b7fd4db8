//! Label-filtered issue listings, paged the way GitHub and GitLab both page them, and the
//! reading of many tickets' states through them.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use url::Url;

use super::{Failure, RemoteState};

/// Issues a page: the most GitHub and GitLab give.
pub const PER_PAGE: usize = 100;

/// Filters an issue listing to one label, in every state, a full page at a time: the first
/// page, or page `page` (from 1).
pub fn by_label(url: &mut Url, label: &str, page: Option<usize>) {
    let mut query = url.query_pairs_mut();
    query
        .append_pair("labels", label)
        .append_pair("state", "all")
        .append_pair("per_page", &PER_PAGE.to_string());
    if let Some(page) = page {
        query.append_pair("page", &page.to_string());
    }
}

/// The states of the wanted tickets, read page by page: `fetch(n)` answers page `n` (from 1) of
/// the listing, `id` and `state` read one of its items. Stops at a short page, or once every
/// wanted ticket was seen.
pub fn read_states(
    ticket_ids: &[String],
    mut fetch: impl FnMut(usize) -> Result<Value, Failure>,
    id: impl Fn(&Value) -> String,
    state: impl Fn(&Value) -> RemoteState,
) -> Result<HashMap<String, RemoteState>, Failure> {
    let wanted: HashSet<&str> = ticket_ids.iter().map(String::as_str).collect();
    let mut found = HashMap::new();
    for page in 1.. {
        let items = fetch(page)?.as_array().cloned().unwrap_or_default();
        for item in &items {
            let id = id(item);
            if wanted.contains(id.as_str()) {
                found.insert(id, state(item));
            }
        }
        if items.len() < PER_PAGE || found.len() == wanted.len() {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::providers::NormalState;

    fn read(wanted: &[&str], pages: usize) -> (Vec<String>, usize) {
        let ids: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        let mut fetched = 0;
        let found = read_states(
            &ids,
            |n| {
                fetched += 1;
                let len = if n < pages { PER_PAGE } else { 3 };
                Ok(json!(
                    (0..len)
                        .map(|i| json!({"id": format!("{n}.{i}")}))
                        .collect::<Vec<_>>()
                ))
            },
            |item| item["id"].as_str().unwrap().to_owned(),
            |item| RemoteState {
                raw: item["id"].to_string(),
                normal: NormalState::Open,
            },
        )
        .unwrap();
        let mut found: Vec<String> = found.into_keys().collect();
        found.sort();
        (found, fetched)
    }

    #[test]
    fn pages_stop_when_short_or_when_every_ticket_was_seen() {
        assert_eq!(read(&["3.1", "9.9"], 3), (vec!["3.1".to_owned()], 3));
        assert_eq!(
            read(&["1.5", "2.7"], 3),
            (vec!["1.5".into(), "2.7".into()], 2)
        );
    }
}
