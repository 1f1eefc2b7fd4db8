//! `fallback`: selection, safe writing, recorded outcomes, reruns, secrets and exit codes.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::Env;

/// Every regular file under `dir`, sorted; not the ledger of what the tool wrote
/// (`.ticket-export-files`), which the tests of `fallback_files` read on their own.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n == ".ticket-export-files")
        {
            continue;
        }
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Imports one report built in the test; attempts go to the demo's providers.
pub fn import_report(env: &Env, report: serde_json::Value) {
    let file = env.path().join("extra.json");
    let doc = json!({"schema_version": 1, "reports": [report]});
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = env.run(env.cmd().arg("import").arg(&file));
    assert!(out.starts_with("exit: 0\n"), "{out}");
}

/// A report of `findings` (id, provider, title, description, evidence) in the import format.
pub fn report(id: &str, findings: &[(&str, &str, &str, &str, &str)]) -> serde_json::Value {
    let f: Vec<_> = findings
        .iter()
        .map(|(fid, _, title, description, evidence)| {
            json!({"finding_id": fid, "rule_id": "xss-reflected", "title": title, "severity": "high",
                   "url": format!("https://shop.example/{fid}"), "parameter": "q",
                   "description": description, "evidence": evidence,
                   "remediation": "Encode output.", "status": "open"})
        })
        .collect();
    let t: Vec<_> = findings
        .iter()
        .map(|(fid, provider, ..)| {
            json!({"ticket_export_id": format!("tex_{id}_{fid}"), "finding_id": fid,
                   "provider_key": provider, "export_status": "failed",
                   "provider_error_code": "TICKET_EXPORT_PROVIDER_UNAVAILABLE",
                   "mapping_status": "complete"})
        })
        .collect();
    json!({"report_id": id, "title": "Test scan", "target": "https://shop.example",
           "findings": f, "ticket_exports": t})
}

fn query(env: &Env, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| {
        let n = r.as_ref().column_count();
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                v => v.as_str().unwrap_or("?").to_owned(),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn report_selection_writes_every_format_and_leaves_out_tickets() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(
        env.run(
            env.cmd()
                .args(["fallback", "--yes", "--report", "rep_2051"])
        )
    );
    let rows = query(
        &env,
        "SELECT ticket_export_id, export_status, provider_error_code, owner_kind FROM ticket_exports
         WHERE report_id = 'rep_2051' ORDER BY 1",
    );
    insta::assert_snapshot!("report_selection_rows", rows.join("\n"));
    let history = env.run(env.cmd().args(["inspect", "tex_9014"]));
    assert!(history.starts_with("exit: 0\n"), "{history}");
    assert!(history.contains("portable files are at"), "{history}");
    assert!(history.contains("\tfallback\twritten\t"), "{history}");
}

#[test]
fn json_lines_one_object_per_file_then_a_summary() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!(
        env.run(
            env.cmd()
                .args(["--json", "fallback", "--yes", "tex_9014", "tex_9013"])
        )
    );
}

#[test]
fn dry_run_writes_and_records_nothing() {
    let env = Env::new().with_demo_store();
    let before = env.dump();
    insta::assert_snapshot!(env.run(env.cmd().args(["fallback", "--all-blocked", "--dry-run"])));
    assert_eq!(env.dump(), before);
    assert!(!env.path().join("ticket-exports").exists());
}

#[test]
fn rerun_writes_the_same_bytes_and_changes_no_row() {
    let env = Env::new().with_demo_store();
    let first = env.run(
        env.cmd()
            .args(["fallback", "--yes", "--report", "rep_2051"]),
    );
    let read_all = || {
        files_under(&env.path().join("ticket-exports"))
            .into_iter()
            .map(|p| (p.clone(), std::fs::read(p).unwrap()))
            .collect::<Vec<_>>()
    };
    let (files, rows) = (read_all(), env.dump());
    let second = env.run(
        env.cmd()
            .args(["fallback", "--yes", "--report", "rep_2051"]),
    );
    assert_eq!(read_all(), files, "the same bytes");
    assert_eq!(env.dump(), rows, "no row changed, no event added");
    assert!(second.contains("wrote 0 file(s), 4 unchanged"), "{second}");
    assert_eq!(second.matches("\nunchanged\t").count(), 4, "{second}");
    assert_eq!(
        second.replace("unchanged\t", "written\t"),
        first
            .replace(
                "wrote 4 file(s), 0 unchanged",
                "wrote 0 file(s), 4 unchanged"
            )
            .replace(
                "now final (rep_2051): tex_9010, tex_9013, tex_9014, tex_9015 are fallback_written; \
                 the portable files are the export, and `ticket-export retry` refuses them from now on\n",
                ""
            ),
        "the rerun makes nothing final: it already is"
    );
}

#[test]
fn attempts_written_one_by_one_share_the_report_files() {
    let env = Env::new().with_demo_store();
    env.cmd()
        .args(["fallback", "--yes", "tex_9013"])
        .assert()
        .success();
    env.cmd()
        .args(["fallback", "--yes", "tex_9014"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.path().join("ticket-exports/rep_2051/rep_2051.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["ticket_export_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        ["tex_9013", "tex_9014"],
        "an earlier attempt is never dropped"
    );
    let paths = query(
        &env,
        "SELECT DISTINCT portable_export_path FROM ticket_exports WHERE ticket_export_id IN ('tex_9013', 'tex_9014')",
    );
    assert_eq!(
        paths.len(),
        1,
        "both point at the current manifest: {paths:?}"
    );
    let manifest = env.path().join("ticket-exports/rep_2051/SHA256SUMS");
    let sha = sha256_hex(&std::fs::read(&manifest).unwrap());
    assert!(paths[0].ends_with(&format!(" sha256:{sha}")), "{paths:?}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn an_unusable_folder_records_portable_export_failed_and_exits_3() {
    // Tests run as root, where a read-only folder still takes writes; a folder whose parent is a
    // regular file cannot be created by anyone.
    let env = Env::new().with_demo_store();
    let config = std::fs::read_to_string(env.config()).unwrap();
    std::fs::write(
        env.config(),
        config.replace("out_dir = \"ticket-exports\"", "out_dir = \"blocker/sub\""),
    )
    .unwrap();
    std::fs::write(env.path().join("blocker"), "a file, not a folder").unwrap();
    insta::assert_snapshot!(
        env.run(
            env.cmd()
                .args(["fallback", "--yes", "tex_9013", "tex_9014"])
        )
    );
    let rows = query(
        &env,
        "SELECT ticket_export_id, export_status, provider_error_code, owner_kind, portable_export_path
           FROM ticket_exports WHERE ticket_export_id IN ('tex_9013', 'tex_9014') ORDER BY 1",
    );
    insta::assert_snapshot!("unusable_folder_rows", rows.join("\n"));
    let inspect = env.run(env.cmd().args(["inspect", "tex_9013"]));
    assert!(inspect.starts_with("exit: 3\n"), "{inspect}");
    assert!(inspect.contains("blocked (fix_output_path)"), "{inspect}");
    assert!(inspect.contains("PORTABLE_EXPORT_FAILED"), "{inspect}");
    // Once the folder is usable, the same command succeeds and clears the code.
    std::fs::remove_file(env.path().join("blocker")).unwrap();
    env.cmd()
        .args(["fallback", "--yes", "tex_9013", "tex_9014"])
        .assert()
        .code(0);
    let inspect = env.run(env.cmd().args(["inspect", "tex_9013"]));
    assert!(inspect.starts_with("exit: 0\n"), "{inspect}");
    let leftovers: Vec<_> = files_under(env.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn path_escapes_are_refused() {
    let env = Env::new().with_demo_store();
    // A report folder that is a symlink to somewhere else is refused, and nothing lands there.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(env.path().join("ticket-exports")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), env.path().join("ticket-exports/rep_2051"))
        .unwrap();
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_9014"]));
    assert!(out.starts_with("exit: 3\n"), "{out}");
    assert!(out.contains("is a symlink, which is refused"), "{out}");
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none()
    );
    // An id that looks like a path becomes one safe name inside the folder: a readable prefix
    // and a hash of the whole id.
    import_report(
        &env,
        report("../../escape", &[("f1", "gh-shop", "t", "d", "e")]),
    );
    let out = env.run(
        env.cmd()
            .args(["fallback", "--yes", "--report", "../../escape"]),
    );
    assert!(out.starts_with("exit: 0\n"), "{out}");
    let name = ticket_export::portable::names::report_name("../../escape");
    assert!(name.starts_with("escape~"), "{name}");
    let dir = env.path().join("ticket-exports").join(&name);
    assert!(dir.join(format!("{name}.json")).is_file(), "{out}");
    assert!(!env.path().join("escape").exists());
    assert!(!env.path().parent().unwrap().join("escape").exists());
}

#[test]
fn no_configured_secret_reaches_any_file() {
    const TOKEN: &str = "planted-jira-token-5f2c9a71e04b";
    let env = Env::new().with_demo_config();
    let config = std::fs::read_to_string(env.config()).unwrap();
    std::fs::write(
        env.config(),
        config.replace(
            "auth = { user_file = \"tokens/jira-user\", token_file = \"tokens/jira\" }",
            "auth = { user_env = \"JIRA_EMAIL\", token_env = \"JIRA_API_TOKEN\" }",
        ),
    )
    .unwrap();
    let evidence = format!(
        "GET /a HTTP/1.1\nAuthorization: Bearer {TOKEN}\nCookie: jsession={TOKEN}; theme=dark\n\
         {{\"authorization\": \"{TOKEN}\"}}\ncurl -H 'Proxy-Authorization: Basic {TOKEN}' https://me:{TOKEN}@jira.example/\n\n\
         HTTP/1.1 200 OK\nSet-Cookie: sid={TOKEN}; Path=/; HttpOnly"
    );
    let description = format!("Seen at https://admin:{TOKEN}@shop.example/login.");
    import_report(
        &env,
        report(
            "rep_secret",
            &[("f1", "jira-sec", "Leaky", &description, &evidence)],
        ),
    );
    let run = |args: &[&str]| {
        let out = env
            .cmd()
            .args(args)
            .env("JIRA_API_TOKEN", TOKEN)
            .env("JIRA_EMAIL", "me@acme.example")
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    for preset in ["generic", "jira", "gitlab", "azure-devops", "asana"] {
        let out = run(&[
            "--json",
            "fallback",
            "--yes",
            "--report",
            "rep_secret",
            "--preset",
            preset,
        ]);
        assert!(!out.contains(TOKEN), "{out}");
        assert!(out.contains("\"exit_code\":0"), "{out}");
        let files = files_under(&env.path().join("ticket-exports"));
        assert!(files.len() >= 4, "{files:?}");
        for file in files {
            let text = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
            assert!(
                !text.contains(TOKEN),
                "{preset}: {} holds the token",
                file.display()
            );
            if !file.ends_with("SHA256SUMS") {
                assert!(text.contains("[REDACTED]"), "{}", file.display());
            }
        }
    }
}

#[test]
fn schema_flag_prints_the_committed_schema() {
    let env = Env::new();
    let out = env.cmd().args(["fallback", "--schema"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/fallback-v1.schema.json"
    ))
    .unwrap();
    assert_eq!(out.stdout, committed);
}

#[test]
fn selection_is_required_and_unknown_ids_exit_2() {
    let env = Env::new().with_demo_store();
    insta::assert_snapshot!("no_selection", env.run(env.cmd().arg("fallback")));
    insta::assert_snapshot!(
        "unknown_id",
        env.run(
            env.cmd()
                .args(["fallback", "--yes", "tex_9014", "tex_nope"])
        )
    );
    let out = env.run(
        env.cmd()
            .args(["fallback", "--yes", "--report", "rep_nope"]),
    );
    assert!(out.starts_with("exit: 2\n"), "{out}");
    let out = env.run(
        env.cmd()
            .args(["fallback", "--yes", "tex_9014", "--all-blocked"]),
    );
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(!env.path().join("ticket-exports").exists());
}

#[test]
fn a_stopped_attempt_is_left_out_and_exits_5() {
    let env = Env::new().with_demo_store();
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_9003"]));
    assert!(out.starts_with("exit: 5\n"), "{out}");
    assert!(out.contains("left out tex_9003 (stop)"), "{out}");
    assert!(files_under(&env.path().join("ticket-exports")).is_empty());
}
