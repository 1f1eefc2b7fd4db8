//! The append-only event history of each attempt, and the log across attempts.

use std::ops::ControlFlow;

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
            .query_map([ticket_export_id], |r| event_from_row(r, 0))
            .doing("reading events")?;
        rows.collect::<Result<_, _>>().doing("reading events")
    }
}

/// Which events `log` selects. Empty fields select everything.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    pub report: Option<String>,
    pub provider: Option<String>,
    pub action: Option<String>,
}

/// An event with the attempt it belongs to, as `log` lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoggedEvent {
    /// The event's row id: a later event has a larger one.
    pub event_id: i64,
    pub ticket_export_id: String,
    /// None only for an event whose attempt is missing from the store.
    pub report_id: Option<String>,
    pub provider_key: Option<String>,
    #[serde(flatten)]
    pub event: Event,
}

impl EventFilter {
    /// The WHERE clause and its arguments. Only the conditions in use are written, so SQLite can
    /// range-scan `events_by_time` for `since` (an `?1 IS NULL OR` form would hide it).
    fn clause(&self) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        if let Some(since) = self.since {
            clauses.push("e.at >= ?");
            args.push(ts_to_sql(since));
        }
        if let Some(report) = &self.report {
            clauses.push("t.report_id = ?");
            args.push(report.clone());
        }
        if let Some(provider) = &self.provider {
            clauses.push("t.provider_key = ?");
            args.push(provider.clone());
        }
        if let Some(action) = &self.action {
            clauses.push("e.action = ?");
            args.push(action.clone());
        }
        let sql = match clauses.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", clauses.join(" AND ")),
        };
        (sql, args)
    }
}

impl Store {
    /// Streams the selected events of every attempt to `visit`, newest first (by time, then by
    /// the order they were recorded), at most `limit` of them; `visit` may stop early.
    pub fn for_each_logged_event(
        &self,
        filter: &EventFilter,
        limit: u64,
        mut visit: impl FnMut(LoggedEvent) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let (sql, args) = log_query(filter, limit);
        let mut stmt = self.conn.prepare(&sql).doing("reading the log")?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(&args))
            .doing("reading the log")?;
        while let Some(r) = rows.next().doing("reading the log")? {
            let event = LoggedEvent {
                event_id: r.get(0).doing("reading the log")?,
                ticket_export_id: r.get(1).doing("reading the log")?,
                report_id: r.get(2).doing("reading the log")?,
                provider_key: r.get(3).doing("reading the log")?,
                event: event_from_row(r, 4).doing("reading the log")?,
            };
            if visit(event).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// How many events the filter selects.
    pub fn count_logged_events(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        let (where_sql, args) = filter.clause();
        // The join is needed only when a filter reads the attempt.
        let join = match filter.report.is_some() || filter.provider.is_some() {
            true => "JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id",
            false => "",
        };
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM events e {join} {where_sql}"),
                rusqlite::params_from_iter(&args),
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .doing("counting the log")
    }

    /// Whether any event of the store has this action.
    pub fn has_event_action(&self, action: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE action = ?1)",
                [action],
                |r| r.get(0),
            )
            .doing("reading the log")
    }
}

/// The statement `for_each_logged_event` runs, and its arguments.
fn log_query(filter: &EventFilter, limit: u64) -> (String, Vec<String>) {
    let (where_sql, mut args) = filter.clause();
    args.push(limit.min(i64::MAX as u64).to_string());
    let sql = format!(
        "SELECT e.id, e.ticket_export_id, t.report_id, t.provider_key, e.at, e.action, e.outcome,
                e.code, e.http_status, e.detail
           FROM events e LEFT JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id
           {where_sql} ORDER BY e.at DESC, e.id DESC LIMIT CAST(? AS INTEGER)"
    );
    (sql, args)
}

/// The event in columns `first..first + 6` (at, action, outcome, code, http_status, detail).
fn event_from_row(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Event> {
    Ok(Event {
        at: r.get::<_, String>(first).map(|t| ts_from_sql(&t))?,
        action: r.get(first + 1)?,
        outcome: r.get(first + 2)?,
        code: r.get(first + 3)?,
        http_status: r.get(first + 4)?,
        detail: r.get(first + 5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// The demo's 20 attempts imported at 10:00, then events recorded out of clock order.
    fn store() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let vars = [(
            crate::env_vars::NOW.to_owned(),
            "2026-11-29T10:00:00Z".to_owned(),
        )]
        .into();
        let ambient = crate::ambient::Ambient::new(vars, Timestamp::UNIX_EPOCH).unwrap();
        let demo = include_str!("../../examples/demo-report.json");
        let config = crate::config::Config::default();
        crate::import::import(&mut store, &config, &ambient, demo.as_bytes(), "demo").unwrap();
        let event = |action: &str, outcome: &str| Event {
            at: None,
            action: action.into(),
            outcome: outcome.into(),
            code: None,
            http_status: None,
            detail: String::new(),
        };
        for (id, when, action, outcome) in [
            ("tex_9001", "2026-11-29T11:00:00Z", "retry", "created"),
            ("tex_9002", "2026-11-29T12:00:00Z", "retry", "refused"),
            // Recorded later with an earlier clock: time orders the log, not the row id.
            ("tex_9003", "2026-11-29T10:30:00Z", "sync", "pulled"),
            ("tex_9001", "2026-11-29T12:00:00Z", "sync", "ok"),
        ] {
            store
                .append_event(id, at(when), &event(action, outcome))
                .unwrap();
        }
        store
    }

    fn listed(store: &Store, filter: &EventFilter, limit: u64) -> Vec<String> {
        let mut out = Vec::new();
        store
            .for_each_logged_event(filter, limit, |e| {
                out.push(format!(
                    "{} {} {} {}",
                    e.event.at.unwrap(),
                    e.ticket_export_id,
                    e.event.action,
                    e.event.outcome
                ));
                ControlFlow::Continue(())
            })
            .unwrap();
        out
    }

    #[test]
    fn newest_first_by_time_then_by_record_order() {
        let store = store();
        let all = listed(&store, &EventFilter::default(), 5);
        assert_eq!(
            all,
            [
                "2026-11-29T12:00:00Z tex_9001 sync ok",
                "2026-11-29T12:00:00Z tex_9002 retry refused",
                "2026-11-29T11:00:00Z tex_9001 retry created",
                "2026-11-29T10:30:00Z tex_9003 sync pulled",
                // The import events, the last of them first.
                "2026-11-29T10:00:00Z tex_9020 import created",
            ]
        );
        assert_eq!(
            store.count_logged_events(&EventFilter::default()).unwrap(),
            24
        );
    }

    #[test]
    fn filters_select_by_time_report_provider_and_action() {
        let store = store();
        let since = EventFilter {
            since: Some(at("2026-11-29T10:30:00Z")),
            ..Default::default()
        };
        assert_eq!(listed(&store, &since, 100).len(), 4);
        assert_eq!(store.count_logged_events(&since).unwrap(), 4);
        let attempt = store.attempt("tex_9001").unwrap().unwrap();
        let report = EventFilter {
            report: Some(attempt.report_id.clone()),
            action: Some("retry".into()),
            ..Default::default()
        };
        assert_eq!(
            listed(&store, &report, 100),
            [
                "2026-11-29T12:00:00Z tex_9002 retry refused",
                "2026-11-29T11:00:00Z tex_9001 retry created"
            ]
        );
        let other_report = EventFilter {
            report: Some("rep_2051".into()),
            action: Some("retry".into()),
            ..Default::default()
        };
        assert_eq!(store.count_logged_events(&other_report).unwrap(), 0);
        let provider = EventFilter {
            provider: Some(attempt.provider_key.clone()),
            since: Some(at("2026-11-29T11:00:00Z")),
            ..Default::default()
        };
        assert_eq!(attempt.provider_key, "jira-sec");
        assert_eq!(listed(&store, &provider, 100).len(), 3);
        assert_eq!(store.count_logged_events(&provider).unwrap(), 3);
        let other = EventFilter {
            provider: Some("gh-shop".into()),
            ..provider
        };
        assert!(listed(&store, &other, 100).is_empty());
        assert_eq!(store.count_logged_events(&other).unwrap(), 0);
        assert!(store.has_event_action("sync").unwrap());
        assert!(!store.has_event_action("link").unwrap());
    }

    /// Newest first and `--since` read the time index in order and stop at the limit: without
    /// it (schema 4) every `log` sorted the whole table.
    #[test]
    fn the_log_reads_the_time_index_without_sorting() {
        let store = store();
        for filter in [
            EventFilter::default(),
            EventFilter {
                since: Some(at("2026-11-29T11:00:00Z")),
                action: Some("retry".into()),
                ..Default::default()
            },
        ] {
            let (sql, args) = log_query(&filter, 50);
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(&args), |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains("USING INDEX events_by_time"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}
