//! What the last live check of each provider found.

use jiff::Timestamp;
use rusqlite::OptionalExtension;

use super::{Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};

/// A stored provider check: status (`ok`, `auth_failed`, `unreachable`), when, and a short detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthRecord {
    pub status: String,
    pub checked_at: Timestamp,
    pub detail: String,
}

impl Store {
    /// Records the outcome of a provider check, replacing the previous one.
    pub fn record_health(
        &self,
        provider_key: &str,
        record: &HealthRecord,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO provider_health (provider_key, status, checked_at, detail) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![provider_key, record.status, ts_to_sql(record.checked_at), record.detail],
            )
            .doing("recording provider health")?;
        Ok(())
    }

    /// The last check of a provider, if any ran.
    pub fn health(&self, provider_key: &str) -> Result<Option<HealthRecord>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT status, checked_at, detail FROM provider_health WHERE provider_key = ?1",
            )
            .and_then(|mut s| {
                s.query_row([provider_key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .optional()
            })
            .doing("reading provider health")
            .map(|row| {
                row.and_then(|(status, at, detail)| {
                    Some(HealthRecord {
                        status,
                        checked_at: ts_from_sql(&at)?,
                        detail,
                    })
                })
            })
    }
}
