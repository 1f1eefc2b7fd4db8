//! The append-only event history of each attempt.

use jiff::Timestamp;

use super::{Store, ts_from_sql, ts_to_sql};
use crate::error::{SqlContext, StoreError};

/// One recorded action on an attempt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    #[serde(with = "crate::model::opt_ts")]
    pub at: Option<Timestamp>,
    pub action: String,
    pub outcome: String,
    pub code: Option<String>,
    pub http_status: Option<u16>,
    pub detail: String,
}

impl Store {
    /// Appends an event. The table refuses updates and deletes.
    pub fn append_event(
        &self,
        ticket_export_id: &str,
        at: Timestamp,
        event: &Event,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(rusqlite::params![
                    ticket_export_id,
                    ts_to_sql(at),
                    event.action,
                    event.outcome,
                    event.code,
                    event.http_status,
                    event.detail
                ])
            })
            .doing("recording an event")?;
        Ok(())
    }

    /// The history of an attempt, oldest first.
    pub fn events(&self, ticket_export_id: &str) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, action, outcome, code, http_status, detail FROM events
                 WHERE ticket_export_id = ?1 ORDER BY id",
            )
            .doing("reading events")?;
        let rows = stmt
            .query_map([ticket_export_id], |r| {
                Ok(Event {
                    at: r.get::<_, String>(0).map(|t| ts_from_sql(&t))?,
                    action: r.get(1)?,
                    outcome: r.get(2)?,
                    code: r.get(3)?,
                    http_status: r.get(4)?,
                    detail: r.get(5)?,
                })
            })
            .doing("reading events")?;
        rows.collect::<Result<_, _>>().doing("reading events")
    }
}
