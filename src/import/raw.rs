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
#[derive(Debug, Clone, Default)]
pub(super) struct RawRecord {
    values: [Option<Value>; MAX_FIELDS],
    unknown: Vec<String>,
    repeated: Vec<String>,
}

impl RawRecord {
    /// Stores the value of the known field `name` at `slot`; a filled slot means the key was
    /// given twice, which is remembered (the first value stays).
    pub fn set(&mut self, slot: usize, name: &str, value: Value) {
        match &self.values[slot] {
            Some(_) => self.repeat(name),
            None => self.values[slot] = Some(value),
        }
    }

    /// Whether the known field at `slot` was given.
    pub fn has(&self, slot: usize) -> bool {
        self.values[slot].is_some()
    }

    /// Remembers an unknown field's name, or that it was given twice.
    pub fn unknown(&mut self, name: String) {
        match self.unknown.contains(&name) {
            true => self.repeat(&name),
            false => self.unknown.push(name),
        }
    }

    /// Remembers that `name` was given more than once (each name once).
    pub fn repeat(&mut self, name: &str) {
        if !self.repeated.iter().any(|r| r == name) {
            self.repeated.push(name.to_owned());
        }
    }

    /// The values by slot, the unknown names in the order they came, and the names given twice.
    pub fn into_parts(self) -> ([Option<Value>; MAX_FIELDS], Vec<String>, Vec<String>) {
        (self.values, self.unknown, self.repeated)
    }
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
