//! Jira: Cloud REST v3 (Basic e-mail and API token, descriptions as Atlassian Documents) when
//! `auth.user_env` is set, else Data Center REST v2 (a Bearer personal access token, wiki
//! markup descriptions, users by name).
//!
//! Lookup runs JQL on the project and the exact fingerprint label (`labels = "fp-…"` is an
//! exact match; text fields only offer fuzzy `~`), then confirms the body marker in the
//! description's text nodes, so a label copied onto another issue by hand does not link it.
//! Cloud's `/search/jql` is eventually consistent and its `reconcileIssues` only helps for
//! issue ids the caller already knows, which a lost create response never gives us: a lookup
//! seconds after an uncertain create can miss the issue. The retry engine should wait before
//! that lookup (see the report of this change).

mod listing;
pub mod states;
pub(crate) mod text;

use serde_json::{Map, Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify, summary};
use super::http::{HttpRequest, HttpResponse, basic_auth, bearer_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, endpoint_from, marker, site_of,
};

/// More tickets than this with one fingerprint already means "block and report".
const LOOKUP_PAGE: u32 = 50;

/// Which Jira the entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Jira Cloud, REST v3.
    Cloud,
    /// Jira Data Center or Server, REST v2.
    DataCenter,
}

/// A Jira project's issues.
pub struct Jira {
    base: ClientBase,
    flavour: Flavour,
    project: String,
    issue_type: String,
    /// The site: the base URL without a `/rest/api/N` pasted at its end, so the API path is
    /// never doubled and issue links are `{site}/browse/{key}`.
    site: Url,
}

impl Jira {
    /// Cloud when a user (the account e-mail) is configured, else Data Center. It requests
    /// nothing outside the issue, search, project and identity resources of the API.
    ///
    /// The flavour follows the config, not a loaded value: a planning client (`--dry-run`,
    /// which reads no credential) then plans the very paths the run sends.
    pub fn new(base: ClientBase) -> Self {
        let flavour = if base.provider.auth.user.is_some() {
            Flavour::Cloud
        } else {
            Flavour::DataCenter
        };
        let mapping = &base.provider.mapping;
        let project = mapping.project.clone().unwrap_or_default();
        let issue_type = mapping.issue_type.clone().unwrap_or_else(|| "Bug".into());
        let site = site_of(&base.provider.base_url, &[&["rest", "api", "*"]]);
        let mut jira = Jira {
            project,
            issue_type,
            flavour,
            site,
            base,
        };
        let scope = [
            jira.api_url(&["issue"]),
            jira.api_url(&["search"]),
            jira.api_url(&["myself"]),
            jira.api_url(&["mypermissions"]),
            jira.api_url(&["project", &jira.project]),
        ];
        jira.base.scope = super::path::Scope::of(scope);
        jira
    }

    /// `{site}/rest/api/{3|2}` and then `segments`, each an encoded segment.
    fn api_url(&self, segments: &[&str]) -> Url {
        endpoint_from(&self.site, self.api(), segments)
    }

    /// The API flavour in use.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    fn api(&self) -> &'static str {
        match self.flavour {
            Flavour::Cloud => "/rest/api/3",
            Flavour::DataCenter => "/rest/api/2",
        }
    }

    fn request(&self, method: &'static str, segments: &[&str]) -> HttpRequest {
        let auth = match (&self.flavour, &self.base.user) {
            (Flavour::Cloud, Some(user)) => basic_auth(user.expose(), self.base.token.expose()),
            _ => bearer_auth(self.base.token.expose()),
        };
        self.base
            .json_request(method, self.api_url(segments), "authorization", auth)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write))
    }

    fn failure(&self, resp: &HttpResponse, write: bool) -> Failure {
        let json = resp.json();
        let errors = json["errors"].as_object().filter(|e| !e.is_empty());
        // `{"errors": {"customfield_10951": "Field ... cannot be set"}}`: the field ids are the
        // mapping to fix, and the messages say why.
        if let (400, Some(errors)) = (resp.status, errors) {
            return Failure::Mapping {
                status: 400,
                fields: errors.keys().cloned().collect(),
                detail: errors
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
        }
        if resp.status == 410 {
            return Failure::Rejected {
                status: 410,
                detail: format!("Jira removed this endpoint: {}", summary(resp)),
            };
        }
        classify(resp, self.base.now, write, Vec::new())
    }

    fn browse(&self, key: &str) -> String {
        endpoint_from(&self.site, "", &["browse", key]).to_string()
    }

    fn description(&self, draft: &TicketDraft) -> Value {
        match self.flavour {
            Flavour::Cloud => text::to_adf(&draft.body),
            Flavour::DataCenter => Value::String(text::to_wiki(&draft.body)),
        }
    }

    fn user(&self, name: &str) -> Value {
        match self.flavour {
            Flavour::Cloud => json!({"accountId": name}),
            Flavour::DataCenter => json!({"name": name}),
        }
    }

    fn create_fields(&self, draft: &TicketDraft) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("project".into(), json!({"key": self.project}));
        fields.insert("issuetype".into(), json!({"name": self.issue_type}));
        fields.insert("summary".into(), json!(draft.title));
        fields.insert("description".into(), self.description(draft));
        fields.insert("labels".into(), json!(draft.labels));
        if let Some(priority) = &draft.priority {
            fields.insert("priority".into(), json!({"name": priority}));
        }
        // Jira has one assignee; the first of the mapping's list is it.
        if let Some(assignee) = draft.assignees.first() {
            fields.insert("assignee".into(), self.user(assignee));
        }
        // Extra fields are by field id (`customfield_10951`) with the value shape Jira wants.
        for (id, value) in &draft.fields {
            fields.insert(id.clone(), value.clone());
        }
        fields
    }

    fn jql(&self, draft: &TicketDraft) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        format!(
            "project = {} AND labels = {}",
            quote(&self.project),
            quote(&draft.fingerprint_label)
        )
    }

    fn status_of(&self, issue: &Value) -> RemoteState {
        let status = &issue["fields"]["status"];
        let name = status["name"].as_str().unwrap_or("?");
        let category = status["statusCategory"]["key"].as_str().unwrap_or("new");
        let resolution = issue["fields"]["resolution"]["name"].as_str();
        RemoteState {
            raw: resolution.map_or_else(|| name.to_owned(), |r| format!("{name} ({r})")),
            normal: states::normalise(&self.base.provider.status_map, name, category, resolution),
        }
    }
}

impl ProviderClient for Jira {
    fn check(&self) -> Result<CheckReport, Failure> {
        const WHO: &[&str] = &["/displayName", "/emailAddress", "/name", "/accountId"];
        let probe = |url: Url| format!("GET {}", url.path());
        let me = self.call(self.request("GET", &["myself"]), false)?;
        object(&me, &probe(self.api_url(&["myself"])), WHO)?;
        let project_probe = probe(self.api_url(&["project", &self.project]));
        self.call(self.request("GET", &["project", &self.project]), false)
            .and_then(|project| object(&project, &project_probe, &["/key", "/id"]).map(|_| ()))
            .map_err(|e| match e {
                // Jira answers 404 both for a missing project and one the user cannot browse.
                Failure::NotFound { status, .. } => Failure::NotFound {
                    status,
                    detail: format!(
                        "project {} does not exist or this account cannot browse it",
                        self.project
                    ),
                },
                other => other,
            })?;
        let mut req = self.request("GET", &["mypermissions"]);
        req.url
            .query_pairs_mut()
            .append_pair("projectKey", &self.project);
        // Cloud requires the permission list; Data Center has no such parameter and returns all.
        if self.flavour == Flavour::Cloud {
            req.url
                .query_pairs_mut()
                .append_pair("permissions", "CREATE_ISSUES,TRANSITION_ISSUES");
        }
        let perms = self.call(req, false)?;
        let perms_probe = probe(self.api_url(&["mypermissions"]));
        object(
            &perms,
            &perms_probe,
            &["/permissions/CREATE_ISSUES/havePermission"],
        )?;
        if perms["permissions"]["CREATE_ISSUES"]["havePermission"] != Value::Bool(true) {
            return Err(Failure::Auth {
                status: 200,
                detail: format!("this account cannot create issues in {}", self.project),
            });
        }
        Ok(CheckReport {
            identity: identity(&me, WHO).unwrap_or_default(),
            probes: vec![probe(self.api_url(&["myself"])), project_probe, perms_probe],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let fields = json!(["summary", "description", "status", "labels"]);
        let (path, body): (&[&str], _) = match self.flavour {
            Flavour::Cloud => (
                &["search", "jql"],
                json!({"jql": self.jql(draft), "fields": fields, "maxResults": LOOKUP_PAGE}),
            ),
            Flavour::DataCenter => (
                &["search"],
                json!({"jql": self.jql(draft), "fields": fields, "maxResults": LOOKUP_PAGE, "startAt": 0}),
            ),
        };
        // POST keeps the JQL, which names the fingerprint, out of URLs and proxy logs.
        let found = self.call(self.request("POST", path).json(&body), false)?;
        Ok(listing(&found, "issues")?
            .iter()
            .filter(|i| {
                let labels = i["fields"]["labels"].as_array().into_iter().flatten();
                marker::labelled(labels.filter_map(Value::as_str), &draft.fingerprint_label)
                    && marker::in_text(
                        &text::plain_text(&i["fields"]["description"]),
                        &draft.fingerprint,
                    )
            })
            .map(|i| {
                let key = i["key"].as_str().unwrap_or_default();
                RemoteTicket {
                    id: key.to_owned(),
                    url: self.browse(key),
                    state: i["fields"]["status"]["name"].as_str().map(str::to_owned),
                }
            })
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"fields": self.create_fields(draft)});
        let created = self.call(self.request("POST", &["issue"]).json(&body), true)?;
        let key = created["key"].as_str().ok_or_else(|| Failure::Uncertain {
            status: Some(201),
            detail: "Jira answered without an issue key".into(),
        })?;
        Ok(RemoteTicket {
            id: key.to_owned(),
            url: self.browse(key),
            state: None,
        })
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        // Labels are added, not replaced, so labels a person put on the issue stay.
        let labels: Vec<Value> = draft.labels.iter().map(|l| json!({"add": l})).collect();
        let body = json!({
            "fields": {"summary": draft.title, "description": self.description(draft)},
            "update": {"labels": labels},
        });
        self.call(self.request("PUT", &["issue", ticket_id]).json(&body), true)?;
        Ok(RemoteTicket {
            id: ticket_id.to_owned(),
            url: self.browse(ticket_id),
            state: None,
        })
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let mut req = self.request("GET", &["issue", ticket_id]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "status,resolution");
        Ok(self.status_of(&self.call(req, false)?))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let current = self.read_status(ticket_id)?;
        if current.normal == target {
            return Ok(current);
        }
        let path = ["issue", ticket_id, "transitions"];
        let mut req = self.request("GET", &path);
        req.url
            .query_pairs_mut()
            .append_pair("expand", "transitions.fields");
        let transitions = self.call(req, false)?;
        let Some(chosen) = states::choose(&self.base.provider.status_map, &transitions, target)
        else {
            return Err(Failure::Mapping {
                status: 0,
                fields: vec!["status".into()],
                detail: format!(
                    "no transition from \"{}\" on {ticket_id} reaches {}; name the target status in status_map",
                    current.raw,
                    target.as_str()
                ),
            });
        };
        let mut body = json!({"transition": {"id": chosen.transition_id}});
        if chosen.fields.as_object().is_some_and(|f| !f.is_empty()) {
            body["fields"] = chosen.fields;
        }
        self.call(self.request("POST", &path).json(&body), true)?;
        self.read_status(ticket_id)
    }

    /// Pages through the project's issues carrying the mapping's first label (see
    /// `listing.rs`).
    fn read_statuses(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<std::collections::HashMap<String, RemoteState>>, Failure> {
        self.statuses_by_label(ticket_ids)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        match call {
            PlannedCall::Lookup(draft) => {
                let search: &[&str] = match self.flavour {
                    Flavour::Cloud => &["search", "jql"],
                    Flavour::DataCenter => &["search"],
                };
                format!("POST {} ({})", self.api_url(search).path(), self.jql(draft))
            }
            PlannedCall::Create(_) => format!(
                "POST {} in {}",
                self.api_url(&["issue"]).path(),
                self.project
            ),
            PlannedCall::Update(key, _) => format!("PUT {}", self.api_url(&["issue", key]).path()),
            PlannedCall::WriteStatus(key) => format!(
                "POST {} (a transition found at run time)",
                self.api_url(&["issue", key, "transitions"]).path()
            ),
        }
    }
}
