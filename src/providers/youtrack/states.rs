//! YouTrack's `State` field: reading a value as a normalised state, choosing the value to set
//! from the project's own state bundle, and the field names a 400 answer blames.

use serde_json::Value;

use crate::config::Provider;
use crate::providers::NormalState;
use crate::providers::http::HttpResponse;
use crate::providers::status_map::{mapped, sounds_like_in_progress, sounds_like_wont_fix};

/// One value of a project's State bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateValue {
    pub name: String,
    /// YouTrack's own "resolved" flag, which every workflow sets on its closing states.
    pub resolved: bool,
}

impl StateValue {
    fn new(name: &str, resolved: bool) -> Self {
        StateValue {
            name: name.to_owned(),
            resolved,
        }
    }
}

/// The states of YouTrack's default workflow, used when the project's bundle cannot be read
/// (the token may lack the permission to read project settings).
pub fn default_states() -> Vec<StateValue> {
    [
        ("Submitted", false),
        ("Open", false),
        ("In Progress", false),
        ("Reopened", false),
        ("Fixed", true),
        ("Verified", true),
        ("Won't fix", true),
        ("Duplicate", true),
        ("Obsolete", true),
    ]
    .into_iter()
    .map(|(n, r)| StateValue::new(n, r))
    .collect()
}

/// A State value, normalised: `status_map` first, then names that mean "won't fix", then the
/// resolved flag, then names that mean "in progress".
pub fn normalise(provider: &Provider, name: &str, resolved: bool) -> NormalState {
    if let Some(mapped) = mapped(&provider.status_map, name) {
        return mapped;
    }
    if sounds_like_wont_fix(name) || name.trim().eq_ignore_ascii_case("incomplete") {
        NormalState::WontFix
    } else if resolved {
        NormalState::Done
    } else if sounds_like_in_progress(name) {
        NormalState::InProgress
    } else {
        NormalState::Open
    }
}

/// The bundle value to set for `target`: one the customer mapped to it, else the usual name,
/// else any value that reads as the target.
pub fn choose<'a>(
    provider: &Provider,
    values: &'a [StateValue],
    target: NormalState,
) -> Option<&'a StateValue> {
    let preferred: &[&str] = match target {
        NormalState::Open => &["Open", "Reopened", "Submitted"],
        NormalState::InProgress => &["In Progress"],
        NormalState::Done => &["Fixed", "Done", "Resolved", "Verified"],
        NormalState::WontFix => &["Won't fix", "Obsolete", "Duplicate"],
    };
    values
        .iter()
        .find(|v| mapped(&provider.status_map, &v.name) == Some(target))
        .or_else(|| {
            preferred.iter().find_map(|p| {
                values.iter().find(|v| {
                    v.name.eq_ignore_ascii_case(p)
                        && normalise(provider, &v.name, v.resolved) == target
                })
            })
        })
        .or_else(|| {
            values
                .iter()
                .find(|v| normalise(provider, &v.name, v.resolved) == target)
        })
}

/// The State bundle values from a `customFields` listing of a project.
pub fn bundle_values(fields: &Value, state_field: &str) -> Option<Vec<StateValue>> {
    let field = fields.as_array()?.iter().find(|f| {
        f["field"]["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(state_field))
    })?;
    let values: Vec<StateValue> = field["bundle"]["values"]
        .as_array()?
        .iter()
        .filter_map(|v| {
            Some(StateValue::new(
                v["name"].as_str()?,
                v["isResolved"].as_bool().unwrap_or(false),
            ))
        })
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The command that sets a field to a value. Values with spaces go in braces, as YouTrack's
/// grammar requires for multi-word values; enum fields take the `Field: value` form.
pub fn set_command(field: &str, value: &str) -> String {
    if value.contains(char::is_whitespace) {
        format!("{field}: {{{value}}}")
    } else {
        format!("{field}: {value}")
    }
}

/// The fields a 400 answer blames: `error_field` when YouTrack names one, else the field before
/// "is required" or after "field"/"Unknown value for", else the request's own fields named in
/// the description.
pub fn blamed_fields(resp: &HttpResponse, sent: &[&str]) -> Vec<String> {
    let json = resp.json();
    if let Some(field) = json["error_field"].as_str().filter(|f| !f.is_empty()) {
        return vec![field.to_owned()];
    }
    let text = json["error_description"]
        .as_str()
        .or_else(|| json["error"].as_str())
        .unwrap_or_default();
    if let Some((before, _)) = text.split_once(" is required") {
        let name = before.rsplit(": ").next().unwrap_or(before).trim();
        if !name.is_empty() {
            return vec![name.trim_matches(['\'', '"']).to_owned()];
        }
    }
    for marker in ["Unknown value for field ", "field ", "Field "] {
        if let Some((_, after)) = text.split_once(marker) {
            let name: String = after
                .trim_start_matches(['\'', '"'])
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == ' ' || *c == '_')
                .collect();
            let name = name.split(" is").next().unwrap_or(&name).trim();
            if !name.is_empty() {
                return vec![name.to_owned()];
            }
        }
    }
    let lower = text.to_ascii_lowercase();
    sent.iter()
        .filter(|f| lower.contains(&f.to_ascii_lowercase()))
        .map(|f| f.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(status_map: &[(&str, &str)]) -> Provider {
        let text = format!(
            "mode = \"self-hosted\"\n[providers.yt]\nkind = \"youtrack\"\nbase_url = \"https://yt.example\"\nauth = {{ token_env = \"T\" }}\nowned = [\"SEC\"]\nmapping = {{ project = \"SEC\" }}\n[providers.yt.status_map]\n{}",
            status_map
                .iter()
                .map(|(k, v)| format!("\"{k}\" = \"{v}\"\n"))
                .collect::<String>()
        );
        crate::config::Config::parse(&text, std::path::Path::new("/tmp/c.toml"))
            .unwrap()
            .providers
            .remove("yt")
            .unwrap()
    }

    #[test]
    fn default_workflow_states_normalise() {
        let p = provider(&[]);
        let n = |name, resolved| normalise(&p, name, resolved);
        assert_eq!(n("Submitted", false), NormalState::Open);
        assert_eq!(n("In Progress", false), NormalState::InProgress);
        assert_eq!(n("Fixed", true), NormalState::Done);
        assert_eq!(n("Verified", true), NormalState::Done);
        assert_eq!(n("Won't fix", true), NormalState::WontFix);
        assert_eq!(n("Duplicate", true), NormalState::WontFix);
        assert_eq!(n("Obsolete", true), NormalState::WontFix);
        assert_eq!(n("Incomplete", true), NormalState::WontFix);
    }

    #[test]
    fn status_map_wins_for_reading_and_choosing() {
        let p = provider(&[("Shipped", "done"), ("Triage", "in_progress")]);
        assert_eq!(normalise(&p, "Triage", false), NormalState::InProgress);
        let values = vec![
            StateValue::new("Open", false),
            StateValue::new("Triage", false),
            StateValue::new("Fixed", true),
            StateValue::new("Shipped", true),
        ];
        assert_eq!(
            choose(&p, &values, NormalState::Done).unwrap().name,
            "Shipped"
        );
        assert_eq!(
            choose(&p, &values, NormalState::InProgress).unwrap().name,
            "Triage"
        );
        assert!(choose(&p, &values, NormalState::WontFix).is_none());
    }

    #[test]
    fn commands_brace_multi_word_values() {
        assert_eq!(set_command("State", "Fixed"), "State: Fixed");
        assert_eq!(set_command("State", "Won't fix"), "State: {Won't fix}");
    }

    #[test]
    fn a_400_names_the_field() {
        let resp = |body: &str| HttpResponse {
            status: 400,
            headers: vec![],
            body: body.into(),
        };
        assert_eq!(
            blamed_fields(
                &resp(r#"{"error":"bad_request","error_description":"Subsystem is required"}"#),
                &[]
            ),
            ["Subsystem"]
        );
        assert_eq!(
            blamed_fields(
                &resp(
                    r#"{"error":"bad_request","error_description":"Unknown value for field Priority: Urgentissimo"}"#
                ),
                &[]
            ),
            ["Priority"]
        );
        assert_eq!(
            blamed_fields(
                &resp(r#"{"error":"bad_request","error_description":"Invalid query"}"#),
                &["summary"]
            ),
            Vec::<String>::new()
        );
    }
}
