//! Triage: turns one export attempt, the current config, provider health and `now` into a
//! decision (design.md section 4).
//!
//! Pure data in, pure data out: no I/O, no clock, no environment. The caller (config layer,
//! store, `settings check`) gathers the facts into a [`TriageInput`]; `inspect` shows the
//! [`Decision`] and `retry` asks [`retry_allowed`] before it sends anything.

use jiff::{SignedDuration, Timestamp};

use crate::model::{FailureCode, State, TicketExport};

mod guard;
mod rules;
mod text;
mod wait;

pub use wait::{MAX_WAIT, ProviderCooldown, Wait, cooldown_until};

pub use guard::{allow_create, code_after_failure, code_after_import, kept_note};
pub use text::person_steps;

#[cfg(test)]
mod tests;

/// What the current config says about the attempt's provider; computed by the caller (config
/// layer).
#[derive(Debug, Clone)]
pub struct ProviderView {
    /// The destination (project/repo/board/...) is in the provider's `owned` list.
    pub destination_owned: bool,
    /// Why the base URL is unsafe for the deployment mode, if it is.
    pub unsafe_base_url: Option<String>,
    /// Digest of the connection settings and credentials as they are now (never a secret itself).
    pub connection_digest: String,
    /// Digest of the provider's mapping as it is now.
    pub mapping_digest: String,
    /// Digest of the fallback output folder setting as it is now.
    pub output_digest: String,
    /// For each provider field named in `attempt.mapping_missing`: the config key that supplies
    /// it and whether the current mapping sets it.
    pub field_supply: Vec<FieldSupply>,
    /// Whether the provider's credentials can be used now (read by the caller, never a value).
    pub credential: CredentialState,
    /// The attempt's recorded ticket as this provider would address it: its API id (the
    /// recorded `external_ticket_id`, else derived from `external_ticket_url`), or why neither
    /// can be used. None when the attempt records no ticket.
    pub ticket: Option<Result<String, String>>,
}

/// Whether a provider's credentials can be used now. The words name the variable or file,
/// never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialState {
    /// Every credential the entry names was read and is well formed.
    Present,
    /// A variable is not set, or a file is missing or may not be read.
    Absent(String),
    /// A value is there but no provider would accept it (empty, a line break, non-ASCII...).
    Malformed(String),
}

/// Whether the current mapping supplies one provider field, and through which config key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSupply {
    /// The provider's field name, as in `mapping_missing`.
    pub field: String,
    /// The config key that supplies it, e.g. `providers.jira-sec.mapping.fields.customfield_10951`.
    pub config_key: String,
    /// Whether the current mapping sets that key.
    pub supplied: bool,
}

/// What the last live `settings check` of the provider found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderHealth {
    /// No check has run yet (the decision must say so where it matters).
    Unknown,
    /// The check passed: credentials accepted, destination reachable.
    Ok { checked_at: Timestamp },
    /// The provider rejected the credentials or their scope.
    AuthFailed {
        checked_at: Timestamp,
        detail: String,
    },
    /// The provider could not be reached (DNS, TLS, timeout, refused).
    Unreachable {
        checked_at: Timestamp,
        detail: String,
    },
}

/// Everything triage looks at. Pure data: no I/O anywhere in this module.
#[derive(Debug, Clone)]
pub struct TriageInput<'a> {
    /// The attempt being decided.
    pub attempt: &'a TicketExport,
    /// None when `provider_key` is not in the config.
    pub provider: Option<&'a ProviderView>,
    /// The last live check of the attempt's provider.
    pub health: &'a ProviderHealth,
    /// The provider's stored cooldown (`provider_cooldowns`), as stored: every command honours
    /// it, so triage does too, or `inspect` would call ready what `retry` refuses.
    pub provider_cooldown: Option<&'a ProviderCooldown>,
    /// Whether the fallback output folder is usable now; None when not checked.
    pub output_usable: Option<bool>,
    /// From config `[fallback] after` (default 24h): provider unavailable this long -> fallback.
    pub fallback_after: SignedDuration,
    /// The clock, read once by the caller (`TICKET_EXPORT_NOW` in tests and audits).
    pub now: Timestamp,
}

/// What to do next, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing needs doing.
    Nothing,
    /// `retry` re-delivers with the same idempotency key.
    Retry,
    /// `retry` looks the ticket up by fingerprint first, because the last outcome is unknown.
    LookupThenRetry,
    /// `retry` looks the existing ticket up by fingerprint and links it; never creates.
    LookupAndLink,
    /// A ticket exists at a known URL: `retry` updates it, never creates.
    UpdateExisting,
    /// A cooldown is active; rerun after `wait_until`.
    Wait,
    /// Write the portable CSV, Markdown and JSON files.
    Fallback,
    /// Run status sync on the kept link.
    Sync,
    /// A person fixes the provider's connection settings or credentials.
    FixSettings,
    /// A person fixes the provider's mapping.
    FixMapping,
    /// A person fixes the fallback output folder.
    FixOutputPath,
    /// A person adds the provider to the config.
    AddProvider,
    /// A person reads the raw failure; the tool does nothing by itself.
    ManualReview,
    /// Nothing is ever sent for this attempt.
    DoNotSend,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Action; 14] = [
        Action::Nothing,
        Action::Retry,
        Action::LookupThenRetry,
        Action::LookupAndLink,
        Action::UpdateExisting,
        Action::Wait,
        Action::Fallback,
        Action::Sync,
        Action::FixSettings,
        Action::FixMapping,
        Action::FixOutputPath,
        Action::AddProvider,
        Action::ManualReview,
        Action::DoNotSend,
    ];

    /// The snake_case spelling, the same as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Nothing => "nothing",
            Action::Retry => "retry",
            Action::LookupThenRetry => "lookup_then_retry",
            Action::LookupAndLink => "lookup_and_link",
            Action::UpdateExisting => "update_existing",
            Action::Wait => "wait",
            Action::Fallback => "fallback",
            Action::Sync => "sync",
            Action::FixSettings => "fix_settings",
            Action::FixMapping => "fix_mapping",
            Action::FixOutputPath => "fix_output_path",
            Action::AddProvider => "add_provider",
            Action::ManualReview => "manual_review",
            Action::DoNotSend => "do_not_send",
        }
    }

    /// Whether `retry` may send a request to the provider for this action.
    fn lets_retry_send(self) -> bool {
        matches!(
            self,
            Action::Retry
                | Action::LookupThenRetry
                | Action::LookupAndLink
                | Action::UpdateExisting
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The guide pages of the seed ("Continue after export triage").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Guide {
    /// Provider choice, target readiness and export method selection.
    #[serde(rename = "Ticket export provider overview")]
    ProviderOverview,
    /// Mapping to work-management providers.
    #[serde(rename = "Work management export")]
    WorkManagementExport,
    /// CSV, Markdown and JSON generation when provider-native export is unavailable.
    #[serde(rename = "Portable export fallbacks")]
    PortableExportFallbacks,
    /// Duplicate fingerprints, status sync and existing-ticket behaviour.
    #[serde(rename = "Status sync and duplicate handling")]
    StatusSyncAndDuplicates,
    /// Provider auth, base URL and scope failures.
    #[serde(rename = "Provider connection errors")]
    ProviderConnectionErrors,
    /// Delivery retries and cooldowns.
    #[serde(rename = "Webhook retries")]
    WebhookRetries,
}

impl Guide {
    /// Every guide, in the seed's order.
    pub const ALL: [Guide; 6] = [
        Guide::ProviderOverview,
        Guide::WorkManagementExport,
        Guide::PortableExportFallbacks,
        Guide::StatusSyncAndDuplicates,
        Guide::ProviderConnectionErrors,
        Guide::WebhookRetries,
    ];

    /// The page title, as the seed names it (and as JSON spells it).
    pub fn title(self) -> &'static str {
        match self {
            Guide::ProviderOverview => "Ticket export provider overview",
            Guide::WorkManagementExport => "Work management export",
            Guide::PortableExportFallbacks => "Portable export fallbacks",
            Guide::StatusSyncAndDuplicates => "Status sync and duplicate handling",
            Guide::ProviderConnectionErrors => "Provider connection errors",
            Guide::WebhookRetries => "Webhook retries",
        }
    }
}

impl std::fmt::Display for Guide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

/// The outcome of triage for one attempt: state, action and the words that explain them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// Ready, blocked, cooldown or stop.
    pub state: State,
    /// What to do next.
    pub action: Action,
    /// The failure code decoded in plain language (from the seed's "Ticket export failure
    /// reasons"), or a plain status line when there is no code.
    pub reason: String,
    /// Why this state: names the concrete fact (the missing field, the retry_after time, the
    /// unchanged setting...).
    pub why: String,
    /// The next step, naming the command, field or config key.
    pub next_step: String,
    /// The guide page for the owner that remains.
    pub guide: Guide,
    /// For cooldown: when it clears.
    #[serde(with = "crate::model::opt_ts")]
    pub wait_until: Option<Timestamp>,
}

/// Decides one attempt. Rows of design.md section 4, top to bottom, first match wins.
pub fn decide(input: &TriageInput<'_>) -> Decision {
    rules::decide(input)
}

/// Whether a decision may turn on the values of the recorded ticket id and URL, not only on
/// whether they are recorded: the rows that end in `sync` or in an update of the known ticket
/// check that the ticket can be addressed. Callers that group attempts by triage's inputs key
/// these by value (see [`READS_TICKET_SQL`]).
pub fn reads_ticket(code: Option<&str>, sync_status: Option<&str>) -> bool {
    match code {
        Some(code) => matches!(
            code,
            "TICKET_EXPORT_DUPLICATE_BLOCKED" | "TICKET_STATUS_SYNC_FAILED"
        ),
        None => matches!(sync_status, Some("pending" | "failed")),
    }
}

/// [`reads_ticket`] as an SQL condition on a `ticket_exports` row.
pub const READS_TICKET_SQL: &str = "(provider_error_code IN ('TICKET_EXPORT_DUPLICATE_BLOCKED', 'TICKET_STATUS_SYNC_FAILED') \
     OR (provider_error_code IS NULL AND status_sync_status IN ('pending', 'failed')))";

/// Whether `retry` may send anything for this decision, and if not, the refusal reason (the
/// decision's `why`).
///
/// Allowed for Retry, LookupThenRetry, LookupAndLink and UpdateExisting (the DUPLICATE_BLOCKED
/// stop with a known URL: retry updates, never creates). Everything else, a cooldown included,
/// is refused so that a retry whose owning reason is unchanged is never attempted.
pub fn retry_allowed(decision: &Decision) -> Result<(), String> {
    // The state check is belt and braces: a cooldown always carries Action::Wait today, but a
    // cooldown must never send even if a future row forgets that.
    if decision.action.lets_retry_send() && decision.state != State::Cooldown {
        Ok(())
    } else {
        Err(decision.why.clone())
    }
}

/// The decoded, plain-language meaning of a failure code (the seed's wording), for `inspect ID`.
pub fn describe_code(code: &FailureCode) -> &'static str {
    text::describe_code(code)
}
