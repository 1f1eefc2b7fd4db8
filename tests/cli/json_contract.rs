//! One JSON contract (issue 12 point 14): under `--json` stdout holds JSON only, each output
//! matches its published schema in `schemas/`, batches share one summary envelope, and an error
//! is one JSON object on stderr with the exit code, what, why and next.

use std::process::Output;

use serde_json::Value;

use crate::support::Env;

fn schema(name: &str) -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/");
    let text = std::fs::read_to_string(format!("{path}{name}")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn check(schema_name: &str, value: &Value) {
    let errors: Vec<String> = schema(schema_name)
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_name}: {errors:#?}\n{value:#}");
}

/// Stdout as one JSON document (nothing else on it).
fn document(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Stdout as JSON Lines (nothing else on it).
fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn reading_commands_match_their_schemas() {
    let env = Env::new().with_demo_store();
    let json = |args: &[&str]| {
        let out = env.cmd().arg("--json").args(args).output().unwrap();
        document(&out)
    };
    check("inspect-list-v1.schema.json", &json(&["inspect"]));
    check(
        "inspect-list-v1.schema.json",
        &json(&["inspect", "--limit", "2", "--state", "blocked"]),
    );
    for id in ["tex_9001", "tex_9002", "tex_9003"] {
        check("inspect-attempt-v1.schema.json", &json(&["inspect", id]));
    }
    check(
        "inspect-summary-v1.schema.json",
        &json(&["inspect", "--summary"]),
    );
    check(
        "inspect-summary-v1.schema.json",
        &json(&["inspect", "--summary", "--provider", "jira-sec"]),
    );
    check("log-v1.schema.json", &json(&["log"]));
    check("reports-v1.schema.json", &json(&["reports"]));
    check("settings-path-v1.schema.json", &json(&["settings", "path"]));
    // The other commands print JSON only too.
    for args in [
        &["settings", "kinds"][..],
        &["completions", "bash"],
        &["man"],
        &["import", "examples/demo-report.json"],
    ] {
        let out = env
            .cmd()
            .arg("--json")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(document(&out).is_object(), "{args:?}");
    }
}

#[test]
fn batches_share_one_envelope_and_match_their_schemas() {
    let (env, sim) =
        crate::duplicate_guard::setup(3, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {});
    let run = |args: &[&str]| {
        let out = env.cmd().arg("--json").args(args).output().unwrap();
        let records = lines(&out);
        let (summary, items) = records.split_last().expect("a summary line");
        assert_eq!(
            summary["exit_code"].as_i64(),
            out.status.code().map(i64::from),
            "{args:?}"
        );
        check("batch-summary-v1.schema.json", summary);
        (summary.clone(), items.to_vec())
    };
    let mut envelopes = Vec::new();
    for (args, item_schema) in [
        (
            &["retry", "--all", "--dry-run"][..],
            "retry-attempt-v1.schema.json",
        ),
        (
            &["retry", "tex_0001", "tex_0002"],
            "retry-attempt-v1.schema.json",
        ),
        (
            &["sync", "--all", "--dry-run"],
            "sync-attempt-v1.schema.json",
        ),
        (&["sync", "--all"], "sync-attempt-v1.schema.json"),
        (
            &["fallback", "--report", "rep_1", "--dry-run"],
            "fallback-record-v1.schema.json",
        ),
    ] {
        let (summary, items) = run(args);
        assert!(!items.is_empty(), "{args:?}");
        for item in &items {
            check(item_schema, item);
        }
        envelopes.push(summary);
    }
    assert_eq!(
        sim.state().tickets.len(),
        2,
        "the two retried attempts, once each"
    );
    // The same field names in every batch's summary.
    let shared = [
        "record",
        "schema_version",
        "command",
        "dry_run",
        "attempts",
        "summary",
        "exit_code",
    ];
    for summary in &envelopes {
        for key in shared {
            assert!(summary.get(key).is_some(), "{key} missing: {summary}");
        }
    }
    let commands: Vec<&str> = envelopes
        .iter()
        .map(|s| s["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["retry", "retry", "sync", "sync", "fallback"]);
    // settings check: one record per provider.
    let out = env
        .cmd()
        .args(["--json", "settings", "check"])
        .output()
        .unwrap();
    for record in lines(&out) {
        check("settings-check-v1.schema.json", &record);
    }
}

#[test]
fn errors_under_json_are_one_object_on_stderr() {
    let env = Env::new().with_demo_config();
    let missing = env.path().join("missing.sqlite3");
    let not_a_store = env.path().join("not-a-store.sqlite3");
    std::fs::write(&not_a_store, "not a database").unwrap();
    let cases: [(&[&str], Option<&std::path::Path>, i32, &str); 5] = [
        (&["inspect"], Some(&missing), 2, "no store at"),
        (&["inspect", "--bogus"], None, 2, "--bogus"),
        (
            &["inspect"],
            Some(&not_a_store),
            1,
            "is not a ticket-export store",
        ),
        (&["import", "nope.json"], None, 2, "nope.json"),
        (&["retry"], None, 2, ""),
    ];
    for (args, store, code, what) in cases {
        let mut cmd = env.cmd();
        if let Some(store) = store {
            cmd.env("TICKET_EXPORT_STORE", store);
        }
        let out = cmd.arg("--json").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: stdout holds results only");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        let error: Value = serde_json::from_str(last)
            .unwrap_or_else(|e| panic!("{args:?}: stderr is not JSON ({e}): {stderr}"));
        check("error-v1.schema.json", &error);
        assert_eq!(error["error"]["exit_code"], code, "{args:?}");
        assert!(
            error["error"]["what"].as_str().unwrap().contains(what),
            "{args:?}: {error}"
        );
        // Without --json, the same failure stays text for a person.
        let mut cmd = env.cmd();
        if let Some(store) = store {
            cmd.env("TICKET_EXPORT_STORE", store);
        }
        let text = cmd.args(args).output().unwrap();
        assert!(String::from_utf8_lossy(&text.stderr).starts_with("error: "));
    }
    // The structured parts are filled where the message has them.
    let out = env
        .cmd()
        .env("TICKET_EXPORT_STORE", &missing)
        .args(["--json", "log"])
        .output()
        .unwrap();
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(
        error["error"]["why"]
            .as_str()
            .unwrap()
            .contains("never create")
    );
    assert!(error["error"]["next"].as_str().unwrap().contains("import"));
}

#[test]
fn demo_under_json_prints_json_only() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["--json", "demo", "--dir"])
        .arg(env.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    // A stream of JSON values (the steps' documents and records, as `jq` reads them); the
    // narration went to stderr.
    let values: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(|v| v.unwrap_or_else(|e| panic!("not JSON ({e})")))
        .collect();
    assert!(values.len() > 5, "{values:?}");
    check("inspect-summary-v1.schema.json", &values[0]);
    check("inspect-list-v1.schema.json", &values[1]);
    let summaries: Vec<&Value> = values.iter().filter(|v| v["record"] == "summary").collect();
    for summary in &summaries {
        check("batch-summary-v1.schema.json", summary);
    }
    assert!(summaries.iter().any(|s| s["command"] == "fallback"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("next, try:"), "{stderr}");
}
