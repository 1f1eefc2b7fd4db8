//! Jira workflows: status read and written through transitions discovered at run time,
//! `status_map`, update, the read-only check, and where the credentials go.

use serde_json::json;
use ticket_export::providers::NormalState;
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SIM_USER, SimRequest};

use super::{assert_spec, cloud, dc, with_status_map};
use crate::support::{Rig, assert_token_only_in_headers};

fn round_trip(rig: &Rig, wont_fix_resolution: &str) {
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Open);
    for target in [
        NormalState::InProgress,
        NormalState::Done,
        NormalState::Open,
        NormalState::WontFix,
        NormalState::Open,
    ] {
        let before = rig.sim.request_count();
        let written = client.write_status(&t.id, target).unwrap();
        assert_eq!(written.normal, target, "{target:?}: {}", written.raw);
        assert_eq!(client.read_status(&t.id).unwrap().normal, target);
        let requests: Vec<SimRequest> = rig.sim.state().requests[before..].to_vec();
        let posted = requests
            .iter()
            .find(|r| r.method == "POST" && r.path.ends_with("/transitions"))
            .expect("a transition was posted");
        for req in &requests {
            assert_spec(req);
        }
        if target == NormalState::WontFix {
            assert_eq!(
                posted.json()["fields"]["resolution"]["name"],
                wont_fix_resolution
            );
            assert_eq!(rig.sim.state().tickets[0].state, "Done");
        }
    }
}

#[test]
fn status_round_trips_through_discovered_transitions() {
    round_trip(&cloud(), "Won't Do");
    round_trip(&dc(), "Won't Fix");
}

#[test]
fn status_map_names_a_wont_fix_status_for_reading_and_writing() {
    let rig = with_status_map(r#"{ "Accepted Risk" = "wont_fix" }"#);
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let state = client.write_status(&t.id, NormalState::WontFix).unwrap();
    assert_eq!(
        (state.raw.as_str(), state.normal),
        ("Accepted Risk (Done)", NormalState::WontFix)
    );
    let posted = rig
        .sim
        .state()
        .requests
        .iter()
        .rfind(|r| r.method == "POST" && r.path.ends_with("/transitions"))
        .cloned()
        .unwrap();
    assert_eq!(posted.json(), json!({"transition": {"id": "41"}}));
    // Without the map, "Accepted Risk" is just a done status.
    let plain = cloud();
    let client = plain.client();
    let t = client.create(&plain.draft(1)).unwrap();
    plain.sim.state().tickets[0].state = "Accepted Risk".into();
    assert_eq!(client.read_status(&t.id).unwrap().normal, NormalState::Done);
}

#[test]
fn update_changes_the_existing_issue_and_keeps_other_labels() {
    for rig in [cloud(), dc()] {
        let client = rig.client();
        let t = client.create(&rig.draft(1)).unwrap();
        rig.sim.state().tickets[0].labels.push("triaged".into());
        let mut draft = rig.draft(1);
        draft.title = "[High] Updated title".into();
        let updated = client.update(&t.id, &draft).unwrap();
        assert_eq!(updated.id, t.id);
        let state = rig.sim.state();
        assert_eq!(state.tickets.len(), 1, "nothing was created");
        assert_eq!(state.tickets[0].title, "[High] Updated title");
        assert!(state.tickets[0].labels.contains(&"triaged".to_owned()));
        assert!(state.tickets[0].body.contains(&draft.marker()));
        let req = state.requests.last().unwrap().clone();
        drop(state);
        assert_eq!(req.method, "PUT");
        assert_spec(&req);
    }
}

#[test]
fn check_is_read_only_and_names_the_account() {
    for rig in [cloud(), dc()] {
        let report = rig.client().check().unwrap();
        assert_eq!(report.identity, "Sim Bot");
        assert_eq!(report.probes.len(), 3);
        let requests = rig.sim.state().requests.clone();
        assert!(requests.iter().all(|r| r.method == "GET"));
        requests.iter().for_each(assert_spec);
    }
    let rig = cloud();
    rig.sim.fail(
        Matcher::new("GET", "/project/"),
        Fault::status(
            404,
            &[],
            r#"{"errorMessages":["No project could be found with key 'SEC'."],"errors":{}}"#,
        ),
        1,
    );
    let err = rig.client().check().unwrap_err();
    assert!(err.to_string().contains("cannot browse"), "{err}");
}

#[test]
fn the_token_appears_only_in_the_authorization_header() {
    for rig in [cloud(), dc()] {
        assert_token_only_in_headers(&rig, &[SIM_TOKEN, SIM_USER]);
    }
}
