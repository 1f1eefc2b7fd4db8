//! `fallback` files read back by independent readers (the `csv` reader, serde_json with the
//! JSON Schema, pulldown-cmark) and compared with the store, with hostile text in every field.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::json;

use crate::fallback::{files_under, import_report};
use crate::support::Env;

/// Text a scanned site can put in a finding, aimed at each format's structure.
fn hostile() -> Vec<(String, String, String, String)> {
    let long = "A".repeat(100_000);
    vec![
        (
            "Quote \" comma , pipe | backtick ` <script>alert(1)</script> # end #".into(),
            "line one\n# Injected heading\n- list item\n1. ordered\n> quote\n<div>html</div>\n\
             | a | b |\n|---|---|\n```\ncode\n```\n\n---\n===\n    indented"
                .into(),
            format!("```\n````\n## not a heading\n<img src=x onerror=alert(1)>\r\n{long}\n"),
            "Use `code`, *stars*, _under_, [link](https://x.example) ![i](y) &amp; \\ ~~s~~".into(),
        ),
        (
            "=HYPERLINK(\"https://evil.example\",\"click\")".into(),
            "+cmd|' /C calc'!A0\r\nsecond \"quoted\" line, with comma".into(),
            "@SUM(1+1)*cmd|' /C calc'!A0".into(),
            "-2+3".into(),
        ),
        (
            "Plain title".into(),
            String::new(),
            "no newline at end".into(),
            "  leading spaces\n\n\nthree blank lines".into(),
        ),
    ]
}

fn hostile_env() -> Env {
    let env = Env::new().with_demo_config();
    let cases = hostile();
    let findings: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, (title, description, evidence, remediation))| {
            json!({"finding_id": format!("f{i}"), "rule_id": "xss|`<b>`", "title": title,
                   "severity": "high", "url": format!("https://shop.example/s?q=\"<x>\"|`{i}"),
                   "parameter": "q|x`y", "description": description, "evidence": evidence,
                   "remediation": remediation, "status": "open"})
        })
        .collect();
    let exports: Vec<_> = (0..cases.len())
        .map(|i| {
            let provider = if i == 1 { "legacy-tracker" } else { "gh-shop" };
            json!({"ticket_export_id": format!("tex_h{i}"), "finding_id": format!("f{i}"),
                   "provider_key": provider, "export_status": "pending", "mapping_status": "complete"})
        })
        .collect();
    import_report(
        &env,
        json!({"report_id": "rep_h", "title": "Hostile | `scan` <b>", "target": "https://shop.example",
               "findings": findings, "ticket_exports": exports}),
    );
    env
}

/// What the store holds for each attempt of a report, in the generic CSV's column order.
fn store_rows(env: &Env, report: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT t.ticket_export_id, t.duplicate_fingerprint, t.report_id, f.severity, f.title, f.url,
                    coalesce(f.parameter, ''), f.description, f.evidence, f.remediation, f.status
               FROM ticket_exports t JOIN findings f USING (report_id, finding_id)
              WHERE t.report_id = ?1 ORDER BY t.ticket_export_id",
        )
        .unwrap();
    stmt.query_map([report], |r| {
        (0..11).map(|i| r.get::<_, String>(i)).collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[test]
fn csv_reads_back_with_the_store_fields() {
    let env = hostile_env();
    env.cmd()
        .args(["fallback", "--yes", "--report", "rep_h", "--format", "csv"])
        .assert()
        .code(0);
    let expected = store_rows(&env, "rep_h");
    let mut reader =
        csv::Reader::from_path(env.path().join("ticket-exports/rep_h/rep_h.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, ticket_export::portable::csv::GENERIC_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), expected.len());
    for (row, want) in rows.iter().zip(&expected) {
        for (col, value) in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
            .iter()
            .map(|&c| (c, &want[c]))
        {
            assert_eq!(row[col], defuse(value), "column {}", header[col]);
        }
        assert_eq!(&row[11], &want[10]);
        assert!(
            row[10].contains(&format!("fp-{}", &want[1][4..16])),
            "{:?}",
            &row[10]
        );
    }
}

#[test]
fn json_reads_back_valid_against_the_schema() {
    let env = hostile_env();
    env.cmd()
        .args(["fallback", "--yes", "--report", "rep_h", "--format", "json"])
        .assert()
        .code(0);
    let schema: serde_json::Value =
        serde_json::from_str(ticket_export::portable::JSON_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.path().join("ticket-exports/rep_h/rep_h.json")).unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let findings = doc["findings"].as_array().unwrap();
    let expected = store_rows(&env, "rep_h");
    assert_eq!(findings.len(), expected.len());
    let keys = [
        "ticket_export_id",
        "fingerprint",
        "",
        "severity",
        "title",
        "url",
        "parameter",
        "description",
        "evidence",
        "remediation",
        "status",
    ];
    for (f, want) in findings.iter().zip(&expected) {
        for (key, value) in keys.iter().zip(want).filter(|(k, _)| !k.is_empty()) {
            assert_eq!(f[key].as_str().unwrap(), value, "{key}");
        }
    }
    assert_eq!(doc["report"]["title"], "Hostile | `scan` <b>");
    // The schema is not a formality: a broken document fails it.
    let mut broken = doc.clone();
    broken["findings"][0]["fingerprint"] = json!(null);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn markdown_keeps_its_structure_whatever_the_findings_say() {
    let env = hostile_env();
    env.cmd()
        .args(["fallback", "--yes", "--report", "rep_h", "--format", "md"])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(env.path().join("ticket-exports/rep_h/rep_h.md")).unwrap();
    let expected = store_rows(&env, "rep_h");
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let (mut h1, mut h2, mut rows, mut cells) = (0, Vec::new(), 0, 0);
    let (mut heading, mut in_heading, mut code_blocks) = (String::new(), false, Vec::new());
    let mut code: Option<String> = None;
    for event in Parser::new_ext(&text, opts) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML reached the document: {h:?}"),
            Event::Start(Tag::Heading { level, .. }) => {
                match level {
                    HeadingLevel::H1 => h1 += 1,
                    HeadingLevel::H2 => in_heading = true,
                    other => panic!("a finding opened a {other:?} heading"),
                }
                heading.clear();
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                in_heading = false;
                h2.push(heading.clone());
            }
            Event::Start(Tag::TableRow) => {
                rows += 1;
                cells = 0;
            }
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow) => assert_eq!(cells, 5, "a table row lost its cells"),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => code = Some(String::new()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => panic!("indented code block"),
            Event::End(TagEnd::CodeBlock) => code_blocks.push(code.take().unwrap()),
            Event::Start(
                Tag::BlockQuote(_) | Tag::Link { .. } | Tag::Image { .. } | Tag::Strikethrough,
            ) => {
                panic!("a finding injected {event:?}")
            }
            Event::Rule => panic!("a finding injected a thematic break"),
            Event::Text(t) | Event::Code(t) => {
                if in_heading {
                    heading.push_str(&t);
                }
                if let Some(c) = code.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    assert_eq!(h1, 1);
    assert_eq!(rows, expected.len(), "one table row per finding");
    let titles: Vec<String> = expected
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {}", i + 1, r[4].trim()))
        .collect();
    assert_eq!(
        h2, titles,
        "one section per finding, titled as the store has it"
    );
    let evidence: Vec<String> = expected
        .iter()
        .map(|r| format!("{}\n", r[8].replace("\r\n", "\n").trim_end_matches('\n')))
        .collect();
    assert_eq!(code_blocks, evidence, "evidence comes back byte for byte");
    for phrase in [
        "# Injected heading",
        "- list item",
        "<div>html</div>",
        "[link](https://x.example)",
    ] {
        assert!(
            text_of(&text).contains(phrase),
            "{phrase:?} should render as text"
        );
    }
}

/// The document's rendered text, to check that escaped syntax shows as itself.
fn text_of(markdown: &str) -> String {
    Parser::new_ext(markdown, Options::ENABLE_TABLES)
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.into_string()),
            Event::SoftBreak | Event::HardBreak => Some("\n".into()),
            _ => None,
        })
        .collect()
}

#[test]
fn presets_shape_the_csv_for_each_importer() {
    let env = hostile_env();
    let read = |name: &str| -> Vec<Vec<String>> {
        let path = env.path().join("ticket-exports/rep_h").join(name);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let run = |preset: &str| {
        env.cmd()
            .args([
                "fallback", "--yes", "--report", "rep_h", "--format", "csv", "--preset", preset,
            ])
            .assert()
            .code(0);
    };
    run("jira");
    let jira = read("rep_h.jira.csv");
    assert_eq!(
        jira[0],
        [
            "Summary",
            "Issue Type",
            "Description",
            "Priority",
            "Labels",
            "Labels"
        ]
    );
    assert_eq!(jira.len(), 4);
    assert_eq!(jira[1][4], "security", "the gh-shop mapping's label");
    assert!(
        jira[1][5].starts_with("fp-") && jira[2][5].is_empty() && jira[2][4].starts_with("fp-")
    );
    assert!(
        jira[1][2].contains("{noformat}")
            && jira[1][2].contains("<!-- ticket-export:fingerprint=fp1:")
    );
    run("gitlab");
    let gitlab = read("rep_h.gitlab.csv");
    assert_eq!(gitlab[0], ["title", "description"]);
    assert!(gitlab[1][1].contains("\\# Injected heading"));
    run("asana");
    assert_eq!(
        read("rep_h.asana.csv")[0],
        ["Name", "Description", "Section"]
    );
    run("azure-devops");
    let azure = read("rep_h.azure-devops.001.csv");
    assert_eq!(azure[0], ["Work Item Type", "Title", "Description", "Tags"]);
    assert!(azure[1][2].contains("&lt;img src=x") && !azure[1][2].contains("<img"));
    // Each run replaces the files of the last one; the manifest lists exactly what is there.
    let names: Vec<String> = files_under(&env.path().join("ticket-exports/rep_h"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["SHA256SUMS", "rep_h.azure-devops.001.csv"]);
}

#[test]
fn azure_files_hold_at_most_1000_rows() {
    let env = Env::new().with_demo_config();
    let n = 2001;
    let findings: Vec<_> = (0..n)
        .map(|i| {
            json!({"finding_id": format!("f{i}"), "rule_id": "r", "title": format!("T{i}"),
                       "severity": "low", "url": format!("https://shop.example/{i}")})
        })
        .collect();
    let exports: Vec<_> = (0..n)
        .map(|i| json!({"ticket_export_id": format!("tex_{i:05}"), "finding_id": format!("f{i}"),
                       "provider_key": "gh-shop", "export_status": "pending", "mapping_status": "complete"}))
        .collect();
    import_report(
        &env,
        json!({"report_id": "rep_big", "title": "Big", "target": "https://shop.example",
                               "findings": findings, "ticket_exports": exports}),
    );
    let out = env.run(env.cmd().args([
        "fallback",
        "--yes",
        "--report",
        "rep_big",
        "--format",
        "csv",
        "--preset",
        "azure-devops",
    ]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    let dir = env.path().join("ticket-exports/rep_big");
    let mut total = 0;
    for (part, rows) in [(1, 1000), (2, 1000), (3, 1)] {
        let path = dir.join(format!("rep_big.azure-devops.{part:03}.csv"));
        let count = csv::Reader::from_path(&path).unwrap().records().count();
        assert_eq!(count, rows, "{}", path.display());
        total += count;
    }
    assert_eq!(total, n);
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(
        sums.lines().next(),
        Some("# ticket-export report_id: \"rep_big\"")
    );
    assert_eq!(
        sums.lines().filter(|l| !l.starts_with('#')).count(),
        3,
        "{sums}"
    );
}
