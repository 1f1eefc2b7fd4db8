//! `sync` end to end against the simulator, for every provider kind in `kinds()`.

use std::sync::Arc;

use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::providers::http::{Http, Timeouts};
use ticket_export::providers::{NormalState, ProviderClient, client_for};
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, SIM_USER, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

/// Provider entries (key, table) that sync must work for: every kind with ticket states.
/// `{base}` is the simulator.
pub fn kinds() -> Vec<(&'static str, String)> {
    use ticket_export::simulator::trello::{BOARD, LISTS};
    let (todo, done, wontfix) = (LISTS[0].0, LISTS[2].0, LISTS[3].0);
    let kinds = [
        ("gh", "kind = \"github\"\nbase_url = \"{base}\"\nmapping = { repo = \"acme/shop\", labels = [\"security\"] }\nowned = [\"acme/shop\"]\n".to_owned()),
        ("jira-sec", "kind = \"jira\"\nbase_url = \"{base}\"\nmapping = { project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }\nowned = [\"SEC\"]\n".to_owned()),
        ("gitlab", "kind = \"gitlab\"\nbase_url = \"{base}\"\nmapping = { project = \"acme/portal\", labels = [\"security\"] }\nowned = [\"acme/portal\"]\n".to_owned()),
        ("bb", "kind = \"bitbucket\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n".to_owned()),
        ("tr", format!("kind = \"trello\"\nbase_url = \"{{base}}\"\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{todo}\", fields = {{ done_list = \"{done}\", wontfix_list = \"{wontfix}\" }} }}\n")),
        ("lin", "kind = \"linear\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { team = \"SEC\" }\n".to_owned()),
        ("ado", "kind = \"azure-devops\"\nbase_url = \"{base}/acme\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", work_item_type = \"Bug\", labels = [\"security\"] }\n".to_owned()),
        ("yt", "kind = \"youtrack\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", labels = [\"security\"] }\n".to_owned()),
        ("asana", "kind = \"asana\"\nbase_url = \"{base}\"\nowned = [\"1200000000000500\"]\nmapping = { workspace = \"1200000000000001\", project = \"1200000000000500\", fields = { in_progress_section = \"1400000000000002\", wontfix_section = \"1400000000000009\" } }\n".to_owned()),
        ("cu", "kind = \"clickup\"\nbase_url = \"{base}\"\nowned = [\"901100200300\"]\nmapping = { list = \"901100200300\", labels = [\"Security\"] }\n".to_owned()),
    ];
    kinds.into_iter().collect()
}

pub struct Linked {
    pub env: Env,
    pub sim: Simulator,
    key: &'static str,
    file: std::path::PathBuf,
    /// Exports imported since the first, each a day newer than the one before.
    exports: std::cell::Cell<u32>,
}

impl Linked {
    /// `n` attempts delivered (and so linked) through `retry`.
    pub fn new(key: &'static str, entry: &str, n: usize) -> Linked {
        let sim = Simulator::start().unwrap();
        let env = Env::new();
        let table = format!(
            "[providers.{key}]\nallow_http = true\nauth = {{ token_file = \"sim.token\", user_file = \"sim.user\" }}\n{}",
            entry.replace("{base}", &sim.base_url())
        );
        std::fs::write(env.path().join("sim.user"), SIM_USER).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                env.path().join("sim.user"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        write_sim_config(&env, "self-hosted", &table);
        let file = attempts_file(&env, key, n, None);
        env.cmd().arg("import").arg(&file).assert().success();
        let out = env.cmd().args(["retry", "--all"]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{key}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        Linked {
            env,
            sim,
            key,
            file,
            exports: std::cell::Cell::new(0),
        }
    }

    pub fn client(&self) -> Box<dyn ProviderClient> {
        let config = Config::load(&self.env.config(), true).unwrap();
        let vars = [(
            "TICKET_EXPORT_NOW".to_owned(),
            crate::support::NOW.to_owned(),
        )]
        .into();
        let ambient = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
        let http = Arc::new(Http::new(config.mode, Timeouts::default()));
        client_for(config.provider(self.key).unwrap(), http, &ambient).unwrap()
    }

    pub fn ticket(&self, tex: &str) -> String {
        let out = self
            .env
            .cmd()
            .args(["--json", "inspect", tex])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["attempt"]["external_ticket_id"]
            .as_str()
            .expect("linked")
            .to_owned()
    }

    /// Imports a newer export of the report (its `exported_at` a day after the last one's) with
    /// every finding in `status`: a newer export may reopen what a sync closed.
    pub fn set_finding_status(&self, status: &str) {
        let mut doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&self.file).unwrap()).unwrap();
        for f in doc["reports"][0]["findings"].as_array_mut().unwrap() {
            f["status"] = status.into();
        }
        let n = self.exports.get() + 1;
        self.exports.set(n);
        // `exported_at` comes before the findings, whatever the map's order.
        let mut report = serde_json::Map::new();
        report.insert(
            "exported_at".into(),
            format!("2026-10-{:02}T00:00:00Z", n.min(28)).into(),
        );
        report.extend(doc["reports"][0].as_object().unwrap().clone());
        doc["reports"][0] = report.into();
        let path = self.env.path().join(format!("status-{status}.json"));
        std::fs::write(&path, doc.to_string()).unwrap();
        self.env.cmd().arg("import").arg(&path).assert().success();
    }

    pub fn sync(&self, args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
        let out = self
            .env
            .cmd()
            .args(["--json", "sync"])
            .args(args)
            .output()
            .unwrap();
        let lines = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out.status.code(), lines)
    }

    /// The import file the attempts came from.
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// Requests that change something on the provider (reads sent as POST do not count).
    pub fn writes(&self) -> usize {
        let read_by_post = |r: &ticket_export::simulator::SimRequest| {
            r.path.contains("/search")
                || r.path.ends_with("/wiql")
                || (r.path.ends_with("/graphql") && !r.body.contains("mutation"))
        };
        self.sim
            .state()
            .requests
            .iter()
            .filter(|r| r.method != "GET" && !read_by_post(r))
            .count()
    }
}

#[test]
fn pull_records_each_remote_state_and_reopening() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 1);
        let ticket = l.ticket("tex_0001");
        let client = l.client();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(
            (code, lines[0]["outcome"].as_str()),
            (Some(0), Some("unchanged")),
            "{key}"
        );
        let mut before = NormalState::Open;
        for target in [
            NormalState::InProgress,
            NormalState::Done,
            NormalState::Open,
            NormalState::WontFix,
        ] {
            let now = client.write_status(&ticket, target).unwrap().normal;
            let (code, lines) = l.sync(&["--all"]);
            assert_eq!(code, Some(0), "{key} {target:?}: {lines:?}");
            // Providers without an "in progress" state stay open: nothing to pull then.
            let expected = if now == before { "unchanged" } else { "pulled" };
            before = now;
            assert_eq!(lines[0]["outcome"], expected, "{key} {target:?}: {lines:?}");
            assert_eq!(
                lines[0]["remote"],
                serde_json::to_value(now).unwrap(),
                "{key}"
            );
            let (_, again) = l.sync(&["--all"]);
            assert_eq!(
                again[0]["outcome"], "unchanged",
                "{key} {target:?}: a second run changes nothing"
            );
        }
        let doc: serde_json::Value = serde_json::from_slice(
            &l.env
                .cmd()
                .args(["--json", "inspect", "tex_0001"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let details: Vec<&str> = doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["detail"].as_str())
            .collect();
        assert!(
            details
                .iter()
                .any(|d| d.contains("the ticket was reopened")),
            "{key}: {details:?}"
        );
        assert!(
            details
                .iter()
                .any(|d| d.contains("the finding stays for the scanner to verify")),
            "{key}"
        );
    }
}

#[test]
fn push_closes_with_the_right_reason_and_reopens() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        for (status, expected) in [
            ("resolved", NormalState::Done),
            ("accepted_risk", NormalState::WontFix),
            ("false_positive", NormalState::WontFix),
        ] {
            let l = Linked::new(key, entry, 1);
            let ticket = l.ticket("tex_0001");
            l.set_finding_status(status);
            let (code, lines) = l.sync(&["--all"]);
            assert_eq!(
                (code, lines[0]["outcome"].as_str()),
                (Some(0), Some("pushed")),
                "{key} {status}: {lines:?}"
            );
            assert_eq!(
                l.client().read_status(&ticket).unwrap().normal,
                expected,
                "{key} {status}"
            );
            l.set_finding_status("open");
            let (_, lines) = l.sync(&["--all"]);
            assert_eq!(
                lines[0]["outcome"], "pushed",
                "{key}: a finding that reopens reopens its ticket"
            );
            assert_eq!(
                l.client().read_status(&ticket).unwrap().normal,
                NormalState::Open,
                "{key}"
            );
        }
    }
}

#[test]
fn a_conflict_is_reported_and_changes_nothing() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 1);
        let ticket = l.ticket("tex_0001");
        l.client()
            .write_status(&ticket, NormalState::WontFix)
            .unwrap();
        l.set_finding_status("resolved");
        let writes = l.writes();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(code, Some(3), "{key}: {lines:?}");
        assert_eq!(lines[0]["outcome"], "conflict");
        assert_eq!(l.writes(), writes, "{key}: nothing written to the provider");
        assert_eq!(
            l.client().read_status(&ticket).unwrap().normal,
            NormalState::WontFix
        );
    }
}

#[test]
fn a_failed_read_writes_nothing_then_recovery_clears_the_code() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 2);
        l.set_finding_status("resolved");
        l.sim
            .fail(Matcher::any(), Fault::status(503, &[], "{}"), 50);
        let writes = l.writes();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(code, Some(4), "{key}: {lines:?}");
        assert_eq!(
            l.writes(),
            writes,
            "{key}: a failed read never leads to a write"
        );
        let out = l
            .env
            .cmd()
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["attempt"]["provider_error_code"], "TICKET_STATUS_SYNC_FAILED",
            "{key}"
        );
        assert!(
            doc["attempt"]["external_ticket_id"].is_string(),
            "{key}: the link is kept"
        );
        l.sim.clear_faults();
        let (code, lines) = l
            .env
            .cmd()
            .env("TICKET_EXPORT_NOW", "2026-11-29T12:10:00Z")
            .args(["--json", "sync", "--all"])
            .output()
            .map(|o| {
                (
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                        .collect::<Vec<_>>(),
                )
            })
            .unwrap();
        assert_eq!(code, Some(0), "{key}: {lines:?}");
        let out = l
            .env
            .cmd()
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["attempt"]["provider_error_code"],
            serde_json::Value::Null,
            "{key}: cleared after recovery"
        );
        assert_eq!(doc["attempt"]["status_sync_status"], "ok");
    }
}

#[test]
fn a_ticket_gone_on_the_provider_is_reported_and_never_recreated() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 1);
        l.sim.state().tickets.clear();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(code, Some(3), "{key}: {lines:?}");
        assert!(
            lines[0]["detail"]
                .as_str()
                .unwrap()
                .contains("is gone on the provider"),
            "{key}"
        );
        assert!(
            l.sim.state().tickets.is_empty(),
            "{key}: sync never re-creates"
        );
        assert!(!l.ticket("tex_0001").is_empty(), "{key}: the link is kept");
    }
}

#[test]
fn a_429_sets_a_cooldown_honoured_by_the_next_run() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 3);
        l.sim.fail(
            Matcher::any(),
            Fault::status(429, &[("retry-after", "600")], "{}"),
            1,
        );
        let (code, _) = l.sync(&["--all"]);
        assert_eq!(code, Some(4), "{key}");
        let sent = l.sim.request_count();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(code, Some(4), "{key}: {lines:?}");
        assert_eq!(
            l.sim.request_count(),
            sent,
            "{key}: nothing is sent before retry_after"
        );
    }
}

#[test]
fn two_concurrent_runs_make_each_remote_change_once() {
    for (key, entry) in kinds() {
        let entry = entry.as_str();
        let l = Linked::new(key, entry, 40);
        l.set_finding_status("resolved");
        let writes = l.writes();
        l.sim.set_latency(std::time::Duration::from_millis(2));
        let run = || {
            l.env
                .cmd()
                .args(["--json", "sync", "--all", "--concurrency", "4"])
                .output()
                .unwrap()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join().unwrap(), b.join().unwrap())
        });
        for out in [&a, &b] {
            assert!(
                !String::from_utf8_lossy(&out.stderr).contains("locked"),
                "{key}"
            );
        }
        let (_, lines) = l.sync(&["--all"]);
        let told = |o: &std::process::Output| {
            format!(
                "exit {:?}\n{}\n{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        };
        assert!(
            lines
                .iter()
                .filter(|v| v.get("outcome").is_some())
                .all(|v| v["outcome"] == "unchanged"),
            "{key}: {lines:?}\n--- first run\n{}\n--- second run\n{}",
            told(&a),
            told(&b)
        );
        assert_eq!(
            l.writes() - writes,
            40,
            "{key}: one write per ticket, whichever run made it"
        );
    }
}

#[test]
fn quiet_when_nothing_changed_and_dry_run_writes_nothing() {
    let (key, entry) = kinds().swap_remove(0);
    let l = Linked::new(key, &entry, 2);
    let out = l.env.run(l.env.cmd().args(["sync", "--all"]));
    assert_eq!(
        out, "exit: 0\n--- stdout\n--- stderr\n",
        "nothing changed: nothing printed"
    );
    l.set_finding_status("resolved");
    let writes = l.writes();
    let out = l.env.run(l.env.cmd().args(["sync", "--all", "--dry-run"]));
    assert!(
        out.contains("would_push") && out.contains("would move ticket"),
        "{out}"
    );
    assert_eq!(l.writes(), writes);
    let out = l
        .env
        .run(l.env.cmd().args(["sync", "--all", "--direction", "pull"]));
    assert!(
        out.contains("held") && out.contains("--direction pull does not push"),
        "{out}"
    );
    assert_eq!(l.writes(), writes);
    let _ = SIM_TOKEN;
}
