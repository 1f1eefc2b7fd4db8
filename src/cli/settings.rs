//! `settings path`, `settings check`, `settings init` and `settings kinds`.

use clap::Subcommand;
use serde_json::json;

use super::Context;
use crate::error::ExitStatus;

/// Inspect, check and write the configuration
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Check each provider: config, base-URL safety, ownership, credentials, and a live read-only probe
    #[command(
        after_help = "Examples:\n  ticket-export settings check\n  ticket-export settings check jira-sec && ticket-export retry tex_9006\n\n\
        A passing check is recorded: an attempt blocked by PROVIDER_AUTH_FAILED becomes ready.\n\
        Exits 0 when every provider passes, 3 when one needs a person, 4 when one is unreachable."
    )]
    Check {
        /// Only this provider key
        #[arg(value_name = "PROVIDER")]
        provider: Option<String>,
    },
    /// Print the config, store and fallback folder paths in use
    #[command(
        after_help = "Examples:\n  ticket-export settings path\n  ticket-export --json settings path | jq -r .store.path"
    )]
    Path,
    Init(super::settings_init::InitArgs),
    /// List the provider kinds with the mapping keys, owned entries and credentials each needs
    #[command(
        after_help = "Examples:\n  ticket-export settings kinds\n  ticket-export --json settings kinds | jq -r '.kinds[] | select(.kind == \"jira\") | .destination_keys[]'"
    )]
    Kinds,
}

/// Runs `settings`.
pub fn run(cmd: SettingsCommand, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    match cmd {
        SettingsCommand::Path => path(ctx),
        SettingsCommand::Check { provider } => super::settings_check::run(provider, ctx),
        SettingsCommand::Init(args) => super::settings_init::run(args, ctx),
        SettingsCommand::Kinds => super::settings_kinds::run(ctx),
    }
}

fn path(ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config();
    let config_exists = ctx.config_path.is_file();
    let store_exists = ctx.store_path.is_file();
    let out_dir = config
        .as_ref()
        .ok()
        .map(|c| c.fallback.out_dir.display().to_string());
    let out_note = match &config {
        Ok(c) if c.fallback.out_dir_named => "fallback files ([fallback] out_dir)",
        _ => "fallback files (default: the data folder)",
    };
    // The default folder moved; files an earlier version wrote there stay, and are shown here.
    let earlier = config
        .as_ref()
        .ok()
        .and_then(|c| c.earlier_default_out_dir(&ctx.config_path));
    if ctx.printer.settings.json {
        ctx.printer.json(&json!({
            "config": {"path": ctx.config_path, "exists": config_exists},
            "store": {"path": ctx.store_path, "exists": store_exists},
            "out_dir": out_dir,
            "earlier_out_dir": earlier,
        }))?;
    } else {
        let config_note = if config_exists {
            "exists"
        } else {
            "missing: no providers configured"
        };
        let store_note = if store_exists {
            "exists"
        } else {
            "missing: created on first use"
        };
        let mut rows = vec![
            vec![
                "config".into(),
                ctx.config_path.display().to_string(),
                config_note.into(),
            ],
            vec![
                "store".into(),
                ctx.store_path.display().to_string(),
                store_note.into(),
            ],
            vec![
                "out_dir".into(),
                out_dir.unwrap_or_else(|| "-".into()),
                out_note.into(),
            ],
        ];
        if let Some(earlier) = earlier {
            rows.push(vec![
                "earlier".into(),
                earlier.display().to_string(),
                "fallback files of an earlier default; not moved".into(),
            ]);
        }
        ctx.printer.table(&["WHAT", "PATH", "NOTE"], &rows)?;
    }
    config.map(|_| ExitStatus::Ok)
}
