//! Jira Cloud (v3) and Data Center (v2): requests, lookups and every scripted failure; the
//! workflow (status, update, check) is in `workflow.rs`.

mod workflow;

use base64::Engine as _;
use serde_json::json;
use ticket_export::model::FailureCode;
use ticket_export::providers::Failure;
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SIM_USER, SimRequest, SimTicket};

use crate::spec;
use crate::support::{
    FailureCase, Rig, assert_failures, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable,
};

const ENTRY: &str = r#"kind = "jira"
base_url = "{base}"
owned = ["SEC"]
mapping = { project = "SEC", issue_type = "Bug", labels = ["webriskops"], priority = { high = "High" }, assignees = ["5b10ac8d82e05b22cc7d4ef5"], fields = { customfield_10951 = { value = "web" } } }
"#;

/// Cloud: `auth.user_env` is set (the account e-mail for Basic auth).
pub(super) fn cloud() -> Rig {
    Rig::new("jira-sec", ENTRY)
}

/// Data Center: no user, so a Bearer personal access token.
pub(super) fn dc() -> Rig {
    Rig::with_auth("jira-dc", r#"token_env = "SIM_TOKEN""#, ENTRY)
}

pub(super) fn with_status_map(map: &str) -> Rig {
    Rig::new("jira-sec", &format!("{ENTRY}status_map = {map}\n"))
}

/// Checks a request against the spec of its API version (Data Center's paths start at `/api/2`).
pub(super) fn assert_spec(req: &SimRequest) {
    if req.path.starts_with("/rest/api/3/") {
        if let Some(doc) = spec::load("jira/swagger-v3.v3.json") {
            spec::assert_valid(doc, req, "");
        }
    } else if let Some(doc) = spec::load("jira/jira_software_dc_10000_swagger.v3.txt") {
        let mut req = req.clone();
        // The Data Center file's own description of GET transitions says "Fields will only be
        // returned if `expand=transitions.fields`" but omits the parameter from its list, so
        // the check runs without it.
        if req.path.ends_with("/transitions") && req.method == "GET" {
            req.query = req
                .query
                .split('&')
                .filter(|p| !p.starts_with("expand="))
                .collect::<Vec<_>>()
                .join("&");
        }
        spec::assert_valid(doc, &req, "/rest");
    }
}

#[test]
fn cloud_create_sends_an_atlassian_document_with_basic_auth() {
    let rig = cloud();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "SEC-1");
    assert_eq!(
        ticket.url,
        format!("{}/browse/SEC-1", rig.sim.base_url().trim_end_matches('/'))
    );
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/rest/api/3/issue")
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SIM_USER}:{SIM_TOKEN}"));
    assert_eq!(
        req.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    let fields = &req.json()["fields"];
    assert_eq!(fields["project"], json!({"key": "SEC"}));
    assert_eq!(fields["issuetype"], json!({"name": "Bug"}));
    assert_eq!(fields["summary"], json!(draft.title));
    assert_eq!(
        fields["labels"],
        json!(["webriskops", draft.fingerprint_label])
    );
    assert!(!draft.fingerprint_label.contains(' '));
    assert_eq!(fields["priority"], json!({"name": "High"}));
    assert_eq!(
        fields["assignee"],
        json!({"accountId": "5b10ac8d82e05b22cc7d4ef5"})
    );
    assert_eq!(fields["customfield_10951"], json!({"value": "web"}));
    let doc = &fields["description"];
    assert_eq!(
        (doc["type"].as_str(), doc["version"].as_u64()),
        (Some("doc"), Some(1))
    );
    let code = doc["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "codeBlock")
        .expect("the evidence is a code block");
    let evidence = code["content"][0]["text"].as_str().unwrap();
    assert!(
        evidence.contains("Authorization: Bearer [REDACTED]") && !evidence.contains("live-secret")
    );
    assert!(rig.sim.state().tickets[0].body.contains(&draft.marker()));
    assert_spec(&req);
}

#[test]
fn data_center_create_sends_wiki_markup_with_a_bearer_token() {
    let rig = dc();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "SEC-1");
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/rest/api/2/issue")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {SIM_TOKEN}").as_str())
    );
    let fields = &req.json()["fields"];
    let description = fields["description"].as_str().expect("a plain string");
    assert!(description.contains("*Severity:* high"), "{description}");
    assert!(description.contains("{noformat}") && description.contains(&draft.marker()));
    assert_eq!(
        fields["assignee"],
        json!({"name": "5b10ac8d82e05b22cc7d4ef5"})
    );
    assert_spec(&req);
}

#[test]
fn lookup_runs_jql_on_the_label_and_confirms_the_marker() {
    for rig in [cloud(), dc()] {
        let client = rig.client();
        let draft = rig.draft(1);
        assert!(client.lookup(&draft).unwrap().is_empty());
        let created = client.create(&draft).unwrap();
        client.create(&rig.draft(2)).unwrap();
        // Someone copied the label onto an unrelated issue: the marker is missing, no link.
        rig.sim.state().tickets.push(SimTicket {
            kind: "jira",
            destination: "SEC".into(),
            id: "SEC-99".into(),
            title: "copied label".into(),
            body: "no marker".into(),
            labels: vec![draft.fingerprint_label.clone()],
            state: "To Do".into(),
            extra: json!({"description": "no marker"}),
        });
        let found = client.lookup(&draft).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].id.as_str(), found[0].url.as_str()),
            ("SEC-1", created.url.as_str())
        );
        let req = rig.last();
        let expected_path = if req.path.contains("/3/") {
            "/rest/api/3/search/jql"
        } else {
            "/rest/api/2/search"
        };
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", expected_path)
        );
        let body = req.json();
        assert_eq!(
            body["jql"],
            format!(
                "project = \"SEC\" AND labels = \"{}\"",
                draft.fingerprint_label
            )
        );
        assert_eq!(
            body["fields"],
            json!(["summary", "description", "status", "labels"])
        );
        assert_spec(&req);
    }
}

fn create_error(rig: &Rig, fault: Fault) -> Failure {
    rig.sim.fail(Matcher::new("POST", "/issue"), fault, 1);
    let err = rig.client().create(&rig.draft(1)).unwrap_err();
    assert!(rig.sim.state().tickets.is_empty(), "nothing was created");
    err
}

#[test]
fn scripted_failures_are_classified() {
    let cases: Vec<FailureCase> = vec![
        (
            "401",
            Fault::status(
                401,
                &[],
                r#"{"errorMessages":["You are not authenticated."],"errors":{}}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[],
                r#"{"errorMessages":["You do not have permission."],"errors":{}}"#,
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(
                404,
                &[],
                r#"{"errorMessages":["No project could be found with key 'SEC'."],"errors":{}}"#,
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 fields",
            Fault::status(
                400,
                &[],
                r#"{"errorMessages":[],"errors":{"customfield_10951":"Field 'customfield_10951' cannot be set. It is not on the appropriate screen, or unknown."}}"#,
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
            "429 reset",
            Fault::status(
                429,
                &[
                    ("x-ratelimit-reset", "2026-11-29T12:07Z"),
                    ("ratelimit-reason", "jira-burst-based"),
                ],
                "{}",
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:07:00Z"),
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
    for rig in [cloud, dc] {
        assert_failures(rig, &Matcher::new("POST", "/issue"), &cases);
    }
    match create_error(
        &cloud(),
        Fault::status(
            400,
            &[],
            r#"{"errorMessages":[],"errors":{"customfield_10951":"cannot be set"}}"#,
        ),
    ) {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["customfield_10951"]),
        other => panic!("{other}"),
    }
    assert!(matches!(
        create_error(&cloud(), Fault::status(502, &[], "")),
        Failure::Uncertain {
            status: Some(502),
            ..
        }
    ));
}

#[test]
fn the_real_simulator_errors_name_jira_fields() {
    let rig = Rig::new(
        "jira-sec",
        &ENTRY.replace(r#"labels = ["webriskops"]"#, r#"labels = ["web risk"]"#),
    );
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping {
            status: 400,
            fields,
            detail,
        } => {
            assert_eq!(fields, ["labels"]);
            assert!(detail.contains("contains spaces"), "{detail}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn the_removed_search_endpoint_is_rejected_not_retried() {
    let rig = cloud();
    rig.sim.fail(
        Matcher::new("POST", "/search/jql"),
        Fault::status(
            410,
            &[],
            r#"{"errorMessages":["The requested API has been removed."],"errors":{}}"#,
        ),
        1,
    );
    let err = rig.client().lookup(&rig.draft(1)).unwrap_err();
    assert!(
        matches!(err, Failure::Rejected { status: 410, .. }),
        "{err}"
    );
    assert_eq!(err.code(), FailureCode::DeliveryFailed);
    assert!(
        err.stops_provider(),
        "every later lookup would get the same 410"
    );
}

#[test]
fn a_lost_response_is_uncertain_and_the_lookup_finds_one_ticket() {
    for rig in [cloud(), dc()] {
        assert_lost_response_gives_one_ticket(&rig, Matcher::new("POST", "/issue"));
    }
}

#[test]
fn a_slow_answer_is_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&cloud());
}
