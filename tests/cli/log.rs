//! `log`: what happened across attempts, newest first, answering "what did last night's cron
//! run change?" after a real import and a real retry against the simulator.

use ticket_export::simulator::Simulator;

use crate::support::{Env, attempts_file, write_sim_config};

/// Three attempts imported the day before; then, "last night", a cron retry of the whole
/// store against the simulator at 02:00.
fn last_night() -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{0}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n\
         [providers.jira-ops]\nkind = \"jira\"\nbase_url = \"{0}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"OPS\"]\nmapping = {{ project = \"OPS\", issue_type = \"Bug\" }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    env.cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-28T09:00:00Z")
        .arg("import")
        .arg(attempts_file(
            &env,
            "gh",
            3,
            Some("TICKET_EXPORT_DELIVERY_FAILED"),
        ))
        .assert()
        .success();
    env.cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T02:00:00Z")
        .args(["--quiet", "retry", "--all", "--concurrency", "1"])
        .assert()
        .success();
    (env, sim)
}

#[test]
fn since_answers_what_last_nights_run_changed() {
    let (env, sim) = last_night();
    assert_eq!(sim.state().tickets.len(), 3);
    // The clock is 2026-11-29T12:00:00Z: 12h reaches back to midnight, after the import.
    let out = env.run(env.cmd().args(["log", "--since", "12h"]));
    insta::assert_snapshot!(out);
    assert!(
        !out.contains("\timport\t"),
        "the import was the day before: {out}"
    );
    assert_eq!(out.matches("\tretry\t").count(), 3 * 2, "{out}");
    // An RFC 3339 time and an action filter select the same run's creates.
    let out = env
        .cmd()
        .args([
            "--json",
            "log",
            "--since",
            "2026-11-29T01:00:00Z",
            "--action",
            "retry",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let events = doc["events"].as_array().unwrap();
    assert_eq!(doc["shown"], events.len());
    assert_eq!(doc["total"], events.len());
    let created: Vec<&str> = events
        .iter()
        .filter(|e| e["outcome"] == "created")
        .map(|e| e["ticket_export_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        created,
        ["tex_0003", "tex_0002", "tex_0001"],
        "newest first"
    );
    for e in events {
        assert_eq!(e["at"], "2026-11-29T02:00:00Z");
        assert_eq!(e["report_id"], "rep_1");
        assert_eq!(e["provider_key"], "gh");
    }
}

#[test]
fn without_since_everything_newest_first_with_n_of_m() {
    let (env, _sim) = last_night();
    let out = env.run(env.cmd().args(["log", "--limit", "4"]));
    insta::assert_snapshot!(out);
    let listed: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(listed.len(), 4);
    assert!(listed.windows(2).all(|w| w[0] >= w[1]), "{listed:?}");
    assert!(out.contains("4 of 12 events shown"), "{out}");
    let out = env.run(
        env.cmd()
            .args(["log", "--report", "rep_1", "--provider", "gh"]),
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("2026-")).count(),
        12,
        "{out}"
    );
    assert!(!out.contains(" of "), "nothing was cut: {out}");
}

#[test]
fn on_a_terminal_a_table_with_the_hint() {
    let (env, _sim) = last_night();
    let out = env.run(
        env.cmd()
            .args(["log", "--since", "12h", "--action", "retry", "--limit", "2"])
            .env("TICKET_EXPORT_TTY", "1"),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn filters_that_name_nothing_are_exit_2_with_close_matches() {
    let (env, sim) = last_night();
    let before = env.dump();
    let sent = sim.request_count();
    for (args, wanted) in [
        (["--report", "rep_2"], "did you mean rep_1?"),
        (["--provider", "GH"], "did you mean gh?"),
        (["--action", "retyr"], "did you mean retry?"),
        (["--since", "yesterday"], "is not a time or an age"),
    ] {
        let out = env.run(env.cmd().arg("log").args(args));
        assert!(out.starts_with("exit: 2\n"), "{args:?}: {out}");
        assert!(out.contains(wanted), "{args:?}: {out}");
        assert!(
            out.contains("--- stdout\n--- stderr"),
            "nothing on stdout: {out}"
        );
    }
    // A provider only the config names, and an action never run, are valid: they have no
    // events yet.
    for args in [["--provider", "jira-ops"], ["--action", "fallback"]] {
        let out = env.run(env.cmd().arg("log").args(args));
        assert!(out.starts_with("exit: 0\n"), "{out}");
        assert!(out.contains("no events match; the store holds 12"), "{out}");
    }
    assert_eq!(env.dump(), before, "log changes nothing");
    assert_eq!(sim.request_count(), sent, "log sends nothing");
}

#[test]
fn a_missing_store_is_reported_and_not_created() {
    let env = Env::new();
    let out = env.run(env.cmd().arg("log"));
    insta::assert_snapshot!(out);
    assert!(!env.store().exists(), "a reading command created the store");
}

/// Every action the demo's whole flow records is one `--action` accepts by name.
#[test]
fn every_recorded_action_is_a_documented_one() {
    let env = Env::new();
    let dir = env.path().join("demo");
    env.cmd()
        .args(["demo", "--dir"])
        .arg(&dir)
        .assert()
        .success();
    let out = env
        .cmd()
        .arg("--store")
        .arg(dir.join("store.sqlite3"))
        .args(["--json", "log", "--limit", "100000"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut actions: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort();
    actions.dedup();
    assert!(actions.len() >= 5, "{actions:?}");
    for action in actions {
        assert!(
            ticket_export::history::ACTIONS.contains(&action),
            "{action} is recorded but not listed"
        );
    }
}
