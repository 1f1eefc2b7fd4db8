//! The store file itself: one the user can read but not write, and many commands starting at
//! once on a new one.
//!
//! Tests run as root in CI, where file modes do not stop writes. "Another user's store" is then
//! real: the store is made as root and the binary runs as `nobody` through `setpriv` (skipped,
//! and saying so, where `setpriv` is missing). A folder that takes no new file is made with
//! `chattr +i`, which stops root too. Without root, modes do the same job.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ticket_export::simulator::Simulator;

use crate::support::{Env, NOW, attempts_file, demo_report, write_sim_config};

/// A store at a GitHub provider on the simulator, with two pending attempts, made and closed
/// by the store's owner (this process); folder and files readable by anyone.
fn owned_store() -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let (key, entry) = crate::sync::kinds().swap_remove(0);
    assert_eq!(key, "gh");
    let table = format!(
        "[providers.gh]\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\n{}",
        entry.replace("{base}", &sim.base_url())
    );
    write_sim_config(&env, "self-hosted", &table);
    let file = attempts_file(&env, "gh", 2, None);
    env.cmd().arg("import").arg(file).assert().success();
    chmod(env.path(), 0o755);
    (env, sim)
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// How this machine can run the binary as a user who may not write the store.
enum Other {
    /// Root: run as `nobody` through `setpriv`.
    Nobody,
    /// Not root: modes stop this user already.
    Myself,
}

fn other_user(env: &Env) -> Option<Other> {
    if !is_root() {
        chmod(&env.store(), 0o444);
        chmod(env.path(), 0o555);
        return Some(Other::Myself);
    }
    let setpriv = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if setpriv {
        // The credential stays that user's own 0600 file, as it would be: only the store is
        // another's. (Without it every attempt is blocked on the credential, exit 3.)
        std::os::unix::fs::chown(env.path().join("sim.token"), Some(65534), Some(65534)).unwrap();
    }
    setpriv.then_some(Other::Nobody)
}

/// Runs the binary as `who`, with the environment `Env::cmd` sets.
fn run_as(who: &Other, env: &Env, args: &[&str]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("ticket-export");
    let mut cmd = match who {
        Other::Nobody => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin);
            c
        }
        Other::Myself => Command::new(&bin),
    };
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("NO_COLOR", "1")
        .env("TICKET_EXPORT_NOW", NOW)
        .env("TICKET_EXPORT_STORE", env.store())
        .env("TICKET_EXPORT_CONFIG", env.config())
        .current_dir(env.path())
        .args(args)
        .output()
        .unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What a user who may read the store but not write it gets: every read, and for every
/// command that writes, exit 1 with a message about permissions naming the store, before
/// anything is sent or changed.
fn reads_work_and_writes_are_refused(
    run: impl Fn(&[&str]) -> Output,
    env: &Env,
    sim: &Simulator,
    why: &str,
) {
    // The bytes and the folder's names: no -wal file can hold a change beside them.
    let before = (std::fs::read(env.store()).unwrap(), listing(env.path()));
    let text = |o: &Output| {
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    for (args, expected) in [
        (&["inspect"][..], "tex_0002"),
        (&["inspect", "tex_0001"], "decision"),
        (&["inspect", "--summary"], "total"),
        (&["settings", "path"], "exists"),
        (&["retry", "--all", "--dry-run"], "planned"),
    ] {
        let out = run(args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{stdout}{stderr}");
        assert!(stdout.contains(expected), "{args:?}\n{stdout}");
    }
    let import = env.path().join("attempts-gh-2.json");
    let import = import.to_str().unwrap();
    for args in [
        &["import", import][..],
        &["retry", "--all"],
        &["retry", "tex_0001"],
        &["sync", "--all"],
        &["fallback", "--yes", "--report", "rep_1"],
        &["settings", "check"],
    ] {
        let out = run(args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}\n{stderr}");
        let store = env.store().display().to_string();
        assert!(
            stderr.contains(&format!("error: the store {store} is read-only for you")),
            "{args:?}\n{stderr}"
        );
        assert!(
            stderr.contains(why) && stderr.contains("\n  next: "),
            "{args:?}\n{stderr}"
        );
        assert!(
            !stderr.contains("not a ticket-export store"),
            "{args:?}\n{stderr}"
        );
    }
    assert_eq!(sim.request_count(), 0, "nothing was sent");
    assert!(
        !env.path().join("ticket-exports").exists(),
        "no fallback file"
    );
    let after = (std::fs::read(env.store()).unwrap(), listing(env.path()));
    assert!(before == after, "the store or its folder changed");
}

/// Was: every command, `inspect` included, said "is not a ticket-export store (attempt to write
/// a readonly database)" for a store of another user in a folder they may not write.
#[test]
fn another_users_store_is_read_and_commands_that_write_name_the_permission() {
    let (env, sim) = owned_store();
    let Some(who) = other_user(&env) else {
        eprintln!("skipped: running as root and `setpriv` is unavailable");
        return;
    };
    reads_work_and_writes_are_refused(
        |args| run_as(&who, &env, args),
        &env,
        &sim,
        "Permission denied",
    );
    // The owner was not locked out by the reads: no file beside the store belongs to anyone else.
    chmod(env.path(), 0o755);
    chmod(&env.store(), 0o644);
    let out = env.cmd().args(["retry", "--all"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let creates = sim
        .state()
        .requests
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(creates, 2, "the owner's retry creates each ticket once");
}

/// `chattr +i` on the store's folder stops even root from creating the `-wal` and `-shm`
/// files: the store is read as it stands, and commands that write name the folder.
#[test]
fn a_store_whose_folder_takes_no_new_file_is_read_and_writes_name_the_folder() {
    let (env, sim) = owned_store();
    let folder = env.path().to_owned();
    let immutable = Command::new("chattr")
        .arg("+i")
        .arg(&folder)
        .output()
        .is_ok_and(|o| o.status.success())
        && tempfile::tempfile_in(&folder).is_err();
    if !immutable {
        let _ = Command::new("chattr").arg("-i").arg(&folder).output();
        eprintln!("skipped: `chattr +i` is not available here");
        return;
    }
    struct Undo(PathBuf);
    impl Drop for Undo {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
        }
    }
    let _undo = Undo(folder.clone());
    reads_work_and_writes_are_refused(
        |args| run_as(&Other::Myself, &env, args),
        &env,
        &sim,
        &format!(
            "its folder {} does not let you create files",
            folder.display()
        ),
    );
}

/// Was: two imports (or an import and an inspect) starting at once on a new store could fail
/// with "database is locked while enabling WAL", or call the new store "not one written by
/// ticket-export". Eight commands start together on a fresh path, twelve rounds (the code before failed in most
/// runs of this test).
#[test]
fn eight_commands_starting_at_once_on_a_new_store_all_succeed() {
    let env = Env::new().with_demo_config();
    for round in 0..12 {
        let store = env.path().join(format!("fresh-{round}.sqlite3"));
        let children: Vec<(bool, std::process::Child)> = (0..8)
            .map(|i| {
                let importer = i % 2 == 0;
                let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("ticket-export"));
                cmd.env_clear()
                    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                    .env("HOME", env.path())
                    .env("NO_COLOR", "1")
                    .env("TICKET_EXPORT_NOW", NOW)
                    .env("TICKET_EXPORT_STORE", &store)
                    .env("TICKET_EXPORT_CONFIG", env.config());
                if importer {
                    cmd.arg("import").arg(demo_report());
                } else {
                    cmd.args(["inspect", "--summary"]);
                }
                let child = cmd
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (importer, child)
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(120);
        for (importer, mut child) in children {
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("round {round}: a command did not finish in 120 s");
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            // inspect exits with the state of its selection: the demo has every state; one
            // that starts before any import finds no store, and says so (it never creates one).
            let fine = match importer {
                true => status.code() == Some(0),
                false => {
                    matches!(status.code(), Some(0 | 3 | 4 | 5))
                        || (status.code() == Some(2) && stderr.contains("no store at"))
                }
            };
            assert!(fine, "round {round}: {status:?}\n{stderr}");
            assert!(
                !stderr.contains("locked") && !stderr.contains("not a ticket-export store"),
                "round {round}: {stderr}"
            );
        }
        let conn = rusqlite::Connection::open(&store).unwrap();
        let (attempts, created): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM ticket_exports),
                        (SELECT count(*) FROM events WHERE action = 'import' AND outcome = 'created')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (attempts, created),
            (20, 20),
            "round {round}: imported once"
        );
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}
