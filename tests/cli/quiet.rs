//! `--quiet` means quiet when nothing changed (issue 12, point 2): a cron job that runs `retry`
//! and `sync` every minute mails only what changed or is a new problem; the exit code carries
//! the rest.

use serde_json::json;
use ticket_export::simulator::{Fault, Matcher, SimTicket, Simulator};

use crate::support::{Env, write_sim_config};

/// A store with what every cron run meets again: a linked GitHub ticket in step, a webhook
/// delivery (no ticket status to sync), an attempt blocked on its credentials and one cooling
/// down (both refused by retry), and one failed delivery that retry can finish.
fn cron_store() -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let base = sim.base_url();
    let entries = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{base}\"\nallow_http = true\n\
         auth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\n\
         mapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n\n\
         [providers.hooks]\nkind = \"webhook\"\nbase_url = \"{base}/hooks/webriskops\"\nallow_http = true\n\
         auth = {{ secret_file = \"sim.token\" }}\nowned = [\"127.0.0.1\"]\n"
    );
    write_sim_config(&env, "self-hosted", &entries);
    sim.state().tickets.push(SimTicket {
        kind: "github",
        destination: "acme/shop".into(),
        id: "7".into(),
        title: "Reflected XSS 1".into(),
        body: String::new(),
        labels: vec!["security".into()],
        state: "open".into(),
        extra: json!({}),
    });
    let finding = |i: usize| {
        json!({"finding_id": format!("fnd_{i}"), "rule_id": "xss-reflected",
            "title": format!("Reflected XSS {i}"), "severity": "high",
            "url": format!("https://shop.example/page/{i}?q=1"), "parameter": "q",
            "description": "echoed", "remediation": "encode", "status": "open"})
    };
    let export = |i: usize, key: &str, status: &str, code: Option<&str>, http: Option<u16>| {
        json!({"ticket_export_id": format!("tex_000{i}"), "finding_id": format!("fnd_{i}"),
            "provider_key": key, "export_status": status, "provider_error_code": code,
            "provider_response_code": http, "mapping_status": "complete",
            "retry_after": null, "external_ticket_url": null})
    };
    let mut linked = export(1, "gh", "linked", None, None);
    linked["external_ticket_id"] = "7".into();
    linked["external_ticket_url"] = "https://github.com/acme/shop/issues/7".into();
    linked["status_sync_status"] = "ok".into();
    let mut hook = export(2, "hooks", "linked", None, None);
    hook["external_ticket_id"] = "delivery-2".into();
    let mut cooling = export(
        4,
        "gh",
        "failed",
        Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE"),
        Some(503),
    );
    cooling["retry_after"] = "2026-11-29T13:00:00Z".into();
    let doc = json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
        "target": "https://shop.example", "findings": (1..=5).map(finding).collect::<Vec<_>>(),
        "ticket_exports": [linked, hook,
            export(3, "gh", "failed", Some("PROVIDER_AUTH_FAILED"), Some(401)), cooling,
            export(5, "gh", "failed", Some("TICKET_EXPORT_DELIVERY_FAILED"), Some(502))]}]});
    let path = env.path().join("cron.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
    (env, sim)
}

/// Runs `--quiet CMD...` piped, as cron does: exit code and everything it printed.
fn quiet(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let out = env.cmd().arg("--quiet").args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn a_second_quiet_run_of_retry_and_sync_prints_nothing() {
    let (env, sim) = cron_store();

    // The first retry creates the one ticket it can and says so; refused attempts are no news.
    let (code, first) = quiet(&env, &["retry", "--all"]);
    assert_eq!(
        code,
        Some(3),
        "the blocked attempt still needs a person: {first}"
    );
    assert!(
        first.contains("tex_0005") && first.contains("created"),
        "{first}"
    );
    for refused in ["tex_0003", "tex_0004", "refused"] {
        assert!(
            !first.contains(refused),
            "{refused} was refused as before: {first}"
        );
    }
    let (code, second) = quiet(&env, &["retry", "--all"]);
    assert_eq!(code, Some(3), "the exit code still carries it");
    assert_eq!(second, "", "nothing changed, nothing printed");

    // Sync: the webhook delivery has no ticket status to sync, the GitHub link is in step.
    for run in ["first", "second"] {
        let (code, out) = quiet(&env, &["sync", "--all"]);
        assert_eq!(code, Some(0), "{run}: {out}");
        assert_eq!(out, "", "{run} sync run: nothing changed, nothing printed");
    }
    let created = sim
        .state()
        .requests
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(created, 1, "one create, by the first retry");

    // Without --quiet, the same run still shows what it refused and skipped.
    let loud = env.cmd().args(["sync", "--all"]).output().unwrap();
    let loud = String::from_utf8_lossy(&loud.stdout);
    assert!(
        loud.contains("webhooks have no ticket status to sync"),
        "{loud}"
    );
}

#[test]
fn a_new_problem_is_printed_once_then_carried_by_the_exit_code() {
    let (env, sim) = cron_store();
    // The token was revoked: the delivery that was ready fails on its credentials, which is news.
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(401, &[], r#"{"message":"Bad credentials"}"#),
        10,
    );
    let (code, first) = quiet(&env, &["retry", "--all"]);
    assert_eq!(code, Some(3), "{first}");
    assert!(
        first.contains("tex_0005") && first.contains("PROVIDER_AUTH_FAILED"),
        "the new problem is printed: {first}"
    );
    assert!(!first.contains("tex_0003"), "the old one is not: {first}");
    let (code, again) = quiet(&env, &["retry", "--all"]);
    assert_eq!(code, Some(3), "the exit code still carries it");
    assert_eq!(again, "", "the same problem is not mailed every run");
}

#[test]
fn a_second_quiet_fallback_prints_nothing() {
    let env = Env::new().with_demo_store();
    let (code, first) = quiet(&env, &["fallback", "--report", "rep_2051", "--yes"]);
    assert!(first.contains("written\t"), "the files it wrote: {first}");
    assert!(
        !first.contains("left out"),
        "attempts with a ticket are left out as before: {first}"
    );
    let (again, second) = quiet(&env, &["fallback", "--report", "rep_2051", "--yes"]);
    assert_eq!(again, code, "the exit code carries the rest");
    assert_eq!(second, "", "the same files, unchanged: nothing printed");
    // Without --quiet, the unchanged files and the left-out attempts are still listed.
    let loud = env.run(
        env.cmd()
            .args(["fallback", "--report", "rep_2051", "--yes"]),
    );
    assert!(
        loud.contains("unchanged\t") && loud.contains("left out"),
        "{loud}"
    );
}
