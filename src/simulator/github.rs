//! GitHub Issues as the simulator serves it: `/user`, `/repos/{o}/{r}`, and issues.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    let is_github = seg.first().is_some_and(|s| s == "repos") || req.path == "/user";
    if !is_github || req.path.starts_with("/api/") {
        return None;
    }
    if req.header("authorization") != Some(&format!("Bearer {SIM_TOKEN}")) {
        return Some(Reply::json(
            401,
            json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
        ));
    }
    if req.header("user-agent").is_none_or(str::is_empty) {
        return Some(Reply::json(
            403,
            json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"}),
        ));
    }
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    Some(match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["user"]) => Reply::json(200, json!({"login": "sim-bot", "id": 1})),
        ("GET", ["repos", o, r]) => Reply::json(
            200,
            json!({"full_name": format!("{o}/{r}"), "has_issues": true, "permissions": {"push": true, "triage": true}}),
        ),
        ("GET", ["repos", o, r, "issues"]) => list(req, state, &format!("{o}/{r}")),
        ("POST", ["repos", o, r, "issues"]) => create(req, state, &format!("{o}/{r}")),
        ("GET", ["repos", o, r, "issues", n]) => match find(state, &format!("{o}/{r}"), n) {
            Some(t) => Reply::json(200, issue_json(t)),
            None => not_found(),
        },
        ("PATCH", ["repos", o, r, "issues", n]) => patch(req, state, &format!("{o}/{r}"), n),
        _ => not_found(),
    })
}

fn not_found() -> Reply {
    Reply::json(404, json!({"message": "Not Found"}))
}

fn find<'a>(state: &'a mut SimState, repo: &str, number: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "github" && t.destination == repo && t.id == number)
}

fn issue_json(t: &SimTicket) -> Value {
    json!({
        "number": t.id.parse::<u64>().unwrap_or(0),
        "html_url": format!("https://github.com/{}/issues/{}", t.destination, t.id),
        "title": t.title, "body": t.body, "state": t.state,
        "state_reason": t.extra["state_reason"],
        "labels": t.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
    })
}

fn list(req: &SimRequest, state: &SimState, repo: &str) -> Reply {
    let wanted: Vec<String> = req
        .param("labels")
        .map(|l| l.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let state_filter = req.param("state").unwrap_or_else(|| "open".into());
    let per_page: usize = req
        .param("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = req
        .param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let issues: Vec<Value> = state
        .tickets_of("github", repo)
        .filter(|t| wanted.iter().all(|w| t.labels.contains(w)))
        .filter(|t| state_filter == "all" || t.state == state_filter)
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(issue_json)
        .collect();
    Reply::json(200, Value::Array(issues))
}

fn create(req: &SimRequest, state: &mut SimState, repo: &str) -> Reply {
    let body = req.json();
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return Reply::json(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}]}),
        );
    };
    if body["body"]
        .as_str()
        .is_some_and(|b| b.chars().count() > 65_536)
    {
        return Reply::json(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "body", "code": "custom", "message": "body is too long"}]}),
        );
    }
    let number = state.next_number();
    let ticket = SimTicket {
        kind: "github",
        destination: repo.to_owned(),
        id: number.to_string(),
        title: title.to_owned(),
        body: body["body"].as_str().unwrap_or_default().to_owned(),
        labels: strings(&body["labels"]),
        state: "open".into(),
        extra: json!({"state_reason": null, "assignees": body["assignees"]}),
    };
    let reply = Reply::json(201, issue_json(&ticket));
    state.tickets.push(ticket);
    reply
}

fn patch(req: &SimRequest, state: &mut SimState, repo: &str, number: &str) -> Reply {
    let body = req.json();
    let Some(t) = find(state, repo, number) else {
        return not_found();
    };
    if let Some(title) = body["title"].as_str() {
        t.title = title.to_owned();
    }
    if let Some(text) = body["body"].as_str() {
        t.body = text.to_owned();
    }
    if body["labels"].is_array() {
        t.labels = strings(&body["labels"]);
    }
    if let Some(s) = body["state"].as_str() {
        if s != t.state {
            t.extra["state_reason"] = body["state_reason"].clone();
        }
        t.state = s.to_owned();
    }
    Reply::json(200, issue_json(t))
}

/// A JSON array of strings as a vector.
pub(super) fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}
