//! Asana tasks (REST `/api/1.0`, bodies wrapped in `{"data": …}`) with a personal access token.
//!
//! Task search is a premium feature (free workspaces get 402), and `external` ids are visible to
//! OAuth apps only, so lookup pages through the project's task listing and matches the
//! fingerprint marker in `notes` (plain text, kept as sent). Labels are not sent: Asana tags need
//! gids made in advance. Asana has no won't-fix state: a won't-fix task is completed and, when
//! `mapping.fields.wontfix_section` names a section, moved there.

mod states;

use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify};
use super::http::{HttpRequest, HttpResponse, bearer_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker,
};
use crate::markup::subset;
pub use states::normalise;
use states::{IN_PROGRESS_SECTION, WONTFIX_SECTION};

/// Asana's page size limit.
const PAGE: &str = "100";
/// A project with more tasks than this many pages is not searched to the end; the lookup fails
/// instead of answering "none" and inviting a duplicate.
const MAX_PAGES: usize = 200;
/// What the client asks Asana to return for a task.
const TASK_FIELDS: &str = "gid,name,completed,permalink_url";

/// An Asana project's tasks.
pub struct Asana {
    base: ClientBase,
    workspace: String,
    project: String,
    /// What to add after the base URL's path (`/api/1.0`, or less when the base URL has it).
    api: String,
}

impl Asana {
    /// A client for `mapping.project` in `mapping.workspace` (both gids); it requests nothing
    /// outside `/projects/{project}`, `/tasks`, `/sections` and `/users/me`.
    pub fn new(mut base: ClientBase) -> Self {
        let mapping = &base.provider.mapping;
        let workspace = mapping.workspace.clone().unwrap_or_default();
        let project = mapping.project.clone().unwrap_or_default();
        let api = api_prefix(&base.provider.base_url, "/api/1.0");
        base.scope = super::path::Scope::of([
            base.endpoint(&api, &["projects", &project]),
            base.endpoint(&api, &["tasks"]),
            base.endpoint(&api, &["sections"]),
            base.endpoint(&api, &["users", "me"]),
        ]);
        Asana {
            base,
            workspace,
            project,
            api,
        }
    }

    /// `/api/1.0` and then `segments`, each an encoded segment.
    fn url(&self, segments: &[&str]) -> Url {
        self.base.endpoint(&self.api, segments)
    }

    fn request(&self, method: &'static str, segments: &[&str], opt_fields: &str) -> HttpRequest {
        let credential = bearer_auth(self.base.token.expose());
        let mut req =
            self.base
                .json_request(method, self.url(segments), "authorization", credential);
        if !opt_fields.is_empty() {
            req.url
                .query_pairs_mut()
                .append_pair("opt_fields", opt_fields);
        }
        req
    }

    /// Sends and unwraps `data`; the whole answer is returned for listings that page.
    fn call(&self, req: HttpRequest, write: bool, sent: &[&str]) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write, sent))
    }

    fn failure(&self, resp: &HttpResponse, write: bool, sent: &[&str]) -> Failure {
        if resp.status == 402 {
            return Failure::Rejected {
                status: 402,
                detail: format!(
                    "Asana answered 402 Payment Required: this needs a premium workspace ({})",
                    states::message(resp)
                ),
            };
        }
        let fields = if resp.status == 400 {
            states::blamed_fields(resp, sent)
        } else {
            Vec::new()
        };
        classify(resp, self.base.now, write, fields)
    }

    fn ticket(task: &Value) -> RemoteTicket {
        RemoteTicket {
            id: task["gid"].as_str().unwrap_or_default().to_owned(),
            url: task["permalink_url"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            state: task["completed"]
                .as_bool()
                .map(|c| if c { "completed" } else { "incomplete" }.to_owned()),
        }
    }

    fn put_task(&self, ticket_id: &str, data: Value, sent: &[&str]) -> Result<Value, Failure> {
        let req = self
            .request("PUT", &["tasks", ticket_id], TASK_FIELDS)
            .json(&json!({"data": data}));
        Ok(self.call(req, true, sent)?["data"].take())
    }

    /// The task's completion and its sections in this project.
    fn task_state(&self, ticket_id: &str) -> Result<(bool, Vec<(String, String)>), Failure> {
        let req = self.request(
            "GET",
            &["tasks", ticket_id],
            "completed,memberships.project.gid,memberships.section.gid,memberships.section.name",
        );
        let task = self.call(req, false, &[])?;
        let task = &task["data"];
        Ok((
            task["completed"].as_bool().unwrap_or(false),
            states::sections_in(task, &self.project),
        ))
    }

    /// Where a reopened task goes when it sits in the in-progress section (it would still read
    /// as in progress): `mapping.section`, else the project's first other section.
    /// The section a task moves to when it leaves the in-progress or won't-fix section (the
    /// mapping's section, else the project's first other section); None when it is in neither.
    fn plain_section(&self, ticket_id: &str) -> Result<Option<String>, Failure> {
        let provider = &self.base.provider;
        let special: Vec<String> = [
            states::section(provider, IN_PROGRESS_SECTION),
            states::section(provider, WONTFIX_SECTION),
        ]
        .into_iter()
        .flatten()
        .collect();
        if special.is_empty() {
            return Ok(None);
        }
        let (_, sections) = self.task_state(ticket_id)?;
        if !sections.iter().any(|(gid, _)| special.contains(gid)) {
            return Ok(None);
        }
        if let Some(section) = provider.mapping.section.clone() {
            return Ok(Some(section));
        }
        let listed = self.call(
            self.request("GET", &["projects", &self.project, "sections"], "name"),
            false,
            &[],
        )?;
        Ok(listed["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["gid"].as_str())
            .find(|gid| !special.iter().any(|s| s == gid))
            .map(str::to_owned))
    }

    fn move_to_section(&self, ticket_id: &str, section: &str) -> Result<(), Failure> {
        // A section gid from the mapping or from a listing goes into the path: gids only.
        if section.is_empty() || !section.chars().all(|c| c.is_ascii_digit()) {
            return Err(Failure::Refused(format!(
                "section {} is not an Asana gid (digits), so the task was not moved",
                super::path::shown(section)
            )));
        }
        let req = self
            .request("POST", &["sections", section, "addTask"], "")
            .json(&json!({"data": {"task": ticket_id}}));
        self.call(req, true, &["task"]).map(|_| ())
    }
}

impl ProviderClient for Asana {
    fn check(&self) -> Result<CheckReport, Failure> {
        let me = self.call(
            self.request("GET", &["users", "me"], "gid,name"),
            false,
            &[],
        )?;
        let who = &["/data/name", "/data/gid"];
        object(
            &me,
            &format!("GET {}", self.url(&["users", "me"]).path()),
            who,
        )?;
        let project = self.call(
            self.request(
                "GET",
                &["projects", &self.project],
                "name,archived,workspace.gid",
            ),
            false,
            &[],
        )?;
        let probe = format!("GET {}", self.url(&["projects", &self.project]).path());
        object(&project, &probe, &["/data/gid"])?;
        let project = &project["data"];
        if project["workspace"]["gid"]
            .as_str()
            .is_some_and(|w| w != self.workspace)
        {
            return Err(Failure::Mapping {
                status: 200,
                fields: vec!["workspace".into()],
                detail: format!(
                    "project {} belongs to another workspace than {}",
                    self.project, self.workspace
                ),
            });
        }
        if project["archived"] == Value::Bool(true) {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("project {} is archived", self.project),
            });
        }
        Ok(CheckReport {
            identity: identity(&me, who).unwrap_or_default(),
            probes: vec![
                format!("GET {}", self.url(&["users", "me"]).path()),
                format!("GET {}", self.url(&["projects", &self.project]).path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let path = ["projects", self.project.as_str(), "tasks"];
        let mut found = Vec::new();
        let mut offset: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut req = self.request("GET", &path, "name,notes,completed,permalink_url");
            req.url.query_pairs_mut().append_pair("limit", PAGE);
            if let Some(o) = &offset {
                req.url.query_pairs_mut().append_pair("offset", o);
            }
            let page = self.call(req, false, &[])?;
            found.extend(
                listing(&page, "data")?
                    .iter()
                    .filter(|t| {
                        t["notes"]
                            .as_str()
                            .is_some_and(|n| marker::in_text(n, &draft.fingerprint))
                    })
                    .map(Self::ticket),
            );
            offset = page["next_page"]["offset"].as_str().map(str::to_owned);
            if offset.is_none() {
                return Ok(found);
            }
        }
        Err(Failure::Rejected {
            status: 200,
            detail: format!(
                "project {} has more than {} tasks; the lookup stopped rather than risk a duplicate",
                self.project,
                MAX_PAGES * 100
            ),
        })
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let mut data = json!({
            "name": draft.title,
            "notes": subset::to_plain(&draft.body),
            "projects": [self.project],
            "workspace": self.workspace,
        });
        if let Some(assignee) = draft.assignees.first() {
            data["assignee"] = json!(assignee);
        }
        let req = self
            .request("POST", &["tasks"], TASK_FIELDS)
            .json(&json!({"data": data}));
        let sent = ["name", "notes", "projects", "workspace", "assignee"];
        let task = self.call(req, true, &sent)?;
        Ok(Self::ticket(&task["data"]))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let data = json!({"name": draft.title, "notes": subset::to_plain(&draft.body)});
        let task = self.put_task(ticket_id, data, &["name", "notes"])?;
        Ok(Self::ticket(&task))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let (completed, sections) = self.task_state(ticket_id)?;
        let (raw, normal) = normalise(&self.base.provider, completed, &sections);
        Ok(RemoteState { raw, normal })
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let provider = &self.base.provider;
        let completed = states::completes(provider, target);
        let section = match target {
            NormalState::WontFix => states::section(provider, WONTFIX_SECTION),
            NormalState::InProgress => states::section(provider, IN_PROGRESS_SECTION),
            // Done or open: out of the in-progress and won't-fix sections, which would
            // otherwise keep the task read as in progress or won't fix.
            NormalState::Open | NormalState::Done => self.plain_section(ticket_id)?,
        };
        // Two writes, ordered so that a task stopped between them reads as where it was or
        // where it goes, never a third state a later sync would take for a person's change:
        // closing moves the section first (incomplete anywhere reads open), opening clears
        // the completion first (incomplete in the won't-fix section reads open).
        let complete = || self.put_task(ticket_id, json!({"completed": completed}), &["completed"]);
        let file = || match &section {
            Some(section) => self.move_to_section(ticket_id, section),
            None => Ok(()),
        };
        if completed {
            file()?;
            complete()?;
        } else {
            complete()?;
            file()?;
        }
        let state = self.read_status(ticket_id)?;
        if state.normal == target {
            return Ok(state);
        }
        let why = match target {
            NormalState::WontFix => {
                "Asana has no won't-fix state; set mapping.fields.wontfix_section to a section gid"
            }
            NormalState::InProgress => {
                "Asana has no in-progress state; set mapping.fields.in_progress_section to a section gid"
            }
            _ => "the task did not take the state",
        };
        Ok(RemoteState {
            raw: format!("{} ({why})", state.raw),
            normal: state.normal,
        })
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        match call {
            PlannedCall::Lookup(_) => format!(
                "GET {} (every page, notes marker)",
                self.url(&["projects", &self.project, "tasks"]).path()
            ),
            PlannedCall::Create(_) => {
                format!("POST {} in {}", self.url(&["tasks"]).path(), self.project)
            }
            PlannedCall::Update(gid, _) | PlannedCall::WriteStatus(gid) => {
                format!("PUT {}", self.url(&["tasks", gid]).path())
            }
        }
    }
}
