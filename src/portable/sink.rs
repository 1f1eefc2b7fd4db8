//! Where a report's bytes go (a staged file, or only a hash for a dry run), and what the user
//! is told about each file once it is in place (see `commit`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::CsvPreset;
use super::commit::{commit_files, digest_of};
use super::export::{FileOutcome, FileRecord};
use super::ledger::{self, Written};
use super::write::{HashSink, SealedFile, StagedFile, WriteError};

/// Where one file's bytes go: a staged file, or a hash for a dry run.
pub(super) enum Sink {
    Staged(StagedFile),
    Dry(HashSink, PathBuf),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Staged(s) => s.write(buf),
            Sink::Dry(h, _) => h.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Staged(s) => s.flush(),
            Sink::Dry(h, _) => h.flush(),
        }
    }
}

impl Sink {
    /// Ends a file's writing; it is put in place by [`commit_pending`].
    pub(super) fn seal(self) -> Result<Sealed, WriteError> {
        match self {
            Sink::Staged(staged) => staged.seal().map(Sealed::Staged),
            Sink::Dry(hash, path) => {
                let (sha256, bytes) = hash.finish();
                Ok(Sealed::Dry {
                    path,
                    sha256,
                    bytes,
                })
            }
        }
    }
}

/// A file whose bytes are all written and hashed, not yet in place.
pub(super) enum Sealed {
    Staged(SealedFile),
    Dry {
        path: PathBuf,
        sha256: String,
        bytes: u64,
    },
}

impl Sealed {
    pub(super) fn path(&self) -> &Path {
        match self {
            Sealed::Staged(f) => f.target(),
            Sealed::Dry { path, .. } => path,
        }
    }

    pub(super) fn sha256(&self) -> &str {
        match self {
            Sealed::Staged(f) => f.sha256(),
            Sealed::Dry { sha256, .. } => sha256,
        }
    }
}

/// A sealed file and what the user is told about it.
pub(super) struct Pending {
    pub(super) file: Sealed,
    format: &'static str,
    preset: Option<CsvPreset>,
    findings: u64,
}

/// Seals a file and keeps what the user is told about it.
pub(super) fn pending(
    sink: Sink,
    format: &'static str,
    preset: Option<CsvPreset>,
    findings: u64,
) -> Result<Pending, WriteError> {
    Ok(Pending {
        file: sink.seal()?,
        format,
        preset,
        findings,
    })
}

/// Puts a report's files in place with [`commit_files`], or for a dry run compares each with
/// what is there; adds what the user is told about each to `done`, in order, also for the files
/// put in place before a failure. A file in the way with other bytes is replaced only when the
/// tool wrote it (see `ledger`); otherwise nothing of the call is put in place and the report
/// fails, naming the file. The files are noted in the ledger before they move.
pub(super) fn commit_pending(
    report_id: &str,
    files: Vec<Pending>,
    done: &mut Vec<FileRecord>,
) -> Result<(), WriteError> {
    let folder = files
        .first()
        .and_then(|p| p.file.path().parent())
        .map(Path::to_path_buf);
    let written = folder.as_deref().map(Written::read).unwrap_or_default();
    let mut replaced = Vec::new();
    let mut changes = Vec::new();
    for p in &files {
        let path = p.file.path();
        let on_disk = digest_of(path).ok();
        let in_way = on_disk
            .as_ref()
            .is_some_and(|(sha, _)| sha != p.file.sha256());
        changes.push(in_way || on_disk.is_none());
        // `SHA256SUMS` is the tool's in every report folder: each run writes it anew.
        let manifest = path
            .file_name()
            .is_some_and(|n| n == super::export::MANIFEST);
        if in_way && !manifest && !written.is_ours(path) {
            return Err(ledger::not_ours(path));
        }
        replaced.push(in_way);
    }
    // Only bytes that will move in: a rerun that changes nothing leaves the ledger as it is.
    let to_note: Vec<(&str, String)> = files
        .iter()
        .zip(&changes)
        .filter(|(p, changes)| **changes && matches!(p.file, Sealed::Staged(_)))
        .map(|(p, _)| (p.file.sha256(), file_name(p.file.path())))
        .collect();
    if let Some(folder) = &folder {
        let pairs: Vec<(&str, &str)> = to_note.iter().map(|(s, n)| (*s, n.as_str())).collect();
        ledger::note(folder, &pairs)?;
    }
    let mut staged = Vec::new();
    let mut shown = Vec::new();
    for (p, replaced) in files.into_iter().zip(replaced) {
        let record = FileRecord {
            report_id: report_id.to_owned(),
            format: p.format,
            preset: p.preset.map(CsvPreset::as_str),
            path: p.file.path().to_path_buf(),
            sha256: p.file.sha256().to_owned(),
            bytes: 0,
            findings: p.findings,
            outcome: FileOutcome::WouldWrite,
        };
        match p.file {
            Sealed::Staged(f) => {
                staged.push(f);
                shown.push((record, replaced));
            }
            Sealed::Dry {
                path,
                sha256,
                bytes,
            } => {
                let same = matches!(digest_of(&path), Ok((s, n)) if s == sha256 && n == bytes);
                let outcome = match (same, replaced) {
                    (true, _) => FileOutcome::WouldKeep,
                    (false, true) => FileOutcome::WouldReplace,
                    (false, false) => FileOutcome::WouldWrite,
                };
                done.push(FileRecord {
                    bytes,
                    outcome,
                    ..record
                });
            }
        }
    }
    let mut written = Vec::new();
    let result = commit_files(staged, &mut written);
    for (written, (record, replaced)) in written.into_iter().zip(shown) {
        let outcome = match (written.changed, replaced) {
            (false, _) => FileOutcome::Unchanged,
            (true, true) => FileOutcome::Replaced,
            (true, false) => FileOutcome::Written,
        };
        done.push(FileRecord {
            path: written.path,
            sha256: written.sha256,
            bytes: written.bytes,
            outcome,
            ..record
        });
    }
    result
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
