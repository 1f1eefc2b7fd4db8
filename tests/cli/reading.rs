//! Reading commands (issue 12 point 17): a missing store is reported and never created, the
//! summary takes the list's filters, `--limit` says "N of M", and hints are for terminals only.

use serde_json::Value;

use crate::support::Env;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn reading_commands_never_create_a_store() {
    let env = Env::new().with_demo_config();
    let reads: [&[&str]; 8] = [
        &["inspect"],
        &["inspect", "tex_9001"],
        &["inspect", "--summary"],
        &["retry", "--all", "--dry-run"],
        &["sync", "--all", "--dry-run"],
        &["fallback", "--all-blocked", "--dry-run"],
        &["log"],
        &["reports"],
    ];
    for args in reads {
        // Piped, on a terminal, and from cron's empty environment: the same answer.
        for tty in ["0", "1"] {
            let out = env
                .cmd()
                .args(args)
                .env("TICKET_EXPORT_TTY", tty)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains("no store at"), "{args:?}: {stderr}");
            assert!(
                stderr.contains("ticket-export import FILE"),
                "{args:?}: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{args:?}");
            assert!(!env.store().exists(), "{args:?} created the store");
        }
    }
}

#[test]
fn summary_combines_with_the_list_filters() {
    let env = Env::new().with_demo_store();
    let summary = |extra: &[&str]| {
        let out = env
            .cmd()
            .args(["--json", "inspect", "--summary"])
            .args(extra)
            .output()
            .unwrap();
        json(&out)["summary"]["total"].clone()
    };
    let list = |extra: &[&str]| {
        let out = env
            .cmd()
            .args(["--json", "inspect"])
            .args(extra)
            .output()
            .unwrap();
        json(&out)["attempts"].as_array().unwrap().len() as u64
    };
    for filter in [
        &["--report", "rep_2051"][..],
        &["--provider", "jira-sec"],
        &["--state", "blocked"],
        &[
            "--report",
            "rep_1042",
            "--provider",
            "gh-shop",
            "--state",
            "blocked",
        ],
        &["--code", "TICKET_EXPORT_DELIVERY_FAILED"],
    ] {
        let total = summary(filter);
        assert_eq!(total["total"], list(filter), "{filter:?}: {total}");
    }
    // The state filter leaves only that state's column.
    let blocked = summary(&["--state", "blocked"]);
    assert_eq!(blocked["ready"], 0);
    assert_eq!(blocked["blocked"], blocked["total"]);
    assert!(blocked["total"].as_u64().unwrap() > 0);
}

#[test]
fn limit_says_how_many_of_how_many() {
    let env = Env::new().with_demo_store();
    let out = env
        .cmd()
        .args(["--json", "inspect", "--limit", "3"])
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(doc["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(doc["shown"], 3);
    assert_eq!(doc["total"], 20);
    let tty = env
        .cmd()
        .args(["inspect", "--limit", "3", "--state", "blocked"])
        .env("TICKET_EXPORT_TTY", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&tty.stderr);
    assert!(stderr.contains("3 of 7 attempts shown"), "{stderr}");
}

#[test]
fn hints_go_to_a_terminal_only() {
    let env = Env::new().with_demo_store();
    let hinted: [(&[&str], &str); 5] = [
        (&["inspect"], "details: ticket-export inspect ID"),
        (&["inspect", "--limit", "2"], "2 of 20 attempts shown"),
        (&["log"], "details: ticket-export inspect ID"),
        (&["reports"], "ticket-export inspect --report REPORT"),
        (&["settings", "kinds"], "ticket-export settings init KIND"),
    ];
    for (args, hint) in hinted {
        let on_tty = env
            .cmd()
            .args(args)
            .env("TICKET_EXPORT_TTY", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&on_tty.stderr);
        assert!(stderr.contains(hint), "{args:?} on a terminal: {stderr}");
        let piped = env.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&piped.stderr);
        assert!(!stderr.contains(hint), "{args:?} piped: {stderr}");
        assert!(stderr.is_empty(), "{args:?} piped printed {stderr}");
    }
    // `import`'s next step too.
    let again = env
        .cmd()
        .arg("import")
        .arg(crate::support::demo_report())
        .output()
        .unwrap();
    assert!(
        again.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn piped_summary_columns_follow_the_documented_order() {
    let env = Env::new().with_demo_store();
    let help = env.cmd().args(["inspect", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).replace(['\n', ' '], "");
    assert!(
        help.contains("GROUP(code,providerortotal),NAME,READY,BLOCKED,COOLDOWN,STOP,TOTAL"),
        "{help}"
    );
    let piped = env.cmd().args(["inspect", "--summary"]).output().unwrap();
    let doc = json(
        &env.cmd()
            .args(["--json", "inspect", "--summary"])
            .output()
            .unwrap(),
    );
    for line in String::from_utf8_lossy(&piped.stdout).lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        let counts = match cells[0] {
            "code" => &doc["summary"]["by_code"][cells[1]],
            "provider" => &doc["summary"]["by_provider"][cells[1]],
            "total" => &doc["summary"]["total"],
            other => panic!("unknown group {other:?}"),
        };
        for (i, name) in ["ready", "blocked", "cooldown", "stop", "total"]
            .iter()
            .enumerate()
        {
            assert_eq!(cells[2 + i], counts[*name].to_string(), "{line}: {name}");
        }
    }
}
