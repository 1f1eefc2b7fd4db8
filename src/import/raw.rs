//! Reading one JSON object into fixed slots, one per known field, rather than into a
//! `serde_json::Map`: a map costs a key allocation and a tree insert and removal per field, which
//! was a fifth of the time an import spent reading. A key given twice is remembered, so that it
//! is refused rather than silently replaced, and every value, known or not, is read as a JSON value.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// The most known fields a record kind has (a ticket export's 15).
pub(super) const MAX_FIELDS: usize = 15;

/// Where a record is in the file. Formatted only when there is a problem to name, so the
/// common case allocates no path.
#[derive(Debug, Clone, Copy)]
pub(super) enum RecordPath {
    Report(usize),
    Finding(usize, usize),
    Export(usize, usize),
}

impl fmt::Display for RecordPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordPath::Report(r) => write!(f, "reports[{r}]"),
            RecordPath::Finding(r, i) => write!(f, "reports[{r}].findings[{i}]"),
            RecordPath::Export(r, i) => write!(f, "reports[{r}].ticket_exports[{i}]"),
        }
    }
}

/// One JSON object as read: the value of each known field by its index in the kind's list of
/// names, and the names of unknown fields.
///
/// Unknown names are only pushed while the object streams past; whether one was given twice is
/// found once, by sorting, in [`RawRecord::into_parts`]. Checking each new name against the
/// names before it made an object with many unknown keys take time quadratic in its size.
#[derive(Debug, Clone, Default)]
pub(super) struct RawRecord {
    values: [Option<Value>; MAX_FIELDS],
    unknown: Vec<String>,
    /// Known names given twice, each once, in the order their repeat came (at most
    /// `MAX_FIELDS` of them, so looking one up is cheap).
    repeated: Vec<String>,
}

/// What a record held, taken apart for validation.
pub(super) struct RawParts {
    /// The values of the known fields by slot.
    pub values: [Option<Value>; MAX_FIELDS],
    /// The unknown names, each once, in byte order.
    pub unknown: Vec<String>,
    /// The names given more than once: known ones in the order their repeat came, then
    /// unknown ones in byte order.
    pub repeated: Vec<String>,
}

impl RawRecord {
    /// Stores the value of the known field `name` at `slot`; a filled slot means the key was
    /// given twice, which is remembered (the first value stays).
    pub fn set(&mut self, slot: usize, name: &str, value: Value) {
        match &self.values[slot] {
            Some(_) => {
                if !self.repeated.iter().any(|r| r == name) {
                    self.repeated.push(name.to_owned());
                }
            }
            None => self.values[slot] = Some(value),
        }
    }

    /// Whether the known field at `slot` was given.
    pub fn has(&self, slot: usize) -> bool {
        self.values[slot].is_some()
    }

    /// Remembers an unknown field's name; a repeat is found in [`RawRecord::into_parts`].
    pub fn unknown(&mut self, name: String) {
        self.unknown.push(name);
    }

    /// A copy of the known values only, for reading a report's header before its end: the
    /// unknown names (any number of them) are reported once, from the whole record.
    pub fn known_only(&self) -> RawRecord {
        RawRecord {
            values: self.values.clone(),
            unknown: Vec::new(),
            repeated: Vec::new(),
        }
    }

    /// Takes the record apart: O(n log n) in its unknown names, whatever their number.
    pub fn into_parts(self) -> RawParts {
        let RawRecord {
            values,
            mut unknown,
            mut repeated,
        } = self;
        unknown.sort_unstable_by(|a, b| compare(a, b));
        let mut distinct: Vec<String> = Vec::with_capacity(unknown.len());
        for name in unknown {
            match distinct.last() {
                Some(last) if compare(last, &name).is_eq() => {
                    if repeated.last() != Some(&name) {
                        repeated.push(name);
                    }
                }
                _ => distinct.push(name),
            }
        }
        RawParts {
            values,
            unknown: distinct,
            repeated,
        }
    }
}

/// Orders two unknown names; counted in tests, where the work an object costs is measured by
/// the comparisons it takes rather than by a clock.
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    #[cfg(test)]
    COMPARISONS.with(|c| c.set(c.get() + 1));
    a.cmp(b)
}

#[cfg(test)]
thread_local! {
    /// Name comparisons made on this thread.
    static COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A key of a record: the index of a known name, or an unknown name.
pub(super) enum Key {
    Known(usize),
    Unknown(String),
}

/// Reads one key without allocating unless it is unknown.
pub(super) struct KeySeed(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match self.0.iter().position(|name| *name == key) {
            Some(slot) => Key::Known(slot),
            None => Key::Unknown(key.to_owned()),
        })
    }
}

/// Reads one finding or ticket export object into a [`RawRecord`].
pub(super) struct RecordSeed(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = RawRecord;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRecord, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = RawRecord;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json's own words for a map, so messages match those of the earlier reader.
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord, A::Error> {
        let mut raw = RawRecord::default();
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            // Unknown values are still read as values, so their syntax and UTF-8 are checked.
            let value: Value = map.next_value()?;
            match key {
                Key::Known(slot) => raw.set(slot, self.0[slot], value),
                Key::Unknown(name) => raw.unknown(name),
            }
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads one object of `n` unknown members (every fourth name given twice) and returns
    /// its parts and the name comparisons that took.
    fn read(n: usize) -> (RawParts, u64) {
        let mut text = String::from("{\"finding_id\":\"f\"");
        for i in 0..n {
            // Descending, so the names do not arrive sorted.
            text.push_str(&format!(",\"x{:07}\":{i}", n - i));
            if i % 4 == 0 {
                text.push_str(&format!(",\"x{:07}\":0", n - i));
            }
        }
        text.push('}');
        COMPARISONS.with(|c| c.set(0));
        let mut de = serde_json::Deserializer::from_str(&text);
        let raw = RecordSeed(&["finding_id"]).deserialize(&mut de).unwrap();
        let parts = raw.into_parts();
        (parts, COMPARISONS.with(|c| c.get()))
    }

    /// Was: each unknown name was compared with every name before it, so 200,000 unknown keys
    /// (3.4 MB) took 57 s to refuse. The work is counted, not timed: doubling the names must
    /// about double the comparisons (n log n), never quadruple them.
    #[test]
    fn unknown_names_cost_n_log_n_comparisons() {
        let mut last = None;
        for n in [5_000, 10_000, 20_000, 40_000] {
            let (parts, comparisons) = read(n);
            assert_eq!(parts.unknown.len(), n);
            assert!(parts.unknown.windows(2).all(|w| w[0] < w[1]), "byte order");
            assert_eq!(parts.repeated.len(), n.div_ceil(4));
            let bound = 4 * (n + n / 4) as u64 * u64::from((n as u32).ilog2() + 1);
            assert!(comparisons <= bound, "{n} names: {comparisons} > {bound}");
            if let Some((m, before)) = last {
                let ratio = comparisons as f64 / before as f64;
                assert!(
                    ratio < 2.6,
                    "{m} -> {n} names: comparisons grew {ratio:.2}x"
                );
            }
            last = Some((n, comparisons));
        }
    }

    #[test]
    fn repeats_are_named_once_known_first_then_unknown_in_byte_order() {
        let mut raw = RawRecord::default();
        for name in ["b", "a", "b", "b", "a", "c"] {
            raw.unknown(name.to_owned());
        }
        raw.set(0, "finding_id", Value::Null);
        raw.set(0, "finding_id", Value::Null);
        raw.set(0, "finding_id", Value::Null);
        let parts = raw.into_parts();
        assert_eq!(parts.unknown, ["a", "b", "c"]);
        assert_eq!(parts.repeated, ["finding_id", "a", "b"]);
    }
}
