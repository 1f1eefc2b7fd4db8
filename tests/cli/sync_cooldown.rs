//! `sync` and the waits providers ask for: an attempt's own `retry_after` (design section 4:
//! nothing calls the provider about it before then), besides the provider-wide cooldown.

use serde_json::{Value, json};
use ticket_export::simulator::{SimTicket, Simulator};

use crate::support::{Env, write_sim_config};

const WAIT_UNTIL: &str = "2026-11-29T12:10:00Z";

/// Two tickets the platform linked on GitHub: `tex_0001` (ticket 7) whose last sync was
/// rate-limited with a wait until `WAIT_UNTIL`, and `tex_0002` (ticket 8) in good order.
fn platform_linked() -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let (key, entry) = crate::sync::kinds().swap_remove(0);
    assert_eq!(key, "gh");
    let table = format!(
        "[providers.gh]\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\n{}",
        entry.replace("{base}", &sim.base_url())
    );
    write_sim_config(&env, "self-hosted", &table);
    for id in ["7", "8"] {
        sim.state().tickets.push(SimTicket {
            kind: "github",
            destination: "acme/shop".into(),
            id: id.into(),
            title: format!("Reflected XSS {id}"),
            body: String::new(),
            labels: vec!["security".into()],
            state: "open".into(),
            extra: json!({}),
        });
    }
    let export = |i: usize, ticket: &str, code: Option<&str>| {
        json!({"ticket_export_id": format!("tex_000{i}"), "finding_id": format!("fnd_{i}"),
            "provider_key": "gh", "export_status": "linked", "provider_error_code": code,
            "provider_response_code": code.map(|_| 429), "mapping_status": "complete",
            "retry_after": code.map(|_| WAIT_UNTIL), "external_ticket_id": ticket,
            "external_ticket_url": format!("https://github.com/acme/shop/issues/{ticket}"),
            "status_sync_status": if code.is_some() { "failed" } else { "ok" }})
    };
    let finding = |i: usize| {
        json!({"finding_id": format!("fnd_{i}"), "rule_id": "xss-reflected",
            "title": format!("Reflected XSS {i}"), "severity": "high",
            "url": format!("https://shop.example/page/{i}?q=1"), "status": "open"})
    };
    let doc = json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
        "target": "https://shop.example", "findings": [finding(1), finding(2)],
        "ticket_exports": [export(1, "7", Some("TICKET_STATUS_SYNC_FAILED")), export(2, "8", None)]}]});
    let path = env.path().join("linked.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
    (env, sim)
}

fn sync(env: &Env, now: &str, args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .args(["--json", "sync"])
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

fn line<'a>(lines: &'a [Value], id: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["ticket_export_id"] == id)
        .unwrap_or_else(|| panic!("no line for {id}: {lines:?}"))
}

#[test]
fn an_attempt_waiting_on_its_own_rate_limit_is_skipped_until_then() {
    let (env, sim) = platform_linked();
    let before = "2026-11-29T12:05:00Z";
    let (code, lines) = sync(&env, before, &["tex_0001"]);
    assert_eq!(code, Some(4), "cooldown: rerun later; {lines:?}");
    assert_eq!(sim.request_count(), 0, "nothing is sent about it");
    let item = line(&lines, "tex_0001");
    assert_eq!(
        (item["outcome"].as_str(), item["state"].as_str()),
        (Some("cooldown"), Some("cooldown"))
    );
    assert_eq!(item["retry_after"], WAIT_UNTIL);
    let detail = item["detail"].as_str().unwrap();
    for part in [
        "gh asked us to wait until 2026-11-29T12:10:00Z",
        "HTTP 429",
        "nothing sent",
        "rerun sync after 2026-11-29T12:10:00Z",
    ] {
        assert!(detail.contains(part), "{part:?} in {detail}");
    }
    let inspect = env
        .cmd()
        .env("TICKET_EXPORT_NOW", before)
        .args(["inspect", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(inspect.status.code(), Some(4), "triage says the same");

    // The others still sync; the waiting one is neither listed for nor read on its own.
    let (code, lines) = sync(&env, before, &["--all", "--dry-run"]);
    assert_eq!(code, Some(4), "{lines:?}");
    assert_eq!(line(&lines, "tex_0001")["outcome"], "cooldown");
    assert_eq!(line(&lines, "tex_0002")["outcome"], "unchanged");
    let (code, lines) = sync(&env, before, &["--all"]);
    assert_eq!(code, Some(4), "{lines:?}");
    assert_eq!(line(&lines, "tex_0001")["outcome"], "cooldown");
    assert!(sim.request_count() > 0, "tex_0002 was read");
    assert!(
        sim.state()
            .requests
            .iter()
            .all(|r| !r.path.ends_with("/issues/7")),
        "no request about ticket 7"
    );

    // Once the wait is over it syncs, and the sync failure is cleared.
    let (code, lines) = sync(&env, "2026-11-29T12:11:00Z", &["tex_0001"]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(line(&lines, "tex_0001")["outcome"], "unchanged");
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:11:00Z")
        .args(["--json", "inspect", "tex_0001"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["attempt"]["provider_error_code"], Value::Null);
    assert_eq!(doc["attempt"]["retry_after"], Value::Null);
}
