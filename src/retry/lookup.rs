//! The lookup by fingerprint, shared by `retry` (before any create) and `fallback` (before any
//! portable file is written for an attempt whose ticket may exist).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::record::{self, fail, fail_with_code, linked};
use super::worker::ProviderRun;
use super::{ItemReport, Job, backoff};
use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::StoreError;
use crate::model::{ExportStatus, FailureCode, State, TicketExport};
use crate::providers::http::{Http, Timeouts};
use crate::providers::{Failure, PlannedCall, ProviderClient, RemoteTicket, TicketDraft};
use crate::store::Store;
use crate::triage::Action;

/// Looks the attempt's ticket up by fingerprint, waiting inline on short throttles (`tries`
/// counts every call of this try, creates included). `Err` is the report of a lookup that
/// failed, already recorded (the duplicate guard and an unknown create outcome are kept).
pub(super) fn find(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    client: &dyn ProviderClient,
    draft: &TicketDraft,
    tries: &mut u32,
) -> Result<Result<Vec<RemoteTicket>, ItemReport>, StoreError> {
    let id = job.attempt.ticket_export_id.as_str();
    loop {
        *tries += 1;
        match client.lookup(draft) {
            Ok(found) => {
                store.note(
                    id,
                    run.now,
                    "lookup",
                    &format!("found {}", found.len()),
                    &client.plan(PlannedCall::Lookup(draft)),
                )?;
                return Ok(Ok(found));
            }
            Err(f) => match backoff::inline_wait(&f, *tries, run.now) {
                Some(wait) => std::thread::sleep(wait),
                None => return Ok(Err(fail(run, store, holder, job, f, "lookup")?)),
            },
        }
    }
}

/// The answer to "may portable files be written for this attempt, whose ticket may exist?".
#[derive(Debug)]
pub enum BeforeFallback {
    /// The lookup found no ticket carrying the fingerprint: its files may be written. The
    /// lease stays with the holder until `fallback` records the outcome.
    NoTicket,
    /// Linked, held, waiting, refused or failed: no file is written for it. What changed the
    /// attempt is recorded; the report says why.
    Settled(Box<ItemReport>),
}

/// Looks up, at its provider, each attempt whose create may have reached the provider, before
/// `fallback` writes any file for it: the same claim, client, lookup and records as `retry`.
/// One found ticket is linked; several, or a lookup that cannot run or fails, leave the attempt
/// without files. Attempts are handled one at a time: they are few (an uncertain outcome).
pub fn before_fallback(
    config: &Config,
    ambient: &Ambient,
    store: &mut Store,
    holder: &str,
    attempts: Vec<TicketExport>,
    timeouts: Timeouts,
) -> Result<Vec<(TicketExport, BeforeFallback)>, StoreError> {
    let now = ambient.now();
    let http = Arc::new(Http::new(config.mode, timeouts));
    let salt = store.salt()?;
    let mut runs: BTreeMap<String, ProviderRun> = BTreeMap::new();
    let mut out = Vec::with_capacity(attempts.len());
    for attempt in attempts {
        let leave = |outcome, state, detail: String| {
            settled(ItemReport::from_attempt(&attempt, outcome, state, detail))
        };
        let key = attempt.provider_key.clone();
        let Some(provider) = config.provider(&key) else {
            let why = format!(
                "a create may have reached the provider, and providers.{key} is not in the config \
                 to look the ticket up; no file written; add [providers.{key}], then run fallback again"
            );
            out.push((attempt.clone(), leave("refused", State::Blocked, why)));
            continue;
        };
        if let Some((until, reason)) = store.provider_cooldown(&key, now)? {
            let why = format!(
                "a create may have reached the provider; {key} asked us to wait until {until} \
                 ({reason}), so the ticket is looked up after that; no file written"
            );
            out.push((attempt.clone(), leave("cooldown", State::Cooldown, why)));
            continue;
        }
        if let Some(until) = crate::triage::cooldown_until(attempt.retry_after, now) {
            let why = format!(
                "a create may have reached the provider; the ticket is looked up after {until} \
                 (retry_after), never written beside a ticket that may exist; no file written"
            );
            out.push((attempt.clone(), leave("cooldown", State::Cooldown, why)));
            continue;
        }
        let run = runs.entry(key).or_insert_with(|| {
            let credentials = crate::providers::load_credentials(provider, ambient);
            let digest = provider.connection_digest(ambient, &salt);
            ProviderRun::new(
                provider.clone(),
                VecDeque::new(),
                credentials,
                http.clone(),
                digest,
                now,
            )
            .for_command("fallback")
        });
        let job = Job {
            attempt,
            action: Action::LookupAndLink,
            allow_create: false,
        };
        let found = look(run, store, holder, &job)?;
        out.push((job.attempt, found));
    }
    Ok(out)
}

/// One attempt of [`before_fallback`]: claim, look up, link or leave it out.
fn look(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
) -> Result<BeforeFallback, StoreError> {
    let a = &job.attempt;
    let id = a.ticket_export_id.as_str();
    let leave = |outcome, state, detail: String| {
        settled(ItemReport::from_attempt(a, outcome, state, detail))
    };
    if let Some((reason, state)) = run.stopped() {
        return Ok(leave(
            "skipped",
            state,
            format!("{reason}; no file written"),
        ));
    }
    let in_flight_since = store.in_flight_since(id)?;
    let lease = crate::lease::lease(holder);
    if !store.claim(id, &lease, run.now, "fallback", crate::lease::stale)? {
        let why = "held by another ticket-export run (retry, sync or fallback); it records the \
                   outcome; no file written";
        return Ok(leave("skipped", State::Ready, why.into()));
    }
    if let Some(since) = in_flight_since
        && let Some(report) = record::abandoned(run, store, holder, job, since)?
    {
        return Ok(settled(report));
    }
    let client = match run.client() {
        Ok(c) => c,
        Err(f) => {
            return Ok(settled(fail(
                run,
                store,
                holder,
                job,
                f.clone(),
                "connect",
            )?));
        }
    };
    let Some(finding) = store.finding(&a.report_id, &a.finding_id)? else {
        store.release(id, holder, a.export_status)?;
        let why = "the finding is missing from the store; import its report again";
        return Ok(leave("failed", State::Blocked, why.into()));
    };
    let draft = TicketDraft::build(a, &finding, &run.provider);
    if let Some(link) = store.link_for(&a.provider_key, &a.duplicate_fingerprint)? {
        let t = RemoteTicket {
            id: link.external_ticket_id,
            url: link.external_ticket_url.unwrap_or_default(),
            state: None,
        };
        let detail = format!(
            "already linked through {}; no request sent; no file written",
            link.ticket_export_id
        );
        let report = linked(
            run,
            store,
            holder,
            a,
            &t,
            ExportStatus::Linked,
            "linked",
            &detail,
        )?;
        return Ok(settled(report));
    }
    let mut tries = 0;
    let found = match find(run, store, holder, job, client, &draft, &mut tries)? {
        Ok(found) => found,
        Err(report) => return Ok(settled(report)),
    };
    Ok(match found.as_slice() {
        [] => BeforeFallback::NoTicket,
        [one] => settled(linked(
            run,
            store,
            holder,
            a,
            one,
            ExportStatus::Linked,
            "linked",
            "found by fingerprint before writing portable files; linked, no file written",
        )?),
        [_, _, ..] => {
            let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
            let f = Failure::Rejected {
                status: 200,
                detail: format!(
                    "{} tickets carry this fingerprint ({}); link one by hand; no file written",
                    ids.len(),
                    ids.join(", ")
                ),
            };
            let code = FailureCode::DuplicateBlocked;
            settled(fail_with_code(run, store, holder, job, &f, code, "lookup")?)
        }
    })
}

fn settled(report: ItemReport) -> BeforeFallback {
    BeforeFallback::Settled(Box::new(report))
}
