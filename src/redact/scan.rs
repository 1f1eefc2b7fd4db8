//! Credentials found by the name they are given: header lines and header-like keys
//! (`Authorization: …`, `"cookie": "…"`, HAR's `{"name": "Authorization", "value": "…"}`),
//! secret-named keys (`access_token=…`, `"password": "…"`, `X-Amz-Signature=…`), curl's
//! credential options, and URL user-info.
//!
//! The forms follow gitleaks' `curl-auth-header`, `curl-auth-user` and `generic-api-key` rules
//! (config/gitleaks.toml, github.com/gitleaks/gitleaks), re-written here as a scanner over
//! separators so that any spacing and case is found without one regex per header name.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::names::{Kind, header_kind, secret_name};
use super::{REDACTED, tokenish};

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The end of the line holding `pos`, before a trailing `\r`.
fn line_end(text: &str, pos: usize) -> usize {
    let end = memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i);
    if end > pos && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn line_start(text: &str, pos: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..pos]).map_or(0, |i| i + 1)
}

/// Whether what precedes a header name on its line makes it a header: nothing, curl's `> ` /
/// `< ` trace prefixes, list bullets, or curl's `-H` / `--header` option.
fn header_position(prefix: &str) -> bool {
    let p = prefix.trim_end();
    let p = p.strip_suffix(['\'', '"']).unwrap_or(p).trim_end();
    p.chars()
        .all(|c| matches!(c, '>' | '<' | '-' | '*' | '|' | '#') || c.is_whitespace())
        || p.ends_with(" -H")
        || p.ends_with("--header")
        || p.ends_with("--header=")
        || p == "-H"
}

/// Header values and secret-named keys: every `:` and `=` with a credential name before it.
pub(super) fn pairs(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for sep in memchr::memchr2_iter(b':', b'=', bytes) {
        let next = bytes.get(sep + 1).copied();
        let prev = sep.checked_sub(1).map(|i| bytes[i]);
        // `https://`, `a == b`, `a != b`, `a <= b`: no credential follows.
        if (bytes[sep] == b':' && matches!(next, Some(b'/' | b'=' | b':')))
            || (bytes[sep] == b'='
                && (next == Some(b'=') || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'))))
        {
            continue;
        }
        // Go's `:=` puts the key before the colon.
        let key_end = if bytes[sep] == b'=' && prev == Some(b':') {
            sep - 1
        } else {
            sep
        };
        let Some(key) = key_before(text, key_end) else {
            continue;
        };
        let name = &text[key.name.clone()];
        let lower = name.to_ascii_lowercase();
        let header = if bytes[sep] == b':' || key.quoted {
            header_kind(lower.trim_start_matches('-'))
        } else {
            None
        };
        let kind = match header {
            Some(kind) => kind,
            None if secret_name(name) => Kind::Param,
            None => continue,
        };
        // Ruby's and PHP's `=>`.
        let mut value_start = sep + 1;
        if bytes[sep] == b'=' && next == Some(b'>') {
            value_start += 1;
        }
        let end = line_end(text, sep);
        value_start += text[value_start.min(end)..end].len()
            - text[value_start.min(end)..end].trim_start().len();
        if value_start >= end {
            continue;
        }
        let value = value_range(text, &key, kind, bytes[sep], value_start, end);
        let Some(value) = value else { continue };
        redact_value(text, kind, value, spans);
    }
    har(text, spans);
}

/// A key before a separator: its name, and whether it was quoted (`"Authorization":`).
struct Key {
    name: Range<usize>,
    quoted: bool,
    /// A quote opened just before an unquoted key (`-H 'Authorization: …'`).
    opened_by: Option<u8>,
    /// That quote was escaped (`\"Authorization: …\"` inside a JSON string), so the value
    /// ends at the escaped closing quote.
    opened_escaped: bool,
    line_start: usize,
}

fn key_before(text: &str, sep: usize) -> Option<Key> {
    let bytes = text.as_bytes();
    let mut end = sep;
    while end > 0 && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    let quoted = end > 0 && is_quote(bytes[end - 1]);
    if quoted {
        end -= 1;
    }
    let mut start = end;
    // A literal `\n` before the name (a request written on one line of JSON) ends it too.
    let escaped =
        |i: usize| i >= 2 && bytes[i - 2] == b'\\' && matches!(bytes[i - 1], b'n' | b'r' | b't');
    while start > 0 && end - start <= 64 && is_key_byte(bytes[start - 1]) && !escaped(start) {
        start -= 1;
    }
    if start == end {
        return None;
    }
    if quoted && (start == 0 || bytes[start - 1] != bytes[end]) {
        return None;
    }
    let opened_by = (!quoted && start > 0 && is_quote(bytes[start - 1])).then(|| bytes[start - 1]);
    Some(Key {
        name: start..end,
        quoted,
        opened_by,
        opened_escaped: opened_by.is_some() && start > 1 && bytes[start - 2] == b'\\',
        line_start: line_start(text, start),
    })
}

/// Where a named credential's value lies, or None when what follows is not one.
fn value_range(
    text: &str,
    key: &Key,
    kind: Kind,
    sep: u8,
    start: usize,
    end: usize,
) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    if is_quote(bytes[start])
        && let Some(close) = closing_quote(text, start + 1, end, bytes[start])
    {
        return Some(start + 1..close);
    }
    if kind == Kind::Param {
        let stop = |b: u8| {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'&' | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b';'
                        | b','
                        | b'#'
                        | b')'
                        | b']'
                        | b'}'
                        | b'`'
                )
        };
        let len = bytes[start..end]
            .iter()
            .position(|b| stop(*b))
            .unwrap_or(end - start);
        let value = start..start + len;
        // `key: value` in prose ("token: see below") is taken only when the value looks
        // like a credential; `key=value` is an assignment or a query parameter.
        let prose = sep == b':' && !key.quoted && key.opened_by.is_none();
        return (len > 0 && (!prose || tokenish(&text[value.clone()]))).then_some(value);
    }
    // A header quoted as a whole (`-H 'Cookie: a=b'`) ends at its closing quote, and one in
    // a request written on one line of JSON at the escaped line break (`\r\n`).
    let end = match key.opened_by {
        Some(q) if key.opened_escaped => {
            memchr::memmem::find(&bytes[start..end], &[b'\\', q]).map_or(end, |i| start + i)
        }
        Some(q) => closing_quote(text, start, end, q).unwrap_or(end),
        None => end,
    };
    let end = memchr::memmem::find(&bytes[start..end], b"\\r")
        .into_iter()
        .chain(memchr::memmem::find(&bytes[start..end], b"\\n"))
        .min()
        .map_or(end, |i| start + i);
    let value = start..end;
    let strong = key.quoted
        || key.opened_by.is_some()
        || header_position(&text[key.line_start..key.name.start]);
    (strong || looks_like(kind, &text[value.clone()])).then_some(value)
}

fn closing_quote(text: &str, from: usize, end: usize, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Whether a header value found mid-sentence is a credential ("lacks authorization: any user
/// can read" is prose; "… Authorization: Bearer eyJ…" is not).
fn looks_like(kind: Kind, value: &str) -> bool {
    const SCHEMES: [&str; 16] = [
        "bearer",
        "basic",
        "digest",
        "token",
        "negotiate",
        "ntlm",
        "oauth",
        "apikey",
        "api-key",
        "sso-key",
        "ssws",
        "splunk",
        "dpop",
        "hmac",
        "aws4-hmac-sha256",
        "key",
    ];
    let mut words = value.split_whitespace();
    let first = words.next().unwrap_or("");
    match kind {
        Kind::Authorization => {
            (SCHEMES.contains(&first.to_ascii_lowercase().as_str()) && words.next().is_some())
                || tokenish(first)
        }
        Kind::Cookie | Kind::SetCookie => value
            .split(';')
            .next()
            .and_then(|pair| pair.trim().split_once('='))
            .is_some_and(|(name, v)| {
                !name.is_empty() && !name.contains(char::is_whitespace) && !v.trim().is_empty()
            }),
        Kind::Opaque | Kind::Param => tokenish(first),
    }
}

/// Adds the secret parts of one value: what follows the scheme, cookie values, or all of it.
fn redact_value(text: &str, kind: Kind, value: Range<usize>, spans: &mut Vec<Range<usize>>) {
    let v = &text[value.clone()];
    let trimmed = |r: Range<usize>| {
        let s = &text[r.clone()];
        let lead = s.len() - s.trim_start().len();
        r.start + lead..r.start + s.trim_end().len()
    };
    match kind {
        Kind::Authorization => match v.split_once(' ') {
            Some((scheme, rest))
                if !scheme.is_empty()
                    && scheme.len() <= 20
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !rest.trim().is_empty() =>
            {
                spans.push(trimmed(value.start + scheme.len() + 1..value.end));
            }
            _ => spans.push(trimmed(value)),
        },
        Kind::Cookie | Kind::SetCookie => {
            let mut at = value.start;
            for (i, pair) in v.split(';').enumerate() {
                if i > 0 && kind == Kind::SetCookie {
                    break;
                }
                let pair_range = at..at + pair.len();
                match pair.find('=') {
                    Some(eq) => spans.push(trimmed(at + eq + 1..pair_range.end)),
                    None => spans.push(trimmed(pair_range.clone())),
                }
                at = pair_range.end + 1;
            }
        }
        Kind::Opaque | Kind::Param => spans.push(trimmed(value)),
    }
}

/// HAR and similar exports name the header in one field and give its value in the next:
/// `{"name": "Authorization", "value": "Bearer …"}`.
fn har(text: &str, spans: &mut Vec<Range<usize>>) {
    static NAME_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)"name"\s*:\s*"([A-Za-z0-9_.-]{1,64})"\s*,\s*"value"\s*:\s*"((?:[^"\\]|\\.)*)""#,
        )
        .expect("the HAR pattern is valid")
    });
    if !text.contains("\"name\"") {
        return;
    }
    for caps in NAME_VALUE.captures_iter(text) {
        let (name, value) = (&caps[1], caps.get(2).expect("group 2 always takes part"));
        let kind = match header_kind(&name.to_ascii_lowercase()) {
            Some(kind) => kind,
            None if secret_name(name) => Kind::Param,
            None => continue,
        };
        redact_value(text, kind, value.range(), spans);
    }
}

/// curl's credential options: `-u`/`--user`/`-U`/`--proxy-user` and `--oauth2-bearer` (the
/// whole value), `-b`/`--cookie` with cookie data (each value; a bare file name is a cookie
/// jar and stays).
pub(super) fn curl_options(text: &str, spans: &mut Vec<Range<usize>>) {
    static OPTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)(?:^|[ \t])(?:(--user|--proxy-user|--oauth2-bearer|--cookie)(?:=|[ \t]+)|(-u|-U|-b)[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s'"-][^\s'"]*)"#,
        )
        .expect("the curl option pattern is valid")
    });
    if !text
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"curl"))
    {
        return;
    }
    for caps in OPTION.captures_iter(text) {
        let option = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
        let m = caps.get(3).expect("group 3 always takes part");
        let quoted = m.as_str().starts_with(['"', '\'']);
        let value = if quoted {
            m.start() + 1..m.end() - 1
        } else {
            m.range()
        };
        if matches!(option, "-b" | "--cookie") {
            if text[value.clone()].contains('=') {
                redact_value(text, Kind::Cookie, value, spans);
            }
        } else {
            spans.push(value);
        }
    }
}

/// `scheme://user:password@host` -> `scheme://[REDACTED]@host`.
pub(super) fn userinfo(text: &str, spans: &mut Vec<Range<usize>>) {
    if !text.contains('@') {
        return;
    }
    for (pos, _) in text.match_indices("://") {
        let start = pos + 3;
        let after = &text[start..];
        let end = after
            .find(|c: char| "/?#\"'<>`".contains(c) || c.is_whitespace())
            .unwrap_or(after.len());
        if let Some(at) = after[..end].rfind('@')
            && at > 0
            && &after[..at] != REDACTED
        {
            spans.push(start..start + at);
        }
    }
}
