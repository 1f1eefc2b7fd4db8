//! ClickUp tasks (REST `/api/v2`) in one list, with a personal token (`pk_…`).
//!
//! The fingerprint is a tag (`fp-…`), and, when `mapping.fields.fingerprint_field` names a text
//! custom field, also that field's value: lookup then uses ClickUp's exact (`==`) custom-field
//! filter, else the tag filter; either way the body marker (or the exact field value) confirms
//! each match. Statuses are defined per list, so the target status is chosen at run time from
//! the list's own statuses and their types.

mod states;

use std::sync::OnceLock;

use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::Failure;
use super::http::HttpRequest;
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker,
};
use states::Status;
pub use states::normalise;

/// `mapping.fields` key: the id of a text custom field that holds the full fingerprint.
const FINGERPRINT_FIELD: &str = "fingerprint_field";
/// `mapping.fields` key: the status new tasks start in (the list's first status otherwise).
const START_STATUS: &str = "status";
/// ClickUp returns at most 100 tasks a page; more than this many pages is not searched.
const MAX_PAGES: usize = 50;

/// A ClickUp list's tasks.
pub struct ClickUp {
    base: ClientBase,
    list: String,
    /// What to add after the base URL's path (`/api/v2`, or less when the base URL has it).
    api: String,
    /// The list's statuses, read once when a status is first written.
    statuses: OnceLock<Vec<Status>>,
}

impl ClickUp {
    /// A client for the list `mapping.list`; it requests nothing outside `/list/{list}`,
    /// `/task` and `/user`.
    pub fn new(mut base: ClientBase) -> Self {
        let list = base.provider.mapping.list.clone().unwrap_or_default();
        let api = api_prefix(&base.provider.base_url, "/api/v2");
        base.scope = super::path::Scope::of([
            base.endpoint(&api, &["list", &list]),
            base.endpoint(&api, &["task"]),
            base.endpoint(&api, &["user"]),
        ]);
        ClickUp {
            base,
            list,
            api,
            statuses: OnceLock::new(),
        }
    }

    /// Personal tokens go in `Authorization` with no scheme, exactly as configured.
    fn request(&self, method: &'static str, segments: &[&str]) -> HttpRequest {
        let token = self.base.token.expose().to_owned();
        self.base
            .json_request(method, self.url(segments), "authorization", token)
    }

    /// `/api/v2` and then `segments`, each an encoded segment.
    fn url(&self, segments: &[&str]) -> Url {
        self.base.endpoint(&self.api, segments)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base.call(&req, write, |resp| {
            states::failure(resp, self.base.now, write)
        })
    }

    fn fingerprint_field(&self) -> Option<String> {
        match self.base.provider.mapping.fields.get(FINGERPRINT_FIELD)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        }
    }

    fn ticket(task: &Value) -> RemoteTicket {
        RemoteTicket {
            id: task["id"].as_str().unwrap_or_default().to_owned(),
            url: task["url"].as_str().unwrap_or_default().to_owned(),
            state: task["status"]["status"].as_str().map(str::to_owned),
        }
    }

    fn statuses(&self) -> Result<Vec<Status>, Failure> {
        if let Some(s) = self.statuses.get() {
            return Ok(s.clone());
        }
        let list = self.call(self.request("GET", &["list", &self.list]), false)?;
        let statuses = states::list_statuses(&list);
        let _ = self.statuses.set(statuses.clone());
        Ok(statuses)
    }

    /// Whether a listed task is the draft's: with a fingerprint field, that field's exact
    /// value; without one, the fingerprint tag and the body marker on a line of its own.
    fn carries(task: &Value, draft: &TicketDraft, field: Option<&str>) -> bool {
        if let Some(id) = field {
            return task["custom_fields"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["id"].as_str() == Some(id) && f["value"] == json!(draft.fingerprint));
        }
        let tags = task["tags"].as_array().into_iter().flatten();
        let tagged = marker::labelled(
            tags.filter_map(|t| t["name"].as_str()),
            &draft.fingerprint_label,
        );
        let in_body = ["markdown_description", "description"].iter().any(|k| {
            task[k]
                .as_str()
                .is_some_and(|d| marker::in_text(d, &draft.fingerprint))
        });
        tagged && in_body
    }
}

impl ProviderClient for ClickUp {
    fn check(&self) -> Result<CheckReport, Failure> {
        let who = &["/user/username", "/user/id"];
        let me = self.call(self.request("GET", &["user"]), false)?;
        object(&me, &format!("GET {}", self.url(&["user"]).path()), who)?;
        let list = self.call(self.request("GET", &["list", &self.list]), false)?;
        let probe = format!("GET {}", self.url(&["list", &self.list]).path());
        object(&list, &probe, &["/id"])?;
        if states::list_statuses(&list).is_empty() {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("list {} shows no statuses to this token", self.list),
            });
        }
        Ok(CheckReport {
            identity: identity(&me, who).unwrap_or_default(),
            probes: vec![
                format!("GET {}", self.url(&["user"]).path()),
                format!("GET {}", self.url(&["list", &self.list]).path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let field = self.fingerprint_field();
        let path = ["list", self.list.as_str(), "task"];
        let mut found = Vec::new();
        for page in 0..MAX_PAGES {
            let mut req = self.request("GET", &path);
            {
                let mut q = req.url.query_pairs_mut();
                match &field {
                    Some(id) => {
                        let filter =
                            json!([{"field_id": id, "operator": "==", "value": draft.fingerprint}]);
                        q.append_pair("custom_fields", &filter.to_string());
                    }
                    None => {
                        q.append_pair("tags[]", &draft.fingerprint_label);
                    }
                }
                // Closed tasks are left out unless asked for; the plain `description` is a
                // rendering that drops the HTML comment the marker is.
                q.append_pair("include_closed", "true")
                    .append_pair("include_markdown_description", "true")
                    .append_pair("page", &page.to_string());
            }
            let answer = self.call(req, false)?;
            let tasks = listing(&answer, "tasks")?;
            found.extend(
                tasks
                    .iter()
                    .filter(|t| Self::carries(t, draft, field.as_deref()))
                    .map(Self::ticket),
            );
            if tasks.is_empty() || answer["last_page"].as_bool().unwrap_or(true) {
                return Ok(found);
            }
        }
        Err(Failure::Rejected {
            status: 200,
            detail: format!(
                "more than {} pages of tasks match in list {}; the lookup stopped rather than risk a duplicate",
                MAX_PAGES, self.list
            ),
        })
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let priority =
            states::priority(draft.priority.as_deref(), draft.severity).map_err(|detail| {
                Failure::Mapping {
                    status: 0,
                    fields: vec!["priority".into()],
                    detail,
                }
            })?;
        let mut body = json!({
            "name": draft.title,
            "markdown_content": draft.body,
            "tags": draft.labels,
        });
        if let Some(p) = priority {
            body["priority"] = json!(p);
        }
        if let Some(status) = draft.fields.get(START_STATUS).and_then(Value::as_str) {
            body["status"] = json!(status);
        }
        // ClickUp assignees are numeric user ids; names cannot be sent.
        let assignees: Vec<u64> = draft
            .assignees
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect();
        if !assignees.is_empty() {
            body["assignees"] = json!(assignees);
        }
        if let Some(id) = self.fingerprint_field() {
            body["custom_fields"] = json!([{"id": id, "value": draft.fingerprint}]);
        }
        let path = ["list", self.list.as_str(), "task"];
        let task = self.call(self.request("POST", &path).json(&body), true)?;
        Ok(Self::ticket(&task))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"name": draft.title, "markdown_content": draft.body});
        let task = self.call(self.request("PUT", &["task", ticket_id]).json(&body), true)?;
        Ok(Self::ticket(&task))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let task = self.call(self.request("GET", &["task", ticket_id]), false)?;
        let name = task["status"]["status"].as_str().unwrap_or_default();
        let kind = task["status"]["type"].as_str().unwrap_or("custom");
        Ok(RemoteState {
            raw: name.to_owned(),
            normal: normalise(&self.base.provider, name, kind),
        })
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let statuses = self.statuses()?;
        let provider = &self.base.provider;
        let chosen = target
            .pick_or_nearest(|t| states::choose(provider, &statuses, t))
            .ok_or_else(|| Failure::Mapping {
                status: 0,
                fields: vec!["status".into()],
                detail: format!(
                    "list {} has no status for {}; name one in status_map",
                    self.list,
                    target.as_str()
                ),
            })?;
        let body = json!({"status": chosen.name});
        let task = self.call(self.request("PUT", &["task", ticket_id]).json(&body), true)?;
        let name = task["status"]["status"].as_str().unwrap_or(&chosen.name);
        let kind = task["status"]["type"].as_str().unwrap_or(&chosen.kind);
        Ok(RemoteState {
            raw: name.to_owned(),
            normal: normalise(provider, name, kind),
        })
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let list = self.url(&["list", &self.list, "task"]);
        let list = list.path();
        match call {
            PlannedCall::Lookup(draft) => match self.fingerprint_field() {
                Some(id) => format!("GET {list} (custom field {id} == fingerprint)"),
                None => format!("GET {list} (tags[]={})", draft.fingerprint_label),
            },
            PlannedCall::Create(_) => format!("POST {list} in list {}", self.list),
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => {
                format!("PUT {}", self.url(&["task", id]).path())
            }
        }
    }
}
