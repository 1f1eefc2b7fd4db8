//! Stored waits through the binary: a provider's cooldown is `cooldown` in `inspect` exactly as
//! `retry` honours it, and a wait stored while the clock was far ahead is capped at a day.

use serde_json::{Value, json};
use ticket_export::simulator::{Fault, Matcher, SimTicket, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn github(env: &Env, sim: &Simulator) {
    let (key, entry) = crate::sync::kinds().swap_remove(0);
    assert_eq!(key, "gh");
    let table = format!(
        "[providers.gh]\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\n{}",
        entry.replace("{base}", &sim.base_url())
    );
    write_sim_config(env, "self-hosted", &table);
}

/// Three pending attempts at `gh`; the first retry, at `now`, is answered 429 with a
/// ten-minute `Retry-After`, which stores a cooldown for the provider.
fn rate_limited(now: &str) -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    github(&env, &sim);
    let file = attempts_file(&env, "gh", 3, None);
    env.cmd().arg("import").arg(file).assert().success();
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(429, &[("retry-after", "600")], "{}"),
        1,
    );
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .args(["retry", "--all", "--concurrency", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert_eq!(sim.request_count(), 1);
    (env, sim)
}

fn json(env: &Env, now: &str, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let docs = serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    (
        out.status.code(),
        docs,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn text(env: &Env, now: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const NOW: &str = "2026-11-29T12:00:00Z";

/// Was: after a 429 stored a cooldown for `gh`, `inspect` called its other attempts ready
/// (exit 0, and `--state cooldown` and the summary missed them) while `retry` refused them.
#[test]
fn a_provider_cooldown_is_cooldown_in_inspect_as_in_retry() {
    let (env, sim) = rate_limited(NOW);
    let (code, detail) = text(&env, NOW, &["inspect", "tex_0002"]);
    assert_eq!(code, Some(4), "{detail}");
    assert!(
        detail.contains("provider_cooldown       until 2026-11-29T12:10:00Z (lookup: rate limited"),
        "{detail}"
    );
    assert!(
        detail.contains("providers.gh asked every run to wait until 2026-11-29T12:10:00Z"),
        "{detail}"
    );
    let (code, docs, _) = json(&env, NOW, &["inspect", "--state", "cooldown"]);
    assert_eq!(code, Some(4));
    let listed: Vec<&str> = docs[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ticket_export_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["tex_0001", "tex_0002", "tex_0003"]);
    let (code, docs, _) = json(&env, NOW, &["inspect", "--summary"]);
    assert_eq!(code, Some(4));
    assert_eq!(docs[0]["summary"]["total"]["cooldown"], 3, "{}", docs[0]);
    assert_eq!(docs[0]["summary"]["total"]["ready"], 0, "{}", docs[0]);
    // retry says the same, and sends nothing.
    let (code, lines, _) = json(&env, NOW, &["retry", "tex_0002"]);
    assert_eq!(code, Some(4));
    assert_eq!(lines[0]["state"], "cooldown");
    assert_eq!(lines[0]["retry_after"], "2026-11-29T12:10:00Z");
    assert_eq!(sim.request_count(), 1, "nothing sent during the cooldown");
    // Once it ends, both say ready, and retry creates each ticket once.
    let later = "2026-11-29T12:10:01Z";
    assert_eq!(text(&env, later, &["inspect", "tex_0002"]).0, Some(0));
    let (code, _, _) = json(&env, later, &["retry", "--all"]);
    assert_eq!(code, Some(0));
    assert_eq!(sim.state().tickets.len(), 3);
}

/// Was: a cooldown recorded while the clock was years ahead held the provider off for years.
/// Read now, it is capped at 24 h (and says so); `retry` records the capped time (and says
/// so); a day later the provider is called again.
#[test]
fn a_cooldown_stored_while_the_clock_was_years_ahead_ends_within_a_day() {
    let (env, sim) = rate_limited("2036-01-01T00:00:00Z");
    let capped = "2026-11-30T12:00:00Z";
    let (code, docs, _) = json(&env, NOW, &["inspect", "tex_0002"]);
    let d = &docs[0]["attempt"]["decision"];
    assert_eq!(code, Some(4), "{d}");
    assert_eq!(d["wait_until"], capped);
    assert!(
        d["why"]
            .as_str()
            .unwrap()
            .contains("the stored wait until 2036-01-01T00:10:00Z is more than 24 h ahead"),
        "{d}"
    );
    let (_, detail) = text(&env, NOW, &["inspect", "tex_0001"]);
    assert!(
        detail.contains(
            "2036-01-01T00:10:00Z (more than 24 h ahead of the clock: honoured until 2026-11-30T12:00:00Z only)"
        ),
        "{detail}"
    );
    let (code, lines, stderr) = json(&env, NOW, &["retry", "--all"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("the cooldown of providers.gh was stored until 2036-01-01T00:10:00Z")
            && stderr.contains("the retry_after of tex_0001 was stored until 2036-01-01T00:10:00Z")
            && stderr.contains(&format!("it now ends at {capped}")),
        "{stderr}"
    );
    for line in lines.iter().filter(|l| l.get("ticket_export_id").is_some()) {
        assert_eq!(line["state"], "cooldown", "{line}");
        assert_eq!(line["retry_after"], capped, "{line}");
    }
    assert_eq!(sim.request_count(), 1, "nothing sent");
    let (_, docs, _) = json(&env, NOW, &["inspect", "tex_0001"]);
    let capped_events = docs[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "clock" && e["outcome"] == "capped")
        .count();
    assert_eq!(capped_events, 1);
    // settings check honours the capped cooldown without a probe.
    let (code, docs, _) = json(&env, NOW, &["settings", "check", "gh"]);
    assert_eq!(code, Some(4));
    assert_eq!(docs[0]["result"], "cooldown");
    assert_eq!(docs[0]["retry_after"], capped);
    assert_eq!(sim.request_count(), 1, "no probe");
    // A day later: the wait is over.
    let (code, _, stderr) = json(&env, "2026-11-30T12:00:01Z", &["retry", "--all"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(sim.state().tickets.len(), 3, "each ticket once");
}

/// The same for a linked ticket whose own `retry_after` came years ahead (from an import):
/// `sync` waits a day at most, says so, and then reads the ticket.
#[test]
fn sync_caps_a_tickets_wait_stored_years_ahead() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    github(&env, &sim);
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
    let doc = json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
        "target": "https://shop.example", "findings": [{"finding_id": "fnd_1", "rule_id": "xss",
        "title": "Reflected XSS 1", "severity": "high", "url": "https://shop.example/1"}],
        "ticket_exports": [{"ticket_export_id": "tex_0001", "finding_id": "fnd_1",
        "provider_key": "gh", "export_status": "linked", "provider_error_code": "TICKET_STATUS_SYNC_FAILED",
        "provider_response_code": 429, "mapping_status": "complete", "retry_after": "2036-01-01T00:00:00Z",
        "external_ticket_id": "7", "external_ticket_url": "https://github.com/acme/shop/issues/7",
        "status_sync_status": "failed"}]}]});
    let path = env.path().join("linked.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
    let (code, lines, stderr) = json(&env, NOW, &["sync", "--all"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(lines[0]["outcome"], "cooldown", "{}", lines[0]);
    assert_eq!(lines[0]["retry_after"], "2026-11-30T12:00:00Z");
    assert!(
        stderr.contains("the retry_after of tex_0001 was stored until 2036-01-01T00:00:00Z"),
        "{stderr}"
    );
    assert_eq!(sim.request_count(), 0);
    let (code, _, stderr) = json(&env, "2026-11-30T12:00:01Z", &["sync", "--all"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(sim.request_count() > 0, "the ticket is read again");
    assert!(
        sim.state()
            .requests
            .iter()
            .all(|r| r.path.starts_with("/repos/acme/shop/")),
        "only the owned repository"
    );
}
