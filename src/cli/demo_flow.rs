//! The part of `demo` that talks to providers: retries and a sync against the loopback
//! simulator, so a newcomer sees the protocol work with no account anywhere.

use std::sync::Arc;

use super::Context;
use crate::config::Config;
use crate::providers::http::{Http, Timeouts};
use crate::providers::{NormalState, TicketDraft, client_for};
use crate::simulator::{Fault, Matcher, Simulator};
use crate::store::Store;

/// Runs the retry and sync steps; `step` is the number of the first.
pub fn run(ctx: &mut Context, config: &Config, sim: &Simulator, step: u32) -> anyhow::Result<()> {
    let http = Arc::new(Http::new(config.mode, Timeouts::default()));
    // An earlier export created tex_9012's ticket, then the platform lost track of it.
    let store = Store::open(&ctx.store_path)?;
    let earlier = store.attempt("tex_9012")?.expect("in the demo report");
    let finding = store
        .finding(&earlier.report_id, &earlier.finding_id)?
        .expect("in the demo report");
    let jira = config.provider("jira-sec").expect("in the demo config");
    let draft = TicketDraft::build(&earlier, &finding, jira);
    client_for(jira, http.clone(), &ctx.ambient)?.create(&draft)?;
    drop(store);
    // tex_9015's create will succeed on the provider, but its answer is lost on the way back.
    sim.fail(Matcher::new("POST", "/task"), Fault::LoseResponse, 1);
    let before = sim.state().tickets.len();

    ctx.printer.prose(&format!(
        "\n{step}. retry against a local provider simulator (ticket-export retry tex_9001 tex_9012 tex_9015 tex_9020):\n   \
         tex_9001 (Jira) and tex_9020 (Linear) have no ticket yet; tex_9012's ticket already exists;\n   \
         tex_9015's create (ClickUp) loses its answer on the way back"
    ))?;
    // One id at a time, so the demo prints the same lines in the same order on every run.
    for id in ["tex_9001", "tex_9012", "tex_9015", "tex_9020"] {
        let retry = super::retry::RetryArgs {
            ids: vec![id.into()],
            report: None,
            all: false,
            dry_run: false,
            concurrency: 1,
            allow_create: false,
            yes: false,
        };
        super::retry::run(retry, ctx)?;
    }
    let created = sim.state().tickets.len() - before;
    ctx.printer.prose(&format!(
        "   tickets created by these four retries: {created} (tex_9001, tex_9015 and tex_9020; tex_9012 was linked \
         to the existing one, and the lost answer did not lead to a second create)"
    ))?;

    // Someone closes tex_9001's ticket in Jira; the scanner has marked tex_9012's finding resolved.
    let store = Store::open(&ctx.store_path)?;
    let created = store
        .attempt("tex_9001")?
        .and_then(|a| a.external_ticket_id)
        .unwrap_or_default();
    drop(store);
    client_for(jira, http, &ctx.ambient)?.write_status(&created, NormalState::Done)?;
    ctx.printer.prose(&format!(
        "\n{}. status sync (ticket-export sync tex_9001 tex_9012):\n   \
         {created} was closed in Jira; the scanner resolved tex_9012's finding",
        step + 1
    ))?;
    for id in ["tex_9001", "tex_9012"] {
        let sync = super::sync::SyncArgs {
            ids: vec![id.into()],
            report: None,
            all: false,
            direction: crate::sync::Direction::Both,
            prefer: None,
            dry_run: false,
            concurrency: 1,
        };
        super::sync::run(sync, ctx)?;
    }
    Ok(())
}
