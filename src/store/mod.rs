//! The SQLite store: every SQL statement of the program lives under this module.

mod attempts;
mod events;
mod health;
mod linking;
mod outcomes;
mod portable;
mod schema;
mod staging;
mod summary;
mod sync;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{SqlContext, StoreError};
pub use attempts::{AttemptFilter, AttemptRow};
pub use events::Event;
pub use health::HealthRecord;
pub use linking::ManualLink;
pub use outcomes::{FailureRecord, Lease, Link};
pub use portable::{FallbackSelection, PortableSource};
pub use staging::{
    ExportRow, FindingRow, Identities, ImportCounts, OwnerDigests, Problem, ReportRow, Route,
    Staged, Staging,
};
pub use summary::SummaryGroup;
pub use sync::{ListedOutcome, ListedSync, SyncFailure, SyncItem, SyncLink};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = schema::MIGRATIONS.len() as i64;

/// How long a writer waits for another process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An import writing more attempts than this (and than the store held) builds the secondary
/// indexes once at its end rather than row by row; see `staging/indexes.rs`.
const BULK_THRESHOLD: u64 = 50_000;

/// An open store.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    bulk_threshold: u64,
}

impl Store {
    /// Opens (creating if missing) the store at `path`, migrating it to this version.
    /// A file that is not a SQLite database, or one of another program, is refused unmodified.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        check_header(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
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
        Store::setup(conn, Some(path.to_owned()))
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().doing("opening an in-memory store")?;
        Store::setup(conn, None)
    }

    fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        let display = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        // The header was SQLite's (see `check_header`), so an unreadable file is a damaged
        // store (truncated, most often), not somebody else's file.
        let not_a_store = |e: rusqlite::Error| {
            let reason = e.to_string();
            match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                    StoreError::Damaged {
                        path: display.clone(),
                        reason,
                    }
                }
                _ => StoreError::NotAStore {
                    path: display.clone(),
                    reason,
                },
            }
        };
        conn.busy_timeout(BUSY_TIMEOUT)
            .doing("setting the busy timeout")?;
        // Read before writing anything: a foreign file must stay untouched.
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(not_a_store)?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
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
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")
                .doing("enabling WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .doing("setting synchronous")?;
        conn.pragma_update(None, "foreign_keys", true)
            .doing("enabling foreign keys")?;
        crate::store::staging::register_functions(&conn)?;
        let mut store = Store {
            conn,
            path,
            bulk_threshold: BULK_THRESHOLD,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Applies every migration past the stored version, each in its own transaction. An
    /// up-to-date store takes no write lock, so opening never waits for another writer.
    fn migrate(&mut self) -> Result<(), StoreError> {
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

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .doing("reading the schema version")
    }

    /// Lowers the bulk threshold, so tests can take the bulk path with a small file.
    #[cfg(test)]
    pub(crate) fn set_bulk_threshold(&mut self, attempts: u64) {
        self.bulk_threshold = attempts;
    }

    /// Refuses, before any work, a store that SQLite could open for reading only.
    pub fn ensure_writable(&self) -> Result<(), StoreError> {
        let read_only = self
            .conn
            .is_readonly("main")
            .doing("checking that the store is writable")?;
        match (read_only, &self.path) {
            (true, Some(path)) => Err(StoreError::ReadOnly { path: path.clone() }),
            _ => Ok(()),
        }
    }

    /// The file behind the store, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// This store's random salt for credential digests, created on first use.
    pub fn salt(&self) -> Result<Vec<u8>, StoreError> {
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'salt'", [], |r| {
                r.get(0)
            })
            .optional()
            .doing("reading the salt")?;
        if let Some(salt) = existing {
            return Ok(salt);
        }
        let mut salt = vec![0u8; 32];
        getrandom::fill(&mut salt).map_err(|e| StoreError::Open {
            path: self.path.clone().unwrap_or_default(),
            reason: format!("no randomness for the store's salt: {e}"),
        })?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?1)",
                [&salt],
            )
            .doing("writing the salt")?;
        self.salt()
    }

    /// `PRAGMA integrity_check`: "ok" for a healthy file.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .doing("checking integrity")
    }
}

/// Refuses, without opening it, a non-empty file that does not start with SQLite's header.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
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
        return Ok(());
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

/// Formats a timestamp the way the store keeps it: UTC, whole seconds, so text order is time order.
pub fn ts_to_sql(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses a stored timestamp.
pub fn ts_from_sql(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}
