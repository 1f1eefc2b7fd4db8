//! The reader's state while the file streams past: the problems found, where it is, and the
//! batches of records on their way to the writer.

use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use super::MAX_LISTED;
use super::cache::FindingCache;
use super::raw::RecordPath;
use crate::store::Staged;

/// Records per message to the writer: enough to make the channel's cost negligible.
const BATCH: usize = 256;

/// What the reader sends the writer.
pub(super) enum Batch {
    /// Records to write or stage, in file order.
    Records(Vec<Staged>),
    /// The file was read without a problem: check it as a whole and commit.
    End,
}

/// Where the reader is, for syntax errors; a record's path is formatted only if needed.
pub(super) enum Position {
    Start,
    Key(String),
    Record(RecordPath),
}

impl Position {
    /// The JSON path, `$` before anything was read.
    pub fn path(&self) -> String {
        match self {
            Position::Start => "$".into(),
            Position::Key(path) => path.clone(),
            Position::Record(path) => path.to_string(),
        }
    }
}

/// The state of one import while the file streams past.
pub(super) struct Ctx {
    sender: Option<SyncSender<Batch>>,
    batch: Vec<Staged>,
    pub problems: Vec<(String, String)>,
    pub unlisted: usize,
    pub position: Position,
    pub cache: FindingCache,
    /// Time spent waiting for the writer to take a batch.
    pub waited: Duration,
}

impl Ctx {
    pub fn new(sender: SyncSender<Batch>) -> Ctx {
        Ctx {
            sender: Some(sender),
            batch: Vec::with_capacity(BATCH),
            problems: Vec::new(),
            unlisted: 0,
            position: Position::Start,
            cache: FindingCache::default(),
            waited: Duration::ZERO,
        }
    }

    pub fn push(&mut self, path: String, message: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push((path, message));
        } else {
            self.unlisted += 1;
        }
    }

    /// Adds a record's problems and the count of those it did not list.
    pub fn extend(&mut self, (problems, unlisted): super::members::Problems) {
        for (path, message) in problems {
            self.push(path, message);
        }
        self.unlisted += unlisted;
    }

    /// Whether records still go to the writer: not once the file has a problem (then only
    /// validation continues), nor once the writer has stopped.
    pub fn staging(&self) -> bool {
        self.problems.is_empty() && self.sender.is_some()
    }

    /// Sends a record to the writer unless the file already failed.
    pub fn stage(&mut self, record: Staged) {
        if self.staging() {
            self.batch.push(record);
            if self.batch.len() == BATCH {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let start = Instant::now();
        if let Some(sender) = &self.sender
            && sender.send(Batch::Records(batch)).is_err()
        {
            // The writer stopped on a store error, which the import reports.
            self.sender = None;
        }
        self.waited += start.elapsed();
    }

    /// Whether the writer stopped on a store error.
    pub fn writer_gone(&self) -> bool {
        self.sender.is_none()
    }

    /// Ends the stream: the writer commits only if `whole` (the file was read without a
    /// problem), else it rolls back.
    pub fn finish(&mut self, whole: bool) {
        if whole && self.problems.is_empty() {
            self.flush();
            if let Some(sender) = &self.sender {
                let _ = sender.send(Batch::End);
            }
        }
        self.sender = None;
    }
}
