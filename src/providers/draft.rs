//! The provider-neutral ticket built from a finding and a provider's mapping.
//!
//! Finding text is hostile, so the draft is where it is made safe for every provider at once:
//! [`markup::for_ticket`] redacts credentials from every field and breaks marker phrases and
//! mentions, the
//! body escapes the text for Markdown (no HTML, links, images, mentions or blocks from the
//! finding), and the title is one line without mentions. Providers that take another format
//! (Jira, Azure DevOps, Asana) convert this body with `markup::subset`, which undoes the
//! Markdown escapes before escaping for their own format.

use std::collections::BTreeMap;

use super::marker;
use crate::config::Provider;
use crate::fingerprint;
use crate::markup::{self, markdown};
use crate::model::{Finding, Severity, TicketExport};

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
    /// One line of plain text: redacted, without line breaks, control characters or mentions.
    pub title: String,
    /// Markdown with the finding's text escaped, ending with the fingerprint marker line.
    pub body: String,
    /// Mapping labels plus the fingerprint label.
    pub labels: Vec<String>,
    pub severity: Severity,
    pub priority: Option<String>,
    pub assignees: Vec<String>,
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl TicketDraft {
    /// Builds the draft; every finding field is redacted and escaped before it can leave.
    pub fn build(attempt: &TicketExport, finding: &Finding, provider: &Provider) -> TicketDraft {
        let finding = markup::for_ticket(finding.clone());
        let label = fingerprint::label(&attempt.duplicate_fingerprint);
        let mut labels = provider.mapping.labels.clone();
        if !labels.contains(&label) {
            labels.push(label.clone());
        }
        TicketDraft {
            ticket_export_id: attempt.ticket_export_id.clone(),
            report_id: attempt.report_id.clone(),
            finding_id: attempt.finding_id.clone(),
            fingerprint: attempt.duplicate_fingerprint.clone(),
            fingerprint_label: label,
            idempotency_key: attempt.idempotency_key.clone(),
            title: title(&finding),
            body: body(attempt, &finding),
            labels,
            severity: finding.severity,
            priority: provider.mapping.priority.get(&finding.severity).cloned(),
            assignees: provider.mapping.assignees.clone(),
            fields: provider.mapping.fields.clone(),
        }
    }

    /// The marker every body carries, which lookups match exactly (`marker::in_text`).
    pub fn marker(&self) -> String {
        marker::line(&self.fingerprint)
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `[Severity] title`: titles are plain text at every provider, so only what acts on plain
/// text is neutralised: line breaks and control characters here, mentions and marker phrases
/// in `markup::for_ticket`.
fn title(f: &Finding) -> String {
    let one_line: String = f
        .title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut title = format!("[{}] {}", capitalise(f.severity.as_str()), one_line.trim());
    if title.chars().count() > TITLE_MAX {
        title = format!("{}…", title.chars().take(TITLE_MAX - 1).collect::<String>());
    }
    title
}

/// The body: fields, then description, evidence and remediation, then the footer and marker.
/// When too long, the longest of the three texts is cut (and the others if need be) until the
/// escaped body fits, so the evidence fence and the footer always close.
fn body(attempt: &TicketExport, f: &Finding) -> String {
    let texts = [&f.description, &f.evidence, &f.remediation];
    let mut limits = [usize::MAX; 3];
    let mut out = render(f, &texts, &limits);
    for _ in 0..8 {
        let over = out.chars().count().saturating_sub(BODY_MAX);
        if over == 0 {
            break;
        }
        let lens: Vec<usize> = texts
            .iter()
            .zip(limits)
            .map(|(t, limit)| t.chars().count().min(limit))
            .collect();
        let longest = (0..3).max_by_key(|i| lens[*i]).unwrap_or(0);
        limits[longest] = lens[longest].saturating_sub(over.max(64));
        out = render(f, &texts, &limits);
    }
    if out.chars().count() > BODY_MAX {
        // Only fields longer than any body could reach here; the cut keeps the footer apart.
        out = out.chars().take(BODY_MAX).collect::<String>() + "\n";
    }
    out.push_str("\n---\nExported by ticket-export for WebRiskOps finding ");
    out.push_str(&markdown::code_span(&attempt.finding_id));
    out.push_str(" (report ");
    out.push_str(&markdown::code_span(&attempt.report_id));
    out.push_str(").\n");
    out.push_str(&marker::line(&attempt.duplicate_fingerprint));
    out.push('\n');
    out
}

fn render(f: &Finding, texts: &[&String; 3], limits: &[usize; 3]) -> String {
    let mut out = format!("**Severity:** {}\n**URL:** ", f.severity);
    markdown::code_span_into(&mut out, &f.url);
    out.push('\n');
    if let Some(p) = &f.parameter {
        out.push_str("**Parameter:** ");
        markdown::code_span_into(&mut out, p);
        out.push('\n');
    }
    for (i, heading) in ["Description", "Evidence", "Remediation"]
        .iter()
        .enumerate()
    {
        let text = texts[i];
        if text.trim().is_empty() {
            continue;
        }
        let cut;
        let text = if text.chars().count() > limits[i] {
            cut = format!(
                "{}\n… (truncated)",
                text.chars().take(limits[i]).collect::<String>()
            );
            &cut
        } else {
            text
        };
        out.push_str("\n### ");
        out.push_str(heading);
        out.push_str("\n\n");
        if *heading == "Evidence" {
            // A fence longer than any backtick run inside keeps the evidence from closing it.
            markdown::fenced_into(&mut out, text);
        } else {
            // One escaped line per line: no line of finding text can open a block, a tag,
            // a link or a mention, nor read as the marker.
            for line in text.trim_matches(['\n', '\r']).split('\n') {
                let line = line.strip_suffix('\r').unwrap_or(line);
                markdown::escape_with_into(&mut out, line, None);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
