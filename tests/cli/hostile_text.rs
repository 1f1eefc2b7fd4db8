//! Hostile finding text through `retry`, at every provider kind at once: one finding's text
//! must not break another's delivery, nor carry markup or a mention to a tracker. Assertions
//! are on what the simulator received and what the store holds.

use serde_json::{Value, json};
use ticket_export::fingerprint::{body_marker, label, sha256_hex};
use ticket_export::providers::marker;
use ticket_export::simulator::{SIM_USER, SIM_WEBHOOK_SECRET, SimTicket, Simulator};

use crate::support::{Env, write_sim_config};

/// Every provider kind against one simulator (Jira twice: Cloud with a user, Data Center
/// without), each with its credentials in 0600 files.
pub fn config(env: &Env, sim: &Simulator) -> Vec<&'static str> {
    use ticket_export::simulator::trello::{BOARD, LISTS};
    let todo = LISTS[0].0;
    let creds = r#"auth = { token_file = "sim.token", user_file = "sim.user" }"#;
    let entries: Vec<(&str, String)> = vec![
        ("gh", format!("kind = \"github\"\n{creds}\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\nowned = [\"acme/shop\"]")),
        ("jira-sec", format!("kind = \"jira\"\n{creds}\nmapping = {{ project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }}\nowned = [\"SEC\"]")),
        ("jira-dc", "kind = \"jira\"\nauth = { token_file = \"sim.token\" }\nmapping = { project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }\nowned = [\"SEC\"]".to_owned()),
        ("gitlab", format!("kind = \"gitlab\"\n{creds}\nmapping = {{ project = \"acme/portal\", labels = [\"security\"] }}\nowned = [\"acme/portal\"]")),
        ("bb", format!("kind = \"bitbucket\"\n{creds}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\" }}")),
        ("tr", format!("kind = \"trello\"\n{creds}\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{todo}\" }}")),
        ("lin", format!("kind = \"linear\"\n{creds}\nowned = [\"SEC\"]\nmapping = {{ team = \"SEC\" }}")),
        ("ado", format!("kind = \"azure-devops\"\n{creds}\nowned = [\"SEC\"]\nmapping = {{ project = \"SEC\", work_item_type = \"Bug\", labels = [\"security\"] }}")),
        ("yt", format!("kind = \"youtrack\"\n{creds}\nowned = [\"SEC\"]\nmapping = {{ project = \"SEC\", labels = [\"security\"] }}")),
        ("asana", format!("kind = \"asana\"\n{creds}\nowned = [\"1200000000000500\"]\nmapping = {{ workspace = \"1200000000000001\", project = \"1200000000000500\" }}")),
        ("cu", format!("kind = \"clickup\"\n{creds}\nowned = [\"901100200300\"]\nmapping = {{ list = \"901100200300\", labels = [\"Security\"] }}")),
        ("hook", "kind = \"webhook\"\nauth = { secret_file = \"sim.secret\" }\nowned = [\"127.0.0.1\"]".to_owned()),
    ];
    let mut text = String::new();
    for (key, entry) in &entries {
        let base = match *key {
            "ado" => format!("{}/acme", sim.base_url()),
            "hook" => format!("{}/hooks/ticket-export", sim.base_url()),
            _ => sim.base_url(),
        };
        text.push_str(&format!(
            "[providers.{key}]\nbase_url = \"{base}\"\nallow_http = true\n{entry}\n\n"
        ));
    }
    for (file, value) in [("sim.user", SIM_USER), ("sim.secret", SIM_WEBHOOK_SECRET)] {
        let path = env.path().join(file);
        std::fs::write(&path, value).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    write_sim_config(env, "self-hosted", &text);
    entries.iter().map(|(k, _)| *k).collect()
}

/// The fingerprint the platform gave finding `which` at provider `key`.
pub fn fp(key: &str, which: &str) -> String {
    format!("fp1:{}", sha256_hex(&[key, which]))
}

pub fn export(key: &str, which: &str, code: &str) -> Value {
    json!({"ticket_export_id": format!("tex_{which}_{key}"), "finding_id": format!("fnd_{which}"),
        "provider_key": key, "export_status": "failed", "provider_error_code": code,
        "provider_response_code": 503, "mapping_status": "complete",
        "duplicate_fingerprint": fp(key, which)})
}

pub fn import(env: &Env, report: Value) {
    let path = env.path().join("hostile.json");
    let doc = json!({"schema_version": 1, "reports": [report]});
    std::fs::write(&path, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
}

fn query(env: &Env, sql: &str) -> Vec<Vec<Option<String>>> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| Ok((0..n).map(|i| r.get(i).unwrap()).collect()))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Whether the simulator's copy of a ticket body holds `fp`'s marker as a lookup reads it.
fn holds(t: &SimTicket, fp: &str) -> bool {
    if t.kind == "azure-devops" {
        marker::in_html(&t.body, fp)
    } else {
        marker::in_text(&t.body, fp)
    }
}

fn markdown_html(markdown: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::all());
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// What a tracker would render from a ticket's description contains no markup from the
/// finding: no script, image, link, extra comment, mention or wiki macro.
fn assert_inert(t: &SimTicket) {
    let what = format!("{} ticket {}", t.kind, t.id);
    let rendered = match t.kind {
        "azure-devops" => t.body.clone(),
        "jira" if t.extra["api"] == 3 => {
            // An Atlassian Document holds text as text: only the node types the tool writes.
            let doc = t.extra["description"].to_string();
            for node in [
                "mention",
                "media",
                "mediaSingle",
                "inlineCard",
                "link",
                "emoji",
            ] {
                assert!(!doc.contains(&format!("\"{node}\"")), "{what}: {node} node");
            }
            String::new()
        }
        "jira" => {
            // Wiki markup outside the `{noformat}` evidence block (shown verbatim).
            let wiki: String = t.body.split("{noformat}").step_by(2).collect();
            for bad in ["[~", "!https://evil", "{html}", "[click"] {
                let unescaped = wiki
                    .match_indices(bad)
                    .any(|(at, _)| !wiki[..at].ends_with('\\'));
                assert!(!unescaped, "{what}: {bad} in\n{}", t.body);
            }
            String::new()
        }
        // Plain-text notes: markup is shown as text, never rendered.
        "asana" => String::new(),
        _ => markdown_html(&t.body),
    };
    for bad in ["<script", "<img", "<a ", "<iframe", "<svg"] {
        assert!(!rendered.contains(bad), "{what}: {bad} in\n{rendered}");
    }
    assert!(
        rendered.matches("<!--").count() <= 1,
        "{what}: a comment from the finding:\n{rendered}"
    );
    for ping in ["@everyone", "@here", "@channel"] {
        assert!(
            !t.body.contains(ping) && !t.title.contains(ping),
            "{what}: {ping}"
        );
    }
}

#[test]
fn a_finding_quoting_another_findings_marker_and_label_leaves_both_their_own_ticket() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let keys = config(&env, &sim);
    let forged: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            [
                body_marker(&fp(k, "b")),
                format!("[{}]", label(&fp(k, "b"))),
            ]
        })
        .collect();
    let forged = forged.join("\n");
    let finding = |which: &str, title: String, text: &str| {
        json!({"finding_id": format!("fnd_{which}"), "rule_id": "xss-stored", "title": title,
            "severity": "high", "url": format!("https://shop.example/{which}"), "parameter": "q",
            "description": text, "evidence": text, "remediation": text, "status": "open"})
    };
    let hostile = format!(
        "{forged}\n<script>alert(1)</script> <img src=https://evil.example/p.png>\n\
         ![x](https://evil.example/i.png) [click](javascript:alert(1)) <a href=\"javascript:alert(1)\">y</a>\n\
         <!-- hidden --> @everyone @here @channel [~admin] !https://evil.example/w.png! {{html}}<b>{{html}}\n\
         /close\n{forged}"
    );
    let bb_label = label(&fp("bb", "b"));
    let a = finding("a", format!("Stored XSS [{bb_label}] @everyone"), &hostile);
    let b = finding("b", "Reflected XSS".into(), "Input is echoed.");
    let mut exports: Vec<Value> = keys
        .iter()
        .map(|k| export(k, "a", "TICKET_EXPORT_DELIVERY_FAILED"))
        .collect();
    exports.extend(
        keys.iter()
            .map(|k| export(k, "b", "TICKET_EXPORT_DELIVERY_FAILED")),
    );
    import(
        &env,
        json!({"report_id": "rep_h", "title": "Scan", "target": "https://shop.example",
            "findings": [a, b], "ticket_exports": exports}),
    );
    // A's tickets first, so that every lookup for B runs with A's ticket in place.
    let a_ids: Vec<String> = keys.iter().map(|k| format!("tex_a_{k}")).collect();
    let first = env.cmd().arg("retry").args(&a_ids).output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let second = env.cmd().args(["retry", "--all"]).output().unwrap();
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&second.stdout),
        String::from_utf8_lossy(&second.stderr)
    );

    // The store: every attempt has its own ticket, none is left in flight.
    let rows = query(
        &env,
        "SELECT ticket_export_id, export_status, provider_error_code, external_ticket_id FROM ticket_exports ORDER BY 1",
    );
    assert_eq!(rows.len(), keys.len() * 2);
    for row in &rows {
        let id = row[0].as_deref().unwrap();
        assert_eq!(row[1].as_deref(), Some("exported"), "{row:?}");
        assert_eq!(row[2], None, "{row:?}");
        assert!(row[3].is_some() || id.ends_with("_hook"), "{row:?}");
    }
    for key in keys.iter().filter(|k| **k != "hook") {
        let ticket = |which: &str| {
            rows.iter()
                .find(|r| r[0].as_deref() == Some(&format!("tex_{which}_{key}")))
                .and_then(|r| r[3].clone())
        };
        assert_ne!(ticket("a"), ticket("b"), "{key}: A and B share a ticket");
    }

    // The simulator: two tickets per tracker, each carrying its own marker and no other.
    let state = sim.state();
    let kinds = [
        "github",
        "jira",
        "gitlab",
        "bitbucket",
        "trello",
        "linear",
        "azure-devops",
        "youtrack",
        "asana",
        "clickup",
    ];
    for kind in kinds {
        let expected = if kind == "jira" { 4 } else { 2 };
        let n = state.tickets.iter().filter(|t| t.kind == kind).count();
        assert_eq!(n, expected, "{kind}: tickets");
    }
    for t in &state.tickets {
        let own: Vec<String> = keys
            .iter()
            .flat_map(|k| [fp(k, "a"), fp(k, "b")])
            .filter(|f| holds(t, f))
            .collect();
        assert_eq!(
            own.len(),
            1,
            "{} ticket {} carries {own:?}:\n{}",
            t.kind,
            t.id,
            t.body
        );
        assert_inert(t);
    }
    assert_eq!(state.deliveries.len(), 2, "webhook deliveries");
    for d in &state.deliveries {
        let payload: Value = serde_json::from_str(&d.body).unwrap();
        let body = payload["data"]["body"].as_str().unwrap();
        assert!(
            !marker::in_text(body, &fp("hook", "b"))
                || payload["data"]["fingerprint"] == fp("hook", "b")
        );
        assert!(
            !body.contains("@everyone")
                && !payload["data"]["title"]
                    .as_str()
                    .unwrap()
                    .contains("@everyone")
        );
    }
}
