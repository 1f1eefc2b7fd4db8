//! `import`: streams an import file into the store in one transaction.
//!
//! The file is read with serde's seeds, one record at a time, so memory stays flat however large
//! it is. Every problem is collected with its JSON path; a file with any problem imports nothing.

mod record;
mod stream;

use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::DeserializeSeed;

use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::StoreError;
use crate::store::{ImportCounts, Store};
use stream::{Ctx, TopSeed};

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 50;

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

/// Imports `input` into the store. `source_name` names the file in messages.
pub fn import(
    store: &mut Store,
    config: &Config,
    ambient: &Ambient,
    input: impl Read,
    source_name: &str,
) -> Result<ImportCounts, ImportFailure> {
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
    let mut staging = store.begin_import()?;
    for (key, connection, mapping) in &digests {
        staging.owner_digests(&crate::store::OwnerDigests {
            provider_key: key,
            connection,
            mapping,
            output: &output,
        })?;
    }
    let mut ctx = Ctx {
        staging: &mut staging,
        problems: Vec::new(),
        unlisted: 0,
        store_error: None,
        path: String::new(),
    };
    let mut reader = BufReader::with_capacity(256 * 1024, input);
    skip_bom(&mut reader)
        .map_err(|e| file_error(source_name, "", format!("cannot be read: {e}")))?;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = TopSeed(&mut ctx)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(err) = ctx.store_error.take() {
        return Err(err.into());
    }
    if let Err(err) = parsed {
        let message = if err.is_eof() && err.line() <= 1 && err.column() == 0 {
            "the file is empty; expected {\"schema_version\": 1, \"reports\": [...]}".to_string()
        } else {
            err.to_string()
        };
        let path = if ctx.path.is_empty() {
            "$".to_string()
        } else {
            ctx.path.clone()
        };
        ctx.push(path, message);
    }
    let (mut problems, unlisted) = (std::mem::take(&mut ctx.problems), ctx.unlisted);
    if problems.is_empty() {
        problems = staging.validate()?;
    }
    if !problems.is_empty() {
        let listed = problems.len().min(MAX_LISTED);
        let unlisted = unlisted + problems.len() - listed;
        problems.truncate(listed);
        return Err(ImportError {
            source_name: source_name.to_owned(),
            problems,
            unlisted,
        }
        .into());
    }
    Ok(staging.commit(ambient.now())?)
}

fn file_error(source_name: &str, path: &str, message: String) -> ImportFailure {
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

/// A UTF-8 byte-order mark is harmless; skip it so editors that add one are not punished.
fn skip_bom(reader: &mut impl BufRead) -> std::io::Result<()> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}
