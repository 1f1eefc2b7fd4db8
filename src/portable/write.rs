//! Safe writing under the output folder: names that cannot escape it, no symlinks, atomic
//! replacement, 0644, and (in `commit`) a re-read that proves the bytes on disk are the bytes
//! meant.
//!
//! The shape is cargo's `write_atomic` and jj's `persist_temp_file`: a temporary file in the
//! target's own folder (so the rename is atomic and never crosses file systems), `sync_data`,
//! permissions, then `persist` (in `commit`). A failure at any step drops the temporary file,
//! so no partial file is ever left under its final name.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::names;
use crate::fingerprint::hex;

/// A portable file could not be written safely. The text names the path and the cause; it is
/// what `PORTABLE_EXPORT_FAILED` records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct WriteError {
    pub path: String,
    pub reason: String,
}

pub(super) fn fail(path: &Path, reason: impl std::fmt::Display) -> WriteError {
    WriteError {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Refuses a name that is not exactly one normal path component.
pub fn check_component(name: &str) -> Result<(), String> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(n)), None)
            if n == name && !name.contains(['/', '\\', '\0']) && name != "." && name != ".." =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{name:?} is not a plain file name (a path with `..`, a separator or an absolute part is refused)"
        )),
    }
}

/// The output folder, created if missing and resolved once, so every path is built from it.
#[derive(Debug, Clone)]
pub struct OutDir {
    root: PathBuf,
}

impl OutDir {
    /// Creates (if needed) and resolves the folder. Its own path may pass through symlinks the
    /// user chose; what the tool creates inside it may not.
    pub fn prepare(path: &Path) -> Result<OutDir, WriteError> {
        fs::create_dir_all(path)
            .map_err(|e| fail(path, format!("cannot create the folder: {e}")))?;
        let root = path
            .canonicalize()
            .map_err(|e| fail(path, format!("cannot resolve the folder: {e}")))?;
        if !root.is_dir() {
            return Err(fail(path, "is not a folder"));
        }
        Ok(OutDir { root })
    }

    /// Resolves the folder without creating anything, for a dry run.
    pub fn resolve(path: &Path) -> Result<OutDir, WriteError> {
        let root = match path.canonicalize() {
            Ok(root) => root,
            Err(_) => std::path::absolute(path).map_err(|e| fail(path, e))?,
        };
        Ok(OutDir { root })
    }

    /// The resolved folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The prefix every recorded path under this folder starts with.
    pub fn prefix(&self) -> String {
        format!("{}{}", self.root.display(), std::path::MAIN_SEPARATOR)
    }

    /// The path of a report's folder (not created).
    pub fn report_path(&self, report_id: &str) -> PathBuf {
        self.root.join(self.report_name(report_id))
    }

    /// The name of a report's folder (see `names.rs`); the hashed one when the folder of that
    /// name holds another report's files, as a case-insensitive file system makes `REP_1` of
    /// `rep_1`: its manifest's first line names the report it belongs to.
    fn report_name(&self, report_id: &str) -> String {
        let name = names::report_name(report_id);
        let manifest = self.root.join(&name).join(super::export::MANIFEST);
        let taken = fs::read_to_string(manifest).is_ok_and(|text| {
            names::manifest_report_id(&text).is_some_and(|owner| owner != report_id)
        });
        match taken {
            true => names::hashed_name(report_id),
            false => name,
        }
    }

    /// A report's folder, created if missing. A symlink or a non-folder in its place is refused.
    pub fn report_dir(&self, report_id: &str) -> Result<ReportDir, WriteError> {
        let name = self.report_name(report_id);
        check_component(&name).map_err(|e| fail(&self.root, e))?;
        let path = self.root.join(&name);
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(fail(&path, format!("cannot create the folder: {e}"))),
        }
        let meta = fs::symlink_metadata(&path).map_err(|e| fail(&path, e))?;
        if meta.file_type().is_symlink() {
            return Err(fail(
                &path,
                "is a symlink, which is refused: it could lead out of the output folder",
            ));
        }
        if !meta.is_dir() {
            return Err(fail(&path, "exists and is not a folder"));
        }
        Ok(ReportDir { path, name })
    }
}

/// One report's folder inside the output folder.
#[derive(Debug, Clone)]
pub struct ReportDir {
    path: PathBuf,
    /// The folder's name, also the stem of its files' names.
    name: String,
}

impl ReportDir {
    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's name, also the stem of its files' names.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The names of the regular files this tool writes for its report (see
    /// `names::is_own_file`) that are in the folder now; symlinks and the rest are left alone.
    pub fn own_files(&self) -> Result<Vec<String>, WriteError> {
        let entries = fs::read_dir(&self.path).map_err(|e| fail(&self.path, e))?;
        let mut own = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| fail(&self.path, e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if regular && names::is_own_file(&self.name, &name) {
                own.push(name);
            }
        }
        own.sort();
        Ok(own)
    }

    /// The final path of a file in this folder, after checking its name and that nothing but a
    /// regular file stands there.
    pub fn target(&self, name: &str) -> Result<PathBuf, WriteError> {
        check_component(name).map_err(|e| fail(&self.path, e))?;
        let path = self.path.join(name);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => Err(fail(
                &path,
                "is a symlink, which is refused: writing through it could leave the output folder",
            )),
            Ok(meta) if !meta.is_file() => Err(fail(&path, "exists and is not a regular file")),
            _ => Ok(path),
        }
    }

    /// Starts a file: a temporary file beside its final name, hashed as it is written.
    pub fn stage(&self, name: &str) -> Result<StagedFile, WriteError> {
        let target = self.target(name)?;
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.path)
            .map_err(|e| fail(&self.path, format!("cannot create a temporary file: {e}")))?;
        Ok(StagedFile {
            target,
            file: tmp,
            buf: Vec::with_capacity(STAGE_BUFFER),
            hash: HashSink::default(),
        })
    }

    /// Removes a file this tool wrote earlier that the new set no longer has. Only regular
    /// files with a plain name are touched.
    pub fn remove_stale(&self, name: &str) -> Result<(), WriteError> {
        let path = self.target(name)?;
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(fail(&path, e)),
            _ => Ok(()),
        }
    }
}

/// Counts and hashes bytes: the digest of a staged file, and the whole of a dry run.
#[derive(Debug, Clone, Default)]
pub struct HashSink {
    hasher: Sha256,
    bytes: u64,
}

impl HashSink {
    /// The SHA-256 (hex) and length of what was written.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.bytes)
    }
}

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How many bytes a staged file gathers before they are hashed and written.
const STAGE_BUFFER: usize = 256 * 1024;

/// A file being written; nothing appears under its final name until [`StagedFile::commit`].
///
/// The writers hand over a few bytes at a time; the bytes are gathered and then hashed and
/// written a buffer at a time, since hashing small pieces one by one cost more than the
/// rendering that produced them.
pub struct StagedFile {
    target: PathBuf,
    file: tempfile::NamedTempFile,
    buf: Vec<u8>,
    hash: HashSink,
}

impl StagedFile {
    /// Hashes and writes what is gathered.
    fn drain(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.hash.write_all(&self.buf)?;
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl Write for StagedFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > STAGE_BUFFER {
            self.drain()?;
        }
        if data.len() >= STAGE_BUFFER {
            self.hash.write_all(data)?;
            self.file.write_all(data)?;
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.file.flush()
    }
}

impl StagedFile {
    /// Ends the writing: every byte is in the temporary file and hashed. Nothing is under the
    /// final name yet; [`super::commit::commit_files`] puts sealed files in place.
    pub fn seal(mut self) -> Result<SealedFile, WriteError> {
        if let Err(e) = self.flush() {
            return Err(fail(&self.target, format!("cannot write: {e}")));
        }
        let (sha256, bytes) = self.hash.finish();
        Ok(SealedFile {
            target: self.target,
            tmp: self.file,
            sha256,
            bytes,
        })
    }
}

/// A fully written temporary file, its final path and the SHA-256 and length of its bytes.
/// Dropping it removes the temporary file.
#[derive(Debug)]
pub struct SealedFile {
    pub(super) target: PathBuf,
    pub(super) tmp: tempfile::NamedTempFile,
    pub(super) sha256: String,
    pub(super) bytes: u64,
}

impl SealedFile {
    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The SHA-256 (hex) of the bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit_one(staged: StagedFile) -> Result<crate::portable::commit::WrittenFile, WriteError> {
        let mut done = Vec::new();
        crate::portable::commit::commit_files(vec![staged.seal()?], &mut done)?;
        Ok(done.remove(0))
    }

    #[test]
    fn escaping_names_are_refused() {
        for bad in ["..", ".", "", "a/b", "/abs", "a\\b", "x\0y"] {
            assert!(check_component(bad).is_err(), "{bad:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_and_files_are_atomic_and_0644() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let out = OutDir::prepare(&tmp.path().join("out")).unwrap();
        std::os::unix::fs::symlink(outside.path(), out.root().join("rep_link")).unwrap();
        let err = out.report_dir("rep_link").unwrap_err();
        assert!(err.reason.contains("symlink"), "{err}");

        let dir = out.report_dir("rep_1").unwrap();
        std::os::unix::fs::symlink(outside.path().join("x"), dir.path().join("f.csv")).unwrap();
        assert!(dir.stage("f.csv").is_err());
        assert!(dir.stage("../f.csv").is_err());

        let mut staged = dir.stage("g.csv").unwrap();
        staged.write_all(b"a,b\r\n").unwrap();
        assert!(
            !dir.path().join("g.csv").exists(),
            "nothing under the final name yet"
        );
        let written = commit_one(staged).unwrap();
        assert!(written.changed);
        let mode = fs::metadata(&written.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let mut again = dir.stage("g.csv").unwrap();
        again.write_all(b"a,b\r\n").unwrap();
        assert!(
            !commit_one(again).unwrap().changed,
            "identical bytes are left in place"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        assert!(fs::read_dir(outside.path()).unwrap().next().is_none());
    }
}
