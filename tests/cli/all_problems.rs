//! All problems at once (issue 12, point 12): a file with problems of its fields (found while
//! streaming) and of its references (found by the whole-file checks) lists both in one run,
//! without reporting what only follows from a refused record.

use crate::support::{Env, demo_report};

fn demo_json() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(demo_report()).unwrap()).unwrap()
}

#[test]
fn field_and_reference_problems_are_reported_in_one_run() {
    let env = Env::new().with_demo_config();
    let mut doc = demo_json();
    // Fields: an unknown status, a finding with a bad severity.
    doc["reports"][0]["ticket_exports"][3]["export_status"] = "sent".into();
    doc["reports"][1]["findings"][2]["severity"] = "urgent".into();
    // References: an attempt of a finding that is not in the report, a repeated attempt id,
    // a repeated report id.
    doc["reports"][0]["ticket_exports"][5]["finding_id"] = "fnd_404".into();
    doc["reports"][2]["ticket_exports"][1]["ticket_export_id"] = "tex_9016".into();
    doc["reports"][2]["report_id"] = "rep_2051".into();
    let file = env.path().join("bad.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = env.run(env.cmd().arg("import").arg(&file));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    for expected in [
        "reports[0].ticket_exports[3].export_status: unknown value \"sent\"",
        "reports[1].findings[2].severity",
        "reports[0].ticket_exports[5].finding_id: finding \"fnd_404\" is not in this report's findings",
        "duplicate ticket_export_id \"tex_9016\"",
        "duplicate report_id \"rep_2051\"",
    ] {
        assert!(out.contains(expected), "no {expected:?} in {out}");
    }
    // tex_9011 names fnd_11, refused for its severity: not also "not in this report's findings".
    assert!(!out.contains("\"fnd_11\" is not in"), "{out}");
    assert!(out.contains("7 problem(s)"), "{out}");
    assert_eq!(env.dump(), "", "nothing was written");
}

#[test]
fn a_file_whose_syntax_stops_the_reading_is_not_checked_as_a_whole() {
    // The records after a syntax error were never read: checking references against the
    // ones before it would report attempts of findings that are in the file.
    let env = Env::new().with_demo_config();
    let text = serde_json::to_string(&demo_json()).unwrap();
    let cut = text.find("\"ticket_exports\"").unwrap() + 40;
    let file = env.path().join("cut.json");
    std::fs::write(&file, &text[..cut]).unwrap();
    let out = env.run(env.cmd().arg("import").arg(&file));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(out.contains("1 problem(s)"), "{out}");
    assert!(!out.contains("is not in this report"), "{out}");
    assert_eq!(env.dump(), "");
}

#[test]
fn a_config_problem_names_its_keys_line_not_its_tables() {
    let env = Env::new();
    let config = "mode = \"self-hosted\"\n\
        \n\
        [providers.gh]\n\
        kind = \"github\"\n\
        owned = [\"acme/shop\"]\n\
        base_url = \"not a url\"\n\
        auth = { token_env = \"GH_TOKEN\", token_file = \"gh.token\" }\n\
        mapping = { labels = [\"security\"] }\n\
        \n\
        [fallback]\n\
        after = \"soon\"\n";
    std::fs::write(env.config(), config).unwrap();
    let out = env.run(env.cmd().args(["settings", "check"]));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    for expected in [
        // The key itself.
        "base_url is not a URL",
        "(providers.gh, line 6)",
        "auth.token_env and auth.token_file are both set; keep one (providers.gh, line 7)",
        "fallback.after is not a positive duration",
        "(line 11)",
        // A key that is missing: the nearest written one, `mapping`.
        "mapping.repo is required",
        "(providers.gh, line 8)",
    ] {
        assert!(out.contains(expected), "no {expected:?} in {out}");
    }
    assert!(
        !out.contains("line 3)"),
        "pointed at the table header: {out}"
    );
}
