//! A credential in every field of a finding, through `retry` at every provider kind, `fallback`
//! in every preset and `inspect`: none of it reaches a tracker, a file or the terminal.

use serde_json::{Value, json};
use ticket_export::simulator::Simulator;

use crate::fallback::files_under;
use crate::hostile_text::{config, export, import};
use crate::support::Env;

/// Credentials a scanner captures, one shape per field, each with its secret part.
fn planted() -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "ghp_Zk81mQ2pL0x9Zk81mQ2pL0x9Zk81mQ2pL0x9"),
        ("url", "ya29.a0AfH6SMBx3QmZk81mQ2pL0x9"),
        (
            "parameter",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTUxNjIzOTAyMn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
        ),
        (
            "description",
            "xoxb-2409871234-2409871234567-Zk81mQ2pL0x9Zk81mQ2pL0x9",
        ),
        ("description", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("evidence", "Zk81mQ2pL0x9Bearer"),
        ("evidence", "Tr0ub4dor-and-3"),
        ("evidence", "5f2c9a7e31d84b06e1"),
        ("evidence", "MIIEpAIBAAKCAQEAZk81mQ2pL0x9"),
        ("evidence", "IQoJb3JpZ2luX2VjEKrZk81"),
        ("remediation", "sk_live_Zk81mQ2pL0x9Zk81mQ2p"),
        ("remediation", "glpat-Zk81mQ2pL0x9Zk81mQ2p"),
    ]
}

fn leaky_finding() -> Value {
    let s = |i: usize| planted()[i].1;
    json!({"finding_id": "fnd_leak", "rule_id": "secret-in-page", "severity": "high",
        "title": format!("Token {} in page", s(0)),
        "url": format!("https://shop.example/cb?access_token={}&state=1", s(1)),
        "parameter": format!("jwt={}", s(2)),
        "description": format!("Slack {} and AWS AKIAIOSFODNN7EXAMPLE {}", s(3), s(4)),
        "evidence": format!(
            "GET / HTTP/1.1\nauthorization : Bearer {}\ncurl -u admin:{} https://shop.example/\n\
             X-Api-Key: {}\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n\
             X-Amz-Security-Token: {}", s(5), s(6), s(7), s(8), s(9)),
        "remediation": format!("Revoke {} and {}", s(10), s(11)),
        "status": "open"})
}

#[test]
fn a_token_in_every_finding_field_reaches_no_tracker_and_no_file() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let keys = config(&env, &sim);
    let exports: Vec<Value> = keys
        .iter()
        .map(|k| export(k, "leak", "TICKET_EXPORT_DELIVERY_FAILED"))
        .map(|mut e| {
            e["finding_id"] = json!("fnd_leak");
            e
        })
        .collect();
    import(
        &env,
        json!({"report_id": "rep_leak", "title": "Scan", "target": "https://shop.example",
            "findings": [leaky_finding()], "ticket_exports": exports}),
    );
    let retry = env
        .cmd()
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    assert_eq!(
        retry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&retry.stdout)
    );
    // The same finding in a report whose tracker is down: its portable files, every preset.
    let mut down = export("gh", "files", "TICKET_EXPORT_PROVIDER_UNAVAILABLE");
    down["finding_id"] = json!("fnd_leak");
    down["provider_response_code"] = json!(503);
    import(
        &env,
        json!({"report_id": "rep_files", "title": "Scan", "target": "https://shop.example",
            "findings": [leaky_finding()], "ticket_exports": [down]}),
    );
    let mut outputs = vec![retry];
    for preset in ["generic", "jira", "gitlab", "azure-devops", "asana"] {
        let out = env
            .cmd()
            .args([
                "--json",
                "fallback",
                "--yes",
                "--report",
                "rep_files",
                "--preset",
                preset,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        outputs.push(out);
    }
    outputs.push(
        env.cmd()
            .args(["--json", "inspect", "tex_leak_gh"])
            .output()
            .unwrap(),
    );
    outputs.push(env.cmd().args(["inspect", "tex_leak_gh"]).output().unwrap());

    let state = sim.state();
    let mut received: String = state
        .requests
        .iter()
        .map(|r| format!("{} {}?{} {}\n", r.method, r.path, r.query, r.body))
        .collect();
    received.extend(
        state
            .tickets
            .iter()
            .map(|t| format!("{} {} {}\n", t.title, t.body, t.extra)),
    );
    let tickets = state.tickets.len() + state.deliveries.len();
    assert_eq!(tickets, keys.len(), "one ticket per provider");
    // The config names no out_dir: the files are in the data folder's default.
    let files = files_under(&env.path().join(".local/share/ticket-export/ticket-exports"));
    assert!(files.len() >= 4, "{files:?}");
    let files: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    for (field, secret) in planted() {
        assert!(
            !received.contains(secret),
            "{field}: {secret} reached a tracker"
        );
        for (name, text) in &files {
            assert!(!text.contains(secret), "{field}: {secret} is in {name}");
        }
        for out in &outputs {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !text.contains(secret),
                "{field}: {secret} was printed:\n{text}"
            );
        }
    }
    assert!(
        received.contains("[REDACTED]"),
        "the evidence kept its shape"
    );
}
