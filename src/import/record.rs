//! Field-by-field validation of one report header, finding or ticket export, naming every
//! problem by its JSON path.
//!
//! A record arrives as a [`RawRecord`] (see `raw.rs`); unknown keys are listed in byte order,
//! once each, as they were when records were read into a `serde_json::Map`.

use serde_json::Value;

use super::members::{Problems, member_problems};
use super::raw::{MAX_FIELDS, RawParts, RawRecord, RecordPath};
use crate::model::{ExportStatus, FailureCode, FindingStatus, MappingStatus, Severity, SyncStatus};
use crate::store::{ExportRow, FindingRow, ts_to_sql};

/// Length limits: generous for text, tight for identifiers that end up in URLs and labels.
const ID_MAX: usize = 128;
const TITLE_MAX: usize = 1_000;
const URL_MAX: usize = 8_192;
const TEXT_MAX: usize = 1_048_576;

/// Collects problems for one record.
pub(super) struct Fields {
    path: RecordPath,
    names: &'static [&'static str],
    values: [Option<Value>; MAX_FIELDS],
    pub problems: Vec<(String, String)>,
    /// Problems counted but not listed: only the first `MAX_LISTED` of an import are shown, so
    /// a record with a million unknown keys builds a message for the first few only.
    pub unlisted: usize,
    /// The finding_id read, kept when the record is refused on another field.
    pub read_id: Option<String>,
}

impl Fields {
    /// Starts validating `raw`, whose known fields are `names`; unknown fields are problems.
    pub fn new(path: RecordPath, raw: RawRecord, names: &'static [&'static str]) -> Self {
        let RawParts {
            values,
            unknown,
            repeated,
        } = raw.into_parts();
        let (problems, unlisted) = member_problems(&path.to_string(), repeated, unknown, names);
        Fields {
            path,
            names,
            values,
            problems,
            unlisted,
            read_id: None,
        }
    }

    /// The problems found, and how many more were counted without being listed.
    pub fn take_problems(&mut self) -> Problems {
        (
            std::mem::take(&mut self.problems),
            std::mem::take(&mut self.unlisted),
        )
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        let slot = self.names.iter().position(|name| *name == key)?;
        self.values[slot].take()
    }

    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems
            .push((format!("{}.{key}", self.path), message.into()));
    }

    /// A string field; `required` turns absence and null into a problem.
    pub fn string(&mut self, key: &str, required: bool, max: usize) -> Option<String> {
        match self.take(key) {
            None | Some(Value::Null) if required => {
                self.problem(key, "is required");
                None
            }
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                // A string has at most as many characters as bytes: count only when it matters.
                let len = if s.len() <= max { 0 } else { s.chars().count() };
                if len > max {
                    self.problem(
                        key,
                        format!("{len} characters is longer than the {max} allowed"),
                    );
                    None
                } else if required && s.trim().is_empty() {
                    self.problem(key, "must not be empty");
                    None
                } else {
                    Some(s)
                }
            }
            Some(other) => {
                self.problem(key, format!("expected a string, found {}", kind(&other)));
                None
            }
        }
    }

    /// An identifier: a required, non-empty string without control characters.
    pub fn id(&mut self, key: &str) -> Option<String> {
        let id = self.string(key, true, ID_MAX)?;
        if id.chars().any(char::is_control) || id.trim() != id {
            self.problem(
                key,
                "must not contain control characters or surrounding spaces",
            );
            return None;
        }
        Some(id)
    }

    /// A string that must be one of an enum's spellings; `expected` lists them for the message.
    pub fn choice<T>(
        &mut self,
        key: &str,
        required: bool,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let text = self.string(key, required, ID_MAX)?;
        let value = parse(&text);
        if value.is_none() {
            self.problem(
                key,
                format!("unknown value {text:?} (expected one of {})", expected()),
            );
        }
        value
    }

    pub fn text(&mut self, key: &str) -> String {
        self.string(key, false, TEXT_MAX).unwrap_or_default()
    }

    pub fn title(&mut self, key: &str) -> Option<String> {
        self.string(key, true, TITLE_MAX)
    }

    pub fn url(&mut self, key: &str, required: bool) -> Option<String> {
        self.string(key, required, URL_MAX)
    }

    /// An HTTP status: null, or an integer from 100 to 599.
    pub fn http_status(&mut self, key: &str) -> Option<i64> {
        match self.take(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some_and(|v| (100..=599).contains(&v)) => {
                n.as_i64()
            }
            Some(other) => {
                self.problem(
                    key,
                    format!(
                        "expected an HTTP status from 100 to 599, found {}",
                        kind(&other)
                    ),
                );
                None
            }
        }
    }

    /// An RFC 3339 time, stored normalised to UTC seconds.
    pub fn time(&mut self, key: &str) -> Option<String> {
        let text = self.string(key, false, 64)?;
        match text.parse::<jiff::Timestamp>() {
            Ok(ts) => Some(ts_to_sql(ts)),
            Err(_) => {
                self.problem(
                    key,
                    format!("{text:?} is not an RFC 3339 time like 2026-11-29T10:00:00Z"),
                );
                None
            }
        }
    }

    /// A list of strings, as JSON text for the store.
    pub fn string_list(&mut self, key: &str) -> String {
        match self.take(key) {
            None | Some(Value::Null) => "[]".into(),
            Some(Value::Array(items))
                if items.iter().all(|v| {
                    v.as_str()
                        .is_some_and(|s| !s.is_empty() && s.len() <= ID_MAX)
                }) =>
            {
                serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())
            }
            Some(other) => {
                self.problem(
                    key,
                    format!(
                        "expected a list of field names (non-empty strings), found {}",
                        kind(&other)
                    ),
                );
                "[]".into()
            }
        }
    }
}

fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {:?}", truncate(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// The fields of a report object other than its `findings` and `ticket_exports` lists, which
/// come after them in this list so that the header's slots are the first four.
pub(super) const REPORT_KEYS: &[&str] = &[
    "report_id",
    "title",
    "target",
    "exported_at",
    "findings",
    "ticket_exports",
];

/// The slot of a report's first list (`findings`); `ticket_exports` is the next.
pub(super) const FIRST_LIST: usize = 4;

/// The header fields of a report.
pub(super) const HEADER_FIELDS: &[&str] = &["report_id", "title", "target", "exported_at"];

/// A validated report header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    pub report_id: String,
    pub title: String,
    pub target: String,
    /// When the platform exported the report: what tells a newer export from an older one.
    pub exported_at: Option<String>,
}

pub(super) fn header(f: &mut Fields) -> Option<Header> {
    let report_id = f.id("report_id");
    let title = f.title("title");
    let target = f.url("target", true);
    let exported_at = f.time("exported_at");
    Some(Header {
        report_id: report_id?,
        title: title?,
        target: target?,
        exported_at,
    })
}

pub(super) const FINDING_FIELDS: &[&str] = &[
    "finding_id",
    "rule_id",
    "title",
    "severity",
    "url",
    "parameter",
    "description",
    "evidence",
    "remediation",
    "status",
];

pub(super) fn finding(f: &mut Fields) -> Option<FindingRow> {
    let finding_id = f.id("finding_id");
    f.read_id.clone_from(&finding_id);
    let rule_id = f.id("rule_id");
    let title = f.title("title");
    let severity = f.choice("severity", true, Severity::parse, Severity::expected);
    let url = f.url("url", true);
    let parameter = f.string("parameter", false, ID_MAX);
    let description = f.text("description");
    let evidence = f.text("evidence");
    let remediation = f.text("remediation");
    let status = match f.choice(
        "status",
        false,
        FindingStatus::parse,
        FindingStatus::expected,
    ) {
        Some(s) => Some(s),
        None if f.problems.iter().any(|(p, _)| p.ends_with(".status")) => None,
        None => Some(FindingStatus::Open),
    };
    Some(FindingRow {
        finding_id: finding_id?,
        rule_id: rule_id?,
        title: title?,
        severity: severity?.as_str(),
        url: url?,
        parameter,
        description,
        evidence,
        remediation,
        status: status?.as_str(),
    })
}

pub(super) const EXPORT_FIELDS: &[&str] = &[
    "ticket_export_id",
    "finding_id",
    "provider_key",
    "export_status",
    "provider_error_code",
    "provider_response_code",
    "mapping_status",
    "mapping_missing",
    "duplicate_fingerprint",
    "idempotency_key",
    "retry_after",
    "external_ticket_id",
    "external_ticket_url",
    "status_sync_status",
    "portable_export_path",
];

pub(super) fn export(f: &mut Fields) -> Option<ExportRow> {
    let ticket_export_id = f.id("ticket_export_id");
    let finding_id = f.id("finding_id");
    let provider_key = f.id("provider_key");
    let export_status = f.choice(
        "export_status",
        true,
        ExportStatus::parse,
        ExportStatus::expected,
    );
    let code_text = f.string("provider_error_code", false, ID_MAX);
    let code_ok = match &code_text {
        Some(text) if FailureCode::parse(text).is_none() => {
            f.problem(
                "provider_error_code",
                format!("{text:?} is not a failure code (upper-case letters, digits and _, like TICKET_EXPORT_DELIVERY_FAILED)"),
            );
            false
        }
        _ => true,
    };
    let provider_response_code = f.http_status("provider_response_code");
    let mapping_status = f.choice(
        "mapping_status",
        true,
        MappingStatus::parse,
        MappingStatus::expected,
    );
    let mapping_missing = f.string_list("mapping_missing");
    let duplicate_fingerprint = f.string("duplicate_fingerprint", false, ID_MAX);
    let idempotency_key = f.string("idempotency_key", false, ID_MAX);
    let retry_after = f.time("retry_after");
    let external_ticket_id = f.string("external_ticket_id", false, ID_MAX);
    let external_ticket_url = f.url("external_ticket_url", false);
    if let Some(url) = &external_ticket_url
        && !matches!(
            url::Url::parse(url)
                .map(|u| u.scheme().to_owned())
                .as_deref(),
            Ok("http" | "https")
        )
    {
        f.problem(
            "external_ticket_url",
            format!("{:?} is not an http(s) URL", truncate(url)),
        );
    }
    let status_sync_status =
        f.string("status_sync_status", false, ID_MAX)
            .map(|text| match SyncStatus::parse(&text) {
                Some(s) => Some(s.as_str()),
                None => {
                    f.problem(
                        "status_sync_status",
                        format!(
                            "unknown value {text:?} (expected null or one of {})",
                            SyncStatus::expected()
                        ),
                    );
                    None
                }
            });
    let portable_export_path = f.string("portable_export_path", false, URL_MAX);
    if !code_ok || matches!(status_sync_status, Some(None)) {
        return None;
    }
    Some(ExportRow {
        ticket_export_id: ticket_export_id?,
        finding_id: finding_id?,
        provider_key: provider_key?,
        export_status: export_status?.as_str(),
        provider_error_code: code_text,
        provider_response_code,
        mapping_status: mapping_status?.as_str(),
        mapping_missing,
        duplicate_fingerprint,
        idempotency_key,
        retry_after,
        external_ticket_id,
        external_ticket_url,
        status_sync_status: status_sync_status.flatten(),
        portable_export_path,
    })
}
