//! Opening the store: one this user may read but not write, and many first opens of a new one
//! at once.

use std::path::Path;
use std::process::Command;

use super::open::{describe_read_only, side_file};
use super::*;

/// A store with the demo imported, closed, so no `-wal` or `-shm` file is left beside it.
fn demo_store(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let ambient = crate::ambient::Ambient::new(
        [(
            crate::env_vars::NOW.to_owned(),
            "2026-11-29T12:00:00Z".to_owned(),
        )]
        .into(),
        Timestamp::UNIX_EPOCH,
    )
    .unwrap();
    let demo = include_str!("../../examples/demo-report.json");
    crate::import::import(
        &mut store,
        &crate::config::Config::default(),
        &ambient,
        demo.as_bytes(),
        "demo",
    )
    .unwrap();
    drop(store);
    assert!(!side_file(path, "-wal").exists() && !side_file(path, "-shm").exists());
}

/// `chattr +i` on a folder: not even root may create a file in it. Undone on drop.
struct Immutable<'a>(&'a Path);

impl<'a> Immutable<'a> {
    fn set(path: &'a Path) -> Option<Immutable<'a>> {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        let guard = Immutable(path);
        (ok && tempfile::tempfile_in(path).is_err()).then_some(guard)
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).output();
    }
}

/// Was: "is not a ticket-export store (attempt to write a readonly database)" for every
/// command, `inspect` included, when SQLite could not create the `-shm` file beside the store
/// (a read-only folder, another user's folder, a read-only file system).
#[test]
fn a_store_whose_folder_takes_no_file_is_read_and_refused_for_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("data");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("store.sqlite3");
    demo_store(&path);
    let before = std::fs::read(&path).unwrap();
    let Some(guard) = Immutable::set(&folder) else {
        eprintln!("skipped: `chattr +i` is not available on this file system");
        return;
    };
    let store = Store::open(&path).expect("a store the user may read opens for reading");
    assert!(store.read_only().unwrap());
    let attempt = store
        .attempt("tex_9001")
        .unwrap()
        .expect("tex_9001 is read");
    assert_eq!(attempt.provider_key, "jira-sec");
    assert_eq!(
        store.salt().unwrap().len(),
        32,
        "a salt for this run, not stored"
    );
    let err = store.ensure_writable().unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("read-only for you"), "{err}");
    assert!(
        err.contains(&format!("its folder {}", folder.display())) && err.contains("-wal and -shm"),
        "{err}"
    );
    assert!(!err.contains("not a ticket-export store"), "{err}");
    drop(store);
    drop(guard);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
    let left: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(left.len(), 1, "no -wal or -shm made: {left:?}");
}

/// The reason named for each way a store can refuse writes, from the error the system gave:
/// as root, only some of them can be made for real, so the mapping is tested on its own.
#[test]
fn each_reason_a_store_cannot_be_written_is_named() {
    use std::io::Error;
    let path = Path::new("/srv/te/store.sqlite3");
    let folder = Path::new("/srv/te");
    let cases = [
        (
            Some(Error::from_raw_os_error(13)),
            None,
            "you may not write /srv/te/store.sqlite3 (Permission denied",
        ),
        (
            Some(Error::from_raw_os_error(13)),
            Some(Error::from_raw_os_error(13)),
            "nor create files in its folder /srv/te",
        ),
        (
            Some(Error::from_raw_os_error(30)),
            Some(Error::from_raw_os_error(30)),
            "/srv/te/store.sqlite3 is on a read-only file system",
        ),
        (
            Some(Error::from_raw_os_error(1)),
            None,
            "is marked immutable or append-only",
        ),
        (
            None,
            Some(Error::from_raw_os_error(13)),
            "its folder /srv/te does not let you create files (Permission denied",
        ),
        (None, None, "could open it for reading only"),
    ];
    for (file, dir, expected) in cases {
        let text = describe_read_only(path, file.as_ref(), folder, dir.as_ref());
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

/// Was: two imports (or an import and an inspect) starting at once on a new store failed with
/// "database is locked while enabling WAL", or "not one written by ticket-export" when one
/// read the schema version and the table count on either side of the other's first migration.
#[test]
fn first_opens_of_a_new_store_at_once_all_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    for round in 0..12 {
        let path = tmp.path().join(format!("new-{round}.sqlite3"));
        let start = std::sync::Barrier::new(8);
        let results: Vec<Result<i64, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        let store = Store::open(&path).map_err(|e| e.to_string())?;
                        store.salt().map_err(|e| e.to_string())?;
                        store.schema_version().map_err(|e| e.to_string())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for result in results {
            assert_eq!(result, Ok(SCHEMA_VERSION), "round {round}");
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let salts: i64 = store
            .conn
            .query_row("SELECT count(*) FROM meta WHERE key = 'salt'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(salts, 1, "one salt, whoever made it");
    }
}
