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
/// description, evidence, remediation) with credentials redacted and marker phrases broken,
/// and mentions broken in the text a person reads (evidence included: a webhook consumer or a
/// CSV importer may show it as plain text). The URL and parameter keep their `@`s: they are
/// shown as code, and a broken one could not be copied.
pub fn outgoing(f: Finding) -> Finding {
    let markers = |text: String| match neutral::markers(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(broken) => broken,
    };
    let prose = |text: String| {
        let text = markers(text);
        match neutral::mentions(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(broken) => broken,
        }
    };
    let f = redact::finding_owned(f);
    Finding {
        title: prose(f.title),
        url: markers(f.url),
        parameter: f.parameter.map(markers),
        description: prose(f.description),
        evidence: prose(f.evidence),
        remediation: prose(f.remediation),
        ..f
    }
}
