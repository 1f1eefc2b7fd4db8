//! Linear issues over GraphQL (`POST /graphql`), `https://api.linear.app`.
//!
//! A personal API key goes in `Authorization` as it is: Linear refuses it with `Bearer` (an
//! OAuth token takes `Bearer`, chosen with `auth.scheme = "bearer"`). Creates carry the
//! idempotency key as the issue's own `id` (a UUID), and a fingerprint attachment whose URL
//! `attachmentsForURL` finds again; lookup asks both, so an issue whose attachment was never
//! made is still found. Answers are read through `errors[]` first: Linear reports most
//! failures, rate limits included, inside the body.

pub mod ops;

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::answer::{identity, object};
use super::failure::Failure;
use super::http::{HttpRequest, bearer_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker, status_map,
};

/// Where fingerprint attachments point; the URL only has to be stable and unique.
pub const FINGERPRINT_URL: &str = "https://webriskops.example/fingerprint/";

/// A Linear team's issues.
pub struct Linear {
    base: ClientBase,
    team: String,
    team_id: OnceLock<String>,
    /// The GraphQL endpoint: `/graphql` under the base URL, once (a base URL pasted with it
    /// is not doubled).
    endpoint: url::Url,
}

/// A workflow state type, normalised.
pub fn normalise(state_type: &str) -> NormalState {
    match state_type {
        "started" => NormalState::InProgress,
        "completed" => NormalState::Done,
        "canceled" | "cancelled" => NormalState::WontFix,
        _ => NormalState::Open,
    }
}

/// State types to pick from for a target, best first (`unstarted` is "Todo").
fn preferred_types(target: NormalState) -> &'static [&'static str] {
    match target {
        NormalState::Open => &["unstarted", "backlog", "triage"],
        NormalState::InProgress => &["started"],
        NormalState::Done => &["completed"],
        NormalState::WontFix => &["canceled"],
    }
}

impl Linear {
    /// A client for `mapping.team` (a key or an id); it requests nothing but the GraphQL
    /// endpoint, and ids travel in variables, never in the path.
    pub fn new(mut base: ClientBase) -> Self {
        let team = base.provider.mapping.team.clone().unwrap_or_default();
        let team_id = OnceLock::new();
        // Linear's ids are UUIDs, as opposed to team keys like `SEC`.
        if super::path::is_uuid(&team) {
            let _ = team_id.set(team.clone());
        }
        let endpoint = base.endpoint(&api_prefix(&base.provider.base_url, "/graphql"), &[]);
        base.scope = super::path::Scope::of([endpoint.clone()]);
        Linear {
            base,
            team,
            team_id,
            endpoint,
        }
    }

    /// Sends one operation with its variables; returns `data` or the failure.
    fn gql(&self, operation: &str, variables: Value, write: bool) -> Result<Value, Failure> {
        let token = self.base.token.expose();
        let bearer = self
            .base
            .provider
            .auth
            .scheme
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("bearer"));
        let auth = if bearer {
            bearer_auth(token)
        } else {
            token.to_owned()
        };
        let body = json!({
            "query": operation,
            "variables": variables,
            "operationName": ops::name(operation),
        });
        let req = HttpRequest::new("POST", self.endpoint.clone())
            .header("authorization", auth)
            .json(&body);
        let resp = self.base.send(&req, write)?;
        ops::read(&resp, self.base.now, write)
    }

    fn team_id(&self) -> Result<String, Failure> {
        if let Some(id) = self.team_id.get() {
            return Ok(id.clone());
        }
        let data = self.gql(
            ops::TEAM_BY_KEY,
            json!({"filter": {"key": {"eq": self.team}}}),
            false,
        )?;
        let id = data["teams"]["nodes"][0]["id"]
            .as_str()
            .ok_or_else(|| Failure::NotFound {
                status: 200,
                detail: format!(
                    "no Linear team with key {:?} is visible to this API key (mapping.team)",
                    self.team
                ),
            })?
            .to_owned();
        Ok(self.team_id.get_or_init(|| id).clone())
    }

    fn fingerprint_url(draft: &TicketDraft) -> String {
        format!("{FINGERPRINT_URL}{}", draft.fingerprint)
    }

    fn ticket(issue: &Value) -> RemoteTicket {
        RemoteTicket {
            id: issue["id"].as_str().unwrap_or_default().to_owned(),
            url: issue["url"].as_str().unwrap_or_default().to_owned(),
            state: issue["state"]["name"].as_str().map(str::to_owned),
        }
    }

    fn state(&self, issue: &Value) -> RemoteState {
        let raw = issue["state"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let normal = status_map::mapped(&self.base.provider.status_map, &raw)
            .unwrap_or_else(|| normalise(issue["state"]["type"].as_str().unwrap_or_default()));
        RemoteState { raw, normal }
    }

    /// The issue with this id, or None when Linear says it does not exist.
    fn issue(&self, id: &str) -> Result<Option<Value>, Failure> {
        match self.gql(ops::ISSUE_BY_ID, json!({ "id": id }), false) {
            Ok(data) if data["issue"].is_object() => Ok(Some(data["issue"].clone())),
            Ok(_) | Err(Failure::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn attach(&self, issue_id: &str, draft: &TicketDraft) -> Result<(), Failure> {
        let input = json!({
            "issueId": issue_id,
            "title": format!("WebRiskOps finding {}", draft.fingerprint_label),
            "url": Self::fingerprint_url(draft),
        });
        self.gql(ops::ATTACH_FINGERPRINT, json!({ "input": input }), true)?;
        Ok(())
    }

    fn priority(draft: &TicketDraft) -> Result<Option<u8>, Failure> {
        let Some(text) = &draft.priority else {
            return Ok(None);
        };
        match text.trim().parse::<u8>() {
            Ok(n) if n <= 4 => Ok(Some(n)),
            _ => Err(Failure::Mapping {
                status: 0,
                fields: vec!["priority".into()],
                detail: format!(
                    "Linear priorities are 0 (none) to 4 (low), written as strings in mapping.priority; got {text:?}"
                ),
            }),
        }
    }
}

impl ProviderClient for Linear {
    fn check(&self) -> Result<CheckReport, Failure> {
        let who = &["/viewer/name", "/viewer/id"];
        let viewer = self.gql(ops::VIEWER, json!({}), false)?;
        object(&viewer, "POST /graphql Viewer", who)?;
        let team = self.team_id()?;
        let states = self.gql(ops::TEAM_STATES, json!({ "id": team }), false)?;
        object(
            &states,
            "POST /graphql TeamStates",
            &["/team/states/nodes/0"],
        )?;
        Ok(CheckReport {
            identity: identity(&viewer, who).unwrap_or_default(),
            probes: vec![
                "POST /graphql Viewer".into(),
                format!("POST /graphql TeamStates ({})", self.team),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let url = Self::fingerprint_url(draft);
        let data = self.gql(ops::FINGERPRINT_LOOKUP, json!({ "url": url }), false)?;
        let mut found: Vec<RemoteTicket> = Vec::new();
        let nodes = data["attachmentsForURL"]["nodes"].as_array();
        for node in nodes.into_iter().flatten() {
            if node["url"].as_str() == Some(url.as_str()) && node["issue"].is_object() {
                let ticket = Self::ticket(&node["issue"]);
                if !found.iter().any(|t| t.id == ticket.id) {
                    found.push(ticket);
                }
            }
        }
        // The client id finds an issue whose attachment was never made (a lost answer).
        if let Some(issue) = self.issue(&draft.idempotency_key)?
            && issue["description"]
                .as_str()
                .is_some_and(|d| marker::in_text(d, &draft.fingerprint))
            && !found.iter().any(|t| t.id == draft.idempotency_key)
        {
            found.push(Self::ticket(&issue));
        }
        Ok(found)
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let mut input = json!({
            "id": draft.idempotency_key,
            "teamId": self.team_id()?,
            "title": draft.title,
            "description": draft.body,
        });
        if let Some(p) = Self::priority(draft)? {
            input["priority"] = json!(p);
        }
        if let Some(ids) = draft.fields.get("labelIds") {
            input["labelIds"] = ids.clone();
        }
        let issue = match self.gql(ops::ISSUE_CREATE, json!({ "input": input }), true) {
            Ok(data) => data["issueCreate"]["issue"].clone(),
            // A refused create may mean this id exists already (an earlier answer was lost):
            // then it was created, and is looked up by id rather than created twice.
            Err(err @ (Failure::Mapping { .. } | Failure::Rejected { .. })) => {
                match self.issue(&draft.idempotency_key)? {
                    Some(issue) => issue,
                    None => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        let ticket = Self::ticket(&issue);
        // The issue exists from here on: a failed attachment must not read as "nothing was
        // created" (a rate limit here once sent the attempt to `fallback` beside its ticket).
        // Uncertain makes the engine look it up (by its client id) before anything else.
        if let Err(f) = self.attach(&ticket.id, draft) {
            return Err(Failure::Uncertain {
                status: f.status(),
                detail: format!(
                    "issue {} was created, but its fingerprint attachment was not: {f}",
                    ticket.id
                ),
            });
        }
        Ok(ticket)
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let input = json!({"title": draft.title, "description": draft.body});
        let data = self.gql(
            ops::ISSUE_UPDATE,
            json!({"id": ticket_id, "input": input}),
            true,
        )?;
        Ok(Self::ticket(&data["issueUpdate"]["issue"]))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        match self.issue(ticket_id)? {
            Some(issue) => Ok(self.state(&issue)),
            None => Err(Failure::NotFound {
                status: 200,
                detail: format!("Linear issue {ticket_id} does not exist"),
            }),
        }
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let Some(issue) = self.issue(ticket_id)? else {
            return Err(Failure::NotFound {
                status: 200,
                detail: format!("Linear issue {ticket_id} does not exist"),
            });
        };
        let team = issue["team"]["id"].as_str().unwrap_or_default().to_owned();
        let data = self.gql(ops::TEAM_STATES, json!({ "id": team }), false)?;
        let states: Vec<&Value> = data["team"]["states"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        let named = status_map::names_for(&self.base.provider.status_map, target);
        let by_name = states.iter().find(|s| {
            named.iter().any(|n| {
                s["name"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(n))
            })
        });
        let by_type = || {
            preferred_types(target)
                .iter()
                .find_map(|t| states.iter().find(|s| s["type"] == *t))
        };
        let Some(state) = by_name.or_else(by_type) else {
            return Err(Failure::Mapping {
                status: 200,
                fields: vec!["stateId".into()],
                detail: format!(
                    "the team's workflow has no state for {}; name one in status_map",
                    target.as_str()
                ),
            });
        };
        let input = json!({"stateId": state["id"]});
        let data = self.gql(
            ops::ISSUE_UPDATE,
            json!({"id": ticket_id, "input": input}),
            true,
        )?;
        Ok(self.state(&data["issueUpdate"]["issue"]))
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let at = self.endpoint.path();
        match call {
            PlannedCall::Lookup(draft) => format!(
                "POST {at} attachmentsForURL ({}) and issue(id)",
                draft.fingerprint_label
            ),
            PlannedCall::Create(_) => format!("POST {at} issueCreate in {}", self.team),
            PlannedCall::Update(id, _) => format!("POST {at} issueUpdate(id: {id})"),
            PlannedCall::WriteStatus(id) => {
                format!("POST {at} issueUpdate(id: {id}, stateId found at run time)")
            }
        }
    }
}
