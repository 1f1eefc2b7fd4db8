//! Naming an object's members in messages, and refusing one given twice rather than silently
//! keeping one of its values.

/// What a member given twice is told.
pub(super) const REPEATED: &str = "appears more than once in this object; give each field once";

/// A record's problems by path, and how many more were counted without being listed.
pub(super) type Problems = (Vec<(String, String)>, usize);

/// The problems of an object's members given twice and unknown (each list once per name), at
/// most `MAX_LISTED` of them formatted: only the first problems of an import are shown, so an
/// object with a million unknown keys builds a message for the first few and counts the rest.
pub(super) fn member_problems(
    base: &str,
    repeated: Vec<String>,
    unknown: Vec<String>,
    names: &[&str],
) -> Problems {
    let total = repeated.len() + unknown.len();
    let listed = total.min(super::error::MAX_LISTED);
    let expected = format!("unknown field (expected one of {})", names.join(", "));
    let repeated = repeated
        .into_iter()
        .map(|key| (member_path(base, &key), REPEATED.to_owned()));
    let unknown = unknown
        .into_iter()
        .map(|key| (member_path(base, &key), expected.clone()));
    (
        repeated.chain(unknown).take(listed).collect(),
        total - listed,
    )
}

/// The path of member `key` under `base`: `base.key` for a plain name, else `base["…"]` with
/// the key JSON-quoted, so that any key (empty, dotted, with a line break) names one place on
/// one line.
pub(super) fn member_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (plain, base.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{base}.{key}"),
        (false, _) => format!("{base}[{}]", quoted(key)),
    }
}

/// `text` as a JSON string, with every control or line-separator character escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_break(c) => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that break a message's line or steer a terminal: controls and line separators.
pub(super) fn is_break(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}
