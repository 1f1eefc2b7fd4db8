//! A hermetic folder per test (as `tests/cli/support.rs`), runs of the binary, and the
//! helpers that make a file read-only where the user can.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::NOW;

/// The committed demo import file; `DEMO` in an argument list stands for it.
fn demo_report() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-report.json")
}

pub struct Env {
    dir: tempfile::TempDir,
}

/// One run: exit code and both streams.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit `code`, and an error that says what happened, why, and what to do next.
    pub fn assert_clear(&self, code: i32, what: &str) {
        assert_eq!(self.code, code, "{what}: exit code\n{}", self.stderr);
        let error = self.stderr.trim_start();
        assert!(
            error.starts_with("error: ")
                && error.contains("\n  why: ")
                && error.contains("\n  next: "),
            "{what}: not a what/why/next message:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{what}: {}", self.stderr);
    }

    /// Exit `code` for a decision printed on stdout, with its reason and next step.
    pub fn assert_clear_output(&self, code: i32, what: &str) {
        assert_eq!(
            self.code, code,
            "{what}: exit code\n{}{}",
            self.stdout, self.stderr
        );
        assert!(
            self.stdout.contains("why") && self.stdout.contains("next step"),
            "{what}: no reason or next step:\n{}",
            self.stdout
        );
    }
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

    fn config(&self) -> PathBuf {
        self.path().join("config.toml")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ticket-export"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("NO_COLOR", "1")
            .env("TICKET_EXPORT_TTY", "0")
            .env("TICKET_EXPORT_NOW", NOW)
            .env("TICKET_EXPORT_STORE", self.store())
            .env("GH_TOKEN", "hostile-test-token")
            .current_dir(self.path());
        if self.config().exists() {
            cmd.env("TICKET_EXPORT_CONFIG", self.config());
        }
        let demo = demo_report();
        cmd.args(args.iter().map(|a| {
            if *a == "DEMO" {
                demo.as_os_str()
            } else {
                std::ffi::OsStr::new(a)
            }
        }));
        cmd
    }

    fn output(mut cmd: Command) -> Run {
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Env::output(self.cmd(args))
    }

    pub fn run_with_store(&self, store: &Path, args: &[&str]) -> Run {
        let mut cmd = self.cmd(&[]);
        cmd.arg("--store")
            .arg(store)
            .args(self.cmd(args).get_args().collect::<Vec<_>>());
        Env::output(cmd)
    }

    pub fn run_with_config(&self, config: &Path, args: &[&str]) -> Run {
        let mut cmd = self.cmd(&[]);
        cmd.arg("--config")
            .arg(config)
            .args(self.cmd(args).get_args().collect::<Vec<_>>());
        Env::output(cmd)
    }

    /// A real store: the demo report imported, closed (so the WAL is folded in). Its bytes.
    pub fn real_store(&self) -> Vec<u8> {
        let run = self.run(&["import", "DEMO"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", self.store().display()));
            assert!(
                !side.exists() || std::fs::metadata(&side).unwrap().len() == 0 || suffix == "-shm"
            );
        }
        std::fs::read(self.store()).unwrap()
    }

    /// A config with one GitHub provider `gh`, plus `extra`.
    pub fn write_config(&self, extra: &str) {
        std::fs::write(
            self.config(),
            format!(
                "{extra}\n[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\n\
                 auth = {{ token_env = \"GH_TOKEN\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\" }}\n"
            ),
        )
        .unwrap();
    }

    /// One attempt, `tex_1` at `gh`, whose portable export failed.
    pub fn import_portable_failure(&self) {
        self.import_attempt(serde_json::json!({"export_status": "failed",
            "provider_error_code": "PORTABLE_EXPORT_FAILED"}));
    }

    /// One attempt, `tex_1` at `gh`, with `fields` added.
    pub fn import_attempt(&self, fields: serde_json::Value) {
        let mut attempt = serde_json::json!({"ticket_export_id": "tex_1", "finding_id": "fnd_1",
            "provider_key": "gh", "mapping_status": "complete"});
        attempt
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "rep_1", "title": "Scan",
            "target": "https://shop.example", "findings": [{"finding_id": "fnd_1", "rule_id": "xss", "title": "XSS",
            "severity": "high", "url": "https://shop.example/a"}], "ticket_exports": [attempt]}]});
        let file = self.path().join("portable.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let run = self.run(&["import", &file.display().to_string()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

/// True when this process can write files whose mode forbids it (root, or CAP_DAC_OVERRIDE).
pub fn privileged() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"x").unwrap();
    chmod(&probe, 0o400);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&probe)
        .is_ok()
}

pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Marks a file immutable (`chattr +i`), which stops even root from writing it; undone on drop
/// so the temporary folder can be removed. None when the file system or tools do not allow it.
pub fn immutable(path: &Path) -> Option<Immutable> {
    let ok = Command::new("chattr")
        .arg("+i")
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success());
    let guard = Immutable(path.to_owned());
    (ok && std::fs::OpenOptions::new().append(true).open(path).is_err()).then_some(guard)
}

pub struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
    }
}
