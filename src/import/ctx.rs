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
    /// The file was read to its end: check it as a whole, and commit only if `commit` (the
    /// reader found no problem); else the checks' problems join the reader's.
    End { commit: bool },
}

/// Records the reader refused, so that the whole-file checks, which run on the readable
/// records only, do not report their consequences (an attempt whose finding was refused is
/// not "an attempt of an unknown finding").
#[derive(Debug, Default)]
pub(super) struct Refused {
    /// (report index, finding_id) of findings refused on another field.
    pub findings: std::collections::HashSet<(usize, String)>,
    /// Reports whose header was refused: nothing under them is checked as a whole.
    pub reports: std::collections::HashSet<usize>,
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
    pub refused: Refused,
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
            refused: Refused::default(),
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

    /// Whether records still go to the writer: until it stops. Records keep going after a
    /// problem, so that the whole-file checks see every readable record and one run reports
    /// every problem; the writer then rolls back.
    pub fn staging(&self) -> bool {
        self.sender.is_some()
    }

    /// Sends a record to the writer unless it stopped.
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

    /// Ends the stream. Read to its end (`to_end`), the file is checked as a whole, and
    /// committed only without a problem; a file whose syntax stopped the reading is not checked
    /// (its unread records would read as missing), and the writer rolls back.
    pub fn finish(&mut self, to_end: bool) {
        if to_end {
            self.flush();
            if let Some(sender) = &self.sender {
                let commit = self.problems.is_empty() && self.unlisted == 0;
                let _ = sender.send(Batch::End { commit });
            }
        }
        self.sender = None;
    }
}

impl Refused {
    /// Whether a whole-file problem only follows from a refused record: anything under a
    /// refused report header, or an attempt naming a finding that was refused.
    pub fn explains(&self, (path, message): &(String, String)) -> bool {
        let report = path
            .strip_prefix("reports[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(idx, _)| idx.parse::<usize>().ok());
        let Some(report) = report else {
            return false;
        };
        if self.reports.contains(&report) {
            return true;
        }
        // The message of the reference check: `finding "ID" is not in this report's findings`.
        message
            .strip_prefix("finding \"")
            .and_then(|rest| rest.split_once("\" is not in this report's findings"))
            .is_some_and(|(id, _)| self.findings.contains(&(report, id.to_owned())))
    }
}
