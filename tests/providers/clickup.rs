//! ClickUp: bare-token requests, tag and exact custom-field lookups, every scripted failure
//! (ECODEs included), and per-list status round trips.

use serde_json::json;
use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState, PlannedCall};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SimRequest};

use crate::spec;
use crate::support::{
    FailureCase, Rig, assert_failures, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const LIST: &str = "901100200300";
const ENTRY: &str = r#"kind = "clickup"
base_url = "{base}"
owned = ["901100200300"]
mapping = { list = "901100200300", labels = ["Security"], priority = { high = "2" }, assignees = ["183"] }
"#;
const WITH_FIELD: &str = r#"kind = "clickup"
base_url = "{base}"
owned = ["901100200300"]
mapping = { list = "901100200300", fields = { fingerprint_field = "0a52c486-5f05-403b-b4fd-c512ff05131c" } }
"#;

pub(super) fn rig() -> Rig {
    Rig::new("cu", ENTRY)
}

fn clickup_spec() -> Option<&'static serde_json::Value> {
    spec::load("clickup/clickup-api-v2-reference.json")
}

/// The spec's server is `https://api.clickup.com/api`, and its paths start with `/v2/`.
fn assert_all_valid(requests: &[SimRequest]) {
    spec::assert_all_valid(clickup_spec(), requests, "/api");
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let client = rig.client();
    let ticket = client.create(&draft).unwrap();
    assert_eq!(ticket.id, "86c0001");
    assert_eq!(ticket.url, "https://app.clickup.com/t/86c0001");
    assert_eq!(ticket.state.as_deref(), Some("to do"));
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", format!("/api/v2/list/{LIST}/task").as_str())
    );
    assert_eq!(
        req.header("authorization"),
        Some(SIM_TOKEN),
        "a personal token goes bare, without a scheme"
    );
    let body = req.json();
    assert_eq!(body["name"], draft.title.as_str());
    assert!(
        body["markdown_content"]
            .as_str()
            .unwrap()
            .contains(&draft.marker())
    );
    assert_eq!(body["tags"], json!(["Security", draft.fingerprint_label]));
    assert_eq!(body["priority"], 2);
    assert_eq!(body["assignees"], json!([183]));
    assert!(
        body.get("status").is_none(),
        "the list's first status unless mapped"
    );
    assert_all_valid(&[req]);
    assert_eq!(
        client.plan(PlannedCall::Create(&draft)),
        format!("POST /api/v2/list/{LIST}/task in list {LIST}")
    );
}

#[test]
fn priority_defaults_by_severity_and_a_bad_one_is_a_mapping_problem() {
    let rig = Rig::new("cu", &ENTRY.replace("priority = { high = \"2\" }, ", ""));
    rig.client().create(&rig.draft(1)).unwrap();
    assert_eq!(
        rig.last().json()["priority"],
        2,
        "high is ClickUp's 2 by default"
    );
    let rig = Rig::new("cu", &ENTRY.replace("\"2\"", "\"Highest\""));
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["priority"]),
        other => panic!("{other}"),
    }
    assert_eq!(rig.sim.request_count(), 0, "refused before sending");
}

#[test]
fn lookup_filters_by_tag_including_closed_tasks_and_confirms_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    client.write_status(&created.id, NormalState::Done).unwrap();
    let found = client.lookup(&draft).unwrap();
    assert_eq!(found.len(), 1, "closed tasks are included");
    assert_eq!(found[0].id, created.id);
    let req = rig.last();
    assert_eq!(req.path, format!("/api/v2/list/{LIST}/task"));
    assert_eq!(
        req.param("tags[]").as_deref(),
        Some(draft.fingerprint_label.as_str())
    );
    assert_eq!(req.param("include_closed").as_deref(), Some("true"));
    assert_eq!(
        req.param("include_markdown_description").as_deref(),
        Some("true")
    );
    assert_all_valid(&[req]);
}

#[test]
fn lookup_uses_the_exact_custom_field_filter_when_configured() {
    let rig = Rig::new("cu", WITH_FIELD);
    let client = rig.client();
    let draft = rig.draft(1);
    let created = client.create(&draft).unwrap();
    let body = rig.last().json();
    assert_eq!(
        body["custom_fields"],
        json!([{"id": "0a52c486-5f05-403b-b4fd-c512ff05131c", "value": draft.fingerprint}])
    );
    assert_all_valid(&[rig.last()]);
    client.create(&rig.draft(2)).unwrap();
    assert_eq!(client.lookup(&draft).unwrap(), vec![created]);
    let req = rig.last();
    let filter: serde_json::Value =
        serde_json::from_str(&req.param("custom_fields").unwrap()).unwrap();
    assert_eq!(
        filter,
        json!([{"field_id": "0a52c486-5f05-403b-b4fd-c512ff05131c", "operator": "==", "value": draft.fingerprint}])
    );
    assert!(req.param("tags[]").is_none());
    assert_all_valid(&[req]);
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401 token not found",
            Fault::status(401, &[], r#"{"err":"Token invalid","ECODE":"OAUTH_019"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "400 header missing",
            Fault::status(
                400,
                &[],
                r#"{"err":"Authorization header required","ECODE":"OAUTH_017"}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "400 team not authorized",
            Fault::status(
                400,
                &[],
                r#"{"err":"Team not authorized","ECODE":"OAUTH_027"}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(403, &[], r#"{"err":"You do not have access to this list"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(404, &[], r#"{"err":"Route not found"}"#),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 input",
            Fault::status(
                400,
                &[],
                r#"{"err":"Task name invalid","ECODE":"INPUT_005"}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "429 reset",
            Fault::status(
                429,
                &[
                    ("x-ratelimit-limit", "100"),
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", "1795953900"),
                ],
                r#"{"err":"Rate limit reached","ECODE":"APP_002"}"#,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
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
            "502 after a write",
            Fault::status(502, &[], "bad gateway"),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    assert_failures(rig, &Matcher::new("POST", "/task"), &cases);
}

#[test]
fn clickup_errors_name_the_field_or_the_auth_problem() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/task"),
        Fault::status(
            400,
            &[],
            r#"{"err":"Task name invalid","ECODE":"INPUT_005"}"#,
        ),
        1,
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, detail, .. } => {
            assert_eq!(fields, ["name"]);
            assert!(detail.contains("INPUT_005"), "{detail}");
        }
        other => panic!("{other}"),
    }
    // A list id that is not one (a view id from the address bar) never reaches ClickUp: it
    // would go into the request path, so the config refuses it and names the key.
    let text = format!(
        "[providers.cu]\nauth = {{ token_env = \"T\" }}\n{}",
        ENTRY
            .replace("{base}", "https://api.clickup.com")
            .replace("list = \"901100200300\"", "list = \"8cj47gd-10171\"")
    );
    let err = ticket_export::config::Config::parse(&text, std::path::Path::new("/tmp/c.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("mapping.list = \"8cj47gd-10171\" is not a ClickUp list id"),
        "{err}"
    );
    let rig = Rig::new("cu", ENTRY);
    assert!(matches!(
        rig.client().read_status("nope").unwrap_err(),
        Failure::NotFound { .. }
    ));
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/task"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips_through_the_lists_statuses() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for (target, name) in [
        (NormalState::InProgress, "in progress"),
        (NormalState::Done, "complete"),
        (NormalState::WontFix, "cancelled"),
        (NormalState::Open, "to do"),
    ] {
        let written = client.write_status(&t.id, target).unwrap();
        assert_eq!((written.raw.as_str(), written.normal), (name, target));
        let req = rig.last();
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("PUT", "/api/v2/task/86c0001")
        );
        assert_eq!(req.json(), json!({"status": name}));
        assert_all_valid(&[req]);
        let read = client.read_status(&t.id).unwrap();
        assert_eq!((read.raw.as_str(), read.normal), (name, target));
    }
    let lists = rig
        .sim
        .state()
        .requests
        .iter()
        .filter(|r| r.path == format!("/api/v2/list/{LIST}"))
        .count();
    assert_eq!(lists, 1, "the list's statuses are read once per client");
}

#[test]
fn status_map_overrides_reading_and_choosing() {
    let entry = format!(
        "{ENTRY}status_map = {{ \"complete\" = \"wont_fix\", \"cancelled\" = \"done\" }}\n"
    );
    let rig = Rig::new("cu", &entry);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let written = client.write_status(&t.id, NormalState::WontFix).unwrap();
    assert_eq!(
        (written.raw.as_str(), written.normal),
        ("complete", NormalState::WontFix)
    );
    let written = client.write_status(&t.id, NormalState::Done).unwrap();
    assert_eq!(
        (written.raw.as_str(), written.normal),
        ("cancelled", NormalState::Done)
    );
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Done);
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
    assert_eq!(rig.sim.state().tickets.len(), 1);
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PUT", "/api/v2/task/86c0001")
    );
    assert_all_valid(&[req]);
}

#[test]
fn check_probes_user_and_list_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "sim-bot");
    let requests = rig.sim.state().requests.clone();
    assert!(requests.iter().all(|r| r.method == "GET"), "{requests:?}");
    assert_eq!(requests[0].path, "/api/v2/user");
    assert_eq!(requests[1].path, format!("/api/v2/list/{LIST}"));
    assert_all_valid(&requests);
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
}
