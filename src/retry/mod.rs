//! `retry`: re-deliver eligible attempts without ever creating a duplicate (design section 5).
//!
//! The main thread triages every selected attempt and refuses what is not ready. What remains is
//! grouped by provider and handed to at most `concurrency` workers per provider; each worker
//! holds its own store connection and runs the protocol in `worker.rs`. Reports stream back over
//! a channel in completion order.

mod backoff;
mod lookup;
mod record;
mod worker;

pub use lookup::{BeforeFallback, before_fallback};

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, mpsc};

use jiff::Timestamp;

use crate::ambient::Ambient;
use crate::assess::Assessor;
use crate::config::Config;
use crate::model::{ExportStatus, State, TicketExport};
use crate::providers::http::{Http, Timeouts};
use crate::providers::{PlannedCall, TicketDraft, load_credentials, planning_client, ticket_ref};
use crate::store::Store;
use crate::triage::{self, Action};

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct RetryOptions {
    /// Workers per provider.
    pub concurrency: usize,
    /// Print the plan and change nothing.
    pub dry_run: bool,
    pub timeouts: Timeouts,
    /// `--allow-create`: a person lifted the duplicate guard for every selected attempt, and
    /// how they confirmed it (on the terminal, or `--yes`). Recorded as an event.
    pub allow_create: Option<&'static str>,
}

/// What happened to one attempt.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemReport {
    pub ticket_export_id: String,
    pub provider_key: String,
    /// created, linked, updated, planned, refused, skipped, failed, uncertain, cooldown, or
    /// `not sent` (the credential cannot be used).
    pub outcome: &'static str,
    /// The attempt's triage state after the run; its exit code is the item's.
    pub state: State,
    pub export_status: ExportStatus,
    pub provider_error_code: Option<String>,
    pub provider_response_code: Option<u16>,
    #[serde(with = "crate::model::opt_ts")]
    pub retry_after: Option<Timestamp>,
    pub external_ticket_id: Option<String>,
    pub external_ticket_url: Option<String>,
    pub detail: String,
    /// For `--dry-run`: the calls that would be made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    /// The store failed while handling it: the run exits 1, whatever the attempt's state.
    #[serde(skip)]
    pub store_failed: bool,
}

impl ItemReport {
    fn from_attempt(a: &TicketExport, outcome: &'static str, state: State, detail: String) -> Self {
        ItemReport {
            ticket_export_id: a.ticket_export_id.clone(),
            provider_key: a.provider_key.clone(),
            outcome,
            state,
            export_status: a.export_status,
            provider_error_code: a
                .provider_error_code
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            provider_response_code: a.provider_response_code,
            retry_after: a.retry_after,
            external_ticket_id: a.external_ticket_id.clone(),
            external_ticket_url: a.external_ticket_url.clone(),
            detail,
            plan: Vec::new(),
            store_failed: false,
        }
    }
}

/// One attempt handed to a worker, with the action triage chose.
struct Job {
    attempt: TicketExport,
    action: Action,
    /// A person allowed a create for this duplicate-blocked attempt (`--allow-create`).
    allow_create: bool,
}

/// Runs a retry over `selection`, calling `report` for each attempt as it finishes.
pub fn run(
    config: &Config,
    ambient: &Ambient,
    store_path: &Path,
    selection: Vec<TicketExport>,
    options: RetryOptions,
    mut report: impl FnMut(ItemReport),
) -> anyhow::Result<()> {
    let store = Store::open(store_path)?;
    let mut assessor = Assessor::new(config, ambient, &store)?;
    let now = ambient.now();
    let http = Arc::new(Http::new(config.mode, options.timeouts));
    let mut queues: BTreeMap<String, VecDeque<Job>> = BTreeMap::new();
    for attempt in selection {
        let mut decision = assessor.decide(&attempt);
        if options.allow_create.is_some() {
            match triage::allow_create(&attempt, &decision, now) {
                Ok(action) => decision.action = action,
                Err(why) => {
                    let detail = format!("refused: {why}; nothing sent");
                    report(ItemReport::from_attempt(
                        &attempt,
                        "refused",
                        decision.state,
                        detail,
                    ));
                    continue;
                }
            }
        }
        if let Err(why) = triage::retry_allowed(&decision) {
            let detail = format!("refused: {why}; next: {}", decision.next_step);
            let mut item = ItemReport::from_attempt(&attempt, "refused", decision.state, detail);
            // The wait as honoured (capped when the stored one was far ahead).
            if decision.state == State::Cooldown {
                item.retry_after = decision.wait_until;
            }
            report(item);
            continue;
        }
        // Triage holds every row that calls the provider during its stored cooldown; what is
        // left is an update of a known ticket (a stop), which waits too and stays a stop.
        if let Some(wait) = assessor
            .provider_cooldown(&attempt.provider_key)
            .and_then(|c| Some((c.wait(now)?, c.reason.clone())))
        {
            let (wait, reason) = wait;
            let mut item = ItemReport::from_attempt(
                &attempt,
                "cooldown",
                match decision.state {
                    State::Stop => State::Stop,
                    _ => State::Cooldown,
                },
                format!(
                    "{} asked us to wait until {} ({reason}){}; nothing sent",
                    attempt.provider_key,
                    wait.until,
                    wait.note()
                ),
            );
            item.retry_after = Some(wait.until);
            report(item);
            continue;
        }
        if options.dry_run {
            report(plan(
                config,
                &store,
                &http,
                now,
                &attempt,
                decision.action,
                decision.state,
            )?);
            continue;
        }
        if let Some(how) = options.allow_create {
            record_override(&store, ambient, &attempt, how)?;
        }
        queues
            .entry(attempt.provider_key.clone())
            .or_default()
            .push_back(Job {
                attempt,
                action: decision.action,
                allow_create: options.allow_create.is_some(),
            });
    }
    let salt = store.salt()?;
    drop(store);
    if queues.is_empty() {
        return Ok(());
    }
    let (tx, rx) = mpsc::channel::<ItemReport>();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for (key, jobs) in queues {
            let provider = config
                .provider(&key)
                .expect("triage refuses unconfigured providers")
                .clone();
            let credentials = load_credentials(&provider, ambient);
            let digest = provider.connection_digest(ambient, &salt);
            let shared = Arc::new(worker::ProviderRun::new(
                provider,
                jobs,
                credentials,
                http.clone(),
                digest,
                ambient.now(),
            ));
            for _ in 0..options.concurrency.max(1).min(shared.len()) {
                let (shared, tx) = (shared.clone(), tx.clone());
                let holder = crate::lease::holder();
                scope.spawn(move || worker::work(&shared, store_path, &holder, &tx));
            }
        }
        drop(tx);
        let store = Store::open(store_path)?;
        for mut item in rx {
            // The exit code of an item is the state its attempt is in now.
            if let Some(after) = store.attempt(&item.ticket_export_id)? {
                // A cooldown this run recorded holds the provider's other attempts too.
                assessor.reread_cooldown(&store, &after.provider_key)?;
                item.state = assessor.decide(&after).state;
                item.export_status = after.export_status;
                item.provider_error_code = after.provider_error_code.map(|c| c.as_str().to_owned());
                item.provider_response_code = after.provider_response_code;
                item.retry_after = after.retry_after;
                item.external_ticket_id = after.external_ticket_id;
                item.external_ticket_url = after.external_ticket_url;
            }
            report(item);
        }
        Ok(())
    })
}

/// Records, in the attempt's history, that a person lifted the duplicate guard: who, when,
/// how they confirmed, and what was overridden.
fn record_override(
    store: &Store,
    ambient: &Ambient,
    attempt: &TicketExport,
    how: &str,
) -> Result<(), crate::error::StoreError> {
    let known = attempt
        .external_ticket_url
        .as_deref()
        .or(attempt.external_ticket_id.as_deref())
        .map(|t| format!("the known ticket {t}"))
        .unwrap_or_else(|| "no known ticket".into());
    let detail = format!(
        "--allow-create by {} ({how}): the duplicate guard (TICKET_EXPORT_DUPLICATE_BLOCKED, {known}) \
         is lifted for this run only; the ticket is looked up by fingerprint first and linked if \
         found; a create follows only if none is",
        ambient.user()
    );
    let event = crate::store::Event {
        at: Some(ambient.now()),
        action: "retry".into(),
        outcome: "override".into(),
        code: Some(crate::model::FailureCode::DuplicateBlocked.as_str().into()),
        http_status: None,
        detail,
    };
    store.append_event(&attempt.ticket_export_id, ambient.now(), &event)
}

/// The calls a retry would make, without making them.
fn plan(
    config: &Config,
    store: &Store,
    http: &Arc<Http>,
    now: Timestamp,
    attempt: &TicketExport,
    action: Action,
    state: State,
) -> anyhow::Result<ItemReport> {
    let provider = config
        .provider(&attempt.provider_key)
        .expect("triage refuses unconfigured providers");
    let mut item = ItemReport::from_attempt(
        attempt,
        "planned",
        state,
        format!("to {}", provider.destination()),
    );
    if let Some(link) = store.link_for(&attempt.provider_key, &attempt.duplicate_fingerprint)?
        && action != Action::UpdateExisting
    {
        item.plan.push(format!(
            "link to {} (already linked locally; no request)",
            link.external_ticket_id
        ));
        return Ok(item);
    }
    let Some(finding) = store.finding(&attempt.report_id, &attempt.finding_id)? else {
        item.detail = "the finding is missing from the store".into();
        return Ok(item);
    };
    let draft = TicketDraft::build(attempt, &finding, provider);
    match planning_client(provider, http.clone(), now) {
        Ok(client) => {
            if action == Action::UpdateExisting {
                // The real path with the real id, as the run would send it, or why none.
                match ticket_ref::resolve(
                    provider,
                    attempt.external_ticket_id.as_deref(),
                    attempt.external_ticket_url.as_deref(),
                ) {
                    Ok(ticket) => {
                        let from = if ticket.from_url {
                            " (id from external_ticket_url)"
                        } else {
                            ""
                        };
                        let call = client.plan(PlannedCall::Update(&ticket.id, &draft));
                        item.plan.push(format!("{call}{from}"));
                    }
                    Err(e) => {
                        item.state = State::Blocked;
                        item.detail = format!("nothing would be sent: {e}");
                    }
                }
            } else {
                item.plan.push(client.plan(PlannedCall::Lookup(&draft)));
                let create = client.plan(PlannedCall::Create(&draft));
                if action == Action::LookupAndLink {
                    item.plan
                        .push("then link the one found; never create".into());
                } else {
                    item.plan
                        .push(format!("then, only if none is found: {create}"));
                }
            }
        }
        Err(e) => item.detail = e.to_string(),
    }
    Ok(item)
}
