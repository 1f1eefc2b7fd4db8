//! Finding text made safe for the formats it is delivered in.
//!
//! A finding's text comes from a scanned site and is hostile: it may hold credentials, markup
//! that a tracker would render (`<script>`, `![x](https://…)`, `@everyone`), or another
//! finding's fingerprint marker, which a later lookup would take for that finding's ticket.
//! [`outgoing`] is the one step every finding passes before a ticket draft or a portable file
//! is built from it: credentials redacted, marker phrases broken. Each format then escapes the
//! text its own way: [`markdown`], [`html`], [`wiki`]; an Atlassian Document and plain text
//! carry text as text and need only [`outgoing`].

pub mod html;
pub mod markdown;
pub mod neutral;
pub mod subset;
pub mod wiki;

use std::borrow::Cow;

use crate::model::Finding;
use crate::redact;

/// The finding as it may leave the machine: every free-text field (title, URL, parameter,
/// description, evidence, remediation) with credentials redacted and marker phrases broken.
pub fn outgoing(f: Finding) -> Finding {
    let clean = |text: String| match neutral::markers(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(broken) => broken,
    };
    let f = redact::finding_owned(f);
    Finding {
        title: clean(f.title),
        url: clean(f.url),
        parameter: f.parameter.map(clean),
        description: clean(f.description),
        evidence: clean(f.evidence),
        remediation: clean(f.remediation),
        ..f
    }
}
