//! The SQLite store: every SQL statement of the program lives under this module.

mod attempts;
mod complete;
#[cfg(test)]
mod conflict_tests;
mod events;
#[cfg(test)]
mod guard_tests;
mod health;
mod linking;
mod links;
mod names;
mod notes;
mod open;
#[cfg(test)]
mod open_tests;
mod outcomes;
mod portable;
mod portable_lease;
mod schema;
mod staging;
mod summary;
mod sync;
#[cfg(test)]
mod tests;
mod waits;

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use crate::error::{SqlContext, StoreError};
pub use attempts::{AttemptFilter, AttemptRow};
pub use complete::{Candidate, CompletionStore};
pub use events::{Event, EventFilter, LoggedEvent};
pub use health::HealthRecord;
pub use linking::ManualLink;
pub use links::{Link, LinkOutcome};
pub use outcomes::{FailureRecord, Lease};
pub use portable::{FallbackSelection, PortableSource};
pub use portable_lease::LeftOut;
pub use staging::{
    ExportRow, FindingRow, Identities, ImportCounts, OwnerDigests, Problem, ReportRow, Route,
    Staged, Staging,
};
pub use summary::SummaryGroup;
pub use sync::{ListedOutcome, ListedSync, SyncFailure, SyncItem, SyncLink};
pub use waits::CappedWait;

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
        match (self.read_only()?, &self.path) {
            (true, Some(path)) => Err(StoreError::ReadOnly {
                path: path.clone(),
                reason: open::why_read_only(path),
            }),
            _ => Ok(()),
        }
    }

    /// Whether this store was opened for reading only (see `open.rs`).
    pub fn read_only(&self) -> Result<bool, StoreError> {
        self.conn
            .is_readonly("main")
            .doing("checking that the store is writable")
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
        // A store this user may only read has no digest made with a salt it never had, so
        // any salt compares the same: one for this run, never stored.
        if self.read_only()? {
            return Ok(salt);
        }
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

/// Formats a timestamp the way the store keeps it: UTC, whole seconds, so text order is time order.
pub fn ts_to_sql(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses a stored timestamp.
pub fn ts_from_sql(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}
