//! YouTrack: requests, the tag lookup, every scripted failure, and State round trips.

use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState, PlannedCall};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SimRequest};

use crate::spec;
use crate::support::{
    FailureCase, Rig, SLOW, assert_failures, assert_lost_response_gives_one_ticket,
    assert_token_only_in_headers,
};

const ENTRY: &str = r#"kind = "youtrack"
base_url = "{base}"
owned = ["SEC"]
mapping = { project = "SEC", labels = ["security"], priority = { high = "Critical" } }
"#;

pub(super) fn rig() -> Rig {
    Rig::new("yt", ENTRY)
}

fn youtrack_spec() -> Option<&'static serde_json::Value> {
    spec::load("youtrack/youtrack.json")
}

/// The spec's server is `…/api`, so its paths start after `/api`.
fn assert_all_valid(requests: &[SimRequest]) {
    spec::assert_all_valid(youtrack_spec(), requests, "/api");
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let client = rig.client();
    let ticket = client.create(&draft).unwrap();
    assert_eq!(ticket.id, "SEC-1");
    assert_eq!(ticket.url, format!("{}/issue/SEC-1", rig.sim.base_url()));
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/issues")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {SIM_TOKEN}").as_str()),
        "the token is sent as configured, after Bearer"
    );
    assert_eq!(
        req.param("fields").as_deref(),
        Some("id,idReadable,summary")
    );
    let body = req.json();
    assert_eq!(
        body["project"]["id"], "0-1",
        "the short name is resolved to the id"
    );
    assert_eq!(body["summary"], draft.title.as_str());
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains(&draft.marker())
    );
    assert_eq!(
        body["customFields"],
        serde_json::json!([{"name": "Priority", "$type": "SingleEnumIssueCustomField", "value": {"name": "Critical"}}])
    );
    assert_eq!(
        body["tags"].as_array().unwrap().len(),
        2,
        "tags go by id, in the create itself"
    );
    assert_eq!(
        rig.sim.state().tickets[0].labels,
        ["security".to_owned(), draft.fingerprint_label.clone()]
    );
    assert_all_valid(&rig.sim.state().requests);
    assert_eq!(
        client.plan(PlannedCall::Create(&draft)),
        "POST /api/issues in SEC"
    );
}

#[test]
fn a_base_url_with_api_is_not_doubled() {
    let rig = Rig::new("yt", &ENTRY.replace("{base}", "{base}/api"));
    let ticket = rig.client().create(&rig.draft(1)).unwrap();
    assert_eq!(rig.last().path, "/api/issues");
    assert_eq!(ticket.url, format!("{}/issue/SEC-1", rig.sim.base_url()));
}

#[test]
fn lookup_queries_the_tag_and_confirms_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    assert_eq!(client.lookup(&draft).unwrap(), vec![created]);
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/api/issues")
    );
    assert_eq!(
        req.param("query").unwrap(),
        format!("project: {{SEC}} tag: {{{}}}", draft.fingerprint_label)
    );
    assert_all_valid(&[req]);
    // A tagged issue whose description lost the marker is not ours.
    rig.sim.state().tickets[0].body = "edited by hand".into();
    assert!(client.lookup(&draft).unwrap().is_empty());
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(
                401,
                &[],
                r#"{"error":"Unauthorized","error_description":"You are not logged in."}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[],
                r#"{"error":"Forbidden","error_description":"Access denied"}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(
                404,
                &[],
                r#"{"error":"Not Found","error_description":"Entity with id 0-1 not found"}"#,
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 required field",
            Fault::status(
                400,
                &[],
                r#"{"error":"bad_request","error_description":"Subsystem is required"}"#,
            ),
            FailureCode::MappingRequired,
            None,
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
            "429 without a wait",
            Fault::status(429, &[], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:01:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], "{}"),
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
    assert_failures(rig, &Matcher::new("POST", "/api/issues"), &cases);
}

#[test]
fn a_400_names_the_youtrack_field() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/api/issues"),
        Fault::status(
            400,
            &[],
            r#"{"error":"bad_request","error_description":"Subsystem is required"}"#,
        ),
        1,
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["Subsystem"]),
        other => panic!("{other}"),
    }
    // The simulator's own validation: a priority the project does not have.
    let rig = Rig::new("yt", &ENTRY.replace("\"Critical\"", "\"Urgentissimo\""));
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["Priority"]),
        other => panic!("{other}"),
    }
}

#[test]
fn an_unknown_project_is_not_found_before_anything_is_written() {
    let rig = Rig::new(
        "yt",
        &ENTRY.replace("project = \"SEC\"", "project = \"NOPE\""),
    );
    let err = rig.client().create(&rig.draft(1)).unwrap_err();
    assert!(matches!(err, Failure::NotFound { .. }), "{err}");
    assert!(rig.sim.state().requests.iter().all(|r| r.method == "GET"));
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    // The lookup finds it because the tag came with the create.
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/api/issues"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    let rig = rig();
    let slow = Fault::Slow(SLOW);
    rig.sim
        .fail(Matcher::new("POST", "/api/issues"), slow.clone(), 1);
    assert!(matches!(
        rig.client().create(&rig.draft(1)).unwrap_err(),
        Failure::Uncertain { .. }
    ));
    rig.sim.fail(Matcher::new("GET", "/api/issues"), slow, 1);
    assert!(matches!(
        rig.client().lookup(&rig.draft(1)).unwrap_err(),
        Failure::Unavailable { .. }
    ));
}

#[test]
fn status_round_trips_through_the_project_states() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let read = client.read_status(&t.id).unwrap();
    assert_eq!(
        (read.raw.as_str(), read.normal),
        ("Submitted", NormalState::Open)
    );
    for (target, name) in [
        (NormalState::InProgress, "In Progress"),
        (NormalState::Done, "Fixed"),
        (NormalState::WontFix, "Won't fix"),
        (NormalState::Open, "Open"),
    ] {
        let written = client.write_status(&t.id, target).unwrap();
        assert_eq!((written.raw.as_str(), written.normal), (name, target));
        let req = rig.last();
        assert_eq!(req.path, "/api/commands");
        assert_eq!(req.json()["issues"][0]["idReadable"], "SEC-1");
        assert_all_valid(&[req]);
        let read = client.read_status(&t.id).unwrap();
        assert_eq!((read.raw.as_str(), read.normal), (name, target));
        assert_all_valid(&[rig.last()]);
    }
    assert_eq!(
        last_command(&rig),
        "State: Open",
        "enum values take the colon form"
    );
}

#[test]
fn status_map_chooses_and_reads_the_customers_states() {
    let entry = format!(
        "{ENTRY}status_map = {{ \"Verified\" = \"done\", \"Duplicate\" = \"wont_fix\" }}\n"
    );
    let rig = Rig::new("yt", &entry);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(
        client.write_status(&t.id, NormalState::Done).unwrap().raw,
        "Verified"
    );
    assert_eq!(
        client
            .write_status(&t.id, NormalState::WontFix)
            .unwrap()
            .raw,
        "Duplicate"
    );
    assert_eq!(rig.sim.state().tickets[0].state, "Duplicate");
}

#[test]
fn states_fall_back_to_youtracks_defaults_when_settings_are_refused() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("GET", "/customFields"),
        Fault::status(
            403,
            &[],
            r#"{"error":"Forbidden","error_description":"Access denied"}"#,
        ),
        1,
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let written = client.write_status(&t.id, NormalState::Done).unwrap();
    assert_eq!(written.raw, "Fixed");
    assert_eq!(rig.sim.state().tickets[0].state, "Fixed");
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    let updated = client.update(&t.id, &draft).unwrap();
    assert_eq!(updated.id, "SEC-1");
    assert_eq!(rig.sim.state().tickets[0].title, "[High] Updated title");
    assert_eq!(rig.tickets(), 1);
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/issues/SEC-1")
    );
    assert_all_valid(&[req]);
}

#[test]
fn check_probes_user_and_project_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "sim-bot");
    let requests = rig.sim.state().requests.clone();
    assert!(requests.iter().all(|r| r.method == "GET"), "{requests:?}");
    assert_eq!(requests[0].path, "/api/users/me");
    assert_all_valid(&requests);
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
    let err = Rig::new("yt", ENTRY);
    err.sim.fail(
        Matcher::any(),
        Fault::status(
            401,
            &[],
            r#"{"error":"Unauthorized","error_description":"You are not logged in."}"#,
        ),
        9,
    );
    let failure = err.client().check().unwrap_err();
    assert!(!failure.to_string().contains(SIM_TOKEN));
}

/// The query of the last command sent.
fn last_command(rig: &Rig) -> String {
    rig.sim
        .state()
        .requests
        .iter()
        .rev()
        .find(|r| r.path == "/api/commands")
        .map(|r| r.json()["query"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}
