//! `import`: streams an import file into the store in one transaction.
//!
//! The file is read with serde's seeds, one record at a time, so memory stays flat however large
//! it is. Every problem is collected with its JSON path; a file with any problem imports nothing.

mod cache;
mod ctx;
mod error;
#[cfg(test)]
mod forward_tests;
mod members;
mod raw;
mod record;
mod stream;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::de::DeserializeSeed;

use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::StoreError;
use crate::store::{ImportCounts, OwnerDigests, Problem, Store};
use ctx::{Batch, Ctx};
use stream::TopSeed;

pub use error::{ImportError, ImportFailure};
use error::{MAX_LISTED, file_error};

/// Batches in flight from the reader to the writer; with `ctx::BATCH` records each, this
/// bounds the records held in memory, whatever the file's size.
const DEPTH: usize = 8;

/// Imports `input` into the store. `source_name` names the file in messages.
pub fn import(
    store: &mut Store,
    config: &Config,
    ambient: &Ambient,
    input: impl std::io::Read,
    source_name: &str,
) -> Result<ImportCounts, ImportFailure> {
    import_timed(store, config, ambient, input, source_name).map(|(counts, _)| counts)
}

/// Where an import's time went, for `import -v` and the benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportTimings {
    /// Reading and validating the file, from the start.
    pub reading: Duration,
    /// Writing its records, from the start, alongside the reading.
    pub writing: Duration,
    /// Of the reading, the time spent waiting for the writer to take records.
    pub reader_waiting: Duration,
    /// Of the writing, the time spent waiting for the reader to send records.
    pub writer_waiting: Duration,
    /// The whole-file checks.
    pub checking: Duration,
    /// Merging staged records and building indexes set aside.
    pub merging: Duration,
    /// Committing, with SQLite's checkpoint of the WAL into the store.
    pub committing: Duration,
}

impl fmt::Display for ImportTimings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |d: Duration| d.as_secs_f64();
        write!(
            f,
            "read {:.2} s (waiting for the writer {:.2} s); written {:.2} s alongside (waiting for the reader {:.2} s); checked {:.2} s; merged and indexed {:.2} s; committed {:.2} s",
            s(self.reading),
            s(self.reader_waiting),
            s(self.writing),
            s(self.writer_waiting),
            s(self.checking),
            s(self.merging),
            s(self.committing)
        )
    }
}

/// [`import`], also saying where the time went.
///
/// The file is read and validated on this thread while another writes to the store, so that
/// parsing JSON and SQLite's b-tree work overlap; a bounded channel between them keeps memory
/// flat.
pub fn import_timed(
    store: &mut Store,
    config: &Config,
    ambient: &Ambient,
    input: impl std::io::Read,
    source_name: &str,
) -> Result<(ImportCounts, ImportTimings), ImportFailure> {
    let salt = store.salt()?;
    let output = config.output_digest();
    let digests: Vec<_> = config
        .providers
        .values()
        .map(|p| {
            (
                p.key.clone(),
                p.connection_digest(ambient, &salt),
                p.mapping_digest(),
            )
        })
        .collect();
    let now = ambient.now();
    let start = Instant::now();
    let (sender, receiver) = mpsc::sync_channel(DEPTH);
    let (read, written) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let owners = digests
                .iter()
                .map(|(key, connection, mapping)| OwnerDigests {
                    provider_key: key,
                    connection,
                    mapping,
                    output: &output,
                });
            write(store, owners, now, receiver, start)
        });
        let (read, waited) = read(input, sender);
        let reading = (start.elapsed(), waited);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read, written.map(|w| (w, reading)))
    });
    // A store error comes first: the file may be fine.
    let (written, (reading, reader_waiting)) = written?;
    let (mut problems, mut unlisted, refused) = match read {
        Reading::Unreadable(e) => {
            return Err(file_error(source_name, "", format!("cannot be read: {e}")));
        }
        Reading::Whole => (Vec::new(), 0, ctx::Refused::default()),
        Reading::Problems(problems, unlisted, refused) => (problems, unlisted, refused),
    };
    match written {
        Written::Committed(counts, mut timings) => {
            timings.reading = reading;
            timings.reader_waiting = reader_waiting;
            return Ok((counts, timings));
        }
        // The reader's problems first (in file order), then the whole-file checks' on the
        // records that were readable, but none that only follows from a refused record.
        Written::Problems(found) => {
            for problem in found.into_iter().filter(|p| !refused.explains(p)) {
                match problems.len() < MAX_LISTED {
                    true => problems.push(problem),
                    false => unlisted += 1,
                }
            }
        }
        Written::Abandoned => {}
    }
    let listed = problems.len().min(MAX_LISTED);
    let unlisted = unlisted + problems.len() - listed;
    problems.truncate(listed);
    Err(ImportError {
        source_name: source_name.to_owned(),
        problems: problems
            .into_iter()
            .map(|(path, message)| (path, error::one_line(message)))
            .collect(),
        unlisted,
    }
    .into())
}

/// How reading the file went.
enum Reading {
    /// Not a byte could be read.
    Unreadable(std::io::Error),
    /// Read to the end without a problem; the writer checks it as a whole.
    Whole,
    /// Problems, at most `MAX_LISTED` of them, how many more there were, and the records
    /// refused.
    Problems(Vec<(String, String)>, usize, ctx::Refused),
}

/// Reads and validates the file, sending its records to the writer; also says how long it
/// waited for the writer.
fn read(input: impl std::io::Read, sender: mpsc::SyncSender<Batch>) -> (Reading, Duration) {
    let mut reader = BufReader::with_capacity(256 * 1024, input);
    if let Err(e) = skip_bom(&mut reader) {
        return (Reading::Unreadable(e), Duration::ZERO);
    }
    let mut ctx = Ctx::new(sender);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = TopSeed(&mut ctx).deserialize(&mut de).and_then(|()| {
        // Past the document's end, no member is being read: blame the whole file.
        ctx.position = ctx::Position::Start;
        de.end()
    });
    let to_end = parsed.is_ok();
    if let Err(err) = parsed
        && !ctx.writer_gone()
    {
        let message = if err.is_eof() && err.line() <= 1 && err.column() == 0 {
            "the file is empty; expected {\"schema_version\": 1, \"reports\": [...]}".to_string()
        } else {
            err.to_string()
        };
        let path = ctx.position.path();
        ctx.push(path, message);
    }
    ctx.finish(to_end);
    let reading = match ctx.problems.is_empty() && ctx.unlisted == 0 {
        true => Reading::Whole,
        false => Reading::Problems(
            std::mem::take(&mut ctx.problems),
            ctx.unlisted,
            std::mem::take(&mut ctx.refused),
        ),
    };
    (reading, ctx.waited)
}

/// What the writer did.
enum Written {
    Committed(ImportCounts, ImportTimings),
    /// The whole-file checks found these; nothing was written.
    Problems(Vec<Problem>),
    /// The reader found problems, or stopped; nothing was written.
    Abandoned,
}

/// Writes the records the reader sends, in one transaction that commits only if the reader read
/// the whole file and the whole-file checks pass.
fn write<'o>(
    store: &mut Store,
    owners: impl Iterator<Item = OwnerDigests<'o>>,
    now: jiff::Timestamp,
    receiver: mpsc::Receiver<Batch>,
    start: Instant,
) -> Result<Written, StoreError> {
    let mut staging = store.begin_import(now)?;
    let mut writer = staging.writer()?;
    for owner in owners {
        writer.owner_digests(&owner)?;
    }
    let mut waited = Duration::ZERO;
    let whole = loop {
        let wait = Instant::now();
        let batch = receiver.recv();
        waited += wait.elapsed();
        match batch {
            Ok(Batch::Records(records)) => {
                for record in records {
                    writer.stage(record)?;
                }
            }
            Ok(Batch::End { commit }) => break Some(commit),
            Err(mpsc::RecvError) => break None,
        }
    };
    drop(writer);
    let Some(commit) = whole else {
        staging.abandon()?;
        return Ok(Written::Abandoned);
    };
    let mut timings = ImportTimings {
        writing: start.elapsed(),
        writer_waiting: waited,
        ..ImportTimings::default()
    };
    let mut step = Instant::now();
    let mut lap = || std::mem::replace(&mut step, Instant::now()).elapsed();
    let problems = staging.validate()?;
    timings.checking = lap();
    if !commit || !problems.is_empty() {
        staging.abandon()?;
        return Ok(Written::Problems(problems));
    }
    staging.merge()?;
    timings.merging = lap();
    let counts = staging.commit()?;
    timings.committing = lap();
    Ok(Written::Committed(counts, timings))
}

/// A UTF-8 byte-order mark is harmless; skip it so editors that add one are not punished.
fn skip_bom(reader: &mut impl BufRead) -> std::io::Result<()> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}
