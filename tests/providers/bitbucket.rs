//! Bitbucket Cloud: requests, lookups, every scripted failure, and status round trips.

use ticket_export::model::FailureCode;
use ticket_export::providers::http::basic_auth;
use ticket_export::providers::{Failure, NormalState};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SIM_USER};

use crate::spec::{self, Leniency};
use crate::support::{
    FailureCase, Rig, assert_failures_with, assert_lost_response_gives_one_ticket,
    assert_slow_answer_is_uncertain_then_unavailable, assert_token_only_in_headers,
};

const ENTRY: &str = r#"kind = "bitbucket"
base_url = "{base}"
owned = ["acme/shop"]
mapping = { repo = "acme/shop", priority = { high = "critical" }, fields = { kind = "task" } }
"#;

/// The issue list declares no query parameters in the published spec; BBQL's `q` and the
/// pagination `pagelen` are documented in Bitbucket's filtering and pagination guides (and `q`
/// is declared on `…/issues/{id}/changes`).
const LIST_LENIENCY: Leniency<'static> = Leniency {
    undeclared_query: &["q", "pagelen"],
    params_in_body: false,
    body_schema: None,
};

/// `PUT …/issues/{issue_id}` documents its JSON body (an issue) only in prose.
const PUT_LENIENCY: Leniency<'static> = Leniency {
    undeclared_query: &[],
    params_in_body: false,
    body_schema: Some("#/definitions/issue"),
};

pub(super) fn rig() -> Rig {
    Rig::new("bb", ENTRY)
}

fn bb_spec() -> Option<&'static serde_json::Value> {
    spec::load("bitbucket/bitbucket-cloud.json")
}

#[test]
fn create_sends_the_documented_request() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "1");
    assert_eq!(ticket.url, "https://bitbucket.org/acme/shop/issues/1");
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/2.0/repositories/acme/shop/issues")
    );
    assert_eq!(
        req.header("authorization"),
        Some(basic_auth(SIM_USER, SIM_TOKEN).as_str())
    );
    let body = req.json();
    assert_eq!(
        body["title"],
        format!("{} [{}]", draft.title, draft.fingerprint_label),
        "no labels on Bitbucket: the fingerprint rides in the title"
    );
    assert_eq!(body["kind"], "task");
    assert_eq!(body["priority"], "critical");
    assert!(
        body["content"]["raw"]
            .as_str()
            .unwrap()
            .contains(&draft.marker())
    );
    if let Some(doc) = bb_spec() {
        spec::assert_valid(doc, &req, "/2.0");
    }
    assert_eq!(
        rig.client()
            .plan(ticket_export::providers::PlannedCall::Create(&draft)),
        "POST /2.0/repositories/acme/shop/issues in acme/shop"
    );
}

#[test]
fn kind_defaults_to_bug_and_bad_mapping_values_never_leave() {
    let rig = Rig::new(
        "bb",
        "kind = \"bitbucket\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\", priority = { high = \"urgent\" } }\n",
    );
    let mut draft = rig.draft(1);
    match rig.client().create(&draft).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["priority"]),
        other => panic!("{other}"),
    }
    assert_eq!(rig.sim.request_count(), 0, "refused before sending");
    draft.priority = None;
    rig.client().create(&draft).unwrap();
    assert_eq!(rig.last().json()["kind"], "bug");
}

#[test]
fn lookup_asks_bbql_for_the_title_marker_and_confirms_the_body() {
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
    assert_eq!(req.path, "/2.0/repositories/acme/shop/issues");
    assert_eq!(
        req.param("q"),
        Some(format!("title ~ \"{}\"", draft.fingerprint_label))
    );
    if let Some(doc) = bb_spec() {
        spec::assert_valid_with(doc, &req, "/2.0", LIST_LENIENCY);
    }
    // A title that merely mentions the label, without the body marker, is not a match.
    let mut stranger = rig.draft(3);
    stranger.title = format!("see {}", draft.fingerprint_label);
    client.create(&stranger).unwrap();
    assert_eq!(client.lookup(&draft).unwrap().len(), 1);
}

#[test]
fn scripted_failures_are_classified() {
    let error = |msg: &str| format!(r#"{{"type":"error","error":{{"message":"{msg}"}}}}"#);
    let cases: Vec<FailureCase> = vec![
        (
            "401 with realm",
            Fault::status(
                401,
                &[("www-authenticate", "Basic realm=\"Bitbucket.org HTTP\"")],
                "Login failed due to incorrect login credentials or method.",
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[],
                &error("Your credentials lack one or more required privilege scopes."),
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(404, &[], &error("Repository not found")),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 fields",
            Fault::status(
                400,
                &[],
                r#"{"type":"error","error":{"message":"Bad request","fields":{"component":["No such component"]}}}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "429 bare: the rolling hour",
            Fault::status(
                429,
                &[],
                &error("Rate limit for this resource has been exceeded"),
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:10:00Z"),
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
            "429 reset header",
            Fault::status(429, &[("x-ratelimit-reset", "1795953900")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], &error("Service unavailable")),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "500 after a write",
            Fault::status(500, &[], &error("Something went wrong")),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    let issues = Matcher::new("POST", "/issues");
    assert_failures_with(rig, &issues, &cases, |name, _, err| {
        if name.starts_with("401") {
            let text = err.to_string();
            assert!(
                text.contains("e-mail") && text.contains("API token"),
                "{text}"
            );
            assert!(text.contains("realm"), "{text}");
        }
        if name == "400 fields" {
            assert!(matches!(err, Failure::Mapping { fields, .. } if fields == &["component"]));
        }
    });
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/issues"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let read = client.read_status(&t.id).unwrap();
    assert_eq!((read.raw.as_str(), read.normal), ("new", NormalState::Open));
    for (target, raw) in [
        (NormalState::Done, "resolved"),
        (NormalState::InProgress, "open"),
        (NormalState::WontFix, "wontfix"),
        (NormalState::Open, "open"),
    ] {
        client.write_status(&t.id, target).unwrap();
        if let Some(doc) = bb_spec() {
            spec::assert_valid_with(doc, &rig.last(), "/2.0", PUT_LENIENCY);
        }
        let read = client.read_status(&t.id).unwrap();
        assert_eq!(read.raw, raw, "{target:?}");
        // Bitbucket has no in-progress state: it reads back as open.
        let expected = if target == NormalState::InProgress {
            NormalState::Open
        } else {
            target
        };
        assert_eq!(read.normal, expected, "{target:?}");
    }
}

#[test]
fn status_map_names_the_states_both_ways() {
    let rig = Rig::new(
        "bb",
        &format!("{ENTRY}[providers.bb.status_map]\n\"on hold\" = \"in_progress\"\n"),
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::InProgress).unwrap();
    assert_eq!(
        (state.raw.as_str(), state.normal),
        ("on hold", NormalState::InProgress)
    );
    assert_eq!(rig.last().json()["state"], "on hold");
}

#[test]
fn update_changes_the_existing_ticket() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let mut draft = rig.draft(1);
    draft.title = "[High] Updated title".into();
    client.update(&t.id, &draft).unwrap();
    let tickets = rig.sim.state().tickets.clone();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        tickets[0].title,
        format!("[High] Updated title [{}]", draft.fingerprint_label)
    );
    let req = rig.last();
    assert_eq!(req.method, "PUT");
    if let Some(doc) = bb_spec() {
        spec::assert_valid_with(doc, &req, "/2.0", PUT_LENIENCY);
    }
}

#[test]
fn check_probes_user_and_repository_read_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert_eq!(report.identity, "Sim Bot");
    let requests = rig.sim.state().requests.clone();
    assert!(requests.iter().all(|r| r.method == "GET"));
    spec::assert_all_valid(bb_spec(), &requests, "/2.0");
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN, SIM_USER]);
}
