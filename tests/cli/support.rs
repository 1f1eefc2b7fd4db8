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
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            other => format!("{other:?}"),
                        })
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

/// A config with one provider pointing at `base` (the simulator), its token in a 0600 file.
pub fn write_sim_config(env: &Env, mode: &str, entry: &str) {
    let token = env.path().join("sim.token");
    std::fs::write(&token, ticket_export::simulator::SIM_TOKEN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(env.config(), format!("mode = \"{mode}\"\n{entry}")).unwrap();
}

/// An import file of `n` attempts for `provider_key`, each its own finding, all failed with
/// `code` (or pending when None).
pub fn attempts_file(env: &Env, provider_key: &str, n: usize, code: Option<&str>) -> PathBuf {
    let findings: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({"finding_id": format!("fnd_{i}"), "rule_id": "xss-reflected", "title": format!("Reflected XSS {i}"),
                "severity": "high", "url": format!("https://shop.example/page/{i}?q=1"), "parameter": "q",
                "description": "echoed", "evidence": "GET /page HTTP/1.1\nCookie: session=abc123", "remediation": "encode"})
        })
        .collect();
    let exports: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({"ticket_export_id": format!("tex_{i:04}"), "finding_id": format!("fnd_{i}"),
                "provider_key": provider_key, "export_status": if code.is_some() { "failed" } else { "pending" },
                "provider_error_code": code, "provider_response_code": code.map(|_| 503), "mapping_status": "complete",
                "duplicate_fingerprint": null, "idempotency_key": null, "retry_after": null, "external_ticket_url": null,
                "status_sync_status": null, "portable_export_path": null})
        })
        .collect();
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
        "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]});
    let path = env.path().join(format!("attempts-{provider_key}-{n}.json"));
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    path
}
