//! Asana's task state: `completed`, refined by the sections the customer names, and the fields
//! an Asana error blames.

use serde_json::Value;

use crate::config::Provider;
use crate::providers::NormalState;
use crate::providers::http::HttpResponse;
use crate::providers::status_map::mapped;

/// `mapping.fields` key: the gid of the section that holds won't-fix tasks (Asana has no such
/// state of its own).
pub const WONTFIX_SECTION: &str = "wontfix_section";
/// `mapping.fields` key: the gid of the section that holds tasks in progress.
pub const IN_PROGRESS_SECTION: &str = "in_progress_section";

/// A section gid from `mapping.fields`.
pub fn section(provider: &Provider, key: &str) -> Option<String> {
    match provider.mapping.fields.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The sections a task sits in within one project, as (gid, name).
pub fn sections_in(task: &Value, project: &str) -> Vec<(String, String)> {
    task["memberships"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["project"]["gid"].as_str().is_none_or(|p| p == project))
        .filter_map(|m| {
            let s = &m["section"];
            Some((
                s["gid"].as_str()?.to_owned(),
                s["name"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// A task's state as a raw description and a normalised state. `status_map` may name a
/// section, or `completed` / `incomplete`.
pub fn normalise(
    provider: &Provider,
    completed: bool,
    sections: &[(String, String)],
) -> (String, NormalState) {
    let done_word = if completed { "completed" } else { "incomplete" };
    let wontfix = section(provider, WONTFIX_SECTION);
    let in_progress = section(provider, IN_PROGRESS_SECTION);
    let named = |gid: &str, name: &str| format!("{done_word} in section {name} ({gid})");
    for (gid, name) in sections {
        if let Some(mapped) = mapped(&provider.status_map, name) {
            return (named(gid, name), mapped);
        }
    }
    if let Some(mapped) = mapped(&provider.status_map, done_word) {
        return (done_word.to_owned(), mapped);
    }
    let in_section = |wanted: &Option<String>| {
        sections
            .iter()
            .find(|(gid, _)| wanted.as_deref() == Some(gid.as_str()))
    };
    match (completed, in_section(&wontfix), in_section(&in_progress)) {
        (true, Some((gid, name)), _) => (named(gid, name), NormalState::WontFix),
        (true, None, _) => (done_word.to_owned(), NormalState::Done),
        (false, _, Some((gid, name))) => (named(gid, name), NormalState::InProgress),
        (false, _, _) => (done_word.to_owned(), NormalState::Open),
    }
}

/// Whether `target` means a completed task, honouring a `status_map` that sends `completed` or
/// `incomplete` elsewhere.
pub fn completes(provider: &Provider, target: NormalState) -> bool {
    match (
        mapped(&provider.status_map, "completed"),
        mapped(&provider.status_map, "incomplete"),
    ) {
        (Some(t), _) if t == target => true,
        (_, Some(t)) if t == target => false,
        _ => matches!(target, NormalState::Done | NormalState::WontFix),
    }
}

/// The request fields an Asana 400 blames. Asana starts its messages with the field path
/// (`projects: [0]: Not a recognized ID`, `workspace: Missing input`); otherwise the sent
/// fields the message names.
pub fn blamed_fields(resp: &HttpResponse, sent: &[&str]) -> Vec<String> {
    let json = resp.json();
    let mut fields = Vec::new();
    for error in json["errors"].as_array().into_iter().flatten() {
        let message = error["message"].as_str().unwrap_or_default();
        let head = message.split(':').next().unwrap_or_default().trim();
        let is_path = !head.is_empty()
            && message.contains(':')
            && head
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
        if is_path {
            fields.push(head.to_owned());
            continue;
        }
        let lower = message.to_ascii_lowercase();
        fields.extend(
            sent.iter()
                .filter(|f| lower.contains(*f))
                .map(|f| f.to_string()),
        );
    }
    fields.dedup();
    fields
}

/// The first error message, for details.
pub fn message(resp: &HttpResponse) -> String {
    let json = resp.json();
    json["errors"][0]["message"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| crate::providers::failure::summary(resp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(extra: &str) -> Provider {
        let text = format!(
            "mode = \"self-hosted\"\n[providers.a]\nkind = \"asana\"\nbase_url = \"https://app.asana.com\"\nauth = {{ token_env = \"T\" }}\nowned = [\"1300\"]\n[providers.a.mapping]\nworkspace = \"1200\"\nproject = \"1300\"\n{extra}"
        );
        crate::config::Config::parse(&text, std::path::Path::new("/tmp/c.toml"))
            .unwrap()
            .providers
            .remove("a")
            .unwrap()
    }

    #[test]
    fn completed_and_sections_normalise() {
        let p =
            provider("fields = { wontfix_section = \"1309\", in_progress_section = \"1302\" }\n");
        let s = |gid: &str| vec![(gid.to_owned(), format!("Section {gid}"))];
        assert_eq!(normalise(&p, false, &[]).1, NormalState::Open);
        assert_eq!(normalise(&p, true, &[]).1, NormalState::Done);
        assert_eq!(normalise(&p, true, &s("1309")).1, NormalState::WontFix);
        assert_eq!(normalise(&p, false, &s("1309")).1, NormalState::Open);
        assert_eq!(normalise(&p, false, &s("1302")).1, NormalState::InProgress);
        assert_eq!(
            normalise(&p, true, &s("1309")).0,
            "completed in section Section 1309 (1309)"
        );
    }

    #[test]
    fn status_map_names_sections_or_completion() {
        let p = provider(
            "[providers.a.status_map]\n\"Doing\" = \"in_progress\"\ncompleted = \"wont_fix\"\n",
        );
        let doing = vec![("1".to_owned(), "Doing".to_owned())];
        assert_eq!(normalise(&p, false, &doing).1, NormalState::InProgress);
        assert_eq!(normalise(&p, true, &[]).1, NormalState::WontFix);
        assert!(completes(&p, NormalState::WontFix));
        assert!(!completes(&p, NormalState::Open));
    }

    #[test]
    fn errors_name_the_field() {
        let resp = HttpResponse {
            status: 400,
            headers: vec![],
            body: r#"{"errors":[{"message":"projects: [0]: Not a recognized ID: 12","help":"…"}]}"#
                .into(),
        };
        assert_eq!(blamed_fields(&resp, &[]), ["projects"]);
        let resp = HttpResponse {
            body: r#"{"errors":[{"message":"You should specify one of workspace, parent, projects"}]}"#.into(),
            ..resp
        };
        assert_eq!(
            blamed_fields(&resp, &["workspace", "projects"]),
            ["workspace", "projects"]
        );
    }
}
