//! `import`: good files land whole, bad files land not at all and say why.

use crate::support::{Env, demo_report};

#[test]
fn import_then_reimport_changes_nothing() {
    let env = Env::new().with_demo_config();
    insta::assert_snapshot!(env.run(env.cmd().arg("import").arg(demo_report())));
    let before = env.dump();
    let again = env.run(env.cmd().arg("import").arg(demo_report()));
    assert!(
        again.contains("0 attempt(s) created, 0 updated, 20 unchanged"),
        "{again}"
    );
    assert_eq!(
        env.dump(),
        before,
        "a re-import must change nothing, events included"
    );
}

#[test]
fn stdin_and_a_bom_are_accepted() {
    let env = Env::new().with_demo_config();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(demo_report()).unwrap());
    let out = env.run(env.cmd().args(["import", "-"]).write_stdin(bytes));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(out.contains("20 attempt(s) created"), "{out}");
}

fn demo_json() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(demo_report()).unwrap()).unwrap()
}

/// Each bad input: a clear error naming the path, exit 2, and the store unchanged.
#[test]
fn bad_inputs_name_the_path_exit_2_and_change_nothing() {
    type Edit = fn(&mut serde_json::Value);
    type Case = (&'static str, Box<dyn Fn() -> Vec<u8>>, &'static str);
    let cases: Vec<Case> = vec![
        ("empty file", Box::new(Vec::new), "$: the file is empty"),
        (
            "malformed JSON",
            Box::new(|| b"{\"schema_version\": 1, \"reports\": [ {".to_vec()),
            "reports[0]: EOF while parsing",
        ),
        (
            "not UTF-8",
            Box::new(|| {
                b"{\"schema_version\": 1, \"reports\": [{\"report_id\": \"\xff\xfe\"}]}".to_vec()
            }),
            "reports[0].report_id",
        ),
    ];
    let edits: Vec<(&str, Edit, &str)> = vec![
        (
            "invalid enum",
            |d| d["reports"][0]["ticket_exports"][3]["export_status"] = "sent".into(),
            "reports[0].ticket_exports[3].export_status: unknown value \"sent\"",
        ),
        (
            "wrong type",
            |d| d["reports"][0]["ticket_exports"][0]["provider_response_code"] = "503".into(),
            "reports[0].ticket_exports[0].provider_response_code: expected an HTTP status",
        ),
        (
            "unknown field",
            |d| d["reports"][1]["findings"][0]["cvss"] = 9.8.into(),
            "reports[1].findings[0].cvss: unknown field",
        ),
        (
            "unknown top-level field",
            |d| d["generated_by"] = "x".into(),
            "generated_by: unknown field",
        ),
        (
            "duplicate ticket id",
            |d| d["reports"][1]["ticket_exports"][0]["ticket_export_id"] = "tex_9001".into(),
            "reports[1].ticket_exports[0].ticket_export_id: duplicate ticket_export_id \"tex_9001\"",
        ),
        (
            "duplicate finding id",
            |d| d["reports"][0]["findings"][1]["finding_id"] = "fnd_1".into(),
            "reports[0].findings[1].finding_id: duplicate finding_id \"fnd_1\"",
        ),
        (
            "finding referenced but missing",
            |d| d["reports"][0]["ticket_exports"][0]["finding_id"] = "fnd_404".into(),
            "reports[0].ticket_exports[0].finding_id: finding \"fnd_404\" is not in this report",
        ),
        (
            "very long string",
            |d| d["reports"][0]["findings"][0]["title"] = "x".repeat(5000).into(),
            "reports[0].findings[0].title: 5000 characters is longer than the 1000 allowed",
        ),
        (
            "bad time",
            |d| d["reports"][0]["ticket_exports"][0]["retry_after"] = "tomorrow".into(),
            "reports[0].ticket_exports[0].retry_after: \"tomorrow\" is not an RFC 3339 time",
        ),
        (
            "lower-case code",
            |d| d["reports"][0]["ticket_exports"][0]["provider_error_code"] = "oops".into(),
            "reports[0].ticket_exports[0].provider_error_code: \"oops\" is not a failure code",
        ),
        (
            "schema version",
            |d| d["schema_version"] = 2.into(),
            "schema_version: unsupported value 2",
        ),
        (
            "missing required",
            |d| {
                d["reports"][0]["findings"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("severity");
            },
            "reports[0].findings[0].severity: is required",
        ),
    ];
    let mut all = cases;
    for (name, edit, expected) in edits {
        all.push((
            name,
            Box::new(move || {
                let mut doc = demo_json();
                edit(&mut doc);
                serde_json::to_vec(&doc).unwrap()
            }),
            expected,
        ));
    }
    let env = Env::new().with_demo_store();
    let before = env.dump();
    for (name, bytes, expected) in all {
        let file = env.path().join("bad.json");
        std::fs::write(&file, bytes()).unwrap();
        let out = env.run(env.cmd().arg("import").arg(&file));
        assert!(out.starts_with("exit: 2\n"), "{name}: {out}");
        assert!(
            out.contains(expected),
            "{name}: expected {expected:?} in\n{out}"
        );
        assert!(out.contains("store is unchanged"), "{name}: {out}");
        assert_eq!(env.dump(), before, "{name}: the store changed");
    }
}

#[test]
fn every_problem_is_listed_not_just_the_first() {
    let env = Env::new().with_demo_config();
    let mut doc = demo_json();
    doc["reports"][0]["ticket_exports"][3]["export_status"] = "sent".into();
    doc["reports"][2]["ticket_exports"][1]["mapping_status"] = "partial".into();
    doc["reports"][1]["findings"][2]["severity"] = "urgent".into();
    let file = env.path().join("bad.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    insta::assert_snapshot!(env.run(env.cmd().arg("import").arg(&file)));
    assert_eq!(env.dump(), "", "nothing was written");
}

#[test]
fn unknown_well_formed_codes_are_kept_and_triaged_as_unknown() {
    let env = Env::new().with_demo_store();
    let out = env
        .cmd()
        .args(["--json", "inspect", "tex_9016"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["attempt"]["provider_error_code"],
        "TICKET_EXPORT_QUOTA_EXCEEDED"
    );
    assert_eq!(doc["attempt"]["decision"]["action"], "manual_review");
}

#[test]
fn identities_are_computed_once_and_kept() {
    let env = Env::new().with_demo_store();
    let read = |env: &Env| {
        let out = env
            .cmd()
            .args(["--json", "inspect", "tex_9001"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            doc["attempt"]["duplicate_fingerprint"].clone(),
            doc["attempt"]["idempotency_key"].clone(),
        )
    };
    let (fp, key) = read(&env);
    assert!(fp.as_str().unwrap().starts_with("fp1:"));
    // A newer import with other identities and a changed URL keeps the stored ones.
    let mut doc = demo_json();
    doc["reports"][0]["ticket_exports"][0]["duplicate_fingerprint"] = "fp1:other".into();
    doc["reports"][0]["findings"][0]["url"] = "https://shop.example/moved".into();
    let file = env.path().join("newer.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    env.cmd().arg("import").arg(&file).assert().success();
    assert_eq!(read(&env), (fp, key));
}

#[test]
fn a_newer_import_updates_but_never_drops_a_link() {
    let env = Env::new().with_demo_store();
    let mut doc = demo_json();
    // The platform now says tex_9009 has no link and a different status.
    doc["reports"][1]["ticket_exports"][0]["external_ticket_url"] = serde_json::Value::Null;
    doc["reports"][1]["ticket_exports"][0]["external_ticket_id"] = serde_json::Value::Null;
    doc["reports"][1]["ticket_exports"][0]["status_sync_status"] = "pending".into();
    let file = env.path().join("newer.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = env.run(env.cmd().arg("import").arg(&file));
    assert!(out.contains("1 updated"), "{out}");
    let out = env
        .cmd()
        .args(["--json", "inspect", "tex_9009"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["attempt"]["external_ticket_url"],
        "https://gitlab.com/acme/portal/-/issues/14"
    );
    assert_eq!(doc["attempt"]["status_sync_status"], "pending");
    let actions: Vec<_> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created", "updated"],
        "the import is recorded as an event"
    );
}

#[test]
fn missing_file_and_directory_are_usage_errors() {
    let env = Env::new();
    let out = env.run(env.cmd().args(["import", "nope.json"]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("cannot open the import file nope.json"),
        "{out}"
    );
    let out = env.run(env.cmd().args(["import", "."]));
    assert!(
        out.starts_with("exit: 2\n") && out.contains("it is a directory"),
        "{out}"
    );
}

/// Was: 57 s of CPU for a 3.4 MB file of one finding with 200,000 unknown keys (each name was
/// compared with every name before it). The binary refuses a file like it (2.4 MB) at once: the first 50 problems
/// by path, the rest counted, exit 2, nothing written.
#[test]
fn an_object_with_200000_unknown_keys_is_refused_quickly_and_whole() {
    let env = Env::new().with_demo_store();
    let before = env.dump();
    let mut doc = demo_json().to_string();
    let members: String = (0..200_000).map(|i| format!(",\"k{i:06}\":0")).collect();
    doc = doc.replacen(
        r#""finding_id":"fnd_1""#,
        &format!(r#""finding_id":"fnd_1"{members}"#),
        1,
    );
    assert!(doc.len() > 2_000_000, "{}", doc.len());
    let file = env.path().join("keys.json");
    std::fs::write(&file, doc).unwrap();
    let out = env.run(env.cmd().arg("import").arg(&file));
    assert!(
        out.starts_with("exit: 2\n"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(out.contains("200000 problem(s)"), "{}", &out[..2000]);
    assert!(
        out.contains("  - reports[0].findings[0].k000000: unknown field (expected one of"),
        "{}",
        &out[..2000]
    );
    assert!(out.contains("  - … and 199950 more"), "{}", &out[..2000]);
    assert_eq!(
        out.matches("\n  - ").count(),
        51,
        "50 listed, one count line"
    );
    assert_eq!(env.dump(), before, "nothing was written");
}
