//! Error types of each layer, and the one place that turns an error into an exit code.

use std::path::PathBuf;

use crate::model::State;

/// The process exit code, as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, or ready: nothing needs a person.
    Ok,
    /// 1: unexpected failure (store unreadable, I/O error, bug).
    Failure,
    /// 2: usage or invalid input (bad flags, config, import file).
    Usage,
    /// 3: blocked: a person must fix settings, credentials, mapping, output path or ownership.
    Blocked,
    /// 4: cooldown: a provider asked us to wait or is unavailable; rerun later.
    Cooldown,
    /// 5: stop: a ticket already exists, or the destination must not receive evidence.
    Stop,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Blocked => 3,
            ExitStatus::Cooldown => 4,
            ExitStatus::Stop => 5,
        }
    }

    /// Severity for batches: 1, then 2, 3, 5, 4, 0 (most severe first).
    fn rank(self) -> u8 {
        match self {
            ExitStatus::Failure => 6,
            ExitStatus::Usage => 5,
            ExitStatus::Blocked => 4,
            ExitStatus::Stop => 3,
            ExitStatus::Cooldown => 2,
            ExitStatus::Ok => 1,
        }
    }

    /// The more severe of two statuses.
    pub fn worst(self, other: ExitStatus) -> ExitStatus {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// The most severe status of a batch; `Ok` for an empty one.
    pub fn worst_of(items: impl IntoIterator<Item = ExitStatus>) -> ExitStatus {
        items.into_iter().fold(ExitStatus::Ok, ExitStatus::worst)
    }
}

impl From<State> for ExitStatus {
    fn from(state: State) -> Self {
        match state {
            State::Ready => ExitStatus::Ok,
            State::Blocked => ExitStatus::Blocked,
            State::Cooldown => ExitStatus::Cooldown,
            State::Stop => ExitStatus::Stop,
        }
    }
}

/// Invalid input from the user: flags, arguments, files. Exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{what}\n  why: {why}\n  next: {next}")]
pub struct UsageError {
    pub what: String,
    pub why: String,
    pub next: String,
}

impl UsageError {
    /// Builds a usage error from its three parts.
    pub fn new(what: impl Into<String>, why: impl Into<String>, next: impl Into<String>) -> Self {
        UsageError {
            what: what.into(),
            why: why.into(),
            next: next.into(),
        }
    }
}

/// The store could not be opened or used. Exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store {path} was written by a newer ticket-export (store schema version {found}; this version understands up to {supported})\n  why: opening it here could lose data the newer version relies on\n  next: upgrade ticket-export, or point --store at another file"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "{path} is not a ticket-export store\n  why: {reason}\n  next: check --store / TICKET_EXPORT_STORE; the file was not modified"
    )]
    NotAStore { path: PathBuf, reason: String },
    #[error(
        "cannot open the store {path}\n  why: {reason}\n  next: check that the folder exists and is writable, or choose another path with --store"
    )]
    Open { path: PathBuf, reason: String },
    #[error(
        "the store {path} is damaged (truncated or corrupted)\n  why: {reason}\n  next: restore it from a backup, or move it aside and import again into a new store; the file was not modified"
    )]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "the store {path} is read-only for you, and this command writes to it\n  why: {reason}\n  next: run the command as the store's owner, or have them make it writable for you (the file, and its folder for the -wal and -shm files SQLite creates beside it), or point --store at a copy you can write; `inspect` and dry runs still read it. Nothing was changed"
    )]
    ReadOnly { path: PathBuf, reason: String },
    /// The cause is shown in the message, not chained: `{:#}` would print it twice.
    #[error(
        "the store failed while {action}\n  why: {cause}\n  next: {}",
        sql_next(cause)
    )]
    Sql {
        action: &'static str,
        cause: rusqlite::Error,
    },
}

/// What to do about a failed statement, by SQLite's reason.
fn sql_next(cause: &rusqlite::Error) -> &'static str {
    use rusqlite::ErrorCode::*;
    match cause.sqlite_error_code() {
        Some(ReadOnly) => {
            "the store is read-only: make it (and its folder) writable, or point --store at a writable copy"
        }
        Some(DatabaseCorrupt | NotADatabase) => {
            "the store file is damaged (truncated or corrupted): restore it from a backup, or check it with `sqlite3 STORE 'PRAGMA integrity_check'`"
        }
        Some(DiskFull) => {
            "free some space on the store's disk, then rerun; the failed write was rolled back"
        }
        // SQLite could not read or write the store or the -wal/-shm files beside it: most
        // often a full disk (growing the -shm fails as an I/O error, not as "disk full").
        Some(SystemIoFailure) => {
            "check that the store's disk has free space and its file system is healthy (the store's -wal and -shm files grow beside it), then rerun; the failed step was rolled back"
        }
        _ if matches!(
            cause,
            rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..)
        ) =>
        {
            "the store holds values this version cannot read (a damaged file?): check it with `sqlite3 STORE 'PRAGMA integrity_check'` and restore it from a backup"
        }
        _ => "rerun; if it persists, run `sqlite3 STORE 'PRAGMA integrity_check'` and report it",
    }
}

/// Extension to attach what the store was doing to a rusqlite error.
pub trait SqlContext<T> {
    /// Wraps the error as `StoreError::Sql` naming the action.
    fn doing(self, action: &'static str) -> Result<T, StoreError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn doing(self, action: &'static str) -> Result<T, StoreError> {
        self.map_err(|cause| StoreError::Sql { action, cause })
    }
}

/// Maps the final error of a command to its exit code. The only such mapping in the program.
pub fn exit_status(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        if let Some(failure) = cause.downcast_ref::<crate::import::ImportFailure>() {
            return match failure {
                crate::import::ImportFailure::File(_) => ExitStatus::Usage,
                crate::import::ImportFailure::Store(_) => ExitStatus::Failure,
            };
        }
        if cause.downcast_ref::<UsageError>().is_some()
            || cause.downcast_ref::<crate::config::ConfigError>().is_some()
            || cause.downcast_ref::<crate::import::ImportError>().is_some()
            || cause.downcast_ref::<clap::Error>().is_some()
        {
            return ExitStatus::Usage;
        }
        if cause.downcast_ref::<StoreError>().is_some() {
            return ExitStatus::Failure;
        }
    }
    ExitStatus::Failure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_severity_follows_the_documented_order() {
        use ExitStatus::*;
        // 1, 3, 5, 4, 0: each beats everything after it.
        let order = [Failure, Blocked, Stop, Cooldown, Ok];
        for (i, a) in order.iter().enumerate() {
            for b in &order[i..] {
                assert_eq!(a.worst(*b), *a);
                assert_eq!(b.worst(*a), *a);
            }
        }
        assert_eq!(ExitStatus::worst_of([]), Ok);
        assert_eq!(ExitStatus::worst_of([Ok, Cooldown, Stop, Ok]), Stop);
    }

    #[test]
    fn exit_status_finds_the_layer_error_in_the_chain() {
        let err = anyhow::Error::new(UsageError::new("a", "b", "c")).context("while x");
        assert_eq!(exit_status(&err), ExitStatus::Usage);
        let err = anyhow::anyhow!("boom");
        assert_eq!(exit_status(&err), ExitStatus::Failure);
    }

    #[test]
    fn every_error_says_what_why_and_next() {
        use std::path::PathBuf;
        let path = || PathBuf::from("/x/store.sqlite3");
        let sql = || rusqlite::Error::QueryReturnedNoRows;
        let messages: Vec<String> = [
            StoreError::TooNew {
                path: path(),
                found: 9,
                supported: 3,
            }
            .to_string(),
            StoreError::NotAStore {
                path: path(),
                reason: "r".into(),
            }
            .to_string(),
            StoreError::Open {
                path: path(),
                reason: "r".into(),
            }
            .to_string(),
            StoreError::Damaged {
                path: path(),
                reason: "r".into(),
            }
            .to_string(),
            StoreError::ReadOnly {
                path: path(),
                reason: "r".into(),
            }
            .to_string(),
            StoreError::Sql {
                action: "reading",
                cause: sql(),
            }
            .to_string(),
            crate::config::ConfigError::Read {
                path: path(),
                reason: "r".into(),
            }
            .to_string(),
            crate::config::ConfigError::Parse {
                path: path(),
                message: "m".into(),
            }
            .to_string(),
            crate::config::ConfigError::Invalid {
                path: path(),
                problems: vec!["p".into()],
            }
            .to_string(),
            crate::import::ImportError {
                source_name: "f.json".into(),
                problems: vec![("$".into(), "m".into())],
                unlisted: 0,
            }
            .to_string(),
            UsageError::new("a", "b", "c").to_string(),
        ]
        .into();
        for message in messages {
            let what = message.lines().next().unwrap_or_default();
            assert!(!what.trim().is_empty(), "{message}");
            assert!(message.contains("\n  why: "), "no why:\n{message}");
            assert!(message.contains("\n  next: "), "no next step:\n{message}");
        }
    }

    #[test]
    fn an_io_failure_points_at_the_disk_not_at_a_damaged_file() {
        let io = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        let message = StoreError::Sql {
            action: "claiming an attempt",
            cause: io(rusqlite::ffi::SQLITE_IOERR),
        }
        .to_string();
        assert!(message.contains("free space"), "{message}");
        assert!(!message.contains("integrity_check"), "{message}");
        let full = StoreError::Sql {
            action: "claiming an attempt",
            cause: io(rusqlite::ffi::SQLITE_FULL),
        }
        .to_string();
        assert!(full.contains("free some space"), "{full}");
    }
}
