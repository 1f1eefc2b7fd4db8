//! `fallback` never removes a file silently (issue 12, point 8): the files it replaces or
//! removes are listed (text and `--json`), and a file it did not write, even one named like
//! its own, is never touched.

use std::path::PathBuf;

use crate::support::Env;

fn folder(env: &Env) -> PathBuf {
    env.path().join("ticket-exports/rep_2051")
}

fn records(env: &Env, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = env
        .cmd()
        .arg("--json")
        .arg("fallback")
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), lines)
}

/// (outcome, file name) of each file record.
fn outcomes(lines: &[serde_json::Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l["record"] == "file")
        .map(|l| {
            let path = PathBuf::from(l["path"].as_str().unwrap());
            (
                l["outcome"].as_str().unwrap().to_owned(),
                path.file_name().unwrap().to_string_lossy().into_owned(),
            )
        })
        .collect()
}

#[test]
fn another_format_lists_what_it_removes_and_leaves_the_customers_files() {
    let env = Env::new().with_demo_store();
    let (code, _) = records(&env, &["tex_9014", "--format", "csv", "--preset", "jira"]);
    assert_eq!(code, 0);
    let dir = folder(&env);
    assert!(dir.join("rep_2051.jira.csv").is_file());
    // The customer's own files: one named like the tool's, one not.
    std::fs::write(
        dir.join("rep_2051.gitlab.csv"),
        "title,description\nmine,mine\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "call Bob\n").unwrap();

    let dry = env.run(
        env.cmd()
            .args(["fallback", "tex_9014", "--format", "json", "--dry-run"]),
    );
    assert!(dry.starts_with("exit: 0\n"), "{dry}");
    assert!(
        dry.contains(
            "would remove\tcsv\trep_2051\t0\t[TMP]/ticket-exports/rep_2051/rep_2051.jira.csv"
        ),
        "{dry}"
    );
    assert!(dry.contains("left alone (not written by ticket-export)\tcsv\trep_2051\t0\t[TMP]/ticket-exports/rep_2051/rep_2051.gitlab.csv"), "{dry}");
    assert!(
        dir.join("rep_2051.jira.csv").is_file(),
        "a dry run removes nothing"
    );

    let (code, lines) = records(&env, &["tex_9014", "--format", "json"]);
    assert_eq!(code, 0, "{lines:?}");
    let seen = outcomes(&lines);
    for expected in [
        ("written", "rep_2051.json"),
        ("replaced", "SHA256SUMS"),
        ("removed", "rep_2051.jira.csv"),
        ("left_alone", "rep_2051.gitlab.csv"),
    ] {
        assert!(
            seen.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {seen:?}"
        );
    }
    assert!(!seen.iter().any(|(_, n)| n == "notes.txt"), "{seen:?}");
    let summary = lines.last().unwrap();
    assert_eq!(
        (
            summary["files_removed"].as_u64(),
            summary["files_left_alone"].as_u64()
        ),
        (Some(1), Some(1)),
        "{summary}"
    );
    assert!(!dir.join("rep_2051.jira.csv").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join("rep_2051.gitlab.csv")).unwrap(),
        "title,description\nmine,mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "call Bob\n"
    );
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert!(
        !sums.contains("gitlab") && !sums.contains("notes"),
        "{sums}"
    );
}

#[test]
fn files_written_over_are_listed_as_replaced() {
    let env = Env::new().with_demo_store();
    assert_eq!(records(&env, &["tex_9014"]).0, 0);
    // One more attempt of the report: every file of its set gets new bytes.
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_9013"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    for name in ["rep_2051.csv", "rep_2051.md", "rep_2051.json", "SHA256SUMS"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("replaced\t") && l.ends_with(name)),
            "{name}: {out}"
        );
    }
    assert!(out.contains("wrote 4 file(s) (replaced 4)"), "{out}");
}

#[test]
fn a_file_the_tool_did_not_write_is_never_overwritten() {
    let env = Env::new().with_demo_store();
    let dir = folder(&env);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rep_2051.csv"), "the customer's own spreadsheet\n").unwrap();
    let out = env.run(env.cmd().args(["fallback", "tex_9014"]));
    assert!(out.starts_with("exit: 3\n"), "{out}");
    assert!(
        out.contains("rep_2051.csv: was not written by ticket-export")
            && out.contains("move or rename it, then run again"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("rep_2051.csv")).unwrap(),
        "the customer's own spreadsheet\n"
    );
    // A tool file the customer edited is theirs now, too.
    std::fs::remove_file(dir.join("rep_2051.csv")).unwrap();
    assert_eq!(records(&env, &["tex_9014"]).0, 0);
    std::fs::write(dir.join("rep_2051.md"), "edited by hand\n").unwrap();
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_9013"]));
    assert!(out.starts_with("exit: 3\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("rep_2051.md")).unwrap(),
        "edited by hand\n"
    );
}
