//! Providers: one client per tracker behind one trait, sharing one HTTP agent.
//!
//! A client turns a `TicketDraft` into the provider's own request, and the provider's answers
//! into `RemoteTicket`s or a `Failure`. It never touches the store: the retry and sync engines
//! record outcomes.

pub mod answer;
pub mod asana;
pub mod azure_devops;
pub mod bitbucket;
pub mod clickup;
mod draft;
mod endpoint;
pub mod failure;
pub mod github;
pub mod gitlab;
pub mod http;
mod inputs;
pub mod jira;
pub mod linear;
pub mod marker;
mod paging;
pub mod path;
pub mod request_log;
mod scrub;
pub mod status_map;
pub mod ticket_ref;
mod transport;
pub mod trello;
pub mod webhook;
pub mod youtrack;

use std::sync::Arc;

use jiff::Timestamp;

use crate::ambient::Ambient;
use crate::config::{Provider, ProviderKind};
use crate::secret::{CredentialError, CredentialProblem, Secret, SecretSource};
use crate::triage::CredentialState;
pub use draft::TicketDraft;
pub use endpoint::{api_prefix, endpoint_from, site_of};
pub use failure::Failure;
use http::{Http, HttpRequest, HttpResponse};
pub(crate) use scrub::{scrub as scrub_secrets, secret_forms};

/// A ticket on the provider.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteTicket {
    /// The id used in API paths (Jira key, GitHub number, GitLab iid...).
    pub id: String,
    /// The page a person opens.
    pub url: String,
    /// The provider's own state name, when the answer carried one.
    pub state: Option<String>,
}

/// The four states every provider's workflow is normalised to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormalState {
    Open,
    InProgress,
    Done,
    WontFix,
}

impl NormalState {
    /// The snake_case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NormalState::Open => "open",
            NormalState::InProgress => "in_progress",
            NormalState::Done => "done",
            NormalState::WontFix => "wont_fix",
        }
    }

    /// What `pick` finds for this state, else for the nearest one a workflow without it has: a
    /// workflow with no won't-fix state closes as done, one with no in-progress state stays open.
    pub fn pick_or_nearest<T>(self, pick: impl Fn(NormalState) -> Option<T>) -> Option<T> {
        let nearest = match self {
            NormalState::WontFix => Some(NormalState::Done),
            NormalState::InProgress => Some(NormalState::Open),
            _ => None,
        };
        pick(self).or_else(|| nearest.and_then(pick))
    }
}

/// A ticket's state as read from the provider.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteState {
    /// The provider's own name for it.
    pub raw: String,
    pub normal: NormalState,
}

/// What a read-only connection check found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    /// Who the credentials belong to, as the provider names them (never the credential).
    pub identity: String,
    /// What was probed, in order.
    pub probes: Vec<String>,
}

/// One planned call, for `--dry-run`: the plan names the real path it would request, with the
/// real ids.
#[derive(Debug, Clone, Copy)]
pub enum PlannedCall<'a> {
    /// Look the draft's ticket up by fingerprint.
    Lookup(&'a TicketDraft),
    /// Create the draft's ticket.
    Create(&'a TicketDraft),
    /// Update this ticket from the draft.
    Update(&'a str, &'a TicketDraft),
    /// Move this ticket to another state.
    WriteStatus(&'a str),
}

/// What every provider client can do. All calls are blocking and thread-safe.
pub trait ProviderClient: Send + Sync {
    /// A read-only probe of credentials, scope and destination.
    fn check(&self) -> Result<CheckReport, Failure>;
    /// Tickets that carry the fingerprint, through a consistent listing (not a search index).
    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure>;
    /// Creates a ticket carrying the fingerprint.
    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure>;
    /// Updates an existing ticket's content from the draft.
    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure>;
    /// Reads a ticket's state.
    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure>;
    /// Moves a ticket to a normalised state, discovering the provider's way at run time.
    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure>;
    /// The request a call would make (method and the real path), for plans.
    fn plan(&self, call: PlannedCall<'_>) -> String;
    /// States of many tickets through paged listings, where the provider has them. `None`
    /// means "read one at a time"; tickets missing from the map are read one at a time too.
    fn read_statuses(
        &self,
        _ticket_ids: &[String],
    ) -> Result<Option<std::collections::HashMap<String, RemoteState>>, Failure> {
        Ok(None)
    }
}

/// What every client holds: its config entry, the shared agent, its credentials, the clock, and
/// the paths it may request.
pub struct ClientBase {
    pub provider: Provider,
    pub http: Arc<Http>,
    pub user: Option<Secret>,
    pub token: Secret,
    pub now: Timestamp,
    /// Where requests may go; each client declares it when it is built, and nothing outside it
    /// is sent (an empty scope sends nothing).
    pub scope: path::Scope,
}

impl ClientBase {
    /// The base URL, then the constant API path `api` (`/api/v4`, or `` when the base URL has
    /// it), then each of `segments` percent-encoded as one path segment: a `/` in a value
    /// becomes `%2F`, never a separator. Values are checked for their provider before they get
    /// here (`path`), and the final URL is checked again in [`ClientBase::send`].
    pub fn endpoint(&self, api: &str, segments: &[&str]) -> url::Url {
        endpoint_from(&self.provider.base_url, api, segments)
    }

    /// A request to `url` that accepts JSON and carries the credential in the header `auth`
    /// (`authorization` for most providers).
    pub fn json_request(
        &self,
        method: &'static str,
        url: url::Url,
        auth: &'static str,
        credential: String,
    ) -> HttpRequest {
        HttpRequest::new(method, url)
            .header(auth, credential)
            .header("accept", "application/json")
    }

    /// Sends a request whose final URL stays in the client's scope; transport failures become
    /// a `Failure` (uncertain only for writes).
    pub fn send(&self, req: &HttpRequest, write: bool) -> Result<HttpResponse, Failure> {
        if let Some(why) = self.scope.refusal(&self.provider.base_url, &req.url) {
            return Err(Failure::Refused(format!(
                "{} {why}; nothing was sent",
                req.method
            )));
        }
        self.http
            .send(req)
            .map_err(|e| Failure::from_transport(e, write))
    }

    /// Sends a request and answers the JSON of a 2xx response; `failure` reads any other.
    pub fn call(
        &self,
        req: &HttpRequest,
        write: bool,
        failure: impl FnOnce(&HttpResponse) -> Failure,
    ) -> Result<serde_json::Value, Failure> {
        let resp = self.send(req, write)?;
        if (200..300).contains(&resp.status) {
            return Ok(resp.json());
        }
        Err(failure(&resp))
    }
}

/// A provider's credentials, read now.
pub struct Credentials {
    pub user: Option<Secret>,
    pub token: Secret,
}

/// Reads a provider's credentials from the environment or its 0600 file. A credential that is
/// missing, unreadable or malformed is a `Failure::Credential`: nothing is sent, and it is never
/// taken for the provider rejecting the credentials.
pub fn load_credentials(provider: &Provider, ambient: &Ambient) -> Result<Credentials, Failure> {
    let load = |source: &Option<SecretSource>| -> Result<Option<Secret>, Failure> {
        source
            .as_ref()
            .map(|s| s.load(ambient))
            .transpose()
            .map_err(Failure::Credential)
    };
    let user = load(&provider.auth.user)?;
    let token = load(&provider.auth.token)?.ok_or_else(|| {
        Failure::Credential(CredentialError {
            source_name: format!("providers.{}.auth", provider.key),
            problem: "names no token_env or token_file".into(),
            kind: CredentialProblem::Missing,
        })
    })?;
    if provider.kind == ProviderKind::Webhook
        && let Err(problem) = webhook::signing_key(token.expose())
    {
        return Err(Failure::Credential(CredentialError {
            source_name: provider
                .auth
                .token
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            problem,
            kind: CredentialProblem::Malformed,
        }));
    }
    Ok(Credentials { user, token })
}

/// Whether a provider's credentials can be used now, for triage: the same reading `retry`,
/// `sync` and `settings check` make before they send anything.
pub fn credential_state(provider: &Provider, ambient: &Ambient) -> CredentialState {
    match load_credentials(provider, ambient) {
        Ok(_) => CredentialState::Present,
        Err(Failure::Credential(e)) if e.kind == CredentialProblem::Malformed => {
            CredentialState::Malformed(e.to_string())
        }
        Err(e) => CredentialState::Absent(match e {
            Failure::Credential(e) => e.to_string(),
            other => other.to_string(),
        }),
    }
}

/// Builds the client for a provider entry, reading its credentials now.
pub fn client_for(
    provider: &Provider,
    http: Arc<Http>,
    ambient: &Ambient,
) -> Result<Box<dyn ProviderClient>, Failure> {
    let credentials = load_credentials(provider, ambient)?;
    client_with(provider, http, credentials, ambient.now())
}

/// A client that can only plan (`--dry-run`): no credential is read or needed.
pub fn planning_client(
    provider: &Provider,
    http: Arc<Http>,
    now: Timestamp,
) -> Result<Box<dyn ProviderClient>, Failure> {
    let credentials = Credentials {
        user: None,
        token: Secret::new(String::new()),
    };
    client_with(provider, http, credentials, now)
}

/// Builds the client for a provider entry with the given credentials.
pub fn client_with(
    provider: &Provider,
    http: Arc<Http>,
    credentials: Credentials,
    now: Timestamp,
) -> Result<Box<dyn ProviderClient>, Failure> {
    if let Some(reason) = &provider.unsafe_base_url {
        return Err(Failure::NotSent(format!("base_url is unsafe: {reason}")));
    }
    // The config refuses these already; a provider built another way is refused here too.
    let problems = path::mapping_problems(provider.kind, &provider.mapping);
    if !problems.is_empty() {
        return Err(Failure::NotSent(format!(
            "providers.{}: {}",
            provider.key,
            problems.join("; ")
        )));
    }
    let forms = scrub::Forms::of(&credentials);
    let base = ClientBase {
        provider: provider.clone(),
        http,
        user: credentials.user,
        token: credentials.token,
        now,
        scope: path::Scope::default(),
    };
    let client: Box<dyn ProviderClient> = match provider.kind {
        ProviderKind::Github => Box::new(github::GitHub::new(base)),
        ProviderKind::Jira => Box::new(jira::Jira::new(base)),
        ProviderKind::Gitlab => Box::new(gitlab::GitLab::new(base)),
        ProviderKind::Webhook => Box::new(webhook::Webhook::new(base)),
        ProviderKind::Bitbucket => Box::new(bitbucket::Bitbucket::new(base)),
        ProviderKind::Trello => Box::new(trello::Trello::new(base)),
        ProviderKind::Linear => Box::new(linear::Linear::new(base)),
        ProviderKind::AzureDevops => Box::new(azure_devops::AzureDevOps::new(base)),
        ProviderKind::Youtrack => Box::new(youtrack::YouTrack::new(base)),
        ProviderKind::Asana => Box::new(asana::Asana::new(base)),
        ProviderKind::Clickup => Box::new(clickup::ClickUp::new(base)),
    };
    // Ticket ids are checked for the kind on the way in and out, answers are checked (a page
    // that is not a listing is never "no ticket"), then anything the provider echoes back is
    // scrubbed of the credentials.
    let checked = inputs::ValidIds {
        inner: client,
        provider: provider.clone(),
    };
    Ok(Box::new(scrub::Scrubbed {
        inner: Box::new(answer::Checked(Box::new(checked))),
        forms,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_state_falls_back_to_the_nearest() {
        use NormalState::*;
        fn only(have: &[NormalState], target: NormalState) -> Option<&'static str> {
            target.pick_or_nearest(|t| have.contains(&t).then_some(t.as_str()))
        }
        assert_eq!(only(&[Open, Done], WontFix), Some("done"));
        assert_eq!(only(&[Open, Done], InProgress), Some("open"));
        assert_eq!(only(&[Open, WontFix], WontFix), Some("wont_fix"));
        assert_eq!(only(&[Open], Done), None);
    }
}
