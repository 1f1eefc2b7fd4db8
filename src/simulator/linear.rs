//! Linear's GraphQL endpoint as the simulator serves it: `POST /graphql`, dispatched on
//! `operationName` (the Linear client's operations), with variables in JSON. Errors come the
//! way Linear sends them: HTTP 200 (400 for authentication) with `errors[]` and `extensions`.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};

/// The one team: its id and key.
pub const TEAM_ID: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
/// The team's key.
pub const TEAM_KEY: &str = "SEC";
/// The team's workflow: (id, name, type).
pub const STATES: &[(&str, &str, &str)] = &[
    ("st-triage", "Triage", "triage"),
    ("st-backlog", "Backlog", "backlog"),
    ("st-todo", "Todo", "unstarted"),
    ("st-doing", "In Progress", "started"),
    ("st-done", "Done", "completed"),
    ("st-canceled", "Canceled", "canceled"),
];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    if req.path != "/graphql" {
        return None;
    }
    match req.header("authorization") {
        Some(SIM_TOKEN) => {}
        Some(h) if h.starts_with("Bearer ") => {
            return Some(auth_error(
                "It looks like you're trying to use an API key as a Bearer token. Remove the Bearer prefix from the Authorization header.",
            ));
        }
        _ => return Some(auth_error("Authentication required, not authenticated")),
    }
    let body = req.json();
    let op = body["operationName"].as_str().unwrap_or_default();
    let query = body["query"].as_str().unwrap_or_default();
    if op.is_empty() || !query.contains(&format!(" {op}")) {
        return Some(errors(
            400,
            "operationName must name an operation of the document",
            "graphql error",
            "GRAPHQL_VALIDATION_FAILED",
        ));
    }
    let vars = &body["variables"];
    Some(match op {
        "Viewer" => {
            data(json!({"viewer": {"id": "u-1", "name": "Sim Bot", "email": "sim@example.com"}}))
        }
        "TeamByKey" => {
            let key = vars["filter"]["key"]["eq"].as_str().unwrap_or_default();
            let nodes: Vec<Value> = (key == TEAM_KEY)
                .then(|| json!({"id": TEAM_ID, "key": TEAM_KEY, "name": "Security"}))
                .into_iter()
                .collect();
            data(json!({"teams": {"nodes": nodes}}))
        }
        "TeamStates" if vars["id"] == TEAM_ID || vars["id"] == TEAM_KEY => {
            let nodes: Vec<Value> = STATES
                .iter()
                .map(|(id, name, kind)| json!({"id": id, "name": name, "type": kind}))
                .collect();
            data(json!({"team": {"id": TEAM_ID, "key": TEAM_KEY, "states": {"nodes": nodes}}}))
        }
        "TeamStates" => not_found("Team"),
        "IssueCreate" => create(&vars["input"], state),
        "AttachFingerprint" => attach(&vars["input"], state),
        "FingerprintLookup" => {
            let url = vars["url"].as_str().unwrap_or_default();
            let nodes: Vec<Value> = state
                .tickets
                .iter()
                .filter(|t| {
                    t.kind == "linear" && strings(&t.extra["attachments"]).contains(&url.to_owned())
                })
                .map(|t| json!({"url": url, "issue": issue_json(t)}))
                .collect();
            data(json!({"attachmentsForURL": {"nodes": nodes}}))
        }
        "IssueById" => match find(state, vars["id"].as_str().unwrap_or_default()) {
            Some(t) => data(json!({"issue": issue_json(t)})),
            None => not_found("Issue"),
        },
        "IssueUpdate" => update(vars, state),
        other => errors(
            400,
            &format!("Cannot query operation {other}"),
            "graphql error",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    })
}

fn strings(v: &Value) -> Vec<String> {
    super::github::strings(v)
}

fn data(d: Value) -> Reply {
    Reply::json(200, json!({ "data": d }))
}

fn errors(status: u16, message: &str, kind: &str, code: &str) -> Reply {
    Reply::json(
        status,
        json!({"data": null, "errors": [{"message": message, "extensions": {"type": kind, "code": code, "userPresentableMessage": message}}]}),
    )
}

fn auth_error(message: &str) -> Reply {
    errors(400, message, "authentication error", "AUTHENTICATION_ERROR")
}

fn not_found(what: &str) -> Reply {
    Reply::json(
        200,
        json!({"data": null, "errors": [{"message": format!("Entity not found: {what}"), "extensions": {"type": "invalid input", "code": "INPUT_ERROR", "userError": true, "userPresentableMessage": format!("Could not find referenced {what}.")}}]}),
    )
}

fn invalid(property: &str, message: &str) -> Reply {
    Reply::json(
        200,
        json!({"data": null, "errors": [{"message": "Argument Validation Error", "extensions": {"type": "invalid input", "code": "INVALID_INPUT", "userError": true, "userPresentableMessage": message, "validationErrors": [{"property": property, "constraints": {"invalid": message}}]}}]}),
    )
}

fn find<'a>(state: &'a mut SimState, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "linear" && t.id == id)
}

fn issue_json(t: &SimTicket) -> Value {
    let (id, name, kind) = STATES
        .iter()
        .find(|(id, _, _)| *id == t.state)
        .copied()
        .unwrap_or(STATES[0]);
    json!({
        "id": t.id,
        "identifier": t.extra["identifier"],
        "url": format!("https://linear.app/acme/issue/{}", t.extra["identifier"].as_str().unwrap_or_default()),
        "title": t.title,
        "description": t.body,
        "state": {"id": id, "name": name, "type": kind},
        "team": {"id": t.destination},
    })
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

fn create(input: &Value, state: &mut SimState) -> Reply {
    if input["teamId"] != TEAM_ID {
        return invalid("teamId", "teamId must be the id of a team you can access");
    }
    let Some(title) = input["title"].as_str().filter(|t| !t.is_empty()) else {
        return invalid("title", "title should not be empty");
    };
    if !input["priority"].is_null() && input["priority"].as_u64().is_none_or(|p| p > 4) {
        return invalid("priority", "priority must not be greater than 4");
    }
    let number = state.next_number();
    let id = match input["id"].as_str() {
        Some(id) if !is_uuid(id) => return invalid("id", "id must be a UUID"),
        // What Linear answers for a reused id is not documented; the simulator refuses it.
        Some(id) if find(state, id).is_some() => {
            return invalid("id", "An entity with this id already exists");
        }
        Some(id) => id.to_owned(),
        None => format!("00000000-0000-4000-8000-{number:012}"),
    };
    let ticket = SimTicket {
        kind: "linear",
        destination: TEAM_ID.into(),
        id,
        title: title.to_owned(),
        body: input["description"].as_str().unwrap_or_default().to_owned(),
        labels: strings(&input["labelIds"]),
        state: "st-todo".into(),
        extra: json!({"identifier": format!("{TEAM_KEY}-{number}"), "priority": input["priority"], "attachments": []}),
    };
    let reply = data(json!({"issueCreate": {"success": true, "issue": issue_json(&ticket)}}));
    state.tickets.push(ticket);
    reply
}

fn attach(input: &Value, state: &mut SimState) -> Reply {
    let (Some(issue), Some(url)) = (input["issueId"].as_str(), input["url"].as_str()) else {
        return invalid("url", "url and issueId are required");
    };
    if input["title"].as_str().is_none_or(str::is_empty) {
        return invalid("title", "title should not be empty");
    }
    let Some(t) = find(state, issue) else {
        return not_found("Issue");
    };
    // The same URL on the same issue updates the attachment instead of adding one.
    let mut urls = strings(&t.extra["attachments"]);
    if !urls.contains(&url.to_owned()) {
        urls.push(url.to_owned());
    }
    t.extra["attachments"] = json!(urls);
    data(
        json!({"attachmentCreate": {"success": true, "attachment": {"id": format!("att-{issue}"), "url": url}}}),
    )
}

fn update(vars: &Value, state: &mut SimState) -> Reply {
    let input = &vars["input"];
    if let Some(s) = input["stateId"].as_str()
        && !STATES.iter().any(|(id, _, _)| *id == s)
    {
        return invalid("stateId", "stateId must be a state of the issue's team");
    }
    let Some(t) = find(state, vars["id"].as_str().unwrap_or_default()) else {
        return not_found("Issue");
    };
    if let Some(title) = input["title"].as_str() {
        t.title = title.to_owned();
    }
    if let Some(d) = input["description"].as_str() {
        t.body = d.to_owned();
    }
    if let Some(s) = input["stateId"].as_str() {
        t.state = s.to_owned();
    }
    data(json!({"issueUpdate": {"success": true, "issue": issue_json(t)}}))
}
