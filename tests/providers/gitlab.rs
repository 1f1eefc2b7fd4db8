//! GitLab: requests, lookups, every scripted failure, and status round trips.
//!
//! No GitLab OpenAPI file covers the issues API (`../shared/specs/SOURCES.md` says why), so the
//! request shapes are asserted against `providers.md` section 3 and GitLab's REST docs instead:
//! `PRIVATE-TOKEN`, `/api/v4/projects/:id/issues` with `:id` the URL-encoded path, `title`,
//! `description`, `labels` as a comma-separated string, `iid` as the ticket id, `state_event`.

use serde_json::json;
use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN};

use crate::support::{
    FailureCase, Rig, assert_failures, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const ENTRY: &str = r#"kind = "gitlab"
base_url = "{base}"
owned = ["acme/portal"]
mapping = { project = "acme/portal", labels = ["security"], assignees = ["octo"], fields = { assignee_ids = [12, "x"], confidential = true } }
"#;

pub(super) fn rig() -> Rig {
    Rig::new("gl", ENTRY)
}

const ISSUES: &str = "/api/v4/projects/acme%2Fportal/issues";

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "1", "the project-scoped iid");
    assert_eq!(ticket.url, "https://gitlab.example/acme/portal/-/issues/1");
    let req = rig.last();
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", ISSUES));
    assert_eq!(req.header("private-token"), Some(SIM_TOKEN));
    assert!(req.header("authorization").is_none());
    let body = req.json();
    assert_eq!(body["title"], json!(draft.title));
    assert_eq!(
        body["labels"],
        json!(format!("security,{}", draft.fingerprint_label))
    );
    assert_eq!(body["assignee_ids"], json!([12]), "only numeric ids");
    assert_eq!(body["confidential"], json!(true));
    assert!(body.get("assignees").is_none(), "user names are not sent");
    let text = body["description"].as_str().unwrap();
    assert!(text.contains(&draft.marker()));
    assert!(!text.contains("live-secret"));
    assert_eq!(rig.sim.state().tickets[0].destination, "acme/portal");
}

#[test]
fn a_numeric_project_id_is_used_as_it_is() {
    let rig = Rig::new(
        "gl",
        &ENTRY.replace(r#"project = "acme/portal""#, r#"project = "4711""#),
    );
    rig.client().create(&rig.draft(1)).unwrap();
    assert_eq!(rig.last().path, "/api/v4/projects/4711/issues");
}

#[test]
fn lookup_lists_by_label_and_confirms_the_marker() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    // The label copied onto an unrelated issue is not a match without the marker.
    let mut copy = rig.sim.state().tickets[1].clone();
    copy.id = "3".into();
    copy.labels.push(draft.fingerprint_label.clone());
    rig.sim.state().tickets.push(copy);
    assert_eq!(client.lookup(&draft).unwrap(), vec![created]);
    let req = rig.last();
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", ISSUES));
    assert_eq!(
        req.param("labels").as_deref(),
        Some(draft.fingerprint_label.as_str())
    );
    assert_eq!(req.param("state").as_deref(), Some("all"));
    assert!(req.param("search").is_none(), "no text-index search");
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(401, &[], r#"{"message":"401 Unauthorized"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(403, &[], r#"{"message":"403 Forbidden"}"#),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(404, &[], r#"{"message":"404 Project Not Found"}"#),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 model",
            Fault::status(
                400,
                &[],
                r#"{"message":{"title":["is too long (maximum is 255 characters)"]}}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "400 param",
            Fault::status(400, &[], r#"{"error":"title is missing"}"#),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "429 seconds",
            Fault::status(429, &[("retry-after", "120")], "Retry later"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "429 date",
            Fault::status(
                429,
                &[("retry-after", "Sun, 29 Nov 2026 12:05:00 GMT")],
                "Retry later",
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "429 reset epoch",
            Fault::status(
                429,
                &[
                    ("ratelimit-reset", "1795953900"),
                    ("ratelimit-remaining", "0"),
                ],
                "Retry later",
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "429 bare",
            Fault::status(429, &[("content-type", "text/plain")], "Retry later\n"),
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
    assert_failures(rig, &Matcher::new("POST", "/issues"), &cases);
    let fields_of = |body: &str| {
        let rig = rig();
        rig.sim.fail(
            Matcher::new("POST", "/issues"),
            Fault::status(400, &[], body),
            1,
        );
        match rig.client().create(&rig.draft(1)).unwrap_err() {
            Failure::Mapping { fields, detail, .. } => (fields, detail),
            other => panic!("{other}"),
        }
    };
    let (fields, detail) =
        fields_of(r#"{"message":{"title":["is too long (maximum is 255 characters)"]}}"#);
    assert_eq!(
        (fields, detail.as_str()),
        (
            vec!["title".to_owned()],
            "title is too long (maximum is 255 characters)"
        )
    );
    assert_eq!(fields_of(r#"{"error":"title is missing"}"#).0, ["title"]);
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/issues"),
        Fault::status(404, &[], r#"{"message":"404 Project Not Found"}"#),
        1,
    );
    assert!(matches!(
        rig.client().create(&rig.draft(1)).unwrap_err(),
        Failure::NotFound { status: 404, .. }
    ));
}

#[test]
fn the_real_simulator_errors_name_gitlab_parameters() {
    let rig = rig();
    let mut draft = rig.draft(1);
    draft.title = "x".repeat(300);
    match rig.client().create(&draft).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["title"]),
        other => panic!("{other}"),
    }
}

#[test]
fn a_lost_response_is_uncertain_and_the_lookup_finds_one_ticket() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/issues"));
}

#[test]
fn a_slow_answer_is_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips_with_the_wont_fix_label() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for (target, expected, state, wont_fix_label) in [
        (NormalState::Done, NormalState::Done, "closed", false),
        (NormalState::Open, NormalState::Open, "opened", false),
        (NormalState::WontFix, NormalState::WontFix, "closed", true),
        (NormalState::Done, NormalState::Done, "closed", false),
        (NormalState::InProgress, NormalState::Open, "opened", false),
    ] {
        assert_eq!(
            client.write_status(&t.id, target).unwrap().normal,
            expected,
            "{target:?}"
        );
        assert_eq!(client.read_status(&t.id).unwrap().normal, expected);
        let ticket = rig.sim.state().tickets[0].clone();
        assert_eq!(ticket.state, state);
        assert_eq!(
            ticket.labels.contains(&"wont-fix".to_owned()),
            wont_fix_label
        );
        assert!(
            ticket.labels.contains(&"security".to_owned()),
            "other labels stay"
        );
    }
    let put = rig
        .sim
        .state()
        .requests
        .iter()
        .rfind(|r| r.method == "PUT")
        .cloned()
        .unwrap();
    assert_eq!(put.path, format!("{ISSUES}/1"));
    assert_eq!(put.json()["state_event"], "reopen");
}

#[test]
fn status_map_labels_carry_in_progress() {
    let rig = Rig::new(
        "gl",
        &format!("{ENTRY}status_map = {{ doing = \"in_progress\" }}\n"),
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::InProgress).unwrap();
    assert_eq!(state.normal, NormalState::InProgress);
    assert!(
        rig.sim.state().tickets[0]
            .labels
            .contains(&"doing".to_owned())
    );
    assert_eq!(
        client
            .write_status(&t.id, NormalState::Done)
            .unwrap()
            .normal,
        NormalState::Done
    );
    assert!(
        !rig.sim.state().tickets[0]
            .labels
            .contains(&"doing".to_owned())
    );
}

#[test]
fn update_changes_the_existing_ticket_and_keeps_other_labels() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    rig.sim.state().tickets[0].labels.push("triaged".into());
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    let state = rig.sim.state();
    assert_eq!(state.tickets.len(), 1);
    assert_eq!(state.tickets[0].title, "[High] Updated title");
    assert!(state.tickets[0].labels.contains(&"triaged".to_owned()));
    let req = state.requests.last().unwrap();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PUT", format!("{ISSUES}/1").as_str())
    );
    assert!(
        req.json().get("labels").is_none(),
        "add_labels, never a replacement"
    );
}

#[test]
fn check_probes_user_and_project_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "sim-bot");
    let paths: Vec<(String, String)> = rig
        .sim
        .state()
        .requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        paths,
        [
            ("GET".to_owned(), "/api/v4/user".to_owned()),
            (
                "GET".to_owned(),
                "/api/v4/projects/acme%2Fportal".to_owned()
            )
        ]
    );
}

#[test]
fn the_token_appears_only_in_the_private_token_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
}
