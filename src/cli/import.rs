//! `import FILE|-`: load reports, findings and export attempts into the store.

use std::io::Read;

use clap::Args;

use super::Context;
use crate::error::{ExitStatus, UsageError};

/// Load reports, findings and export attempts (JSON) into the store, in one transaction
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export import reports/rep_1042.json\n  \
    webriskops export --failed | ticket-export import -\n\n\
    Re-importing the same file changes nothing. A file with any problem imports nothing.\n\
    A report's exported_at keeps data moving forward: a report older than the one stored changes\n\
    none of its findings, and without exported_at a closed status that sync confirmed stays."
)]
pub struct ImportArgs {
    /// The import file, or - for standard input
    #[arg(value_name = "FILE|-", value_hint = clap::ValueHint::FilePath)]
    pub file: String,
}

/// Runs `import`.
pub fn run(args: ImportArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
    let mut store = ctx.store_for_writing()?;
    let (input, name): (Box<dyn Read>, String) = if args.file == "-" {
        (Box::new(std::io::stdin().lock()), "standard input".into())
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| {
            UsageError::new(
                format!("cannot open the import file {}", args.file),
                e.to_string(),
                "check the path, or pass - to read standard input",
            )
        })?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(UsageError::new(
                format!("cannot import {}", args.file),
                "it is a directory",
                "name a JSON import file",
            )
            .into());
        }
        (Box::new(file), args.file.clone())
    };
    let (counts, timings) =
        crate::import::import_timed(&mut store, &config, &ctx.ambient, input, &name)?;
    ctx.printer.verbose(&format!("time: {timings}"));
    if ctx.printer.settings.json {
        ctx.printer
            .json(&serde_json::json!({"file": name, "counts": counts}))?;
    } else {
        ctx.printer.line(&format!(
            "imported {name}: {} attempt(s) created, {} updated, {} unchanged; {} report(s) and {} finding(s) written",
            counts.attempts_created, counts.attempts_updated, counts.attempts_unchanged, counts.reports, counts.findings
        ))?;
        if !counts.older_reports.is_empty() {
            ctx.printer.line(&format!(
                "older than the store: {} (their exported_at is older than the one imported before); their stored findings were left as they are, and only new findings and attempts were added",
                counts.older_reports.join(", ")
            ))?;
        }
        ctx.printer.hint("next: ticket-export inspect --summary");
    }
    Ok(ExitStatus::Ok)
}
