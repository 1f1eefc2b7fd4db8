//! Putting sealed files in place. A report's files are committed together: each temporary file
//! is synced and made 0644 (side by side, on a few threads), then renamed over its final name and
//! re-read (length and SHA-256) in order, and the folder is synced once.
//!
//! The guarantee of each file is the one `write` describes: its temporary file is synced before
//! the rename, so after a crash the final name holds the old bytes or the new ones, never a
//! mix. Syncing the files of a report one after another, each followed by a sync of the folder,
//! left the run waiting on the disk for most of its wall time; the syncs of different files do
//! not depend on each other, and one folder sync after the last rename covers every rename.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::write::{HashSink, SealedFile, WriteError, fail};

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

/// Puts `files` in place, in their order, and verifies them, adding each to `done`. A file
/// whose identical bytes are already under its name (mode 0644) is left untouched, so a rerun
/// rewrites nothing. On the first failure the files not yet renamed are dropped with their
/// temporary files.
pub fn commit_files(files: Vec<SealedFile>, done: &mut Vec<WrittenFile>) -> Result<(), WriteError> {
    let unchanged: Vec<bool> = files.iter().map(already_there).collect();
    let to_sync: Vec<&SealedFile> = files
        .iter()
        .zip(&unchanged)
        .filter(|(_, same)| !**same)
        .map(|(f, _)| f)
        .collect();
    sync_all(&to_sync)?;
    let mut folders: Vec<PathBuf> = Vec::new();
    // Each file is verified before the next one is renamed, so a manifest (the last file) is
    // only put in place once the files it lists read back right.
    let put = || -> Result<(), WriteError> {
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
            let file = WrittenFile {
                path: target,
                sha256,
                bytes,
                changed: !unchanged,
            };
            verify(&file)?;
            done.push(file);
        }
        Ok(())
    };
    let result = put();
    // Makes the renames durable before anything records them.
    for folder in &folders {
        sync_dir(folder);
    }
    result
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
        let mut written = Vec::new();
        commit_files(files, &mut written).unwrap();
        assert!(written.iter().all(|w| w.changed));
        for (w, name) in written.iter().zip(names) {
            assert_eq!(fs::read_to_string(&w.path).unwrap(), name);
            assert!(is_readable_file(&w.path));
        }
        let again = vec![seal(&dir, "a.csv", "a.csv"), seal(&dir, "a.md", "new")];
        let mut done = Vec::new();
        commit_files(again, &mut done).unwrap();
        let changed: Vec<bool> = done.iter().map(|w| w.changed).collect();
        assert_eq!(changed, [false, true]);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_failure_keeps_what_is_in_place_and_leaves_no_partial_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = OutDir::prepare(tmp.path()).unwrap();
        let dir = out.report_dir("rep_1").unwrap();
        let files = vec![
            seal(&dir, "a.csv", "1"),
            seal(&dir, "a.md", "2"),
            seal(&dir, "SHA256SUMS", "3"),
        ];
        // Something other than a file took the second name after it was staged.
        fs::create_dir(dir.path().join("a.md")).unwrap();
        let mut done = Vec::new();
        let err = commit_files(files, &mut done).unwrap_err();
        assert!(err.reason.contains("cannot move into place"), "{err}");
        let names: Vec<_> = done.iter().map(|w| w.path.file_name().unwrap()).collect();
        assert_eq!(names, ["a.csv"]);
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["a.csv", "a.md"], "no manifest, no temporary file");
    }
}
