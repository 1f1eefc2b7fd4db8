//! `sync`: keep linked tickets and findings in step (design section 7).
//!
//! Per provider: one paged read of every ticket where the provider can list them, then at most
//! `concurrency` workers that claim each link, merge three ways (`merge.rs`), write only what the
//! merge allows, and record the outcome. A failed read never leads to a write.

mod link;
pub mod merge;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use jiff::{SignedDuration, Timestamp};

use crate::ambient::Ambient;
use crate::config::{Config, Provider, ProviderKind};
use crate::model::State;
use crate::providers::http::{Http, Timeouts};
use crate::providers::{NormalState, ProviderClient, RemoteState, client_for};
use crate::store::{Store, SyncItem};
pub use merge::Direction;
use merge::local_state;

/// After a failed read or write without a requested wait, the next run waits this long.
pub(super) const FAILURE_WAIT: SignedDuration = SignedDuration::from_secs(60);

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    pub direction: Direction,
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
    /// The store failed while handling it: the run exits 1, whatever the link's state.
    #[serde(skip)]
    pub store_failed: bool,
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
            store_failed: false,
        }
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
}

/// Syncs `items`, calling `report` for each as it finishes.
pub fn run(
    config: &Config,
    ambient: &Ambient,
    store_path: &Path,
    items: Vec<SyncItem>,
    options: SyncOptions,
    mut report: impl FnMut(SyncReport),
) -> anyhow::Result<()> {
    let store = Store::open(store_path)?;
    let now = ambient.now();
    let http = Arc::new(Http::new(config.mode, options.timeouts));
    let mut groups: BTreeMap<String, Vec<SyncItem>> = BTreeMap::new();
    for item in items {
        groups
            .entry(item.attempt.provider_key.clone())
            .or_default()
            .push(item);
    }
    let mut runs = Vec::new();
    for (key, items) in groups {
        let refuse = |items: &[SyncItem],
                      outcome,
                      state,
                      detail: &str,
                      report: &mut dyn FnMut(SyncReport)| {
            for item in items {
                report(SyncReport::new(item, outcome, state, detail));
            }
        };
        let Some(provider) = config.provider(&key) else {
            refuse(
                &items,
                "skipped",
                State::Blocked,
                &format!("{key} is not in the config; add [providers.{key}]"),
                &mut report,
            );
            continue;
        };
        if provider.kind == ProviderKind::Webhook {
            refuse(
                &items,
                "skipped",
                State::Ready,
                "webhooks have no ticket status to sync",
                &mut report,
            );
            continue;
        }
        if let Some(reason) = &provider.unsafe_base_url {
            refuse(
                &items,
                "skipped",
                State::Stop,
                &format!("base_url refused: {reason}; nothing sent"),
                &mut report,
            );
            continue;
        }
        if !provider.destination_owned() {
            refuse(
                &items,
                "skipped",
                State::Stop,
                "destination not in owned; nothing sent",
                &mut report,
            );
            continue;
        }
        if let Some((until, why)) = store.provider_cooldown(&key, now)? {
            refuse(
                &items,
                "cooldown",
                State::Cooldown,
                &format!("{key} asked us to wait until {until} ({why}); nothing sent"),
                &mut report,
            );
            continue;
        }
        let client = match client_for(provider, http.clone(), ambient) {
            Ok(c) => c,
            Err(f) => {
                refuse(
                    &items,
                    "failed",
                    State::Blocked,
                    &f.to_string(),
                    &mut report,
                );
                continue;
            }
        };
        runs.push((provider, client, items));
    }
    drop(store);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        // Providers run side by side: each lists its tickets, then runs its own workers.
        for (provider, client, items) in runs {
            let tx = tx.clone();
            scope.spawn(move || {
                sync_provider(provider, client, items, options, now, store_path, &tx)
            });
        }
        drop(tx);
        for item in rx {
            report(item);
        }
    });
    Ok(())
}

/// One provider's run: one paged listing where the provider has it, then the workers.
fn sync_provider(
    provider: &Provider,
    client: Box<dyn ProviderClient>,
    items: Vec<SyncItem>,
    options: SyncOptions,
    now: Timestamp,
    store_path: &Path,
    tx: &mpsc::Sender<SyncReport>,
) {
    let ids: Vec<String> = items.iter().map(|i| i.ticket_id.clone()).collect();
    let known = match client.read_statuses(&ids) {
        Ok(map) => map.unwrap_or_default(),
        Err(f) if f.stops_provider() => {
            if let (Some(until), Ok(store)) = (f.retry_after(), Store::open(store_path)) {
                let _ = store.set_provider_cooldown(&provider.key, until, &f.to_string());
            }
            let state = if f.retry_after().is_some() {
                State::Cooldown
            } else {
                State::Blocked
            };
            for item in &items {
                let detail = format!("listing tickets failed: {f}; nothing written");
                let _ = tx.send(SyncReport::new(item, "failed", state, detail));
            }
            return;
        }
        // Anything else: read the tickets one at a time instead.
        Err(_) => HashMap::new(),
    };
    let workers = options.concurrency.max(1).min(items.len());
    let run = ProviderSync {
        provider,
        client,
        items: Mutex::new(items.into()),
        known,
        stopped: Mutex::new(None),
        options,
        now,
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(&run, store_path, tx));
        }
    });
}

fn work(run: &ProviderSync<'_>, store_path: &Path, tx: &mpsc::Sender<SyncReport>) {
    let holder = crate::lease::holder();
    let mut store = Store::open(store_path);
    loop {
        let Some(item) = run.items.lock().ok().and_then(|mut q| q.pop_front()) else {
            return;
        };
        let report = match &mut store {
            Ok(store) => link::one(run, store, &holder, &item).unwrap_or_else(|e| SyncReport {
                store_failed: true,
                ..SyncReport::new(&item, "failed", State::Blocked, format!("store error: {e}"))
            }),
            Err(e) => SyncReport {
                store_failed: true,
                ..SyncReport::new(&item, "failed", State::Blocked, e.to_string())
            },
        };
        let _ = tx.send(report);
    }
}
