//! Jira as the simulator serves it: Cloud REST v3 under `/rest/api/3/` (Basic e-mail and
//! token, Atlassian Document descriptions) and Data Center REST v2 under `/rest/api/2/`
//! (Bearer token, string descriptions), with one workflow for every project:
//! To Do (new), In Progress (indeterminate), Done (done, resolution required on the way in)
//! and Accepted Risk (done, no screen).

use base64::Engine as _;
use serde_json::{Value, json};

use super::github::strings;
use super::{Reply, SIM_TOKEN, SIM_USER, SimRequest, SimState, SimTicket};

/// (status, category) of the simulated workflow.
const STATUSES: &[(&str, &str)] = &[
    ("To Do", "new"),
    ("In Progress", "indeterminate"),
    ("Done", "done"),
    ("Accepted Risk", "done"),
];
/// (id, name, target status) of the simulated workflow's global transitions.
const TRANSITIONS: &[(&str, &str, &str)] = &[
    ("11", "To Do", "To Do"),
    ("21", "Start progress", "In Progress"),
    ("31", "Done", "Done"),
    ("41", "Accept risk", "Accepted Risk"),
];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    let (cloud, rest) = match seg.as_slice() {
        ["rest", "api", "3", rest @ ..] => (true, rest),
        ["rest", "api", "2", rest @ ..] => (false, rest),
        _ => return None,
    };
    let expected = if cloud {
        let pair = format!("{SIM_USER}:{SIM_TOKEN}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    } else {
        format!("Bearer {SIM_TOKEN}")
    };
    if req.header("authorization") != Some(expected.as_str()) {
        return Some(Reply::json(
            401,
            json!({"errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {}}),
        ));
    }
    Some(match (req.method.as_str(), rest) {
        ("GET", ["myself"]) if cloud => Reply::json(
            200,
            json!({"accountId": "5b10ac8d82e05b22cc7d4ef5", "emailAddress": SIM_USER, "displayName": "Sim Bot"}),
        ),
        ("GET", ["myself"]) => Reply::json(
            200,
            json!({"name": "sim-bot", "key": "JIRAUSER10000", "displayName": "Sim Bot"}),
        ),
        ("GET", ["project", key]) => Reply::json(
            200,
            json!({"id": "10000", "key": key, "name": format!("Project {key}")}),
        ),
        ("GET", ["mypermissions"]) => Reply::json(
            200,
            json!({"permissions": {
                "CREATE_ISSUES": {"key": "CREATE_ISSUES", "havePermission": true},
                "TRANSITION_ISSUES": {"key": "TRANSITION_ISSUES", "havePermission": true}}}),
        ),
        ("POST", ["issue"]) => create(req, state, cloud),
        ("GET" | "POST", ["search", "jql"]) if cloud => search(req, state, cloud),
        ("GET" | "POST", ["search"]) if cloud => Reply::json(
            410,
            json!({"errorMessages": ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."], "errors": {}}),
        ),
        ("GET" | "POST", ["search"]) => search(req, state, cloud),
        ("GET", ["issue", key]) => match find(state, key) {
            Some(t) => Reply::json(200, issue_json(t, &requested_fields(req))),
            None => not_found(),
        },
        ("PUT", ["issue", key]) => edit(req, state, key, cloud),
        ("GET", ["issue", key, "transitions"]) => match find(state, key) {
            Some(t) => Reply::json(200, transitions(t, req, cloud)),
            None => not_found(),
        },
        ("POST", ["issue", key, "transitions"]) => transition(req, state, key),
        _ => Reply::json(
            404,
            json!({"errorMessages": ["null for uri"], "errors": {}}),
        ),
    })
}

fn not_found() -> Reply {
    Reply::json(
        404,
        json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
    )
}

fn field_errors(errors: Value) -> Reply {
    Reply::json(400, json!({"errorMessages": [], "errors": errors}))
}

fn find<'a>(state: &'a mut SimState, key: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "jira" && t.id == key)
}

fn category(status: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("new", |(_, c)| c)
}

/// The text of a description: an Atlassian Document's text nodes, or the string itself.
fn text_of(description: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        if let Some(text) = node["text"].as_str() {
            out.push_str(text);
        }
        for child in node["content"].as_array().into_iter().flatten() {
            walk(child, out);
        }
        if node["type"] != "text" {
            out.push('\n');
        }
    }
    match description {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            walk(other, &mut out);
            out
        }
    }
}

/// The fields a request asks for (`fields` in the query or the JSON body); all when none.
fn requested_fields(req: &SimRequest) -> Vec<String> {
    let from_body = strings(&req.json()["fields"]);
    if !from_body.is_empty() {
        return from_body;
    }
    req.param("fields")
        .map(|f| f.split(',').map(str::to_owned).collect())
        .unwrap_or_else(|| {
            ["summary", "description", "status", "labels", "resolution"]
                .map(str::to_owned)
                .to_vec()
        })
}

fn issue_json(t: &SimTicket, fields: &[String]) -> Value {
    let all = json!({
        "summary": t.title,
        "description": t.extra["description"],
        "labels": t.labels,
        "status": {"name": t.state, "statusCategory": {"key": category(&t.state)}},
        "resolution": t.extra["resolution"].as_str().map(|r| json!({"name": r})),
        "priority": t.extra["priority"],
        "assignee": t.extra["assignee"],
    });
    let picked: serde_json::Map<String, Value> = fields
        .iter()
        .filter_map(|f| all.get(f).map(|v| (f.clone(), v.clone())))
        .collect();
    let number = t.id.rsplit('-').next().unwrap_or("0");
    json!({"id": format!("1{number:0>4}"), "key": t.id, "fields": picked})
}

fn create(req: &SimRequest, state: &mut SimState, cloud: bool) -> Reply {
    let fields = req.json()["fields"].clone();
    let Some(project) = fields["project"]["key"].as_str().map(str::to_owned) else {
        return field_errors(json!({"project": "Specify a valid project ID or key"}));
    };
    if fields["issuetype"]["name"]
        .as_str()
        .is_none_or(str::is_empty)
    {
        return field_errors(json!({"issuetype": "Specify an issue type"}));
    }
    let Some(summary) = fields["summary"].as_str().filter(|s| !s.is_empty()) else {
        return field_errors(json!({"summary": "You must specify a summary of the issue."}));
    };
    let description = &fields["description"];
    let shape_ok = description.is_null()
        || if cloud {
            description["type"] == "doc"
        } else {
            description.is_string()
        };
    if !shape_ok {
        let expected = if cloud {
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        } else {
            "Operation value must be a string"
        };
        return field_errors(json!({ "description": expected }));
    }
    let labels = strings(&fields["labels"]);
    if let Some(bad) = labels.iter().find(|l| l.contains(' ')) {
        return field_errors(
            json!({"labels": format!("The label '{bad}' contains spaces which is invalid.")}),
        );
    }
    let user_key = if cloud { "accountId" } else { "name" };
    if !fields["assignee"].is_null() && fields["assignee"][user_key].as_str().is_none() {
        return field_errors(json!({"assignee": format!("Specify the user by {user_key}")}));
    }
    let number = state.next_number();
    let key = format!("{project}-{number}");
    let ticket = SimTicket {
        kind: "jira",
        destination: project,
        id: key.clone(),
        title: summary.to_owned(),
        body: text_of(description),
        labels,
        state: "To Do".into(),
        extra: json!({
            "description": description, "resolution": null, "api": if cloud { 3 } else { 2 },
            "priority": fields["priority"], "assignee": fields["assignee"], "fields": fields,
        }),
    };
    state.tickets.push(ticket);
    let api = if cloud { 3 } else { 2 };
    Reply::json(
        201,
        json!({"id": format!("1{number:0>4}"), "key": key, "self": format!("/rest/api/{api}/issue/{key}")}),
    )
}

/// `project = "SEC" AND labels = "fp-…"`: the clauses the clients send, matched exactly.
fn parse_jql(jql: &str) -> Result<Vec<(String, String)>, String> {
    jql.split(" AND ")
        .map(|clause| {
            let (field, value) = clause
                .split_once('=')
                .ok_or_else(|| format!("Error in the JQL Query: '{clause}'"))?;
            let field = field.trim().to_ascii_lowercase();
            if field != "project" && field != "labels" {
                return Err(format!(
                    "Field '{field}' does not exist or you do not have permission to view it."
                ));
            }
            let value = value.trim().trim_matches('"').replace("\\\"", "\"");
            Ok((field, value))
        })
        .collect()
}

fn search(req: &SimRequest, state: &SimState, cloud: bool) -> Reply {
    let body = req.json();
    let jql = body["jql"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| req.param("jql"))
        .unwrap_or_default();
    let clauses = match parse_jql(&jql) {
        Ok(c) => c,
        Err(message) => {
            return Reply::json(400, json!({"errorMessages": [message], "errors": {}}));
        }
    };
    let fields = requested_fields(req);
    let matching: Vec<&SimTicket> = state
        .tickets
        .iter()
        .filter(|t| t.kind == "jira")
        .filter(|t| {
            clauses.iter().all(|(f, v)| match f.as_str() {
                "project" => t.destination.eq_ignore_ascii_case(v),
                _ => t.labels.iter().any(|l| l == v),
            })
        })
        .collect();
    let max = body["maxResults"].as_u64().unwrap_or(50).clamp(1, 100) as usize;
    let total = matching.len();
    // Only the page is rendered: a big project stays cheap to page through.
    let render = |start: usize| -> Vec<Value> {
        matching
            .iter()
            .skip(start)
            .take(max)
            .map(|t| issue_json(t, &fields))
            .collect()
    };
    if cloud {
        // Cloud pages with an opaque token; the simulator's token is the next offset.
        let start: usize = body["nextPageToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let page = render(start);
        let next = start + page.len();
        let mut reply = json!({"issues": page, "isLast": next >= total});
        if next < total {
            reply["nextPageToken"] = json!(next.to_string());
        }
        Reply::json(200, reply)
    } else {
        let start = body["startAt"].as_u64().unwrap_or(0) as usize;
        let page = render(start);
        Reply::json(
            200,
            json!({"startAt": start, "maxResults": max, "total": total, "issues": page}),
        )
    }
}

fn edit(req: &SimRequest, state: &mut SimState, key: &str, cloud: bool) -> Reply {
    let body = req.json();
    let Some(t) = find(state, key) else {
        return not_found();
    };
    let fields = &body["fields"];
    if let Some(summary) = fields["summary"].as_str() {
        t.title = summary.to_owned();
    }
    let description = &fields["description"];
    if !description.is_null() {
        if cloud != description.is_object() {
            return field_errors(json!({"description": "Operation value has the wrong format"}));
        }
        t.body = text_of(description);
        t.extra["description"] = description.clone();
    }
    if fields["labels"].is_array() {
        t.labels = strings(&fields["labels"]);
    }
    for op in body["update"]["labels"].as_array().into_iter().flatten() {
        if let Some(add) = op["add"].as_str()
            && !t.labels.iter().any(|l| l == add)
        {
            t.labels.push(add.to_owned());
        }
        if let Some(remove) = op["remove"].as_str() {
            t.labels.retain(|l| l != remove);
        }
    }
    Reply::empty(204)
}

fn transitions(t: &SimTicket, req: &SimRequest, cloud: bool) -> Value {
    let with_fields = req
        .param("expand")
        .is_some_and(|e| e.contains("transitions.fields"));
    // Cloud's default resolution for "closed without fixing" is "Won't Do", Data Center's
    // "Won't Fix".
    let wont = if cloud { "Won't Do" } else { "Won't Fix" };
    let list: Vec<Value> = TRANSITIONS
        .iter()
        .filter(|(_, _, to)| *to != t.state)
        .map(|(id, name, to)| {
            let mut tr = json!({
                "id": id, "name": name, "hasScreen": *id == "31", "isAvailable": true,
                "to": {"name": to, "statusCategory": {"key": category(to)}},
            });
            if with_fields && *id == "31" {
                tr["fields"] = json!({"resolution": {"required": true, "name": "Resolution",
                    "allowedValues": [{"name": "Done"}, {"name": wont}, {"name": "Duplicate"}]}});
            }
            tr
        })
        .collect();
    json!({"transitions": list})
}

fn transition(req: &SimRequest, state: &mut SimState, key: &str) -> Reply {
    let body = req.json();
    let Some(t) = find(state, key) else {
        return not_found();
    };
    let id = body["transition"]["id"].as_str().unwrap_or_default();
    let Some((id, _, to)) = TRANSITIONS
        .iter()
        .find(|(tid, _, to)| *tid == id && *to != t.state)
    else {
        return field_errors(
            json!({"transition": format!("Transition id '{id}' is not valid for this issue.")}),
        );
    };
    let resolution = body["fields"]["resolution"]["name"].as_str();
    match (*id == "31", resolution) {
        (true, None) => return field_errors(json!({"resolution": "Resolution is required."})),
        (false, Some(_)) => {
            return field_errors(
                json!({"resolution": "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown."}),
            );
        }
        _ => {}
    }
    t.state = (*to).to_owned();
    t.extra["resolution"] = match (category(to), resolution) {
        ("done", Some(r)) => json!(r),
        ("done", None) => json!("Done"),
        _ => Value::Null,
    };
    Reply::empty(204)
}
