//! Bitbucket Cloud issues (REST 2.0), `https://api.bitbucket.org` with paths under `/2.0`.
//!
//! Bitbucket issues have no labels, so the fingerprint travels in the title (` [fp-…]`) and as
//! the body marker. Lookup asks BBQL for titles containing the short label, then confirms the
//! marker in `content.raw`. The rate limit is a rolling hour (1,000 requests for most
//! repository resources) and a 429 often comes without `Retry-After`.

use jiff::SignedDuration;
use serde_json::{Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify, requested_wait, summary};
use super::http::{HttpRequest, HttpResponse, basic_auth};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker, status_map,
};

/// The wait after a 429 that names none: the hour-long window frees a minute's worth of
/// requests each minute, so ten minutes lets a retry batch through without hammering it.
const WINDOW_WAIT: SignedDuration = SignedDuration::from_mins(10);
/// Bitbucket's longest title.
const TITLE_MAX: usize = 255;
/// The kinds and priorities Bitbucket accepts (its issue schema's enums).
const KINDS: &[&str] = &["bug", "enhancement", "proposal", "task"];
const PRIORITIES: &[&str] = &["trivial", "minor", "major", "critical", "blocker"];
/// Every state an issue can be in, for checking `status_map` targets.
const STATES: &[&str] = &[
    "submitted",
    "new",
    "open",
    "resolved",
    "on hold",
    "invalid",
    "duplicate",
    "wontfix",
    "closed",
];

/// A Bitbucket repository's issue tracker.
pub struct Bitbucket {
    base: ClientBase,
    repo: String,
    workspace: String,
    slug: String,
    /// `/2.0`, unless the configured base URL already ends with it.
    prefix: String,
}

impl Bitbucket {
    /// A client for the repository in `mapping.repo` (`workspace/slug`); it requests nothing
    /// outside `/2.0/repositories/{workspace}/{slug}` and `/2.0/user`.
    pub fn new(mut base: ClientBase) -> Self {
        let repo = base.provider.mapping.repo.clone().unwrap_or_default();
        let (workspace, slug) = repo.split_once('/').unwrap_or_default();
        let (workspace, slug) = (workspace.to_owned(), slug.to_owned());
        let prefix = api_prefix(&base.provider.base_url, "/2.0");
        base.scope = super::path::Scope::of([
            base.endpoint(&prefix, &["repositories", &workspace, &slug]),
            base.endpoint(&prefix, &["user"]),
        ]);
        Bitbucket {
            base,
            repo,
            workspace,
            slug,
            prefix,
        }
    }

    fn request(&self, method: &'static str, url: Url) -> HttpRequest {
        let user = self.base.user.as_ref().map(|u| u.expose()).unwrap_or("");
        let credential = basic_auth(user, self.base.token.expose());
        self.base
            .json_request(method, url, "authorization", credential)
    }

    /// `/2.0/repositories/{workspace}/{slug}` and then `rest`, each an encoded segment.
    fn repo_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec!["repositories", self.workspace.as_str(), self.slug.as_str()];
        segments.extend(rest);
        self.base.endpoint(&self.prefix, &segments)
    }

    fn issues_url(&self) -> Url {
        self.repo_url(&["issues"])
    }

    fn issue_url(&self, id: &str) -> Url {
        self.repo_url(&["issues", id])
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write))
    }

    fn failure(&self, resp: &HttpResponse, write: bool) -> Failure {
        let now = self.base.now;
        let json = resp.json();
        let mut detail = summary(resp);
        if let Some(more) = json["error"]["detail"].as_str() {
            detail = format!("{detail}: {more}");
        }
        match resp.status {
            429 => Failure::RateLimited {
                status: 429,
                retry_after: requested_wait(resp, now).unwrap_or(now + WINDOW_WAIT),
                detail: format!("{detail} (Bitbucket allows about 1,000 requests an hour)"),
            },
            401 => {
                let realm = resp
                    .header("www-authenticate")
                    .map(|r| format!(" [{r}]"))
                    .unwrap_or_default();
                Failure::Auth {
                    status: 401,
                    detail: format!(
                        "{detail}{realm}; Bitbucket wants the Atlassian account e-mail as the user \
                         and an API token (not the username; app passwords stop working in June 2026)"
                    ),
                }
            }
            404 => Failure::NotFound {
                status: 404,
                detail: format!(
                    "{detail} ({} does not exist, is not visible to these credentials, or has no issue tracker)",
                    self.repo
                ),
            },
            _ => {
                let fields = json["error"]["fields"]
                    .as_object()
                    .map(|f| f.keys().cloned().collect())
                    .unwrap_or_default();
                match classify(resp, now, write, fields) {
                    Failure::Auth { status, .. } => Failure::Auth { status, detail },
                    other => other,
                }
            }
        }
    }

    fn ticket(&self, issue: &Value) -> RemoteTicket {
        RemoteTicket {
            id: issue["id"]
                .as_u64()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            url: issue["links"]["html"]["href"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            state: issue["state"].as_str().map(str::to_owned),
        }
    }

    /// The title with the fingerprint label appended, shortened to fit Bitbucket's limit.
    fn title(draft: &TicketDraft) -> String {
        let suffix = format!(" [{}]", draft.fingerprint_label);
        let room = TITLE_MAX - suffix.chars().count();
        let mut title = draft.title.clone();
        if title.chars().count() > room {
            title = format!("{}…", title.chars().take(room - 1).collect::<String>());
        }
        title + &suffix
    }

    fn state(&self, issue: &Value) -> RemoteState {
        let raw = issue["state"].as_str().unwrap_or("new").to_owned();
        let normal =
            status_map::mapped(&self.base.provider.status_map, &raw).unwrap_or(normalise(&raw));
        RemoteState { raw, normal }
    }
}

/// Bitbucket's issue states, normalised. Bitbucket has no "in progress": `open` and `on hold`
/// read as open unless `status_map` says otherwise.
pub fn normalise(state: &str) -> NormalState {
    match state {
        "resolved" | "closed" => NormalState::Done,
        "invalid" | "duplicate" | "wontfix" => NormalState::WontFix,
        _ => NormalState::Open,
    }
}

impl ProviderClient for Bitbucket {
    fn check(&self) -> Result<CheckReport, Failure> {
        const WHO: &[&str] = &["/display_name", "/nickname", "/account_id", "/uuid"];
        let me = self.base.endpoint(&self.prefix, &["user"]);
        let user = self.call(self.request("GET", me.clone()), false)?;
        object(&user, &format!("GET {}", me.path()), WHO)?;
        let repo_url = self.repo_url(&[]);
        let repo = self.call(self.request("GET", repo_url.clone()), false)?;
        object(
            &repo,
            &format!("GET {}", repo_url.path()),
            &["/full_name", "/uuid"],
        )?;
        if repo["has_issues"] == Value::Bool(false) {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("the issue tracker is disabled on {}", self.repo),
            });
        }
        Ok(CheckReport {
            identity: identity(&user, WHO).unwrap_or_default(),
            probes: vec![
                format!("GET {}", me.path()),
                format!("GET {}", self.repo_url(&[]).path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", self.issues_url());
        req.url
            .query_pairs_mut()
            .append_pair("q", &format!("title ~ \"{}\"", draft.fingerprint_label))
            .append_pair("pagelen", "50");
        let page = self.call(req, false)?;
        // BBQL's `~` is a substring match: the title must end with the suffix, and the body
        // hold the marker, exactly.
        Ok(listing(&page, "values")?
            .iter()
            .filter(|i| {
                i["title"]
                    .as_str()
                    .is_some_and(|t| marker::title_carries(t, &draft.fingerprint_label))
            })
            .filter(|i| {
                i["content"]["raw"]
                    .as_str()
                    .is_some_and(|b| marker::in_text(b, &draft.fingerprint))
            })
            .map(|i| self.ticket(i))
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let kind = draft
            .fields
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("bug");
        if !KINDS.contains(&kind) {
            return Err(not_allowed("kind", kind, KINDS));
        }
        let mut body = json!({
            "title": Self::title(draft),
            "content": {"raw": draft.body, "markup": "markdown"},
            "kind": kind,
        });
        if let Some(priority) = &draft.priority {
            if !PRIORITIES.contains(&priority.as_str()) {
                return Err(not_allowed("priority", priority, PRIORITIES));
            }
            body["priority"] = json!(priority);
        }
        for key in ["component", "milestone", "version"] {
            if let Some(name) = draft.fields.get(key).and_then(Value::as_str) {
                body[key] = json!({ "name": name });
            }
        }
        if let Some(account) = draft.assignees.first() {
            body["assignee"] = json!({ "account_id": account });
        }
        let issue = self.call(self.request("POST", self.issues_url()).json(&body), true)?;
        Ok(self.ticket(&issue))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({
            "title": Self::title(draft),
            "content": {"raw": draft.body, "markup": "markdown"},
        });
        let issue = self.call(
            self.request("PUT", self.issue_url(ticket_id)).json(&body),
            true,
        )?;
        Ok(self.ticket(&issue))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let issue = self.call(self.request("GET", self.issue_url(ticket_id)), false)?;
        Ok(self.state(&issue))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let mapped = status_map::names_for(&self.base.provider.status_map, target)
            .into_iter()
            .map(str::to_ascii_lowercase)
            .find(|name| STATES.contains(&name.as_str()));
        let state = mapped.unwrap_or_else(|| {
            match target {
                NormalState::Open | NormalState::InProgress => "open",
                NormalState::Done => "resolved",
                NormalState::WontFix => "wontfix",
            }
            .to_owned()
        });
        let issue = self.call(
            self.request("PUT", self.issue_url(ticket_id))
                .json(&json!({ "state": state })),
            true,
        )?;
        Ok(self.state(&issue))
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let issues = self.issues_url();
        let issues = issues.path();
        match call {
            PlannedCall::Lookup(draft) => {
                format!("GET {issues} (q=title ~ \"{}\")", draft.fingerprint_label)
            }
            PlannedCall::Create(_) => format!("POST {issues} in {}", self.repo),
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => {
                format!("PUT {}", self.issue_url(id).path())
            }
        }
    }
}

/// A mapping value Bitbucket would refuse, caught before anything is sent.
fn not_allowed(field: &str, value: &str, allowed: &[&str]) -> Failure {
    Failure::Mapping {
        status: 0,
        fields: vec![field.to_owned()],
        detail: format!(
            "Bitbucket's {field} must be one of {}, not {value:?}",
            allowed.join(", ")
        ),
    }
}
