//! Trello cards (REST `/1`), `https://api.trello.com`.
//!
//! The key and token travel in an `Authorization: OAuth …` header, never in the query string
//! (Trello's examples put them in URLs, which end up in proxy and server logs). Card fields go
//! in a JSON body for the same reason: a finding's description does not belong in a URL.
//! Labels are board-scoped and few, so the fingerprint lives in `desc` as the marker, and
//! lookup lists the board's cards (the search index lags) and matches it client-side.
//! A card's state is its list, or archived (`closed`); lists are discovered at run time.

mod lists;

use jiff::SignedDuration;
use serde_json::{Map, Value, json};
use url::Url;

use super::answer::{identity, listing, object};
use super::failure::{Failure, classify, requested_wait, summary};
use super::http::{HttpRequest, HttpResponse};
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft, api_prefix, marker, status_map,
};
use lists::{BoardList, guess};

/// Trello's window is 10 seconds and its 429s name no wait.
const WINDOW_WAIT: SignedDuration = SignedDuration::from_secs(10);
/// Trello refuses longer card descriptions.
const DESC_MAX: usize = 16_384;
/// The raw state of an archived card.
const ARCHIVED: &str = "archived";

/// A Trello board's cards, created in `mapping.list`.
pub struct Trello {
    base: ClientBase,
    board: String,
    list: String,
    /// `/1`, unless the configured base URL already ends with it.
    prefix: String,
}

impl Trello {
    /// A client for `mapping.board` and `mapping.list`; it requests nothing outside
    /// `/1/boards/{board}`, `/1/cards` and `/1/members/me`.
    pub fn new(mut base: ClientBase) -> Self {
        let board = base.provider.mapping.board.clone().unwrap_or_default();
        let list = base.provider.mapping.list.clone().unwrap_or_default();
        let prefix = api_prefix(&base.provider.base_url, "/1");
        base.scope = super::path::Scope::of([
            base.endpoint(&prefix, &["boards", &board]),
            base.endpoint(&prefix, &["cards"]),
            base.endpoint(&prefix, &["members", "me"]),
        ]);
        Trello {
            base,
            board,
            list,
            prefix,
        }
    }

    /// `/1` and then `segments`, each an encoded segment.
    fn url(&self, segments: &[&str]) -> Url {
        self.base.endpoint(&self.prefix, segments)
    }

    fn request(&self, method: &'static str, segments: &[&str]) -> HttpRequest {
        let key = self.base.user.as_ref().map(|u| u.expose()).unwrap_or("");
        let auth = format!(
            "OAuth oauth_consumer_key=\"{key}\", oauth_token=\"{}\"",
            self.base.token.expose()
        );
        self.base
            .json_request(method, self.url(segments), "authorization", auth)
    }

    fn call(&self, req: HttpRequest, write: bool) -> Result<Value, Failure> {
        self.base
            .call(&req, write, |resp| self.failure(resp, write))
    }

    /// Trello's errors are often plain text: read the status first, the text second.
    fn failure(&self, resp: &HttpResponse, write: bool) -> Failure {
        let now = self.base.now;
        let detail = summary(resp);
        let lower = resp.body.to_ascii_lowercase();
        match resp.status {
            429 => Failure::RateLimited {
                status: 429,
                retry_after: requested_wait(resp, now).unwrap_or(now + WINDOW_WAIT),
                detail,
            },
            400 if lower.contains("invalid value for ") => {
                let field = lower
                    .split("invalid value for ")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_alphanumeric()).next())
                    .map(|f| original_case(&resp.body, f))
                    .unwrap_or_default();
                Failure::Mapping {
                    status: 400,
                    fields: vec![field],
                    detail,
                }
            }
            400 if lower.contains("invalid id") => Failure::NotFound {
                status: 400,
                detail: format!("{detail} (check mapping.board and mapping.list)"),
            },
            401 => Failure::Auth {
                status: 401,
                detail: format!("{detail} (user is the API key, token the user token)"),
            },
            _ => classify(resp, now, write, Vec::new()),
        }
    }

    fn ticket(&self, card: &Value) -> RemoteTicket {
        RemoteTicket {
            id: card["id"].as_str().unwrap_or_default().to_owned(),
            url: card["shortUrl"]
                .as_str()
                .or(card["url"].as_str())
                .unwrap_or_default()
                .to_owned(),
            state: Some(if card["closed"] == Value::Bool(true) {
                ARCHIVED.to_owned()
            } else {
                card["idList"].as_str().unwrap_or_default().to_owned()
            }),
        }
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.base
            .provider
            .mapping
            .fields
            .get(name)
            .and_then(Value::as_str)
    }

    fn lists(&self) -> Result<Vec<BoardList>, Failure> {
        let mut req = self.request("GET", &["boards", &self.board, "lists"]);
        req.url
            .query_pairs_mut()
            .append_pair("filter", "open")
            .append_pair("fields", "name");
        let lists = self.call(req, false)?;
        Ok(lists
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| BoardList {
                id: l["id"].as_str().unwrap_or_default().to_owned(),
                name: l["name"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// The normalised state of a list: `status_map` by name, then the lists the mapping names,
    /// then the list's name as a person would read it.
    fn list_state(&self, list: &BoardList) -> NormalState {
        if let Some(s) = status_map::mapped(&self.base.provider.status_map, &list.name) {
            return s;
        }
        if Some(list.id.as_str()) == self.field("done_list") {
            return NormalState::Done;
        }
        if Some(list.id.as_str()) == self.field("wontfix_list") {
            return NormalState::WontFix;
        }
        if list.id == self.list {
            return NormalState::Open;
        }
        guess(&list.name)
    }

    fn card_state(&self, card: &Value, lists: &[BoardList]) -> RemoteState {
        if card["closed"] == Value::Bool(true) {
            let normal = status_map::mapped(&self.base.provider.status_map, ARCHIVED)
                .unwrap_or(NormalState::Done);
            return RemoteState {
                raw: ARCHIVED.into(),
                normal,
            };
        }
        let id = card["idList"].as_str().unwrap_or_default();
        match lists.iter().find(|l| l.id == id) {
            Some(list) => RemoteState {
                raw: list.name.clone(),
                normal: self.list_state(list),
            },
            None => RemoteState {
                raw: id.to_owned(),
                normal: NormalState::Open,
            },
        }
    }

    /// Where a card goes for `target`: a list id, or None to archive it.
    fn destination(&self, target: NormalState, lists: &[BoardList]) -> Option<String> {
        let configured = match target {
            NormalState::Done => self.field("done_list"),
            NormalState::WontFix => self.field("wontfix_list"),
            NormalState::Open => Some(self.list.as_str()),
            NormalState::InProgress => None,
        };
        if let Some(id) = configured {
            return Some(id.to_owned());
        }
        let named = status_map::names_for(&self.base.provider.status_map, target);
        if let Some(list) = lists
            .iter()
            .find(|l| named.iter().any(|n| n.eq_ignore_ascii_case(&l.name)))
        {
            return Some(list.id.clone());
        }
        if target == NormalState::InProgress {
            // No archive for "in progress": a list that reads as such, else stay in the open list.
            return Some(
                lists
                    .iter()
                    .find(|l| guess(&l.name) == NormalState::InProgress)
                    .map_or_else(|| self.list.clone(), |l| l.id.clone()),
            );
        }
        None
    }
}

/// The spelling a word has in the original text (Trello names fields in camel case).
fn original_case(text: &str, lower: &str) -> String {
    let start = text.to_ascii_lowercase().find(lower).unwrap_or(0);
    text.get(start..start + lower.len())
        .unwrap_or(lower)
        .to_owned()
}

/// A description within Trello's limit that still ends with the fingerprint marker.
fn fit_desc(body: &str, marker: &str) -> String {
    if body.chars().count() <= DESC_MAX {
        return body.to_owned();
    }
    let keep = DESC_MAX - marker.chars().count() - 40;
    format!(
        "{}\n\n… (truncated for Trello)\n{marker}\n",
        body.chars().take(keep).collect::<String>()
    )
}

impl ProviderClient for Trello {
    fn check(&self) -> Result<CheckReport, Failure> {
        let mut me = self.request("GET", &["members", "me"]);
        me.url
            .query_pairs_mut()
            .append_pair("fields", "username,fullName");
        let member = self.call(me, false)?;
        let who = &["/username", "/id"];
        object(
            &member,
            &format!("GET {}", self.url(&["members", "me"]).path()),
            who,
        )?;
        let mut board = self.request("GET", &["boards", &self.board]);
        board
            .url
            .query_pairs_mut()
            .append_pair("fields", "name,closed");
        let board = self.call(board, false)?;
        let board_probe = format!("GET {}/boards/{}", self.prefix, self.board);
        object(&board, &board_probe, &["/id", "/name"])?;
        if board["closed"] == Value::Bool(true) {
            return Err(Failure::Rejected {
                status: 200,
                detail: format!("board {} is closed", self.board),
            });
        }
        let lists = self.lists()?;
        if !lists.iter().any(|l| l.id == self.list) {
            return Err(Failure::Mapping {
                status: 200,
                fields: vec!["idList".into()],
                detail: format!(
                    "mapping.list {} is not an open list of board {}",
                    self.list, self.board
                ),
            });
        }
        Ok(CheckReport {
            identity: identity(&member, who).unwrap_or_default(),
            probes: vec![
                format!("GET {}", self.url(&["members", "me"]).path()),
                format!("GET {}", self.url(&["boards", &self.board]).path()),
                format!("GET {}", self.url(&["boards", &self.board, "lists"]).path()),
            ],
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let mut req = self.request("GET", &["boards", &self.board, "cards", "all"]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "name,desc,closed,idList,shortUrl");
        let cards = self.call(req, false)?;
        Ok(listing(&cards, "")?
            .iter()
            .filter(|c| {
                c["desc"]
                    .as_str()
                    .is_some_and(|d| marker::in_text(d, &draft.fingerprint))
            })
            .map(|c| self.ticket(c))
            .collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let mut body = json!({
            "idList": self.list,
            "name": draft.title,
            "desc": fit_desc(&draft.body, &draft.marker()),
            "pos": "bottom",
        });
        match draft.fields.get("idLabels") {
            Some(Value::Array(ids)) => body["idLabels"] = json!(ids),
            Some(Value::String(id)) => body["idLabels"] = json!([id]),
            _ => {}
        }
        if !draft.assignees.is_empty() {
            body["idMembers"] = json!(draft.assignees);
        }
        let card = self.call(self.request("POST", &["cards"]).json(&body), true)?;
        Ok(self.ticket(&card))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let body = json!({"name": draft.title, "desc": fit_desc(&draft.body, &draft.marker())});
        let card = self.call(self.request("PUT", &["cards", ticket_id]).json(&body), true)?;
        Ok(self.ticket(&card))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        let mut req = self.request("GET", &["cards", ticket_id]);
        req.url
            .query_pairs_mut()
            .append_pair("fields", "closed,idList,name");
        let card = self.call(req, false)?;
        Ok(self.card_state(&card, &self.lists()?))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        let lists = self.lists()?;
        let mut body = Map::new();
        let destination = self.destination(target, &lists);
        match &destination {
            Some(list) => {
                body.insert("closed".into(), json!(false));
                body.insert("idList".into(), json!(list));
            }
            None => {
                body.insert("closed".into(), json!(true));
            }
        }
        let card = self.call(
            self.request("PUT", &["cards", ticket_id])
                .json(&Value::Object(body)),
            true,
        )?;
        let mut state = self.card_state(&card, &lists);
        if destination.is_none() && target == NormalState::WontFix {
            // Trello has no won't-fix: archiving is the closest, and it reads back as done.
            state = RemoteState {
                raw: format!(
                    "{ARCHIVED} (Trello has no won't-fix state; set mapping.fields.wontfix_list to keep it apart from done)"
                ),
                normal: NormalState::WontFix,
            };
        }
        Ok(state)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        match call {
            PlannedCall::Lookup(draft) => format!(
                "GET {} (desc marker for {})",
                self.url(&["boards", &self.board, "cards", "all"]).path(),
                draft.fingerprint_label
            ),
            PlannedCall::Create(_) => {
                format!("POST {} in list {}", self.url(&["cards"]).path(), self.list)
            }
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => {
                format!("PUT {}", self.url(&["cards", id]).path())
            }
        }
    }
}
