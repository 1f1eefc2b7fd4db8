//! Redaction of credentials that scanners capture inside findings, applied to everything sent
//! to a provider or written to a file: `Authorization`, `Cookie`
//! and `Set-Cookie` header values and URL user-info.
//!
//! Evidence is copied from real HTTP exchanges, so a session cookie or bearer token the scanner
//! used can sit in it. Portable files leave the tool's control (they are mailed, uploaded and
//! imported), so every free-text field is passed through [`redact`] before a writer sees it.
//! What stays is what makes the finding useful: header names, the auth scheme, cookie names and
//! attributes (a "cookie without Secure" finding still shows the flags), and the URL's host.

use std::borrow::Cow;

/// What replaces a redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// Headers whose values are credentials.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Returns `text` with header credentials and URL user-info replaced by [`REDACTED`]; borrows
/// when nothing needed redacting, so clean text costs no copy.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !needs_scan(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = redact_header_line(line);
        let line = redact_quoted_headers(&line);
        out.push_str(&redact_userinfo(&line));
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// A cheap pre-check: only text naming a secret header or holding `://…@` is scanned.
fn needs_scan(text: &str) -> bool {
    // Every form redacted here has a colon: `Name:`, `"name":` or `scheme://`. Colons are rare
    // in finding text, so looking only around them keeps this cheap on every field of every row.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|pos| {
        let before = bytes[..pos].trim_ascii_end();
        let before = before
            .strip_suffix(b"\"")
            .or_else(|| before.strip_suffix(b"'"))
            .unwrap_or(before);
        ends_with_ignore_case(before, b"authorization")
            || ends_with_ignore_case(before, b"cookie")
            || (bytes[pos + 1..].starts_with(b"//")
                && memchr::memchr(b'@', &bytes[pos..]).is_some())
    })
}

fn ends_with_ignore_case(hay: &[u8], suffix: &[u8]) -> bool {
    hay.len() >= suffix.len() && hay[hay.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// `Name: value` at the start of a line, also after curl's `> ` / `< ` prefixes.
fn redact_header_line(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim_start();
    let body = trimmed
        .strip_prefix("> ")
        .or_else(|| trimmed.strip_prefix("< "))
        .unwrap_or(trimmed)
        .trim_start();
    let at_start = body.split_once(':').filter(|(name, _)| {
        !name.contains(char::is_whitespace)
            && SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
    });
    let (name_lower, value, quote) = match at_start {
        Some((name, value)) => (name.to_ascii_lowercase(), value, None),
        None => match canonical_header(line) {
            Some(found) => found,
            None => return Cow::Borrowed(line),
        },
    };
    let start = line.len() - value.len();
    let lead = value.len() - value.trim_start().len();
    let (keep, rest) = line.split_at(start + lead);
    // A header quoted on a command line (`-H 'Cookie: a=b'`) ends at its closing quote.
    let end = quote.and_then(|q| rest.find(q)).unwrap_or(rest.len());
    let (secret, tail) = rest.split_at(end);
    let cr = if tail.is_empty() && secret.ends_with('\r') {
        "\r"
    } else {
        ""
    };
    let redacted = redact_value(&name_lower, secret.trim_end_matches('\r'));
    Cow::Owned(format!("{keep}{redacted}{cr}{tail}"))
}

/// A header written in HTTP's own spelling (`Set-Cookie: …`) later in a line, as in one-line
/// evidence. Only the canonical capitalisation counts, so prose such as "lacks authorization:"
/// is left alone. Returns the lower-case name, the rest of the line after the colon, and the
/// quote that opened the header, if one did.
fn canonical_header(line: &str) -> Option<(String, &str, Option<char>)> {
    // Each name below ends in one of these two; most lines hold neither.
    let finds = |needle: &[u8]| memchr::memmem::find(line.as_bytes(), needle).is_some();
    if !finds(b"orization:") && !finds(b"ookie:") {
        return None;
    }
    const CANONICAL: [&str; 4] = [
        "Proxy-Authorization:",
        "Authorization:",
        "Set-Cookie:",
        "Cookie:",
    ];
    CANONICAL
        .iter()
        .filter_map(|name| {
            line.match_indices(name)
                .find(|(pos, _)| {
                    line[..*pos]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric() && c != '-')
                })
                .map(|(pos, _)| (pos, *name))
        })
        .min_by_key(|(pos, _)| *pos)
        .map(|(pos, name)| {
            let lower = name.trim_end_matches(':').to_ascii_lowercase();
            let quote = line[..pos]
                .chars()
                .next_back()
                .filter(|c| *c == '\'' || *c == '"');
            (lower, &line[pos + name.len()..], quote)
        })
}

/// Each of [`SECRET_HEADERS`] in double, then single quotes, as [`redact_quoted_headers`]
/// looks for them.
const QUOTED_HEADERS: [(&str, &str); 8] = [
    ("authorization", "\"authorization\""),
    ("authorization", "'authorization'"),
    ("proxy-authorization", "\"proxy-authorization\""),
    ("proxy-authorization", "'proxy-authorization'"),
    ("cookie", "\"cookie\""),
    ("cookie", "'cookie'"),
    ("set-cookie", "\"set-cookie\""),
    ("set-cookie", "'set-cookie'"),
];

/// `"Authorization": "value"` (JSON, Python dicts, HAR files) anywhere in a line.
fn redact_quoted_headers(line: &str) -> Cow<'_, str> {
    // Every form found here is quoted; most lines of evidence hold no quote at all.
    if !line.contains(['"', '\'']) {
        return Cow::Borrowed(line);
    }
    let lower = line.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    for (header, key) in QUOTED_HEADERS {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(key) {
            let after_key = from + pos + key.len();
            from = after_key;
            let rest = &line[after_key..];
            let Some(colon) = rest.trim_start().strip_prefix(':') else {
                continue;
            };
            let value_part = colon.trim_start();
            let Some(q) = value_part
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
            else {
                continue;
            };
            let value_start = line.len() - value_part.len() + 1;
            let Some(len) = line[value_start..].find(q) else {
                continue;
            };
            if value_start < copied {
                continue;
            }
            out.push_str(&line[copied..value_start]);
            out.push_str(&redact_value(header, &line[value_start..value_start + len]));
            copied = value_start + len;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(line);
    }
    out.push_str(&line[copied..]);
    Cow::Owned(out)
}

/// Keeps what explains the finding and drops the secret part of one header value.
fn redact_value(header: &str, value: &str) -> String {
    if value.is_empty() || value == REDACTED {
        return value.to_owned();
    }
    match header {
        // `Bearer abc` -> `Bearer [REDACTED]`: the scheme is evidence, the token is not.
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, _))
                if !scheme.is_empty()
                    && scheme.len() <= 20
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                format!("{scheme} {REDACTED}")
            }
            _ => REDACTED.to_owned(),
        },
        // Every `name=value` pair of a request cookie is a credential candidate.
        "cookie" => value
            .split(';')
            .map(redact_pair)
            .collect::<Vec<_>>()
            .join(";"),
        // Only the first pair is the cookie; `Path`, `Secure`, `HttpOnly`... are its attributes.
        _ => match value.split_once(';') {
            Some((first, attributes)) => format!("{};{attributes}", redact_pair(first)),
            None => redact_pair(value),
        },
    }
}

fn redact_pair(pair: &str) -> String {
    match pair.split_once('=') {
        Some((name, _)) => format!("{name}={REDACTED}"),
        None if pair.trim().is_empty() => pair.to_owned(),
        None => {
            let lead = &pair[..pair.len() - pair.trim_start().len()];
            format!("{lead}{REDACTED}")
        }
    }
}

/// `scheme://user:password@host` -> `scheme://[REDACTED]@host`.
fn redact_userinfo(line: &str) -> Cow<'_, str> {
    if !line.contains("://") || !line.contains('@') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let end = after
            .find(|c: char| "/?#\"'<>`".contains(c) || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) if at > 0 && &authority[..at] != REDACTED => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_redacted_and_names_kept() {
        let text = "GET /a HTTP/1.1\nAuthorization: Bearer abc.def\ncookie: session=5f2c; theme=dark\n\nHTTP/1.1 200 OK\nSet-Cookie: cart=9c1e; Path=/; HttpOnly";
        let out = redact(text);
        assert_eq!(
            out,
            "GET /a HTTP/1.1\nAuthorization: Bearer [REDACTED]\ncookie: session=[REDACTED]; theme=[REDACTED]\n\nHTTP/1.1 200 OK\nSet-Cookie: cart=[REDACTED]; Path=/; HttpOnly"
        );
    }

    #[test]
    fn curl_prefixes_crlf_and_schemeless_tokens() {
        let out = redact("> Authorization: abcdef0123\r\n< Set-Cookie: s=1\r\n");
        assert_eq!(
            out,
            "> Authorization: [REDACTED]\r\n< Set-Cookie: s=[REDACTED]\r\n"
        );
        assert_eq!(
            redact("Proxy-Authorization: Basic dXNlcjpwYXNz"),
            "Proxy-Authorization: Basic [REDACTED]"
        );
    }

    #[test]
    fn quoted_headers_in_json_and_dicts() {
        let out = redact(
            r#"{"headers": {"Authorization": "Bearer tok", "Accept": "*/*", 'cookie': 'a=b'}}"#,
        );
        assert_eq!(
            out,
            r#"{"headers": {"Authorization": "Bearer [REDACTED]", "Accept": "*/*", 'cookie': 'a=[REDACTED]'}}"#
        );
    }

    #[test]
    fn url_user_info_is_redacted_and_host_kept() {
        assert_eq!(
            redact("see https://admin:hunter2@shop.example/x and ftp://u@h/ and mailto:a@b"),
            "see https://[REDACTED]@shop.example/x and ftp://[REDACTED]@h/ and mailto:a@b"
        );
        assert_eq!(
            redact("https://shop.example/a@b"),
            "https://shop.example/a@b"
        );
    }

    #[test]
    fn canonical_headers_later_in_a_line() {
        assert_eq!(
            redact("Pre-login Set-Cookie: sid=a81f; Path=/ then more"),
            "Pre-login Set-Cookie: sid=[REDACTED]; Path=/ then more"
        );
        assert_eq!(
            redact("curl -H 'Authorization: Bearer x' https://h/"),
            "curl -H 'Authorization: Bearer [REDACTED]' https://h/"
        );
    }

    #[test]
    fn prose_and_other_headers_are_left_alone() {
        for text in [
            "The endpoint lacks authorization: any user can read invoices.",
            "Accept: text/html\nX-Cookie-Id: 7",
            "no secrets here",
            "",
        ] {
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        let once = redact("Authorization: Bearer x\nhttps://u:p@h/").into_owned();
        assert_eq!(redact(&once), once);
    }
}
