//! The provider entries and import files the chaos tests run over.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// Provider entries (key, kind, table) for every kind with ticket states; `{base}` is the
/// entry's simulator. Copied from `tests/cli/sync.rs` `kinds()` (test binaries share no code).
pub fn kinds() -> Vec<(&'static str, &'static str, String)> {
    use ticket_export::simulator::trello::{BOARD, LISTS};
    let (todo, done, wontfix) = (LISTS[0].0, LISTS[2].0, LISTS[3].0);
    vec![
        ("gh", "github", "kind = \"github\"\nbase_url = \"{base}\"\nmapping = { repo = \"acme/shop\", labels = [\"security\"] }\nowned = [\"acme/shop\"]\n".to_owned()),
        ("jira-sec", "jira", "kind = \"jira\"\nbase_url = \"{base}\"\nmapping = { project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }\nowned = [\"SEC\"]\n".to_owned()),
        ("gitlab", "gitlab", "kind = \"gitlab\"\nbase_url = \"{base}\"\nmapping = { project = \"acme/portal\", labels = [\"security\"] }\nowned = [\"acme/portal\"]\n".to_owned()),
        ("bb", "bitbucket", "kind = \"bitbucket\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n".to_owned()),
        ("tr", "trello", format!("kind = \"trello\"\nbase_url = \"{{base}}\"\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{todo}\", fields = {{ done_list = \"{done}\", wontfix_list = \"{wontfix}\" }} }}\n")),
        ("lin", "linear", "kind = \"linear\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { team = \"SEC\" }\n".to_owned()),
        ("ado", "azure-devops", "kind = \"azure-devops\"\nbase_url = \"{base}/acme\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", work_item_type = \"Bug\", labels = [\"security\"] }\n".to_owned()),
        ("yt", "youtrack", "kind = \"youtrack\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", labels = [\"security\"] }\n".to_owned()),
        ("asana", "asana", "kind = \"asana\"\nbase_url = \"{base}\"\nowned = [\"1200000000000500\"]\nmapping = { workspace = \"1200000000000001\", project = \"1200000000000500\", fields = { in_progress_section = \"1400000000000002\", wontfix_section = \"1400000000000009\" } }\n".to_owned()),
        ("cu", "clickup", "kind = \"clickup\"\nbase_url = \"{base}\"\nowned = [\"901100200300\"]\nmapping = { list = \"901100200300\", labels = [\"Security\"] }\n".to_owned()),
    ]
}

/// A provider whose destination the customer does not own: nothing may ever reach it.
pub const UNOWNED: (&str, &str) = (
    "gh-private",
    "kind = \"github\"\nbase_url = \"{base}\"\nmapping = { repo = \"acme/private\" }\nowned = [\"acme/shop\"]\n",
);

/// How many attempts the unowned provider gets.
pub const UNOWNED_ATTEMPTS: usize = 6;

/// The import document: `attempts` attempts spread over `keys` round robin, every tenth
/// finding with a second attempt (same finding, same destination: the same fingerprint),
/// starting pending, failed with a 503, or unavailable with a past `retry_after`; plus the
/// unowned provider's attempts. `status(i)` gives finding `i`'s status.
pub fn report(keys: &[&str], attempts: usize, status: impl Fn(usize) -> &'static str) -> Value {
    let mut findings = Vec::new();
    let mut exports = Vec::new();
    let mut i = 0;
    let export = |id: String, finding: String, key: &str, start: usize| {
        let (status, code, http, after) = match start % 4 {
            2 => (
                "failed",
                Some("TICKET_EXPORT_DELIVERY_FAILED"),
                Some(503),
                None,
            ),
            3 => (
                "failed",
                Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE"),
                Some(503),
                Some("2026-11-29T11:00:00Z"),
            ),
            _ => ("pending", None, None, None),
        };
        json!({"ticket_export_id": id, "finding_id": finding, "provider_key": key,
            "export_status": status, "provider_error_code": code, "provider_response_code": http,
            "mapping_status": "complete", "duplicate_fingerprint": null, "idempotency_key": null,
            "retry_after": after, "external_ticket_url": null, "status_sync_status": null,
            "portable_export_path": null})
    };
    let finding = |id: String, status: &str| {
        json!({"finding_id": id, "rule_id": "xss-reflected", "title": format!("Reflected XSS {id}"),
            "severity": "high", "url": format!("https://shop.example/{id}?q=1"), "parameter": "q",
            "description": "echoed", "evidence": "GET /page HTTP/1.1\nCookie: session=abc123",
            "remediation": "encode", "status": status})
    };
    while exports.len() < attempts {
        i += 1;
        let key = keys[i % keys.len()];
        findings.push(finding(format!("fnd_{i}"), status(i)));
        exports.push(export(format!("tex_{i:05}"), format!("fnd_{i}"), key, i));
        if i % 10 == 0 && exports.len() < attempts {
            exports.push(export(format!("tex_{i:05}b"), format!("fnd_{i}"), key, 0));
        }
    }
    for u in 1..=UNOWNED_ATTEMPTS {
        findings.push(finding(format!("fnd_u{u}"), "open"));
        exports.push(export(
            format!("tex_u{u:04}"),
            format!("fnd_u{u}"),
            UNOWNED.0,
            0,
        ));
    }
    json!({"schema_version": 1, "reports": [{"report_id": "rep_chaos", "title": "Chaos",
        "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]})
}

/// Writes `doc` as `name` under `dir`.
pub fn write(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
    path
}

/// Finding statuses after a scan: open, resolved, accepted as a risk or a false positive,
/// drawn from `rng`, so that sync has pushes (and conflicts) to make.
pub fn rescan(rng: &mut ticket_export::simulator::SplitMix64) -> impl Fn(usize) -> &'static str {
    let seed = rng.next_u64();
    move |i| {
        let mut r = ticket_export::simulator::SplitMix64::new(seed ^ i as u64);
        match r.between(0, 9) {
            0..=5 => "open",
            6 | 7 => "resolved",
            8 => "accepted_risk",
            _ => "false_positive",
        }
    }
}
