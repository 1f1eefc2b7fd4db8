//! Credentials that are missing or malformed are a credential problem: every command blocks
//! (exit 3) naming the variable or file, never the value; nothing is sent; nothing is recorded
//! as the provider's answer. And triage does not depend on which shell ran the import.

use ticket_export::simulator::{SIM_TOKEN, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn entry(sim: &Simulator, auth: &str) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ {auth} }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn decision(env: &Env, id: &str, token: Option<&str>) -> (Option<i32>, serde_json::Value) {
    let mut cmd = env.cmd();
    if let Some(token) = token {
        cmd.env("GH_TOKEN", token);
    }
    let out = cmd.args(["--json", "inspect", id]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), doc["attempt"]["decision"].clone())
}

fn token_file(env: &Env, bytes: &[u8]) {
    let path = env.path().join("gh.token");
    std::fs::write(&path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Was: a token with a line break or a non-ASCII character was read as is; the HTTP library
/// refused the header and the attempt was recorded as "provider unavailable" (exit 4, then
/// fallback). Now: blocked, exit 3, naming the variable or file, from every command.
#[test]
fn a_malformed_credential_blocks_every_command_naming_its_source() {
    let sim = Simulator::start().unwrap();
    let good = format!("{SIM_TOKEN}\n");
    let env_auth = "token_env = \"GH_TOKEN\"";
    let file_auth = "token_file = \"gh.token\"";
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, &str, Option<String>, Option<&[u8]>)> = vec![
        (
            "env, line break inside",
            env_auth,
            Some("sim-token\n-0123456789".into()),
            None,
        ),
        (
            "env, CRLF at the end",
            env_auth,
            Some(format!("{SIM_TOKEN}\r\n")),
            None,
        ),
        (
            "env, non-breaking space",
            env_auth,
            Some(format!("{SIM_TOKEN}\u{a0}")),
            None,
        ),
        ("env, empty", env_auth, Some(String::new()), None),
        ("env, only spaces", env_auth, Some("    ".into()), None),
        (
            "file, two line breaks",
            file_auth,
            None,
            Some(b"sim-token-0123456789\n\n"),
        ),
        (
            "file, escape sequence",
            file_auth,
            None,
            Some(b"sim-token-\x1b[0m0123456789\n"),
        ),
    ];
    for (name, auth, value, write) in cases {
        let env = Env::new();
        write_sim_config(&env, "self-hosted", &entry(&sim, auth));
        let with = |cmd: &mut assert_cmd::Command, good_now: bool| {
            if let Some(v) = &value {
                cmd.env("GH_TOKEN", if good_now { SIM_TOKEN } else { v.as_str() });
            }
        };
        // A working credential first: a linked ticket for sync, a pending attempt for retry.
        token_file(&env, good.as_bytes());
        env.cmd()
            .arg("import")
            .arg(attempts_file(&env, "gh", 2, None))
            .assert()
            .success();
        let mut first = env.cmd();
        with(&mut first, true);
        first.args(["retry", "tex_0001"]).assert().success();
        if let Some(bytes) = write {
            token_file(&env, bytes);
        }
        let sent = sim.request_count();
        let before = env.dump();
        let source = if auth.starts_with("token_env") {
            "environment variable GH_TOKEN".to_owned()
        } else {
            format!("file {}", env.path().join("gh.token").display())
        };

        let mut cmd = env.cmd();
        with(&mut cmd, false);
        let out = cmd
            .args(["--json", "inspect", "tex_0002"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{name}: inspect");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let why = doc["attempt"]["decision"]["why"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            why.contains(&source) && why.contains("cannot be used"),
            "{name}: {why}"
        );

        for args in [
            vec!["--json", "retry", "tex_0002"],
            vec!["--json", "sync", "tex_0001"],
            vec!["--json", "settings", "check"],
        ] {
            let mut cmd = env.cmd();
            with(&mut cmd, false);
            let out = cmd.args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(3), "{name}: {args:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains(&source.replace('\\', "\\\\")),
                "{name}: {args:?} names it: {text}"
            );
            assert!(
                !text.contains("sim-token"),
                "{name}: {args:?} shows the value: {text}"
            );
        }
        assert_eq!(sim.request_count(), sent, "{name}: nothing was sent");
        assert_eq!(env.dump(), before, "{name}: nothing was recorded");
    }
}

/// Was: with the token variable unset, a `PROVIDER_AUTH_FAILED` attempt was `ready (retry)`
/// ("the connection settings changed since the failure"), and the decision depended on
/// whether the shell that ran the import had the token.
#[test]
fn a_missing_token_is_never_ready_and_the_import_shell_does_not_matter() {
    let sim = Simulator::start().unwrap();
    let mut decisions = Vec::new();
    for import_token in [Some(SIM_TOKEN), None] {
        let env = Env::new();
        write_sim_config(
            &env,
            "self-hosted",
            &entry(&sim, "token_env = \"GH_TOKEN\""),
        );
        let mut import = env.cmd();
        if let Some(t) = import_token {
            import.env("GH_TOKEN", t);
        }
        import
            .arg("import")
            .arg(attempts_file(&env, "gh", 1, Some("PROVIDER_AUTH_FAILED")))
            .assert()
            .success();

        // Unset now: blocked, naming the variable, by inspect, retry and settings check.
        let (code, d) = decision(&env, "tex_0001", None);
        assert_eq!(code, Some(3), "{d}");
        assert_eq!(
            (d["state"].as_str(), d["action"].as_str()),
            (Some("blocked"), Some("fix_settings"))
        );
        assert!(
            d["why"]
                .as_str()
                .unwrap()
                .contains("environment variable GH_TOKEN is not set"),
            "{d}"
        );
        let retry = env
            .cmd()
            .args(["--json", "retry", "tex_0001"])
            .output()
            .unwrap();
        assert_eq!(retry.status.code(), Some(3));
        assert_eq!(json_lines(&retry)[0]["outcome"], "refused");
        let check = env
            .cmd()
            .args(["--json", "settings", "check"])
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(3));
        let line = &json_lines(&check)[0];
        assert_eq!(line["result"], "credential", "{line}");
        assert!(
            line["detail"]
                .as_str()
                .unwrap()
                .contains("GH_TOKEN is not set"),
            "{line}"
        );
        assert!(
            !env.dump().contains("provider_health:"),
            "nothing was probed: no health"
        );

        // Set now: the same decision whichever shell imported: the credentials are not known
        // to have changed, so a passing check is what unblocks it.
        let (code, d) = decision(&env, "tex_0001", Some(SIM_TOKEN));
        assert_eq!(code, Some(3), "{d}");
        decisions.push((d["state"].clone(), d["action"].clone(), d["why"].clone()));
        let later = "2026-11-29T12:30:00Z";
        let mut check = env.cmd();
        check
            .env("GH_TOKEN", SIM_TOKEN)
            .env("TICKET_EXPORT_NOW", later)
            .args(["settings", "check"])
            .assert()
            .success();
        let out = env
            .cmd()
            .env("GH_TOKEN", SIM_TOKEN)
            .env("TICKET_EXPORT_NOW", later)
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (code, d) = (out.status.code(), doc["attempt"]["decision"].clone());
        assert_eq!((code, d["state"].as_str()), (Some(0), Some("ready")), "{d}");
    }
    assert_eq!(
        decisions[0], decisions[1],
        "the import shell does not decide"
    );
    assert_eq!(sim.state().tickets.len(), 0, "nothing was created");
}

/// Was: `load_credentials` failed with `Auth { status: 0 }`, recorded as
/// `PROVIDER_AUTH_FAILED` ("the provider rejected the credentials") over the attempt's own
/// code, though nothing was sent. Now the history notes "not sent", naming the variable, and
/// the attempt keeps its code.
#[test]
fn a_request_never_sent_is_never_recorded_as_a_rejection() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(
        &env,
        "self-hosted",
        &entry(&sim, "token_env = \"GH_TOKEN\""),
    );
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
        "target": "https://shop.example",
        "findings": [{"finding_id": "fnd_1", "rule_id": "xss", "title": "XSS", "severity": "high",
            "url": "https://shop.example/a", "parameter": "q", "description": "d", "evidence": "e", "remediation": "r"}],
        "ticket_exports": [{"ticket_export_id": "tex_0001", "finding_id": "fnd_1", "provider_key": "gh",
            "export_status": "failed", "provider_error_code": "TICKET_EXPORT_DUPLICATE_BLOCKED",
            "provider_response_code": 409, "mapping_status": "complete", "duplicate_fingerprint": null,
            "idempotency_key": null, "retry_after": null,
            "external_ticket_id": "7", "external_ticket_url": "https://github.com/acme/shop/issues/7",
            "status_sync_status": null, "portable_export_path": null}]}]});
    let file = env.path().join("dup.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&file).assert().success();

    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    let item = &json_lines(&out)[0];
    assert_eq!(item["outcome"], "not sent", "{item}");
    assert!(
        item["detail"]
            .as_str()
            .unwrap()
            .contains("GH_TOKEN is not set"),
        "{item}"
    );
    assert_eq!(
        item["provider_error_code"], "TICKET_EXPORT_DUPLICATE_BLOCKED",
        "{item}"
    );
    assert_eq!(item["provider_response_code"], 409, "{item}");
    assert_eq!(sim.request_count(), 0);
    let dump = env.dump();
    assert!(!dump.contains("PROVIDER_AUTH_FAILED"), "{dump}");
    assert!(!dump.contains("authentication failed"), "{dump}");
    let noted = dump.lines().any(|l| {
        l.starts_with("events:") && l.contains("|not sent|") && l.contains("GH_TOKEN is not set")
    });
    assert!(noted, "{dump}");
}
