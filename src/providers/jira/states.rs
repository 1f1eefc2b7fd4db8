//! Jira workflows, normalised: statuses by their category, won't-fix by status or resolution
//! name, `status_map` first; and the choice of a transition discovered at run time.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::providers::NormalState;
use crate::providers::status_map::mapped;

/// Words that mark a status, transition or resolution as "closed without fixing".
const WONT_FIX_WORDS: &[&str] = &[
    "won't",
    "wont",
    "will not",
    "duplicate",
    "not a bug",
    "cannot reproduce",
    "rejected",
    "declined",
    "invalid",
    "obsolete",
];

fn looks_wont_fix(name: &str) -> bool {
    let name = name.to_lowercase().replace('’', "'");
    WONT_FIX_WORDS.iter().any(|w| name.contains(w))
}

/// A status normalised: `status_map` by status name, else the status category (`new`,
/// `indeterminate`, `done`), where done with a won't-fix status or resolution is won't fix.
pub fn normalise(
    status_map: &BTreeMap<String, String>,
    status: &str,
    category: &str,
    resolution: Option<&str>,
) -> NormalState {
    if let Some(state) = mapped(status_map, status) {
        return state;
    }
    match category {
        "done" if looks_wont_fix(status) || resolution.is_some_and(looks_wont_fix) => {
            NormalState::WontFix
        }
        "done" => NormalState::Done,
        "indeterminate" => NormalState::InProgress,
        // `new`, and `undefined` on workflows that never set a category.
        _ => NormalState::Open,
    }
}

/// The transition to take and the fields its screen needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub transition_id: String,
    /// The target status's name, for messages.
    pub to: String,
    /// `{"resolution": {"name": ...}}` when the screen has a resolution field, else empty.
    pub fields: Value,
}

/// Picks, from `GET /issue/{key}/transitions?expand=transitions.fields`, the transition that
/// reaches `target`: first one whose target status `status_map` maps to it, then one whose
/// target's category (and, for done versus won't fix, name) gives it, and for won't fix a done
/// transition whose resolution field offers a won't-fix resolution.
pub fn choose(
    status_map: &BTreeMap<String, String>,
    transitions: &Value,
    target: NormalState,
) -> Option<Move> {
    let list: Vec<&Value> = transitions["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["isAvailable"] != Value::Bool(false))
        .collect();
    let to_name = |t: &Value| t["to"]["name"].as_str().unwrap_or_default().to_owned();
    let by_map = list
        .iter()
        .find(|t| mapped(status_map, &to_name(t)) == Some(target));
    let by_category = || {
        list.iter().find(|t| {
            let name = to_name(t);
            mapped(status_map, &name).is_none()
                && normalise(
                    &BTreeMap::new(),
                    &format!("{name} {}", t["name"].as_str().unwrap_or_default()),
                    t["to"]["statusCategory"]["key"].as_str().unwrap_or("new"),
                    None,
                ) == target
        })
    };
    if let Some(t) = by_map.or_else(by_category) {
        // A done transition with a resolution on its screen must be given one.
        let fields = resolution(t, target == NormalState::WontFix).unwrap_or(json!({}));
        return Some(Move {
            transition_id: id(t),
            to: to_name(t),
            fields,
        });
    }
    if target != NormalState::WontFix {
        return None;
    }
    // Jira's default workflows have no won't-fix status: it is "Done" with resolution
    // "Won't Do" (Cloud) or "Won't Fix" (Data Center).
    list.iter()
        .filter(|t| t["to"]["statusCategory"]["key"] == "done")
        .find_map(|t| {
            let fields = resolution(t, true)?;
            let name = fields["resolution"]["name"].as_str()?;
            looks_wont_fix(name).then(|| Move {
                transition_id: id(t),
                to: to_name(t),
                fields,
            })
        })
}

fn id(t: &Value) -> String {
    match &t["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The resolution to send with a transition whose screen has the field: a won't-fix one when
/// `wont_fix`, else "Done"/"Fixed" or the first that is not won't-fix.
fn resolution(t: &Value, wont_fix: bool) -> Option<Value> {
    let field = t["fields"].get("resolution")?;
    let names: Vec<&str> = field["allowedValues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str())
        .collect();
    let pick = if wont_fix {
        names.iter().find(|n| looks_wont_fix(n))
    } else {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case("done") || n.eq_ignore_ascii_case("fixed"))
            .or_else(|| names.iter().find(|n| !looks_wont_fix(n)))
    };
    pick.map(|n| json!({"resolution": {"name": n}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transitions() -> Value {
        let resolution = json!({"resolution": {"required": true, "allowedValues": [
            {"name": "Done"}, {"name": "Won't Do"}, {"name": "Duplicate"}]}});
        json!({"transitions": [
            {"id": "11", "name": "To Do", "to": {"name": "To Do", "statusCategory": {"key": "new"}}},
            {"id": "21", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
            {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}, "fields": resolution},
            {"id": "41", "name": "Accept risk", "to": {"name": "Accepted Risk", "statusCategory": {"key": "done"}}},
        ]})
    }

    #[test]
    fn categories_resolutions_and_the_map_normalise() {
        let none = BTreeMap::new();
        assert_eq!(normalise(&none, "To Do", "new", None), NormalState::Open);
        assert_eq!(
            normalise(&none, "In Review", "indeterminate", None),
            NormalState::InProgress
        );
        assert_eq!(
            normalise(&none, "Done", "done", Some("Done")),
            NormalState::Done
        );
        assert_eq!(
            normalise(&none, "Done", "done", Some("Won’t Do")),
            NormalState::WontFix
        );
        assert_eq!(
            normalise(&none, "Won't Fix", "done", None),
            NormalState::WontFix
        );
        let map = BTreeMap::from([("accepted risk".to_owned(), "wont_fix".to_owned())]);
        assert_eq!(
            normalise(&map, "Accepted Risk", "done", None),
            NormalState::WontFix
        );
    }

    #[test]
    fn transitions_are_chosen_by_category_resolution_and_map() {
        let none = BTreeMap::new();
        let t = transitions();
        let pick = |map: &BTreeMap<String, String>, s| choose(map, &t, s).unwrap();
        assert_eq!(pick(&none, NormalState::Open).transition_id, "11");
        assert_eq!(pick(&none, NormalState::InProgress).transition_id, "21");
        let done = pick(&none, NormalState::Done);
        assert_eq!(done.transition_id, "31");
        assert_eq!(done.fields, json!({"resolution": {"name": "Done"}}));
        let wont = pick(&none, NormalState::WontFix);
        assert_eq!(wont.transition_id, "31");
        assert_eq!(wont.fields, json!({"resolution": {"name": "Won't Do"}}));
        let map = BTreeMap::from([("Accepted Risk".to_owned(), "wont_fix".to_owned())]);
        let wont = pick(&map, NormalState::WontFix);
        assert_eq!(
            (wont.transition_id.as_str(), wont.fields),
            ("41", json!({}))
        );
    }
}
