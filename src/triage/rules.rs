//! The rows of design.md section 4, one method per failure code, checked top to bottom.
//!
//! Rows 1, 2 and 11 and the shared helpers live here; the other rows are grouped by the owner
//! of the failure in the submodules. Every row returns a complete [`Decision`];
//! [`Ctx::hold_for_cooldown`] then applies the one rule that cuts across rows: nothing calls the
//! provider before `retry_after`.

use jiff::{SignedDuration, Timestamp};

use super::text::{command, describe_code, status_line};
use super::{
    Action, CredentialState, Decision, Guide, ProviderCooldown, ProviderHealth, ProviderView,
    TriageInput, Wait,
};
use crate::model::{ExportStatus, FailureCode, State, TicketExport, WaitOrigin};

mod connection;
mod fallback;
mod no_code;
mod tickets;

/// The config key of the fallback output folder, named in every output-path step.
const OUT_DIR_KEY: &str = "fallback.out_dir";

/// Decides one attempt; see [`super::decide`].
pub(super) fn decide(input: &TriageInput<'_>) -> Decision {
    let ctx = Ctx::new(input);
    let decision = match input.provider {
        // Row 1 before anything about the code: an unowned or unsafe destination is a stop
        // whatever the attempt says, so no other input can make it ready.
        Some(provider) => ctx
            .stop_if_unsafe(provider)
            .unwrap_or_else(|| ctx.unusable_ticket(provider, ctx.by_code(provider))),
        None => ctx.provider_missing(),
    };
    let decision = ctx.look_before_fallback(decision);
    let decision = match input.provider {
        Some(provider) => ctx.hold_for_credential(&provider.credential, decision),
        None => decision,
    };
    ctx.hold_for_cooldown(decision)
}

/// One attempt's facts, plus the names every sentence uses.
struct Ctx<'a> {
    attempt: &'a TicketExport,
    health: &'a ProviderHealth,
    provider_cooldown: Option<&'a ProviderCooldown>,
    output_usable: Option<bool>,
    fallback_after: SignedDuration,
    now: Timestamp,
    id: &'a str,
    key: &'a str,
    reason: String,
}

impl<'a> Ctx<'a> {
    fn new(input: &TriageInput<'a>) -> Self {
        let attempt = input.attempt;
        let reason = match &attempt.provider_error_code {
            Some(code) => describe_code(code).to_owned(),
            None => status_line(attempt.export_status).to_owned(),
        };
        Ctx {
            attempt,
            health: input.health,
            provider_cooldown: input.provider_cooldown,
            output_usable: input.output_usable,
            fallback_after: input.fallback_after,
            now: input.now,
            id: &attempt.ticket_export_id,
            key: &attempt.provider_key,
            reason,
        }
    }

    fn by_code(&self, provider: &ProviderView) -> Decision {
        match &self.attempt.provider_error_code {
            None => self.no_code(),
            Some(FailureCode::DeliveryFailed) => self.delivery_failed(provider),
            Some(FailureCode::MappingRequired) => self.mapping_required(provider),
            Some(FailureCode::DuplicateBlocked) => self.duplicate_blocked(),
            Some(FailureCode::StatusSyncFailed) => self.sync_on_link(),
            Some(FailureCode::ProviderUnavailable) => self.provider_unavailable(),
            Some(FailureCode::ProviderAuthFailed) => self.auth_failed(provider),
            Some(FailureCode::PortableExportFailed) => self.portable_failed(provider),
            Some(FailureCode::Other(raw)) => self.decision(
                State::Blocked,
                Action::ManualReview,
                Guide::ProviderOverview,
                format!(
                    "unknown code {raw} (shown raw for manual review; never retried automatically)"
                ),
                format!(
                    "read the whole attempt with {}",
                    command("inspect", self.id)
                ),
            ),
        }
    }

    // Row 1: ownership first, then the base URL.
    fn stop_if_unsafe(&self, provider: &ProviderView) -> Option<Decision> {
        let key = self.key;
        let not_owned =
            format!("the destination of providers.{key} is not in providers.{key}.owned");
        let (why, next_step) = match (provider.destination_owned, &provider.unsafe_base_url) {
            (true, None) => return None,
            (true, Some(unsafe_url)) => (
                format!("the base URL of providers.{key} is unsafe: {unsafe_url}"),
                format!(
                    "nothing is sent; fix providers.{key}.base_url, then run {}",
                    command("settings check", key)
                ),
            ),
            (false, unsafe_url) => (
                match unsafe_url {
                    Some(unsafe_url) => {
                        format!("{not_owned}, and its base URL is unsafe: {unsafe_url}")
                    }
                    None => not_owned,
                },
                format!(
                    "nothing is sent; add the destination to providers.{key}.owned only if the customer owns it"
                ),
            ),
        };
        let d = self.decision(
            State::Stop,
            Action::DoNotSend,
            Guide::ProviderOverview,
            why,
            next_step,
        );
        Some(d)
    }

    // Row 2.
    fn provider_missing(&self) -> Decision {
        let key = self.key;
        self.decision(
            State::Blocked,
            Action::AddProvider,
            Guide::ProviderOverview,
            format!("providers.{key} is not in the config"),
            format!(
                "add [providers.{key}] to the config ({} shows the file), then run {}",
                command("settings", "path"),
                command("settings check", key)
            ),
        )
    }

    /// Design section 5 and the seed: nothing calls the provider before `retry_after`, nor
    /// while the provider's own stored cooldown runs (which `retry`, `sync` and `settings
    /// check` honour). A row that ends in an action calling the provider becomes a cooldown
    /// while either is ahead, until the later of the two. Stops and blocks a person must clear
    /// are kept: waiting alone would not clear them.
    fn hold_for_cooldown(&self, d: Decision) -> Decision {
        let calls_provider = matches!(
            d.action,
            Action::Retry | Action::LookupThenRetry | Action::LookupAndLink | Action::Sync
        );
        // The one stop that calls the provider: `retry` updates the known ticket. An update
        // that failed with a wait (a 503, a 429) is not sent again before it.
        let updates = d.action == Action::UpdateExisting;
        // A row that already waits (its own retry_after) waits for the later of the two.
        let waits = d.action == Action::Wait;
        if !(calls_provider || waits || updates) || (d.state == State::Stop && !updates) {
            return d;
        }
        let guide = match (d.action, d.guide) {
            (Action::Sync, _) => Guide::StatusSyncAndDuplicates,
            (Action::Wait, guide) => guide,
            _ => Guide::WebhookRetries,
        };
        let then = match waits {
            true => d
                .next_step
                .split_once(", then ")
                .map_or_else(|| d.next_step.clone(), |(_, then)| then.to_owned()),
            false => d.next_step.clone(),
        };
        let own = self.cooldown_ahead();
        let provider = self
            .provider_cooldown
            .and_then(|c| Some((c.wait(self.now)?, c.reason.as_str())));
        match (own, provider) {
            (Some(own), Some((wait, _))) if own.until >= wait.until => {
                self.cooldown(own, guide, then)
            }
            (_, Some((wait, reason))) => self.provider_cooldown(wait, reason, guide, then),
            (Some(own), None) if calls_provider || updates => self.cooldown(own, guide, then),
            _ => d,
        }
    }

    /// Nothing can call the provider without a usable credential: a row that would (retry,
    /// look up, link, sync), or that asks a person to fix the connection, blocks on the
    /// credential instead, naming the variable or file: that is the first thing to fix. Stops
    /// stay stops, and rows that call nothing (fallback, fix the mapping) keep their step.
    fn hold_for_credential(&self, credential: &CredentialState, d: Decision) -> Decision {
        let calls_provider = matches!(
            d.action,
            Action::Retry
                | Action::LookupThenRetry
                | Action::LookupAndLink
                | Action::UpdateExisting
                | Action::Sync
                | Action::FixSettings
        );
        let problem = match credential {
            CredentialState::Present => return d,
            CredentialState::Absent(problem) | CredentialState::Malformed(problem) => problem,
        };
        if !calls_provider || d.state == State::Stop {
            return d;
        }
        let key = self.key;
        let then = match d.action {
            Action::Sync => command("sync", self.id),
            _ => self.retry_cmd(),
        };
        self.decision(
            State::Blocked,
            Action::FixSettings,
            Guide::ProviderConnectionErrors,
            format!(
                "the credential of providers.{key} cannot be used: {problem}; nothing is sent without it"
            ),
            format!(
                "fix the credential named in providers.{key}.auth, run {}, then {then}",
                command("settings check", key)
            ),
        )
    }

    /// No request about a known ticket is built from an id that cannot be used (empty, not the
    /// provider's form, or a URL on another destination): a row that would update or sync it
    /// is blocked with the reason instead, which `retry` and `sync` then agree with.
    fn unusable_ticket(&self, provider: &ProviderView, d: Decision) -> Decision {
        let Some(Err(why)) = &provider.ticket else {
            return d;
        };
        if !matches!(d.action, Action::UpdateExisting | Action::Sync) {
            return d;
        }
        self.decision(
            State::Blocked,
            Action::ManualReview,
            Guide::StatusSyncAndDuplicates,
            format!("the recorded ticket cannot be addressed: {why}"),
            format!(
                "nothing is sent for it; find the finding's ticket in providers.{}'s destination, \
                 then record it with {}",
                self.key,
                command("link", &format!("{} URL", self.id))
            ),
        )
    }

    /// The provider asked every run to wait (a stored provider cooldown).
    fn provider_cooldown(&self, wait: Wait, reason: &str, guide: Guide, then: String) -> Decision {
        let until = wait.until;
        Decision {
            wait_until: Some(until),
            ..self.decision(
                State::Cooldown,
                Action::Wait,
                guide,
                format!(
                    "providers.{} asked every run to wait until {until} ({reason}){}",
                    self.key,
                    wait.note()
                ),
                format!("wait until {until}, then {then}"),
            )
        }
    }

    /// A create whose outcome is unknown may have made a ticket: portable files beside it
    /// would be duplicate downstream work, so `retry` looks it up first.
    fn look_before_fallback(&self, d: Decision) -> Decision {
        let unknown = matches!(
            self.attempt.export_status,
            ExportStatus::Uncertain | ExportStatus::InFlight
        );
        if d.action != Action::Fallback || !unknown {
            return d;
        }
        let why = format!(
            "{}; but a create may have reached the provider, so no portable files until the ticket is looked up",
            d.why
        );
        self.retry(Guide::StatusSyncAndDuplicates, why)
    }

    /// The attempt's own wait. It is described as the provider's only when the provider sent
    /// it (or the import recorded it); a wait ticket-export chose after a failure that named
    /// none is described as the tool's, and after a call that got no answer at all the guide is
    /// the connection guide, whatever the provider kind.
    fn cooldown(&self, wait: Wait, guide: Guide, then: String) -> Decision {
        let until = wait.until;
        let a = self.attempt;
        let (guide, why) = match a.wait_origin() {
            WaitOrigin::Provider => (
                guide,
                format!("the provider asked to wait until {until} (retry_after)"),
            ),
            WaitOrigin::Tool => {
                let unknown = matches!(
                    a.export_status,
                    ExportStatus::Uncertain | ExportStatus::InFlight
                );
                let (last, guide) = match a.provider_response_code {
                    Some(status) => (
                        format!("the last call answered HTTP {status} without naming a wait"),
                        guide,
                    ),
                    None if unknown => ("the outcome of the last call is unknown".into(), guide),
                    None => (
                        "the last call got no answer (a connection failure: see the event)".into(),
                        Guide::ProviderConnectionErrors,
                    ),
                };
                (
                    guide,
                    format!(
                        "ticket-export waits until {until} (retry_after) before calling the provider \
                         again: its own backoff, because {last}; the provider did not ask for this wait"
                    ),
                )
            }
        };
        Decision {
            wait_until: Some(until),
            ..self.decision(
                State::Cooldown,
                Action::Wait,
                guide,
                format!("{why}{}", wait.note()),
                format!("wait until {until}, then {then}"),
            )
        }
    }

    /// Ready to retry; when the last outcome is unknown, retry must look the ticket up first
    /// (design section 5: an uncertain attempt is never re-created blindly).
    fn retry(&self, guide: Guide, why: String) -> Decision {
        let next_step = format!("run {}", self.retry_cmd());
        match self.attempt.export_status {
            ExportStatus::Uncertain | ExportStatus::InFlight => {
                let why = format!(
                    "{why}; the outcome of the last request is unknown; \
                     retry looks the ticket up by fingerprint before creating"
                );
                self.decision(State::Ready, Action::LookupThenRetry, guide, why, next_step)
            }
            _ => self.decision(State::Ready, Action::Retry, guide, why, next_step),
        }
    }

    /// The attempt's own `retry_after`, when it is ahead, capped (see `wait.rs`).
    fn cooldown_ahead(&self) -> Option<Wait> {
        Wait::read(self.attempt.retry_after, self.now)
    }

    /// The kept ticket link, by URL where known, else by id.
    fn link(&self) -> Option<&'a str> {
        let a = self.attempt;
        a.external_ticket_url
            .as_deref()
            .or(a.external_ticket_id.as_deref())
    }

    fn retry_cmd(&self) -> String {
        command("retry", self.id)
    }

    fn decision(
        &self,
        state: State,
        action: Action,
        guide: Guide,
        why: String,
        next_step: String,
    ) -> Decision {
        Decision {
            state,
            action,
            reason: self.reason.clone(),
            why,
            next_step,
            guide,
            wait_until: None,
        }
    }
}
