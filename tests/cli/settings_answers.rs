//! `settings check` passes only on a real answer: a 200 with a sign-in page, text, `null`, `{}`
//! or a 204 is a failed check, recorded as such, and never unblocks an authentication failure.

use ticket_export::simulator::{Fault, Matcher, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn entry(sim: &Simulator) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

fn health(env: &Env) -> Vec<String> {
    env.dump()
        .lines()
        .filter(|l| l.starts_with("provider_health:"))
        .map(str::to_owned)
        .collect()
}

/// Was: any 2xx passed, so a proxy's sign-in page recorded the provider as healthy, and every
/// `PROVIDER_AUTH_FAILED` attempt became ready to retry.
#[test]
fn a_check_answered_by_a_sign_in_page_fails_and_unblocks_nothing() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(&env, "self-hosted", &entry(&sim));
    env.cmd()
        .arg("import")
        .arg(attempts_file(&env, "gh", 1, Some("PROVIDER_AUTH_FAILED")))
        .assert()
        .success();
    let later = "2026-11-29T12:30:00Z";
    let json = [("content-type", "application/json")];
    let answers = [
        Fault::status(
            200,
            &[("content-type", "text/html")],
            "<html><body>Sign in with SSO</body></html>",
        ),
        Fault::status(200, &[("content-type", "text/plain")], "OK"),
        Fault::status(200, &json, "null"),
        Fault::status(200, &json, "{}"),
        Fault::status(204, &[], ""),
    ];
    for answer in answers {
        sim.clear_faults();
        // The first probe (GET /user) gets the page; the rest would be real answers.
        sim.fail(Matcher::new("GET", "/user"), answer.clone(), 1);
        let out = env
            .cmd()
            .env("TICKET_EXPORT_NOW", later)
            .args(["--json", "settings", "check"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{answer:?}");
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["result"], "failed", "{answer:?}: {line}");
        assert!(
            line["detail"]
                .as_str()
                .unwrap()
                .contains("unexpected answer: GET /user answered with"),
            "{line}"
        );
        let recorded = health(&env);
        assert_eq!(recorded.len(), 1, "{recorded:?}");
        assert!(
            recorded[0].starts_with("provider_health: gh|auth_failed|"),
            "{recorded:?}"
        );

        // The authentication failure stays blocked, and retry sends nothing.
        let inspect = env
            .cmd()
            .env("TICKET_EXPORT_NOW", later)
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap();
        assert_eq!(inspect.status.code(), Some(3));
        let sent = sim.request_count();
        let retry = env
            .cmd()
            .env("TICKET_EXPORT_NOW", later)
            .args(["--json", "retry", "tex_0001"])
            .output()
            .unwrap();
        assert_eq!(retry.status.code(), Some(3));
        assert_eq!(sim.request_count(), sent, "retry sent nothing");
    }
    assert!(sim.state().tickets.is_empty());

    // A real answer passes, and only then is the attempt ready.
    sim.clear_faults();
    env.cmd()
        .env("TICKET_EXPORT_NOW", later)
        .args(["settings", "check"])
        .assert()
        .success();
    assert!(health(&env)[0].starts_with("provider_health: gh|ok|"));
    env.cmd()
        .env("TICKET_EXPORT_NOW", later)
        .args(["inspect", "tex_0001"])
        .assert()
        .success();
}
