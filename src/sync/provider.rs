//! One provider's run: its listing while the store reads its links in full, the links waiting on
//! their own `retry_after`, a batched record of what the listing alone settles, then the workers.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Mutex, mpsc};

use jiff::Timestamp;

use super::link::{self, Listed};
use super::{ProviderSync, SyncOptions, SyncReport};
use crate::config::Provider;
use crate::model::State;
use crate::providers::ProviderClient;
use crate::store::{AttemptFilter, ListedOutcome, ListedSync, Store, SyncItem, SyncLink};

/// Links recorded per transaction: one commit for many links, and the write lock is still
/// released often enough that other runs sharing the store barely wait.
const BATCH: usize = 100;

/// What one provider's run gets.
pub(super) struct Job<'a> {
    pub provider: &'a Provider,
    pub client: Box<dyn ProviderClient>,
    /// From the light read: the tickets the listing looks for.
    pub links: Vec<SyncLink>,
    /// The selection, narrowed to this provider, for the full read.
    pub filter: AttemptFilter,
    pub options: SyncOptions,
    pub now: Timestamp,
    /// Who runs this sync, for the event of a `--prefer` override.
    pub who: String,
}

pub(super) fn run(job: Job<'_>, store_path: &Path, tx: &mpsc::Sender<SyncReport>) {
    let Job {
        provider,
        client,
        links,
        filter,
        options,
        now,
        who,
    } = job;
    let send = |report| {
        let _ = tx.send(report);
    };
    // A ticket waiting on its own retry_after is not asked about, so an empty list sends nothing.
    let ids: Vec<String> = links
        .iter()
        .filter(|l| crate::triage::Wait::read(l.retry_after, now).is_none())
        .map(|l| l.ticket_id.clone())
        .collect();
    let (listed, loaded) = std::thread::scope(|scope| {
        // Reading 5,000 links in full takes tens of milliseconds: it runs while the listing
        // waits on the provider instead of before it.
        let loader =
            scope.spawn(|| Store::open(store_path).and_then(|store| store.sync_items(&filter)));
        let listed = if ids.is_empty() {
            Ok(None)
        } else {
            client.read_statuses(&ids)
        };
        let loaded = loader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (listed, loaded)
    });
    let items = match loaded {
        Ok(items) => items,
        Err(e) => {
            for l in &links {
                send(SyncReport::store_failed(l, format!("store error: {e}")));
            }
            return;
        }
    };
    let mut ready = Vec::with_capacity(items.len());
    for item in items {
        match SyncReport::cooling(&item, now) {
            Some(report) => send(report),
            None => ready.push(item),
        }
    }
    let known = match listed {
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
            for item in &ready {
                let detail = format!("listing tickets failed: {f}; nothing written");
                send(SyncReport::new(item, "failed", state, detail));
            }
            return;
        }
        // Anything else: read the tickets one at a time instead.
        Err(_) => HashMap::new(),
    };
    let mut run = ProviderSync {
        provider,
        client,
        items: Mutex::new(VecDeque::new()),
        known,
        stopped: Mutex::new(None),
        options,
        now,
        who,
    };
    let mut queue = VecDeque::new();
    let mut settled = Vec::new();
    for item in ready {
        match link::from_listing(&run, &item) {
            Listed::Unchanged(report) => send(report),
            Listed::Record { synced, report } => settled.push((item, synced, report)),
            Listed::Work => queue.push_back(item),
        }
    }
    record_settled(&run, store_path, &settled, &mut queue, &send);
    let workers = options.concurrency.max(1).min(queue.len());
    *run.items.get_mut().unwrap_or_else(|e| e.into_inner()) = queue;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| work(&run, store_path, tx));
        }
    });
}

/// Records the links the listing settled, a batch per transaction. A link another run holds is
/// skipped; one another run synced since the read goes to the workers for a fresh look.
fn record_settled(
    run: &ProviderSync<'_>,
    store_path: &Path,
    settled: &[(SyncItem, String, SyncReport)],
    queue: &mut VecDeque<SyncItem>,
    send: &dyn Fn(SyncReport),
) {
    if settled.is_empty() {
        return;
    }
    let failed = |item: &SyncItem, e: &dyn std::fmt::Display| SyncReport {
        store_failed: true,
        ..SyncReport::new(item, "failed", State::Blocked, format!("store error: {e}"))
    };
    let mut store = match Store::open(store_path) {
        Ok(store) => store,
        Err(e) => {
            for (item, ..) in settled {
                send(failed(item, &e));
            }
            return;
        }
    };
    let holder = crate::lease::holder();
    for chunk in settled.chunks(BATCH) {
        let batch: Vec<ListedSync<'_>> = chunk
            .iter()
            .map(|(item, synced, report)| ListedSync {
                id: &item.attempt.ticket_export_id,
                last_synced: item.last_synced.as_deref(),
                push_target: item.push_target.as_deref(),
                synced,
                outcome: report.outcome,
                detail: &report.detail,
            })
            .collect();
        match store.record_listed(&batch, &holder, run.now, crate::lease::stale) {
            Ok(outcomes) => {
                for ((item, _, report), outcome) in chunk.iter().zip(outcomes) {
                    match outcome {
                        ListedOutcome::Recorded => send(report.clone()),
                        ListedOutcome::Held => send(SyncReport::new(
                            item,
                            "skipped",
                            State::Ready,
                            "held by another ticket-export run",
                        )),
                        ListedOutcome::Changed => queue.push_back(item.clone()),
                    }
                }
            }
            Err(e) => {
                for (item, ..) in chunk {
                    send(failed(item, &e));
                }
            }
        }
    }
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
