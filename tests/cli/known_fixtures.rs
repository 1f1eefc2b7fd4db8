//! Small fixtures for attempts that name a known ticket: one GitHub provider on the simulator,
//! one finding, one attempt with the fields a test gives, and reads of what the store holds.

use ticket_export::simulator::{SimTicket, Simulator};

use crate::support::{Env, write_sim_config};

/// The GitHub entry of these tests: `acme/shop` on the simulator.
pub fn github(sim: &Simulator, repo: &str) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"{repo}\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

/// A simulator, and an environment whose config has `entry` (built from the simulator).
pub fn setup(entry: impl Fn(&Simulator) -> String) -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(&env, "self-hosted", &entry(&sim));
    (env, sim)
}

/// Imports attempts `tex_0001`, `tex_0002`… for provider `gh`, one finding each, with the
/// defaults of a failed delivery overridden by each element of `exports` (`finding_status`
/// sets the finding's status instead).
pub fn import(env: &Env, exports: &[serde_json::Value]) {
    let findings: Vec<serde_json::Value> = exports
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            let i = i + 1;
            let status = fields["finding_status"].as_str().unwrap_or("open");
            serde_json::json!({"finding_id": format!("fnd_{i}"), "rule_id": "xss-reflected",
                "title": format!("Reflected XSS {i}"), "severity": "high",
                "url": format!("https://shop.example/page/{i}?q=1"), "parameter": "q",
                "description": "echoed", "evidence": "GET /page HTTP/1.1", "remediation": "encode",
                "status": status})
        })
        .collect();
    let attempts: Vec<serde_json::Value> = exports
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            let mut a = serde_json::json!({"ticket_export_id": format!("tex_{:04}", i + 1),
                "finding_id": format!("fnd_{}", i + 1), "provider_key": "gh",
                "export_status": "failed", "provider_error_code": "TICKET_EXPORT_DUPLICATE_BLOCKED",
                "provider_response_code": 409, "mapping_status": "complete",
                "duplicate_fingerprint": null, "idempotency_key": null, "retry_after": null,
                "external_ticket_url": null, "status_sync_status": null, "portable_export_path": null});
            for (k, v) in fields.as_object().unwrap() {
                if k != "finding_status" {
                    a[k] = v.clone();
                }
            }
            a
        })
        .collect();
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_1",
        "title": "Scan", "target": "https://shop.example", "findings": findings,
        "ticket_exports": attempts}]});
    let path = env.path().join("known.json");
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = env.cmd().arg("import").arg(&path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A ticket the provider already holds, as a person or an earlier export made it.
pub fn seed(sim: &Simulator, repo: &str, number: &str, state: &str) {
    sim.state().tickets.push(SimTicket {
        kind: "github",
        destination: repo.into(),
        id: number.into(),
        title: "Reflected XSS".into(),
        body: "found earlier".into(),
        labels: vec!["security".into()],
        state: state.into(),
        extra: serde_json::json!({"state_reason": null}),
    });
}

/// `METHOD path` of every request the simulator received.
pub fn received(sim: &Simulator) -> Vec<String> {
    sim.state()
        .requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The attempt's status, code and ticket as the store holds them.
pub fn stored(env: &Env, id: &str) -> (String, Option<String>, Option<String>, Option<String>) {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.query_row(
        "SELECT export_status, provider_error_code, external_ticket_id, external_ticket_url
         FROM ticket_exports WHERE ticket_export_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

/// The attempt's events as `action/outcome: detail`.
pub fn events(env: &Env, id: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT action, outcome, detail FROM events WHERE ticket_export_id = ?1 ORDER BY id",
        )
        .unwrap();
    stmt.query_map([id], |r| {
        Ok(format!(
            "{}/{}: {}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The decision `inspect --json ID` shows, and its exit code.
pub fn decision(env: &Env, id: &str) -> (serde_json::Value, i32) {
    let out = env.cmd().args(["--json", "inspect", id]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        doc["attempt"]["decision"].clone(),
        out.status.code().unwrap_or(-1),
    )
}

/// Runs a command with `--json` and returns its JSON lines and exit code.
pub fn run_json(env: &Env, args: &[&str]) -> (Vec<serde_json::Value>, i32, String) {
    let out = env.cmd().arg("--json").args(args).output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        lines,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
