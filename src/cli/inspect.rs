//! `inspect [ID]`: triage: each attempt with its decision, a summary, or one attempt in full.

use std::ops::ControlFlow;

use clap::Args;
use serde_json::json;

use super::Context;
use crate::assess::Assessor;
use crate::error::{ExitStatus, UsageError};
use crate::model::{State, TicketExport};
use crate::output::one_line;
use crate::store::AttemptFilter;
use crate::triage::{self, Decision};

/// Triage: decode each failure code into a decision (ready, blocked, cooldown, stop) and say why
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export inspect --summary\n  \
    ticket-export inspect --state blocked --provider jira-sec\n  \
    ticket-export inspect tex_9001 && ticket-export retry tex_9001\n\n\
    Exits with the code of its selection: 0 ready, 3 blocked, 4 cooldown, 5 stop.")]
pub struct InspectArgs {
    /// A ticket_export_id: every field, the decoded reason, the decision and the history
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Only attempts of this report
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
    /// Only attempts for this provider key
    #[arg(long, value_name = "KEY")]
    pub provider: Option<String>,
    /// Only attempts with this failure code (`none` for attempts without one)
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Only attempts in this triage state
    #[arg(long, value_enum, value_name = "STATE")]
    pub state: Option<StateArg>,
    /// Show at most this many attempts (a terminal is told "N of M shown"; JSON carries both)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Counts by failure code, state and provider instead of a list; combines with --report,
    /// --provider, --code and --state. Piped, each row is: GROUP (code, provider or total),
    /// NAME, READY, BLOCKED, COOLDOWN, STOP, TOTAL, tab-separated
    #[arg(long, conflicts_with_all = ["id", "limit"])]
    pub summary: bool,
}

/// `--state` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    Ready,
    Blocked,
    Cooldown,
    Stop,
}

impl From<StateArg> for State {
    fn from(s: StateArg) -> State {
        match s {
            StateArg::Ready => State::Ready,
            StateArg::Blocked => State::Blocked,
            StateArg::Cooldown => State::Cooldown,
            StateArg::Stop => State::Stop,
        }
    }
}

/// Runs `inspect`.
pub fn run(args: InspectArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
    // Reading only: a missing store is reported, never created empty (design.md §2 creates
    // one on first use; issue 12 narrows that to the commands that write).
    let store = ctx.existing_store()?;
    let ids: Vec<String> = args.id.iter().cloned().collect();
    crate::named::check(
        crate::named::Named {
            ids: &ids,
            report: args.report.as_deref(),
            provider: args.provider.as_deref(),
        },
        Some(&store),
        Some(&config),
    )?;
    let mut assessor = Assessor::new(&config, &ctx.ambient, &store)?;
    if args.summary {
        check_code(args.code.as_deref())?;
        let filter = super::inspect_summary::SummaryFilter {
            report: args.report,
            provider: args.provider,
            code: args.code,
            state: args.state.map(State::from),
        };
        return super::inspect_summary::run(ctx, &store, &mut assessor, &filter);
    }
    if let Some(id) = &args.id {
        return detail(ctx, &store, &mut assessor, id);
    }
    list(args, ctx, &store, &mut assessor)
}

/// Refuses a `--code` that is no failure code, so a typo is not an empty answer.
fn check_code(code: Option<&str>) -> anyhow::Result<()> {
    if let Some(code) = code
        && code != "none"
        && crate::model::FailureCode::parse(code).is_none()
    {
        return Err(UsageError::new(
            format!("--code {code:?} is not a failure code"),
            "codes are upper-case, like TICKET_EXPORT_DELIVERY_FAILED",
            "pass a code from `ticket-export inspect --summary`, or `none`",
        )
        .into());
    }
    Ok(())
}

fn code_text(a: &TicketExport) -> &str {
    a.provider_error_code.as_ref().map_or("-", |c| c.as_str())
}

fn list(
    args: InspectArgs,
    ctx: &mut Context,
    store: &crate::store::Store,
    assessor: &mut Assessor<'_>,
) -> anyhow::Result<ExitStatus> {
    check_code(args.code.as_deref())?;
    let filter = AttemptFilter {
        ids: Vec::new(),
        report: args.report.clone(),
        provider: args.provider.clone(),
        code: args.code.clone(),
    };
    let want_state = args.state.map(State::from);
    let limit = args.limit.unwrap_or(usize::MAX);
    let (json, terminal) = (ctx.printer.settings.json, ctx.printer.settings.terminal);
    let mut status = ExitStatus::Ok;
    let mut shown = 0usize;
    let mut matching = 0usize;
    let mut rows = Vec::new();
    let mut io_result = Ok(());
    if json {
        io_result = ctx.printer.raw("{\"schema_version\":1,\"attempts\":[");
    }
    store.for_each_attempt(&filter, |attempt| {
        // Past the limit the attempts are still counted (and triaged when --state needs it),
        // so the answer can say "N of M"; the exit code stays that of the attempts shown.
        if shown >= limit && want_state.is_none() {
            matching += 1;
            return ControlFlow::Continue(());
        }
        let decision = assessor.decide(&attempt);
        if want_state.is_some_and(|s| s != decision.state) {
            return ControlFlow::Continue(());
        }
        matching += 1;
        if shown >= limit {
            return ControlFlow::Continue(());
        }
        status = status.worst(decision.state.into());
        let written = if json {
            let sep = if shown == 0 { "" } else { "," };
            ctx.printer
                .raw(sep)
                .and_then(|()| ctx.printer.json_inline(&attempt_json(&attempt, &decision)))
        } else {
            let row = vec![
                attempt.ticket_export_id.clone(),
                attempt.report_id.clone(),
                attempt.provider_key.clone(),
                attempt.export_status.to_string(),
                code_text(&attempt).to_owned(),
                decision.state.to_string(),
                decision.action.as_str().to_owned(),
            ];
            if terminal {
                rows.push(row);
                Ok(())
            } else {
                ctx.printer.table(&[], &[row])
            }
        };
        shown += 1;
        match written {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                io_result = Err(e);
                ControlFlow::Break(())
            }
        }
    })?;
    io_result?;
    if json {
        ctx.printer
            .raw(&format!("],\"shown\":{shown},\"total\":{matching}}}\n"))?;
    } else if terminal {
        ctx.printer.table(
            &[
                "ID", "REPORT", "PROVIDER", "STATUS", "CODE", "STATE", "NEXT",
            ],
            &rows,
        )?;
    }
    if matching == 0 {
        // Every named filter exists (checked in `run`), so an empty list on a store that
        // holds attempts means the filters together select none: say so, not "import some".
        let what = match store.attempt_count()? {
            0 => "the store holds no attempts; import a report with `ticket-export import FILE`"
                .to_owned(),
            all => format!(
                "no attempts match these filters together; the store holds {all}: drop a filter, \
                 or see the counts with `ticket-export inspect --summary`"
            ),
        };
        ctx.printer.info(&what);
    } else if shown < matching {
        ctx.printer.hint(&format!(
            "{shown} of {matching} attempts shown; more: --limit {matching}, or narrow with --report, --provider, --code or --state"
        ));
    } else {
        ctx.printer.hint("details: ticket-export inspect ID");
    }
    Ok(status)
}

/// The stored `retry_after`, and when it is further ahead than a wait may be, the time it is
/// honoured until instead.
fn retry_after_text(a: &TicketExport, now: jiff::Timestamp) -> String {
    match (a.retry_after, triage::Wait::read(a.retry_after, now)) {
        (None, _) => "-".into(),
        (Some(stored), Some(wait)) if wait.capped_from.is_some() => format!(
            "{stored} (more than 24 h ahead of the clock: honoured until {} only)",
            wait.until
        ),
        (Some(stored), _) => stored.to_string(),
    }
}

/// An attempt with its decision, as `inspect --json` prints it.
pub fn attempt_json(attempt: &TicketExport, decision: &Decision) -> serde_json::Value {
    let mut value = serde_json::to_value(attempt).unwrap_or_default();
    value["decision"] = serde_json::to_value(decision).unwrap_or_default();
    value
}

fn detail(
    ctx: &mut Context,
    store: &crate::store::Store,
    assessor: &mut Assessor<'_>,
    id: &str,
) -> anyhow::Result<ExitStatus> {
    // `run` checked that the id names an attempt; one removed since is reported the same way.
    let Some(attempt) = store.attempt(id)? else {
        crate::named::check(
            crate::named::Named {
                ids: &[id.to_owned()],
                ..Default::default()
            },
            Some(store),
            None,
        )?;
        anyhow::bail!(
            "attempt {id} was removed from the store while it was read; run inspect again"
        );
    };
    let decision = assessor.decide(&attempt);
    // The finding as every other output shows it: credentials in its text redacted.
    let finding = store
        .finding(&attempt.report_id, &attempt.finding_id)?
        .map(crate::redact::finding_owned);
    let events = store.events(id)?;
    if ctx.printer.settings.json {
        ctx.printer.json_pretty(&json!({
            "schema_version": 1,
            "attempt": attempt_json(&attempt, &decision),
            "finding": finding,
            "events": events,
        }))?;
        return Ok(decision.state.into());
    }
    let a = &attempt;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut fields = vec![
        ("ticket_export_id", a.ticket_export_id.clone()),
        ("report_id", a.report_id.clone()),
        ("finding_id", a.finding_id.clone()),
        ("provider_key", a.provider_key.clone()),
        ("export_status", a.export_status.to_string()),
        ("provider_error_code", code_text(a).to_owned()),
        (
            "provider_response_code",
            a.provider_response_code
                .map_or("-".into(), |c| c.to_string()),
        ),
        ("mapping_status", a.mapping_status.to_string()),
        (
            "mapping_missing",
            if a.mapping_missing.is_empty() {
                "-".into()
            } else {
                a.mapping_missing.join(", ")
            },
        ),
        ("duplicate_fingerprint", a.duplicate_fingerprint.clone()),
        ("idempotency_key", a.idempotency_key.clone()),
        ("retry_after", retry_after_text(a, assessor.now())),
        ("external_ticket_id", opt(&a.external_ticket_id)),
        ("external_ticket_url", opt(&a.external_ticket_url)),
        (
            "status_sync_status",
            a.status_sync_status.map_or("-".into(), |s| s.to_string()),
        ),
        ("portable_export_path", opt(&a.portable_export_path)),
        ("attempt_count", a.attempt_count.to_string()),
    ];
    // The provider's own stored cooldown, which holds every attempt of it: shown while it
    // runs, since it decides the state as much as the attempt's fields do.
    if let Some(cooldown) = assessor.provider_cooldown(&a.provider_key)
        && let Some(wait) = cooldown.wait(assessor.now())
    {
        fields.push((
            "provider_cooldown",
            format!("until {} ({}){}", wait.until, cooldown.reason, wait.note()),
        ));
    }
    if let Some(f) = &finding {
        fields.push((
            "finding",
            format!("[{}] {} ({})", f.severity, f.title, f.url),
        ));
    }
    // Values come from import files and providers: no control character reaches the terminal.
    for (name, value) in &fields {
        ctx.printer
            .line(&format!("{name:<23} {}", one_line(value)))?;
    }
    ctx.printer.line("")?;
    let state = ctx.printer.state(decision.state);
    ctx.printer.line(&format!(
        "{:<23} {state} ({})",
        "decision",
        decision.action.as_str()
    ))?;
    let reason = match &a.provider_error_code {
        Some(code) => triage::describe_code(code).to_owned(),
        None => decision.reason.clone(),
    };
    for (name, value) in [
        ("reason", reason.as_str()),
        ("why", decision.why.as_str()),
        ("next step", decision.next_step.as_str()),
    ] {
        ctx.printer
            .line(&format!("{name:<23} {}", one_line(value)))?;
    }
    ctx.printer
        .line(&format!("{:<23} {}", "guide", decision.guide.title()))?;
    ctx.printer.line("")?;
    ctx.printer.line("history")?;
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.map_or("-".into(), |t| t.to_string()),
                e.action.clone(),
                e.outcome.clone(),
                e.code.clone().unwrap_or_else(|| "-".into()),
                e.http_status.map_or("-".into(), |s| s.to_string()),
                e.detail.clone(),
            ]
        })
        .collect();
    ctx.printer.table(
        &["AT", "ACTION", "OUTCOME", "CODE", "HTTP", "DETAIL"],
        &rows,
    )?;
    Ok(decision.state.into())
}
