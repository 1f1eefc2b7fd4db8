//! One report's file set: its open writers, the files they commit, and the `SHA256SUMS`
//! manifest that ties them together.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::commit::digest_of;
use super::csv::CsvWriter;
use super::export::{ExportOptions, FileOutcome, FileRecord, MANIFEST, ReportResult, Target};
use super::json::JsonWriter;
use super::ledger::Written;
use super::markdown::{MarkdownWriter, Spill};
use super::names;
use super::sink::{Pending, Sink, commit_pending, pending};
use super::write::{HashSink, ReportDir, WriteError};
use super::{CsvPreset, PortableFormat, PortableRow, report_header};
use crate::model::Report;

/// The open writers of one report.
pub(super) struct ReportSet {
    pub(super) report_id: String,
    stem: String,
    header: Report,
    dir: Result<Folder, WriteError>,
    csv: Option<(CsvWriter<Sink>, u32)>,
    md: Option<MarkdownWriter<Sink, File>>,
    json: Option<JsonWriter<Sink>>,
    label_columns: usize,
    done: Vec<FileRecord>,
    rows: u64,
}

/// A report's folder: real, or only a path for a dry run.
enum Folder {
    Real(ReportDir),
    Dry(PathBuf),
}

impl Folder {
    fn path(&self) -> &Path {
        match self {
            Folder::Real(d) => d.path(),
            Folder::Dry(p) => p,
        }
    }

    fn sink(&self, name: &str) -> Result<Sink, WriteError> {
        match self {
            Folder::Real(d) => d.stage(name).map(Sink::Staged),
            Folder::Dry(p) => Ok(Sink::Dry(HashSink::default(), p.join(name))),
        }
    }

    /// Makes the Markdown writer's spill file, when it needs one.
    fn spill(&self) -> Spill<File> {
        match self {
            Folder::Real(d) => {
                let path = d.path().to_path_buf();
                Box::new(move || tempfile::tempfile_in(path))
            }
            Folder::Dry(_) => Box::new(tempfile::tempfile),
        }
    }
}

impl ReportSet {
    pub(super) fn open(
        target: Target<'_>,
        report: &Report,
        opts: &ExportOptions<'_>,
        label_columns: usize,
    ) -> ReportSet {
        let dir = match target {
            Err(e) => Err(e.clone()),
            Ok(out) if opts.dry_run => Ok(Folder::Dry(out.report_path(&report.report_id))),
            Ok(out) => out.report_dir(&report.report_id).map(Folder::Real),
        };
        // The files are named after the folder (see `names.rs`); a folder that could not be
        // made writes nothing, whatever its stem.
        let stem = match &dir {
            Ok(Folder::Real(d)) => d.name().to_owned(),
            Ok(Folder::Dry(p)) => file_name(p),
            Err(_) => names::report_name(&report.report_id),
        };
        let mut set = ReportSet {
            report_id: report.report_id.clone(),
            stem,
            header: report_header(report),
            dir,
            csv: None,
            md: None,
            json: None,
            label_columns,
            done: Vec::new(),
            rows: 0,
        };
        set.start(opts);
        set
    }

    fn fail_io(&mut self, e: io::Error) {
        let path = self
            .dir
            .as_ref()
            .map(|d| d.path().display().to_string())
            .unwrap_or_default();
        if self.dir.is_ok() {
            self.dir = Err(WriteError {
                path,
                reason: format!("cannot write: {e}"),
            });
        }
        self.csv = None;
        self.md = None;
        self.json = None;
    }

    fn start(&mut self, opts: &ExportOptions<'_>) {
        let started = (|| -> Result<(), WriteError> {
            let Ok(dir) = &self.dir else { return Ok(()) };
            let io_err = |e: io::Error| WriteError {
                path: dir.path().display().to_string(),
                reason: e.to_string(),
            };
            for format in opts.formats {
                match format {
                    PortableFormat::Csv => {
                        let name = self.csv_name(opts.preset, 1);
                        let w = CsvWriter::new(dir.sink(&name)?, opts.preset, self.label_columns)
                            .map_err(io_err)?;
                        self.csv = Some((w, 1));
                    }
                    PortableFormat::Markdown => {
                        let sink = dir.sink(&format!("{}.md", self.stem))?;
                        let w = MarkdownWriter::new(sink, dir.spill(), &self.header);
                        self.md = Some(w.map_err(io_err)?);
                    }
                    PortableFormat::Json => {
                        let sink = dir.sink(&format!("{}.json", self.stem))?;
                        self.json = Some(JsonWriter::new(sink, &self.header).map_err(io_err)?);
                    }
                }
            }
            Ok(())
        })();
        if let Err(e) = started {
            self.dir = Err(e);
            self.csv = None;
            self.md = None;
            self.json = None;
        }
    }

    fn csv_name(&self, preset: CsvPreset, part: u32) -> String {
        match preset {
            CsvPreset::Generic => format!("{}.csv", self.stem),
            p if p.rows_per_file().is_some() => {
                format!("{}.{}.{part:03}.csv", self.stem, p.as_str())
            }
            p => format!("{}.{}.csv", self.stem, p.as_str()),
        }
    }

    pub(super) fn row(&mut self, row: &PortableRow, opts: &ExportOptions<'_>) {
        self.rows += 1;
        if self.dir.is_err() {
            return;
        }
        if let Err(e) = self.feed(row, opts) {
            self.fail_io(e);
        }
    }

    fn feed(&mut self, row: &PortableRow, opts: &ExportOptions<'_>) -> io::Result<()> {
        let full = matches!((&self.csv, opts.preset.rows_per_file()), (Some((w, _)), Some(limit)) if w.rows() >= limit);
        if full && let Some((w, part)) = self.csv.take() {
            let findings = w.rows();
            let part_file = pending(w.finish()?, "csv", Some(opts.preset), findings)
                .map_err(io::Error::other)?;
            self.commit(vec![part_file]).map_err(io::Error::other)?;
            let name = self.csv_name(opts.preset, part + 1);
            let sink = match &self.dir {
                Ok(dir) => dir.sink(&name).map_err(io::Error::other)?,
                Err(_) => return Ok(()),
            };
            self.csv = Some((
                CsvWriter::new(sink, opts.preset, self.label_columns)?,
                part + 1,
            ));
        }
        if let Some((w, _)) = self.csv.as_mut() {
            w.row(row, &self.report_id)?;
        }
        if let Some(md) = self.md.as_mut() {
            md.row(row)?;
        }
        if let Some(json) = self.json.as_mut() {
            json.row(row)?;
        }
        Ok(())
    }

    /// Puts files in place together, or for a dry run compares them with what is there, and
    /// keeps what the user is told about each.
    fn commit(&mut self, files: Vec<Pending>) -> Result<(), WriteError> {
        commit_pending(&self.report_id, files, &mut self.done)
    }

    /// Ends the writing: seals the files and their manifest. Putting them in place is left to
    /// [`SealedReport::commit`], which waits on the disk and so runs beside the writing of the
    /// next report.
    pub(super) fn seal(mut self, opts: &ExportOptions<'_>) -> SealedReport {
        let files = self.seal_files(opts);
        SealedReport {
            report_id: self.report_id,
            rows: self.rows,
            done: self.done,
            files,
        }
    }

    fn seal_files(&mut self, opts: &ExportOptions<'_>) -> Result<SealedFiles, WriteError> {
        let rows = self.rows;
        let folder = self
            .dir
            .as_ref()
            .map(|d| d.path().display().to_string())
            .unwrap_or_default();
        let as_err = |e: io::Error| WriteError {
            path: folder.clone(),
            reason: format!("cannot write: {e}"),
        };
        let mut files = Vec::new();
        if let Some((w, _)) = self.csv.take() {
            let findings = w.rows();
            let sink = w.finish().map_err(as_err)?;
            files.push(pending(sink, "csv", Some(opts.preset), findings)?);
        }
        if let Some(md) = self.md.take() {
            files.push(pending(md.finish().map_err(as_err)?, "md", None, rows)?);
        }
        if let Some(json) = self.json.take() {
            files.push(pending(json.finish().map_err(as_err)?, "json", None, rows)?);
        }
        let dir = std::mem::replace(&mut self.dir, Ok(Folder::Dry(PathBuf::new())))?;
        let mut listed: Vec<(String, String)> = self
            .done
            .iter()
            .map(|f| (file_name(&f.path), f.sha256.clone()))
            .chain(
                files
                    .iter()
                    .map(|p| (file_name(p.file.path()), p.file.sha256().to_owned())),
            )
            .collect();
        listed.sort();
        let mut sink = dir.sink(MANIFEST)?;
        writeln!(sink, "{}", names::manifest_header(&self.report_id)).map_err(as_err)?;
        for (name, sha) in &listed {
            writeln!(sink, "{sha}  {name}").map_err(as_err)?;
        }
        files.push(pending(sink, "sha256sums", None, rows)?);
        // The set is replaced whole: every file of the tool's naming for this report that this
        // run does not write goes, if the tool wrote it (an earlier run with another --format or
        // --preset, a run that failed before its manifest, a manifest deleted or edited since),
        // so the manifest covers every file of the set. Files the tool did not write stay, named
        // in the output (see `ledger`).
        let own = match &dir {
            Folder::Real(real) => real.own_files()?,
            Folder::Dry(path) => dry_own_files(path, &self.stem),
        };
        let stale = own
            .into_iter()
            .filter(|n| !listed.iter().any(|(l, _)| l == n))
            .collect();
        let folder_dir = match dir {
            Folder::Real(real) => Some(real),
            Folder::Dry(_) => None,
        };
        Ok(SealedFiles {
            files,
            dir: folder_dir,
            stale,
            path: PathBuf::from(&folder),
            folder,
        })
    }
}

/// A report whose files and manifest are written and sealed, not yet in place.
pub(super) struct SealedReport {
    report_id: String,
    rows: u64,
    /// Files already in place (full CSV parts).
    done: Vec<FileRecord>,
    files: Result<SealedFiles, WriteError>,
}

struct SealedFiles {
    /// The files, the manifest last.
    files: Vec<Pending>,
    /// The report's folder; none for a dry run.
    dir: Option<ReportDir>,
    /// Files of the tool's naming in the folder that this run does not write.
    stale: Vec<String>,
    /// The report folder's path (also for a dry run).
    path: PathBuf,
    folder: String,
}

impl SealedReport {
    /// Commits the files, then the manifest, then removes files an earlier run listed that this
    /// one does not write. Returns the report's outcome and every file it put in place (or
    /// would, in a dry run), failed or not.
    pub(super) fn commit(self) -> (ReportResult, Vec<FileRecord>) {
        let mut done = self.done;
        let outcome = self.files.and_then(|sealed| {
            commit_pending(&self.report_id, sealed.files, &mut done)?;
            let manifest = done.last().ok_or_else(|| WriteError {
                path: sealed.folder.clone(),
                reason: "cannot write: no manifest".to_owned(),
            })?;
            let manifest = manifest.clone();
            let written = Written::read(&sealed.path);
            for stale in &sealed.stale {
                let path = sealed.path.join(stale);
                let ours = written.is_ours(&path);
                let (sha256, bytes) = digest_of(&path).unwrap_or_default();
                let outcome = match (&sealed.dir, ours) {
                    (_, false) => FileOutcome::LeftAlone,
                    (None, true) => FileOutcome::WouldRemove,
                    (Some(dir), true) => {
                        dir.remove_stale(stale)?;
                        FileOutcome::Removed
                    }
                };
                done.push(FileRecord {
                    report_id: self.report_id.clone(),
                    format: format_of(stale),
                    preset: None,
                    path,
                    sha256,
                    bytes,
                    findings: 0,
                    outcome,
                });
            }
            Ok(format!(
                "{} sha256:{}",
                manifest.path.display(),
                manifest.sha256
            ))
        });
        let result = ReportResult {
            report_id: self.report_id,
            findings: self.rows,
            outcome,
        };
        (result, done)
    }
}

/// The files of the tool's naming in a dry run's report folder, if it exists.
fn dry_own_files(path: &Path, stem: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let mut own: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| names::is_own_file(stem, n))
        .collect();
    own.sort();
    own
}

/// `csv`, `md` or `json`, by a file's last extension.
fn format_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("md") => "md",
        Some("json") => "json",
        _ => "csv",
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
