//! `fallback` is final (issue 12, points 6 and 7): files for an attempt that triage does not
//! send to fallback are confirmed first (a terminal's answer, or `--yes`), the run names the
//! attempts that became final, and `--all-blocked` takes what stays blocked. The demo store
//! holds blocked, cooldown, stop, retry, linked and fallback attempts.

use crate::support::Env;

fn statuses(env: &Env) -> Vec<String> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn
        .prepare("SELECT ticket_export_id, export_status FROM ticket_exports ORDER BY 1")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{} {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn fallback_written(env: &Env) -> Vec<String> {
    statuses(env)
        .into_iter()
        .filter_map(|s| s.strip_suffix(" fallback_written").map(str::to_owned))
        .collect()
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn out_dir(env: &Env) -> std::path::PathBuf {
    env.path().join("ticket-exports")
}

/// The attempts of the demo store that `--all-blocked` must take: STATE blocked (a person must
/// act) and NEXT fallback. Not tex_9003 (stop), tex_9010 (cooldown), tex_9013 (ready for
/// retry), tex_9018 (uncertain, ready for a lookup), nor the linked and exported ones.
const STAYS_BLOCKED: [&str; 7] = [
    "tex_9002", "tex_9004", "tex_9006", "tex_9007", "tex_9008", "tex_9014", "tex_9016",
];

#[test]
fn all_blocked_takes_blocked_and_fallback_attempts_only() {
    let env = Env::new().with_demo_store();
    let out = env
        .cmd()
        .args(["--json", "fallback", "--all-blocked", "--yes"])
        .output()
        .unwrap();
    // Exit 3: tex_9012 (TICKET_EXPORT_DUPLICATE_BLOCKED) is blocked but gets no file.
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(fallback_written(&env), STAYS_BLOCKED);
    let lines = json_lines(&out.stdout);
    let skipped: Vec<&str> = lines
        .iter()
        .filter(|l| l["record"] == "skipped")
        .map(|l| l["ticket_export_id"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["tex_9012"]);
    let mut finals: Vec<&str> = lines
        .iter()
        .filter(|l| l["record"] == "final")
        .map(|l| l["ticket_export_id"].as_str().unwrap())
        .collect();
    finals.sort();
    assert_eq!(finals, STAYS_BLOCKED, "the output names what became final");
    let summary = lines.last().unwrap();
    assert_eq!(summary["attempts_final"], 7, "{summary}");
    // The stop, the cooldown and the retry keep their state, and their reports' files do not
    // hold them.
    let all = statuses(&env);
    for kept in [
        "tex_9003 failed",
        "tex_9010 failed",
        "tex_9013 failed",
        "tex_9018 uncertain",
    ] {
        assert!(all.iter().any(|s| s == kept), "{kept}: {all:?}");
    }
    let json = std::fs::read_to_string(out_dir(&env).join("rep_2051/rep_2051.json")).unwrap();
    assert!(json.contains("tex_9014"));
    for absent in ["tex_9010", "tex_9013", "tex_9003"] {
        assert!(!json.contains(absent), "{absent} has no file");
    }
}

#[test]
fn the_dry_run_of_all_blocked_lists_what_would_become_final() {
    let env = Env::new().with_demo_store();
    let before = env.dump();
    let out = env.run(env.cmd().args(["fallback", "--all-blocked", "--dry-run"]));
    assert!(out.starts_with("exit: 3\n"), "tex_9012 is left out: {out}");
    for id in ["tex_9002", "tex_9016"] {
        assert!(
            out.contains(&format!("would become final: {id} (blocked")),
            "{out}"
        );
    }
    assert!(
        out.contains("rep_1042.csv") && out.contains("rep_3077.csv"),
        "{out}"
    );
    assert!(
        !out.contains("tex_9010") && !out.contains("tex_9013"),
        "{out}"
    );
    assert_eq!(env.dump(), before, "a dry run records nothing");
    assert!(!out_dir(&env).exists());
}

#[test]
fn files_that_make_attempts_final_are_refused_without_a_terminal_or_yes() {
    let env = Env::new().with_demo_store();
    let before = env.dump();
    // A pipe, and a cron-like empty environment: nobody can answer.
    for tty in [None, Some("0")] {
        let mut cmd = env.cmd();
        if let Some(v) = tty {
            cmd.env("TICKET_EXPORT_TTY", v);
        }
        let out = env.run(cmd.args(["fallback", "--report", "rep_2051"]));
        assert!(out.starts_with("exit: 2\n"), "{out}");
        assert!(
            out.contains("tex_9010 (cooldown, next: wait)")
                && out.contains("tex_9013 (ready, next: retry)"),
            "the refusal names the attempts: {out}"
        );
        assert!(out.contains("--yes"), "{out}");
        assert!(
            !out.contains("tex_9014 ("),
            "tex_9014's NEXT is fallback: {out}"
        );
    }
    assert_eq!(env.dump(), before, "nothing was recorded");
    assert!(!out_dir(&env).exists(), "nothing was written");
}

#[test]
fn a_terminal_asks_and_no_writes_nothing_yes_writes_and_names_the_final_attempts() {
    let env = Env::new().with_demo_store();
    let before = env.dump();
    let out = env
        .cmd()
        .env("TICKET_EXPORT_TTY", "1")
        .args(["fallback", "--report", "rep_2051"])
        .write_stdin("no\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("Write portable files for 3 attempt(s)") && stderr.contains("tex_9010"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(env.dump(), before);
    assert!(!out_dir(&env).exists());

    let out = env
        .cmd()
        .env("TICKET_EXPORT_TTY", "1")
        .args(["fallback", "--report", "rep_2051"])
        .write_stdin("yes\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "tex_9012 is left out: {stderr}");
    assert_eq!(
        fallback_written(&env),
        ["tex_9010", "tex_9013", "tex_9014", "tex_9015"]
    );
    assert!(
        stderr.contains(
            "now final (rep_2051): tex_9010, tex_9013, tex_9014, tex_9015 are fallback_written"
        ) && stderr.contains("`ticket-export retry` refuses them"),
        "{stderr}"
    );
    // And retry keeps that promise.
    let retry = env.run(env.cmd().args(["retry", "tex_9013", "--dry-run"]));
    assert!(!retry.contains("would create"), "{retry}");
}

#[test]
fn attempts_whose_next_step_is_fallback_need_no_confirmation() {
    let env = Env::new().with_demo_store();
    let out = env.run(env.cmd().args(["fallback", "tex_9014"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        out.contains("now final (rep_2051): tex_9014 is fallback_written"),
        "{out}"
    );
    assert_eq!(fallback_written(&env), ["tex_9014"]);
    // A rerun makes nothing final: it already is.
    let again = env.run(env.cmd().args(["--json", "fallback", "tex_9014"]));
    assert!(again.contains("\"attempts_final\":0"), "{again}");
    assert!(!again.contains("\"record\":\"final\""), "{again}");
}
