//! `sync`: keep linked tickets and findings in step (design section 7).
//!
//! Per provider: one paged read of every ticket where the provider can list them, then at most
//! `concurrency` workers that claim each link, merge three ways (`merge.rs`), write only what the
//! merge allows, and record the outcome. A failed read never leads to a write.

pub mod merge;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use jiff::{SignedDuration, Timestamp};

use crate::ambient::Ambient;
use crate::config::{Config, Provider, ProviderKind};
use crate::model::State;
use crate::providers::http::{Http, Timeouts};
use crate::providers::{Failure, NormalState, ProviderClient, RemoteState, client_for};
use crate::store::{Store, SyncFailure, SyncItem};
pub use merge::Direction;
use merge::{Plan, Synced, local_state};

/// After a failed read or write without a requested wait, the next run waits this long.
const FAILURE_WAIT: SignedDuration = SignedDuration::from_secs(60);

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
        }
    }
}

struct ProviderSync<'a> {
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
        let ids: Vec<String> = items.iter().map(|i| i.ticket_id.clone()).collect();
        let known = match client.read_statuses(&ids) {
            Ok(map) => map.unwrap_or_default(),
            Err(f) if f.stops_provider() => {
                if let Some(until) = f.retry_after() {
                    store.set_provider_cooldown(&key, until, &f.to_string())?;
                }
                let state = if f.retry_after().is_some() {
                    State::Cooldown
                } else {
                    State::Blocked
                };
                refuse(
                    &items,
                    "failed",
                    state,
                    &format!("listing tickets failed: {f}; nothing written"),
                    &mut report,
                );
                continue;
            }
            Err(_) => HashMap::new(),
        };
        runs.push(ProviderSync {
            provider,
            client,
            items: Mutex::new(items.into()),
            known,
            stopped: Mutex::new(None),
            options,
            now,
        });
    }
    drop(store);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for run in &runs {
            let n = run.items.lock().map(|i| i.len()).unwrap_or(0);
            for _ in 0..options.concurrency.max(1).min(n) {
                let tx = tx.clone();
                scope.spawn(move || work(run, store_path, &tx));
            }
        }
        drop(tx);
        for item in rx {
            report(item);
        }
    });
    Ok(())
}

fn work(run: &ProviderSync<'_>, store_path: &Path, tx: &mpsc::Sender<SyncReport>) {
    let holder = crate::lease::holder();
    let mut store = Store::open(store_path);
    loop {
        let Some(item) = run.items.lock().ok().and_then(|mut q| q.pop_front()) else {
            return;
        };
        let report = match &mut store {
            Ok(store) => one(run, store, &holder, &item).unwrap_or_else(|e| {
                SyncReport::new(&item, "failed", State::Blocked, format!("store error: {e}"))
            }),
            Err(e) => SyncReport::new(&item, "failed", State::Blocked, e.to_string()),
        };
        let _ = tx.send(report);
    }
}

fn one(
    run: &ProviderSync<'_>,
    store: &mut Store,
    holder: &str,
    item: &SyncItem,
) -> Result<SyncReport, crate::error::StoreError> {
    let id = item.attempt.ticket_export_id.as_str();
    if let Some((reason, state)) = run.stopped.lock().ok().and_then(|s| s.clone()) {
        return Ok(SyncReport::new(item, "skipped", state, reason));
    }
    if !run.options.dry_run
        && !store.claim(
            id,
            &crate::lease::lease(holder),
            run.now,
            "sync",
            crate::lease::stale,
        )?
    {
        return Ok(SyncReport::new(
            item,
            "skipped",
            State::Ready,
            "held by another ticket-export run",
        ));
    }
    // Another run may have synced this link since the batch read: then the listed state is
    // stale, and only a fresh read may decide a write.
    let last_synced = if run.options.dry_run {
        item.last_synced.clone()
    } else {
        store.last_synced(id)?
    };
    let listed = (last_synced == item.last_synced)
        .then(|| run.known.get(&item.ticket_id).cloned())
        .flatten();
    let remote = match listed
        .map(Ok)
        .unwrap_or_else(|| run.client.read_status(&item.ticket_id))
    {
        Ok(remote) => remote,
        Err(f) => return failed(run, store, holder, item, &f, "read"),
    };
    let local = local_state(item.finding_status);
    let last = last_synced
        .as_deref()
        .and_then(Synced::decode)
        .unwrap_or(Synced::CREATED);
    let plan = merge::plan(last, local, remote.normal, run.options.direction);
    let mut report = SyncReport::new(
        item,
        "unchanged",
        State::Ready,
        format!("ticket {} is {}", item.ticket_id, remote.raw),
    );
    report.remote = Some(remote.normal);
    if run.options.dry_run {
        report.outcome = match plan {
            Plan::Pull { .. } => "would_pull",
            Plan::Push { .. } => "would_push",
            Plan::Converged => "converged",
            Plan::Conflict => "conflict",
            Plan::Held { .. } => "held",
            Plan::Unchanged => "unchanged",
        };
        if let Plan::Push { target } = plan {
            report.detail = format!(
                "would move ticket {} from {} to {}",
                item.ticket_id,
                remote.raw,
                target.as_str()
            );
        }
        if plan == Plan::Conflict {
            report.state = State::Blocked;
        }
        return Ok(report);
    }
    let (outcome, synced, detail) = match plan {
        Plan::Unchanged => (
            "unchanged",
            Synced {
                local,
                remote: remote.normal,
            },
            report.detail.clone(),
        ),
        Plan::Converged => (
            "converged",
            Synced {
                local,
                remote: remote.normal,
            },
            format!("both sides are {}", remote.raw),
        ),
        Plan::Pull { remote: r } => {
            let what = match r {
                NormalState::Done | NormalState::WontFix => {
                    "the ticket is closed; the finding stays for the scanner to verify"
                }
                _ if matches!(last.remote, NormalState::Done | NormalState::WontFix) => {
                    "the ticket was reopened"
                }
                _ => "the ticket moved",
            };
            (
                "pulled",
                Synced { local, remote: r },
                format!("{what} ({})", remote.raw),
            )
        }
        Plan::Held { remote_changed } => {
            let side = if remote_changed {
                "the ticket changed; --direction push does not pull"
            } else {
                "the finding changed; --direction pull does not push"
            };
            store.release(id, holder, item.attempt.export_status)?;
            report.outcome = "held";
            report.detail = side.into();
            return Ok(report);
        }
        Plan::Conflict => {
            let detail = format!(
                "conflict: since the last sync the finding became {} and the ticket became {}; changed neither side",
                local.as_str(),
                remote.raw
            );
            let conflict = SyncFailure {
                http_status: None,
                retry_after: None,
                outcome: "conflict",
                detail: &detail,
            };
            store.record_sync_failure(id, holder, run.now, &conflict)?;
            report.outcome = "conflict";
            report.state = State::Blocked;
            report.detail = detail;
            return Ok(report);
        }
        Plan::Push { target } => match run.client.write_status(&item.ticket_id, target) {
            Ok(after) => {
                report.remote = Some(after.normal);
                (
                    "pushed",
                    Synced {
                        local,
                        remote: after.normal,
                    },
                    format!("moved ticket {} to {}", item.ticket_id, after.raw),
                )
            }
            Err(f) => return failed(run, store, holder, item, &f, "write"),
        },
    };
    store.record_synced(id, holder, run.now, &synced.encode(), outcome, &detail)?;
    report.outcome = outcome;
    report.detail = detail;
    Ok(report)
}

fn failed(
    run: &ProviderSync<'_>,
    store: &mut Store,
    holder: &str,
    item: &SyncItem,
    f: &Failure,
    what: &str,
) -> Result<SyncReport, crate::error::StoreError> {
    let detail = match f {
        Failure::NotFound { .. } => format!(
            "{what}: ticket {} is gone on the provider (404: deleted, moved or hidden); the link is kept and sync never re-creates it",
            item.ticket_id
        ),
        other => format!("{what}: {other}; the link is kept"),
    };
    if run.options.dry_run {
        return Ok(SyncReport::new(item, "failed", State::Blocked, detail));
    }
    let retry_after = f.retry_after().or_else(|| {
        matches!(f, Failure::Unavailable { .. } | Failure::Uncertain { .. })
            .then(|| run.now + FAILURE_WAIT)
    });
    let failure = SyncFailure {
        http_status: f.status().filter(|s| *s >= 100),
        retry_after,
        outcome: "failed",
        detail: &detail,
    };
    store.record_sync_failure(&item.attempt.ticket_export_id, holder, run.now, &failure)?;
    let state = if retry_after.is_some() {
        State::Cooldown
    } else {
        State::Blocked
    };
    if let Some(until) = f.retry_after().filter(|_| f.stops_provider()) {
        store.set_provider_cooldown(&run.provider.key, until, &detail)?;
    }
    if f.stops_provider()
        && let Ok(mut s) = run.stopped.lock()
    {
        s.get_or_insert((
            format!(
                "not sent: {} failed earlier in this run ({detail})",
                run.provider.key
            ),
            state,
        ));
    }
    Ok(SyncReport::new(item, "failed", state, detail))
}
