//! Asana: `data`-wrapped requests, the paged project listing, every scripted failure (402
//! included), and completion and section round trips.

use serde_json::json;
use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState, PlannedCall};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SimRequest, SimTicket};

use crate::spec;
use crate::support::{
    FailureCase, Rig, assert_failures, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const PROJECT: &str = "1200000000000500";
const ENTRY: &str = r#"kind = "asana"
base_url = "{base}"
owned = ["1200000000000500"]
mapping = { workspace = "1200000000000001", project = "1200000000000500", assignees = ["me"] }
"#;
/// The simulator's "Doing" and "Won't fix" sections.
const SECTIONS: &str = r#"kind = "asana"
base_url = "{base}"
owned = ["1200000000000500"]
mapping = { workspace = "1200000000000001", project = "1200000000000500", fields = { in_progress_section = "1400000000000002", wontfix_section = "1400000000000009" } }
"#;

pub(super) fn rig() -> Rig {
    Rig::new("asana", ENTRY)
}

fn asana_spec() -> Option<&'static serde_json::Value> {
    spec::load("asana/asana_oas.yaml")
}

/// The spec's server is `…/api/1.0`; bodies are checked inside their `data` wrapper too.
fn assert_all_valid(requests: &[SimRequest]) {
    if let Some(doc) = asana_spec() {
        for req in requests {
            if req.body.is_empty() {
                spec::assert_valid(doc, req, "/api/1.0");
            } else {
                spec::assert_valid_wrapped(doc, req, "/api/1.0", "data");
            }
        }
    }
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let client = rig.client();
    let ticket = client.create(&draft).unwrap();
    assert_eq!(ticket.id, "1300000000000001");
    assert_eq!(
        ticket.url,
        format!("https://app.asana.com/0/{PROJECT}/1300000000000001")
    );
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/1.0/tasks")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {SIM_TOKEN}").as_str())
    );
    assert_eq!(
        req.param("opt_fields").as_deref(),
        Some("gid,name,completed,permalink_url")
    );
    let data = &req.json()["data"];
    assert_eq!(data["name"], draft.title.as_str());
    assert_eq!(data["projects"], json!([PROJECT]));
    assert_eq!(data["workspace"], "1200000000000001");
    assert_eq!(data["assignee"], "me");
    let notes = data["notes"].as_str().unwrap();
    assert!(
        notes.contains(&draft.marker()),
        "plain-text notes keep the marker"
    );
    assert!(!notes.contains("live-secret"));
    assert_all_valid(&[req]);
    assert_eq!(
        client.plan(PlannedCall::Create(&draft)),
        format!("POST /api/1.0/tasks in {PROJECT}")
    );
}

#[test]
fn lookup_pages_through_the_project_and_confirms_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    // More than one page of other tasks before ours.
    for n in 0..130 {
        rig.sim.state().tickets.push(SimTicket {
            kind: "asana",
            destination: PROJECT.into(),
            id: format!("1500000000{n:06}"),
            title: format!("Other task {n}"),
            body: "not ours".into(),
            labels: vec![],
            state: "incomplete".into(),
            extra: json!({"sections": []}),
        });
    }
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    let found = client.lookup(&draft).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, created.id);
    assert_eq!(found[0].url, created.url);
    let requests = rig.sim.state().requests.clone();
    let pages: Vec<&SimRequest> = requests
        .iter()
        .rev()
        .take_while(|r| r.method == "GET")
        .collect();
    assert_eq!(pages.len(), 2, "132 tasks are two pages of 100");
    assert_eq!(pages[0].param("offset").as_deref(), Some("o100"));
    for page in &pages {
        assert_eq!(page.path, format!("/api/1.0/projects/{PROJECT}/tasks"));
        assert_eq!(page.param("limit").as_deref(), Some("100"));
        assert!(page.param("opt_fields").unwrap().contains("notes"));
    }
    assert_all_valid(&requests);
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(401, &[], r#"{"errors":[{"message":"Not Authorized"}]}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(403, &[], r#"{"errors":[{"message":"Forbidden"}]}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(
                404,
                &[],
                r#"{"errors":[{"message":"project: Unknown object: 1"}]}"#,
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 field",
            Fault::status(
                400,
                &[],
                r#"{"errors":[{"message":"projects: [0]: Not a recognized ID: 1200000000000500","help":"…"}]}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "402 premium",
            Fault::status(
                402,
                &[],
                r#"{"errors":[{"message":"Search is only available to premium users."}]}"#,
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "429 seconds",
            Fault::status(
                429,
                &[("retry-after", "120")],
                r#"{"errors":[{"message":"Rate limit"}]}"#,
            ),
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
            "500 after a write",
            Fault::status(
                500,
                &[],
                r#"{"errors":[{"message":"Server Error","phrase":"6 sad squid snuggle softly"}]}"#,
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    assert_failures(rig, &Matcher::new("POST", "/api/1.0/tasks"), &cases);
}

#[test]
fn asana_quirks_name_the_field_and_the_premium_plan() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/api/1.0/tasks"),
        Fault::status(
            400,
            &[],
            r#"{"errors":[{"message":"workspace: Missing input"}]}"#,
        ),
        1,
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["workspace"]),
        other => panic!("{other}"),
    }
    rig.sim.fail(
        Matcher::new("GET", "/tasks"),
        Fault::status(
            402,
            &[],
            r#"{"errors":[{"message":"Search is only available to premium users."}]}"#,
        ),
        1,
    );
    match rig.client().lookup(&rig.draft(1)).unwrap_err() {
        Failure::Rejected { status, detail } => {
            assert_eq!(status, 402);
            assert!(detail.contains("premium"), "{detail}");
        }
        other => panic!("{other}"),
    }
    // The simulator's own validation: a workspace the project is not in.
    let rig = Rig::new(
        "asana",
        &ENTRY.replace("workspace = \"1200000000000001\"", "workspace = \"99\""),
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["workspace"]),
        other => panic!("{other}"),
    }
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/api/1.0/tasks"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips_through_completion_and_sections() {
    let rig = Rig::new("asana", SECTIONS);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for target in [
        NormalState::InProgress,
        NormalState::Open,
        NormalState::Done,
        NormalState::WontFix,
        NormalState::InProgress,
        NormalState::Done,
    ] {
        let written = client.write_status(&t.id, target).unwrap();
        assert_eq!(written.normal, target, "{target:?}: {}", written.raw);
        assert_eq!(
            client.read_status(&t.id).unwrap().normal,
            target,
            "{target:?}"
        );
    }
    let state = rig.sim.state();
    assert_eq!(state.tickets[0].state, "completed");
    let moves: Vec<&SimRequest> = state
        .requests
        .iter()
        .filter(|r| r.path.ends_with("/addTask"))
        .collect();
    assert_eq!(moves[0].path, "/api/1.0/sections/1400000000000002/addTask");
    assert_eq!(moves[0].json(), json!({"data": {"task": t.id}}));
    assert_all_valid(&state.requests);
}

#[test]
fn without_a_wontfix_section_wont_fix_completes_and_says_so() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let written = client.write_status(&t.id, NormalState::WontFix).unwrap();
    assert_eq!(written.normal, NormalState::Done);
    assert!(written.raw.contains("wontfix_section"), "{}", written.raw);
    assert_eq!(rig.sim.state().tickets[0].state, "completed");
    let written = client.write_status(&t.id, NormalState::Open).unwrap();
    assert_eq!(
        (written.raw.as_str(), written.normal),
        ("incomplete", NormalState::Open)
    );
}

#[test]
fn status_map_reads_section_names() {
    let entry = format!("{ENTRY}status_map = {{ \"Doing\" = \"in_progress\" }}\n");
    let rig = Rig::new("asana", &entry);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    rig.sim.state().tickets[0].extra["sections"] = json!(["1400000000000002"]);
    let read = client.read_status(&t.id).unwrap();
    assert_eq!(read.normal, NormalState::InProgress, "{}", read.raw);
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    assert_eq!(rig.sim.state().tickets[0].title, "[High] Updated title");
    assert_eq!(rig.tickets(), 1);
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PUT", format!("/api/1.0/tasks/{}", t.id).as_str())
    );
    assert_all_valid(&[req]);
}

#[test]
fn check_probes_user_and_project_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "Sim Bot");
    let requests = rig.sim.state().requests.clone();
    assert!(requests.iter().all(|r| r.method == "GET"), "{requests:?}");
    assert_eq!(requests[0].path, "/api/1.0/users/me");
    assert_eq!(requests[1].path, format!("/api/1.0/projects/{PROJECT}"));
    assert_all_valid(&requests);
    // A project in another workspace is a mapping problem, found before any write.
    let rig = Rig::new(
        "asana",
        &ENTRY.replace("workspace = \"1200000000000001\"", "workspace = \"99\""),
    );
    assert!(matches!(
        rig.client().check().unwrap_err(),
        Failure::Mapping { .. }
    ));
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
}

#[test]
fn the_yaml_description_really_checks_inside_data() {
    let Some(doc) = asana_spec() else { return };
    let req = SimRequest {
        method: "POST".into(),
        path: "/api/1.0/tasks".into(),
        query: String::new(),
        headers: vec![],
        body: json!({"data": {"name": "x", "labels": ["security"]}}).to_string(),
    };
    let caught =
        std::panic::catch_unwind(|| spec::assert_valid_wrapped(doc, &req, "/api/1.0", "data"));
    assert!(caught.is_err(), "a key Asana does not declare is refused");
}
