//! One link's sync: claim, read (fresh when another run got there first), merge three ways,
//! write only what the merge allows, record.

use super::merge::{self, Plan, Synced, local_state};
use super::{FAILURE_WAIT, ProviderSync, SyncReport};
use crate::model::State;
use crate::providers::{Failure, NormalState, PlannedCall, RemoteState, ticket_ref};
use crate::store::{Store, SyncFailure, SyncItem};

pub(super) fn one(
    run: &ProviderSync<'_>,
    store: &mut Store,
    holder: &str,
    item: &SyncItem,
) -> Result<SyncReport, crate::error::StoreError> {
    let id = item.attempt.ticket_export_id.as_str();
    if let Some((reason, state)) = run.stopped.lock().ok().and_then(|s| s.clone()) {
        return Ok(SyncReport::new(item, "skipped", state, reason));
    }
    if let Listed::Unchanged(report) = from_listing(run, item) {
        return Ok(report);
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
    // The id every request about this ticket uses: the recorded one, else the one its URL
    // names. One that is neither is never put in a path; the link is kept and blocked.
    let ticket = match ticket_ref::resolve(
        run.provider,
        Some(&item.ticket_id),
        item.ticket_url.as_deref(),
    ) {
        Ok(t) => t.id,
        Err(e) => {
            let f = Failure::Refused(format!(
                "{e}; nothing was sent. Find the finding's ticket, then record it with \
                 `ticket-export link {id} URL`"
            ));
            return failed(run, store, holder, item, &f, "read");
        }
    };
    // Another run may have synced this link since the batch read: then the listed state is
    // stale, and only a fresh read may decide a write.
    let (last_synced, push_target) = if run.options.dry_run {
        (item.last_synced.clone(), item.push_target.clone())
    } else {
        store.last_synced(id)?
    };
    let listed = (last_synced == item.last_synced && push_target == item.push_target)
        .then(|| run.known.get(&item.ticket_id).cloned())
        .flatten();
    let remote = match listed
        .map(Ok)
        .unwrap_or_else(|| run.client.read_status(&ticket))
    {
        Ok(remote) => remote,
        Err(f) => return failed(run, store, holder, item, &f, "read"),
    };
    let local = local_state(item.finding_status);
    let last = merge::baseline(
        last_synced
            .as_deref()
            .and_then(Synced::decode)
            .unwrap_or(Synced::CREATED),
        push_target.as_deref().and_then(merge::parse),
        remote.normal,
    );
    let plan = merge::plan(last, local, remote.normal, run.options.direction);
    // A person chose a side for this conflict: apply it, and say in the record who overrode what.
    let (plan, overridden) = match (plan, run.options.prefer) {
        (Plan::Conflict, Some(prefer)) => {
            let what = match prefer {
                merge::Prefer::Local => format!(
                    "the ticket's {} was overridden by the finding's {}",
                    remote.raw,
                    local.as_str()
                ),
                merge::Prefer::Remote => format!(
                    "the finding's {} was overridden by the ticket's {} (recorded; the finding stays for the scanner to verify)",
                    local.as_str(),
                    remote.raw
                ),
            };
            let note = format!(
                "sync conflict resolved with --prefer {} by {}: {what}",
                prefer.as_str(),
                run.who
            );
            (prefer.resolve(local, remote.normal), Some(note))
        }
        (plan, _) => (plan, None),
    };
    let mut report = SyncReport::new(
        item,
        "unchanged",
        State::Ready,
        format!("ticket {ticket} is {}", remote.raw),
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
                "would move ticket {ticket} from {} to {}: {}",
                remote.raw,
                target.as_str(),
                run.client.plan(PlannedCall::WriteStatus(&ticket))
            );
        }
        if let Some(note) = overridden {
            report.detail = format!("{note} (dry run: nothing written); {}", report.detail);
        }
        if plan == Plan::Conflict {
            report.state = State::Blocked;
        }
        return Ok(report);
    }
    let (outcome, synced, detail) = match plan {
        Plan::Unchanged | Plan::Converged | Plan::Pull { .. } => {
            settle(plan, last, local, &remote, item)
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
                "conflict: since the last sync the finding became {} and the ticket became {}; changed neither side; choose one with `ticket-export sync {id} --prefer local` (the finding's) or `--prefer remote` (the ticket's)",
                local.as_str(),
                remote.raw
            );
            let conflict = SyncFailure {
                http_status: None,
                retry_after: None,
                outcome: "conflict",
                detail: &detail,
                tool_wait: false,
            };
            store.record_sync_failure(id, holder, run.now, &conflict)?;
            report.outcome = "conflict";
            report.state = State::Blocked;
            report.detail = detail;
            return Ok(report);
        }
        Plan::Push { target } => match push(run, store, item, &ticket, &remote, last, target)? {
            Ok(after) => {
                report.remote = Some(after.normal);
                (
                    "pushed",
                    Synced {
                        local,
                        remote: after.normal,
                    },
                    format!("moved ticket {ticket} to {}", after.raw),
                )
            }
            Err(f) => return failed(run, store, holder, item, &f, "write"),
        },
    };
    let detail = match overridden {
        Some(note) => format!("{note}; {detail}"),
        None => detail,
    };
    store.record_synced(id, holder, run.now, &synced.encode(), outcome, &detail)?;
    report.outcome = outcome;
    report.detail = detail;
    Ok(report)
}

/// Moves the ticket to `target`. A closed ticket that must close the other way (done to won't
/// fix, or back) and that the provider will not move directly is reopened first: Jira has no
/// transition from Done to Done with another resolution, and GitHub ignores a new
/// `state_reason` unless the state changes. The reopen is recorded as its own step, so a run
/// that stops between the two writes leaves a plain push for the next run, never a conflict of
/// this tool's own making.
fn push(
    run: &ProviderSync<'_>,
    store: &mut Store,
    item: &SyncItem,
    ticket: &str,
    remote: &RemoteState,
    last: Synced,
    target: NormalState,
) -> Result<Result<RemoteState, Failure>, crate::error::StoreError> {
    let closed = |s| matches!(s, NormalState::Done | NormalState::WontFix);
    let id = &item.attempt.ticket_export_id;
    store.record_push_intent(id, &last.encode(), target.as_str())?;
    let first = run.client.write_status(ticket, target);
    let stuck = match &first {
        Err(Failure::Mapping { .. }) => true,
        Ok(after) => after.normal == remote.normal && !merge::same(after.normal, target),
        Err(_) => false,
    };
    if !(stuck && closed(remote.normal) && closed(target)) {
        return Ok(first);
    }
    store.record_push_intent(id, &last.encode(), NormalState::Open.as_str())?;
    let reopened = match run.client.write_status(ticket, NormalState::Open) {
        Ok(s) if !closed(s.normal) => s,
        Ok(_) => return Ok(first),
        Err(f) => return Ok(Err(f)),
    };
    let step = Synced {
        local: last.local,
        remote: reopened.normal,
    };
    let detail = format!(
        "reopened ticket {ticket} ({}) to close it as {}: it does not move from {} directly",
        reopened.raw,
        target.as_str(),
        remote.raw
    );
    store.record_sync_step(id, run.now, &step.encode(), &detail)?;
    store.record_push_intent(id, &step.encode(), target.as_str())?;
    Ok(run.client.write_status(ticket, target))
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
        tool_wait: f.retry_after().is_none(),
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
    Ok(SyncReport {
        retry_after,
        ..SyncReport::new(item, "failed", state, detail)
    })
}

/// What the provider's listing alone decides for a link.
pub(super) enum Listed {
    /// The listed state matches the last sync and there is nothing to clear: no claim and no
    /// write, so cron runs where nothing changed stay read-only on the store.
    Unchanged(SyncReport),
    /// Nothing to write to the provider, a new synced pair to record (in a batch).
    Record { synced: String, report: SyncReport },
    /// A worker must claim it: a provider read or write, a conflict, a held change, or no
    /// listed state (and every item of a dry run that is not unchanged).
    Work,
}

pub(super) fn from_listing(run: &ProviderSync<'_>, item: &SyncItem) -> Listed {
    let Some(remote) = run.known.get(&item.ticket_id) else {
        return Listed::Work;
    };
    let last = merge::baseline(
        item.last_synced
            .as_deref()
            .and_then(Synced::decode)
            .unwrap_or(Synced::CREATED),
        item.push_target.as_deref().and_then(merge::parse),
        remote.normal,
    );
    let local = local_state(item.finding_status);
    let clean = item.attempt.provider_error_code.is_none()
        && item.push_target.is_none()
        && item.attempt.status_sync_status == Some(crate::model::SyncStatus::Ok);
    let plan = merge::plan(last, local, remote.normal, run.options.direction);
    let writes_nothing = matches!(plan, Plan::Unchanged | Plan::Converged | Plan::Pull { .. });
    if !writes_nothing || (run.options.dry_run && !(clean && plan == Plan::Unchanged)) {
        return Listed::Work;
    }
    let (outcome, synced, detail) = settle(plan, last, local, remote, item);
    let mut report = SyncReport::new(item, outcome, State::Ready, detail);
    report.remote = Some(remote.normal);
    if clean && plan == Plan::Unchanged {
        Listed::Unchanged(report)
    } else {
        Listed::Record {
            synced: synced.encode(),
            report,
        }
    }
}

/// The record of a plan that writes nothing to the provider (unchanged, converged or pulled):
/// its outcome, the new synced pair and the detail.
fn settle(
    plan: Plan,
    last: Synced,
    local: NormalState,
    remote: &RemoteState,
    item: &SyncItem,
) -> (&'static str, Synced, String) {
    let now = Synced {
        local,
        remote: remote.normal,
    };
    match plan {
        Plan::Converged => ("converged", now, format!("both sides are {}", remote.raw)),
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
        _ => (
            "unchanged",
            now,
            format!("ticket {} is {}", item.ticket_id, remote.raw),
        ),
    }
}
