//! YouTrack as the simulator serves it under `/api/`: the current user, projects and their State
//! bundle, tags, issues with a `tag:` query, and commands. Projects `SEC` and `OPS` exist.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

const KIND: &str = "youtrack";
const PROJECTS: [(&str, &str); 2] = [("0-1", "SEC"), ("0-2", "OPS")];
const STATES: [(&str, bool); 7] = [
    ("Submitted", false),
    ("Open", false),
    ("In Progress", false),
    ("Fixed", true),
    ("Verified", true),
    ("Won't fix", true),
    ("Duplicate", true),
];
const PRIORITIES: [&str; 5] = ["Show-stopper", "Critical", "Major", "Normal", "Minor"];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    // `/api/` is shared with GitLab (`/api/v4`), GHES (`/api/v3`), ClickUp (`/api/v2`) and
    // Asana (`/api/1.0`): YouTrack's resources never start with a version.
    let versioned = seg.get(1).is_some_and(|s| {
        s == "1.0" || (s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit()))
    });
    if seg.first().is_none_or(|s| s != "api") || seg.len() < 2 || versioned {
        return None;
    }
    if req.header("authorization") != Some(&format!("Bearer {SIM_TOKEN}")) {
        return Some(error(401, "Unauthorized", "You are not logged in."));
    }
    let seg: Vec<&str> = seg[1..].iter().map(String::as_str).collect();
    Some(match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["users", "me"]) => Reply::json(
            200,
            json!({"login": "sim-bot", "fullName": "Sim Bot", "$type": "Me"}),
        ),
        ("GET", ["admin", "projects"]) => projects(req),
        ("GET", ["admin", "projects", id, "customFields"]) => custom_fields(id),
        ("GET", ["tags"]) => tags(req, state),
        ("POST", ["tags"]) => match req.json()["name"].as_str() {
            Some(name) if !name.is_empty() => Reply::json(200, tag_json(name)),
            _ => error(400, "bad_request", "Tag name is required"),
        },
        ("GET", ["issues"]) => query(req, state),
        ("POST", ["issues"]) => create(req, state),
        ("GET", ["issues", id]) => match find(state, id) {
            Some(t) => Reply::json(200, issue_json(t, true)),
            None => not_found(id),
        },
        ("POST", ["issues", id]) => update(req, state, id),
        ("POST", ["commands"]) => command(req, state),
        _ => error(404, "Not Found", &format!("no resource {}", req.path)),
    })
}

fn error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

fn not_found(id: &str) -> Reply {
    error(404, "Not Found", &format!("Entity with id {id} not found"))
}

fn projects(req: &SimRequest) -> Reply {
    let skip: usize = req.param("$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
    let top: usize = req.param("$top").and_then(|s| s.parse().ok()).unwrap_or(42);
    let list: Vec<Value> = PROJECTS
        .iter()
        .skip(skip)
        .take(top)
        .map(|(id, short)| json!({"id": id, "shortName": short, "$type": "Project"}))
        .collect();
    Reply::json(200, Value::Array(list))
}

fn custom_fields(project_id: &str) -> Reply {
    if !PROJECTS.iter().any(|(id, _)| *id == project_id) {
        return not_found(project_id);
    }
    let values: Vec<Value> = STATES
        .iter()
        .map(|(name, resolved)| json!({"name": name, "isResolved": resolved}))
        .collect();
    let priorities: Vec<Value> = PRIORITIES.iter().map(|p| json!({"name": p})).collect();
    Reply::json(
        200,
        json!([
            {"field": {"name": "Priority"}, "bundle": {"values": priorities}},
            {"field": {"name": "State"}, "bundle": {"values": values}, "$type": "StateProjectCustomField"},
        ]),
    )
}

/// Tag ids encode the name, so tags need no store of their own: a tag exists once created.
fn tag_json(name: &str) -> Value {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    json!({"id": format!("6-{hex}"), "name": name, "$type": "Tag"})
}

fn tag_name(id: &str) -> Option<String> {
    let hex = id.strip_prefix("6-")?;
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

fn tags(req: &SimRequest, state: &SimState) -> Reply {
    let wanted = req.param("query").unwrap_or_default();
    let mut names: Vec<&String> = state
        .tickets
        .iter()
        .filter(|t| t.kind == KIND)
        .flat_map(|t| t.labels.iter())
        .filter(|l| l.contains(&wanted))
        .collect();
    names.sort();
    names.dedup();
    Reply::json(
        200,
        json!(names.iter().map(|n| tag_json(n)).collect::<Vec<_>>()),
    )
}

fn find<'a>(state: &'a mut SimState, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == KIND && (t.id == id || t.extra["dbId"] == id))
}

fn resolved(name: &str) -> bool {
    STATES.iter().any(|(n, r)| *n == name && *r)
}

fn issue_json(t: &SimTicket, custom_fields: bool) -> Value {
    let mut issue = json!({
        "id": t.extra["dbId"], "idReadable": t.id, "summary": t.title,
        "description": t.body, "$type": "Issue",
        "tags": t.labels.iter().map(|l| json!({"name": l, "$type": "Tag"})).collect::<Vec<_>>(),
    });
    if custom_fields {
        issue["customFields"] = json!([
            {"name": "State", "$type": "StateIssueCustomField",
             "value": {"name": t.state, "isResolved": resolved(&t.state)}},
            {"name": "Priority", "$type": "SingleEnumIssueCustomField",
             "value": t.extra["priority"].as_str().map(|p| json!({"name": p}))},
        ]);
    }
    issue
}

/// The value after `key:` in a query or command, braced (`{a b}`) or up to the next space.
fn value_after(text: &str, key: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&format!("{key}:"))? + key.len() + 1;
    let rest = text[at..].trim_start();
    Some(match rest.strip_prefix('{') {
        Some(braced) => braced.split('}').next().unwrap_or_default().to_owned(),
        None => rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

fn query(req: &SimRequest, state: &SimState) -> Reply {
    let q = req.param("query").unwrap_or_default();
    let project = value_after(&q, "project");
    let tag = value_after(&q, "tag");
    let issues: Vec<Value> = state
        .tickets
        .iter()
        .filter(|t| t.kind == KIND)
        .filter(|t| {
            project
                .as_deref()
                .is_none_or(|p| t.destination.eq_ignore_ascii_case(p))
        })
        .filter(|t| {
            tag.as_deref()
                .is_none_or(|g| t.labels.iter().any(|l| l == g))
        })
        .map(|t| issue_json(t, false))
        .collect();
    Reply::json(200, Value::Array(issues))
}

fn create(req: &SimRequest, state: &mut SimState) -> Reply {
    let body = req.json();
    let Some((_, short)) = PROJECTS
        .iter()
        .find(|(id, _)| body["project"]["id"].as_str() == Some(id))
    else {
        return error(400, "bad_request", "Project is required");
    };
    let Some(summary) = body["summary"].as_str().filter(|s| !s.trim().is_empty()) else {
        return error(400, "bad_request", "Summary is required");
    };
    let mut labels = Vec::new();
    for tag in body["tags"].as_array().into_iter().flatten() {
        match tag["id"].as_str().and_then(tag_name) {
            Some(name) => labels.push(name),
            None if tag["id"].is_null() => {
                return error(
                    400,
                    "bad_request",
                    "YouTrack is unable to locate an Tag-type entity unless its ID is also provided",
                );
            }
            None => return not_found(tag["id"].as_str().unwrap_or_default()),
        }
    }
    let mut priority = Value::Null;
    for field in body["customFields"].as_array().into_iter().flatten() {
        let value = field["value"]["name"].as_str().unwrap_or_default();
        if field["name"] == "Priority" {
            if !PRIORITIES.contains(&value) {
                return error(
                    400,
                    "bad_request",
                    &format!("Unknown value for field Priority: {value}"),
                );
            }
            priority = json!(value);
        }
    }
    let n = state.next_number();
    let ticket = SimTicket {
        kind: KIND,
        destination: short.to_string(),
        id: format!("{short}-{n}"),
        title: summary.to_owned(),
        body: body["description"].as_str().unwrap_or_default().to_owned(),
        labels,
        state: "Submitted".into(),
        extra: json!({"dbId": format!("2-{n}"), "priority": priority}),
    };
    // Without `fields`, YouTrack answers with the database id alone.
    let reply = if req.param("fields").is_some() {
        issue_json(&ticket, false)
    } else {
        json!({"id": ticket.extra["dbId"], "$type": "Issue"})
    };
    state.tickets.push(ticket);
    Reply::json(200, reply)
}

fn update(req: &SimRequest, state: &mut SimState, id: &str) -> Reply {
    let body = req.json();
    let Some(t) = find(state, id) else {
        return not_found(id);
    };
    if let Some(summary) = body["summary"].as_str() {
        t.title = summary.to_owned();
    }
    if let Some(description) = body["description"].as_str() {
        t.body = description.to_owned();
    }
    Reply::json(200, issue_json(t, false))
}

fn command(req: &SimRequest, state: &mut SimState) -> Reply {
    let body = req.json();
    let query = body["query"].as_str().unwrap_or_default().to_owned();
    let ids: Vec<String> = body["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["idReadable"]
                .as_str()
                .or(i["id"].as_str())
                .map(str::to_owned)
        })
        .collect();
    let new_state = match value_after(&query, "state") {
        Some(s) => match STATES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&s)) {
            Some((name, _)) => Some(name.to_string()),
            None => return error(400, "bad_request", &format!("Unknown command: {query}")),
        },
        None if query.to_ascii_lowercase().starts_with("tag ") => None,
        None => return error(400, "bad_request", &format!("Unknown command: {query}")),
    };
    for id in &ids {
        let Some(t) = find(state, id) else {
            return not_found(id);
        };
        match &new_state {
            Some(s) => t.state = s.clone(),
            None => t.labels.push(query[4..].trim().to_owned()),
        }
    }
    Reply::json(200, json!({"query": query, "$type": "CommandList"}))
}
