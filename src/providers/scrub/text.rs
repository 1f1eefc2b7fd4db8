//! Scrub, then cut: the one place provider text is made safe and short.
//!
//! A provider's answer reaches output, events and provider health only through [`clean`]. The
//! order matters: cutting first would leave a credential at the cut minus its last characters,
//! which no scrub recognises afterwards. Every transformation of the text (here, control
//! characters turned into spaces) is followed by another scrub, and matching ignores ASCII case
//! so that a lower-cased or upper-cased echo is found too.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use super::super::Credentials;

/// What replaces a credential.
pub(crate) const REDACTED: &str = "[redacted]";

/// The longest provider text kept, in characters. Longer texts keep their start and their end
/// (where the advice ticket-export adds usually is) around an ellipsis.
const MAX_CHARS: usize = 400;
/// Of a text cut in the middle: characters kept from its end.
const TAIL_CHARS: usize = 100;

/// Values shorter than this are not secrets (an empty user, a one-letter name).
const MIN_SECRET: usize = 4;

/// The credential values in every form a provider could echo: as sent, inside the Basic header
/// values built from them, base64 in its URL-safe and unpadded variants, percent-encoded, and
/// JSON-escaped. Longest first, so a value containing another is replaced whole.
pub(crate) fn secret_forms(credentials: &Credentials) -> Vec<String> {
    let token = credentials.token.expose();
    if token.is_empty() {
        return Vec::new();
    }
    let user = credentials.user.as_ref().map(|u| u.expose()).unwrap_or("");
    let mut plain = vec![token.to_owned(), user.to_owned()];
    for pair in [
        format!("{user}:{token}"),
        format!(":{token}"),
        token.to_owned(),
    ] {
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            plain.push(engine.encode(&pair));
        }
    }
    expand(plain)
}

/// The forms of the user name alone: a check may name the account it ran as.
pub(crate) fn user_forms(credentials: &Credentials) -> Vec<String> {
    let user = credentials.user.as_ref().map(|u| u.expose().to_owned());
    expand(user.into_iter().collect())
}

/// Each value as sent, percent-encoded and JSON-escaped; longest first, without repeats.
fn expand(values: Vec<String>) -> Vec<String> {
    let mut forms = Vec::new();
    for value in values.into_iter().filter(|v| v.len() >= MIN_SECRET) {
        forms.push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
        forms.push(percent_all(&value));
        forms.push(json_escaped(&value));
        forms.push(json_escaped(&value).replace('/', "\\/"));
        forms.push(value);
    }
    forms.sort_by(|a: &String, b: &String| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let mut seen = std::collections::HashSet::new();
    forms.retain(|f| seen.insert(f.to_ascii_lowercase()));
    forms
}

/// Every byte that is not a letter or digit as `%XX`: the strictest URL encoding.
fn percent_all(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value as it appears inside a JSON string.
fn json_escaped(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// `text` with every secret form replaced by `[redacted]`, ignoring ASCII case.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = replace_ignoring_ascii_case(&out, secret);
    }
    out
}

/// ASCII lower-casing keeps every byte where it was, so positions found in the lower-cased
/// copy are positions in the text.
fn replace_ignoring_ascii_case(text: &str, secret: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = secret.to_ascii_lowercase();
    if !lower.contains(&needle) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[from..at]);
        out.push_str(REDACTED);
        from = at + needle.len();
    }
    out.push_str(&text[from..]);
    out
}

/// Provider text made safe to show and store: scrubbed, on one line (line breaks and terminal
/// escapes would forge lines in a table, a TSV row or a log), scrubbed again, then cut.
pub(crate) fn clean(text: &str, secrets: &[String]) -> String {
    let scrubbed = scrub(text, secrets);
    let one_line = scrubbed.replace(|c: char| c.is_control(), " ");
    cut(&scrub(&one_line, secrets), MAX_CHARS)
}

/// At most `max` characters; a longer text keeps its start and its end around an ellipsis.
/// Only ever called on scrubbed text.
pub(crate) fn cut(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let tail = TAIL_CHARS.min(max / 4);
    let head = max.saturating_sub(tail + 3);
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{} … {}", start.trim_end(), end.trim_start())
}

#[cfg(test)]
mod tests;
