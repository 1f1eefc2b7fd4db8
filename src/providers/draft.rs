//! The provider-neutral ticket built from a finding and a provider's mapping.

use std::collections::BTreeMap;

use crate::config::Provider;
use crate::fingerprint;
use crate::model::{Finding, Severity, TicketExport};
use crate::redact::redact;

/// Longest title every provider accepts (GitLab's 255, with room to spare).
const TITLE_MAX: usize = 250;
/// Longest body every provider accepts (GitHub's 65,536, with room for the footer).
const BODY_MAX: usize = 60_000;

/// A ticket to create or update, before any provider's shape is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketDraft {
    pub ticket_export_id: String,
    pub report_id: String,
    pub finding_id: String,
    pub fingerprint: String,
    /// `fp-<12 hex>`: the exact-match label or tag where the provider has them.
    pub fingerprint_label: String,
    pub idempotency_key: String,
    pub title: String,
    /// Markdown, ending with the fingerprint marker.
    pub body: String,
    /// Mapping labels plus the fingerprint label.
    pub labels: Vec<String>,
    pub severity: Severity,
    pub priority: Option<String>,
    pub assignees: Vec<String>,
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl TicketDraft {
    /// Builds the draft; evidence and text are redacted before they can leave the machine.
    pub fn build(attempt: &TicketExport, finding: &Finding, provider: &Provider) -> TicketDraft {
        let label = fingerprint::label(&attempt.duplicate_fingerprint);
        let mut labels = provider.mapping.labels.clone();
        if !labels.contains(&label) {
            labels.push(label.clone());
        }
        let mut title = format!(
            "[{}] {}",
            capitalise(finding.severity.as_str()),
            finding.title.trim()
        );
        if title.chars().count() > TITLE_MAX {
            title = format!("{}…", title.chars().take(TITLE_MAX - 1).collect::<String>());
        }
        TicketDraft {
            ticket_export_id: attempt.ticket_export_id.clone(),
            report_id: attempt.report_id.clone(),
            finding_id: attempt.finding_id.clone(),
            fingerprint: attempt.duplicate_fingerprint.clone(),
            fingerprint_label: label,
            idempotency_key: attempt.idempotency_key.clone(),
            title,
            body: body(attempt, finding),
            labels,
            severity: finding.severity,
            priority: provider.mapping.priority.get(&finding.severity).cloned(),
            assignees: provider.mapping.assignees.clone(),
            fields: provider.mapping.fields.clone(),
        }
    }

    /// The marker every body carries, which lookups match exactly.
    pub fn marker(&self) -> String {
        fingerprint::body_marker(&self.fingerprint)
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn body(attempt: &TicketExport, f: &Finding) -> String {
    let mut out = format!(
        "**Severity:** {}\n**URL:** {}\n",
        f.severity,
        redact(&f.url)
    );
    if let Some(p) = &f.parameter {
        out.push_str(&format!("**Parameter:** `{}`\n", p.replace('`', "'")));
    }
    for (heading, text, code) in [
        ("Description", &f.description, false),
        ("Evidence", &f.evidence, true),
        ("Remediation", &f.remediation, false),
    ] {
        if text.trim().is_empty() {
            continue;
        }
        let text = redact(text).into_owned();
        out.push_str(&format!("\n### {heading}\n\n"));
        if code {
            // A fence longer than any backtick run inside keeps the evidence from closing it.
            let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            out.push_str(&format!("{fence}\n{text}\n{fence}\n"));
        } else {
            out.push_str(&text);
            out.push('\n');
        }
    }
    if out.chars().count() > BODY_MAX {
        out = out.chars().take(BODY_MAX).collect::<String>() + "\n\n… (truncated)\n";
    }
    out.push_str(&format!(
        "\n---\nExported by ticket-export for WebRiskOps finding `{}` (report `{}`).\n{}\n",
        attempt.finding_id,
        attempt.report_id,
        fingerprint::body_marker(&attempt.duplicate_fingerprint)
    ));
    out
}
