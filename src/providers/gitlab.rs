//! GitLab Issues (REST v4), gitlab.com or self-managed, authenticated by `PRIVATE-TOKEN`.
//!
//! The project is `mapping.project`: a numeric id or a `group/name` path, URL-encoded into one
//! path segment. Lookup lists the project's issues filtered by the fingerprint label, an exact
//! match on a consistent listing (`?search=` goes through a text index), then confirms the body
//! marker. The ticket id is the project-scoped `iid`, which the issue paths take.
//!
//! GitLab has two states, opened and closed. Won't fix is "closed with the `wont-fix` label":
//! GitLab has no close reason, and a label is what its boards and filters understand.
//! `status_map` may name states (`opened`, `closed`) or labels (`doing = "in_progress"`): a
//! mapped label on the issue wins over its state when reading, and writing a state puts the
//! label mapped to it on the issue and takes the other mapped labels off.

use std::collections::HashMap;

use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify};
use super::http::{HttpRequest, HttpResponse};
use super::status_map::parse_normal;
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker, paging,
};

/// The label that marks a closed issue as won't fix.
pub const WONT_FIX_LABEL: &str = "wont-fix";

/// A GitLab project's issues.
pub struct GitLab {
    base: ClientBase,
    project: String,
    /// `/api/v4`, unless the configured base URL already ends with it (the README's
    /// `https://gitlab.com/api/v4`), so it is never doubled.
    api: String,
}

impl GitLab {
    /// A client for the project in `mapping.project`; it requests nothing outside
    /// `/api/v4/projects/{project}` and `/api/v4/user`.
    pub fn new(mut base: ClientBase) -> Self {
        let project = base.provider.mapping.project.clone().unwrap_or_default();
        let api = api_prefix(&base.provider.base_url, "/api/v4");
        base.scope = super::path::Scope::of([
            base.endpoint(&api, &["projects", &project]),
            base.endpoint(&api, &["user"]),
        ]);
        GitLab { base, project, api }
    }

    /// `/api/v4/projects/acme%2Fportal` and then `rest`: a project path is one encoded
    /// segment, as GitLab's API requires; an id stays as it is.
    fn project_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["projects", self.project.as_str()];
        segments.extend(rest);
        self.base.endpoint(&self.api, &segments)
    }

    fn issues_url(&self) -> Url {
        self.project_url(&["issues"])
    }

    fn issue_url(&self, iid: &str) -> Url {
        self.project_url(&["issues", iid])
    }

    fn request(&self, method: &'static str, url: Url) -> HttpRequest {
        let token = self.base.token.expose().to_owned();
        self.base.json_request(method, url, "private-token", token)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write))
    }

    fn failure(&self, resp: &HttpResponse, write: bool) -> Failure {
        let json = resp.json();
        if resp.status == 400 {
            // Model validation: `{"message": {"title": ["is too long (maximum is 255 characters)"]}}`.
            if let Some(errors) = json["message"].as_object() {
                return Failure::Mapping {
                    status: 400,
                    fields: errors.keys().cloned().collect(),
                    detail: errors
                        .iter()
                        .map(|(k, v)| format!("{k} {}", messages(v)))
                        .collect::<Vec<_>>()
                        .join("; "),
                };
            }
            // Parameter validation: `{"error": "title is missing, labels is invalid"}`.
            if let Some(error) = json["error"].as_str() {
                let fields = param_errors(error);
                if !fields.is_empty() {
                    return Failure::Mapping {
                        status: 400,
                        fields,
                        detail: error.to_owned(),
                    };
                }
            }
        }
        classify(resp, self.base.now, write, Vec::new())
    }

    fn ticket(&self, issue: &Value) -> RemoteTicket {
        RemoteTicket {
            id: issue["iid"]
                .as_u64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            url: issue["web_url"].as_str().unwrap_or_default().to_owned(),
            state: issue["state"].as_str().map(str::to_owned),
        }
    }

    fn state_of(&self, issue: &Value) -> RemoteState {
        let state = issue["state"].as_str().unwrap_or("opened");
        let labels = labels(issue);
        RemoteState {
            raw: if labels.iter().any(|l| l == WONT_FIX_LABEL) && state == "closed" {
                format!("{state} ({WONT_FIX_LABEL})")
            } else {
                state.to_owned()
            },
            normal: normalise(&self.base.provider.status_map, state, &labels),
        }
    }

    /// Labels in `status_map` that stand for a state (keys other than the two state names).
    fn status_labels(&self) -> impl Iterator<Item = (&String, Option<NormalState>)> {
        self.base
            .provider
            .status_map
            .iter()
            .filter(|(k, _)| k.as_str() != "opened" && k.as_str() != "closed")
            .map(|(k, v)| (k, parse_normal(v)))
    }
}

fn messages(v: &Value) -> String {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The parameter names of a Grape validation message (`"title is missing, labels is invalid"`).
fn param_errors(error: &str) -> Vec<String> {
    error
        .split(", ")
        .filter_map(|part| {
            let (name, rest) = part.split_once(' ')?;
            let known = [
                "is missing",
                "is invalid",
                "does not have a valid value",
                "are missing",
            ];
            known
                .iter()
                .any(|k| rest.starts_with(k))
                .then(|| name.to_owned())
        })
        .collect()
}

fn labels(issue: &Value) -> Vec<String> {
    issue["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            // `labels` are names by default, objects with `with_labels_details=true`.
            l.as_str().or_else(|| l["name"].as_str()).map(str::to_owned)
        })
        .collect()
}

/// A GitLab issue's state normalised: a `status_map` label first, then a `status_map` state,
/// then closed with `wont-fix` as won't fix, closed as done, opened as open.
pub fn normalise(
    status_map: &std::collections::BTreeMap<String, String>,
    state: &str,
    labels: &[String],
) -> NormalState {
    let from_map = |key: &str| status_map.get(key).and_then(|v| parse_normal(v));
    if let Some(s) = labels
        .iter()
        .filter(|l| *l != "opened" && *l != "closed")
        .find_map(|l| from_map(l))
    {
        return s;
    }
    if let Some(s) = from_map(state) {
        return s;
    }
    match state {
        "closed" if labels.iter().any(|l| l == WONT_FIX_LABEL) => NormalState::WontFix,
        "closed" => NormalState::Done,
        _ => NormalState::Open,
    }
}

impl ProviderClient for GitLab {
    fn check(&self) -> Result<CheckReport, Failure> {
        let me = self.base.endpoint(&self.api, &["user"]);
        let user = self.call(self.request("GET", me.clone()), false)?;
        object(&user, &format!("GET {}", me.path()), &["/username", "/id"])?;
        let project_url = self.project_url(&[]);
        let project = self.call(self.request("GET", project_url.clone()), false)?;
        let probe = format!("GET {}", project_url.path());
        object(&project, &probe, &["/id", "/path_with_namespace"])?;
        if project["issues_enabled"] == Value::Bool(false) {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("issues are disabled on project {}", self.project),
            });
        }
        Ok(CheckReport {
            identity: identity(&user, &["/username", "/id"]).unwrap_or_default(),
            probes: vec![
                format!("GET {}", me.path()),
                format!("GET {}", self.project_url(&[]).path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", self.issues_url());
        paging::by_label(&mut req.url, &draft.fingerprint_label, None);
        let issues = self.call(req, false)?;
        Ok(listing(&issues, "")?
            .iter()
            .filter(|i| {
                marker::labelled(
                    labels(i).iter().map(String::as_str),
                    &draft.fingerprint_label,
                )
            })
            .filter(|i| {
                i["description"]
                    .as_str()
                    .is_some_and(|d| marker::in_text(d, &draft.fingerprint))
            })
            .map(|i| self.ticket(i))
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let mut body = json!({
            "title": draft.title,
            "description": draft.body,
            "labels": draft.labels.join(","),
        });
        // Extra fields go as they are (`confidential`, `milestone_id`, `weight`...), except
        // assignees, which GitLab takes only as numeric user ids: user names are left out.
        for (name, value) in &draft.fields {
            if name == "assignee_ids" {
                let ids: Vec<u64> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                    .collect();
                if !ids.is_empty() {
                    body["assignee_ids"] = json!(ids);
                }
            } else {
                body[name] = value.clone();
            }
        }
        let issue = self.call(self.request("POST", self.issues_url()).json(&body), true)?;
        Ok(self.ticket(&issue))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        // `add_labels` keeps labels a person put on the issue; `labels` would replace them.
        let body = json!({
            "title": draft.title,
            "description": draft.body,
            "add_labels": draft.labels.join(","),
        });
        let issue = self.call(
            self.request("PUT", self.issue_url(ticket_id)).json(&body),
            true,
        )?;
        Ok(self.ticket(&issue))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let issue = self.call(self.request("GET", self.issue_url(ticket_id)), false)?;
        Ok(self.state_of(&issue))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let closed = matches!(target, NormalState::Done | NormalState::WontFix);
        let mapped_label = self
            .status_labels()
            .find(|(_, s)| *s == Some(target))
            .map(|(l, _)| l.clone());
        let add = mapped_label
            .clone()
            .or_else(|| (target == NormalState::WontFix).then(|| WONT_FIX_LABEL.to_owned()));
        let remove: Vec<String> = self
            .status_labels()
            .map(|(l, _)| l.clone())
            .chain([WONT_FIX_LABEL.to_owned()])
            .filter(|l| Some(l) != add.as_ref())
            .collect();
        let mut body = json!({
            "state_event": if closed { "close" } else { "reopen" },
            "remove_labels": remove.join(","),
        });
        if let Some(label) = add {
            body["add_labels"] = json!(label);
        }
        let issue = self.call(
            self.request("PUT", self.issue_url(ticket_id)).json(&body),
            true,
        )?;
        Ok(self.state_of(&issue))
    }

    /// Pages through the project's issues carrying the mapping's first label, 100 a page.
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
        paging::read_states(
            ticket_ids,
            page,
            |i| self.ticket(i).id,
            |i| self.state_of(i),
        )
        .map(Some)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let issues = self.issues_url();
        let issues = issues.path();
        match call {
            PlannedCall::Lookup(draft) => {
                format!("GET {issues} (labels={})", draft.fingerprint_label)
            }
            PlannedCall::Create(_) => format!("POST {issues} in {}", self.project),
            PlannedCall::Update(iid, _) | PlannedCall::WriteStatus(iid) => {
                format!("PUT {}", self.issue_url(iid).path())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn grape_messages_name_their_parameters() {
        assert_eq!(param_errors("title is missing"), ["title"]);
        assert_eq!(
            param_errors("title is missing, labels is invalid"),
            ["title", "labels"]
        );
        assert!(param_errors("404 Project Not Found").is_empty());
    }

    #[test]
    fn states_labels_and_the_map_normalise() {
        let none = BTreeMap::new();
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(normalise(&none, "opened", &[]), NormalState::Open);
        assert_eq!(normalise(&none, "closed", &l(&["x"])), NormalState::Done);
        assert_eq!(
            normalise(&none, "closed", &l(&["wont-fix"])),
            NormalState::WontFix
        );
        let map = BTreeMap::from([("doing".to_owned(), "in_progress".to_owned())]);
        assert_eq!(
            normalise(&map, "opened", &l(&["doing"])),
            NormalState::InProgress
        );
    }
}
