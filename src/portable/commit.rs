//! Where a report's bytes go (a staged file, or only a hash for a dry run) and how they are put
//! in place.
//!
//! A report's files are committed together: each temporary file is synced and made 0644 (side
//! by side, on a few threads), renamed over its final name in order, the folder is synced once,
//! then every file is re-read and its length and SHA-256 checked.
//!
//! The guarantee of each file is the one `write` describes: its temporary file is synced before
//! the rename, so after a crash the final name holds the old bytes or the new ones, never a
//! mix. Syncing the files of a report one after another, each followed by a sync of the folder,
//! left the run waiting on the disk for most of its wall time; the syncs of different files do
//! not depend on each other, and one folder sync after the last rename covers every rename.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::CsvPreset;
use super::export::{FileOutcome, FileRecord};
use super::write::{HashSink, SealedFile, StagedFile, WriteError, fail};

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
/// what is there; returns what the user is told about each, in order.
pub(super) fn commit_pending(
    report_id: &str,
    files: Vec<Pending>,
) -> Result<Vec<FileRecord>, WriteError> {
    let mut done = Vec::new();
    let mut staged = Vec::new();
    let mut shown = Vec::new();
    for p in files {
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
                shown.push(record);
            }
            Sealed::Dry {
                path,
                sha256,
                bytes,
            } => {
                let same = matches!(digest_of(&path), Ok((s, n)) if s == sha256 && n == bytes);
                let outcome = if same {
                    FileOutcome::WouldKeep
                } else {
                    FileOutcome::WouldWrite
                };
                done.push(FileRecord {
                    bytes,
                    outcome,
                    ..record
                });
            }
        }
    }
    if staged.is_empty() {
        return Ok(done);
    }
    for (written, record) in commit_files(staged)?.into_iter().zip(shown) {
        let outcome = if written.changed {
            FileOutcome::Written
        } else {
            FileOutcome::Unchanged
        };
        done.push(FileRecord {
            path: written.path,
            sha256: written.sha256,
            bytes: written.bytes,
            outcome,
            ..record
        });
    }
    Ok(done)
}

/// At most this many files of one commit are synced at the same time.
const SYNC_THREADS: usize = 4;

/// A file on disk, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    /// False when an identical file was already there and was left untouched.
    pub changed: bool,
}

/// Puts `files` in place, in their order, and verifies them. A file whose identical bytes are
/// already under its name (mode 0644) is left untouched, so a rerun rewrites nothing. On the
/// first failure the files not yet renamed are dropped with their temporary files.
pub fn commit_files(files: Vec<SealedFile>) -> Result<Vec<WrittenFile>, WriteError> {
    let unchanged: Vec<bool> = files.iter().map(already_there).collect();
    let to_sync: Vec<&SealedFile> = files
        .iter()
        .zip(&unchanged)
        .filter(|(_, same)| !**same)
        .map(|(f, _)| f)
        .collect();
    sync_all(&to_sync)?;
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut written = Vec::with_capacity(files.len());
    for (file, unchanged) in files.into_iter().zip(unchanged) {
        let SealedFile {
            target,
            tmp,
            sha256,
            bytes,
        } = file;
        if !unchanged {
            tmp.persist(&target)
                .map_err(|e| fail(&target, format!("cannot move into place: {}", e.error)))?;
            let folder = target.parent().unwrap_or(Path::new(".")).to_path_buf();
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        written.push(WrittenFile {
            path: target,
            sha256,
            bytes,
            changed: !unchanged,
        });
    }
    // Makes the renames durable before anything records them.
    for folder in &folders {
        sync_dir(folder);
    }
    for file in &written {
        verify(file)?;
    }
    Ok(written)
}

/// Whether the final name already holds these bytes, readable by the customer.
fn already_there(file: &SealedFile) -> bool {
    matches!(digest_of(&file.target), Ok((sha, len)) if sha == file.sha256 && len == file.bytes)
        && is_readable_file(&file.target)
}

/// Re-reads a file in place: the bytes on disk must be the bytes meant (design section 6).
fn verify(file: &WrittenFile) -> Result<(), WriteError> {
    let (on_disk, len) =
        digest_of(&file.path).map_err(|e| fail(&file.path, format!("cannot re-read: {e}")))?;
    if on_disk != file.sha256 || len != file.bytes || !is_readable_file(&file.path) {
        return Err(fail(
            &file.path,
            "the file read back differs from what was written",
        ));
    }
    Ok(())
}

/// Syncs each temporary file and makes it 0644, a few at a time. The first failure in file
/// order is the one reported, whichever thread saw it first.
fn sync_all(files: &[&SealedFile]) -> Result<(), WriteError> {
    for batch in files.chunks(SYNC_THREADS) {
        let results: Vec<Result<(), WriteError>> = if batch.len() == 1 {
            vec![sync_one(batch[0])]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|f| {
                        let f: &SealedFile = f;
                        (
                            f,
                            std::thread::Builder::new()
                                .name("fallback-sync".into())
                                .spawn_scoped(s, move || sync_one(f)),
                        )
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|(f, handle)| match handle {
                        Ok(h) => h.join().unwrap_or_else(|_| {
                            Err(fail(&f.target, "the sync of the file panicked"))
                        }),
                        // No thread to spare: sync it here.
                        Err(_) => sync_one(f),
                    })
                    .collect()
            })
        };
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
    }
    Ok(())
}

fn sync_one(file: &SealedFile) -> Result<(), WriteError> {
    file.tmp
        .as_file()
        .sync_data()
        .map_err(|e| fail(&file.target, format!("cannot sync to disk: {e}")))?;
    set_readable(file.tmp.path())
        .map_err(|e| fail(&file.target, format!("cannot set permissions: {e}")))
}

/// SHA-256 (hex) and length of a file's contents.
pub fn digest_of(path: &Path) -> io::Result<(String, u64)> {
    let mut file = fs::File::open(path)?;
    let mut sink = HashSink::default();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sink.write_all(&buf[..n])?;
    }
    Ok(sink.finish())
}

#[cfg(unix)]
fn set_readable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// A regular file (not a symlink) with mode 0644 where modes exist.
fn is_readable_file(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o777 == 0o644
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Makes the rename durable; best effort, since not every platform can sync a folder.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portable::write::OutDir;

    fn seal(dir: &crate::portable::write::ReportDir, name: &str, text: &str) -> SealedFile {
        let mut staged = dir.stage(name).unwrap();
        staged.write_all(text.as_bytes()).unwrap();
        staged.seal().unwrap()
    }

    #[test]
    fn files_committed_together_are_all_in_place_and_reruns_change_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = OutDir::prepare(tmp.path()).unwrap();
        let dir = out.report_dir("rep_1").unwrap();
        let names = ["a.csv", "a.md", "a.json", "SHA256SUMS"];
        let files = names.iter().map(|n| seal(&dir, n, n)).collect();
        let written = commit_files(files).unwrap();
        assert!(written.iter().all(|w| w.changed));
        for (w, name) in written.iter().zip(names) {
            assert_eq!(fs::read_to_string(&w.path).unwrap(), name);
            assert!(is_readable_file(&w.path));
        }
        let again = vec![seal(&dir, "a.csv", "a.csv"), seal(&dir, "a.md", "new")];
        let changed: Vec<bool> = commit_files(again)
            .unwrap()
            .iter()
            .map(|w| w.changed)
            .collect();
        assert_eq!(changed, [false, true]);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
