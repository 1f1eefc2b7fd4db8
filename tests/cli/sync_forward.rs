//! Re-importing an older export never reopens what a newer one closed and `sync` pushed: the
//! loop an agency runs over `reports/*.json`, through the real binary against the simulator.

use crate::sync::{Linked, kinds};

/// The first file again, with `exported_at` set on its report (or removed), and the finding
/// in `status`; written beside it.
fn variant(l: &Linked, name: &str, exported_at: Option<&str>, status: &str) -> std::path::PathBuf {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(l.file()).unwrap()).unwrap();
    let report = doc["reports"][0].as_object_mut().unwrap();
    // `exported_at` goes before the findings: rebuild the report with it beside report_id.
    let mut ordered = serde_json::Map::new();
    ordered.insert("report_id".into(), report["report_id"].clone());
    if let Some(at) = exported_at {
        ordered.insert("exported_at".into(), at.into());
    }
    for (k, v) in report.iter() {
        ordered.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for f in ordered["findings"].as_array_mut().unwrap() {
        f["status"] = status.into();
    }
    doc["reports"][0] = ordered.into();
    let path = l.env.path().join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn finding_status(l: &Linked) -> String {
    let doc: serde_json::Value = serde_json::from_slice(
        &l.env
            .cmd()
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    doc["finding"]["status"].as_str().unwrap().to_owned()
}

#[test]
fn reimporting_an_undated_older_export_never_reopens_a_closed_ticket() {
    for (key, entry) in kinds() {
        // A: the finding open, its ticket created by retry.
        let l = Linked::new(key, &entry, 1);
        // B: a newer export, undated too, resolves it; sync closes the ticket.
        let b = variant(&l, "b.json", None, "resolved");
        l.env.cmd().arg("import").arg(&b).assert().success();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(
            (code, lines[0]["outcome"].as_str()),
            (Some(0), Some("pushed")),
            "{key}"
        );
        let writes = l.writes();
        // A again, as a loop over reports/*.json does.
        l.env.cmd().arg("import").arg(l.file()).assert().success();
        assert_eq!(finding_status(&l), "resolved", "{key}");
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(
            (code, lines[0]["outcome"].as_str()),
            (Some(0), Some("unchanged")),
            "{key}: {lines:?}"
        );
        assert_eq!(l.writes(), writes, "{key}: the simulator received no write");
    }
}

#[test]
fn exported_at_orders_exports_and_import_says_which_were_older() {
    let (key, entry) = kinds().into_iter().next().unwrap();
    let l = Linked::new(key, &entry, 1);
    let a = variant(&l, "a.json", Some("2026-11-01T08:00:00Z"), "open");
    let b = variant(&l, "b.json", Some("2026-11-20T08:00:00+02:00"), "resolved");
    l.env.cmd().arg("import").arg(&a).assert().success();
    l.env.cmd().arg("import").arg(&b).assert().success();
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(0), Some("pushed"))
    );
    let writes = l.writes();
    // A is older than B: none of its findings change, and the import says so.
    let out = l.env.cmd().arg("import").arg(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("older than the store: rep_1"), "{stdout}");
    let json = l
        .env
        .cmd()
        .args(["--json", "import"])
        .arg(&a)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["counts"]["older_reports"], serde_json::json!(["rep_1"]));
    assert_eq!(finding_status(&l), "resolved");
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(0), Some("unchanged"))
    );
    assert_eq!(l.writes(), writes);
    // A newer export that reopens the finding stands, and sync reopens the ticket.
    let c = variant(&l, "c.json", Some("2026-11-25T08:00:00Z"), "open");
    let out = l.env.cmd().arg("import").arg(&c).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("older than the store"));
    assert_eq!(finding_status(&l), "open");
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "{lines:?}"
    );
}
