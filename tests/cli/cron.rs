//! The README's "Running from cron", run as cron runs it (issue 12, points 1 and 3): its crontab
//! and config are read from README.md itself, never copied here, so the test checks what a
//! reader copies. Each job line goes through `/bin/sh -c` with only the variables the crontab
//! sets, plus `HOME`, `LOGNAME` and `SHELL`, which cron itself sets.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use ticket_export::simulator::{SIM_TOKEN, SIM_USER, SimTicket, Simulator};

/// The home folder the README's examples write as `/home/you`.
const README_HOME: &str = "/home/you";

/// The README's crontab: its variables and its job lines' commands (schedule fields removed).
pub struct Crontab {
    pub vars: Vec<(String, String)>,
    pub jobs: Vec<String>,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The body of the first fenced block of `lang` after `after` in the README.
fn block(after: &str, lang: &str) -> String {
    let text = readme();
    let from = text
        .find(after)
        .unwrap_or_else(|| panic!("README has {after:?}"));
    let rest = &text[from..];
    let open = format!("```{lang}\n");
    let start = rest
        .find(&open)
        .unwrap_or_else(|| panic!("a {lang} block after {after:?}"))
        + open.len();
    let len = rest[start..].find("```").unwrap();
    rest[start..start + len].to_owned()
}

fn crontab(home: &Path) -> Crontab {
    let text =
        block("## Running from cron", "cron").replace(README_HOME, &home.display().to_string());
    let mut tab = Crontab {
        vars: Vec::new(),
        jobs: Vec::new(),
    };
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let first = line.split_whitespace().next().unwrap();
        if let Some((name, value)) = line.split_once('=').filter(|_| first.contains('=')) {
            tab.vars
                .push((name.trim().to_owned(), value.trim().to_owned()));
            continue;
        }
        // Five schedule fields, then the command exactly as written.
        let mut rest = line;
        for _ in 0..5 {
            rest = rest.trim_start();
            rest = &rest[rest.find(char::is_whitespace).unwrap()..];
        }
        tab.jobs.push(rest.trim_start().to_owned());
    }
    assert!(tab.jobs.len() >= 2, "a sync and a retry line: {text}");
    tab
}

pub fn job<'a>(tab: &'a Crontab, command: &str) -> &'a str {
    tab.jobs
        .iter()
        .find(|j| j.contains(command))
        .unwrap_or_else(|| panic!("a crontab line runs {command}"))
}

/// A cron-like home: the binary where the crontab's PATH looks, the README's config with its
/// credential files beside it, pointed at the simulator.
pub struct CronHome {
    dir: tempfile::TempDir,
    pub tab: Crontab,
}

impl CronHome {
    pub fn new(sim: &Simulator) -> CronHome {
        let dir = tempfile::tempdir().unwrap();
        let tab = crontab(dir.path());
        let home = CronHome { dir, tab };
        let bin = home.bin_dir();
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("ticket-export"),
            bin.join("ticket-export"),
        )
        .unwrap();
        let config = home.config();
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        // The README's config as written, but at the simulator: loopback, over plain HTTP.
        let mut toml = String::new();
        for line in block("and its config,", "toml").lines() {
            match line.split_once('=') {
                Some((key, _)) if key.trim() == "mode" => toml.push_str("mode = \"self-hosted\"\n"),
                Some((key, _)) if key.trim() == "base_url" => toml.push_str(&format!(
                    "base_url = \"{}\"\nallow_http = true\n",
                    sim.base_url()
                )),
                _ => toml.push_str(&format!("{line}\n")),
            }
        }
        std::fs::write(&config, toml).unwrap();
        for (file, value) in [
            ("github.token", SIM_TOKEN),
            ("jira.user", SIM_USER),
            ("jira.token", SIM_TOKEN),
        ] {
            let path = config.parent().unwrap().join(file);
            std::fs::write(&path, format!("{value}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        home
    }

    fn var(&self, name: &str) -> PathBuf {
        let (_, value) = self
            .tab
            .vars
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("the README's crontab sets {name}"));
        PathBuf::from(value)
    }

    fn bin_dir(&self) -> PathBuf {
        let path = self.var("PATH");
        let first = path.to_str().unwrap().split(':').next().unwrap().to_owned();
        PathBuf::from(first)
    }

    fn config(&self) -> PathBuf {
        self.var("TICKET_EXPORT_CONFIG")
    }

    fn store(&self) -> PathBuf {
        self.var("TICKET_EXPORT_STORE")
    }

    /// Runs `command` as cron would: `/bin/sh -c`, with the crontab's variables and cron's own.
    /// `extra` adds variables a situation needs (a fixed clock). Returns everything printed.
    fn run(&self, command: &str, extra: &[(&str, &str)]) -> String {
        let mut cmd = Command::new("/bin/sh");
        cmd.env_clear()
            .env("HOME", self.dir.path())
            .env("LOGNAME", "you")
            .env("SHELL", "/bin/sh")
            .current_dir(self.dir.path())
            .arg("-c")
            .arg(command);
        for (name, value) in &self.tab.vars {
            cmd.env(name, value);
        }
        for (name, value) in extra {
            cmd.env(name, value);
        }
        // One file for stdout and stderr, as cron collects both into one mail, in order.
        let log = tempfile::tempfile().unwrap();
        cmd.stdout(log.try_clone().unwrap())
            .stderr(log.try_clone().unwrap());
        cmd.status().unwrap();
        let mut log = log;
        use std::io::{Read, Seek};
        log.rewind().unwrap();
        let mut out = String::new();
        log.read_to_string(&mut out).unwrap();
        out
    }

    /// Imports `exports` (each its own finding) with the crontab's environment.
    fn import(&self, exports: Vec<serde_json::Value>) {
        let findings: Vec<_> = exports
            .iter()
            .map(|e| {
                let id = e["finding_id"].as_str().unwrap();
                json!({"finding_id": id, "rule_id": "xss-reflected", "title": format!("Reflected XSS {id}"),
                    "severity": "high", "url": format!("https://shop.example/{id}?q=1"), "parameter": "q",
                    "description": "echoed", "remediation": "encode", "status": "open"})
            })
            .collect();
        let doc = json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
            "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]});
        let file = self.dir.path().join("report.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let said = self.run(&format!("ticket-export import '{}'", file.display()), &[]);
        assert!(
            self.store().exists(),
            "import with the crontab's store: {said}"
        );
    }
}

fn export(i: usize, key: &str, status: &str, code: Option<&str>) -> serde_json::Value {
    json!({"ticket_export_id": format!("tex_000{i}"), "finding_id": format!("fnd_{i}"),
        "provider_key": key, "export_status": status, "provider_error_code": code,
        "provider_response_code": code.map(|_| 502), "mapping_status": "complete",
        "retry_after": null, "external_ticket_url": null})
}

/// A GitHub attempt linked to ticket 7, open on both sides; `cooling` makes its last sync a
/// rate limit with a wait until 12:30 (the clock of these tests is 12:00).
fn linked_github(sim: &Simulator, cooling: bool) -> serde_json::Value {
    sim.state().tickets.push(SimTicket {
        kind: "github",
        destination: "acme/shop".into(),
        id: "7".into(),
        title: "Reflected XSS fnd_1".into(),
        body: String::new(),
        labels: vec!["security".into()],
        state: "open".into(),
        extra: json!({}),
    });
    let mut e = export(
        1,
        "gh",
        "linked",
        cooling.then_some("TICKET_STATUS_SYNC_FAILED"),
    );
    e["external_ticket_id"] = "7".into();
    e["external_ticket_url"] = "https://github.com/acme/shop/issues/7".into();
    e["status_sync_status"] = if cooling { "failed" } else { "ok" }.into();
    if cooling {
        e["provider_response_code"] = 429.into();
        e["retry_after"] = "2026-11-29T12:30:00Z".into();
    }
    e
}

const CLOCK: (&str, &str) = ("TICKET_EXPORT_NOW", "2026-11-29T12:00:00Z");

/// Whether the README's line alerted, with the exit code: its last line is `COMMAND: exit N`.
fn alert(output: &str, code: i32) -> bool {
    output
        .lines()
        .last()
        .is_some_and(|l| l.ends_with(&format!(": exit {code}")))
}

#[test]
fn the_readme_sync_line_alerts_on_1_2_3_5_and_stays_silent_on_0_and_4() {
    let mut seen = Vec::new();
    for code in 0..=5 {
        let sim = Simulator::start().unwrap();
        let home = CronHome::new(&sim);
        home.import(vec![linked_github(&sim, code == 4)]);
        // Each exit code from a real situation a cron job meets.
        match code {
            // 0: the link is in step. 4: its last sync was asked to wait until 12:30.
            0 | 4 => {}
            // 1: the store is not a store any more (a disk error, a bad restore).
            1 => std::fs::write(
                home.store(),
                b"not an SQLite file at all, and long enough to be read as one",
            )
            .unwrap(),
            // 2: the config the crontab names was moved away.
            2 => std::fs::remove_file(home.config()).unwrap(),
            // 3: the token file is gone: nothing can be sent.
            3 => std::fs::remove_file(home.config().with_file_name("github.token")).unwrap(),
            // 5: the repository is no longer among the destinations this config owns.
            5 => {
                let text = std::fs::read_to_string(home.config()).unwrap();
                std::fs::write(
                    home.config(),
                    text.replace("owned = [\"acme/shop\"]", "owned = [\"acme/other\"]"),
                )
                .unwrap();
            }
            _ => unreachable!(),
        }
        let sync = job(&home.tab, "sync --all");
        let status = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "{} >/dev/null 2>&1; echo $?",
                sync.split(';').next().unwrap()
            ))
            .env_clear()
            .env("HOME", home.dir.path())
            .envs(home.tab.vars.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .env(CLOCK.0, CLOCK.1)
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&status.stdout).trim().to_owned();
        assert_eq!(
            status,
            code.to_string(),
            "the situation for exit {code} ends so"
        );
        let out = home.run(sync, &[CLOCK]);
        if code == 0 || code == 4 {
            assert_eq!(
                out, "",
                "exit {code}: nothing needs a person, nothing printed"
            );
        } else {
            assert!(
                alert(&out, code),
                "exit {code} alerts with its own code: {out:?}"
            );
            assert_eq!(out.matches(": exit ").count(), 1, "one alert line: {out}");
        }
        seen.push(code);
    }
    assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn every_readme_cron_line_alerts_on_exactly_1_2_3_5() {
    // A stand-in `ticket-export` earlier on the crontab's PATH ends with each code in turn, so
    // every line of the crontab (retry too) is checked for each code, whatever the situation.
    let sim = Simulator::start().unwrap();
    let home = CronHome::new(&sim);
    let shim = home.bin_dir().join("ticket-export");
    std::fs::remove_file(&shim).unwrap();
    for command in &home.tab.jobs {
        for code in 0..=5 {
            std::fs::write(&shim, format!("#!/bin/sh\nexit {code}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
            let out = home.run(command, &[]);
            let alerts = !matches!(code, 0 | 4);
            assert_eq!(
                alert(&out, code),
                alerts,
                "exit {code} of {command}: {out:?}"
            );
            if !alerts {
                assert_eq!(out, "", "exit {code} of {command}");
            }
        }
    }
}

#[test]
fn the_readme_crontab_and_config_work_with_no_other_environment() {
    // Credentials only from the files the README's config names, config and store only from the
    // crontab's variables, the program only from its PATH: nothing else is set.
    let sim = Simulator::start().unwrap();
    let home = CronHome::new(&sim);
    home.import(vec![
        export(1, "gh", "failed", Some("TICKET_EXPORT_DELIVERY_FAILED")),
        export(
            2,
            "jira-sec",
            "failed",
            Some("TICKET_EXPORT_DELIVERY_FAILED"),
        ),
    ]);
    let retry = home.run(job(&home.tab, "retry --all"), &[]);
    let created = retry
        .lines()
        .filter(|l| l.split('\t').nth(2) == Some("created"));
    assert_eq!(created.count(), 2, "both delivered: {retry}");
    assert!(!retry.contains(": exit "), "nothing alerts: {retry}");
    let state = sim.state();
    let paths: Vec<&str> = state.requests.iter().map(|r| r.path.as_str()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/repos/acme/shop/issues")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.starts_with("/rest/api/3/")),
        "Jira Cloud, e-mail from user_file: {paths:?}"
    );
    drop(state);
    for run in ["first", "second"] {
        let sync = home.run(job(&home.tab, "sync --all"), &[]);
        assert_eq!(sync, "", "{run} sync: both links in step, nothing printed");
        let retry = home.run(job(&home.tab, "retry --all"), &[]);
        assert_eq!(retry, "", "{run} rerun of retry: nothing left to do");
    }
    assert_eq!(sim.state().tickets.len(), 2, "no duplicate");
}
