//! Asana as the simulator serves it under `/api/1.0/`: `{"data": …}` bodies, `opt_fields`,
//! offset pagination of a project's tasks, sections, and Asana's `errors` shape. Every numeric
//! project gid exists, in the workspace `1200000000000001`, with the sections in `SECTIONS`.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

const KIND: &str = "asana";
const WORKSPACE: &str = "1200000000000001";
/// Every project's sections: gid and name.
const SECTIONS: [(&str, &str); 3] = [
    ("1400000000000001", "To do"),
    ("1400000000000002", "Doing"),
    ("1400000000000009", "Won't fix"),
];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    if seg.len() < 3 || seg[0] != "api" || seg[1] != "1.0" {
        return None;
    }
    if req.header("authorization") != Some(&format!("Bearer {SIM_TOKEN}")) {
        return Some(error(401, "Not Authorized"));
    }
    let seg: Vec<&str> = seg[2..].iter().map(String::as_str).collect();
    let data = req.json()["data"].clone();
    Some(match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["users", "me"]) => reply(
            req,
            200,
            json!({"gid": "1100", "name": "Sim Bot", "resource_type": "user"}),
        ),
        ("GET", ["projects", gid]) if numeric(gid) => reply(
            req,
            200,
            json!({"gid": gid, "name": format!("Project {gid}"), "resource_type": "project",
                   "archived": false, "workspace": {"gid": WORKSPACE, "resource_type": "workspace"}}),
        ),
        ("GET", ["projects", gid, "tasks"]) if numeric(gid) => list(req, state, gid),
        ("GET", ["projects", gid, "sections"]) if numeric(gid) => {
            let sections: Vec<Value> = SECTIONS
                .iter()
                .map(|(g, n)| {
                    select(
                        req,
                        &json!({"gid": g, "name": n, "resource_type": "section"}),
                    )
                })
                .collect();
            Reply::json(200, json!({"data": sections, "next_page": null}))
        }
        ("POST", ["tasks"]) => create(req, state, &data),
        ("GET", ["tasks", gid]) => match find(state, gid) {
            Some(t) => reply(req, 200, task_json(t)),
            None => unknown("task", gid),
        },
        ("PUT", ["tasks", gid]) => update(req, state, gid, &data),
        ("POST", ["sections", section, "addTask"]) if numeric(section) => {
            let task = data["task"].as_str().unwrap_or_default().to_owned();
            match find(state, &task) {
                Some(t) => {
                    t.extra["sections"] = json!([section]);
                    Reply::json(200, json!({"data": {}}))
                }
                None => error(400, "task: Missing input"),
            }
        }
        (_, [kind, gid, ..]) => unknown(kind.trim_end_matches('s'), gid),
        _ => error(404, "Not Found"),
    })
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"errors": [{"message": message, "help": "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]}),
    )
}

fn unknown(kind: &str, gid: &str) -> Reply {
    error(404, &format!("{kind}: Unknown object: {gid}"))
}

/// Keeps `gid`, `resource_type` and the fields `opt_fields` asks for (by their first part), as
/// Asana does; without `opt_fields`, the compact form.
fn select(req: &SimRequest, full: &Value) -> Value {
    let wanted: Vec<String> = match req.param("opt_fields") {
        Some(fields) => fields
            .split(',')
            .map(|f| f.split('.').next().unwrap_or_default().to_owned())
            .collect(),
        None => vec!["name".into()],
    };
    let mut out = serde_json::Map::new();
    for (k, v) in full.as_object().into_iter().flatten() {
        if k == "gid" || k == "resource_type" || wanted.contains(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

fn reply(req: &SimRequest, status: u16, full: Value) -> Reply {
    Reply::json(status, json!({"data": select(req, &full)}))
}

fn find<'a>(state: &'a mut SimState, gid: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == KIND && t.id == gid)
}

fn task_json(t: &SimTicket) -> Value {
    let memberships: Vec<Value> = t.extra["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| {
            let name = SECTIONS
                .iter()
                .find(|(g, _)| *g == s)
                .map_or_else(|| format!("Section {s}"), |(_, n)| n.to_string());
            json!({"project": {"gid": t.destination}, "section": {"gid": s, "name": name}})
        })
        .collect();
    json!({
        "gid": t.id, "resource_type": "task", "name": t.title, "notes": t.body,
        "completed": t.state == "completed",
        "permalink_url": format!("https://app.asana.com/0/{}/{}", t.destination, t.id),
        "memberships": memberships,
    })
}

fn list(req: &SimRequest, state: &SimState, project: &str) -> Reply {
    let tasks: Vec<&SimTicket> = state.tickets_of(KIND, project).collect();
    let limit = match req.param("limit").map(|l| l.parse::<usize>()) {
        None => tasks.len().max(1),
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return error(400, "limit: Must be between 1 and 100"),
    };
    let start = match req.param("offset") {
        None => 0,
        Some(o) => match o.strip_prefix("o").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return error(400, "offset: Your pagination token is invalid"),
        },
    };
    let page: Vec<Value> = tasks
        .iter()
        .skip(start)
        .take(limit)
        .map(|t| select(req, &task_json(t)))
        .collect();
    let next = start + limit;
    let next_page = if next < tasks.len() {
        json!({"offset": format!("o{next}"), "path": format!("/projects/{project}/tasks?limit={limit}&offset=o{next}")})
    } else {
        Value::Null
    };
    Reply::json(200, json!({"data": page, "next_page": next_page}))
}

fn create(req: &SimRequest, state: &mut SimState, data: &Value) -> Reply {
    let projects: Vec<String> = super::github::strings(&data["projects"]);
    let workspace = data["workspace"].as_str();
    if projects.is_empty() && workspace.is_none() {
        return error(400, "You should specify one of workspace, parent, projects");
    }
    if workspace.is_some_and(|w| w != WORKSPACE) {
        return error(
            400,
            &format!(
                "workspace: Not a recognized ID: {}",
                workspace.unwrap_or_default()
            ),
        );
    }
    if let Some(bad) = projects.iter().find(|p| !numeric(p)) {
        return error(400, &format!("projects: [0]: Not a recognized ID: {bad}"));
    }
    let n = state.next_number();
    let ticket = SimTicket {
        kind: KIND,
        destination: projects.first().cloned().unwrap_or_default(),
        id: format!("130000000000{n:04}"),
        title: data["name"].as_str().unwrap_or_default().to_owned(),
        body: data["notes"].as_str().unwrap_or_default().to_owned(),
        labels: Vec::new(),
        state: "incomplete".into(),
        extra: json!({"sections": [], "assignee": data["assignee"]}),
    };
    let answer = reply(req, 201, task_json(&ticket));
    state.tickets.push(ticket);
    answer
}

fn update(req: &SimRequest, state: &mut SimState, gid: &str, data: &Value) -> Reply {
    let Some(t) = find(state, gid) else {
        return unknown("task", gid);
    };
    if let Some(name) = data["name"].as_str() {
        t.title = name.to_owned();
    }
    if let Some(notes) = data["notes"].as_str() {
        t.body = notes.to_owned();
    }
    if let Some(done) = data["completed"].as_bool() {
        t.state = if done { "completed" } else { "incomplete" }.into();
    }
    let full = task_json(t);
    reply(req, 200, full)
}
