//! The names a filter can take, as the store holds them: report ids and provider keys.

use super::Store;
use crate::error::{SqlContext, StoreError};

impl Store {
    /// Whether the store holds this report.
    pub fn has_report(&self, report_id: &str) -> Result<bool, StoreError> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM reports WHERE report_id = ?1)",
            report_id,
        )
    }

    /// Whether any attempt of the store is for this provider key.
    pub fn has_provider(&self, provider_key: &str) -> Result<bool, StoreError> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM ticket_exports WHERE provider_key = ?1)",
            provider_key,
        )
    }

    /// Every report id, in order.
    pub fn report_ids(&self) -> Result<Vec<String>, StoreError> {
        self.names("SELECT report_id FROM reports ORDER BY report_id")
    }

    /// Every provider key that has an attempt, in order.
    pub fn provider_keys(&self) -> Result<Vec<String>, StoreError> {
        self.names("SELECT DISTINCT provider_key FROM ticket_exports ORDER BY provider_key")
    }

    /// Every attempt id, in order: the candidates for a close match to an id that is not there.
    pub fn all_attempt_ids(&self) -> Result<Vec<String>, StoreError> {
        self.names("SELECT ticket_export_id FROM ticket_exports ORDER BY ticket_export_id")
    }

    /// How many attempts the store holds.
    pub fn attempt_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM ticket_exports", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .doing("counting attempts")
    }

    fn exists(&self, sql: &str, name: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(sql, [name], |r| r.get(0))
            .doing("looking a name up")
    }

    fn names(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(sql).doing("listing names")?;
        let rows = stmt.query_map([], |r| r.get(0)).doing("listing names")?;
        rows.collect::<Result<_, _>>().doing("listing names")
    }
}
