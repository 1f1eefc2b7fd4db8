//! Which files in a report folder this tool wrote: a file is replaced or removed only when its
//! bytes are bytes the tool put there, so a customer's own file (even one named like the tool's,
//! or a tool file the customer edited) is never touched.
//!
//! The proof is a ledger beside the files, `.ticket-export-files`: before a file is moved into
//! place, its SHA-256 and name are appended and synced, so even a run that fails before its
//! `SHA256SUMS` (or a manifest deleted since) leaves a record of what it put there. Folders
//! written by earlier versions have no ledger; their `SHA256SUMS` lines count too.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::commit::digest_of;
use super::export::MANIFEST;
use super::write::{WriteError, fail};

/// The ledger's file name: a dot file, so `ls` and most importers pass over it.
pub const LEDGER: &str = ".ticket-export-files";

/// What the tool wrote to one report folder: (SHA-256, file name) pairs.
#[derive(Debug, Default)]
pub struct Written(HashSet<(String, String)>);

impl Written {
    /// Reads the ledger and the manifest of `folder`; missing or unreadable ones count as empty.
    pub fn read(folder: &Path) -> Written {
        let mut set = HashSet::new();
        for name in [LEDGER, MANIFEST] {
            let Ok(text) = fs::read_to_string(folder.join(name)) else {
                continue;
            };
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                if let Some((sha, file)) = line.split_once("  ") {
                    set.insert((sha.to_owned(), file.to_owned()));
                }
            }
        }
        Written(set)
    }

    /// Whether the file at `path` holds bytes the tool wrote under that name.
    pub fn is_ours(&self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        match digest_of(path) {
            Ok((sha, _)) => self.0.contains(&(sha, name.to_owned())),
            Err(_) => false,
        }
    }
}

/// Appends `(sha256, name)` lines to the ledger of `folder` and syncs it, before the files are
/// moved into place.
pub fn note(folder: &Path, files: &[(&str, &str)]) -> Result<(), WriteError> {
    if files.is_empty() {
        return Ok(());
    }
    let path = folder.join(LEDGER);
    let mut text = String::new();
    for (sha, name) in files {
        text.push_str(&format!("{sha}  {name}\n"));
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| fail(&path, format!("cannot record the files written: {e}")))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| fail(&path, format!("cannot record the files written: {e}")))
}

/// The refusal for a file in the way that the tool did not write.
pub fn not_ours(path: &Path) -> WriteError {
    fail(
        path,
        "was not written by ticket-export (its bytes are in neither SHA256SUMS nor .ticket-export-files), \
         so it is left untouched and this report's files were not written; move or rename it, then run again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_ours_by_name_and_bytes_from_the_ledger_or_the_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("r.csv"), "a").unwrap();
        fs::write(dir.join("r.md"), "b").unwrap();
        fs::write(dir.join("r.json"), "c").unwrap();
        let sha = |p: &str| digest_of(&dir.join(p)).unwrap().0;
        note(dir, &[(&sha("r.csv"), "r.csv")]).unwrap();
        fs::write(
            dir.join(MANIFEST),
            format!("# ticket-export report_id: \"r\"\n{}  r.md\n", sha("r.md")),
        )
        .unwrap();
        let written = Written::read(dir);
        assert!(written.is_ours(&dir.join("r.csv")), "from the ledger");
        assert!(written.is_ours(&dir.join("r.md")), "from the manifest");
        assert!(!written.is_ours(&dir.join("r.json")), "never recorded");
        fs::write(dir.join("r.csv"), "edited by the customer").unwrap();
        assert!(
            !Written::read(dir).is_ours(&dir.join("r.csv")),
            "other bytes"
        );
    }
}
