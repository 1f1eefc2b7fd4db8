//! Opening the store: refusing files that are not ours, creating and migrating a new one when
//! several processes start on it at once, and reading one this user may not write.
//!
//! Two rules shape this file. A first open of a new store can race other first opens (two cron
//! jobs, an import beside an inspect): every step that needs a write lock waits for it, the
//! switch to WAL included, which SQLite reports as busy without calling the busy handler. And a
//! store the user can read but not write (another user's file, a read-only folder or file
//! system) is opened for reading, so `inspect` works, and every command that writes is refused
//! with the reason (see [`why_read_only`]) before it changes anything.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{BULK_THRESHOLD, BUSY_TIMEOUT, SCHEMA_VERSION, Store, schema};
use crate::error::{SqlContext, StoreError};

impl Store {
    /// Opens (creating if missing) the store at `path`, migrating it to this version.
    /// A file that is not a SQLite database, or one of another program, is refused unmodified.
    /// A store this user can read but not write is opened for reading: see
    /// [`Store::ensure_writable`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let existed = check_header(path)?;
        if !existed && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.to_owned(),
                reason: format!("cannot create the folder {}: {e}", dir.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        match Store::setup(conn, Some(path.to_owned())) {
            Err(e) if existed && needs_write_access(&e) => Store::open_read_only(path, e),
            result => result,
        }
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().doing("opening an in-memory store")?;
        Store::setup(conn, None)
    }

    /// Opens an existing store for reading only, after opening it for writing failed with
    /// `first` because SQLite could not write the file or create its `-wal` and `-shm` files
    /// beside it. With a `-shm` file there (the owner has the store open, or left it), SQLite
    /// reads through it; without one none can be made, so the file is read as it stands
    /// (`immutable`: every change is in it once its last user closed it).
    fn open_read_only(path: &Path, first: StoreError) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        // Through the `-shm` file where there is one; as the file stands where there is none,
        // or where this user may not read the one there.
        let shm = side_file(path, "-shm").exists();
        for immutable in [false, true].into_iter().filter(|i| *i || shm) {
            let Ok(conn) = Connection::open_with_flags(sqlite_uri(path, immutable), flags) else {
                continue;
            };
            match Store::setup(conn, Some(path.to_owned())) {
                Ok(store) => return Ok(store),
                Err(e) if needs_write_access(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        // Not even readable: the first reason is the one worth showing.
        Err(first)
    }

    pub(super) fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        let display = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        // The header was SQLite's (see `check_header`), so an unreadable file is a damaged
        // store (truncated, most often), not somebody else's file; one SQLite may not write
        // (or whose -shm it may not create) is the user's permissions, not the file's content.
        let not_a_store = |e: rusqlite::Error| {
            let reason = e.to_string();
            match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Damaged {
                    path: display.clone(),
                    reason,
                },
                Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                    StoreError::ReadOnly {
                        path: display.clone(),
                        reason: why_read_only(&display),
                    }
                }
                _ => StoreError::NotAStore {
                    path: display.clone(),
                    reason,
                },
            }
        };
        // Before anything else: every later step may meet another process's lock.
        conn.busy_timeout(BUSY_TIMEOUT)
            .doing("setting the busy timeout")?;
        // Read before writing anything: a foreign file must stay untouched. One statement, so
        // both come from one snapshot: read apart, another process's first migration could
        // commit between them and make a new store look like somebody else's database.
        let (version, tables): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version()),
                        (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(not_a_store)?;
        if version == 0 && tables > 0 {
            return Err(StoreError::NotAStore {
                path: display,
                reason: "it is a SQLite database, but not one written by ticket-export".into(),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: display,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let read_only = conn.is_readonly("main").doing("opening the store")?;
        if path.is_some() && !read_only {
            enable_wal(&conn)?;
        }
        if !read_only {
            conn.pragma_update(None, "synchronous", "NORMAL")
                .doing("setting synchronous")?;
        }
        conn.pragma_update(None, "foreign_keys", true)
            .doing("enabling foreign keys")?;
        crate::store::staging::register_functions(&conn)?;
        let mut store = Store {
            conn,
            path,
            bulk_threshold: BULK_THRESHOLD,
        };
        if read_only && version < SCHEMA_VERSION {
            return Err(StoreError::ReadOnly {
                reason: format!(
                    "{}; and it is at store schema version {version}, which only a command that \
                     may write it can bring up to version {SCHEMA_VERSION}",
                    why_read_only(&display)
                ),
                path: display,
            });
        }
        store.migrate()?;
        Ok(store)
    }

    /// Applies every migration past the stored version, each in its own transaction. An
    /// up-to-date store takes no write lock, so opening never waits for another writer. Each
    /// transaction starts `IMMEDIATE` (taking the write lock, waiting for it) and reads the
    /// version inside it, so processes migrating a new store at once apply each step once.
    pub(super) fn migrate(&mut self) -> Result<(), StoreError> {
        if self.schema_version()? == SCHEMA_VERSION {
            return Ok(());
        }
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .doing("starting a migration")?;
            let version: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .doing("reading the schema version")?;
            let Some(sql) = schema::MIGRATIONS.get(version as usize) else {
                return Ok(());
            };
            tx.execute_batch(sql).doing("migrating the schema")?;
            tx.pragma_update(None, "user_version", version + 1)
                .doing("recording the schema version")?;
            tx.commit().doing("committing a migration")?;
        }
    }
}

/// Switches a store to WAL, once: the mode is kept in the file. Changing it needs every other
/// connection out of the way, and SQLite answers "database is locked" at once rather than
/// calling the busy handler when another process holds the file (two first opens of a new
/// store), so the switch is retried, with a little jitter, up to the busy timeout.
fn enable_wal(conn: &Connection) -> Result<(), StoreError> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        let mode = conn.pragma_query_value(None, "journal_mode", |r| r.get::<_, String>(0));
        let result = match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(_) => {
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            }
            Err(e) => Err(e),
        };
        let busy = match &result {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            // Another connection kept the old mode in place: wait for it like a lock.
            Ok(_) => true,
            Err(e) => matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            ),
        };
        if !busy || Instant::now() >= deadline {
            return match result {
                Ok(mode) => Err(StoreError::Sql {
                    action: "enabling WAL",
                    cause: rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some(format!("the journal mode stayed {mode}")),
                    ),
                }),
                Err(cause) => Err(StoreError::Sql {
                    action: "enabling WAL",
                    cause,
                }),
            };
        }
        let jitter = getrandom::u64().unwrap_or(0) % 5;
        std::thread::sleep(pause + Duration::from_millis(jitter));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// Whether opening failed only because SQLite could not write the store or create the files
/// beside it; reading it may still work.
fn needs_write_access(e: &StoreError) -> bool {
    matches!(e, StoreError::ReadOnly { .. })
}

/// `path` with a suffix, the way SQLite names the files beside a store (`-wal`, `-shm`).
pub(super) fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A `file:` URI for SQLite naming `path` read-only, percent-encoding whatever a URI would
/// read as syntax; `immutable` tells SQLite the file cannot change, so it needs no `-shm`.
fn sqlite_uri(path: &Path, immutable: bool) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut uri = String::from("file:");
    for b in absolute.as_os_str().as_encoded_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(*b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    uri
}

/// Why this user cannot write the store at `path`, in words that lead to the fix: the file
/// itself (permissions, owner, an immutable flag, a read-only file system), or its folder,
/// where SQLite must be able to create the `-wal` and `-shm` files.
pub(super) fn why_read_only(path: &Path) -> String {
    let file = std::fs::OpenOptions::new().write(true).open(path).err();
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A nameless temporary file (O_TMPFILE where there is one): nothing is left behind.
    let folder_error = tempfile::tempfile_in(folder).err();
    describe_read_only(path, file.as_ref(), folder, folder_error.as_ref())
}

/// The words of [`why_read_only`], from the errors met writing the file and the folder.
pub(super) fn describe_read_only(
    path: &Path,
    file: Option<&std::io::Error>,
    folder: &Path,
    folder_error: Option<&std::io::Error>,
) -> String {
    let owner = owner_note(path);
    match (file, folder_error) {
        (Some(e), _) => match cause(e) {
            Cause::ReadOnlyFileSystem => {
                format!("{} is on a read-only file system ({e})", path.display())
            }
            Cause::Immutable => format!(
                "{} is marked immutable or append-only ({e}; see `lsattr`)",
                path.display()
            ),
            Cause::Permissions => format!(
                "you may not write {} ({e}){owner}{}",
                path.display(),
                match folder_error {
                    Some(_) => format!(
                        "; nor create files in its folder {}{}",
                        folder.display(),
                        owner_note(folder)
                    ),
                    None => String::new(),
                }
            ),
            Cause::Other => format!("{} cannot be opened for writing ({e})", path.display()),
        },
        (None, Some(e)) => format!(
            "its folder {} does not let you create files ({e}), and SQLite needs to create \
             the store's -wal and -shm files there{}",
            folder.display(),
            owner_note(folder)
        ),
        (None, None) => {
            "SQLite could open it for reading only (file permissions, an immutable flag or a \
             read-only file system)"
                .to_owned()
        }
    }
}

enum Cause {
    ReadOnlyFileSystem,
    Immutable,
    Permissions,
    Other,
}

fn cause(e: &std::io::Error) -> Cause {
    // EROFS and EPERM by number: std's `ErrorKind::ReadOnlyFilesystem` names the first only
    // on recent toolchains, and EPERM (an immutable file, even for root) has no kind of its own.
    const EPERM: i32 = 1;
    const EROFS: i32 = 30;
    match (e.raw_os_error(), e.kind()) {
        (Some(EROFS), _) if cfg!(unix) => Cause::ReadOnlyFileSystem,
        (Some(EPERM), _) if cfg!(unix) => Cause::Immutable,
        (_, std::io::ErrorKind::PermissionDenied) => Cause::Permissions,
        _ => Cause::Other,
    }
}

/// ", owned by uid N with mode 0644" where the platform has owners and modes.
fn owner_note(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return format!(
                "; it is owned by uid {} with mode {:04o}",
                meta.uid(),
                meta.mode() & 0o7777
            );
        }
    }
    let _ = path;
    String::new()
}

/// Refuses, without opening it, a non-empty file that does not start with SQLite's header.
/// True when the file exists.
fn check_header(path: &Path) -> Result<bool, StoreError> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(StoreError::Open {
                path: path.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
            reason: "it is a directory".into(),
        });
    }
    let read = file.read(&mut header).unwrap_or(0);
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    if read == 0 || (read == 16 && header == *MAGIC) {
        return Ok(true);
    }
    if header[..read] == MAGIC[..read] {
        return Err(StoreError::Damaged {
            path: path.to_owned(),
            reason: format!("it ends after {read} bytes, inside the SQLite file header"),
        });
    }
    Err(StoreError::NotAStore {
        path: path.to_owned(),
        reason: "it does not start with the SQLite file header".into(),
    })
}
