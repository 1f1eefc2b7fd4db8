//! One worker's protocol for one attempt: claim, look up, then link, update or create, and
//! record the outcome. A create happens only after a lookup in the same try found nothing.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::Sender;

use jiff::Timestamp;

use super::record::{self, fail, fail_with_code, linked};
use super::{ItemReport, Job, backoff};
use crate::config::Provider;
use crate::model::{ExportStatus, FailureCode, State};
use crate::providers::http::Http;
use crate::providers::{
    Credentials, Failure, ProviderClient, RemoteTicket, TicketDraft, client_with, ticket_ref,
};
use crate::store::Store;
use crate::triage::Action;

/// One provider's share of a run: its queue, its client, and whether it may still be called.
pub struct ProviderRun {
    pub(super) provider: Provider,
    jobs: Mutex<VecDeque<Job>>,
    client: Result<Box<dyn ProviderClient>, Failure>,
    secrets: Vec<String>,
    /// Why no further call goes to this provider in this run.
    pub(super) stopped: Mutex<Option<(String, State)>>,
    /// The connection settings' digest, recorded as the owner of connection failures.
    pub(super) connection_digest: String,
    pub(super) now: Timestamp,
}

impl ProviderRun {
    pub(super) fn new(
        provider: Provider,
        jobs: VecDeque<Job>,
        credentials: Result<Credentials, Failure>,
        http: std::sync::Arc<Http>,
        connection_digest: String,
        now: Timestamp,
    ) -> Self {
        let (client, secrets) = match credentials {
            Ok(c) => {
                let secrets = c
                    .values()
                    .into_iter()
                    .filter(|v| v.len() >= 4)
                    .map(str::to_owned)
                    .collect();
                (client_with(&provider, http, c, now), secrets)
            }
            Err(e) => (Err(e), Vec::new()),
        };
        ProviderRun {
            provider,
            jobs: Mutex::new(jobs),
            client,
            secrets,
            stopped: Mutex::new(None),
            connection_digest,
            now,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    fn next(&self) -> Option<Job> {
        self.jobs.lock().ok()?.pop_front()
    }

    fn stopped(&self) -> Option<(String, State)> {
        self.stopped.lock().ok()?.clone()
    }

    pub(super) fn stop(&self, reason: String, state: State) {
        if let Ok(mut s) = self.stopped.lock() {
            s.get_or_insert((reason, state));
        }
    }

    /// Removes credential values from text a provider sent back.
    pub(super) fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), "[redacted]"))
    }
}

/// Takes jobs until the queue is empty, sending one report per job.
pub fn work(run: &ProviderRun, store_path: &Path, holder: &str, tx: &Sender<ItemReport>) {
    let mut store = match Store::open(store_path) {
        Ok(s) => s,
        Err(e) => {
            while let Some(job) = run.next() {
                let _ = tx.send(ItemReport {
                    store_failed: true,
                    ..ItemReport::from_attempt(
                        &job.attempt,
                        "failed",
                        State::Blocked,
                        e.to_string(),
                    )
                });
            }
            return;
        }
    };
    while let Some(job) = run.next() {
        let report = match process(run, &mut store, holder, &job) {
            Ok(report) => report,
            Err(e) => ItemReport {
                store_failed: true,
                ..ItemReport::from_attempt(
                    &job.attempt,
                    "failed",
                    State::Blocked,
                    format!("store error: {e}"),
                )
            },
        };
        let _ = tx.send(report);
    }
}

fn process(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
) -> Result<ItemReport, crate::error::StoreError> {
    let a = &job.attempt;
    let id = a.ticket_export_id.as_str();
    let report =
        |outcome, detail: String| ItemReport::from_attempt(a, outcome, State::Ready, detail);
    if let Some((reason, state)) = run.stopped() {
        return Ok(ItemReport::from_attempt(a, "skipped", state, reason));
    }
    let in_flight_since = store.in_flight_since(id)?;
    if !store.claim(
        id,
        &crate::lease::lease(holder),
        run.now,
        "retry",
        crate::lease::stale,
    )? {
        return Ok(report(
            "skipped",
            "held by another ticket-export run; it will record the outcome".into(),
        ));
    }
    // Taken over from a run that died mid-delivery: a create it sent may still land, after
    // any lookup made now. Treat it as an uncertain outcome from the time of that claim.
    if let Some(since) = in_flight_since
        && let Some(report) = record::abandoned(run, store, holder, job, since)?
    {
        return Ok(report);
    }
    let client = match &run.client {
        Ok(c) => c,
        Err(f) => return fail(run, store, holder, job, f.clone(), "connect"),
    };
    let Some(finding) = store.finding(&a.report_id, &a.finding_id)? else {
        store.release(id, holder, a.export_status)?;
        return Ok(report(
            "failed",
            "the finding is missing from the store; import its report again".into(),
        ));
    };
    let draft = TicketDraft::build(a, &finding, &run.provider);
    if job.action == Action::UpdateExisting {
        // The known ticket's API id: the recorded one, else derived from its URL. Never an
        // empty or partial id, which would send the update to the collection path.
        let ticket_id = match ticket_ref::resolve(
            &run.provider,
            a.external_ticket_id.as_deref(),
            a.external_ticket_url.as_deref(),
        ) {
            Ok(ticket) => ticket.id,
            Err(e) => {
                let f = Failure::Refused(format!(
                    "{e}; nothing was sent. Check the ticket, then record it with `ticket-export link {id} URL`"
                ));
                let code = a
                    .provider_error_code
                    .clone()
                    .unwrap_or(FailureCode::DuplicateBlocked);
                return fail_with_code(run, store, holder, job, &f, code, "update");
            }
        };
        return match with_retries(run, |_| client.update(&ticket_id, &draft)) {
            Ok(mut t) => {
                // An answer without the page's address keeps the one already known.
                if t.url.is_empty() {
                    t.url = a.external_ticket_url.clone().unwrap_or_default();
                }
                linked(
                    run,
                    store,
                    holder,
                    a,
                    &t,
                    ExportStatus::Linked,
                    "updated",
                    "updated the existing ticket; nothing created",
                )
            }
            Err(f) => fail(run, store, holder, job, f, "update"),
        };
    }
    if let Some(link) = store.link_for(&a.provider_key, &a.duplicate_fingerprint)? {
        let t = RemoteTicket {
            id: link.external_ticket_id,
            url: link.external_ticket_url.unwrap_or_default(),
            state: None,
        };
        let detail = format!(
            "already linked through {}; no request sent",
            link.ticket_export_id
        );
        return linked(
            run,
            store,
            holder,
            a,
            &t,
            ExportStatus::Linked,
            "linked",
            &detail,
        );
    }
    let mut tries = 0;
    loop {
        tries += 1;
        let found = match client.lookup(&draft) {
            Ok(found) => {
                store.note(
                    id,
                    run.now,
                    "lookup",
                    &format!("found {}", found.len()),
                    &client_plan(client.as_ref(), &draft),
                )?;
                found
            }
            Err(f) => match backoff::inline_wait(&f, tries, run.now) {
                Some(wait) => {
                    std::thread::sleep(wait);
                    continue;
                }
                None => return fail(run, store, holder, job, f, "lookup"),
            },
        };
        match found.as_slice() {
            [one] => {
                return linked(
                    run,
                    store,
                    holder,
                    a,
                    one,
                    ExportStatus::Linked,
                    "linked",
                    "found by fingerprint; linked instead of creating",
                );
            }
            [_, _, ..] => {
                let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
                let f = Failure::Rejected {
                    status: 200,
                    detail: format!(
                        "{} tickets carry this fingerprint ({}); link one by hand",
                        ids.len(),
                        ids.join(", ")
                    ),
                };
                return fail_with_code(
                    run,
                    store,
                    holder,
                    job,
                    &f,
                    FailureCode::DuplicateBlocked,
                    "lookup",
                );
            }
            [] if job.action == Action::LookupAndLink => {
                let f = Failure::Rejected { status: 200, detail: "no ticket carries this fingerprint; the duplicate must be linked by hand, never re-created".into() };
                return fail_with_code(
                    run,
                    store,
                    holder,
                    job,
                    &f,
                    a.provider_error_code
                        .clone()
                        .unwrap_or(FailureCode::DuplicateBlocked),
                    "lookup",
                );
            }
            [] => {}
        }
        match client.create(&draft) {
            Ok(t) => {
                return linked(
                    run,
                    store,
                    holder,
                    a,
                    &t,
                    ExportStatus::Exported,
                    "created",
                    "created",
                );
            }
            Err(Failure::Uncertain { status, detail }) => {
                store.note(id, run.now, "create", "uncertain", &run.scrub(&detail))?;
                // The provider may have created it: look before anything else, never re-create blindly.
                std::thread::sleep(backoff::delay(tries));
                if let Ok([one]) = client.lookup(&draft).as_deref() {
                    return linked(
                        run,
                        store,
                        holder,
                        a,
                        one,
                        ExportStatus::Linked,
                        "linked",
                        "the create's answer was lost; found the ticket by fingerprint",
                    );
                }
                return fail(
                    run,
                    store,
                    holder,
                    job,
                    Failure::Uncertain { status, detail },
                    "create",
                );
            }
            Err(f) => match backoff::inline_wait(&f, tries, run.now) {
                Some(wait) => {
                    store.note(
                        id,
                        run.now,
                        "create",
                        "retrying",
                        &run.scrub(&f.to_string()),
                    )?;
                    std::thread::sleep(wait);
                }
                None => return fail(run, store, holder, job, f, "create"),
            },
        }
    }
}

fn client_plan(client: &dyn ProviderClient, draft: &TicketDraft) -> String {
    client.plan(crate::providers::PlannedCall::Lookup(draft))
}

fn with_retries<T>(
    run: &ProviderRun,
    mut call: impl FnMut(u32) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut tries = 0;
    loop {
        tries += 1;
        match call(tries) {
            Ok(v) => return Ok(v),
            Err(f) => match backoff::inline_wait(&f, tries, run.now) {
                Some(wait) => std::thread::sleep(wait),
                None => return Err(f),
            },
        }
    }
}
