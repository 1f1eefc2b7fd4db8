//! `link ID URL`: record the ticket a person found for an attempt.

use clap::Args;

use super::Context;
use crate::error::ExitStatus;
use crate::link::{LinkError, link};

/// Record that an attempt's ticket is the one at URL (a ticket you found); nothing is sent
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    ticket-export link tex_9001 https://github.com/acme/shop/issues/87\n  \
    ticket-export --json link tex_9005 https://acme.atlassian.net/browse/SEC-12\n\n\
    The URL must be a ticket page of the attempt's destination (its repository or project, on \
    the web address of the provider's base_url). The ticket's id is taken from it, the link is \
    recorded and added to the attempt's history; retry then never creates a ticket for it.")]
pub struct LinkArgs {
    /// The ticket_export_id whose ticket you found
    #[arg(value_name = "ID")]
    pub id: String,
    /// The ticket's web page, as the provider shows it
    #[arg(value_name = "URL")]
    pub url: String,
}

/// Runs `link`.
pub fn run(args: LinkArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
    let mut store = ctx.store_for_writing()?;
    // The same rule as every command: an id the store does not hold is exit 2 with close matches.
    crate::named::check(
        crate::named::Named {
            ids: std::slice::from_ref(&args.id),
            ..Default::default()
        },
        Some(&store),
        Some(&config),
    )?;
    let report = match link(&config, &mut store, ctx.ambient.now(), &args.id, &args.url) {
        Ok(report) => report,
        Err(LinkError::Refused(e)) => return Err(e.into()),
        Err(LinkError::Store(e)) => return Err(e.into()),
    };
    if ctx.printer.settings.json {
        ctx.printer.json(&report)?;
    } else {
        ctx.printer.line(&format!(
            "{}\t{}\t{}\tticket {}\t{}",
            report.ticket_export_id,
            report.provider_key,
            report.outcome,
            report.external_ticket_id,
            report.detail
        ))?;
    }
    Ok(ExitStatus::Ok)
}
