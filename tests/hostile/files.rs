//! Damaged files, through the binary: a store that is truncated, read-only, from the future or
//! not where a file can be; a config that is a directory; an output folder that cannot be
//! used. Each: a message saying what, why and what next, the documented exit code (1 for the
//! store, 2 for config and usage, 3 for a blocked attempt), and the file's bytes as they were.
//!
//! Tests run as root in CI, where `chmod 0400` does not stop writes. A read-only store is then
//! made with `chattr +i` when the file system allows it, and the case is skipped (and says so)
//! when neither works.

mod support;

use std::path::Path;

use support::{Env, immutable, privileged};

/// The commands that open the store, with the exit code a store problem must give.
const STORE_COMMANDS: &[&[&str]] = &[
    &["inspect"],
    &["inspect", "--summary"],
    &["inspect", "tex_9001"],
    &["retry", "--all"],
    &["sync", "--all"],
    &["import", "DEMO"],
];

#[test]
fn a_truncated_store_is_refused_clearly_and_left_as_it_was() {
    let env = Env::new();
    let full = env.real_store();
    let page = 4096;
    let cuts = [
        1,
        15,
        16,
        99,
        100,
        page,
        2 * page,
        full.len() / 2,
        full.len() - 2 * page,
        full.len() - page - 7,
        // Not `full.len() - 100`: the unused tail of the last page can go unnoticed (and
        // harmlessly so) by SQLite, and the store works.
    ];
    for cut in cuts {
        std::fs::write(env.store(), &full[..cut]).unwrap();
        for args in STORE_COMMANDS {
            let run = env.run(args);
            let what = format!("cut at {cut} of {}, {args:?}", full.len());
            run.assert_clear(1, &what);
            assert!(
                run.stderr.contains("store") && run.stderr.contains("damaged"),
                "{what}: says the store is damaged\n{}",
                run.stderr
            );
            assert_eq!(
                std::fs::read(env.store()).unwrap(),
                &full[..cut],
                "{what}: bytes changed"
            );
        }
    }
}

#[test]
fn a_store_from_the_future_is_refused_and_left_as_it_was() {
    let env = Env::new();
    env.real_store();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = std::fs::read(env.store()).unwrap();
    for args in STORE_COMMANDS {
        let run = env.run(args);
        run.assert_clear(1, &format!("{args:?}"));
        assert!(
            run.stderr.contains("store schema version 99"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("upgrade ticket-export"),
            "{}",
            run.stderr
        );
        assert_eq!(
            std::fs::read(env.store()).unwrap(),
            before,
            "{args:?}: bytes changed"
        );
    }
}

#[test]
fn a_store_that_cannot_be_where_it_is_named_is_refused() {
    let env = Env::new();
    // The parent is a regular file: nothing can be created below it, root or not.
    let blocker = env.path().join("blocker");
    std::fs::write(&blocker, b"keep me").unwrap();
    let below = blocker.join("store.sqlite3");
    // A directory where the store file should be.
    let folder = env.path().join("folder.sqlite3");
    std::fs::create_dir(&folder).unwrap();
    for (store, reason) in [(&below, "Not a directory"), (&folder, "it is a directory")] {
        for args in STORE_COMMANDS {
            let run = env.run_with_store(store, args);
            run.assert_clear(1, &format!("{} {args:?}", store.display()));
            assert!(run.stderr.contains(reason), "{}", run.stderr);
        }
    }
    assert_eq!(std::fs::read(&blocker).unwrap(), b"keep me");
    assert!(
        std::fs::read_dir(&folder).unwrap().next().is_none(),
        "nothing written in the folder"
    );
}

#[test]
fn a_read_only_store_is_read_but_never_written() {
    let env = Env::new();
    let full = env.real_store();
    let guard = if privileged() {
        match immutable(&env.store()) {
            Some(guard) => Some(guard),
            None => {
                eprintln!(
                    "skipped: running as root and `chattr +i` is unavailable, so no file is read-only here"
                );
                return;
            }
        }
    } else {
        support::chmod(&env.store(), 0o400);
        None
    };
    // Reading works.
    let run = env.run(&["inspect", "--summary"]);
    assert!(run.code != 1, "reading a read-only store: {}", run.stderr);
    let run = env.run(&["retry", "--all", "--dry-run"]);
    assert!(
        run.code != 1,
        "planning on a read-only store: {}",
        run.stderr
    );
    // Anything that writes says the store is read-only, and what to do.
    for args in [
        &["import", "DEMO"][..],
        &["retry", "--all"],
        &["sync", "--all"],
        &["settings", "check"],
    ] {
        let run = env.run(args);
        run.assert_clear(1, &format!("{args:?}"));
        assert!(run.stderr.contains("read-only"), "{args:?}: {}", run.stderr);
    }
    drop(guard);
    assert_eq!(std::fs::read(env.store()).unwrap(), full, "bytes changed");
}

#[test]
fn a_config_that_is_a_directory_is_a_usage_error() {
    let env = Env::new();
    env.real_store();
    let dir = env.path().join("config.d");
    std::fs::create_dir(&dir).unwrap();
    for args in STORE_COMMANDS
        .iter()
        .chain([&["settings", "check"][..]].iter())
    {
        let run = env.run_with_config(&dir, args);
        run.assert_clear(2, &format!("{args:?}"));
        assert!(
            run.stderr.contains("it is a directory, not a file"),
            "{}",
            run.stderr
        );
    }
    let not_text = env.path().join("binary.toml");
    std::fs::write(&not_text, b"mode = \"\xff\"\n").unwrap();
    let run = env.run_with_config(&not_text, &["inspect"]);
    run.assert_clear(2, "a config that is not UTF-8");
    assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);
}

/// An attempt whose portable export failed is blocked while the output folder cannot take
/// files, and nothing is created on the way to it.
#[test]
fn an_unusable_output_folder_blocks_its_attempts_and_nothing_is_written() {
    let env = Env::new();
    let blocker = env.path().join("exports-file");
    std::fs::write(&blocker, b"keep me").unwrap();
    let mut folders = vec![blocker.join("ticket-exports")];
    // A read-only file system, where one is mounted (sysfs is, in containers).
    let sys = Path::new("/sys/ticket-exports");
    if Path::new("/sys").is_dir() && tempfile::NamedTempFile::new_in("/sys").is_err() {
        folders.push(sys.to_owned());
    } else {
        eprintln!("no read-only file system at /sys: only the folder below a file is tested");
    }
    for folder in folders {
        env.write_config(&format!(
            "[fallback]\nout_dir = {:?}\n",
            folder.display().to_string()
        ));
        env.import_portable_failure();
        let run = env.run(&["inspect", "tex_1"]);
        run.assert_clear_output(3, &format!("{}", folder.display()));
        assert!(run.stdout.contains("blocked"), "{}", run.stdout);
        assert!(run.stdout.contains("fallback.out_dir"), "{}", run.stdout);
        assert!(!folder.exists(), "nothing created");
    }
    assert_eq!(std::fs::read(&blocker).unwrap(), b"keep me");
    let run = env.run(&["demo", "--dir", &blocker.join("demo").display().to_string()]);
    run.assert_clear(2, "demo --dir below a file");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"keep me");
}

/// Was: a store that failed while `retry` or `sync` worked (here a trigger standing in for a
/// full disk) reported each item "blocked" and exited 3, as if a person had a setting to fix.
#[test]
fn a_store_failing_mid_run_exits_1() {
    for (args, fields) in [
        (
            &["retry", "--all"][..],
            serde_json::json!({"export_status": "pending"}),
        ),
        (
            &["sync", "--all"][..],
            serde_json::json!({"export_status": "linked", "external_ticket_id": "7",
                "external_ticket_url": "https://github.com/acme/shop/issues/7", "status_sync_status": "ok"}),
        ),
    ] {
        let env = Env::new();
        env.write_config("");
        env.import_attempt(fields);
        let conn = rusqlite::Connection::open(env.store()).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER full BEFORE UPDATE ON ticket_exports
             BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END;",
        )
        .unwrap();
        drop(conn);
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}\n{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("store error") && run.stdout.contains("disk is full"),
            "{}",
            run.stdout
        );
    }
}
