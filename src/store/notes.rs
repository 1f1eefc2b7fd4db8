//! Notes a command gives once per store: remembered in `meta` under a key of their own, so a
//! cron job's mail does not repeat them every run.

use super::Store;
use crate::error::{SqlContext, StoreError};

impl Store {
    /// Whether the note `key` about `value` was already given. A note about another value (the
    /// earlier folder moved, say) counts as new.
    pub fn noted(&self, key: &str, value: &str) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM meta WHERE key = ?1 AND value = ?2")
            .doing("reading a note")?;
        // `meta.value` is a BLOB column of a STRICT table: text is kept as its bytes.
        stmt.exists(rusqlite::params![key, value.as_bytes()])
            .doing("reading a note")
    }

    /// Remembers that the note `key` about `value` was given.
    pub fn record_note(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rusqlite::params![key, value.as_bytes()],
            )
            .doing("recording a note")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_remembered_per_value() {
        let store = Store::open_in_memory().unwrap();
        assert!(!store.noted("k", "/a").unwrap());
        store.record_note("k", "/a").unwrap();
        assert!(store.noted("k", "/a").unwrap());
        assert!(!store.noted("k", "/b").unwrap(), "another value is news");
        store.record_note("k", "/b").unwrap();
        assert!(store.noted("k", "/b").unwrap());
    }
}
