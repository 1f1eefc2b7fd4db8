//! `fallback` folder and file names, and the `SHA256SUMS` of a folder: report ids of any shape
//! get a bounded, safe, stable name with the real id inside the files; the checksum list
//! covers every file of the set, whatever happened to the folder before.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use ticket_export::portable::names::report_name;

use crate::fallback::{files_under, import_report, report};
use crate::support::Env;

/// The file names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    files_under(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The names `SHA256SUMS` lists, and whether `sha256sum -c` (where installed) accepts it.
fn listed(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    if let Ok(out) = Command::new("sha256sum")
        .args(["--strict", "-c", "SHA256SUMS"])
        .current_dir(dir)
        .output()
    {
        assert!(out.status.success(), "sha256sum -c: {out:?}\n{text}");
    }
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_once("  ").unwrap().1.to_owned())
        .collect();
    names.sort();
    names
}

fn fallback(env: &Env, args: &[&str]) -> String {
    env.run(env.cmd().args(["fallback", "--yes"]).args(args))
}

/// Was: a report id too long for a file name once percent-encoded (here 243 bytes, 700 once
/// encoded) made every `fallback` run fail while triage kept saying "ready (fallback)".
#[test]
fn a_report_id_too_long_for_a_file_name_gets_a_short_stable_name_and_stays_inside_the_files() {
    let env = Env::new().with_demo_config();
    let id = format!("Scan 2026-Q1 / shop.example / {}", "é".repeat(90));
    assert!(id.chars().count() <= 128 && id.len() > 200);
    import_report(&env, report(&id, &[("f1", "gh-shop", "t", "d", "e")]));
    let out = fallback(&env, &["--report", &id]);
    assert!(out.starts_with("exit: 0\n"), "{out}");
    let name = report_name(&id);
    assert!(
        name.starts_with("Scan_2026-Q1_shop_example~") && name.len() <= 65,
        "{name}"
    );
    let dir = env.path().join("ticket-exports").join(&name);
    assert_eq!(
        names_in(&dir),
        [
            "SHA256SUMS".to_owned(),
            format!("{name}.csv"),
            format!("{name}.json"),
            format!("{name}.md")
        ]
    );
    // The real id is inside every file that has a place for it.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
            .unwrap();
    assert_eq!(json["report"]["report_id"], id.as_str());
    let mut csv = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let column = csv
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "report")
        .unwrap();
    assert_eq!(&csv.records().next().unwrap().unwrap()[column], id.as_str());
    let md = std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap();
    assert!(md.contains(&"é".repeat(90)), "{md}");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(
        sums.lines().next().unwrap(),
        format!(
            "# ticket-export report_id: {}",
            serde_json::to_string(&id).unwrap()
        )
    );
    assert_eq!(listed(&dir).len(), 3);
    // Recorded, so triage is done with it; a rerun finds the same folder and changes nothing.
    let inspect = env.run(env.cmd().args(["inspect", &format!("tex_{id}_f1")]));
    assert!(
        inspect.contains("fallback_written") && inspect.contains(&name),
        "{inspect}"
    );
    let again = fallback(&env, &["--report", &id]);
    assert!(
        again.contains("0 file(s) written") || again.contains("wrote 0 file(s)"),
        "{again}"
    );
    assert_eq!(
        names_in(&env.path().join("ticket-exports")).len(),
        4,
        "one folder"
    );
}

#[test]
fn ids_that_differ_after_the_cut_or_in_case_get_their_own_folders() {
    let env = Env::new().with_demo_config();
    let long = "x".repeat(60);
    let ids = [
        format!("{long} /a"),
        format!("{long} /b"),
        "Scan Q1".to_owned(),
        "scan q1".to_owned(),
    ];
    for id in &ids {
        import_report(&env, report(id, &[("f1", "gh-shop", "t", "d", "e")]));
        let out = fallback(&env, &["--report", id]);
        assert!(out.starts_with("exit: 0\n"), "{out}");
    }
    let mut folders: Vec<String> = std::fs::read_dir(env.path().join("ticket-exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
        .collect();
    folders.sort();
    folders.dedup();
    assert_eq!(folders.len(), 4, "distinct even ignoring case: {folders:?}");
}

/// Was: a run that failed before its manifest was in place left the files it had already put
/// there (a full Azure DevOps part of 1,000 rows goes in place as soon as it is full), and the
/// next run (another format) read the old manifest, which did not name them: they stayed,
/// unlisted.
#[test]
fn a_file_left_by_a_run_that_failed_is_not_left_out_of_the_next_manifest() {
    let env = Env::new().with_demo_config();
    let findings: Vec<(String, &str, &str, &str, &str)> = (0..1001)
        .map(|i| (format!("f{i:04}"), "gh-shop", "t", "d", "e"))
        .collect();
    let borrowed: Vec<(&str, &str, &str, &str, &str)> = findings
        .iter()
        .map(|(f, p, t, d, e)| (f.as_str(), *p, *t, *d, *e))
        .collect();
    import_report(&env, report("rep_big", &borrowed));
    let dir = env.path().join("ticket-exports/rep_big");
    std::fs::create_dir_all(dir.join("SHA256SUMS")).unwrap();
    let args = [
        "--report",
        "rep_big",
        "--format",
        "csv",
        "--preset",
        "azure-devops",
    ];
    let out = fallback(&env, &args);
    assert!(
        out.starts_with("exit: 3\n"),
        "the manifest could not be written: {out}"
    );
    assert!(
        dir.join("rep_big.azure-devops.001.csv").is_file(),
        "the full first part went in place before"
    );
    std::fs::remove_dir(dir.join("SHA256SUMS")).unwrap();
    let out = fallback(&env, &["--report", "rep_big", "--format", "json"]);
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert_eq!(names_in(&dir), ["SHA256SUMS", "rep_big.json"]);
    assert_eq!(listed(&dir), ["rep_big.json"]);
}

/// Was: with its manifest deleted (or edited), the folder kept the files of an earlier format
/// that no manifest listed.
#[test]
fn a_deleted_manifest_does_not_leave_files_unlisted() {
    let env = Env::new().with_demo_store();
    let dir = env.path().join("ticket-exports/rep_2051");
    assert!(
        fallback(&env, &["tex_9014", "--format", "csv", "--preset", "jira"])
            .starts_with("exit: 0\n")
    );
    std::fs::remove_file(dir.join("SHA256SUMS")).unwrap();
    assert!(fallback(&env, &["tex_9014", "--format", "md"]).starts_with("exit: 0\n"));
    assert_eq!(names_in(&dir), ["SHA256SUMS", "rep_2051.md"]);
    assert_eq!(listed(&dir), ["rep_2051.md"]);
    // Two formats in a row, each run's set complete and listed, the other's gone.
    assert!(fallback(&env, &["tex_9014", "--format", "csv,json"]).starts_with("exit: 0\n"));
    assert_eq!(listed(&dir), ["rep_2051.csv", "rep_2051.json"]);
    assert_eq!(
        names_in(&dir),
        ["SHA256SUMS", "rep_2051.csv", "rep_2051.json"]
    );
}

/// Was: a customer's own file that their own `sha256sum * > SHA256SUMS` had listed was deleted
/// by the next run as "a file an earlier run listed".
#[test]
fn the_customers_files_are_never_listed_nor_removed() {
    let env = Env::new().with_demo_store();
    let dir = env.path().join("ticket-exports/rep_2051");
    assert!(fallback(&env, &["tex_9014"]).starts_with("exit: 0\n"));
    std::fs::write(
        dir.join("notes.txt"),
        "triaged with the customer on Monday\n",
    )
    .unwrap();
    let sums = Command::new("sh")
        .args(["-c", "sha256sum notes.txt rep_2051.csv > SHA256SUMS"])
        .current_dir(&dir)
        .status();
    if !sums.is_ok_and(|s| s.success()) {
        eprintln!("skipped the customer's own manifest: no sha256sum here");
    }
    assert!(fallback(&env, &["tex_9014", "--format", "json"]).starts_with("exit: 0\n"));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "triaged with the customer on Monday\n"
    );
    assert_eq!(listed(&dir), ["rep_2051.json"]);
    assert_eq!(names_in(&dir), ["SHA256SUMS", "notes.txt", "rep_2051.json"]);
}
