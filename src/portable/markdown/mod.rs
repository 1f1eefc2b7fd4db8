//! One Markdown document per report: a summary table, then one section per finding.
//!
//! CommonMark with the GFM table extension, so it renders the same on GitHub and GitLab. Finding
//! text comes from scanned sites and can be hostile, so all of it is escaped: inline punctuation
//! gets a backslash, line starts that would open a block (headings, lists, quotes, HTML) are
//! neutralised, table cells stay on one line with `|` escaped, and evidence goes in a fenced
//! code block whose fence is longer than any backtick run inside it. No raw HTML is ever
//! emitted, so a finding cannot inject markup or break the document's structure.

use std::fmt::Write as _;
use std::io::{self, Read, Seek, SeekFrom, Write};

pub use crate::markup::markdown::code_span;
use crate::markup::markdown::{
    cell_code_into, code_span_into, escape_with_into, fenced_into, heading_into, one_line,
    paragraphs_into,
};

use super::PortableRow;
use crate::model::Report;

/// Longest title shown in the summary table; the section heading has the whole title.
const TABLE_TITLE_CHARS: usize = 120;

/// Makes a spill file.
pub type Spill<S> = Box<dyn FnOnce() -> io::Result<S> + Send>;

/// Sections kept in memory before they go to the spill file.
const SECTIONS_IN_MEMORY: usize = 4 * 1024 * 1024;

/// Writes one report's document. The table is written as rows arrive; sections are kept until
/// [`MarkdownWriter::finish`] appends them: in memory up to [`SECTIONS_IN_MEMORY`], beyond that
/// in `spill` (a temporary file), so memory stays flat however many findings a report has, and
/// a report of common size never writes and reads its sections twice.
pub struct MarkdownWriter<W: Write, S: Read + Write + Seek> {
    out: W,
    sections: Vec<u8>,
    /// The spill file once made (see `open_spill`), or what makes it; most reports never
    /// need one.
    spill: Result<S, Option<Spill<S>>>,
    rows: u64,
    /// A table row, then a section, built here and written at once: the pieces of a finding
    /// are appended to one reused buffer rather than each allocated on its own.
    buf: String,
}

impl<W: Write, S: Read + Write + Seek> MarkdownWriter<W, S> {
    /// Starts the document with the report's heading and the table header.
    pub fn new(mut out: W, spill: Spill<S>, report: &Report) -> io::Result<Self> {
        let mut title = String::new();
        heading_into(&mut title, &report.title);
        writeln!(out, "# Findings: {title}\n")?;
        writeln!(out, "- Report: {}", code_span(&report.report_id))?;
        writeln!(out, "- Target: {}", code_span(&report.target))?;
        writeln!(
            out,
            "- Written by ticket-export for import without provider credentials; every \
             finding carries its `ticket_export_id` and fingerprint.\n"
        )?;
        writeln!(
            out,
            "| # | Severity | Title | ticket_export_id | Fingerprint |\n| ---: | --- | --- | --- | --- |"
        )?;
        Ok(MarkdownWriter {
            out,
            sections: Vec::new(),
            spill: Err(Some(spill)),
            rows: 0,
            buf: String::with_capacity(4096),
        })
    }

    /// Adds one finding: a table row now, its section to the spill.
    pub fn row(&mut self, row: &PortableRow) -> io::Result<()> {
        self.rows += 1;
        let n = self.rows;
        let f = &row.finding;
        let title = one_line(&f.title);
        let cut = title
            .char_indices()
            .nth(TABLE_TITLE_CHARS)
            .map_or(title.len(), |(i, _)| i);
        let b = &mut self.buf;
        b.clear();
        let _ = write!(b, "| {n} | {} | ", f.severity);
        escape_with_into(b, title[..cut].trim(), None);
        if cut < title.len() {
            b.push('…');
        }
        b.push_str(" | ");
        cell_code_into(b, &row.ticket_export_id);
        b.push_str(" | ");
        cell_code_into(b, &row.fingerprint);
        b.push_str(" |\n");
        self.out.write_all(b.as_bytes())?;
        b.clear();
        let _ = write!(b, "\n## {n}. ");
        heading_into(b, &f.title);
        b.push_str("\n\n");
        finding_body_into(b, row);
        self.sections.extend_from_slice(b.as_bytes());
        if self.sections.len() >= SECTIONS_IN_MEMORY {
            open_spill(&mut self.spill)?.write_all(&self.sections)?;
            self.sections.clear();
        }
        Ok(())
    }

    /// Ends the document: appends the sections and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.out, "\n{} finding(s).", self.rows)?;
        if let Ok(spill) = &mut self.spill {
            spill.seek(SeekFrom::Start(0))?;
            io::copy(spill, &mut self.out)?;
        }
        self.out.write_all(&self.sections)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The spill file, made the first time sections outgrow memory.
fn open_spill<S>(spill: &mut Result<S, Option<Spill<S>>>) -> io::Result<&mut S> {
    let unmade = || io::Error::other("the Markdown spill file could not be made");
    if let Err(make) = spill {
        *spill = Ok(make.take().ok_or_else(unmade)?()?);
    }
    spill.as_mut().map_err(|_| unmade())
}

/// A finding's fields, description, evidence and remediation as Markdown: the section body of
/// the document, and the description of the GitLab CSV preset.
pub fn finding_body(row: &PortableRow) -> String {
    let f = &row.finding;
    let mut s =
        String::with_capacity(512 + f.description.len() + f.evidence.len() + f.remediation.len());
    finding_body_into(&mut s, row);
    s
}

/// [`finding_body`], appended to `s`.
fn finding_body_into(s: &mut String, row: &PortableRow) {
    let f = &row.finding;
    fn field(s: &mut String, name: &str, value: impl FnOnce(&mut String)) {
        for part in ["- **", name, ":** "] {
            s.push_str(part);
        }
        value(s);
        s.push('\n');
    }
    field(s, "ticket_export_id", |s| {
        code_span_into(s, &row.ticket_export_id)
    });
    field(s, "Fingerprint", |s| code_span_into(s, &row.fingerprint));
    field(s, "Provider", |s| code_span_into(s, &row.provider_key));
    field(s, "Finding", |s| {
        code_span_into(s, &f.finding_id);
        s.push_str(" (rule ");
        code_span_into(s, &f.rule_id);
        s.push(')');
    });
    field(s, "Severity", |s| s.push_str(f.severity.as_str()));
    field(s, "Status", |s| s.push_str(f.status.as_str()));
    field(s, "URL", |s| code_span_into(s, &f.url));
    if let Some(p) = &f.parameter {
        field(s, "Parameter", |s| code_span_into(s, p));
    }
    field(s, "Labels", |s| {
        for (i, label) in row.labels.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            code_span_into(s, label);
        }
    });
    for (name, text) in [("Description", &f.description), ("Evidence", &f.evidence)] {
        for part in ["\n**", name, "**\n\n"] {
            s.push_str(part);
        }
        if text.trim().is_empty() {
            s.push_str("_none_\n");
        } else if name == "Evidence" {
            fenced_into(s, text);
        } else {
            paragraphs_into(s, text);
        }
    }
    s.push_str("\n**Remediation**\n\n");
    if f.remediation.trim().is_empty() {
        s.push_str("_none_\n");
    } else {
        paragraphs_into(s, &f.remediation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_past_the_memory_bound_spill_and_keep_their_order() {
        use crate::model::{Finding, FindingStatus, Severity};
        let report = Report {
            report_id: "r".into(),
            title: "T".into(),
            target: "t".into(),
        };
        let spill: Spill<_> = Box::new(|| Ok(io::Cursor::new(Vec::new())));
        let mut w = MarkdownWriter::new(Vec::new(), spill, &report).unwrap();
        let rows = 2 * SECTIONS_IN_MEMORY / 4096 + 3;
        for n in 0..rows {
            let row = PortableRow {
                ticket_export_id: format!("tex_{n}"),
                fingerprint: "fp".into(),
                provider_key: "p".into(),
                finding: Finding {
                    report_id: "r".into(),
                    finding_id: format!("f{n}"),
                    rule_id: "x".into(),
                    title: format!("Finding {n}"),
                    severity: Severity::Low,
                    url: "u".into(),
                    parameter: None,
                    description: "d".repeat(4096),
                    evidence: String::new(),
                    remediation: String::new(),
                    status: FindingStatus::Open,
                },
                labels: Vec::new(),
                shape: Default::default(),
            };
            w.row(&row).unwrap();
        }
        assert!(w.spill.is_ok());
        let doc = String::from_utf8(w.finish().unwrap()).unwrap();
        let headings: Vec<usize> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## ")?.split_once('.')?.0.parse().ok())
            .collect();
        assert_eq!(headings, (1..=rows).collect::<Vec<_>>());
        assert!(doc.contains(&format!("\n{rows} finding(s).\n\n## 1. Finding 0\n")));
    }
}
