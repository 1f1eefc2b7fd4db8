//! Portable fallback files (design section 6): CSV, Markdown and JSON a customer can import
//! without provider credentials.
//!
//! The writers (`csv`, `markdown`, `json`) are generic over `io::Write` and see only
//! [`PortableRow`]s: redacted finding text plus the non-secret [`TicketShape`] of a provider's
//! mapping. They never receive the config, so no credential can reach a file. `write` puts
//! bytes on disk safely, `sink` hands them to it and `commit` puts them in place; `select`,
//! `export` and `pipeline` run a fallback over the store.

mod commit;
pub mod csv;
pub mod export;
mod files;
pub mod json;
pub mod ledger;
pub mod markdown;
pub mod names;
mod pipeline;
pub use crate::redact;
pub mod select;
mod sink;
pub mod write;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::Config;
use crate::model::{Finding, Report, Severity};
use crate::store::PortableSource;

/// The JSON Schema of the portable JSON file, as committed under `schemas/`.
pub const JSON_SCHEMA: &str = include_str!("../../schemas/fallback-v1.schema.json");

/// A portable file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum PortableFormat {
    /// CSV, with the columns of `--preset`.
    Csv,
    /// One Markdown document per report.
    #[value(name = "md")]
    Markdown,
    /// JSON with `schema_version` 1 (see `--schema`).
    Json,
}

impl PortableFormat {
    /// Every format, in the order files are written.
    pub const ALL: [PortableFormat; 3] = [
        PortableFormat::Csv,
        PortableFormat::Markdown,
        PortableFormat::Json,
    ];

    /// The spelling of `--format` and of JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            PortableFormat::Csv => "csv",
            PortableFormat::Markdown => "md",
            PortableFormat::Json => "json",
        }
    }
}

/// The columns of the CSV file: generic, or shaped for a provider's own CSV importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum CsvPreset {
    /// Stable columns for any tool: ids, fingerprint, finding fields, labels, status.
    #[default]
    Generic,
    /// Jira's CSV importer: Summary, Issue Type, Description, Priority, one Labels column per label.
    Jira,
    /// GitLab's issue import: title, description.
    Gitlab,
    /// Azure Boards import: Work Item Type, Title, Description, Tags; at most 1,000 rows a file.
    AzureDevops,
    /// Asana's CSV importer: Name, Description, Section.
    Asana,
}

impl CsvPreset {
    /// The spelling of `--preset`, also used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvPreset::Generic => "generic",
            CsvPreset::Jira => "jira",
            CsvPreset::Gitlab => "gitlab",
            CsvPreset::AzureDevops => "azure-devops",
            CsvPreset::Asana => "asana",
        }
    }

    /// The most rows one file may hold: Azure Boards refuses files over 1,000 work items.
    pub fn rows_per_file(self) -> Option<u64> {
        match self {
            CsvPreset::AzureDevops => Some(1000),
            _ => None,
        }
    }
}

/// What a provider's mapping says about the tickets it would create: nothing secret, only the
/// names an importer needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketShape {
    pub issue_type: Option<String>,
    pub work_item_type: Option<String>,
    pub section: Option<String>,
    pub labels: Vec<String>,
    pub priority: BTreeMap<Severity, String>,
}

/// The ticket shapes of every configured provider, by provider key.
pub fn shapes(config: &Config) -> BTreeMap<String, Arc<TicketShape>> {
    config
        .providers
        .iter()
        .map(|(key, p)| {
            let m = &p.mapping;
            let shape = TicketShape {
                issue_type: m.issue_type.clone(),
                work_item_type: m.work_item_type.clone(),
                section: m.section.clone(),
                labels: m.labels.clone(),
                priority: m.priority.clone(),
            };
            (key.clone(), Arc::new(shape))
        })
        .collect()
}

/// One finding as the writers see it: redacted text, ids, fingerprint and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct PortableRow {
    pub ticket_export_id: String,
    pub fingerprint: String,
    pub provider_key: String,
    /// The finding, with credentials in its text redacted.
    pub finding: Finding,
    /// The provider mapping's labels, then the fingerprint label `fp-<12 hex>`.
    pub labels: Vec<String>,
    /// The provider's ticket shape; the default when the provider is not configured. Shared,
    /// since every row of a provider has the same one.
    pub shape: Arc<TicketShape>,
}

impl PortableRow {
    /// Builds the row a writer gets from a store row: redacts every free-text field (and
    /// breaks marker phrases, so an imported file cannot carry another finding's marker) and
    /// adds the labels, so that a ticket imported from the file is found by a later lookup.
    pub fn new(source: PortableSource, shapes: &BTreeMap<String, Arc<TicketShape>>) -> PortableRow {
        let shape = shapes
            .get(&source.provider_key)
            .cloned()
            .unwrap_or_default();
        let mut labels = shape.labels.clone();
        let fp_label = fingerprint_label(&source.fingerprint);
        if !labels.contains(&fp_label) {
            labels.push(fp_label);
        }
        PortableRow {
            ticket_export_id: source.ticket_export_id,
            fingerprint: source.fingerprint,
            provider_key: source.provider_key,
            finding: crate::markup::outgoing(source.finding),
            labels,
            shape,
        }
    }
}

/// `fp-` and the first 12 characters of the fingerprint's digest: the label providers with
/// labels carry. Counted in characters, since an imported fingerprint may be any text.
pub fn fingerprint_label(fingerprint: &str) -> String {
    let digest = fingerprint.rsplit(':').next().unwrap_or(fingerprint);
    let end = digest
        .char_indices()
        .nth(12)
        .map_or(digest.len(), |(i, _)| i);
    let mut label = String::with_capacity(3 + end);
    label.push_str("fp-");
    label.push_str(&digest[..end]);
    label
}

/// A report's header as the writers see it: redacted like the findings.
pub fn report_header(report: &Report) -> Report {
    redact::report(report)
}

/// The body marker that a later lookup matches (`providers::marker`): the same line a ticket
/// carries, with an imported fingerprint that could end the comment percent-encoded in it.
pub fn body_marker(fingerprint: &str) -> Option<String> {
    (!fingerprint.is_empty()).then(|| crate::providers::marker::line(fingerprint))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fingerprint_labels_take_twelve_characters_of_the_digest() {
        use super::fingerprint_label;
        assert_eq!(fingerprint_label("fp1:abcdef0123456789"), "fp-abcdef012345");
        assert_eq!(fingerprint_label("fp1:abc"), "fp-abc");
        assert_eq!(fingerprint_label(""), "fp-");
        let wide = "é".repeat(20);
        assert_eq!(fingerprint_label(&wide), format!("fp-{}", "é".repeat(12)));
    }
}
