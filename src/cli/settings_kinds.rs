//! `settings kinds`: every provider kind with what its config entry needs, from the definitions
//! the config loader checks entries against.

use serde_json::json;

use super::Context;
use crate::config::ProviderKind;
use crate::error::ExitStatus;

/// What a kind's `auth` needs, in words.
fn auth_text(kind: ProviderKind) -> String {
    let [env, file] = kind.token_keys();
    let mut text = format!("{env} or {file}");
    if let Some(user) = kind.guide().user {
        let optional = if user.required { "" } else { "optional: " };
        text.push_str(&format!(
            "; user_env or user_file ({optional}{})",
            user.holds
        ));
    }
    text
}

/// Runs `settings kinds`.
pub fn run(ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    if ctx.printer.settings.json {
        let kinds: Vec<serde_json::Value> = ProviderKind::ALL
            .iter()
            .map(|&kind| {
                let guide = kind.guide();
                let [token_env, token_file] = kind.token_keys();
                json!({
                    "kind": kind.as_str(),
                    "destination_keys": kind.destination_keys(),
                    "owned_key": kind.owned_key(),
                    "owned": guide.owned,
                    "token_keys": [token_env, token_file],
                    "user": guide.user.map(|u| json!({"required": u.required, "holds": u.holds})),
                    "base_url": guide.base_url,
                    "base_url_form": guide.base_url_form,
                    "token_help": guide.token_help,
                })
            })
            .collect();
        ctx.printer
            .json(&json!({"schema_version": 1, "kinds": kinds}))?;
        return Ok(ExitStatus::Ok);
    }
    let rows: Vec<Vec<String>> = ProviderKind::ALL
        .iter()
        .map(|&kind| {
            let keys = kind.destination_keys();
            vec![
                kind.as_str().to_owned(),
                if keys.is_empty() {
                    "none: base_url is the target".to_owned()
                } else {
                    keys.join(", ")
                },
                kind.guide().owned.to_owned(),
                auth_text(kind),
            ]
        })
        .collect();
    ctx.printer
        .table(&["KIND", "MAPPING KEYS", "OWNED HOLDS", "AUTH"], &rows)?;
    ctx.printer
        .hint("a commented config for some kinds: ticket-export settings init KIND...");
    Ok(ExitStatus::Ok)
}
