//! `retry` end to end: the CLI against the loopback simulator.

use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn github_entry(sim: &Simulator) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

fn setup(n: usize, code: Option<&str>) -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(&env, "self-hosted", &github_entry(&sim));
    env.cmd()
        .arg("import")
        .arg(attempts_file(&env, "gh", n, code))
        .assert()
        .success();
    (env, sim)
}

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn retry_creates_once_and_a_second_run_sends_nothing() {
    let (env, sim) = setup(2, Some("TICKET_EXPORT_DELIVERY_FAILED"));
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines[0]["outcome"], "created");
    assert_eq!(
        lines[0]["external_ticket_url"],
        "https://github.com/acme/shop/issues/1"
    );
    assert_eq!(lines[1]["summary"]["created"], 1);
    assert_eq!(sim.state().tickets.len(), 1);
    let sent = sim.request_count();
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_lines(&out)[0]["outcome"],
        "refused",
        "nothing left to do"
    );
    assert_eq!(sim.request_count(), sent, "a second run sends nothing");
    let doc: serde_json::Value = serde_json::from_slice(
        &env.cmd()
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let outcomes: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["created", "intent", "found 0", "created"],
        "import, claim, lookup, create"
    );
}

#[test]
fn a_lost_response_then_retry_gives_exactly_one_ticket() {
    let (env, sim) = setup(1, Some("TICKET_EXPORT_DELIVERY_FAILED"));
    sim.fail(Matcher::new("POST", "/issues"), Fault::LoseResponse, 1);
    // The lookup after the lost answer fails too, so this run cannot confirm.
    sim.fail(Matcher::new("GET", "/issues").after(1), Fault::Drop, 3);
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    let first = &json_lines(&out)[0];
    assert_eq!(first["outcome"], "uncertain", "{first}");
    assert_eq!(
        out.status.code(),
        Some(4),
        "uncertain waits before the next look"
    );
    assert_eq!(sim.state().tickets.len(), 1, "the provider did create it");
    // The next run, after the short wait, looks it up and links it instead of creating another.
    let later = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:05:00Z")
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    let second = &json_lines(&later)[0];
    assert_eq!(second["outcome"], "linked", "{second}");
    assert_eq!(later.status.code(), Some(0));
    assert_eq!(sim.state().tickets.len(), 1, "exactly one ticket");
}

#[test]
fn a_lost_response_is_resolved_in_the_same_run_when_the_lookup_works() {
    let (env, sim) = setup(1, None);
    sim.fail(Matcher::new("POST", "/issues"), Fault::LoseResponse, 1);
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(json_lines(&out)[0]["outcome"], "linked");
    assert_eq!(sim.state().tickets.len(), 1);
}

#[test]
fn auth_failure_stops_calls_to_that_provider() {
    let (env, sim) = setup(5, None);
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(401, &[], r#"{"message":"Bad credentials"}"#),
        1,
    );
    let out = env
        .cmd()
        .args(["--json", "retry", "--all", "--concurrency", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let lines = json_lines(&out);
    assert_eq!(lines.iter().filter(|l| l["outcome"] == "failed").count(), 1);
    assert_eq!(
        lines.iter().filter(|l| l["outcome"] == "skipped").count(),
        4
    );
    assert_eq!(
        sim.request_count(),
        1,
        "after the 401 nothing more was sent"
    );
    assert_eq!(lines[0]["provider_error_code"], "PROVIDER_AUTH_FAILED");
}

#[test]
fn a_429_sets_a_cooldown_that_the_next_run_honours() {
    let (env, sim) = setup(3, None);
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(429, &[("retry-after", "600")], "{}"),
        1,
    );
    let out = env
        .cmd()
        .args(["--json", "retry", "--all", "--concurrency", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(sim.request_count(), 1);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["retry_after"], "2026-11-29T12:10:00Z");
    let again = env
        .cmd()
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(4));
    assert_eq!(
        sim.request_count(),
        1,
        "nothing is sent during the cooldown"
    );
    let after = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:11:00Z")
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
    assert_eq!(sim.state().tickets.len(), 3);
}

#[test]
fn dry_run_plans_and_changes_nothing() {
    let (env, sim) = setup(2, None);
    let before = env.dump();
    let out = env.run(env.cmd().args(["retry", "--all", "--dry-run"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        out.contains("GET /repos/acme/shop/issues (labels=fp-"),
        "{out}"
    );
    assert!(
        out.contains("then, only if none is found: POST /repos/acme/shop/issues in acme/shop"),
        "{out}"
    );
    assert_eq!(sim.request_count(), 0);
    assert_eq!(env.dump(), before);
}

#[test]
fn the_token_never_reaches_output_or_the_store() {
    let (env, sim) = setup(3, None);
    sim.fail(
        Matcher::new("POST", "/issues"),
        Fault::status(
            401,
            &[],
            &format!(r#"{{"message":"token {SIM_TOKEN} revoked"}}"#),
        ),
        1,
    );
    let out = env.cmd().args(["-v", "retry", "--all"]).output().unwrap();
    let json = env
        .cmd()
        .args(["--json", "-v", "retry", "--all"])
        .output()
        .unwrap();
    for bytes in [&out.stdout, &out.stderr, &json.stdout, &json.stderr] {
        assert!(!String::from_utf8_lossy(bytes).contains(SIM_TOKEN));
    }
    let store = std::fs::read(env.store()).unwrap();
    let wal = std::fs::read(env.path().join("store.sqlite3-wal")).unwrap_or_default();
    for bytes in [store, wal] {
        assert!(
            !bytes
                .windows(SIM_TOKEN.len())
                .any(|w| w == SIM_TOKEN.as_bytes()),
            "the token is in the store"
        );
    }
    let dump = env.dump();
    assert!(
        dump.contains("[redacted]"),
        "the echoed token was scrubbed from the event:\n{dump}"
    );
}

#[test]
fn refusals_send_nothing() {
    let sim = Simulator::start().unwrap();
    let port = sim.base_url().rsplit(':').next().unwrap().to_owned();
    let cases = [
        (
            "unowned destination",
            "self-hosted",
            github_entry(&sim).replace("owned = [\"acme/shop\"]", "owned = [\"acme/other\"]"),
            5,
        ),
        ("http in cloud mode", "cloud", github_entry(&sim), 5),
        (
            "private address in cloud mode",
            "cloud",
            github_entry(&sim).replace("http://", "https://"),
            5,
        ),
        (
            "metadata address",
            "self-hosted",
            github_entry(&sim).replace(&format!("127.0.0.1:{port}"), "169.254.169.254"),
            5,
        ),
    ];
    for (name, mode, entry, code) in cases {
        let env = Env::new();
        write_sim_config(&env, mode, &entry);
        env.cmd()
            .arg("import")
            .arg(attempts_file(&env, "gh", 1, None))
            .assert()
            .success();
        let out = env.run(env.cmd().args(["retry", "tex_0001"]));
        assert!(out.starts_with(&format!("exit: {code}\n")), "{name}: {out}");
        assert!(out.contains("refused"), "{name}: {out}");
        assert_eq!(sim.request_count(), 0, "{name}: nothing was sent");
    }
}

#[test]
fn a_redirect_is_not_followed() {
    let (env, sim) = setup(1, None);
    sim.fail(
        Matcher::any(),
        Fault::status(302, &[("location", "https://evil.example/")], ""),
        1,
    );
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(sim.request_count(), 1, "the redirect was not followed");
    assert!(sim.state().tickets.is_empty());
}

#[test]
fn unknown_ids_are_a_usage_error() {
    let (env, _sim) = setup(1, None);
    let out = env.run(env.cmd().args(["retry", "tex_9999"]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("no attempt \"tex_9999\" in the store"),
        "{out}"
    );
    let out = env.run(env.cmd().args(["retry"]));
    assert!(
        out.starts_with("exit: 2\n"),
        "a selection is required: {out}"
    );
}

#[test]
fn two_processes_over_200_attempts_create_each_ticket_once() {
    let (env, sim) = setup(200, None);
    sim.set_latency(std::time::Duration::from_millis(2));
    let spawn = || {
        env.cmd()
            .args(["--json", "retry", "--all", "--concurrency", "4"])
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("locked"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let state = sim.state();
    assert_eq!(state.tickets.len(), 200, "each ticket exactly once");
    let mut labels: Vec<&String> = state
        .tickets
        .iter()
        .flat_map(|t| t.labels.iter().filter(|l| l.starts_with("fp-")))
        .collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 200);
}

#[cfg(unix)]
#[test]
fn a_retry_killed_halfway_then_rerun_loses_nothing_and_duplicates_nothing() {
    let (env, sim) = setup(60, None);
    sim.set_latency(std::time::Duration::from_millis(20));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ticket-export"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("TICKET_EXPORT_NOW", crate::support::NOW)
        .env("TICKET_EXPORT_CONFIG", env.config())
        .env("TICKET_EXPORT_STORE", env.store())
        .args(["--json", "retry", "--all", "--concurrency", "2"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while sim.state().tickets.len() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let created_before = sim.state().tickets.len();
    assert!(created_before < 60, "killed halfway");
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:05:00Z")
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        sim.state().tickets.len(),
        60,
        "every attempt delivered once"
    );
    let summary: serde_json::Value = serde_json::from_slice(
        &env.cmd()
            .args(["--json", "inspect", "--summary"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(summary["summary"]["total"]["ready"], 60);
}

#[test]
fn a_passing_settings_check_after_an_auth_failure_makes_it_retryable() {
    let (env, sim) = setup(1, Some("PROVIDER_AUTH_FAILED"));
    let status = |args: &[&str]| env.cmd().args(args).output().unwrap().status.code();
    assert_eq!(
        status(&["inspect", "tex_0001"]),
        Some(3),
        "credentials unchanged since the failure"
    );
    assert_eq!(status(&["retry", "tex_0001"]), Some(3), "refused");
    assert_eq!(sim.request_count(), 0);
    let later = |args: &[&str]| {
        env.cmd()
            .env("TICKET_EXPORT_NOW", "2026-11-29T12:01:00Z")
            .args(args)
            .output()
            .unwrap()
    };
    let out = later(&["settings", "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("gh\tgithub\tok\tas sim-bot"), "{text}");
    assert!(
        sim.state().requests.iter().all(|r| r.method == "GET"),
        "the check is read-only"
    );
    assert_eq!(
        later(&["inspect", "tex_0001"]).status.code(),
        Some(0),
        "a passing check since the failure"
    );
    assert_eq!(later(&["retry", "tex_0001"]).status.code(), Some(0));
    assert_eq!(sim.state().tickets.len(), 1);
}

#[test]
fn a_failing_settings_check_is_recorded_and_blocks() {
    let (env, sim) = setup(1, None);
    sim.fail(
        Matcher::new("GET", "/user"),
        Fault::status(401, &[], r#"{"message":"Bad credentials"}"#),
        1,
    );
    let out = env.run(env.cmd().args(["settings", "check", "gh"]));
    assert!(
        out.starts_with("exit: 3\n")
            && out.contains("authentication failed (HTTP 401): Bad credentials"),
        "{out}"
    );
    let out = env.run(env.cmd().args(["settings", "check", "nope"]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("no provider \"nope\" in the config"),
        "{out}"
    );
}
