//! The portable JSON file: `schema_version` 1, one per report, described by the JSON Schema in
//! `schemas/fallback-v1.schema.json` (printed by `ticket-export fallback --schema`).
//!
//! Findings are streamed one per line, so a report of any size is written in constant memory
//! and the file diffs well between runs.

use std::io::{self, Write};

use serde::Serialize;

use super::PortableRow;
use crate::model::{FindingStatus, Report, Severity};

/// The version of the JSON file's shape; a breaking change gets a new schema file.
pub const SCHEMA_VERSION: u32 = 1;

/// One finding as the JSON file holds it.
#[derive(Serialize)]
struct JsonFinding<'a> {
    ticket_export_id: &'a str,
    fingerprint: &'a str,
    provider_key: &'a str,
    finding_id: &'a str,
    rule_id: &'a str,
    severity: Severity,
    title: &'a str,
    url: &'a str,
    parameter: Option<&'a str>,
    description: &'a str,
    evidence: &'a str,
    remediation: &'a str,
    status: FindingStatus,
    labels: &'a [String],
}

/// Writes one report's JSON document.
pub struct JsonWriter<W: Write> {
    out: W,
    rows: u64,
    /// One finding's line: serialised here, then handed to `out` in one write. serde_json writes
    /// a piece at a time (a key, a quote, a value), and each piece going through the file's sink
    /// cost about as much as the serialising.
    line: Vec<u8>,
}

impl<W: Write> JsonWriter<W> {
    /// Starts the document with the schema version and the report.
    pub fn new(mut out: W, report: &Report) -> io::Result<Self> {
        write!(out, "{{\"schema_version\":{SCHEMA_VERSION},\"report\":")?;
        serde_json::to_writer(&mut out, report)?;
        out.write_all(b",\"findings\":[")?;
        Ok(JsonWriter {
            out,
            rows: 0,
            line: Vec::with_capacity(4096),
        })
    }

    /// Adds one finding, on its own line.
    pub fn row(&mut self, row: &PortableRow) -> io::Result<()> {
        let f = &row.finding;
        let finding = JsonFinding {
            ticket_export_id: &row.ticket_export_id,
            fingerprint: &row.fingerprint,
            provider_key: &row.provider_key,
            finding_id: &f.finding_id,
            rule_id: &f.rule_id,
            severity: f.severity,
            title: &f.title,
            url: &f.url,
            parameter: f.parameter.as_deref(),
            description: &f.description,
            evidence: &f.evidence,
            remediation: &f.remediation,
            status: f.status,
            labels: &row.labels,
        };
        self.line.clear();
        self.line
            .extend_from_slice(if self.rows == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut self.line, &finding)?;
        self.out.write_all(&self.line)?;
        self.rows += 1;
        Ok(())
    }

    /// Closes the document and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}
