//! One worker's protocol for one attempt: claim, look up, then link, update or create, and
//! record the outcome. A create happens only after a lookup in the same try found nothing.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::Sender;

use jiff::Timestamp;

use super::lookup::find;
use super::record::{self, fail, fail_with_code, linked};
use super::{ItemReport, Job, backoff};
use crate::config::Provider;
use crate::model::{ExportStatus, FailureCode, State};
use crate::providers::http::Http;
use crate::providers::{
    Credentials, Failure, ProviderClient, RemoteTicket, TicketDraft, client_with, scrub_secrets,
    secret_forms, ticket_ref,
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
    /// The command whose events these are: `retry`, or `fallback` looking up first.
    pub(super) command: &'static str,
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
                let secrets = secret_forms(&c);
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
            command: "retry",
        }
    }

    /// The same run, recording its events as `command`'s.
    pub(super) fn for_command(mut self, command: &'static str) -> Self {
        self.command = command;
        self
    }

    /// The provider's client, or why none could be built.
    pub(super) fn client(&self) -> Result<&dyn ProviderClient, &Failure> {
        self.client.as_deref()
    }

    pub(super) fn len(&self) -> usize {
        self.jobs.lock().map(|j| j.len()).unwrap_or(0)
    }

    fn next(&self) -> Option<Job> {
        self.jobs.lock().ok()?.pop_front()
    }

    pub(super) fn stopped(&self) -> Option<(String, State)> {
        self.stopped.lock().ok()?.clone()
    }

    pub(super) fn stop(&self, reason: String, state: State) {
        if let Ok(mut s) = self.stopped.lock() {
            s.get_or_insert((reason, state));
        }
    }

    /// Removes every form of the credentials from text a provider sent back. The client
    /// already scrubbed its failures; this covers text composed around them here.
    pub(super) fn scrub(&self, text: &str) -> String {
        scrub_secrets(text, &self.secrets)
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
    // Another command may have settled the attempt between the selection and this claim (a
    // fallback wrote its files, another retry linked it): then there is nothing to deliver.
    if let Some(why) = settled_since(store, a)? {
        store.release(id, holder, a.export_status)?;
        return Ok(report("skipped", why));
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
    // The same finding at this destination already went out as portable files through another
    // attempt: those files are its export, and a ticket now would be a second one.
    if let Some(other) = store.adopt_sibling_portable(id, holder, run.now)? {
        return Ok(report(
            "skipped",
            format!(
                "the finding's portable files were written through {other}; recorded as this \
                 attempt's export too; nothing sent"
            ),
        ));
    }
    // With `--allow-create`, the attempt's own link is to the ticket a person found gone: the
    // lookup decides, and a ticket found or created replaces that link.
    let own_gone_link =
        |link: &crate::store::Link| job.allow_create && link.ticket_export_id == a.ticket_export_id;
    if let Some(link) = store.link_for(&a.provider_key, &a.duplicate_fingerprint)?
        && !own_gone_link(&link)
    {
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
        let found = match find(run, store, holder, job, client.as_ref(), &draft, &mut tries)? {
            Ok(found) => found,
            Err(report) => return Ok(report),
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
            // The duplicate guard: a ticket for this finding is known to exist, so no create
            // unless a person allowed one for this attempt (`retry --allow-create`).
            [] if a.provider_error_code == Some(FailureCode::DuplicateBlocked)
                && !job.allow_create =>
            {
                let why = "no ticket carries this fingerprint, but duplicate detection found one; \
                           the duplicate must be linked by hand, never re-created";
                return record::for_person(run, store, holder, job, why);
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

/// Why the attempt, read fresh under this run's claim, no longer needs the delivery chosen
/// from the selection's snapshot of it, if it does not.
fn settled_since(
    store: &Store,
    a: &crate::model::TicketExport,
) -> Result<Option<String>, crate::error::StoreError> {
    let Some(fresh) = store.attempt(&a.ticket_export_id)? else {
        return Ok(Some("the attempt is gone from the store".into()));
    };
    let done = matches!(
        fresh.export_status,
        ExportStatus::FallbackWritten | ExportStatus::Exported | ExportStatus::Linked
    ) && fresh.export_status != a.export_status;
    let changed = fresh.external_ticket_id != a.external_ticket_id
        || fresh.external_ticket_url != a.external_ticket_url
        || fresh.portable_export_path != a.portable_export_path
        || fresh.provider_error_code != a.provider_error_code;
    Ok((done || changed).then(|| {
        format!(
            "another ticket-export run changed it since this run selected it (now {}{}); nothing sent; run retry again to decide it afresh",
            fresh.export_status,
            fresh
                .provider_error_code
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        )
    }))
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
