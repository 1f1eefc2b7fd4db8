//! ClickUp as the simulator serves it under `/api/v2/`: the user, lists with their statuses,
//! tasks with tag and custom-field filters and pages, and `{"err", "ECODE"}` errors. Every
//! numeric list id exists, with the statuses "to do", "in progress", "cancelled", "complete".

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

const KIND: &str = "clickup";
/// Each list's statuses: name and ClickUp type.
const STATUSES: [(&str, &str); 4] = [
    ("to do", "open"),
    ("in progress", "custom"),
    ("cancelled", "done"),
    ("complete", "closed"),
];
const PAGE: usize = 100;

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    if seg.len() < 3 || seg[0] != "api" || seg[1] != "v2" {
        return None;
    }
    // Personal tokens go bare in `Authorization`; a missing header is a 400 with an OAUTH code.
    match req.header("authorization") {
        None => return Some(error(400, "Authorization header required", "OAUTH_017")),
        Some(t) if t != SIM_TOKEN => return Some(error(401, "Token invalid", "OAUTH_025")),
        Some(_) => {}
    }
    let seg: Vec<&str> = seg[2..].iter().map(String::as_str).collect();
    Some(match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["user"]) => Reply::json(
            200,
            json!({"user": {"id": 1, "username": "sim-bot", "email": "sim@example.com"}}),
        ),
        ("GET", ["list", id]) => match valid_list(id) {
            Ok(()) => Reply::json(200, list_json(id)),
            Err(reply) => reply,
        },
        ("GET", ["list", id, "task"]) => match valid_list(id) {
            Ok(()) => list_tasks(req, state, id),
            Err(reply) => reply,
        },
        ("POST", ["list", id, "task"]) => match valid_list(id) {
            Ok(()) => create(req, state, id),
            Err(reply) => reply,
        },
        ("GET", ["task", id]) => match find(state, id) {
            Some(t) => Reply::json(200, task_json(t, markdown(req))),
            None => error(400, "Task ID invalid", "INPUT_004"),
        },
        ("PUT", ["task", id]) => update(req, state, id),
        _ => error(404, "Route not found", ""),
    })
}

/// An error in ClickUp's shape. Codes are the ones seen from ClickUp (OAUTH_017, OAUTH_025,
/// INPUT_003 to INPUT_005); where ClickUp's code is not known, none is invented.
fn error(status: u16, err: &str, ecode: &str) -> Reply {
    if ecode.is_empty() {
        return Reply::json(status, json!({"err": err}));
    }
    Reply::json(status, json!({"err": err, "ECODE": ecode}))
}

fn valid_list(id: &str) -> Result<(), Reply> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(error(400, "List ID invalid", "INPUT_003"))
    }
}

fn list_json(id: &str) -> Value {
    let statuses: Vec<Value> = STATUSES
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| json!({"status": name, "type": kind, "orderindex": i}))
        .collect();
    json!({"id": id, "name": format!("List {id}"), "statuses": statuses})
}

fn status_type(name: &str) -> Option<&'static str> {
    STATUSES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, k)| *k)
}

fn markdown(req: &SimRequest) -> bool {
    req.param("include_markdown_description").as_deref() == Some("true")
}

fn find<'a>(state: &'a mut SimState, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == KIND && t.id == id)
}

/// The plain `description` is ClickUp's text rendering of the Markdown, which drops HTML
/// comments; only `markdown_description` keeps them.
fn rendered(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..].split_once("-->").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

fn task_json(t: &SimTicket, with_markdown: bool) -> Value {
    let mut task = json!({
        "id": t.id, "name": t.title, "description": rendered(&t.body), "text_content": rendered(&t.body),
        "status": {"status": t.state, "type": status_type(&t.state).unwrap_or("custom")},
        "tags": t.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "priority": t.extra["priority"], "custom_fields": t.extra["custom_fields"],
        "list": {"id": t.destination}, "url": format!("https://app.clickup.com/t/{}", t.id),
    });
    if with_markdown {
        task["markdown_description"] = json!(t.body);
    }
    task
}

fn matches_fields(t: &SimTicket, filters: &Value) -> bool {
    filters.as_array().into_iter().flatten().all(|f| {
        let value = f["value"].as_str().unwrap_or_default();
        let field = t.extra["custom_fields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == f["field_id"])
            .and_then(|c| c["value"].as_str());
        match (f["operator"].as_str(), field) {
            (Some("=="), Some(v)) => v == value,
            (Some("="), Some(v)) => v.contains(value),
            _ => false,
        }
    })
}

fn list_tasks(req: &SimRequest, state: &SimState, list: &str) -> Reply {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(req.query.as_bytes())
        .into_owned()
        .collect();
    let tags: Vec<&String> = params
        .iter()
        .filter(|(k, _)| k == "tags[]" || k == "tags")
        .map(|(_, v)| v)
        .collect();
    let filters = match req.param("custom_fields") {
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(_) => return error(400, "Custom field filter invalid", ""),
        },
        None => Value::Null,
    };
    let closed = req.param("include_closed").as_deref() == Some("true");
    let page: usize = req.param("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let matching: Vec<&SimTicket> = state
        .tickets_of(KIND, list)
        .filter(|t| tags.is_empty() || tags.iter().any(|g| t.labels.contains(g)))
        .filter(|t| filters.is_null() || matches_fields(t, &filters))
        .filter(|t| closed || status_type(&t.state) != Some("closed"))
        .collect();
    let tasks: Vec<Value> = matching
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|t| task_json(t, markdown(req)))
        .collect();
    let last_page = (page + 1) * PAGE >= matching.len();
    Reply::json(200, json!({"tasks": tasks, "last_page": last_page}))
}

fn create(req: &SimRequest, state: &mut SimState, list: &str) -> Reply {
    let body = req.json();
    let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) else {
        return error(400, "Task name invalid", "INPUT_005");
    };
    if !(body["priority"].is_null()
        || body["priority"]
            .as_u64()
            .is_some_and(|p| (1..=4).contains(&p)))
    {
        return error(400, "Priority invalid", "");
    }
    let status = match body["status"].as_str() {
        None => STATUSES[0].0.to_owned(),
        Some(s) => match status_type(s) {
            Some(_) => s.to_ascii_lowercase(),
            None => return error(400, "Status does not exist", ""),
        },
    };
    let custom_fields: Vec<Value> = body["custom_fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| json!({"id": f["id"], "value": f["value"]}))
        .collect();
    let n = state.next_number();
    let ticket = SimTicket {
        kind: KIND,
        destination: list.to_owned(),
        id: format!("86c{n:04}"),
        title: name.to_owned(),
        body: body["markdown_content"]
            .as_str()
            .or(body["description"].as_str())
            .unwrap_or_default()
            .to_owned(),
        // ClickUp keeps tag names in lower case.
        labels: super::github::strings(&body["tags"])
            .iter()
            .map(|t| t.to_lowercase())
            .collect(),
        state: status,
        extra: json!({"priority": body["priority"], "custom_fields": custom_fields, "assignees": body["assignees"]}),
    };
    let reply = Reply::json(200, task_json(&ticket, false));
    state.tickets.push(ticket);
    reply
}

fn update(req: &SimRequest, state: &mut SimState, id: &str) -> Reply {
    let body = req.json();
    let Some(t) = find(state, id) else {
        return error(400, "Task ID invalid", "INPUT_004");
    };
    if let Some(status) = body["status"].as_str() {
        if status_type(status).is_none() {
            return error(400, "Status does not exist", "");
        }
        t.state = status.to_ascii_lowercase();
    }
    if let Some(name) = body["name"].as_str() {
        t.title = name.to_owned();
    }
    if let Some(text) = body["markdown_content"].as_str() {
        t.body = text.to_owned();
    }
    Reply::json(200, task_json(t, false))
}
