//! CSV files: the generic columns, or a provider importer's columns (providers.md,
//! "Cross-provider design implications" item 8).
//!
//! Quoting is the `csv` crate's: a field with a comma, quote or line break is quoted and its
//! quotes doubled, which every importer here accepts for multi-line values. The generic file is
//! the one people open in a spreadsheet, so its cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@`, tab, carriage return first) get a leading `'` (OWASP's advice against CSV
//! injection); provider presets go to importers that do not evaluate formulas and stay verbatim.

use std::borrow::Cow;
use std::io::{self, Write};

use super::markdown::finding_body;
use super::{CsvPreset, PortableRow, body_marker};
use crate::model::Severity;

/// The generic columns, stable across versions.
pub const GENERIC_COLUMNS: [&str; 12] = [
    "ticket_export_id",
    "fingerprint",
    "report",
    "severity",
    "title",
    "url",
    "parameter",
    "description",
    "evidence",
    "remediation",
    "labels",
    "status",
];

/// Jira and Azure refuse summaries and titles longer than this.
const TITLE_MAX: usize = 255;

/// Writes one CSV file of a preset.
pub struct CsvWriter<W: Write> {
    csv: ::csv::Writer<W>,
    preset: CsvPreset,
    label_columns: usize,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a file with its header row. `label_columns` is how many `Labels` columns the Jira
    /// preset repeats (Jira takes one label per column); the caller fixes it for the whole run
    /// so that every file of a run has the same header.
    pub fn new(out: W, preset: CsvPreset, label_columns: usize) -> io::Result<Self> {
        let mut csv = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        let header: Vec<&str> = match preset {
            CsvPreset::Generic => GENERIC_COLUMNS.to_vec(),
            CsvPreset::Jira => {
                let mut h = vec!["Summary", "Issue Type", "Description", "Priority"];
                h.extend(std::iter::repeat_n("Labels", label_columns.max(1)));
                h
            }
            CsvPreset::Gitlab => vec!["title", "description"],
            CsvPreset::AzureDevops => vec!["Work Item Type", "Title", "Description", "Tags"],
            CsvPreset::Asana => vec!["Name", "Description", "Section"],
        };
        csv.write_record(&header)?;
        Ok(CsvWriter {
            csv,
            preset,
            label_columns: label_columns.max(1),
            rows: 0,
        })
    }

    /// Adds one finding.
    pub fn row(&mut self, row: &PortableRow, report_id: &str) -> io::Result<()> {
        self.rows += 1;
        let f = &row.finding;
        if self.preset == CsvPreset::Generic {
            // The hot path of large runs: cells are borrowed, not copied.
            let labels = row.labels.join(";");
            let cells = [
                row.ticket_export_id.as_str(),
                &row.fingerprint,
                report_id,
                f.severity.as_str(),
                &f.title,
                &f.url,
                f.parameter.as_deref().unwrap_or(""),
                &f.description,
                &f.evidence,
                &f.remediation,
                &labels,
                f.status.as_str(),
            ];
            self.csv
                .write_record(cells.iter().map(|cell| match defuse_formula(cell) {
                    Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                    Cow::Owned(text) => Cow::Owned(text.into_bytes()),
                }))?;
            return Ok(());
        }
        let record: Vec<String> = match self.preset {
            CsvPreset::Generic => unreachable!("written above"),
            CsvPreset::Jira => {
                let mut r = vec![
                    truncate(&f.title),
                    row.shape.issue_type.clone().unwrap_or_else(|| "Bug".into()),
                    with_marker(jira_description(row), row),
                    priority(row, jira_priority(f.severity)),
                ];
                // Jira labels cannot hold spaces.
                let labels = row
                    .labels
                    .iter()
                    .map(|l| l.replace(char::is_whitespace, "_"));
                r.extend(
                    labels
                        .chain(std::iter::repeat(String::new()))
                        .take(self.label_columns),
                );
                r
            }
            CsvPreset::Gitlab => vec![truncate(&f.title), with_marker(finding_body(row), row)],
            CsvPreset::AzureDevops => vec![
                row.shape
                    .work_item_type
                    .clone()
                    .unwrap_or_else(|| "Bug".into()),
                truncate(&f.title),
                azure_description(row),
                row.labels.join("; "),
            ],
            CsvPreset::Asana => vec![
                f.title.clone(),
                with_marker(plain_description(row), row),
                row.shape.section.clone().unwrap_or_default(),
            ],
        };
        self.csv.write_record(&record)?;
        Ok(())
    }

    /// How many findings this file holds.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// A `'` before a cell a spreadsheet would evaluate.
pub fn defuse_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn truncate(title: &str) -> String {
    let one_line = title.replace(['\r', '\n'], " ");
    if one_line.chars().count() <= TITLE_MAX {
        return one_line;
    }
    let mut short: String = one_line.chars().take(TITLE_MAX - 1).collect();
    short.push('…');
    short
}

fn priority(row: &PortableRow, default: &str) -> String {
    let severity = row.finding.severity;
    row.shape
        .priority
        .get(&severity)
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

/// Jira's default priority scheme.
fn jira_priority(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Highest",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Lowest",
    }
}

fn with_marker(mut body: String, row: &PortableRow) -> String {
    if let Some(marker) = body_marker(&row.fingerprint) {
        body.push('\n');
        body.push_str(&marker);
    }
    body
}

fn facts(row: &PortableRow) -> String {
    let f = &row.finding;
    let mut s = format!(
        "Severity: {}\nURL: {}\n",
        f.severity,
        f.url.replace(['\r', '\n'], " ")
    );
    if let Some(p) = &f.parameter {
        s.push_str(&format!("Parameter: {p}\n"));
    }
    s.push_str(&format!(
        "ticket_export_id: {}\nFingerprint: {}\n",
        row.ticket_export_id, row.fingerprint
    ));
    s
}

/// Jira wiki markup: finding text escaped line by line (so it cannot mention, embed or link),
/// evidence in a `{noformat}` block that the evidence cannot close.
fn jira_description(row: &PortableRow) -> String {
    let f = &row.finding;
    let wiki = |text: &str| {
        text.lines()
            .map(crate::markup::wiki::escape_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let evidence = f.evidence.replace("{noformat}", "{ noformat}");
    format!(
        "{}\n\nh3. Evidence\n{{noformat}}\n{}\n{{noformat}}\n\nh3. Remediation\n{}\n\n{}",
        wiki(&f.description),
        evidence,
        wiki(&f.remediation),
        wiki(&facts(row))
    )
}

/// Plain text, for Asana notes.
fn plain_description(row: &PortableRow) -> String {
    let f = &row.finding;
    format!(
        "{}\n\nEvidence:\n{}\n\nRemediation:\n{}\n\n{}",
        f.description,
        f.evidence,
        f.remediation,
        facts(row)
    )
}

/// Azure's Description is HTML: user text is escaped, line breaks become `<br>`.
fn azure_description(row: &PortableRow) -> String {
    let f = &row.finding;
    let html = |text: &str| {
        html_escape(text)
            .replace("\r\n", "\n")
            .replace('\n', "<br>")
    };
    let mut s = format!(
        "<p>{}</p><h3>Evidence</h3><pre>{}</pre><h3>Remediation</h3><p>{}</p><p>{}</p>",
        html(&f.description),
        html_escape(&f.evidence),
        html(&f.remediation),
        html(&facts(row))
    );
    if let Some(marker) = body_marker(&row.fingerprint) {
        s.push_str(&marker);
    }
    s
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    crate::markup::html::escape(text)
}
