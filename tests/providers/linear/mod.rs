//! Linear: GraphQL operations checked against Linear's schema, lookups through attachments and
//! the client id, errors inside HTTP 200 answers, and workflow-state round trips.

use ticket_export::model::FailureCode;
use ticket_export::providers::linear::FINGERPRINT_URL;
use ticket_export::providers::{Failure, NormalState};
use ticket_export::simulator::linear::{TEAM_ID, TEAM_KEY};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SimRequest};

use crate::support::{
    FailureCase, Rig, assert_failures_with, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

mod schema;

use schema::assert_schema_valid;

/// The team given by key, resolved at run time.
const BY_KEY: &str = r#"kind = "linear"
base_url = "{base}"
owned = ["SEC"]
mapping = { team = "SEC", priority = { high = "2", low = "4" }, fields = { labelIds = ["lbl-1"] } }
"#;

fn by_id() -> String {
    BY_KEY
        .replace("team = \"SEC\"", &format!("team = \"{TEAM_ID}\""))
        .replace("owned = [\"SEC\"]", &format!("owned = [\"{TEAM_ID}\"]"))
}

/// The team given by id, known without a lookup.
pub(super) fn by_id_rig() -> Rig {
    Rig::new("lin", &by_id())
}

fn operation(req: &SimRequest) -> String {
    req.json()["operationName"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn create_sends_the_issue_with_its_client_id_then_the_fingerprint_attachment() {
    let rig = Rig::new("lin", BY_KEY);
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(
        ticket.id, draft.idempotency_key,
        "the client id is the issue id"
    );
    assert!(ticket.url.starts_with("https://linear.app/acme/issue/SEC-"));
    let requests = rig.sim.state().requests.clone();
    let names: Vec<String> = requests.iter().map(operation).collect();
    assert_eq!(names, ["TeamByKey", "IssueCreate", "AttachFingerprint"]);
    for req in &requests {
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/graphql")
        );
        assert_eq!(req.header("authorization"), Some(SIM_TOKEN), "no Bearer");
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_schema_valid(req);
    }
    let input = &requests[1].json()["variables"]["input"];
    assert_eq!(input["teamId"], TEAM_ID);
    assert_eq!(input["id"], draft.idempotency_key.as_str());
    assert_eq!(input["priority"], 2);
    assert_eq!(input["labelIds"], serde_json::json!(["lbl-1"]));
    assert!(
        input["description"]
            .as_str()
            .unwrap()
            .contains(&draft.marker())
    );
    let attach = &requests[2].json()["variables"]["input"];
    assert_eq!(attach["issueId"], draft.idempotency_key.as_str());
    assert_eq!(
        attach["url"],
        format!("{FINGERPRINT_URL}{}", draft.fingerprint)
    );
    assert_eq!(
        rig.client()
            .plan(ticket_export::providers::PlannedCall::Create(&draft)),
        "POST /graphql issueCreate in SEC"
    );
}

#[test]
fn lookup_finds_by_attachment_and_by_client_id() {
    let rig = by_id_rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    rig.sim.state().requests.clear();
    assert_eq!(client.lookup(&draft).unwrap(), vec![created.clone()]);
    let requests = rig.sim.state().requests.clone();
    let names: Vec<String> = requests.iter().map(operation).collect();
    assert_eq!(names, ["FingerprintLookup", "IssueById"]);
    requests.iter().for_each(assert_schema_valid);
    // An issue whose attachment was never made is still found by its client id.
    rig.sim
        .state()
        .tickets
        .iter_mut()
        .for_each(|t| t.extra["attachments"] = serde_json::json!([]));
    assert_eq!(client.lookup(&draft).unwrap(), vec![created]);
}

#[test]
fn a_reused_client_id_means_already_created() {
    let rig = by_id_rig();
    let draft = rig.draft(1);
    // The first create's answer is lost after Linear made the issue.
    rig.sim
        .fail(Matcher::new("POST", "/graphql"), Fault::LoseResponse, 1);
    assert!(matches!(
        rig.client().create(&draft).unwrap_err(),
        Failure::Uncertain { .. }
    ));
    // A blind second create is refused for the id, and resolves to the same issue.
    let again = rig.client().create(&draft).unwrap();
    assert_eq!(again.id, draft.idempotency_key);
    assert_eq!(rig.sim.state().tickets.len(), 1);
    assert_eq!(rig.client().lookup(&draft).unwrap().len(), 1);
}

#[test]
fn scripted_failures_are_classified() {
    let errors = |kind: &str, code: &str| {
        format!(
            r#"{{"data":null,"errors":[{{"message":"{kind}","extensions":{{"type":"{kind}","code":"{code}","userPresentableMessage":"{kind}"}}}}]}}"#
        )
    };
    let ratelimited = errors("ratelimited", "RATELIMITED");
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(401, &[], r#"{"message":"unauthorized"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "authentication error in a 400",
            Fault::status(
                400,
                &[],
                &errors("authentication error", "AUTHENTICATION_ERROR"),
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "forbidden in a 200",
            Fault::status(200, &[], &errors("forbidden", "FORBIDDEN")),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(403, &[], "Forbidden"),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(404, &[], "Not Found"),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "validation in a 200",
            Fault::status(
                200,
                &[],
                r#"{"data":null,"errors":[{"message":"Argument Validation Error","extensions":{"type":"invalid input","code":"INVALID_INPUT","validationErrors":[{"property":"teamId"}]}}]}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "RATELIMITED in a 400, reset in ms",
            Fault::status(
                400,
                &[("x-ratelimit-requests-reset", "1795953900000")],
                &ratelimited,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "RATELIMITED in a 200, reset in s",
            Fault::status(
                200,
                &[("x-ratelimit-requests-reset", "1795953900")],
                &ratelimited,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "RATELIMITED without headers",
            Fault::status(400, &[], &ratelimited),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:01:00Z"),
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
            Fault::status(503, &[("retry-after", "30")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "internal error after a write",
            Fault::status(200, &[], &errors("internal error", "INTERNAL_SERVER_ERROR")),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    // Only the issueCreate fails; the id probe that follows a refusal answers normally.
    let graphql = Matcher::new("POST", "/graphql");
    assert_failures_with(by_id_rig, &graphql, &cases, |name, _, err| {
        if name.starts_with("validation") {
            assert!(
                matches!(err, Failure::Mapping { fields, .. } if fields == &["teamId"]),
                "{err:?}"
            );
        }
    });
}

#[test]
fn a_priority_outside_0_to_4_never_leaves() {
    let rig = Rig::new("lin", &by_id().replace("high = \"2\"", "high = \"urgent\""));
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["priority"]),
        other => panic!("{other}"),
    }
    assert_eq!(rig.sim.request_count(), 0);
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&by_id_rig(), Matcher::new("POST", "/graphql"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&by_id_rig());
}

#[test]
fn status_round_trips_through_the_team_workflow() {
    let rig = Rig::new("lin", BY_KEY);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let read = client.read_status(&t.id).unwrap();
    assert_eq!(
        (read.raw.as_str(), read.normal),
        ("Todo", NormalState::Open)
    );
    for (target, raw) in [
        (NormalState::InProgress, "In Progress"),
        (NormalState::Done, "Done"),
        (NormalState::WontFix, "Canceled"),
        (NormalState::Open, "Todo"),
    ] {
        let written = client.write_status(&t.id, target).unwrap();
        assert_eq!((written.raw.as_str(), written.normal), (raw, target));
        let last = rig.last();
        assert_eq!(operation(&last), "IssueUpdate");
        assert_schema_valid(&last);
        let read = client.read_status(&t.id).unwrap();
        assert_eq!(
            (read.raw.as_str(), read.normal),
            (raw, target),
            "{target:?}"
        );
    }
}

#[test]
fn status_map_picks_and_reads_states_by_name() {
    let rig = Rig::new(
        "lin",
        &format!("{BY_KEY}[providers.lin.status_map]\nBacklog = \"in_progress\"\n"),
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::InProgress).unwrap();
    assert_eq!(
        (state.raw.as_str(), state.normal),
        ("Backlog", NormalState::InProgress)
    );
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = by_id_rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    assert_eq!(rig.sim.state().tickets.len(), 1);
    assert_eq!(rig.sim.state().tickets[0].title, "[High] Updated title");
    assert_schema_valid(&rig.last());
}

#[test]
fn check_runs_only_queries() {
    let rig = Rig::new("lin", BY_KEY);
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "Sim Bot");
    let requests = rig.sim.state().requests.clone();
    for req in &requests {
        assert!(req.json()["query"].as_str().unwrap().starts_with("query "));
        assert_schema_valid(req);
    }
    assert_eq!(requests.len(), 3);
    let _ = TEAM_KEY;
}

#[test]
fn the_key_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&Rig::new("lin", BY_KEY), &[SIM_TOKEN]);
}
