//! Azure DevOps work items (REST 7.1), `https://dev.azure.com/{organization}`.
//!
//! The organisation is the base URL's path; every call names the project and carries
//! `api-version=7.1`. Creates and edits are JSON Patch documents
//! (`application/json-patch+json`). The fingerprint is a tag (exact, and what WIQL finds)
//! plus the full fingerprint in the HTML description, which lookups confirm. States differ
//! by process template, so they are read per work item type and normalised by category.
//! Bad credentials often answer 203 with an HTML sign-in page instead of 401.

mod errors;
pub(crate) mod html;
mod states;

use serde_json::{Value, json};
use url::Url;

use super::answer::{listing, object};
use super::failure::Failure;
use super::http::{HttpRequest, basic_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, endpoint_from, marker, site_of, status_map,
};

pub use states::normalise;
use states::{WorkflowState, preferred_categories};

/// The API version every request names.
pub const API_VERSION: &str = "7.1";
/// The most ids one work item batch read takes.
const BATCH_MAX: usize = 200;

/// A project's work items of one type.
pub struct AzureDevOps {
    base: ClientBase,
    project: String,
    work_item_type: String,
    /// The team WIQL runs as, only when the mapping names one: a team-scoped query needs
    /// the team's real name, and a guessed default ("<project> Team") fails once renamed.
    team: Option<String>,
    /// The organisation (or collection) URL: the base URL without an `_apis` pasted at its end.
    org: Url,
}

impl AzureDevOps {
    /// A client for `mapping.project` and `mapping.work_item_type`; `mapping.team`, when set,
    /// names the team WIQL runs as (otherwise WIQL is project-scoped). It requests nothing
    /// outside `{organization}/{project}`.
    pub fn new(mut base: ClientBase) -> Self {
        let m = &base.provider.mapping;
        let project = m.project.clone().unwrap_or_default();
        let work_item_type = m.work_item_type.clone().unwrap_or_default();
        let team = m.team.clone().filter(|t| !t.is_empty());
        let org = site_of(&base.provider.base_url, &[&["_apis"]]);
        base.scope = super::path::Scope::of([endpoint_from(&org, "", &[&project])]);
        AzureDevOps {
            base,
            project,
            work_item_type,
            team,
            org,
        }
    }

    /// `{organization}/{segments…}?api-version=7.1`, each segment percent-encoded.
    fn api(&self, segments: &[&str]) -> Url {
        let mut url = endpoint_from(&self.org, "", segments);
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        url
    }

    /// The WIQL endpoint: `{org}/{project}/_apis/wit/wiql`, or under the mapped team.
    fn wiql(&self) -> Url {
        match &self.team {
            Some(team) => self.api(&[&self.project, team, "_apis", "wit", "wiql"]),
            None => self.api(&[&self.project, "_apis", "wit", "wiql"]),
        }
    }

    fn request(&self, method: &'static str, url: Url) -> HttpRequest {
        HttpRequest::new(method, url)
            .header("authorization", basic_auth("", self.base.token.expose()))
            .header("accept", "application/json")
    }

    fn workitems(&self, rest: &[&str]) -> Url {
        let mut segments = vec![self.project.as_str(), "_apis", "wit", "workitems"];
        segments.extend(rest);
        self.api(&segments)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        let resp = self.base.send(&req, write)?;
        let html = resp
            .header("content-type")
            .is_some_and(|c| c.contains("html"));
        if (200..300).contains(&resp.status) && resp.status != 203 && !html {
            return Ok(resp.json());
        }
        Err(errors::failure(&resp, self.base.now, write))
    }

    /// The page a person opens for a work item.
    fn html_url(&self, id: &str) -> String {
        endpoint_from(&self.org, "", &[&self.project, "_workitems", "edit", id]).to_string()
    }

    fn ticket(&self, item: &Value) -> RemoteTicket {
        let id = item["id"]
            .as_u64()
            .map(|n| n.to_string())
            .unwrap_or_default();
        RemoteTicket {
            url: item["_links"]["html"]["href"]
                .as_str()
                .map_or_else(|| self.html_url(&id), str::to_owned),
            state: item["fields"]["System.State"].as_str().map(str::to_owned),
            id,
        }
    }

    /// Sends a JSON Patch document (POST creates, PATCH edits).
    fn patch(&self, method: &'static str, url: Url, ops: &Value) -> Result<Value, Failure> {
        let req = self
            .request(method, url)
            .body_with("application/json-patch+json", ops);
        self.call(req, true)
    }

    fn states(&self, work_item_type: &str) -> Result<Vec<WorkflowState>, Failure> {
        let url = self.api(&[
            &self.project,
            "_apis",
            "wit",
            "workitemtypes",
            work_item_type,
            "states",
        ]);
        let body = self.call(self.request("GET", url), false)?;
        Ok(body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| WorkflowState {
                name: s["name"].as_str().unwrap_or_default().to_owned(),
                category: s["category"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    fn state(&self, name: &str, states: &[WorkflowState]) -> RemoteState {
        let normal =
            status_map::mapped(&self.base.provider.status_map, name).unwrap_or_else(|| {
                states
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(name))
                    .map_or(NormalState::Open, |s| normalise(&s.category))
            });
        RemoteState {
            raw: name.to_owned(),
            normal,
        }
    }

    /// State, type and fields of one work item.
    fn read(&self, id: &str) -> Result<(String, String), Failure> {
        let mut url = self.workitems(&[id]);
        url.query_pairs_mut()
            .append_pair("fields", "System.State,System.WorkItemType");
        let item = self.call(self.request("GET", url), false)?;
        let fields = &item["fields"];
        Ok((
            fields["System.State"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            fields["System.WorkItemType"]
                .as_str()
                .unwrap_or(&self.work_item_type)
                .to_owned(),
        ))
    }

    fn content_ops(&self, draft: &TicketDraft) -> Vec<Value> {
        let add = |field: &str, value: Value| json!({"op": "add", "path": format!("/fields/{field}"), "value": value});
        let mut tags = vec![draft.fingerprint_label.clone()];
        tags.extend(
            draft
                .labels
                .iter()
                .filter(|l| **l != draft.fingerprint_label)
                .cloned(),
        );
        vec![
            add("System.Title", json!(draft.title)),
            add(
                "System.Description",
                json!(html::description(&draft.body, &draft.fingerprint)),
            ),
            add("System.Tags", json!(tags.join("; "))),
        ]
    }
}

impl ProviderClient for AzureDevOps {
    fn check(&self) -> Result<CheckReport, Failure> {
        // `_apis/connectionData` would name the user but is not in the published 7.1 specs,
        // and projects are not in the work item tracking spec: reading the work item type
        // proves the token, the project and the type in one cheap GET.
        let url = self.api(&[
            &self.project,
            "_apis",
            "wit",
            "workitemtypes",
            &self.work_item_type,
        ]);
        let probe = format!(
            "GET {}/_apis/wit/workitemtypes/{}",
            self.project, self.work_item_type
        );
        let found = self.call(self.request("GET", url), false)?;
        object(&found, &probe, &["/referenceName", "/name"])?;
        let states = self.states(&self.work_item_type)?;
        if states.is_empty() {
            return Err(Failure::Unexpected(format!(
                "{probe}/states answered with no state; the check does not pass on it"
            )));
        }
        Ok(CheckReport {
            identity: "personal access token (Azure DevOps names no user on these APIs)".into(),
            probes: vec![
                format!(
                    "GET {}/_apis/wit/workitemtypes/{}",
                    self.project, self.work_item_type
                ),
                format!(
                    "GET {}/_apis/wit/workitemtypes/{}/states ({} states)",
                    self.project,
                    self.work_item_type,
                    states.len()
                ),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let query = format!(
            "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS '{}'",
            draft.fingerprint_label
        );
        let url = self.wiql();
        let result = self.call(
            self.request("POST", url).json(&json!({ "query": query })),
            false,
        )?;
        let ids: Vec<String> = listing(&result, "workItems")?
            .iter()
            .filter_map(|w| w["id"].as_u64().map(|n| n.to_string()))
            .take(BATCH_MAX)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut url = self.workitems(&[]);
        url.query_pairs_mut()
            .append_pair("ids", &ids.join(","))
            .append_pair(
                "fields",
                "System.Title,System.Description,System.State,System.Tags",
            );
        let items = self.call(self.request("GET", url), false)?;
        Ok(listing(&items, "value")?
            .iter()
            .filter(|i| {
                let f = &i["fields"];
                let tagged = f["System.Tags"]
                    .as_str()
                    .is_some_and(|t| marker::labelled(t.split(';'), &draft.fingerprint_label));
                let marked = f["System.Description"]
                    .as_str()
                    .is_some_and(|d| marker::in_html(d, &draft.fingerprint));
                tagged && marked
            })
            .map(|i| self.ticket(i))
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let add = |field: &str, value: Value| json!({"op": "add", "path": format!("/fields/{field}"), "value": value});
        let mut ops = self.content_ops(draft);
        if let Some(p) = &draft.priority {
            let value = p
                .trim()
                .parse::<u8>()
                .map_or_else(|_| json!(p), |n| json!(n));
            ops.push(add("Microsoft.VSTS.Common.Priority", value));
        }
        if let Some(who) = draft.assignees.first() {
            ops.push(add("System.AssignedTo", json!(who)));
        }
        for (name, value) in &draft.fields {
            ops.push(add(name, value.clone()));
        }
        let url = self.workitems(&[&format!("${}", self.work_item_type)]);
        let item = self.patch("POST", url, &Value::Array(ops))?;
        Ok(self.ticket(&item))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let item = self.patch(
            "PATCH",
            self.workitems(&[ticket_id]),
            &Value::Array(self.content_ops(draft)),
        )?;
        Ok(self.ticket(&item))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let (state, kind) = self.read(ticket_id)?;
        Ok(self.state(&state, &self.states(&kind)?))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let (_, kind) = self.read(ticket_id)?;
        let states = self.states(&kind)?;
        let named = status_map::names_for(&self.base.provider.status_map, target);
        let by_name = states
            .iter()
            .find(|s| named.iter().any(|n| n.eq_ignore_ascii_case(&s.name)));
        let by_category = || {
            preferred_categories(target)
                .iter()
                .find_map(|c| states.iter().find(|s| s.category == *c))
        };
        // A workflow without a Removed state (Agile's Bug) closes instead, and says so.
        let fallback = || {
            (target == NormalState::WontFix)
                .then(|| preferred_categories(NormalState::Done))
                .and_then(|cats| {
                    cats.iter()
                        .find_map(|c| states.iter().find(|s| s.category == *c))
                })
        };
        let Some(chosen) = by_name.or_else(by_category).or_else(fallback) else {
            return Err(Failure::Mapping {
                status: 200,
                fields: vec!["System.State".into()],
                detail: format!(
                    "the {kind} workflow has no state for {}; name one in status_map",
                    target.as_str()
                ),
            });
        };
        let ops = json!([{"op": "add", "path": "/fields/System.State", "value": chosen.name}]);
        let item = self.patch("PATCH", self.workitems(&[ticket_id]), &ops)?;
        let name = item["fields"]["System.State"]
            .as_str()
            .unwrap_or(&chosen.name);
        let mut state = self.state(name, &states);
        if target == NormalState::WontFix && state.normal != NormalState::WontFix {
            state.raw = format!("{name} (the {kind} workflow has no Removed state)");
            state.normal = NormalState::WontFix;
        }
        Ok(state)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        match call {
            PlannedCall::Lookup(draft) => format!(
                "POST {} (tag {})",
                self.wiql().path(),
                draft.fingerprint_label
            ),
            PlannedCall::Create(_) => format!(
                "POST {} in {}",
                self.workitems(&[&format!("${}", self.work_item_type)])
                    .path(),
                self.project
            ),
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => {
                format!("PATCH {}", self.workitems(&[id]).path())
            }
        }
    }
}
