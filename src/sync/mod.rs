//! `sync`: keep linked tickets and findings in step (design section 7).
//!
//! Per provider (side by side): one paged read of every ticket where the provider can list them,
//! while the store reads the links in full; then what the listing alone settles is recorded in
//! batches, and at most `concurrency` workers claim each remaining link, merge three ways
//! (`merge.rs`), write only what the merge allows, and record the outcome (`provider.rs`). A
//! failed read never leads to a write.

mod link;
pub mod merge;
mod provider;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use jiff::{SignedDuration, Timestamp};

use crate::ambient::Ambient;
use crate::config::{Config, Provider, ProviderKind};
use crate::model::State;
use crate::providers::http::{Http, Timeouts};
use crate::providers::{NormalState, ProviderClient, RemoteState, client_for};
use crate::store::{AttemptFilter, Store, SyncItem, SyncLink};
use merge::local_state;
pub use merge::{Direction, Prefer};

/// After a failed read or write without a requested wait, the next run waits this long.
pub(super) const FAILURE_WAIT: SignedDuration = SignedDuration::from_secs(60);

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    pub direction: Direction,
    /// `--prefer`: the side a person chose for links in conflict; other links sync as usual.
    pub prefer: Option<Prefer>,
    pub dry_run: bool,
    pub concurrency: usize,
    pub timeouts: Timeouts,
}

/// What happened to one link.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SyncReport {
    pub ticket_export_id: String,
    pub provider_key: String,
    pub external_ticket_id: String,
    /// unchanged, pulled, pushed, converged, held, conflict, failed, skipped, cooldown, or
    /// with `--dry-run` would_pull / would_push.
    pub outcome: &'static str,
    pub state: State,
    pub local: Option<NormalState>,
    pub remote: Option<NormalState>,
    pub detail: String,
    /// Until when nothing about this link is sent (a cooldown, or a failure that asked to wait).
    #[serde(with = "crate::model::opt_ts")]
    pub retry_after: Option<Timestamp>,
    /// The store failed while handling it: the run exits 1, whatever the link's state.
    #[serde(skip)]
    pub store_failed: bool,
    /// The link's last sync had failed before this run (`--quiet` reports only new problems).
    #[serde(skip)]
    pub was_failing: bool,
}

impl SyncReport {
    fn new(
        item: &SyncItem,
        outcome: &'static str,
        state: State,
        detail: impl Into<String>,
    ) -> Self {
        SyncReport {
            ticket_export_id: item.attempt.ticket_export_id.clone(),
            provider_key: item.attempt.provider_key.clone(),
            external_ticket_id: item.ticket_id.clone(),
            outcome,
            state,
            local: Some(local_state(item.finding_status)),
            remote: None,
            detail: detail.into(),
            retry_after: None,
            store_failed: false,
            was_failing: item.attempt.status_sync_status == Some(crate::model::SyncStatus::Failed),
        }
    }

    /// A link whose full item could not be read from the store: the run exits 1.
    fn store_failed(link: &SyncLink, detail: String) -> Self {
        SyncReport {
            ticket_export_id: link.ticket_export_id.clone(),
            provider_key: link.provider_key.clone(),
            external_ticket_id: link.ticket_id.clone(),
            outcome: "failed",
            state: State::Blocked,
            local: None,
            remote: None,
            detail,
            retry_after: None,
            store_failed: true,
            was_failing: false,
        }
    }

    /// Whether the attempt itself was asked to wait (its `retry_after` is ahead): triage holds
    /// every call to the provider about it until then (design section 4), sync included.
    fn cooling(item: &SyncItem, now: Timestamp) -> Option<Self> {
        let wait = crate::triage::Wait::read(item.attempt.retry_after, now)?;
        let until = wait.until;
        let status = item
            .attempt
            .provider_response_code
            .map(|status| format!("HTTP {status}, "))
            .unwrap_or_default();
        let who = match item.attempt.wait_origin() {
            crate::model::WaitOrigin::Provider => {
                format!("{} asked us to wait", item.attempt.provider_key)
            }
            crate::model::WaitOrigin::Tool => format!(
                "ticket-export backs off from {} after the last failure (the provider did not \
                 ask for this wait), so it waits",
                item.attempt.provider_key
            ),
        };
        let detail = format!(
            "{who} until {until} for this ticket ({status}retry_after){}; nothing sent; rerun sync after {until}",
            wait.note()
        );
        Some(SyncReport {
            retry_after: Some(until),
            ..SyncReport::new(item, "cooldown", State::Cooldown, detail)
        })
    }
}

pub(super) struct ProviderSync<'a> {
    provider: &'a Provider,
    client: Box<dyn ProviderClient>,
    items: Mutex<VecDeque<SyncItem>>,
    known: HashMap<String, RemoteState>,
    stopped: Mutex<Option<(String, State)>>,
    options: SyncOptions,
    now: Timestamp,
    who: String,
}

/// Syncs the selected `links`, calling `report` for each as it finishes. `filter` is the
/// selection `links` was read with: each provider reads its links in full with it, while its
/// listing runs.
pub fn run(
    config: &Config,
    ambient: &Ambient,
    store_path: &Path,
    filter: &AttemptFilter,
    links: Vec<SyncLink>,
    options: SyncOptions,
    mut report: impl FnMut(SyncReport),
) -> anyhow::Result<()> {
    let store = Store::open(store_path)?;
    let now = ambient.now();
    let http = Arc::new(Http::new(config.mode, options.timeouts));
    let mut groups: BTreeMap<String, Vec<SyncLink>> = BTreeMap::new();
    for link in links {
        groups
            .entry(link.provider_key.clone())
            .or_default()
            .push(link);
    }
    let mut runs = Vec::new();
    for (key, links) in groups {
        let ready = match config.provider(&key) {
            None => Err(Refusal::new(
                "skipped",
                State::Blocked,
                format!("{key} is not in the config; add [providers.{key}]"),
            )),
            Some(provider) => match refusal(provider, &store, now)? {
                Some(refused) => Err(refused),
                None => client_for(provider, http.clone(), ambient)
                    .map(|client| (provider, client))
                    .map_err(|f| {
                        // A credential that cannot be used sends nothing: skipped, not failed.
                        let outcome = match f {
                            crate::providers::Failure::Credential(_) => "skipped",
                            _ => "failed",
                        };
                        Refusal::new(outcome, State::Blocked, f.to_string())
                    }),
            },
        };
        match ready {
            Ok((provider, client)) => runs.push((provider, client, links)),
            Err(refused) => {
                // Refused before any request: this rare path reads the provider's items here.
                let mine = AttemptFilter {
                    provider: Some(key.clone()),
                    ..filter.clone()
                };
                for item in store.sync_items(&mine)? {
                    report(refused.report(&item));
                }
            }
        }
    }
    drop(store);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        // Providers run side by side: each lists its tickets, then runs its own workers.
        for (provider, client, links) in runs {
            let tx = tx.clone();
            let filter = AttemptFilter {
                provider: Some(provider.key.clone()),
                ..filter.clone()
            };
            let job = provider::Job {
                provider,
                client,
                links,
                filter,
                options,
                now,
                who: ambient.user(),
            };
            scope.spawn(move || provider::run(job, store_path, &tx));
        }
        drop(tx);
        for item in rx {
            report(item);
        }
    });
    Ok(())
}

/// Why nothing is sent to a provider in this run: each of its links is reported so.
struct Refusal {
    outcome: &'static str,
    state: State,
    detail: String,
    until: Option<Timestamp>,
}

impl Refusal {
    fn new(outcome: &'static str, state: State, detail: impl Into<String>) -> Self {
        Refusal {
            outcome,
            state,
            detail: detail.into(),
            until: None,
        }
    }

    fn report(&self, item: &SyncItem) -> SyncReport {
        SyncReport {
            retry_after: self.until,
            ..SyncReport::new(item, self.outcome, self.state, self.detail.clone())
        }
    }
}

/// Why nothing may be sent to `provider` in this run, if anything.
fn refusal(
    provider: &Provider,
    store: &Store,
    now: Timestamp,
) -> Result<Option<Refusal>, crate::error::StoreError> {
    let key = &provider.key;
    Ok(Some(if provider.kind == ProviderKind::Webhook {
        Refusal::new(
            "skipped",
            State::Ready,
            "webhooks have no ticket status to sync",
        )
    } else if let Some(reason) = &provider.unsafe_base_url {
        Refusal::new(
            "skipped",
            State::Stop,
            format!("base_url refused: {reason}; nothing sent"),
        )
    } else if !provider.destination_owned() {
        Refusal::new(
            "skipped",
            State::Stop,
            "destination not in owned; nothing sent",
        )
    } else if let Some((wait, why)) = store
        .provider_cooldown(key, now)?
        .and_then(|(until, why)| Some((crate::triage::Wait::read(Some(until), now)?, why)))
    {
        let until = wait.until;
        Refusal {
            until: Some(until),
            ..Refusal::new(
                "cooldown",
                State::Cooldown,
                format!(
                    "{key} asked us to wait until {until} ({why}){}; nothing sent; rerun sync after {until}",
                    wait.note()
                ),
            )
        }
    } else {
        return Ok(None);
    }))
}
