//! Trello as the simulator serves it: `/1/members/me`, boards, their lists and cards, and
//! cards themselves. Errors are plain text, as Trello sends them. There is one board (`BOARD`)
//! with four lists (`LISTS`). Card fields are read from the query string and from a JSON body, as
//! Trello accepts both.

use serde_json::{Value, json};

use super::{Reply, SIM_TOKEN, SIM_USER, SimRequest, SimState, SimTicket};

/// The simulated board's id.
pub const BOARD: &str = "5e00000000000000000000b1";
/// The board's lists: (id, name).
pub const LISTS: &[(&str, &str)] = &[
    ("5f0000000000000000000001", "To Do"),
    ("5f0000000000000000000002", "Doing"),
    ("5f0000000000000000000003", "Done"),
    ("5f0000000000000000000004", "Won't fix"),
];

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    let seg = req.segments();
    if seg.first().map(String::as_str) != Some("1") {
        return None;
    }
    if !authorised(req) {
        return Some(Reply::text(401, "invalid token"));
    }
    let seg: Vec<&str> = seg.iter().map(String::as_str).collect();
    Some(match (req.method.as_str(), &seg[1..]) {
        ("GET", ["members", "me"]) => Reply::json(
            200,
            json!({"id": "5f00000000000000000000aa", "username": "simbot", "fullName": "Sim Bot"}),
        ),
        ("GET", ["boards", id, ..]) if *id != BOARD => Reply::text(400, "invalid id"),
        ("GET", ["boards", id]) => {
            Reply::json(200, json!({"id": id, "name": "Security", "closed": false}))
        }
        ("GET", ["boards", _, "lists"]) => Reply::json(
            200,
            Value::Array(
                LISTS
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect(),
            ),
        ),
        ("GET", ["boards", board, "cards", "all"]) => Reply::json(
            200,
            Value::Array(state.tickets_of("trello", board).map(card_json).collect()),
        ),
        ("POST", ["cards"]) => create(req, state),
        ("GET", ["cards", id]) => match find(state, id) {
            Some(t) => Reply::json(200, card_json(t)),
            None => Reply::text(404, "The requested resource was not found."),
        },
        ("PUT", ["cards", id]) => update(req, state, id),
        _ => Reply::text(404, "Cannot find the requested resource"),
    })
}

/// `Authorization: OAuth oauth_consumer_key="…", oauth_token="…"`, in any order.
fn authorised(req: &SimRequest) -> bool {
    let Some(rest) = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("OAuth "))
    else {
        return false;
    };
    let mut key = None;
    let mut token = None;
    for part in rest.split(',') {
        if let Some((k, v)) = part.trim().split_once('=') {
            let v = v.trim_matches('"');
            match k.trim() {
                "oauth_consumer_key" => key = Some(v.to_owned()),
                "oauth_token" => token = Some(v.to_owned()),
                _ => {}
            }
        }
    }
    key.as_deref() == Some(SIM_USER) && token.as_deref() == Some(SIM_TOKEN)
}

/// A card parameter from the JSON body or the query string.
fn param(req: &SimRequest, body: &Value, name: &str) -> Option<Value> {
    match &body[name] {
        Value::Null => req.param(name).map(|v| match v.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v),
        }),
        v => Some(v.clone()),
    }
}

fn find<'a>(state: &'a mut SimState, id: &str) -> Option<&'a mut SimTicket> {
    state
        .tickets
        .iter_mut()
        .find(|t| t.kind == "trello" && t.id == id)
}

fn card_json(t: &SimTicket) -> Value {
    json!({
        "id": t.id,
        "name": t.title,
        "desc": t.body,
        "closed": t.extra["closed"],
        "idList": t.state,
        "idBoard": t.destination,
        "idLabels": t.labels,
        "shortUrl": format!("https://trello.com/c/{}", &t.id[t.id.len() - 8..]),
    })
}

fn known_list(id: &str) -> bool {
    LISTS.iter().any(|(l, _)| *l == id)
}

fn create(req: &SimRequest, state: &mut SimState) -> Reply {
    let body = req.json();
    let Some(list) = param(req, &body, "idList").and_then(|v| v.as_str().map(str::to_owned)) else {
        return Reply::text(400, "invalid value for idList");
    };
    if !known_list(&list) {
        return Reply::text(400, "invalid value for idList");
    }
    let desc = param(req, &body, "desc")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    if desc.chars().count() > 16_384 {
        return Reply::text(400, "invalid value for desc");
    }
    let labels = match param(req, &body, "idLabels") {
        Some(Value::Array(ids)) => super::github::strings(&Value::Array(ids)),
        Some(Value::String(ids)) => ids.split(',').map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let id = format!("5f00000000000000{:08x}", state.next_number());
    let ticket = SimTicket {
        kind: "trello",
        destination: BOARD.into(),
        id,
        title: param(req, &body, "name")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        body: desc,
        labels,
        state: list,
        extra: json!({"closed": false}),
    };
    let reply = Reply::json(200, card_json(&ticket));
    state.tickets.push(ticket);
    reply
}

fn update(req: &SimRequest, state: &mut SimState, id: &str) -> Reply {
    let body = req.json();
    let list = param(req, &body, "idList").and_then(|v| v.as_str().map(str::to_owned));
    if list.as_deref().is_some_and(|l| !known_list(l)) {
        return Reply::text(400, "invalid value for idList");
    }
    let Some(t) = find(state, id) else {
        return Reply::text(400, "invalid id");
    };
    if let Some(name) = param(req, &body, "name").and_then(|v| v.as_str().map(str::to_owned)) {
        t.title = name;
    }
    if let Some(desc) = param(req, &body, "desc").and_then(|v| v.as_str().map(str::to_owned)) {
        t.body = desc;
    }
    if let Some(closed) = param(req, &body, "closed").and_then(|v| v.as_bool()) {
        t.extra["closed"] = json!(closed);
    }
    if let Some(list) = list {
        t.state = list;
    }
    Reply::json(200, card_json(t))
}
