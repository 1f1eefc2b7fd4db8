//! Bitbucket Cloud as the simulator serves it: `/2.0/user`, `/2.0/repositories/{ws}/{slug}`,
//! and its issues, with BBQL `title ~ "…"` filtering and Bitbucket's error shapes.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SIM_USER, SimRequest, SimState, SimTicket};
use crate::providers::http::basic_auth;

const KINDS: &[&str] = &["bug", "enhancement", "proposal", "task"];
const PRIORITIES: &[&str] = &["trivial", "minor", "major", "critical", "blocker"];
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

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    if seg.first().map(String::as_str) != Some("2.0") {
        return None;
    }
    if req.header("authorization") != Some(&basic_auth(SIM_USER, SIM_TOKEN)) {
        // Bitbucket answers bad credentials in plain text, with the realm.
        let mut reply = Reply::text(
            401,
            "Login failed due to incorrect login credentials or method.",
        );
        reply.headers.push((
            "www-authenticate".into(),
            "Basic realm=\"Bitbucket.org HTTP\"".into(),
        ));
        return Some(reply);
    }
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    Some(match (req.method.as_str(), &seg[1..]) {
        ("GET", ["user"]) => Reply::json(
            200,
            json!({"type": "user", "display_name": "Sim Bot", "nickname": "sim-bot", "account_id": "557058:sim"}),
        ),
        ("GET", ["repositories", ws, slug]) => Reply::json(
            200,
            json!({"type": "repository", "full_name": format!("{ws}/{slug}"), "has_issues": true}),
        ),
        ("GET", ["repositories", ws, slug, "issues"]) => list(req, state, &format!("{ws}/{slug}")),
        ("POST", ["repositories", ws, slug, "issues"]) => {
            create(req, state, &format!("{ws}/{slug}"))
        }
        ("GET", ["repositories", ws, slug, "issues", id]) => {
            match find(state, &format!("{ws}/{slug}"), id) {
                Some(t) => Reply::json(200, issue_json(t)),
                None => not_found(),
            }
        }
        ("PUT", ["repositories", ws, slug, "issues", id]) => {
            update(req, state, &format!("{ws}/{slug}"), id)
        }
        _ => not_found(),
    })
}

fn error(status: u16, message: &str, fields: Option<Value>) -> Reply {
    let mut err = json!({"message": message});
    if let Some(f) = fields {
        err["fields"] = f;
    }
    Reply::json(status, json!({"type": "error", "error": err}))
}

fn not_found() -> Reply {
    error(404, "Resource not found", None)
}

fn find<'a>(state: &'a mut SimState, repo: &str, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "bitbucket" && t.destination == repo && t.id == id)
}

fn issue_json(t: &SimTicket) -> Value {
    json!({
        "type": "issue",
        "id": t.id.parse::<u64>().unwrap_or(0),
        "title": t.title,
        "content": {"raw": t.body, "markup": "markdown"},
        "state": t.state,
        "kind": t.extra["kind"],
        "priority": t.extra["priority"],
        "links": {"html": {"href": format!("https://bitbucket.org/{}/issues/{}", t.destination, t.id)}},
    })
}

/// BBQL, just enough: `title ~ "text"` (case-insensitive contains); anything else is refused
/// the way Bitbucket refuses a query it cannot parse.
fn list(req: &SimRequest, state: &SimState, repo: &str) -> Reply {
    let needle = match req.param("q") {
        None => None,
        Some(q) => match q
            .strip_prefix("title ~ \"")
            .and_then(|r| r.strip_suffix('"'))
        {
            Some(n) => Some(n.to_lowercase()),
            None => return error(400, &format!("Invalid query: {q}"), None),
        },
    };
    let values: Vec<Value> = state
        .tickets_of("bitbucket", repo)
        .filter(|t| {
            needle
                .as_ref()
                .is_none_or(|n| t.title.to_lowercase().contains(n))
        })
        .map(issue_json)
        .collect();
    Reply::json(
        200,
        json!({"size": values.len(), "page": 1, "pagelen": 50, "values": values}),
    )
}

fn enum_error(field: &str, value: &Value, allowed: &[&str]) -> Option<Reply> {
    let v = value.as_str()?;
    (!allowed.contains(&v)).then(|| {
        error(
            400,
            "Bad request",
            Some(json!({ field: [format!("\"{v}\" is not a valid choice.")] })),
        )
    })
}

fn create(req: &SimRequest, state: &mut SimState, repo: &str) -> Reply {
    let body = req.json();
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return error(
            400,
            "Bad request",
            Some(json!({"title": ["This field is required."]})),
        );
    };
    if title.chars().count() > 255 {
        return error(
            400,
            "Bad request",
            Some(json!({"title": ["Ensure this value has at most 255 characters."]})),
        );
    }
    if let Some(reply) = enum_error("kind", &body["kind"], KINDS)
        .or_else(|| enum_error("priority", &body["priority"], PRIORITIES))
    {
        return reply;
    }
    let id = state.next_number();
    let ticket = SimTicket {
        kind: "bitbucket",
        destination: repo.to_owned(),
        id: id.to_string(),
        title: title.to_owned(),
        body: body["content"]["raw"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        labels: Vec::new(),
        state: "new".into(),
        extra: json!({"kind": body["kind"].as_str().unwrap_or("bug"), "priority": body["priority"].as_str().unwrap_or("major")}),
    };
    let reply = Reply::json(201, issue_json(&ticket));
    state.tickets.push(ticket);
    reply
}

fn update(req: &SimRequest, state: &mut SimState, repo: &str, id: &str) -> Reply {
    let body = req.json();
    if let Some(reply) = enum_error("state", &body["state"], STATES) {
        return reply;
    }
    let Some(t) = find(state, repo, id) else {
        return not_found();
    };
    if let Some(title) = body["title"].as_str() {
        t.title = title.to_owned();
    }
    if let Some(raw) = body["content"]["raw"].as_str() {
        t.body = raw.to_owned();
    }
    if let Some(s) = body["state"].as_str() {
        t.state = s.to_owned();
    }
    Reply::json(200, issue_json(t))
}
