//! `settings check` passes only on a real answer. For every kind, each read-only probe of a
//! check is answered once with a success status whose body is not the object asked for: an
//! HTML sign-in page, plain text, `null`, `{}`, a list, an error object, or an empty 204. Each
//! must fail the check; a passing check marks the provider healthy, which makes attempts that
//! failed authentication ready again.

use ticket_export::providers::Failure;
use ticket_export::simulator::trello::{BOARD, LISTS};
use ticket_export::simulator::{Fault, Matcher};

use crate::support::Rig;

/// Each kind's rig: key, `auth` body and entry.
fn kinds() -> Vec<(&'static str, &'static str, String)> {
    let token_and_user = r#"token_env = "SIM_TOKEN", user_env = "SIM_USER""#;
    let token = r#"token_env = "SIM_TOKEN""#;
    vec![
        ("jira", token_and_user, "kind = \"jira\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", issue_type = \"Bug\" }\n".into()),
        ("jira-dc", token, "kind = \"jira\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", issue_type = \"Bug\" }\n".into()),
        ("gh", token_and_user, "kind = \"github\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n".into()),
        ("gl", token_and_user, "kind = \"gitlab\"\nbase_url = \"{base}\"\nowned = [\"acme/portal\"]\nmapping = { project = \"acme/portal\" }\n".into()),
        ("bb", token_and_user, "kind = \"bitbucket\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n".into()),
        ("tr", token_and_user, format!("kind = \"trello\"\nbase_url = \"{{base}}\"\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{}\" }}\n", LISTS[0].0)),
        ("lin", token_and_user, "kind = \"linear\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { team = \"SEC\" }\n".into()),
        ("az", token_and_user, "kind = \"azure-devops\"\nbase_url = \"{base}/acme\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", work_item_type = \"Bug\" }\n".into()),
        ("yt", token_and_user, "kind = \"youtrack\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\" }\n".into()),
        ("asana", token_and_user, "kind = \"asana\"\nbase_url = \"{base}\"\nowned = [\"1200000000000500\"]\nmapping = { workspace = \"1200000000000001\", project = \"1200000000000500\" }\n".into()),
        ("cu", token_and_user, "kind = \"clickup\"\nbase_url = \"{base}\"\nowned = [\"901100200300\"]\nmapping = { list = \"901100200300\" }\n".into()),
    ]
}

/// Success statuses with bodies that are not the object a probe asks for.
fn not_answers() -> Vec<(&'static str, Fault)> {
    let json = [("content-type", "application/json")];
    vec![
        (
            "an HTML sign-in page",
            Fault::status(
                200,
                &[("content-type", "text/html; charset=utf-8")],
                "<!doctype html><html><body>Sign in to continue</body></html>",
            ),
        ),
        (
            "plain text",
            Fault::status(200, &[("content-type", "text/plain")], "OK"),
        ),
        ("null", Fault::status(200, &json, "null")),
        ("an empty object", Fault::status(200, &json, "{}")),
        ("a list", Fault::status(200, &json, "[]")),
        (
            "an error object",
            Fault::status(200, &json, r#"{"message":"ok"}"#),
        ),
        ("an empty 204", Fault::status(204, &[], "")),
    ]
}

#[test]
fn a_check_passes_only_on_the_answers_it_asked_for() {
    for (key, auth, entry) in kinds() {
        let rig = Rig::with_auth(key, auth, &entry);
        let healthy = rig.client().check();
        assert!(
            healthy.is_ok(),
            "{key}: the simulator's answers pass: {healthy:?}"
        );
        let probes = rig.sim.request_count();
        assert!(
            probes >= 2,
            "{key}: a check probes the account and the destination"
        );
        for probe in 0..probes {
            for (what, fault) in not_answers() {
                rig.sim.clear_faults();
                rig.sim.fail(Matcher::any().after(probe), fault, 1);
                match rig.client().check() {
                    Ok(report) => panic!(
                        "{key}: probe {probe} answered with {what}, and the check passed as {:?}",
                        report.identity
                    ),
                    Err(f) => assert!(
                        !matches!(f, Failure::Credential(_) | Failure::NotSent(_)),
                        "{key}: {f}"
                    ),
                }
            }
        }
        assert!(
            rig.sim.state().tickets.is_empty(),
            "{key}: a check writes nothing"
        );
    }
}

/// The failure says which probe got what, so a person can tell a proxy from a token problem.
#[test]
fn the_failure_names_the_probe_and_what_came_back() {
    let (key, auth, entry) = kinds().remove(2);
    let rig = Rig::with_auth(key, auth, &entry);
    rig.sim.fail(
        Matcher::any(),
        Fault::status(
            200,
            &[("content-type", "text/html")],
            "<html>Sign in</html>",
        ),
        1,
    );
    let f = rig.client().check().unwrap_err();
    assert!(matches!(f, Failure::Unexpected(_)), "{f:?}");
    let shown = f.to_string();
    assert!(
        shown.contains("GET /user answered with no JSON") && shown.contains("`login`"),
        "{shown}"
    );
}
