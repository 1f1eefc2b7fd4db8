//! Recording a worker's outcome: the link on success, the code, cooldown and owner on failure,
//! and what a failure means for the rest of the run.

use jiff::SignedDuration;

use super::worker::ProviderRun;
use super::{ItemReport, Job};
use crate::model::{ExportStatus, FailureCode, OwnerKind, State, TicketExport};
use crate::providers::{Failure, RemoteTicket};
use crate::store::{FailureRecord, LinkOutcome, Store};

/// After an uncertain outcome, wait this long before the next run looks the ticket up: some
/// listings (Jira Cloud's search) take minutes to show a just-created issue, and a lookup that
/// misses it would lead to a second create.
const UNCERTAIN_WAIT: SignedDuration = SignedDuration::from_mins(5);

#[allow(clippy::too_many_arguments)]
pub(super) fn linked(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    a: &TicketExport,
    t: &RemoteTicket,
    status: ExportStatus,
    outcome: &'static str,
    detail: &str,
) -> Result<ItemReport, crate::error::StoreError> {
    // The event names the ticket, so the history (and `log`) says where each one went.
    let detail = format!("{detail}: {}", t.url);
    let recorded = store.record_linked(
        &a.ticket_export_id,
        holder,
        run.now,
        &t.id,
        &t.url,
        status,
        a.export_status,
        run.command,
        outcome,
        &detail,
    )?;
    Ok(match recorded {
        LinkOutcome::Recorded => ItemReport::from_attempt(a, outcome, State::Ready, detail),
        // Reported for this attempt alone; the rest of the batch goes on.
        LinkOutcome::Conflict { why, .. } => ItemReport::from_attempt(
            a,
            "failed",
            State::Blocked,
            format!(
                "{why}; not linked and nothing created; a person decides: {}",
                crate::triage::person_steps(&a.ticket_export_id)
            ),
        ),
    })
}

pub(super) fn fail(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    f: Failure,
    action: &'static str,
) -> Result<ItemReport, crate::error::StoreError> {
    if let Failure::Credential(problem) = &f {
        return not_sent(run, store, holder, job, problem);
    }
    let code = f.code();
    fail_with_code(run, store, holder, job, &f, code, action)
}

/// Nothing was sent because the credential cannot be used: the attempt keeps its code, status
/// and owner (the provider said nothing), the history notes why, and the rest of the run sends
/// nothing to this provider either.
fn not_sent(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    problem: &crate::secret::CredentialError,
) -> Result<ItemReport, crate::error::StoreError> {
    let a = &job.attempt;
    let detail = format!(
        "not sent: the credential of providers.{} cannot be used: {problem}",
        run.provider.key
    );
    store.note(&a.ticket_export_id, run.now, "retry", "not sent", &detail)?;
    store.release(&a.ticket_export_id, holder, a.export_status)?;
    run.stop(detail.clone(), State::Blocked);
    Ok(ItemReport::from_attempt(
        a,
        "not sent",
        State::Blocked,
        detail,
    ))
}

pub(super) fn fail_with_code(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    f: &Failure,
    code: FailureCode,
    action: &'static str,
) -> Result<ItemReport, crate::error::StoreError> {
    let now = run.now;
    // A create whose outcome is unknown stays unknown until a lookup answers: a lookup (or a
    // client) failing now does not make it "failed", which `fallback` would write beside a
    // ticket that may exist.
    let unresolved = matches!(action, "lookup" | "connect")
        && matches!(
            job.attempt.export_status,
            ExportStatus::Uncertain | ExportStatus::InFlight
        );
    let uncertain = matches!(f, Failure::Uncertain { .. });
    let retry_after = f.retry_after().or_else(|| {
        (uncertain || matches!(f, Failure::Unavailable { .. })).then(|| now + UNCERTAIN_WAIT)
    });
    let owner = match f {
        // The known ticket is gone (deleted, moved or hidden): only a person can say whether
        // another exists, so the attempt waits for their decision, never for a setting.
        Failure::NotFound { .. } if action == "update" => Some((
            OwnerKind::Person,
            job.attempt
                .external_ticket_url
                .clone()
                .or_else(|| job.attempt.external_ticket_id.clone())
                .unwrap_or_default(),
        )),
        Failure::Mapping { .. } => Some((OwnerKind::Mapping, job_digest(run, OwnerKind::Mapping))),
        // A wait the provider sent is its own; any other is the tool's backoff, marked so
        // that no message says the provider asked for it.
        Failure::RateLimited { .. } | Failure::Unavailable { .. } | Failure::Uncertain { .. } => {
            retry_after.map(|t| match f.retry_after() {
                Some(_) => (OwnerKind::Cooldown, t.to_string()),
                None => (
                    OwnerKind::Cooldown,
                    format!("{}{t}", crate::model::TOOL_WAIT),
                ),
            })
        }
        _ => Some((
            OwnerKind::Connection,
            job_digest(run, OwnerKind::Connection),
        )),
    };
    let detail = match f {
        Failure::NotFound { .. } if action == "update" => format!(
            "update: the known ticket answered 404 (deleted, moved or hidden): {f}; nothing created; \
             a person decides: {}",
            crate::triage::person_steps(&job.attempt.ticket_export_id)
        ),
        _ => format!("{action}: {f}"),
    };
    let detail = run.scrub(&detail);
    let record = FailureRecord {
        export_status: if uncertain || unresolved {
            ExportStatus::Uncertain
        } else {
            ExportStatus::Failed
        },
        code,
        http_status: f.status().filter(|s| *s >= 100),
        retry_after,
        owner,
        mapping_missing: match f {
            Failure::Mapping { fields, .. } => Some(fields.clone()),
            _ => None,
        },
        action: run.command,
        detail: detail.clone(),
    };
    store.record_failure(&job.attempt.ticket_export_id, holder, now, &record)?;
    let key = &run.provider.key;
    match f {
        Failure::Auth { .. } | Failure::NotSent(_) => {
            run.stop(format!("not sent: {key} failed authentication or safety checks earlier in this run ({detail})"), State::Blocked);
        }
        Failure::Rejected { status: 410, .. } => {
            run.stop(
                format!("not sent: {key} answered 410 Gone; the endpoint disabled itself"),
                State::Blocked,
            );
        }
        Failure::RateLimited { retry_after, .. }
        | Failure::Unavailable {
            retry_after: Some(retry_after),
            ..
        } => {
            store.set_provider_cooldown(key, *retry_after, &detail)?;
            run.stop(
                format!("not sent: {key} asked us to wait until {retry_after}"),
                State::Cooldown,
            );
        }
        _ => {}
    }
    let outcome = if uncertain { "uncertain" } else { "failed" };
    Ok(ItemReport::from_attempt(
        &job.attempt,
        outcome,
        State::Blocked,
        detail,
    ))
}

/// Records that only a person can take this attempt further (a duplicate known to exist but
/// not found by its fingerprint): the duplicate guard stays, owned by the person's decision,
/// and nothing is created.
pub(super) fn for_person(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    why: &str,
) -> Result<ItemReport, crate::error::StoreError> {
    let unresolved = matches!(
        job.attempt.export_status,
        ExportStatus::Uncertain | ExportStatus::InFlight
    );
    let id = &job.attempt.ticket_export_id;
    let detail = format!(
        "lookup: {why}; nothing created; a person decides: {}",
        crate::triage::person_steps(id)
    );
    let record = FailureRecord {
        export_status: if unresolved {
            ExportStatus::Uncertain
        } else {
            ExportStatus::Failed
        },
        code: FailureCode::DuplicateBlocked,
        http_status: None,
        retry_after: None,
        owner: Some((OwnerKind::Person, job.attempt.duplicate_fingerprint.clone())),
        mapping_missing: None,
        action: run.command,
        detail: detail.clone(),
    };
    store.record_failure(id, holder, run.now, &record)?;
    Ok(ItemReport::from_attempt(
        &job.attempt,
        "failed",
        State::Blocked,
        detail,
    ))
}

/// An attempt taken over from a run that claimed it at `since` and died before recording an
/// outcome: a create that run sent may still be on its way, so the attempt is uncertain until
/// `since` plus the uncertain wait, and nothing is sent for it before then. None when that
/// wait has passed: the lookup may run now.
pub(super) fn abandoned(
    run: &ProviderRun,
    store: &mut Store,
    holder: &str,
    job: &Job,
    since: jiff::Timestamp,
) -> Result<Option<ItemReport>, crate::error::StoreError> {
    let until = since + UNCERTAIN_WAIT;
    if until <= run.now {
        return Ok(None);
    }
    let detail = format!(
        "the run that claimed this attempt at {since} stopped before recording an outcome; a \
         create it sent may still land, so the ticket is looked up after {until}, never re-created blindly"
    );
    let record = FailureRecord {
        export_status: ExportStatus::Uncertain,
        code: FailureCode::DeliveryFailed,
        http_status: None,
        retry_after: Some(until),
        owner: Some((
            OwnerKind::Cooldown,
            format!("{}{until}", crate::model::TOOL_WAIT),
        )),
        mapping_missing: None,
        action: run.command,
        detail: detail.clone(),
    };
    store.record_failure(&job.attempt.ticket_export_id, holder, run.now, &record)?;
    Ok(Some(ItemReport::from_attempt(
        &job.attempt,
        "uncertain",
        State::Cooldown,
        detail,
    )))
}

/// The digest of the setting that owns a failure, computed when it is recorded.
fn job_digest(run: &ProviderRun, kind: OwnerKind) -> String {
    match kind {
        OwnerKind::Mapping => run.provider.mapping_digest(),
        _ => run.connection_digest.clone(),
    }
}
