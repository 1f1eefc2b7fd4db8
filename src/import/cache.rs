//! The findings of the report being read, so that the reader can compute each attempt's
//! identities as it streams past, on its own thread, instead of the writer or SQL doing it.

use std::collections::HashMap;

use crate::fingerprint::{FindingIdentity, idempotency_key, normalise_url};
use crate::store::{ExportRow, FindingRow, Identities};

/// At most this many findings of one report are kept (about 200 bytes each), so memory stays
/// flat however large a report is. Past it, the writer reads the rest from the store. Unit tests
/// keep two, so that the demo's reports overflow it.
const MAX_FINDINGS: usize = if cfg!(test) { 2 } else { 32_768 };

/// The open report's normalised target and its findings' identities, by finding id.
#[derive(Default)]
pub(super) struct FindingCache {
    report_idx: Option<usize>,
    target: String,
    findings: HashMap<String, FindingIdentity>,
}

impl FindingCache {
    /// Starts a report whose records are written directly.
    pub fn open(&mut self, report_idx: usize, target: &str) {
        self.report_idx = Some(report_idx);
        self.target = normalise_url(target);
        self.findings.clear();
    }

    /// Forgets the report, so that records of another cannot use it.
    pub fn close(&mut self) {
        self.report_idx = None;
        self.findings.clear();
    }

    /// Remembers a finding of the open report.
    pub fn add(&mut self, report_idx: usize, f: &FindingRow) {
        if self.report_idx == Some(report_idx) && self.findings.len() < MAX_FINDINGS {
            self.findings.insert(
                f.finding_id.clone(),
                FindingIdentity::new(&f.rule_id, &f.url, f.parameter.as_deref()),
            );
        }
    }

    /// Whether the attempt's finding was seen in its report, and the identities it gets if the
    /// store does not hold it yet: the file's, else computed from the file's finding.
    pub fn identities(&self, report_idx: usize, e: &ExportRow) -> (bool, Option<Identities>) {
        let finding = (self.report_idx == Some(report_idx))
            .then(|| self.findings.get(&e.finding_id))
            .flatten();
        let fingerprint = e
            .duplicate_fingerprint
            .clone()
            .or_else(|| finding.map(|f| f.fingerprint(&self.target, &e.provider_key)));
        let identities = fingerprint.map(|fp| Identities {
            idempotency_key: e
                .idempotency_key
                .clone()
                .unwrap_or_else(|| idempotency_key(&fp)),
            duplicate_fingerprint: fp,
        });
        (finding.is_some(), identities)
    }
}
