//! Hostile ticket ids and mapping values, for every kind: no request is built from an id that
//! is not the provider's own form, none leaves the destination, and the refusal says why.

use ticket_export::providers::{Failure, NormalState, PlannedCall, client_for};
use ticket_export::simulator::trello::{BOARD, LISTS};
use ticket_export::simulator::{Fault, Matcher};

use crate::support::Rig;

/// Ids from import files and provider answers that must never reach a path.
const HOSTILE: &[&str] = &[
    "",
    "../../../evil/elsewhere/issues/1001",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fevil%2felsewhere%2fissues%2f1001",
    "..",
    ".%2e",
    "1/../../x",
    "1?state=closed",
    "1#x",
    "1\r\nx",
    "SEC-1/../../OPS-2",
];

/// One entry per kind that has tickets, on the simulator.
fn entries() -> Vec<(&'static str, String)> {
    let plain = |kind: &str, mapping: &str| {
        format!(
            "kind = \"{kind}\"\nbase_url = \"{{base}}\"\nowned = [\"x\"]\nmapping = {{ {mapping} }}\n"
        )
    };
    vec![
        ("github", plain("github", r#"repo = "acme/shop""#)),
        ("gitlab", plain("gitlab", r#"project = "acme/portal""#)),
        ("jira", plain("jira", r#"project = "SEC", issue_type = "Bug""#)),
        ("bitbucket", plain("bitbucket", r#"repo = "acme/shop""#)),
        (
            "trello",
            plain("trello", &format!(r#"board = "{BOARD}", list = "{}""#, LISTS[0].0)),
        ),
        ("linear", plain("linear", r#"team = "SEC""#)),
        (
            "azure-devops",
            "kind = \"azure-devops\"\nbase_url = \"{base}/acme\"\nowned = [\"x\"]\nmapping = { project = \"SEC\", work_item_type = \"Bug\" }\n".into(),
        ),
        ("youtrack", plain("youtrack", r#"project = "SEC""#)),
        (
            "asana",
            plain("asana", r#"workspace = "1200000000000001", project = "1200000000000500""#),
        ),
        ("clickup", plain("clickup", r#"list = "901100200300""#)),
    ]
}

#[test]
fn hostile_ticket_ids_build_no_request_for_any_kind() {
    for (kind, entry) in entries() {
        let rig = Rig::new("p", &entry);
        let client = rig.client();
        let draft = rig.draft(1);
        for id in HOSTILE {
            let failures = [
                client.update(id, &draft).err(),
                client.read_status(id).err(),
                client.write_status(id, NormalState::Done).err(),
            ];
            for failure in failures {
                match failure {
                    Some(Failure::Refused(why)) => {
                        assert!(why.contains("ticket id"), "{kind} {id:?}: {why}");
                        assert!(!why.contains('\n'), "{kind}: one line: {why}");
                    }
                    other => panic!("{kind} {id:?}: expected a refusal, got {other:?}"),
                }
            }
            let plan = client.plan(PlannedCall::Update(id, &draft));
            assert!(plan.starts_with("nothing: "), "{kind} {id:?}: {plan}");
        }
        assert_eq!(
            rig.all_requests_text(),
            "",
            "{kind}: not one request was sent"
        );
    }
}

#[test]
fn a_dry_run_plan_names_the_real_path_with_the_real_id() {
    let expected = [
        ("github", "PATCH /repos/acme/shop/issues/7"),
        ("gitlab", "PUT /api/v4/projects/acme%2Fportal/issues/7"),
        ("jira", "PUT /rest/api/3/issue/SEC-7"),
        ("bitbucket", "PUT /2.0/repositories/acme/shop/issues/7"),
        ("azure-devops", "PATCH /acme/SEC/_apis/wit/workitems/7"),
        ("youtrack", "POST /api/issues/SEC-7"),
        ("asana", "PUT /api/1.0/tasks/7"),
        ("clickup", "PUT /api/v2/task/7"),
    ];
    for (kind, entry) in entries() {
        let Some((_, plan)) = expected.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let rig = Rig::new("p", &entry);
        let id = if matches!(kind, "jira" | "youtrack") {
            "SEC-7"
        } else {
            "7"
        };
        assert_eq!(
            rig.client().plan(PlannedCall::Update(id, &rig.draft(1))),
            *plan,
            "{kind}"
        );
    }
}

#[test]
fn a_listing_that_names_a_hostile_id_is_not_taken_for_a_ticket() {
    let rig = Rig::new("p", &entries()[4].1);
    let draft = rig.draft(1);
    // Trello ids are strings: a card whose id would walk out of `/1/cards/`.
    let card = serde_json::json!([{"id": "../../boards/other", "desc": draft.marker(), "closed": false, "idList": LISTS[0].0}]);
    rig.sim.fail(
        Matcher::new("GET", "/cards/all"),
        Fault::status(
            200,
            &[("content-type", "application/json")],
            &card.to_string(),
        ),
        1,
    );
    match rig.client().lookup(&draft) {
        // Never "none found", which would lead to a second ticket.
        Err(Failure::Unavailable { detail, .. }) => {
            assert!(detail.contains("is not a Trello card id"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_hostile_mapping_that_bypassed_the_config_sends_nothing() {
    let rig = Rig::new("p", &entries()[0].1);
    let mut provider = rig.config.providers.values().next().unwrap().clone();
    for repo in ["acme/../evil", "../evil/elsewhere", "acme/%2e%2e"] {
        provider.mapping.repo = Some(repo.into());
        let http = std::sync::Arc::new(ticket_export::providers::http::Http::new(
            rig.config.mode,
            Default::default(),
        ));
        match client_for(&provider, http, &rig.ambient) {
            Err(Failure::NotSent(why)) => assert!(why.contains("mapping.repo"), "{why}"),
            Err(other) => panic!("{repo}: {other}"),
            Ok(_) => panic!("{repo}: a client was built"),
        }
    }
    assert_eq!(rig.sim.request_count(), 0);
}
