//! GitHub Issues (REST, `X-GitHub-Api-Version: 2022-11-28`), api.github.com or GHES `/api/v3`.
//!
//! Lookup lists the repository's issues filtered by the fingerprint label (a consistent listing;
//! the search API lags and is limited to 30 requests a minute), then confirms the body marker.

use std::collections::HashMap;

use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify, summary};
use super::http::{HttpRequest, HttpResponse, bearer_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, marker, paging,
};

/// A GitHub repository's issues.
pub struct GitHub {
    base: ClientBase,
    repo: String,
    owner: String,
    name: String,
}

impl GitHub {
    /// A client for the repository in `mapping.repo`; it requests nothing outside
    /// `/repos/{owner}/{name}` and `/user`.
    pub fn new(mut base: ClientBase) -> Self {
        let repo = base.provider.mapping.repo.clone().unwrap_or_default();
        let (owner, name) = repo.split_once('/').unwrap_or_default();
        let (owner, name) = (owner.to_owned(), name.to_owned());
        base.scope = super::path::Scope::of([
            base.endpoint("", &["repos", &owner, &name]),
            base.endpoint("", &["user"]),
        ]);
        GitHub {
            base,
            repo,
            owner,
            name,
        }
    }

    fn request(&self, method: &'static str, url: Url) -> HttpRequest {
        HttpRequest::new(method, url)
            .header("authorization", bearer_auth(self.base.token.expose()))
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    }

    /// `/repos/{owner}/{name}` and then `rest`, each a percent-encoded segment.
    fn repo_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["repos", self.owner.as_str(), self.name.as_str()];
        segments.extend(rest);
        self.base.endpoint("", &segments)
    }

    fn issues_url(&self) -> Url {
        self.repo_url(&["issues"])
    }

    fn issue_url(&self, number: &str) -> Url {
        self.repo_url(&["issues", number])
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write))
    }

    fn failure(&self, resp: &HttpResponse, write: bool) -> Failure {
        let now = self.base.now;
        // Secondary rate limits come as 403 with a message and no reset: wait at least a minute.
        if resp.status == 403 && summary(resp).to_ascii_lowercase().contains("rate limit") {
            let retry_after = super::failure::requested_wait(resp, now)
                .unwrap_or(now + jiff::SignedDuration::from_secs(60));
            return Failure::RateLimited {
                status: 403,
                retry_after,
                detail: summary(resp),
            };
        }
        let fields: Vec<String> = resp.json()["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        classify(resp, now, write, fields)
    }

    fn ticket(&self, issue: &Value) -> RemoteTicket {
        RemoteTicket {
            id: issue["number"]
                .as_u64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            url: issue["html_url"].as_str().unwrap_or_default().to_owned(),
            state: issue["state"].as_str().map(str::to_owned),
        }
    }
}

/// GitHub's state and reason, normalised.
pub fn normalise(state: &str, reason: Option<&str>) -> NormalState {
    match (state, reason) {
        ("closed", Some("not_planned" | "duplicate")) => NormalState::WontFix,
        ("closed", _) => NormalState::Done,
        _ => NormalState::Open,
    }
}

/// An issue's state as read: the state and its reason, as `closed:not_planned`.
fn state_of(issue: &Value) -> RemoteState {
    let state = issue["state"].as_str().unwrap_or("open");
    let reason = issue["state_reason"].as_str();
    RemoteState {
        raw: reason.map_or_else(|| state.to_owned(), |r| format!("{state}:{r}")),
        normal: normalise(state, reason),
    }
}

impl ProviderClient for GitHub {
    fn check(&self) -> Result<CheckReport, Failure> {
        let me = self.base.endpoint("", &["user"]);
        let user = self.call(self.request("GET", me.clone()), false)?;
        object(&user, &format!("GET {}", me.path()), &["/login"])?;
        let repo_url = self.repo_url(&[]);
        let repo = self.call(self.request("GET", repo_url.clone()), false)?;
        object(
            &repo,
            &format!("GET {}", repo_url.path()),
            &["/full_name", "/id"],
        )?;
        if repo["has_issues"] == Value::Bool(false) {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("issues are disabled on {}", self.repo),
            });
        }
        if repo["permissions"]["push"] == Value::Bool(false)
            && repo["permissions"]["triage"] == Value::Bool(false)
        {
            return Err(Failure::Auth {
                status: 200,
                detail: format!(
                    "the token cannot write issues on {} (labels and assignees would be dropped)",
                    self.repo
                ),
            });
        }
        Ok(CheckReport {
            identity: identity(&user, &["/login"]).unwrap_or_default(),
            probes: vec![
                format!("GET {}", me.path()),
                format!("GET {}", repo_url.path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", self.issues_url());
        paging::by_label(&mut req.url, &draft.fingerprint_label, None);
        let issues = self.call(req, false)?;
        Ok(listing(&issues, "")?
            .iter()
            .filter(|i| i.get("pull_request").is_none())
            // The label filter is the server's; the label and the marker are checked here too.
            .filter(|i| {
                let names = i["labels"].as_array().into_iter().flatten();
                marker::labelled(
                    names.filter_map(|l| l["name"].as_str().or(l.as_str())),
                    &draft.fingerprint_label,
                )
            })
            .filter(|i| {
                i["body"]
                    .as_str()
                    .is_some_and(|b| marker::in_text(b, &draft.fingerprint))
            })
            .map(|i| self.ticket(i))
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let mut body = json!({"title": draft.title, "body": draft.body, "labels": draft.labels});
        if !draft.assignees.is_empty() {
            body["assignees"] = json!(draft.assignees);
        }
        if let Some(milestone) = draft.fields.get("milestone") {
            body["milestone"] = milestone.clone();
        }
        let issue = self.call(self.request("POST", self.issues_url()).json(&body), true)?;
        Ok(self.ticket(&issue))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"title": draft.title, "body": draft.body, "labels": draft.labels});
        let issue = self.call(
            self.request("PATCH", self.issue_url(ticket_id)).json(&body),
            true,
        )?;
        Ok(self.ticket(&issue))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let issue = self.call(self.request("GET", self.issue_url(ticket_id)), false)?;
        Ok(state_of(&issue))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let body = match target {
            NormalState::Done => json!({"state": "closed", "state_reason": "completed"}),
            NormalState::WontFix => json!({"state": "closed", "state_reason": "not_planned"}),
            NormalState::Open | NormalState::InProgress => {
                json!({"state": "open", "state_reason": "reopened"})
            }
        };
        let issue = self.call(
            self.request("PATCH", self.issue_url(ticket_id)).json(&body),
            true,
        )?;
        let state = issue["state"].as_str().unwrap_or("open");
        let reason = issue["state_reason"].as_str();
        Ok(RemoteState {
            raw: state.to_owned(),
            normal: normalise(state, reason),
        })
    }

    /// Pages through the repository's issues carrying the mapping's first label (every
    /// exported ticket has it), 100 a page, instead of one request per ticket.
    fn read_statuses(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<HashMap<String, RemoteState>>, Failure> {
        let Some(label) = self.base.provider.mapping.labels.first() else {
            return Ok(None);
        };
        let page = |n: usize| {
            let mut req = self.request("GET", self.issues_url());
            paging::by_label(&mut req.url, label, Some(n));
            self.call(req, false)
        };
        paging::read_states(ticket_ids, page, |i| self.ticket(i).id, state_of).map(Some)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let issues = self.issues_url();
        match call {
            PlannedCall::Lookup(draft) => {
                format!("GET {} (labels={})", issues.path(), draft.fingerprint_label)
            }
            PlannedCall::Create(_) => format!("POST {} in {}", issues.path(), self.repo),
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => {
                format!("PATCH {}", self.issue_url(id).path())
            }
        }
    }
}
