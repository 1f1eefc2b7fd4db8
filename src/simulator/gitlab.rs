//! GitLab as the simulator serves it, under `/api/v4/`: `/user`, `/projects/:id`, and a
//! project's issues (create, label-filtered list, get, edit with `state_event`). Projects are
//! named by numeric id or URL-encoded path; any name exists. Errors have GitLab's shapes.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let ["api", "v4", rest @ ..] = seg.as_slice() else {
        return None;
    };
    if req.header("private-token") != Some(SIM_TOKEN)
        && req.header("authorization") != Some(&format!("Bearer {SIM_TOKEN}"))
    {
        return Some(Reply::json(401, json!({"message": "401 Unauthorized"})));
    }
    Some(match (req.method.as_str(), rest) {
        ("GET", ["user"]) => Reply::json(
            200,
            json!({"id": 7, "username": "sim-bot", "name": "Sim Bot", "state": "active"}),
        ),
        ("GET", ["projects", project]) => Reply::json(
            200,
            json!({
                "id": 42, "path_with_namespace": project, "issues_enabled": true,
                "web_url": format!("https://gitlab.example/{project}"),
                "permissions": {"project_access": {"access_level": 30}, "group_access": null},
            }),
        ),
        ("GET", ["projects", project, "issues"]) => list(req, state, project),
        ("POST", ["projects", project, "issues"]) => create(req, state, project),
        ("GET", ["projects", project, "issues", iid]) => match find(state, project, iid) {
            Some(t) => Reply::json(200, issue_json(t)),
            None => Reply::json(404, json!({"message": "404 Not found"})),
        },
        ("PUT", ["projects", project, "issues", iid]) => edit(req, state, project, iid),
        _ => Reply::json(404, json!({"error": "404 Not Found"})),
    })
}

fn find<'a>(state: &'a mut SimState, project: &str, iid: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "gitlab" && t.destination == project && t.id == iid)
}

fn issue_json(t: &SimTicket) -> Value {
    json!({
        "id": t.extra["global_id"],
        "iid": t.id.parse::<u64>().unwrap_or(0),
        "title": t.title, "description": t.body, "state": t.state, "labels": t.labels,
        "web_url": format!("https://gitlab.example/{}/-/issues/{}", t.destination, t.id),
        "assignees": t.extra["assignee_ids"],
    })
}

/// A comma-separated label list as GitLab reads it.
fn label_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn list(req: &SimRequest, state: &SimState, project: &str) -> Reply {
    let wanted = label_list(&json!(req.param("labels").unwrap_or_default()));
    let state_filter = req.param("state").unwrap_or_else(|| "all".into());
    if !["all", "opened", "closed"].contains(&state_filter.as_str()) {
        return Reply::json(400, json!({"error": "state does not have a valid value"}));
    }
    let per_page: usize = req
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let page: usize = req
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let issues: Vec<Value> = state
        .tickets_of("gitlab", project)
        .filter(|t| wanted.iter().all(|w| t.labels.contains(w)))
        .filter(|t| state_filter == "all" || t.state == state_filter)
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(issue_json)
        .collect();
    Reply::json(200, Value::Array(issues))
}

fn create(req: &SimRequest, state: &mut SimState, project: &str) -> Reply {
    let body = req.json();
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return Reply::json(400, json!({"error": "title is missing"}));
    };
    if title.chars().count() > 255 {
        return Reply::json(
            400,
            json!({"message": {"title": ["is too long (maximum is 255 characters)"]}}),
        );
    }
    if !body["assignee_ids"].is_null()
        && !body["assignee_ids"]
            .as_array()
            .is_some_and(|ids| ids.iter().all(Value::is_u64))
    {
        return Reply::json(400, json!({"error": "assignee_ids is invalid"}));
    }
    let iid = state.tickets_of("gitlab", project).count() + 1;
    let global_id = state.next_number() + 1000;
    let ticket = SimTicket {
        kind: "gitlab",
        destination: project.to_owned(),
        id: iid.to_string(),
        title: title.to_owned(),
        body: body["description"].as_str().unwrap_or_default().to_owned(),
        labels: label_list(&body["labels"]),
        state: "opened".into(),
        extra: json!({"global_id": global_id, "assignee_ids": body["assignee_ids"], "request": body}),
    };
    let reply = Reply::json(201, issue_json(&ticket));
    state.tickets.push(ticket);
    reply
}

fn edit(req: &SimRequest, state: &mut SimState, project: &str, iid: &str) -> Reply {
    let body = req.json();
    let Some(t) = find(state, project, iid) else {
        return Reply::json(404, json!({"message": "404 Not found"}));
    };
    if let Some(title) = body["title"].as_str() {
        t.title = title.to_owned();
    }
    if let Some(description) = body["description"].as_str() {
        t.body = description.to_owned();
    }
    if !body["labels"].is_null() {
        t.labels = label_list(&body["labels"]);
    }
    for label in label_list(&body["add_labels"]) {
        if !t.labels.contains(&label) {
            t.labels.push(label);
        }
    }
    let remove = label_list(&body["remove_labels"]);
    t.labels.retain(|l| !remove.contains(l));
    match body["state_event"].as_str() {
        Some("close") => t.state = "closed".into(),
        Some("reopen") => t.state = "opened".into(),
        Some(_) => {
            return Reply::json(
                400,
                json!({"error": "state_event does not have a valid value"}),
            );
        }
        None => {}
    }
    Reply::json(200, issue_json(t))
}
