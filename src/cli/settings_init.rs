//! `settings init [KIND...]`: writes a commented config for the chosen provider kinds.

use std::path::PathBuf;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use serde_json::json;

use super::Context;
use crate::config::ProviderKind;
use crate::config::template::{PLACEHOLDER, WriteError, template, write_config};
use crate::error::{ExitStatus, UsageError};

/// Write a commented config for the chosen provider kinds; it names where credentials come from, never a secret
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export settings init github jira\n  \
    ticket-export settings init --out ~/cron/ticket-export.toml gitlab webhook\n\n\
    Values only you know are written as \"<fill in: ...>\": the config is refused, naming each\n\
    one and its line, until they are replaced. The file is 0644 (it holds no secret); an existing\n\
    file is never replaced without --force."
)]
pub struct InitArgs {
    /// Provider kinds to write an entry for (`settings kinds` lists them); none: no providers yet
    #[arg(value_name = "KIND", value_parser = kind_parser())]
    pub kinds: Vec<ProviderKind>,
    /// Write to FILE instead of the config path in use (`settings path`); `-` prints it
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}

/// Kind names as clap sees them: checked, suggested on a typo, and completed by the shells.
fn kind_parser() -> impl TypedValueParser<Value = ProviderKind> {
    PossibleValuesParser::new(ProviderKind::ALL.map(ProviderKind::as_str))
        .map(|name| ProviderKind::parse(&name).expect("a possible value"))
}

/// Runs `settings init`.
pub fn run(args: InitArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let t = template(&args.kinds);
    let kinds: Vec<&str> = t.kinds.iter().map(|k| k.as_str()).collect();
    let to_stdout = args.out.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let path = args.out.clone().unwrap_or_else(|| ctx.config_path.clone());
    if !to_stdout {
        write_config(&path, &t.text, args.force).map_err(refusal)?;
    }
    if ctx.printer.settings.json {
        ctx.printer.json(&json!({
            "schema_version": 1,
            "path": (!to_stdout).then_some(&path),
            "kinds": kinds,
            "placeholders": t.placeholders,
            "variables": t.variables,
            "config": to_stdout.then_some(&t.text),
        }))?;
    } else if to_stdout {
        ctx.printer.raw(&t.text)?;
    } else {
        ctx.printer.line(&format!(
            "wrote {}: {} provider(s){}, {} value(s) to fill",
            path.display(),
            kinds.len(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            },
            t.placeholders.len()
        ))?;
    }
    if !t.kinds.is_empty() {
        ctx.printer.info(&format!(
            "next: replace each \"{PLACEHOLDER}: ...>\" value ({}); set {} or name files instead \
             (see the comments); then run `ticket-export settings check`",
            t.placeholders.join(", "),
            t.variables.join(", ")
        ));
    }
    Ok(ExitStatus::Ok)
}

fn refusal(err: WriteError) -> anyhow::Error {
    match err {
        WriteError::Exists { path } => UsageError::new(
            format!("{} already exists; nothing was written", path.display()),
            "settings init never replaces a config unless asked: it may hold your providers",
            "pass --force to replace it, --out FILE to write elsewhere, or --out - to print the \
             entries and copy the ones you need",
        )
        .into(),
        other => other.into(),
    }
}
