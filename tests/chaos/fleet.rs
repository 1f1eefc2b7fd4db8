//! A store, a config with one simulator per provider entry (so every request is attributed to
//! its provider by port), a simulated clock, and the checks every single run must pass.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use jiff::{SignedDuration, Timestamp};
use ticket_export::simulator::{SIM_TOKEN, SIM_USER, Simulator};

use crate::data;

/// Named counts of the invariants checked, printed at the end of each test.
#[derive(Debug, Default)]
pub struct Tally(pub BTreeMap<&'static str, u64>);

impl Tally {
    pub fn add(&mut self, name: &'static str, n: u64) {
        *self.0.entry(name).or_default() += n;
    }

    pub fn print(&self, test: &str, started: std::time::Instant) {
        println!("{test}: {:.1} s", started.elapsed().as_secs_f64());
        for (name, n) in &self.0 {
            println!("  {name:<44} {n}");
        }
    }
}

pub struct Sim {
    pub key: &'static str,
    pub kind: &'static str,
    pub sim: Simulator,
}

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub sims: Vec<Sim>,
    pub unowned: Simulator,
    pub now: Timestamp,
    pub tally: Tally,
    /// Ticket ids an import recorded that no simulator holds (hostile data): links to them are
    /// the import's, not this tool's, and are not expected to exist.
    pub imported_ticket_ids: std::collections::BTreeSet<String>,
}

/// Exit codes a run may end with: done, blocked, cooldown, stop. Never 1 (a bug) or 2.
const EXPECTED_EXITS: [i32; 4] = [0, 3, 4, 5];

impl Fleet {
    /// Every kind of `data::kinds()` plus the unowned entry, each on its own simulator.
    pub fn new() -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        // Outages that outlast half an hour of simulated time go to `fallback`.
        let mut config = String::from("mode = \"self-hosted\"\n[fallback]\nafter = \"30m\"\n");
        let auth =
            "allow_http = true\nauth = { token_file = \"sim.token\", user_file = \"sim.user\" }\n";
        let mut sims = Vec::new();
        for (key, kind, entry) in data::kinds() {
            let sim = Simulator::start().unwrap();
            let entry = entry.replace("{base}", &sim.base_url());
            config.push_str(&format!("\n[providers.{key}]\n{auth}{entry}"));
            sims.push(Sim { key, kind, sim });
        }
        let unowned = Simulator::start().unwrap();
        let entry = data::UNOWNED.1.replace("{base}", &unowned.base_url());
        config.push_str(&format!("\n[providers.{}]\n{auth}{entry}", data::UNOWNED.0));
        for (name, value) in [("sim.token", SIM_TOKEN), ("sim.user", SIM_USER)] {
            let path = dir.path().join(name);
            std::fs::write(&path, value).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let fleet = Fleet {
            dir,
            sims,
            unowned,
            now: "2026-11-29T12:00:00Z".parse().unwrap(),
            tally: Tally::default(),
            imported_ticket_ids: Default::default(),
        };
        fleet.advance(SignedDuration::ZERO);
        fleet
    }

    pub fn keys(&self) -> Vec<&'static str> {
        self.sims.iter().map(|s| s.key).collect()
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store.sqlite3")
    }

    /// Moves the simulated clock (`TICKET_EXPORT_NOW`, and the simulators' clock for the
    /// dates in their rate-limit headers).
    pub fn advance(&self, by: SignedDuration) -> Timestamp {
        let now = self.now + by;
        for s in &self.sims {
            s.sim.set_clock(now);
        }
        now
    }

    pub fn tick(&mut self, minutes: i64) {
        self.now = self.advance(SignedDuration::from_mins(minutes));
    }

    /// Chaos on every simulator, each with its own seed derived from `seed`.
    pub fn chaos(&self, seed: u64, rate: f64) {
        for (i, s) in self.sims.iter().enumerate() {
            s.sim.chaos(seed.wrapping_add(i as u64 * 0x9E37), rate);
        }
    }

    pub fn chaos_off(&self) {
        for s in &self.sims {
            s.sim.chaos_off();
        }
    }

    /// The CLI with only this fleet's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ticket-export"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .env("TICKET_EXPORT_NOW", self.now.to_string())
            .env("TICKET_EXPORT_STORE", self.store())
            .env("TICKET_EXPORT_CONFIG", self.dir.path().join("config.toml"))
            .current_dir(self.dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).spawn().unwrap()
    }

    /// Runs to the end and checks the run: see [`Fleet::watched`].
    pub fn run(&mut self, args: &[&str]) -> Output {
        self.watched(|fleet| vec![fleet.command(args).output().unwrap()])
            .pop()
            .unwrap()
    }

    /// Runs `start` (one or more processes, all started at the current simulated time) and
    /// checks each finished run: no provider whose stored cooldown was active when they
    /// started received anything, the unowned destination received nothing, and each
    /// output is clean (see [`Fleet::check_output`]).
    pub fn watched(&mut self, start: impl FnOnce(&Fleet) -> Vec<Output>) -> Vec<Output> {
        let cooling: Vec<(usize, usize)> = self
            .cooldowns()
            .into_iter()
            .filter(|(_, until)| *until > self.now)
            .filter_map(|(key, _)| self.sims.iter().position(|s| s.key == key))
            .map(|i| (i, self.sims[i].sim.request_count()))
            .collect();
        let outputs = start(self);
        for (i, before) in &cooling {
            let s = &self.sims[*i];
            assert_eq!(
                s.sim.request_count(),
                *before,
                "{} received requests during its stored cooldown (now {})",
                s.key,
                self.now
            );
        }
        self.tally
            .add("cooldown windows honoured by a run", cooling.len() as u64);
        assert_eq!(
            self.unowned.request_count(),
            0,
            "the unowned destination was called"
        );
        self.tally.add(
            "runs with no request to the unowned destination",
            outputs.len() as u64,
        );
        for out in &outputs {
            self.check_output(out, out.status.code().is_some());
        }
        outputs
    }

    /// A run's output: no token, no "database is locked" or busy error, an expected exit code
    /// (unless it was killed), and with `--json` every stdout line is JSON.
    pub fn check_output(&mut self, out: &Output, finished: bool) {
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        for text in [&stdout, &stderr] {
            assert!(
                !text.contains(SIM_TOKEN),
                "the token reached the output:\n{text}"
            );
            let lower = text.to_lowercase();
            assert!(
                !lower.contains("is locked") && !lower.contains("busy"),
                "a store lock error reached the user:\n{text}"
            );
        }
        self.tally
            .add("outputs free of the token and of lock errors", 1);
        if !finished {
            return;
        }
        let code = out.status.code();
        assert!(
            code.is_some_and(|c| EXPECTED_EXITS.contains(&c)),
            "exit {code:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        if stdout.starts_with('{') {
            for line in stdout.lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            }
        }
    }

    /// The provider cooldowns the store holds (table `provider_cooldowns`).
    pub fn cooldowns(&self) -> Vec<(String, Timestamp)> {
        if !self.store().exists() {
            return Vec::new();
        }
        let conn = rusqlite::Connection::open(self.store()).unwrap();
        let mut stmt = conn
            .prepare("SELECT provider_key, until FROM provider_cooldowns")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(|r| {
                let (key, until) = r.unwrap();
                (key, until.parse().unwrap())
            })
            .collect()
    }

    /// `inspect --json`: every attempt with its decision.
    pub fn inspect(&mut self) -> Vec<serde_json::Value> {
        let out = self.run(&["--json", "inspect"]);
        let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        match doc["attempts"].take() {
            serde_json::Value::Array(a) => a,
            other => panic!("no attempts: {other}"),
        }
    }

    /// `settings check KEY` for each provider an attempt waits on (a person would fix the
    /// credentials; here they flapped).
    pub fn check_settings_where_blocked(&mut self) {
        let blocked: std::collections::BTreeSet<String> = self
            .inspect()
            .iter()
            .filter(|a| a["decision"]["action"] == "fix_settings")
            .filter_map(|a| a["provider_key"].as_str().map(str::to_owned))
            .collect();
        // Providers in a stored cooldown are checked too: `watched` proves no probe is sent.
        for key in &blocked {
            self.run(&["settings", "check", key]);
        }
    }

    /// Re-imports the report with finding statuses from `status` (a rescan).
    pub fn import(&mut self, attempts: usize, name: &str, status: impl Fn(usize) -> &'static str) {
        let doc = data::report(&self.keys(), attempts, status);
        let path = data::write(self.dir.path(), name, &doc);
        let out = self.run(&["import", path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Lines of a `--json` batch run, without its summary.
    pub fn items(out: &Output) -> Vec<serde_json::Value> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v.get("summary").is_none())
            .collect()
    }
}
