//! Azure DevOps work items as the simulator serves it: `/{org}/{project}/_apis/wit/…`, WIQL at
//! the project (`/{org}/{project}/_apis/wit/wiql`) and at the project's one team, named
//! "{project} Team" unless `SimState::azure_team` renames it
//! (`/{org}/{project}/{team}/_apis/wit/wiql`). Bad credentials get the
//! 203 sign-in page Azure sends; rule errors come as `TF401320` with `RuleValidationException`.

use serde_json::{Map, Value, json};

use super::{Reply, SIM_TOKEN, SimRequest, SimState, SimTicket};
use crate::providers::http::basic_auth;

/// The work item type the simulator knows, and its workflow: (state, category).
pub const TYPE: &str = "Bug";
/// The Bug workflow, with a Removed state so every normalised state has a home.
pub const STATES: &[(&str, &str)] = &[
    ("New", "Proposed"),
    ("Active", "InProgress"),
    ("Resolved", "Resolved"),
    ("Closed", "Completed"),
    ("Removed", "Removed"),
];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    let apis = seg.iter().position(|s| s == "_apis")?;
    if !(2..=3).contains(&apis) || seg.get(apis + 1).map(String::as_str) != Some("wit") {
        return None;
    }
    if req.header("authorization") != Some(&basic_auth("", SIM_TOKEN)) {
        return Some(Reply {
            status: 203,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: "<html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>".into(),
        });
    }
    if req.param("api-version").as_deref() != Some("7.1") {
        return Some(error(
            400,
            "VSS: The api-version parameter is missing or not 7.1",
            "VssVersionOutOfRangeException",
        ));
    }
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    // Links point back at this server, as Azure's point at the host that was called.
    let org = format!(
        "http://{}/{}",
        req.header("host").unwrap_or("localhost"),
        seg[0]
    );
    let (org, project) = (org.as_str(), seg[1]);
    let rest = &seg[apis + 2..];
    Some(match (req.method.as_str(), apis, rest) {
        ("POST", 2, ["wiql"]) => wiql(req, state, project),
        ("POST", 3, ["wiql"])
            if seg[2]
                == state
                    .azure_team
                    .clone()
                    .unwrap_or_else(|| format!("{project} Team")) =>
        {
            wiql(req, state, project)
        }
        ("POST", 3, ["wiql"]) => error(
            404,
            &format!("TF400499: The team {} does not exist.", seg[2]),
            "TeamNotFoundException",
        ),
        (_, 3, _) => not_found(),
        ("GET", _, ["workitemtypes", t]) if *t == TYPE => Reply::json(
            200,
            json!({"name": TYPE, "referenceName": "Microsoft.VSTS.WorkItemTypes.Bug"}),
        ),
        ("GET", _, ["workitemtypes", t, "states"]) if *t == TYPE => Reply::json(
            200,
            json!({"count": STATES.len(), "value": STATES.iter().map(|(n, c)| json!({"name": n, "category": c, "color": "b2b2b2"})).collect::<Vec<_>>()}),
        ),
        ("GET", _, ["workitemtypes", t, ..]) => error(
            404,
            &format!("VS402323: Work item type {t} does not exist in project {project}."),
            "WorkItemTypeNotFoundException",
        ),
        ("POST", _, ["workitems", t]) if t.starts_with('$') => {
            create(req, state, org, project, &t[1..])
        }
        ("GET", _, ["workitems"]) => batch(req, state, org, project),
        ("GET", _, ["workitems", id]) => match find(state, project, id) {
            Some(t) => Reply::json(200, item_json(t, org, req.param("fields").as_deref())),
            None => missing(id),
        },
        ("PATCH", _, ["workitems", id]) => update(req, state, org, project, id),
        _ => not_found(),
    })
}

fn error(status: u16, message: &str, type_key: &str) -> Reply {
    Reply::json(
        status,
        json!({"$id": "1", "innerException": null, "message": message, "typeKey": type_key, "errorCode": 0, "eventId": 3200}),
    )
}

fn not_found() -> Reply {
    error(404, "The resource cannot be found.", "NotFoundException")
}

fn missing(id: &str) -> Reply {
    error(
        404,
        &format!(
            "TF401232: Work item {id} does not exist, or you do not have permissions to read it."
        ),
        "WorkItemUnauthorizedAccessException",
    )
}

fn rule_error(reference: &str, display: &str) -> Reply {
    Reply::json(
        400,
        json!({"$id": "1", "customProperties": {"FieldReferenceName": reference, "FieldStatusFlags": "required, hasValues, limitedToValues", "ErrorMessage": format!("The field '{display}' contains a value that is not in the list of supported values")},
               "innerException": null, "message": format!("TF401320: Rule Error for field {display}. Error code: Required, HasValues, LimitedToValues, InvalidEmpty."),
               "typeName": "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
               "typeKey": "RuleValidationException", "errorCode": 600171, "eventId": 3200}),
    )
}

fn find<'a>(state: &'a mut SimState, project: &str, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "azure-devops" && t.destination == project && t.id == id)
}

fn item_json(t: &SimTicket, org: &str, only: Option<&str>) -> Value {
    let mut fields = t.extra["fields"].as_object().cloned().unwrap_or_default();
    fields.insert("System.Title".into(), json!(t.title));
    fields.insert("System.Description".into(), json!(t.body));
    fields.insert("System.State".into(), json!(t.state));
    fields.insert("System.Tags".into(), json!(t.labels.join("; ")));
    fields.insert("System.WorkItemType".into(), json!(TYPE));
    fields.insert("System.TeamProject".into(), json!(t.destination));
    if let Some(only) = only {
        let wanted: Vec<&str> = only.split(',').collect();
        fields.retain(|k, _| wanted.contains(&k.as_str()));
    }
    let base = format!("{org}/{}", t.destination);
    let mut item = json!({
        "id": t.id.parse::<u64>().unwrap_or(0),
        "rev": t.extra["rev"],
        "fields": fields,
        "url": format!("{base}/_apis/wit/workItems/{}", t.id),
    });
    // Azure leaves `_links` out when `fields` is given (the two cannot be combined).
    if only.is_none() {
        item["_links"] = json!({"html": {"href": format!("{base}/_workitems/edit/{}", t.id)}});
    }
    item
}

/// Applies a JSON Patch document to a field map; the error reply when a rule refuses it.
fn apply(ops: &Value, fields: &mut Map<String, Value>) -> Result<(), Reply> {
    let Some(ops) = ops.as_array() else {
        return Err(error(
            400,
            "VS402449: The body of the request contains invalid Json.",
            "InvalidJsonException",
        ));
    };
    for op in ops {
        let Some(name) = op["path"].as_str().and_then(|p| p.strip_prefix("/fields/")) else {
            return Err(error(
                400,
                "Invalid patch path",
                "PatchOperationFailedException",
            ));
        };
        if !matches!(op["op"].as_str(), Some("add" | "replace")) {
            return Err(error(
                400,
                "Unsupported patch op",
                "PatchOperationFailedException",
            ));
        }
        let value = op["value"].clone();
        match name {
            "Microsoft.VSTS.Common.Priority"
                if value.as_u64().is_none_or(|p| !(1..=4).contains(&p)) =>
            {
                return Err(rule_error(name, "Priority"));
            }
            "System.State" if !STATES.iter().any(|(s, _)| value == *s) => {
                return Err(rule_error(name, "State"));
            }
            _ => {}
        }
        fields.insert(name.to_owned(), value);
    }
    Ok(())
}

fn take_str(fields: &mut Map<String, Value>, name: &str) -> Option<String> {
    fields
        .remove(name)
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn tags(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn create(req: &SimRequest, state: &mut SimState, org: &str, project: &str, kind: &str) -> Reply {
    if req.header("content-type") != Some("application/json-patch+json") {
        return error(
            415,
            "VS403403: Valid content types for this method are: application/json-patch+json.",
            "UnsupportedMediaTypeException",
        );
    }
    if kind != TYPE {
        return error(
            404,
            &format!("VS402323: Work item type {kind} does not exist in project {project}."),
            "WorkItemTypeNotFoundException",
        );
    }
    let mut fields = Map::new();
    if let Err(reply) = apply(&req.json(), &mut fields) {
        return reply;
    }
    let Some(title) = take_str(&mut fields, "System.Title").filter(|t| !t.is_empty()) else {
        return rule_error("System.Title", "Title");
    };
    let id = state.next_number();
    let ticket = SimTicket {
        kind: "azure-devops",
        destination: project.to_owned(),
        id: id.to_string(),
        title,
        body: take_str(&mut fields, "System.Description").unwrap_or_default(),
        labels: tags(&take_str(&mut fields, "System.Tags").unwrap_or_default()),
        state: take_str(&mut fields, "System.State").unwrap_or_else(|| "New".into()),
        extra: json!({"rev": 1, "fields": fields}),
    };
    let reply = Reply::json(200, item_json(&ticket, org, None));
    state.tickets.push(ticket);
    reply
}

fn update(req: &SimRequest, state: &mut SimState, org: &str, project: &str, id: &str) -> Reply {
    if req.header("content-type") != Some("application/json-patch+json") {
        return error(
            415,
            "VS403403: Valid content types for this method are: application/json-patch+json.",
            "UnsupportedMediaTypeException",
        );
    }
    let Some(t) = find(state, project, id) else {
        return missing(id);
    };
    let mut fields = t.extra["fields"].as_object().cloned().unwrap_or_default();
    if let Err(reply) = apply(&req.json(), &mut fields) {
        return reply;
    }
    if let Some(title) = take_str(&mut fields, "System.Title") {
        t.title = title;
    }
    if let Some(d) = take_str(&mut fields, "System.Description") {
        t.body = d;
    }
    if let Some(tg) = take_str(&mut fields, "System.Tags") {
        t.labels = tags(&tg);
    }
    if let Some(s) = take_str(&mut fields, "System.State") {
        t.state = s;
    }
    let rev = t.extra["rev"].as_u64().unwrap_or(1) + 1;
    t.extra = json!({"rev": rev, "fields": fields});
    Reply::json(200, item_json(t, org, None))
}

/// WIQL, just enough: `[System.Tags] CONTAINS '<text>'` within the project.
fn wiql(req: &SimRequest, state: &SimState, project: &str) -> Reply {
    let query = req.json()["query"].as_str().unwrap_or_default().to_owned();
    let Some(needle) = query
        .split("CONTAINS '")
        .nth(1)
        .and_then(|r| r.split('\'').next())
    else {
        return error(
            400,
            "TF51006: The query statement is missing a CONTAINS clause the simulator understands.",
            "QueryException",
        );
    };
    let items: Vec<Value> = state
        .tickets_of("azure-devops", project)
        .filter(|t| t.labels.iter().any(|l| l.contains(needle)))
        .map(|t| json!({"id": t.id.parse::<u64>().unwrap_or(0), "url": format!("/_apis/wit/workItems/{}", t.id)}))
        .collect();
    Reply::json(
        200,
        json!({"queryType": "flat", "queryResultType": "workItem", "columns": [{"referenceName": "System.Id"}], "workItems": items}),
    )
}

fn batch(req: &SimRequest, state: &SimState, org: &str, project: &str) -> Reply {
    let Some(ids) = req.param("ids") else {
        return error(
            400,
            "VS403420: The ids parameter is required.",
            "ArgumentNullException",
        );
    };
    let fields = req.param("fields");
    let value: Vec<Value> = ids
        .split(',')
        .filter_map(|id| {
            state
                .tickets_of("azure-devops", project)
                .find(|t| t.id == id)
        })
        .map(|t| item_json(t, org, fields.as_deref()))
        .collect();
    Reply::json(200, json!({"count": value.len(), "value": value}))
}
