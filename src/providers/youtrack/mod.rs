//! YouTrack (REST, `/api`), cloud or self-hosted, with a permanent token.
//!
//! The fingerprint is a tag. YouTrack will not attach a tag to a new issue by name (it wants the
//! tag's id), so create first finds or makes the `fp-…` tag, then creates the issue with it in
//! the same request: an issue never exists without its tag, and a lost answer is found again by
//! `tag:`. New tags are visible only to their owner, which is the token's user who also looks
//! them up. The State field is set with a command, choosing the value from the project's own
//! bundle at run time.

mod states;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify};
use super::http::{HttpRequest, HttpResponse, bearer_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker,
};
pub use states::{StateValue, normalise};

/// The custom field that holds an issue's state in every default YouTrack workflow.
const STATE_FIELD: &str = "State";
/// Projects and tags are listed in pages of this size.
const PAGE: usize = 100;
/// A project listing longer than this many pages is not searched further.
const MAX_PAGES: usize = 50;

/// A YouTrack project's issues.
pub struct YouTrack {
    base: ClientBase,
    /// The project's short name (`SEC`), as the config names it.
    project: String,
    /// What to add after the base URL's path to reach the REST API (`/api`, or nothing when the
    /// base URL already ends with it).
    api: String,
    /// The project's database id, looked up once.
    project_id: OnceLock<String>,
    /// The project's State values, read once when a state is first written.
    states: OnceLock<Vec<StateValue>>,
    /// Tag ids by name: the labels are the same for every ticket.
    tags: Mutex<HashMap<String, String>>,
}

impl YouTrack {
    /// A client for the project whose short name is `mapping.project`. Issue paths name no
    /// project, so ids are checked to be the project's (`SEC-12`) before they get here; it
    /// requests nothing outside the issue, tag, command, project and identity resources.
    pub fn new(mut base: ClientBase) -> Self {
        let project = base.provider.mapping.project.clone().unwrap_or_default();
        let api = api_prefix(&base.provider.base_url, "/api");
        base.scope = super::path::Scope::of(
            [
                &["issues"][..],
                &["tags"],
                &["commands"],
                &["admin", "projects"],
                &["users", "me"],
            ]
            .map(|segments| base.endpoint(&api, segments)),
        );
        YouTrack {
            base,
            project,
            api,
            project_id: OnceLock::new(),
            states: OnceLock::new(),
            tags: Mutex::new(HashMap::new()),
        }
    }

    /// The token goes after `Bearer ` as configured: permanent tokens already start with
    /// `perm:` (or `perm-`), and adding a prefix would break a token pasted with it.
    fn request(&self, method: &'static str, segments: &[&str]) -> HttpRequest {
        let credential = bearer_auth(self.base.token.expose());
        self.base
            .json_request(method, self.url(segments), "authorization", credential)
    }

    /// `/api` and then `segments`, each an encoded segment.
    fn url(&self, segments: &[&str]) -> Url {
        self.base.endpoint(&self.api, segments)
    }

    fn call(&self, req: HttpRequest, write: bool, sent: &[&str]) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write, sent))
    }

    fn failure(&self, resp: &HttpResponse, write: bool, sent: &[&str]) -> Failure {
        let fields = if resp.status == 400 {
            states::blamed_fields(resp, sent)
        } else {
            Vec::new()
        };
        // YouTrack documents no rate limit; 429 and 503 with `Retry-After` are read generically.
        classify(resp, self.base.now, write, fields)
    }

    /// The instance URL people open: the base URL without the `/api` a user may have pasted.
    fn site(&self) -> String {
        let base = self.base.provider.base_url.as_str().trim_end_matches('/');
        base.strip_suffix("/api").unwrap_or(base).to_owned()
    }

    fn ticket(&self, issue: &Value) -> RemoteTicket {
        let id = issue["idReadable"].as_str().unwrap_or_default().to_owned();
        RemoteTicket {
            url: format!("{}/issue/{id}", self.site()),
            id,
            state: None,
        }
    }

    /// The project's database id, from its short name. The listing's `query` filter is fuzzy
    /// and not in the published description, so the pages are read and matched exactly.
    fn project_id(&self) -> Result<String, Failure> {
        if let Some(id) = self.project_id.get() {
            return Ok(id.clone());
        }
        for page in 0..MAX_PAGES {
            let mut req = self.request("GET", &["admin", "projects"]);
            req.url
                .query_pairs_mut()
                .append_pair("fields", "id,shortName")
                .append_pair("$top", &PAGE.to_string())
                .append_pair("$skip", &(page * PAGE).to_string());
            let projects = self.call(req, false, &[])?;
            let list = projects.as_array().cloned().unwrap_or_default();
            let found = list.iter().find(|p| {
                p["shortName"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(&self.project))
            });
            if let Some(id) = found.and_then(|p| p["id"].as_str()) {
                // The id goes into a path: an answer is checked like any other value.
                if let Some(problem) = super::path::segment_problem(id) {
                    return Err(Failure::Rejected {
                        status: 200,
                        detail: format!(
                            "YouTrack named project {} by the id {}, which {problem}",
                            self.project,
                            super::path::shown(id)
                        ),
                    });
                }
                let _ = self.project_id.set(id.to_owned());
                return Ok(id.to_owned());
            }
            if list.len() < PAGE {
                break;
            }
        }
        Err(Failure::NotFound {
            status: 200,
            detail: format!(
                "no project with the short name {} is visible to this token",
                self.project
            ),
        })
    }

    /// The id of the tag with this exact name, creating the tag when there is none.
    fn tag_id(&self, name: &str) -> Result<String, Failure> {
        if let Some(id) = self.tags.lock().ok().and_then(|t| t.get(name).cloned()) {
            return Ok(id);
        }
        let mut req = self.request("GET", &["tags"]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "id,name")
            .append_pair("query", name)
            .append_pair("$top", &PAGE.to_string());
        let tags = self.call(req, false, &[])?;
        let existing = tags.as_array().into_iter().flatten().find_map(|t| {
            (t["name"].as_str() == Some(name))
                .then(|| t["id"].as_str().map(str::to_owned))
                .flatten()
        });
        let id = match existing {
            Some(id) => id,
            None => {
                let mut req = self.request("POST", &["tags"]).json(&json!({"name": name}));
                req.url.query_pairs_mut().append_pair("fields", "id,name");
                let tag = self.call(req, true, &["name"])?;
                tag["id"].as_str().unwrap_or_default().to_owned()
            }
        };
        if let Ok(mut cache) = self.tags.lock() {
            cache.insert(name.to_owned(), id.clone());
        }
        Ok(id)
    }

    /// The project's State values, read once; YouTrack's defaults when the settings cannot be
    /// read (reading them needs a project permission a reporter's token may not have).
    fn state_values(&self) -> Result<Vec<StateValue>, Failure> {
        if let Some(values) = self.states.get() {
            return Ok(values.clone());
        }
        let id = self.project_id()?;
        let mut req = self.request("GET", &["admin", "projects", &id, "customFields"]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "field(name),bundle(values(name,isResolved))");
        let values = match self.call(req, false, &[]) {
            Ok(fields) => {
                states::bundle_values(&fields, STATE_FIELD).unwrap_or_else(states::default_states)
            }
            Err(Failure::Auth { .. } | Failure::NotFound { .. } | Failure::Rejected { .. }) => {
                states::default_states()
            }
            Err(other) => return Err(other),
        };
        let _ = self.states.set(values.clone());
        Ok(values)
    }

    fn command(&self, query: &str, ticket_id: &str) -> Result<(), Failure> {
        let body = json!({"query": query, "issues": [{"idReadable": ticket_id}]});
        self.call(self.request("POST", &["commands"]).json(&body), true, &[])
            .map(|_| ())
    }
}

impl ProviderClient for YouTrack {
    fn check(&self) -> Result<CheckReport, Failure> {
        let mut req = self.request("GET", &["users", "me"]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "login,fullName");
        let me = self.call(req, false, &[])?;
        let who = &["/login", "/id"];
        object(&me, &format!("GET {}/users/me", self.api), who)?;
        self.project_id()?;
        Ok(CheckReport {
            identity: identity(&me, who).unwrap_or_default(),
            probes: vec![
                format!("GET {}", self.url(&["users", "me"]).path()),
                format!(
                    "GET {} ({})",
                    self.url(&["admin", "projects"]).path(),
                    self.project
                ),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", &["issues"]);
        req.url
            .query_pairs_mut()
            .append_pair(
                "query",
                &format!(
                    "project: {{{}}} tag: {{{}}}",
                    self.project, draft.fingerprint_label
                ),
            )
            .append_pair("fields", "id,idReadable,summary,description,tags(name)")
            .append_pair("$top", &PAGE.to_string());
        let issues = self.call(req, false, &[])?;
        Ok(listing(&issues, "")?
            .iter()
            .filter(|i| {
                let tags = i["tags"].as_array().into_iter().flatten();
                marker::labelled(
                    tags.filter_map(|t| t["name"].as_str()),
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
        let project_id = self.project_id()?;
        let tags = draft
            .labels
            .iter()
            .map(|l| self.tag_id(l).map(|id| json!({"id": id})))
            .collect::<Result<Vec<_>, _>>()?;
        let mut body = json!({
            "project": {"id": project_id},
            "summary": draft.title,
            "description": draft.body,
            "tags": tags,
        });
        if let Some(priority) = &draft.priority {
            body["customFields"] = json!([{
                "name": "Priority",
                "$type": "SingleEnumIssueCustomField",
                "value": {"name": priority},
            }]);
        }
        let mut req = self.request("POST", &["issues"]).json(&body);
        // Without `fields` YouTrack answers with the database id only.
        req.url
            .query_pairs_mut()
            .append_pair("fields", "id,idReadable,summary");
        let sent = ["summary", "description", "project", "Priority", "tags"];
        let issue = self.call(req, true, &sent)?;
        Ok(self.ticket(&issue))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"summary": draft.title, "description": draft.body});
        let mut req = self.request("POST", &["issues", ticket_id]).json(&body);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "id,idReadable,summary");
        let issue = self.call(req, true, &["summary", "description"])?;
        Ok(self.ticket(&issue))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let mut req = self.request("GET", &["issues", ticket_id]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "customFields(name,value(name,isResolved))");
        let issue = self.call(req, false, &[])?;
        let state = issue["customFields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["name"].as_str() == Some(STATE_FIELD))
            .map(|f| &f["value"])
            .ok_or_else(|| Failure::Rejected {
                status: 200,
                detail: format!("{ticket_id} has no {STATE_FIELD} field"),
            })?;
        let name = state["name"].as_str().unwrap_or_default();
        let resolved = state["isResolved"].as_bool().unwrap_or(false);
        Ok(RemoteState {
            raw: name.to_owned(),
            normal: normalise(&self.base.provider, name, resolved),
        })
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let values = self.state_values()?;
        let provider = &self.base.provider;
        let chosen = target
            .pick_or_nearest(|t| states::choose(provider, &values, t))
            .ok_or_else(|| Failure::Mapping {
                status: 0,
                fields: vec![STATE_FIELD.into()],
                detail: format!(
                    "project {} has no State value for {}; name one in status_map",
                    self.project,
                    target.as_str()
                ),
            })?
            .clone();
        self.command(&states::set_command(STATE_FIELD, &chosen.name), ticket_id)?;
        Ok(RemoteState {
            normal: normalise(provider, &chosen.name, chosen.resolved),
            raw: chosen.name,
        })
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let issues = self.url(&["issues"]);
        match call {
            PlannedCall::Lookup(draft) => format!(
                "GET {} (query=project: {} tag: {})",
                issues.path(),
                self.project,
                draft.fingerprint_label
            ),
            PlannedCall::Create(_) => format!("POST {} in {}", issues.path(), self.project),
            PlannedCall::Update(id, _) => {
                format!("POST {}", self.url(&["issues", id]).path())
            }
            PlannedCall::WriteStatus(id) => format!(
                "POST {} (State command for {id})",
                self.url(&["commands"]).path()
            ),
        }
    }
}
