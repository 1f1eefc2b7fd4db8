//! A create that takes two requests (Linear: the issue, then its fingerprint attachment): when
//! only the second fails, the ticket exists, so the attempt must never look undelivered.

use ticket_export::simulator::{Fault, Matcher, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

#[test]
fn a_linear_issue_whose_attachment_failed_is_linked_never_written_as_fallback() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[fallback]\nafter = \"1m\"\n[providers.lin]\nkind = \"linear\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"SEC\"]\nmapping = {{ team = \"SEC\" }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "lin", 1, Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE"));
    env.cmd().arg("import").arg(&file).assert().success();
    // The issue is created; the attachment that carries its fingerprint is rate limited.
    sim.fail(
        Matcher::new("POST", "/graphql").body("attachmentCreate"),
        Fault::status(429, &[("retry-after", "600")], r#"{"errors":[]}"#),
        1,
    );
    let out = env
        .cmd()
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"outcome\":\"linked\""), "{text}");
    assert_eq!(sim.state().tickets.len(), 1);
    // Long after the outage began, fallback finds nothing to write: the ticket exists.
    let later = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T13:00:00Z")
        .args(["--json", "fallback", "--yes", "--all-blocked"])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&later.stdout);
    assert!(summary.contains("\"attempts_recorded\":0"), "{summary}");
}

#[test]
fn an_uncertain_create_stays_uncertain_through_an_outage_and_is_never_written_as_fallback() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[fallback]\nafter = \"1m\"\n[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "gh", 1, None);
    env.cmd().arg("import").arg(&file).assert().success();
    let at = |now: &str, args: &[&str]| {
        let out = env
            .cmd()
            .env("TICKET_EXPORT_NOW", now)
            .args(["--json"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The create lands but its answer is lost, and the lookup after it fails: uncertain.
    sim.fail(Matcher::new("POST", "/issues"), Fault::LoseResponse, 1);
    sim.fail(Matcher::new("GET", "/issues").after(1), Fault::Drop, 3);
    let first = at("2026-11-29T12:00:00Z", &["retry", "--all"]);
    assert!(first.contains("\"outcome\":\"uncertain\""), "{first}");
    // Then the provider is rate limited for the next lookup: still uncertain, not just failed.
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(429, &[("retry-after", "600")], "{}"),
        1,
    );
    let second = at("2026-11-29T12:06:00Z", &["retry", "--all"]);
    assert!(
        second.contains("\"export_status\":\"uncertain\""),
        "{second}"
    );
    // Long past the fallback threshold: no portable files beside the ticket that exists.
    let fallback = at(
        "2026-11-29T13:00:00Z",
        &["fallback", "--yes", "--all-blocked"],
    );
    assert!(fallback.contains("\"attempts_recorded\":0"), "{fallback}");
    let third = at("2026-11-29T13:00:00Z", &["retry", "--all"]);
    assert!(third.contains("\"outcome\":\"linked\""), "{third}");
    assert_eq!(sim.state().tickets.len(), 1);
}
