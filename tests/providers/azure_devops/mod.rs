//! Azure DevOps: JSON Patch creates, WIQL lookups, the 203 sign-in page, TF400733 and rule
//! errors, and state round trips by category.

use ticket_export::providers::NormalState;
use ticket_export::providers::http::basic_auth;
use ticket_export::simulator::{Matcher, SIM_TOKEN};

use crate::spec;
use crate::support::{
    Rig, assert_lost_response_gives_one_ticket, assert_slow_answer_is_uncertain_then_unavailable,
    assert_token_only_in_headers,
};

mod failures;

pub const ENTRY: &str = r#"kind = "azure-devops"
base_url = "{base}/acme"
owned = ["SEC"]
mapping = { project = "SEC", work_item_type = "Bug", labels = ["security"], priority = { high = "1" }, fields = { "Microsoft.VSTS.Common.Severity" = "2 - High" } }
"#;

/// The organisation's project SEC, Bugs, with a priority and an extra field mapped.
pub fn rig() -> Rig {
    Rig::new("ado", ENTRY)
}

fn wit_spec() -> Option<&'static serde_json::Value> {
    spec::load("azure-devops/workItemTracking.json")
}

#[test]
fn create_sends_the_documented_json_patch() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, "1");
    assert_eq!(
        ticket.url,
        format!("{}/acme/SEC/_workitems/edit/1", rig.sim.base_url())
    );
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/acme/SEC/_apis/wit/workitems/$Bug")
    );
    assert_eq!(req.param("api-version").as_deref(), Some("7.1"));
    assert_eq!(
        req.header("authorization"),
        Some(basic_auth("", SIM_TOKEN).as_str()),
        "the PAT as Basic with an empty user"
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/json-patch+json")
    );
    let ops = req.json();
    let value = |path: &str| {
        ops.as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == path)
            .map(|o| {
                assert_eq!(o["op"], "add");
                o["value"].clone()
            })
            .unwrap_or_else(|| panic!("no {path}"))
    };
    assert_eq!(value("/fields/System.Title"), draft.title.as_str());
    assert_eq!(
        value("/fields/System.Tags"),
        format!("{}; security", draft.fingerprint_label)
    );
    let html = value("/fields/System.Description");
    let html = html.as_str().unwrap();
    assert!(html.contains("<strong>Severity:</strong>") && html.contains(&draft.fingerprint));
    assert!(!html.contains("live-secret"));
    assert_eq!(value("/fields/Microsoft.VSTS.Common.Priority"), 1);
    assert_eq!(value("/fields/Microsoft.VSTS.Common.Severity"), "2 - High");
    if let Some(doc) = wit_spec() {
        spec::assert_valid(doc, &req, "");
    }
    assert_eq!(
        rig.client()
            .plan(ticket_export::providers::PlannedCall::Create(&draft)),
        "POST /acme/SEC/_apis/wit/workitems/$Bug in SEC"
    );
}

#[test]
fn lookup_runs_wiql_on_the_tag_then_reads_and_confirms() {
    let rig = rig();
    let client = rig.client();
    let draft = rig.draft(1);
    assert!(client.lookup(&draft).unwrap().is_empty());
    let created = client.create(&draft).unwrap();
    client.create(&rig.draft(2)).unwrap();
    rig.sim.state().requests.clear();
    let found = client.lookup(&draft).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].id.as_str(), found[0].url.as_str()),
        (created.id.as_str(), created.url.as_str())
    );
    let requests = rig.sim.state().requests.clone();
    assert_eq!(requests.len(), 2);
    // Project-scoped WIQL: no guessed team ("<project> Team" fails once the team is renamed).
    // The 7.1 spec writes `{organization}/{project}/{team}/_apis/wit/wiql` with the team
    // optional (`x-ms-required: false`).
    assert_eq!(requests[0].path, "/acme/SEC/_apis/wit/wiql");
    assert_eq!(
        requests[0].json()["query"],
        format!(
            "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS '{}'",
            draft.fingerprint_label
        )
    );
    assert_eq!(requests[1].path, "/acme/SEC/_apis/wit/workitems");
    assert_eq!(requests[1].param("ids").as_deref(), Some("1"));
    assert_eq!(
        requests[1].param("fields").as_deref(),
        Some("System.Title,System.Description,System.State,System.Tags")
    );
    spec::assert_all_valid(wit_spec(), &requests, "");
    // A tag that merely contains the label (WIQL CONTAINS is loose) is not confirmed.
    rig.sim.state().tickets[1]
        .labels
        .push(format!("{}x", draft.fingerprint_label));
    assert_eq!(client.lookup(&draft).unwrap().len(), 1);
}

#[test]
fn a_lost_response_is_uncertain_and_the_ticket_exists() {
    assert_lost_response_gives_one_ticket(&rig(), Matcher::new("POST", "/workitems/$Bug"));
}

#[test]
fn a_slow_answer_times_out_as_uncertain_for_writes_and_unavailable_for_reads() {
    assert_slow_answer_is_uncertain_then_unavailable(&rig());
}

#[test]
fn status_round_trips_by_state_category() {
    let rig = rig();
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let read = client.read_status(&t.id).unwrap();
    assert_eq!((read.raw.as_str(), read.normal), ("New", NormalState::Open));
    for (target, raw) in [
        (NormalState::InProgress, "Active"),
        (NormalState::Done, "Closed"),
        (NormalState::WontFix, "Removed"),
        (NormalState::Open, "New"),
    ] {
        client.write_status(&t.id, target).unwrap();
        let req = rig.last();
        assert_eq!(req.method, "PATCH");
        assert_eq!(
            req.json(),
            serde_json::json!([{"op": "add", "path": "/fields/System.State", "value": raw}])
        );
        if let Some(doc) = wit_spec() {
            spec::assert_valid(doc, &req, "");
        }
        let read = client.read_status(&t.id).unwrap();
        assert_eq!(
            (read.raw.as_str(), read.normal),
            (raw, target),
            "{target:?}"
        );
    }
    spec::assert_all_valid(wit_spec(), &rig.sim.state().requests, "");
}

#[test]
fn status_map_overrides_the_category() {
    let rig = Rig::new(
        "ado",
        &format!("{ENTRY}[providers.ado.status_map]\nResolved = \"done\"\n"),
    );
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::Done).unwrap();
    assert_eq!(
        (state.raw.as_str(), state.normal),
        ("Resolved", NormalState::Done)
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
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PATCH", "/acme/SEC/_apis/wit/workitems/1")
    );
    if let Some(doc) = wit_spec() {
        spec::assert_valid(doc, &req, "");
    }
}

#[test]
fn check_reads_the_work_item_type_only() {
    let rig = rig();
    let report = rig.client().check().unwrap();
    assert!(report.identity.contains("personal access token"));
    let requests = rig.sim.state().requests.clone();
    assert!(requests.iter().all(|r| r.method == "GET"));
    assert_eq!(requests[0].path, "/acme/SEC/_apis/wit/workitemtypes/Bug");
    spec::assert_all_valid(wit_spec(), &requests, "");
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    assert_token_only_in_headers(&rig(), &[SIM_TOKEN]);
}

#[test]
fn a_renamed_default_team_does_not_break_the_lookup() {
    let rig = rig();
    // The project's default team was renamed: "SEC Team" no longer exists.
    rig.sim.state().azure_team = Some("Platform".into());
    let client = rig.client();
    let created = client.create(&rig.draft(1)).unwrap();
    let found = client.lookup(&rig.draft(1)).unwrap();
    assert_eq!(found, vec![created]);
    let paths: Vec<String> = rig
        .sim
        .state()
        .requests
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(
        paths.contains(&"/acme/SEC/_apis/wit/wiql".to_owned()),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.contains("Team")),
        "no guessed team: {paths:?}"
    );
}

#[test]
fn a_mapped_team_runs_wiql_as_that_team() {
    let rig = Rig::new(
        "ado",
        &ENTRY.replace(
            "project = \"SEC\",",
            "project = \"SEC\", team = \"Platform\",",
        ),
    );
    rig.sim.state().azure_team = Some("Platform".into());
    let draft = rig.draft(1);
    let client = rig.client();
    client.create(&draft).unwrap();
    rig.sim.state().requests.clear();
    assert_eq!(client.lookup(&draft).unwrap().len(), 1);
    let wiql = rig.sim.state().requests[0].clone();
    assert_eq!(wiql.path, "/acme/SEC/Platform/_apis/wit/wiql");
    assert_eq!(
        client.plan(ticket_export::providers::PlannedCall::Lookup(&draft)),
        format!(
            "POST /acme/SEC/Platform/_apis/wit/wiql (tag {})",
            draft.fingerprint_label
        )
    );
    if let Some(doc) = wit_spec() {
        spec::assert_valid(doc, &wiql, "");
    }
}
