//! A hermetic environment per test: temporary HOME, config, store, fixed clock, no colour.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The fixed clock of the CLI tests.
pub const NOW: &str = "2026-11-29T12:00:00Z";

/// The committed demo import file.
pub fn demo_report() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-report.json")
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> PathBuf {
        self.path().join("store.sqlite3")
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    /// The demo's config, with its fake token files, written into this environment.
    pub fn with_demo_config(self) -> Env {
        self.cmd()
            .args(["demo", "--dir"])
            .arg(self.path())
            .assert()
            .success();
        std::fs::remove_file(self.store()).unwrap();
        // The demo writes a fallback set; tests start from an empty output folder.
        let _ = std::fs::remove_dir_all(self.path().join("ticket-exports"));
        self
    }

    /// The demo config plus the demo report imported.
    pub fn with_demo_store(self) -> Env {
        let env = self.with_demo_config();
        env.cmd()
            .arg("import")
            .arg(demo_report())
            .assert()
            .success();
        env
    }

    /// A command with only the variables this environment sets.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("ticket-export").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .env("TICKET_EXPORT_NOW", NOW)
            .env("TICKET_EXPORT_STORE", self.store())
            .current_dir(self.path());
        // A named config must exist; without one, the default location (empty) applies.
        if self.config().exists() {
            cmd.env("TICKET_EXPORT_CONFIG", self.config());
        }
        cmd
    }

    /// Runs and renders exit code, stdout and stderr for a snapshot, with paths made stable.
    pub fn run(&self, cmd: &mut Command) -> String {
        let out = cmd.output().unwrap();
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&self.path().display().to_string(), "[TMP]")
                .replace(env!("CARGO_MANIFEST_DIR"), "[REPO]")
        };
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            out.status.code().unwrap_or(-1),
            clean(&out.stdout),
            clean(&out.stderr)
        )
    }

    /// Every row of every data table, in a stable order: compares store contents before and after.
    /// `meta` holds only the store's salt, made when the store is first opened.
    pub fn dump(&self) -> String {
        if !self.store().exists() {
            return String::new();
        }
        let conn = rusqlite::Connection::open(self.store()).unwrap();
        let mut out = String::new();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap();
            for row in rows {
                out.push_str(&format!("{table}: {}\n", row.unwrap()));
            }
        }
        out
    }
}
