//! Inputs the properties found that once failed, each named by what was wrong.

use serde_json::json;
use ticket_export::import::{ImportFailure, import};

use super::{Case, ambient, base_doc, check, config, shown};

/// The problems of a refused import as `path: message` lines; panics on anything else.
fn problems(bytes: &[u8]) -> Vec<String> {
    let mut case = Case::new();
    let before = case.dump();
    match import(&mut case.store, &config(), &ambient(), bytes, "r.json") {
        Err(ImportFailure::File(e)) => {
            assert_eq!(case.dump(), before, "the store is unchanged");
            e.problems
                .iter()
                .map(|(p, m)| format!("{p}: {m}"))
                .collect()
        }
        other => panic!(
            "expected a file problem for {}, got {other:?}",
            shown(bytes)
        ),
    }
}

/// Was: exit 1, "the store failed while resolving identities: Invalid function or filter
/// parameter type Null" (the idempotency key was derived from a fingerprint that a missing
/// finding left NULL). The README's own example of a missing finding hit it.
#[test]
fn a_missing_finding_without_identities_is_a_file_problem() {
    let doc = json!({"schema_version": 1, "reports": [{"report_id": "r", "title": "t", "target": "https://x.example",
        "findings": [], "ticket_exports": [{"ticket_export_id": "tex_1", "finding_id": "fnd_9", "provider_key": "gh",
        "export_status": "pending", "mapping_status": "complete"}]}]});
    let found = problems(&serde_json::to_vec(&doc).unwrap());
    assert_eq!(
        found,
        [
            "reports[0].ticket_exports[0].finding_id: finding \"fnd_9\" is not in this report's findings (nor in the store)"
        ]
    );
}

/// Was: exit 1, "UNIQUE constraint failed: s_reports.idx" (the second `reports` list was
/// staged over the first); a finding's repeated field silently kept its last value.
#[test]
fn a_member_given_twice_is_a_file_problem() {
    let full = serde_json::to_string(&base_doc()).unwrap();
    let twice = full.replacen(
        '{',
        r#"{"reports": [{"report_id": "rep_9", "title": "t", "target": "https://x.example"}],"#,
        1,
    );
    assert_eq!(
        problems(twice.as_bytes()),
        ["reports: appears more than once in this object; give each field once"]
    );
    let lists = full.replacen(r#""findings":"#, r#""findings": [], "findings":"#, 1);
    assert_eq!(
        problems(lists.as_bytes()),
        ["reports[0].findings: appears more than once in this object; give each field once"]
    );
    let field = full.replacen(
        r#""severity":"high""#,
        r#""severity":"high","severity":"low""#,
        1,
    );
    assert_eq!(
        problems(field.as_bytes()),
        [
            "reports[0].findings[0].severity: appears more than once in this object; give each field once"
        ]
    );
}

/// Was: `reports[0].` for an empty key, and a key with a line break split the message.
#[test]
fn odd_keys_are_named_by_a_quoted_path_on_one_line() {
    let mut doc = base_doc();
    doc["reports"][0]["findings"][0]["a\nb"] = json!(1);
    doc["reports"][0]["findings"][1][""] = json!(1);
    doc["reports"][0]["x.y"] = json!(1);
    doc["\u{1b}[2J"] = json!(1);
    let found = problems(&serde_json::to_vec(&doc).unwrap());
    let paths: Vec<&str> = found
        .iter()
        .map(|p| p.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            r#"["\u001b[2J"]"#,
            r#"reports[0].findings[0]["a\u000ab"]"#,
            r#"reports[0].findings[1][""]"#,
            r#"reports[0]["x.y"]"#,
        ]
    );
    check(&serde_json::to_vec(&doc).unwrap()).unwrap();
}

/// Was: a value quoted from the file into a message kept its line break.
#[test]
fn quoted_values_cannot_forge_message_lines() {
    let mut doc = base_doc();
    doc["reports"][0]["ticket_exports"][1]["external_ticket_id"] = json!("99\n  - forged: line");
    doc["reports"][0]["ticket_exports"][0]["external_ticket_id"] = json!("99\n  - forged: line");
    let found = problems(&serde_json::to_vec(&doc).unwrap());
    assert!(
        !found.is_empty() && found.iter().all(|p| !p.contains('\n')),
        "{found:?}"
    );
}

/// Was: trailing bytes after the document were blamed on its last attempt.
#[test]
fn trailing_bytes_are_blamed_on_the_whole_file() {
    let mut bytes = serde_json::to_vec(&base_doc()).unwrap();
    bytes.extend_from_slice(b" x");
    let found = problems(&bytes);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("$: trailing characters"), "{found:?}");
}

/// Was: 57 s for one finding with 200,000 unknown keys (3.4 MB): each unknown name was
/// checked against every name before it. Now the names are sorted once; this file is refused
/// in about a second, listing the first problems in byte order and counting the rest. (The
/// growth itself is counted in `import::raw`'s unit tests and measured by
/// `benches/unknown_keys.sh`, never timed here.)
#[test]
fn an_object_with_200000_unknown_keys_is_refused_with_the_first_named_and_the_rest_counted() {
    let n = 200_000;
    let mut doc = base_doc().to_string();
    let members: String = (0..n)
        .rev()
        .map(|i| format!(",\"x{i:07}\":1"))
        .chain([",\"x0000007\":2".to_owned()])
        .collect();
    doc = doc.replacen(
        r#""finding_id":"fnd_1""#,
        &format!(r#""finding_id":"fnd_1"{members}"#),
        1,
    );
    let mut case = Case::new();
    let err = match import(
        &mut case.store,
        &config(),
        &ambient(),
        doc.as_bytes(),
        "r.json",
    ) {
        Err(ImportFailure::File(e)) => e,
        other => panic!("expected a file problem, got {other:?}"),
    };
    assert_eq!(err.problems.len(), 50);
    assert_eq!(
        err.problems.len() + err.unlisted,
        n + 1,
        "every key counted once"
    );
    assert_eq!(
        err.problems[0],
        (
            "reports[0].findings[0].x0000007".to_owned(),
            "appears more than once in this object; give each field once".to_owned()
        )
    );
    let first: Vec<&str> = err.problems[1..4].iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        first,
        [
            "reports[0].findings[0].x0000000",
            "reports[0].findings[0].x0000001",
            "reports[0].findings[0].x0000002"
        ]
    );
    assert!(
        err.problems[1]
            .1
            .starts_with("unknown field (expected one of finding_id")
    );
    assert!(
        err.to_string()
            .contains(&format!("… and {} more", n + 1 - 50))
    );
}
