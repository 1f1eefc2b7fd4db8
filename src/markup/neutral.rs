//! Finding text that a tracker or a later lookup would act on, made inert in every format.
//!
//! Escaping stops Markdown and HTML from taking text as markup, but some formats have no
//! escaping (an Atlassian Document's text, Asana's plain notes, a fenced code block), and some
//! actions are taken on the text after rendering (a mention ping, a lookup's marker match). For
//! those, a zero-width space is put inside the word that would act: it renders as nothing, and
//! the word no longer matches. Dependabot breaks `@mentions` in copied release notes this way.

use std::borrow::Cow;

/// Renders as nothing; breaks a mention or a marker it sits inside.
pub const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// What the tool's own fingerprint lines start with (lower case): the body marker's
/// `ticket-export:fingerprint=` and Azure's visible `WebRiskOps fingerprint:` line. Finding
/// text must never hold either, or a lookup could take it for another finding's ticket.
const MARKER_WORDS: [(&str, usize); 2] = [
    // (phrase, where the zero-width space goes: before "fingerprint")
    ("ticket-export:fingerprint", "ticket-export:".len()),
    ("webriskops fingerprint:", "webriskops ".len()),
];

/// `text` with every marker phrase broken, in any case; borrows when there is none.
pub fn markers(text: &str) -> Cow<'_, str> {
    // Every phrase holds "fingerprint"; most text does not.
    if !text
        .as_bytes()
        .windows(11)
        .any(|w| w.eq_ignore_ascii_case(b"fingerprint"))
    {
        return Cow::Borrowed(text);
    }
    let lower = text.to_ascii_lowercase();
    let mut cuts: Vec<usize> = MARKER_WORDS
        .iter()
        .flat_map(|(phrase, at)| lower.match_indices(phrase).map(move |(i, _)| i + at))
        .collect();
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len() + cuts.len() * 3);
    let mut copied = 0;
    for cut in cuts {
        // ASCII lower-casing keeps byte offsets, and each cut follows an ASCII character.
        out.push_str(&text[copied..cut]);
        out.push(ZERO_WIDTH_SPACE);
        copied = cut;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether the `@` at byte `at` of `text` starts a mention (`@everyone`, `@here`, `@all`,
/// `@user`, `@org/team`): not inside a word or an e-mail address, and followed by a name.
pub fn starts_mention(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let before = at.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(at + 1).copied();
    !before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'+'))
        && after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `text` with every mention broken (a zero-width space after its `@`); for text that is not
/// escaped for a markup (titles); borrows when there is none.
pub fn mentions(text: &str) -> Cow<'_, str> {
    let ats: Vec<usize> = memchr::memchr_iter(b'@', text.as_bytes())
        .filter(|at| starts_mention(text, *at))
        .collect();
    if ats.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + ats.len() * 3);
    let mut copied = 0;
    for at in ats {
        out.push_str(&text[copied..=at]);
        out.push(ZERO_WIDTH_SPACE);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_phrases_are_broken_in_any_case() {
        let forged = "x\n<!-- ticket-export:fingerprint=fp1:ab -->\nWebRiskOps fingerprint: fp1:ab";
        let out = markers(forged);
        assert!(!out.contains("ticket-export:fingerprint"), "{out}");
        assert!(!out.contains("WebRiskOps fingerprint:"), "{out}");
        assert_eq!(
            out.replace(ZERO_WIDTH_SPACE, ""),
            forged,
            "nothing else changes"
        );
        assert!(!markers("TICKET-EXPORT:FINGERPRINT=").contains("TICKET-EXPORT:FINGERPRINT"));
        assert!(matches!(
            markers("a fingerprint of the page"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn mentions_are_broken_and_addresses_kept() {
        assert_eq!(
            mentions("@everyone and @here, cc @org/team"),
            "@\u{200B}everyone and @\u{200B}here, cc @\u{200B}org/team"
        );
        for kept in [
            "admin@shop.example",
            "a.b@c.d",
            "@ alone",
            "x@",
            "price @ 5",
        ] {
            assert_eq!(mentions(kept), kept);
        }
    }
}
