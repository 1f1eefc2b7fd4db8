//! `inspect`: tables, JSON, summary, detail and the exit code of the selection.

use crate::support::Env;

#[test]
fn list_piped_is_tab_separated() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(env.run(env.cmd().arg("inspect")));
}

#[test]
fn list_on_a_terminal_is_a_table() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(
        env.run(
            env.cmd()
                .args(["inspect", "--report", "rep_1042"])
                .env("TICKET_EXPORT_TTY", "1")
        )
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let env = Env::new().with_demo_store();
    let coloured = env.run(env.cmd().args(["--color", "always", "inspect", "tex_9002"]));
    assert!(coloured.contains("\x1b[31mblocked\x1b[0m"), "{coloured}");
    let plain = env.run(
        env.cmd()
            .args(["inspect", "tex_9002"])
            .env("TICKET_EXPORT_TTY", "1"),
    );
    assert!(!plain.contains('\x1b'), "NO_COLOR is set: {plain}");
}

#[test]
fn summary_piped_and_on_a_terminal() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(
        "summary_piped",
        env.run(env.cmd().args(["inspect", "--summary"]))
    );
    insta::assert_snapshot!(
        "summary_terminal",
        env.run(
            env.cmd()
                .args(["inspect", "--summary"])
                .env("TICKET_EXPORT_TTY", "1")
        )
    );
}

#[test]
fn summary_json_counts_every_attempt() {
    let env = Env::new().with_demo_store();
    let out = env
        .cmd()
        .args(["--json", "inspect", "--summary"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["summary"]["total"]["total"], 20);
    let states = &doc["summary"]["total"];
    for state in ["ready", "blocked", "cooldown", "stop"] {
        assert!(
            states[state].as_u64().unwrap() >= 1,
            "the demo has a {state} attempt"
        );
    }
    assert_eq!(doc["summary"]["by_code"]["none"]["total"], 7);
}

#[test]
fn detail_shows_fields_decision_and_history() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(env.run(env.cmd().args(["inspect", "tex_9002"])));
}

#[test]
fn json_list_is_one_document_with_decisions() {
    let env = Env::new().with_demo_store();
    let out = env
        .cmd()
        .args(["--json", "inspect", "--provider", "jira-sec"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let attempts = doc["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4);
    for a in attempts {
        assert_eq!(a["provider_key"], "jira-sec");
        assert!(a["decision"]["state"].is_string() && a["decision"]["next_step"].is_string());
    }
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains('{'));
}

#[test]
fn exit_code_is_the_selections() {
    let env = Env::new().with_demo_store();
    for (id, code) in [
        ("tex_9001", 0),
        ("tex_9002", 3),
        ("tex_9010", 4),
        ("tex_9003", 5),
        ("tex_9016", 3),
    ] {
        let status = env
            .cmd()
            .args(["inspect", id])
            .output()
            .unwrap()
            .status
            .code();
        assert_eq!(status, Some(code), "inspect {id}");
    }
    let batch = |args: &[&str]| {
        env.cmd()
            .arg("inspect")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(batch(&["--state", "ready"]), Some(0));
    assert_eq!(batch(&["--state", "cooldown"]), Some(4));
    assert_eq!(
        batch(&["--report", "rep_2051"]),
        Some(3),
        "blocked beats stop and cooldown"
    );
    assert_eq!(
        batch(&["--code", "TICKET_EXPORT_DUPLICATE_BLOCKED"]),
        Some(3)
    );
    assert_eq!(
        batch(&["--code", "TICKET_EXPORT_PROVIDER_UNAVAILABLE"]),
        Some(4)
    );
}

#[test]
fn filters_and_limit() {
    let env = Env::new().with_demo_store();
    let lines = |args: &[&str]| {
        let out = env.cmd().arg("inspect").args(args).output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&["--code", "none"]).len(), 7);
    assert_eq!(lines(&["--state", "blocked", "--limit", "2"]).len(), 2);
    assert!(
        lines(&["--provider", "hooks"])
            .iter()
            .all(|l| l.contains("\thooks\t"))
    );
    assert_eq!(
        lines(&["--report", "rep_3077", "--state", "ready"]).len(),
        4
    );
}

#[test]
fn unknown_id_and_bad_code_are_usage_errors() {
    let env = Env::new().with_demo_store();
    let out = env.run(env.cmd().args(["inspect", "tex_0000"]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("no attempt \"tex_0000\""),
        "{out}"
    );
    let out = env.run(env.cmd().args(["inspect", "--code", "delivery"]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("is not a failure code"),
        "{out}"
    );
}

#[test]
fn an_empty_store_says_what_to_do() {
    let env = Env::new();
    // A missing store is reported (exit 2) and not created: reading commands never create one.
    let out = env.run(env.cmd().arg("inspect"));
    assert!(
        out.starts_with("exit: 2\n")
            && out.contains("no store at")
            && out.contains("ticket-export import FILE"),
        "{out}"
    );
    assert!(!env.store().exists());
    // An existing store with nothing in it says how to fill it.
    let empty = env.path().join("empty.json");
    std::fs::write(&empty, r#"{"schema_version": 1, "reports": []}"#).unwrap();
    env.cmd().arg("import").arg(&empty).assert().success();
    let out = env.run(env.cmd().arg("inspect"));
    assert!(
        out.starts_with("exit: 0\n")
            && out.contains("the store holds no attempts; import a report"),
        "{out}"
    );
}

#[test]
fn a_store_that_is_not_a_database_is_exit_1_and_untouched() {
    let env = Env::new();
    std::fs::write(env.store(), "not a database").unwrap();
    let out = env.run(env.cmd().arg("inspect"));
    assert!(
        out.starts_with("exit: 1\n") && out.contains("is not a ticket-export store"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(env.store()).unwrap(),
        "not a database"
    );
}

#[test]
fn demo_shows_every_state_and_the_next_commands() {
    let env = Env::new();
    let out = env.run(env.cmd().args(["demo", "--dir"]).arg(env.path()));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    for needle in [
        "\tready\t",
        "\tblocked\t",
        "\tcooldown\t",
        "\tstop\t",
        "next, try:",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    for needle in [
        "\tcreated\t",
        "found by fingerprint; linked instead of creating",
        "the create's answer was lost",
        "\tpulled\t",
        "\tpushed\t",
        "tickets created by these four retries: 3",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    // Every run starts a simulator on a new port; apart from that the output is the same.
    let without_port = |s: &str| {
        s.split("127.0.0.1:")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    part.trim_start_matches(|c: char| c.is_ascii_digit())
                        .to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("127.0.0.1:PORT")
    };
    let again = env.run(env.cmd().args(["demo", "--dir"]).arg(env.path()));
    assert_eq!(
        without_port(&again),
        without_port(&out),
        "the demo rebuilds the same store every run"
    );
}

#[test]
fn a_statement_failing_mid_command_names_the_store() {
    let env = Env::new().with_demo_store();
    rusqlite::Connection::open(env.store())
        .unwrap()
        .execute_batch("DROP TABLE events")
        .unwrap();
    let out = env.run(env.cmd().args(["inspect", "tex_9001"]));
    assert!(out.starts_with("exit: 1\n"), "{out}");
    assert!(
        out.contains("the store [TMP]/store.sqlite3 failed while reading events"),
        "{out}"
    );
    assert!(
        out.contains("`sqlite3 '[TMP]/store.sqlite3' 'PRAGMA integrity_check'`"),
        "{out}"
    );
}

/// A finding's text comes from an import file: an escape sequence in it (clear the screen, set
/// the window title) never reaches the terminal through `inspect ID`.
#[test]
fn the_detail_view_sends_no_control_characters_from_the_data() {
    let env = Env::new();
    let file = env.path().join("hostile.json");
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_x",
        "title": "Scan", "target": "https://shop.example",
        "findings": [{"finding_id": "f1", "rule_id": "xss", "severity": "high",
            "title": "\u{1b}[2J\u{1b}]0;owned\u{7}XSS\nsecond line", "url": "https://shop.example/a"}],
        "ticket_exports": [{"ticket_export_id": "tex_1", "finding_id": "f1", "provider_key": "gh",
            "export_status": "failed", "provider_error_code": "TICKET_EXPORT_MAPPING_REQUIRED",
            "mapping_status": "incomplete", "mapping_missing": ["\u{1b}[31mfield"]}]}]});
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    env.cmd().arg("import").arg(&file).assert().success();
    for tty in ["0", "1"] {
        let out = env.run(
            env.cmd()
                .args(["inspect", "tex_1"])
                .env("TICKET_EXPORT_TTY", tty),
        );
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(out.contains("XSS second line"), "{out}");
    }
}
