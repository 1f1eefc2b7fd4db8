//! Keeps secrets pasted into a config out of its error messages.
//!
//! TOML errors quote the offending line, and some problems quote a value; a token pasted into
//! the file would then be printed to a terminal, a CI log or a ticket. The file may not even
//! parse, so secrets are found lexically: the values of the literal-secret keys, the user-info
//! of URLs, and words that start like a provider's token. Each is masked character for
//! character, so the caret under a quoted line still points at the right column.

use super::parse::{TOKEN_PREFIXES, looks_like_secret};

/// Keys whose value is a credential when written literally (see `RawAuth`).
const SECRET_KEYS: &[&str] = &[
    "token",
    "password",
    "secret",
    "api_key",
    "api_token",
    "key",
    "user",
];

/// `message` with every secret found in `text` masked.
pub(super) fn scrub(message: &str, text: &str) -> String {
    let mut secrets = secrets(text);
    // Longest first, so that a secret containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.into_iter().fold(message.to_owned(), |msg, secret| {
        msg.replace(&secret, &"*".repeat(secret.chars().count()))
    })
}

/// A TOML error as the user sees it: where (line and column, and the key path) and what, but
/// never a value. The TOML crate's own text quotes the offending line, and serde quotes values
/// (`invalid type: string "…"`, ``unknown variant `…` ``): a token pasted under a misspelt key
/// (`access_token`, `headers = { Authorization = … }`) would be printed. So the line is never
/// quoted, every quoted value in the message is replaced, and only key names are kept (and
/// only when they look like key names, not like a pasted secret).
pub(super) fn toml_error(err: &toml::de::Error, text: &str) -> String {
    let mut bare = err.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let path = shown
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("in `").and_then(|p| p.strip_suffix('`')))
        .map(|keys| {
            let keys: Vec<&str> = keys
                .split('.')
                .map(|k| if key_like(k) { k } else { "…" })
                .collect();
            format!(" (in {})", keys.join("."))
        })
        .unwrap_or_default();
    let at = match err.span() {
        Some(span) => {
            let (line, column) = position(text, span.start);
            format!("line {line}, column {column}: ")
        }
        None => String::new(),
    };
    let message = without_values(err.message().trim());
    scrub(&format!("{at}{message}{path}"), text)
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Whether a name can be shown as the key it is: an identifier, not a pasted secret.
fn key_like(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !looks_like_secret(name)
}

/// A serde or TOML message with every quoted value replaced. Quoted names after `field` or
/// `key` (``unknown field `access_token` ``) are keys and stay when they look like one; the
/// list after `expected` comes from ticket-export's own types and stays.
fn without_values(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    let mut expected = false;
    while let Some(open) = rest.find(['`', '"']) {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        expected |= before.contains("expected");
        let quote = from.chars().next().unwrap_or('"');
        let close = closing(&from[1..], quote).map(|i| i + 1);
        let Some(close) = close else {
            // An unclosed quote: whatever follows may be a value.
            out.push_str(" (value not shown)");
            return out;
        };
        let inner = &from[1..close];
        let names_key = before.ends_with("field ") || before.ends_with("key ");
        if expected || (names_key && key_like(inner)) {
            out.push_str(&from[..=close]);
        } else if names_key {
            out.push_str("(a key that looks like a secret; not shown)");
        } else {
            out.push_str("(value not shown)");
        }
        rest = &from[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the quote opened before `text` closes: the next `quote` not escaped by a backslash
/// (serde writes strings with Rust's escapes).
fn closing(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// Every secret-looking piece of `text`, at least four characters long.
fn secrets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        literal_values(line, &mut out);
        userinfo(line, &mut out);
        prefixed_words(line, &mut out);
    }
    // Multi-line strings: the whole text after `key = """` up to the closing quotes.
    literal_values(text, &mut out);
    out.retain(|s| s.chars().count() >= 4);
    out.sort();
    out.dedup();
    out
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || "\"'`,[]{}=#()<>".contains(c)
}

/// Words that start like a provider's token (`ghp_…`, `glpat-…`), wherever they start: after a
/// quote, a space, or inside a URL.
fn prefixed_words(line: &str, out: &mut Vec<String>) {
    for prefix in TOKEN_PREFIXES {
        for (at, _) in line.match_indices(prefix) {
            if line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            let word = &line[at..];
            let end = word[prefix.len()..]
                .find(|c: char| is_separator(c) || "@/?&:".contains(c))
                .map_or(word.len(), |i| i + prefix.len());
            out.push(word[..end].to_owned());
        }
    }
}

/// The values after `token =`, `password =`... (bare, dotted or quoted key): each string in
/// them, or the bare value up to its end.
fn literal_values(text: &str, out: &mut Vec<String>) {
    for key in SECRET_KEYS {
        for (at, _) in text.match_indices(key) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                continue;
            }
            let rest = text[at + key.len()..].trim_start_matches('"');
            let Some(value) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let value = value.trim_start();
            let end = value_end(value);
            let raw = value[..end].trim();
            if !raw.starts_with(['"', '\'', '[', '{']) {
                out.push(raw.to_owned());
            }
            for piece in raw.split(['"', '\'']) {
                let piece = piece.trim_matches(|c: char| c == ',' || c.is_whitespace());
                if !piece.is_empty() && !"[]{}".contains(piece) {
                    out.push(piece.to_owned());
                }
            }
        }
    }
}

/// Where a value starting `value` ends: after its closing quote(s), or at the end of the line
/// (or of the inline table or array element) when it has none.
fn value_end(value: &str) -> usize {
    for quote in ["\"\"\"", "'''"] {
        if let Some(inner) = value.strip_prefix(quote) {
            return inner
                .find(quote)
                .map_or(value.len(), |i| i + 2 * quote.len());
        }
    }
    let line_end = value.find('\n').unwrap_or(value.len());
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote) {
            return inner[..line_end - 1]
                .find(quote)
                .map_or(line_end, |i| i + 2);
        }
    }
    value[..line_end].find([',', '}', '#']).unwrap_or(line_end)
}

/// `user:password` in `scheme://user:password@host`, or `user:password@host` with no scheme:
/// the whole user-info and the password alone.
/// A URL cut short before its `@` keeps `scheme://user:pass…` (or `user:pass…` as a base URL):
/// a "port" that is not a number is taken for a password.
fn userinfo(line: &str, out: &mut Vec<String>) {
    let url_line = line.trim_start().starts_with("base_url");
    for word in line.split(is_separator) {
        let scheme = word.contains("://");
        let authority = word.split_once("://").map_or(word, |(_, rest)| rest);
        let authority = authority.split('/').next().unwrap_or_default();
        let info = match authority.rsplit_once('@') {
            Some((info, _host)) if scheme || info.contains(':') => info,
            None if scheme || url_line => authority,
            _ => continue,
        };
        match info.split_once(':') {
            Some((_, port))
                if !authority.contains('@') && port.chars().all(|c| c.is_ascii_digit()) => {}
            Some((_, password)) => {
                out.push(info.to_owned());
                out.push(password.to_owned());
            }
            None if authority.contains('@') => out.push(info.to_owned()),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn each_form_is_masked_and_the_rest_kept() {
        let text = "auth = { token_env = \"T\", token = \"s3cr3t-value\" } oops\n\
                    base_url = \"https://me:pa55word@x.example/api\"\n\
                    \"password\" = '''multi\nline'''\n\
                    owned = [\"ghp_0123456789abcdef\"]\n";
        let message = format!("line 1: {text}");
        let out = scrub(&message, text);
        for secret in [
            "s3cr3t-value",
            "pa55word",
            "me:pa55word",
            "multi",
            "ghp_0123456789abcdef",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("token = \"************\" } oops"), "{out}");
        assert!(out.contains("https://***********@x.example/api"), "{out}");
        assert!(out.contains("token_env = \"T\""), "{out}");
    }

    #[test]
    fn names_of_variables_and_plain_values_are_kept() {
        let text =
            "auth = { token_env = \"GITHUB_TOKEN\", user_env = \"ME\" }\nmapping = { key = 1 }";
        assert_eq!(
            scrub("GITHUB_TOKEN ME mapping", text),
            "GITHUB_TOKEN ME mapping"
        );
    }
}
