//! One Markdown document per report: a summary table, then one section per finding.
//!
//! CommonMark with the GFM table extension, so it renders the same on GitHub and GitLab. Finding
//! text comes from scanned sites and can be hostile, so all of it is escaped: inline punctuation
//! gets a backslash, line starts that would open a block (headings, lists, quotes, HTML) are
//! neutralised, table cells stay on one line with `|` escaped, and evidence goes in a fenced
//! code block whose fence is longer than any backtick run inside it. No raw HTML is ever
//! emitted, so a finding cannot inject markup or break the document's structure.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use super::PortableRow;
use crate::model::Report;

/// Longest title shown in the summary table; the section heading has the whole title.
const TABLE_TITLE_CHARS: usize = 120;

/// Writes one report's document. The table is written as rows arrive; sections go to `spill`
/// (a temporary file) and are appended by [`MarkdownWriter::finish`], so memory stays flat
/// however many findings a report has.
pub struct MarkdownWriter<W: Write, S: Read + Write + Seek> {
    out: W,
    spill: BufWriter<S>,
    rows: u64,
    /// A table row, then a section, built here and written at once: the pieces of a finding
    /// are appended to one reused buffer rather than each allocated on its own.
    buf: String,
}

impl<W: Write, S: Read + Write + Seek> MarkdownWriter<W, S> {
    /// Starts the document with the report's heading and the table header.
    pub fn new(mut out: W, spill: S, report: &Report) -> io::Result<Self> {
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
            spill: BufWriter::with_capacity(256 * 1024, spill),
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
        self.spill.write_all(b.as_bytes())
    }

    /// Ends the document: appends the sections and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        writeln!(self.out, "\n{} finding(s).", self.rows)?;
        let mut spill = self.spill.into_inner().map_err(|e| e.into_error())?;
        spill.seek(SeekFrom::Start(0))?;
        io::copy(&mut spill, &mut self.out)?;
        self.out.flush()?;
        Ok(self.out)
    }
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

/// Characters that open inline syntax anywhere in a line (CommonMark plus GFM's `~` and `|`).
fn inline_special(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'`'
            | b'*'
            | b'_'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'!'
            | b'&'
            | b'|'
            | b'~'
            | b'{'
            | b'}'
    )
}

/// Characters that open a block at the start of a line.
fn opens_line(b: u8) -> bool {
    matches!(b, b'#' | b'>' | b'-' | b'+' | b'=')
}

/// Appends one line of text to `out`, escaped so it renders as itself; `extra` is escaped
/// anywhere in the line too (`#` in headings).
fn escape_with_into(out: &mut String, line: &str, extra: Option<u8>) {
    let line = line.trim_start_matches([' ', '\t']);
    let bytes = line.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut copied = 0;
    // Every byte that needs a backslash or a replacement is ASCII, so slicing at it is safe.
    for (i, &b) in bytes.iter().enumerate() {
        let opens_block = (i == 0 && opens_line(b))
            // `1.` or `1)` at the start of a line opens an ordered list.
            || (i == digits && digits > 0 && (b == b'.' || b == b')'));
        let escape = inline_special(b) || Some(b) == extra || opens_block;
        if !escape && b != 0 {
            continue;
        }
        out.push_str(&line[copied..i]);
        if b == 0 {
            out.push('\u{FFFD}');
        } else {
            out.push('\\');
            out.push(b as char);
        }
        copied = i + 1;
    }
    out.push_str(&line[copied..]);
}

/// Normalises line ends and control characters a renderer would choke on.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Appends multi-line text as paragraphs: blank lines separate paragraphs, other line breaks
/// are kept as hard breaks (a trailing backslash).
fn paragraphs_into(out: &mut String, text: &str) {
    let start = out.len();
    let mut in_paragraph = false;
    let mut escaped = String::new();
    for line in lines(text.trim_matches(['\n', '\r'])) {
        escaped.clear();
        escape_with_into(&mut escaped, line, None);
        if escaped.trim().is_empty() {
            if in_paragraph {
                out.push('\n');
            }
            in_paragraph = false;
            continue;
        }
        if in_paragraph {
            out.push_str("\\\n");
        } else if out.len() > start {
            out.push('\n');
        }
        out.push_str(escaped.trim_end());
        in_paragraph = true;
    }
    out.push('\n');
}

/// Text on one line: every line break becomes a space.
fn one_line(text: &str) -> Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        Cow::Owned(text.replace("\r\n", " ").replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(text)
    }
}

/// Appends a heading's text: one line, escaped (a trailing `#` is escaped too, so it is not
/// taken as a closing sequence).
fn heading_into(out: &mut String, text: &str) {
    let start = out.len();
    escape_with_into(out, one_line(text).trim(), Some(b'#'));
    if out.len() == start {
        out.push_str("(untitled)");
    }
}

/// A code span, with a fence of backticks longer than any run inside it.
pub fn code_span(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    code_span_into(&mut out, text);
    out
}

/// [`code_span`], appended to `out`.
fn code_span_into(out: &mut String, text: &str) {
    // Ids, fingerprints and URLs rarely need more than plain backticks: skip the general path.
    if !text.is_empty()
        && !text.contains(['`', '\n', '\r', '\0'])
        && !text.starts_with(' ')
        && !text.ends_with(' ')
    {
        out.push('`');
        out.push_str(text);
        out.push('`');
        return;
    }
    let text = one_line(text);
    let text = if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        text
    };
    if text.is_empty() {
        out.push_str("_none_");
        return;
    }
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    for part in [fence.as_str(), pad, &text, pad, &fence] {
        out.push_str(part);
    }
}

/// Appends a code span for a table cell: GFM splits cells on `|` even inside code spans.
fn cell_code_into(out: &mut String, text: &str) {
    let start = out.len();
    code_span_into(out, text);
    if out[start..].contains('|') {
        let span = out.split_off(start);
        out.push_str(&span.replace('|', "\\|"));
    }
}

/// Appends a fenced code block that no line of `text` can close.
fn fenced_into(out: &mut String, text: &str) {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    out.push_str(&fence);
    out.push_str("text\n");
    for line in lines(text.trim_end_matches(['\n', '\r'])) {
        if line.contains('\0') {
            out.push_str(&line.replace('\0', "\u{FFFD}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(into: fn(&mut String, &str), text: &str) -> String {
        let mut out = String::new();
        into(&mut out, text);
        out
    }

    fn escape_line(line: &str) -> String {
        rendered(|out, line| escape_with_into(out, line, None), line)
    }

    #[test]
    fn block_openers_and_inline_syntax_are_escaped() {
        assert_eq!(escape_line("# not a heading"), "\\# not a heading");
        assert_eq!(escape_line("  - not a list"), "\\- not a list");
        assert_eq!(escape_line("12. not a list"), "12\\. not a list");
        assert_eq!(
            escape_line("<script>x</script>"),
            "\\<script\\>x\\</script\\>"
        );
        assert_eq!(escape_line("a | b `c` *d*"), "a \\| b \\`c\\` \\*d\\*");
        assert_eq!(
            escape_line("v1.2 at https://x.example/a?b=1"),
            "v1.2 at https://x.example/a?b=1"
        );
    }

    #[test]
    fn code_spans_and_fences_outgrow_backticks() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(rendered(fenced_into, "```\nx"), "````text\n```\nx\n````\n");
        assert_eq!(rendered(cell_code_into, "a|b"), "`a\\|b`");
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_blank_lines() {
        assert_eq!(rendered(paragraphs_into, "a\nb\n\nc"), "a\\\nb\n\nc\n");
        assert_eq!(rendered(paragraphs_into, "\r\n- x\r\n"), "\\- x\n");
    }
}
