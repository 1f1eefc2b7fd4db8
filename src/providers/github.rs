//! GitHub Issues (REST, `X-GitHub-Api-Version: 2022-11-28`), api.github.com or GHES `/api/v3`.
//!
//! Lookup lists the repository's issues filtered by the fingerprint label (a consistent listing;
//! the search API lags and is limited to 30 requests a minute), then confirms the body marker.

use serde_json::{Value, json};

use super::answer::listing;
use super::failure::{Failure, classify, summary};
use super::http::{HttpRequest, HttpResponse};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft,
};

/// A GitHub repository's issues.
pub struct GitHub {
    base: ClientBase,
    repo: String,
}

impl GitHub {
    /// A client for the repository in `mapping.repo`.
    pub fn new(base: ClientBase) -> Self {
        let repo = base.provider.mapping.repo.clone().unwrap_or_default();
        GitHub { base, repo }
    }

    fn request(&self, method: &'static str, path: &str) -> HttpRequest {
        HttpRequest::new(method, self.base.url(path))
            .header(
                "authorization",
                format!("Bearer {}", self.base.token.expose()),
            )
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    }

    fn issues_path(&self) -> String {
        format!("/repos/{}/issues", self.repo)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        let resp = self.base.send(&req, write)?;
        if (200..300).contains(&resp.status) {
            return Ok(resp.json());
        }
        Err(self.failure(&resp, write))
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

impl ProviderClient for GitHub {
    fn check(&self) -> Result<CheckReport, Failure> {
        let user = self.call(self.request("GET", "/user"), false)?;
        let repo = self.call(self.request("GET", &format!("/repos/{}", self.repo)), false)?;
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
            identity: user["login"].as_str().unwrap_or("?").to_owned(),
            probes: vec!["GET /user".into(), format!("GET /repos/{}", self.repo)],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", &self.issues_path());
        req.url
            .query_pairs_mut()
            .append_pair("labels", &draft.fingerprint_label)
            .append_pair("state", "all")
            .append_pair("per_page", "100");
        let issues = self.call(req, false)?;
        let marker = draft.marker();
        Ok(listing(&issues, "")?
            .iter()
            .filter(|i| i.get("pull_request").is_none())
            .filter(|i| i["body"].as_str().is_some_and(|b| b.contains(&marker)))
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
        let issue = self.call(self.request("POST", &self.issues_path()).json(&body), true)?;
        Ok(self.ticket(&issue))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"title": draft.title, "body": draft.body, "labels": draft.labels});
        let path = format!("{}/{ticket_id}", self.issues_path());
        let issue = self.call(self.request("PATCH", &path).json(&body), true)?;
        Ok(self.ticket(&issue))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let issue = self.call(
            self.request("GET", &format!("{}/{ticket_id}", self.issues_path())),
            false,
        )?;
        let state = issue["state"].as_str().unwrap_or("open");
        let reason = issue["state_reason"].as_str();
        Ok(RemoteState {
            raw: reason.map_or_else(|| state.to_owned(), |r| format!("{state}:{r}")),
            normal: normalise(state, reason),
        })
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let body = match target {
            NormalState::Done => json!({"state": "closed", "state_reason": "completed"}),
            NormalState::WontFix => json!({"state": "closed", "state_reason": "not_planned"}),
            NormalState::Open | NormalState::InProgress => {
                json!({"state": "open", "state_reason": "reopened"})
            }
        };
        let path = format!("{}/{ticket_id}", self.issues_path());
        let issue = self.call(self.request("PATCH", &path).json(&body), true)?;
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
    ) -> Result<Option<std::collections::HashMap<String, RemoteState>>, Failure> {
        let Some(label) = self.base.provider.mapping.labels.first() else {
            return Ok(None);
        };
        let wanted: std::collections::HashSet<&str> =
            ticket_ids.iter().map(String::as_str).collect();
        let mut found = std::collections::HashMap::new();
        for page in 1.. {
            let mut req = self.request("GET", &self.issues_path());
            req.url
                .query_pairs_mut()
                .append_pair("labels", label)
                .append_pair("state", "all")
                .append_pair("per_page", "100")
                .append_pair("page", &page.to_string());
            let issues = self.call(req, false)?;
            let issues = issues.as_array().cloned().unwrap_or_default();
            for issue in &issues {
                let id = issue["number"]
                    .as_u64()
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                if wanted.contains(id.as_str()) {
                    let state = issue["state"].as_str().unwrap_or("open");
                    let reason = issue["state_reason"].as_str();
                    let raw = reason.map_or_else(|| state.to_owned(), |r| format!("{state}:{r}"));
                    found.insert(
                        id,
                        RemoteState {
                            raw,
                            normal: normalise(state, reason),
                        },
                    );
                }
            }
            if issues.len() < 100 || found.len() == wanted.len() {
                break;
            }
        }
        Ok(Some(found))
    }

    fn plan(&self, call: PlannedCall, draft: &TicketDraft) -> String {
        match call {
            PlannedCall::Lookup => format!(
                "GET {} (labels={})",
                self.issues_path(),
                draft.fingerprint_label
            ),
            PlannedCall::Create => format!("POST {} in {}", self.issues_path(), self.repo),
            PlannedCall::Update => format!("PATCH {}/{{number}}", self.issues_path()),
        }
    }
}
