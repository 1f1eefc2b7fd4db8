//! Finding text made safe for the formats it is delivered in.
//!
//! A finding's text comes from a scanned site and is hostile: it may hold credentials, markup
//! that a tracker would render (`<script>`, `![x](https://…)`, `@everyone`), or another
//! finding's fingerprint marker, which a later lookup would take for that finding's ticket.
//! [`outgoing`] is the one step every finding passes before a ticket draft or a portable file
//! is built from it: credentials redacted, marker phrases broken ([`for_ticket`] also breaks
//! mentions). Each format then escapes the
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

/// The finding as it may leave the machine, in a ticket or a portable file: every free-text
/// field (title, URL, parameter, description, evidence, remediation) with credentials redacted
/// and marker phrases broken. Tickets also break mentions ([`for_ticket`]); portable files keep
/// the text otherwise as it is, so it reads back as the store has it.
pub fn outgoing(f: Finding) -> Finding {
    let f = redact::finding_owned(f);
    Finding {
        title: markers(f.title),
        url: markers(f.url),
        parameter: f.parameter.map(markers),
        description: markers(f.description),
        evidence: markers(f.evidence),
        remediation: markers(f.remediation),
        ..f
    }
}

/// [`outgoing`], with mentions broken in the text a person reads, evidence included (a
/// webhook consumer may show it as plain text): a tracker pings whoever a ticket mentions. The
/// URL and parameter keep their `@`s: they are shown as code, and a broken one could not be
/// copied.
pub fn for_ticket(f: Finding) -> Finding {
    let f = outgoing(f);
    let mentions = |text: String| match neutral::mentions(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(broken) => broken,
    };
    Finding {
        title: mentions(f.title),
        description: mentions(f.description),
        evidence: mentions(f.evidence),
        remediation: mentions(f.remediation),
        ..f
    }
}

fn markers(text: String) -> String {
    match neutral::markers(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(broken) => broken,
    }
}
