//! An object read member by member, so that a member given twice is refused, not silently
//! replaced by its last value.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// What a member given twice is told.
pub(super) const REPEATED: &str = "appears more than once in this object; give each field once";

/// One record as written: its members (the first of each name) and the names given twice.
pub(super) struct Members {
    pub map: Map<String, Value>,
    pub repeated: Vec<String>,
}

/// Reads one object into `Members`.
pub(super) struct MembersSeed;

impl<'de> DeserializeSeed<'de> for MembersSeed {
    type Value = Members;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Members, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed {
    type Value = Members;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Members, A::Error> {
        let mut map = Map::new();
        let mut repeated = Vec::new();
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if !map.contains_key(&key) {
                map.insert(key, value);
            } else if !repeated.contains(&key) {
                repeated.push(key);
            }
        }
        Ok(Members { map, repeated })
    }
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
