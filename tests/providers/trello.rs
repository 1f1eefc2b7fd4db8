//! Trello: requests, lookups, every scripted failure, and list/archive status round trips.

use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState};
use ticket_export::simulator::trello::{BOARD, LISTS};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SIM_USER};

use crate::spec::{self, Leniency};
use crate::support::{
    FailureCase, Rig, assert_failures_with, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const TODO: &str = LISTS[0].0;
const DONE: &str = LISTS[2].0;
const WONTFIX: &str = LISTS[3].0;

/// Trello takes a card's parameters as query parameters or as a JSON body; the client sends
/// a body so that descriptions stay out of URLs. The body's keys are checked as the declared
/// parameters.
const BODY_PARAMS: Leniency<'static> = Leniency {
    undeclared_query: &[],
    params_in_body: true,
    body_schema: None,
};

/// `GET /boards/{id}/cards/{filter}` declares no `fields` parameter, though Trello's nested
/// resources guide documents it for card listings.
const CARD_FIELDS: Leniency<'static> = Leniency {
    undeclared_query: &["fields"],
    params_in_body: false,
    body_schema: None,
};

fn entry(fields: &str) -> String {
    format!(
        "kind = \"trello\"\nbase_url = \"{{base}}\"\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{TODO}\", fields = {{ {fields} }} }}\n"
    )
}

pub(super) fn rig() -> Rig {
    Rig::new(
        "tr",
        &entry(&format!(
            "done_list = \"{DONE}\", wontfix_list = \"{WONTFIX}\", idLabels = [\"5f00000000000000000000ff\"]"
        )),
    )
}

fn trello_spec() -> Option<&'static serde_json::Value> {
    spec::load("trello/swagger.v3.json")
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id.len(), 24);
    assert!(ticket.url.starts_with("https://trello.com/c/"));
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/1/cards")
    );
    assert_eq!(
        req.header("authorization"),
        Some(
            format!("OAuth oauth_consumer_key=\"{SIM_USER}\", oauth_token=\"{SIM_TOKEN}\"")
                .as_str()
        )
    );
    assert_eq!(
        req.query, "",
        "nothing in the URL: no key, no token, no description"
    );
    let body = req.json();
    assert_eq!(body["idList"], TODO);
    assert_eq!(body["name"], draft.title.as_str());
    assert_eq!(
        body["idLabels"],
        serde_json::json!(["5f00000000000000000000ff"])
    );
    assert!(body["desc"].as_str().unwrap().contains(&draft.marker()));
    if let Some(doc) = trello_spec() {
        spec::assert_valid_with(doc, &req, "/1", BODY_PARAMS);
    }
    assert_eq!(
        rig.client()
            .plan(ticket_export::providers::PlannedCall::Create(&draft)),
        format!("POST /1/cards in list {TODO}")
    );
}

#[test]
fn a_long_description_is_cut_to_trellos_limit_keeping_the_marker() {
    let rig = rig();
    let mut draft = rig.draft(1);
    draft.body = format!("{}\n{}\n", "x".repeat(30_000), draft.marker());
    rig.client().create(&draft).unwrap();
    let desc = rig.last().json()["desc"].as_str().unwrap().to_owned();
    assert!(desc.chars().count() <= 16_384);
    assert!(desc.contains(&draft.marker()));
    assert_eq!(rig.client().lookup(&draft).unwrap().len(), 1);
}

#[test]
fn lookup_lists_the_board_and_matches_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    let found = client.lookup(&draft).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, created.id);
    let req = rig.last();
    assert_eq!(req.path, format!("/1/boards/{BOARD}/cards/all"));
    assert_eq!(
        req.param("fields").as_deref(),
        Some("name,desc,closed,idList,shortUrl")
    );
    if let Some(doc) = trello_spec() {
        spec::assert_valid_with(doc, &req, "/1", CARD_FIELDS);
    }
    // An archived card is still found: archived is a state, not a deletion.
    client.write_status(&created.id, NormalState::Done).unwrap();
    assert_eq!(client.lookup(&draft).unwrap().len(), 1);
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401 invalid token",
            Fault::status(401, &[("content-type", "text/plain")], "invalid token"),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[("content-type", "text/plain")],
                "unauthorized permission requested",
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(
                404,
                &[("content-type", "text/plain")],
                "The requested resource was not found.",
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 invalid value for idList",
            Fault::status(
                400,
                &[("content-type", "text/plain")],
                "invalid value for idList",
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "400 invalid id",
            Fault::status(400, &[("content-type", "text/plain")], "invalid id"),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "429 token limit, no Retry-After: the 10 s window",
            Fault::status(
                429,
                &[("content-type", "application/json")],
                r#"{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}"#,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:10Z"),
        ),
        (
            "429 seconds",
            Fault::status(429, &[("retry-after", "120")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "429 date",
            Fault::status(
                429,
                &[("retry-after", "Sun, 29 Nov 2026 12:05:00 GMT")],
                "{}",
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], "Service Unavailable"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "502 after a write",
            Fault::status(502, &[], "bad gateway"),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    let cards = Matcher::new("POST", "/1/cards");
    assert_failures_with(rig, &cards, &cases, |name, _, err| {
        if name.contains("idList") {
            assert!(
                matches!(err, Failure::Mapping { fields, .. } if fields == &["idList"]),
                "{err:?}"
            );
        }
    });
}

#[test]
fn an_unknown_list_is_a_mapping_failure_from_the_simulator() {
    let rig = Rig::new("tr", &entry("").replace(TODO, "5f00000000000000000000ee"));
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["idList"]),
        other => panic!("{other}"),
    }
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/1/cards"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips_through_lists() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for (target, raw) in [
        (NormalState::InProgress, "Doing"),
        (NormalState::Done, "Done"),
        (NormalState::WontFix, "Won't fix"),
        (NormalState::Open, "To Do"),
    ] {
        client.write_status(&t.id, target).unwrap();
        let req = rig.last();
        assert_eq!(req.method, "PUT");
        if let Some(doc) = trello_spec() {
            spec::assert_valid_with(doc, &req, "/1", BODY_PARAMS);
        }
        let read = client.read_status(&t.id).unwrap();
        assert_eq!(
            (read.raw.as_str(), read.normal),
            (raw, target),
            "{target:?}"
        );
    }
    assert_eq!(rig.sim.state().tickets[0].extra["closed"], false);
}

#[test]
fn without_configured_lists_done_and_wont_fix_archive_and_say_so() {
    let rig = Rig::new("tr", &entry(""));
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let done = client.write_status(&t.id, NormalState::Done).unwrap();
    assert_eq!(
        (done.raw.as_str(), done.normal),
        ("archived", NormalState::Done)
    );
    assert_eq!(rig.last().json(), serde_json::json!({"closed": true}));
    client.write_status(&t.id, NormalState::Open).unwrap();
    assert_eq!(rig.sim.state().tickets[0].extra["closed"], false);
    let wont = client.write_status(&t.id, NormalState::WontFix).unwrap();
    assert_eq!(wont.normal, NormalState::WontFix);
    assert!(wont.raw.contains("wontfix_list"), "{}", wont.raw);
    assert_eq!(rig.sim.state().tickets[0].extra["closed"], true);
}

#[test]
fn status_map_names_lists_by_their_names() {
    let rig = Rig::new(
        "tr",
        &format!(
            "{}[providers.tr.status_map]\n\"Won't fix\" = \"in_progress\"\n",
            entry("")
        ),
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::InProgress).unwrap();
    assert_eq!(
        (state.raw.as_str(), state.normal),
        ("Won't fix", NormalState::InProgress)
    );
    assert_eq!(
        client.read_status(&t.id).unwrap().normal,
        NormalState::InProgress
    );
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    assert_eq!(rig.sim.state().tickets.len(), 1);
    assert_eq!(rig.sim.state().tickets[0].title, "[High] Updated title");
    if let Some(doc) = trello_spec() {
        spec::assert_valid_with(doc, &rig.last(), "/1", BODY_PARAMS);
    }
}

#[test]
fn check_probes_member_board_and_lists_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "simbot");
    let requests = rig.sim.state().requests.clone();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.method == "GET"));
    assert_eq!(requests[0].path, "/1/members/me");
    spec::assert_all_valid(trello_spec(), &requests, "/1");
}

#[test]
fn the_key_and_token_appear_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN, SIM_USER]);
}
