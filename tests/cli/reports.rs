//! `reports`: each report with its attempts counted by state, exactly as `inspect` decides them.

use std::collections::BTreeMap;

use crate::support::Env;

fn json(env: &Env, now: &str, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), doc)
}

#[test]
fn piped_on_a_terminal_and_as_json() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!("reports_piped", env.run(env.cmd().arg("reports")));
    insta::assert_snapshot!(
        "reports_terminal",
        env.run(env.cmd().arg("reports").env("TICKET_EXPORT_TTY", "1"))
    );
    let (code, doc) = json(&env, crate::support::NOW, &["reports"]);
    assert_eq!(doc["schema_version"], 1);
    let ids: Vec<&str> = doc["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["report_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["rep_1042", "rep_2051", "rep_3077"]);
    assert_eq!(doc["reports"][0]["title"], "Online shop: quarterly scan");
    assert_eq!(doc["reports"][0]["target"], "https://shop.example");
    // Exits like `inspect --summary`, whose totals it shares.
    let (summary_code, summary) = json(&env, crate::support::NOW, &["inspect", "--summary"]);
    assert_eq!(code, summary_code);
    assert_eq!(doc["total"], summary["summary"]["total"]);
}

/// Every report's counts are those of `inspect --report R`, attempt by attempt.
#[test]
fn counts_agree_with_inspect_attempt_by_attempt() {
    let env = Env::new().with_demo_store();
    // Time changes decisions: a week later the demo's cooldowns have ended.
    for now in ["2026-11-29T12:00:00Z", "2026-12-06T12:00:00Z"] {
        let (_, doc) = json(&env, now, &["reports"]);
        for report in doc["reports"].as_array().unwrap() {
            let id = report["report_id"].as_str().unwrap();
            let (_, listed) = json(&env, now, &["inspect", "--report", id]);
            let mut states: BTreeMap<String, u64> = BTreeMap::new();
            for a in listed["attempts"].as_array().unwrap() {
                let state = a["decision"]["state"].as_str().unwrap().to_owned();
                *states.entry(state).or_default() += 1;
            }
            for state in ["ready", "blocked", "cooldown", "stop"] {
                assert_eq!(
                    report["attempts"][state].as_u64().unwrap(),
                    states.get(state).copied().unwrap_or(0),
                    "{id} {state} at {now}"
                );
            }
            assert_eq!(
                report["attempts"]["total"].as_u64().unwrap(),
                states.values().sum::<u64>()
            );
        }
    }
}

#[test]
fn a_missing_store_is_reported_and_not_created() {
    let env = Env::new();
    let out = env.run(env.cmd().arg("reports"));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(
        out.contains("error: no store at [TMP]/store.sqlite3"),
        "{out}"
    );
    assert!(out.contains("ticket-export import FILE"), "{out}");
    assert!(!env.store().exists(), "a reading command created the store");
}

/// A title is text from an import file: an escape sequence in it never reaches the terminal,
/// and a tab or line break never splits a piped row.
#[test]
fn hostile_titles_stay_on_one_line_without_escapes() {
    let env = Env::new();
    let file = env.path().join("hostile.json");
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_x",
        "title": "\u{1b}[2J\u{1b}]0;owned\u{7}Scan\twith\ttabs\nand lines", "target": "https://shop.example",
        "findings": [], "ticket_exports": []}]});
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    env.cmd().arg("import").arg(&file).assert().success();
    for tty in ["0", "1"] {
        let out = env.run(env.cmd().arg("reports").env("TICKET_EXPORT_TTY", tty));
        assert!(out.starts_with("exit: 0\n"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        if tty == "0" {
            let stdout = out.split("--- stdout\n").nth(1).unwrap();
            let row = stdout.split("--- stderr").next().unwrap();
            assert_eq!(row.lines().count(), 1, "{row:?}");
            assert_eq!(row.trim_end().split('\t').count(), 7, "{row:?}");
        }
    }
}
