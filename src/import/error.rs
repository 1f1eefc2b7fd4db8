//! How an import is refused: every problem by its JSON path, on one line each.

use std::fmt;

use crate::error::StoreError;

/// At most this many problems are listed; the rest are counted.
pub(super) const MAX_LISTED: usize = 50;

/// The import file was refused; nothing was written. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub struct ImportError {
    pub source_name: String,
    pub problems: Vec<(String, String)>,
    pub unlisted: usize,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.problems.len() + self.unlisted;
        writeln!(
            f,
            "{} was not imported: {total} problem(s)",
            self.source_name
        )?;
        for (path, message) in &self.problems {
            writeln!(f, "  - {path}: {message}")?;
        }
        if self.unlisted > 0 {
            writeln!(f, "  - … and {} more", self.unlisted)?;
        }
        writeln!(
            f,
            "  why: a file imports whole or not at all, so the store is unchanged"
        )?;
        write!(
            f,
            "  next: fix the fields named above (the README's Import format section lists them) and import again"
        )
    }
}

/// Why an import did not happen: the file (exit 2) or the store (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn file_error(source_name: &str, path: &str, message: String) -> ImportFailure {
    ImportError {
        source_name: source_name.to_owned(),
        problems: vec![(
            if path.is_empty() {
                "$".into()
            } else {
                path.into()
            },
            message,
        )],
        unlisted: 0,
    }
    .into()
}

/// `text` with every character that would break its line or steer a terminal escaped, so that a
/// value quoted from the file (or the store) cannot forge lines of the message.
pub(super) fn one_line(text: String) -> String {
    if !text.chars().any(super::members::is_break) {
        return text;
    }
    text.chars()
        .map(|c| {
            if super::members::is_break(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
