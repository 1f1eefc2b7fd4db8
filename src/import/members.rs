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
