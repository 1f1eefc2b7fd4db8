//! The log across attempts (`ticket-export log`): reading `--since`, and checking that each
//! filter names something before the store is searched.

use jiff::{SpanRelativeTo, Timestamp};

use crate::config::Config;
use crate::error::UsageError;
use crate::named::next_line;
use crate::store::{EventFilter, Store};

/// The actions this version records events for: `retry` claims and settles an attempt, and
/// records each `lookup` and `create` call it makes in between. `--action` takes these, and any
/// other action found in the store (one recorded by a newer version).
pub const ACTIONS: &[&str] = &["import", "retry", "lookup", "create", "sync", "fallback"];

/// Reads `--since`: an RFC 3339 time, a date (its midnight, UTC), or an age counted back from
/// `now`, like `12h`, `7d`, `2w` or `1d 6h` (days are 24 hours).
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, UsageError> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>()
        && let Ok(at) = date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
    {
        return Ok(at.timestamp());
    }
    let refused = |why: String| {
        UsageError::new(
            format!("--since {text:?} is not a time or an age"),
            why,
            "write a time (2026-11-28T18:00:00Z), a date (2026-11-28, midnight UTC) or an age \
             counted back from now (12h, 7d, 2w, 1d 6h)",
        )
    };
    let span = text
        .parse::<jiff::Span>()
        .map_err(|e| refused(e.to_string()))?;
    let age = span
        .abs()
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| refused("months and years have no fixed length; use days or weeks".into()))?;
    now.checked_sub(age)
        .map_err(|e| refused(format!("it reaches before the earliest time: {e}")))
}

/// Refuses, before any search, a filter that names nothing: a report not in the store, a
/// provider neither in the store nor in the config, an action never recorded. Exit 2, with the
/// close matches and where to list them: an empty answer would hide the typo.
pub fn check_filter(
    filter: &EventFilter,
    store: &Store,
    config: Option<&Config>,
) -> anyhow::Result<()> {
    crate::named::check(
        crate::named::Named {
            report: filter.report.as_deref(),
            provider: filter.provider.as_deref(),
            ..Default::default()
        },
        Some(store),
        config,
    )?;
    if let Some(action) = &filter.action
        && !ACTIONS.contains(&action.as_str())
        && !store.has_event_action(action)?
    {
        return Err(anyhow::Error::new(UsageError::new(
            format!("--action {action:?} names nothing"),
            "ticket-export records no such action, and no event of the store has it",
            next_line(
                &[action.as_str()],
                ACTIONS.iter().copied(),
                &format!("actions: {}", ACTIONS.join(", ")),
            ),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_time_a_date_or_an_age() {
        let now: Timestamp = "2026-11-29T12:00:00Z".parse().unwrap();
        let at = |text: &str| parse_since(text, now).map(|t| t.to_string());
        assert_eq!(at("2026-11-28T18:00:00Z").unwrap(), "2026-11-28T18:00:00Z");
        assert_eq!(
            at("2026-11-28T19:00:00+01:00").unwrap(),
            "2026-11-28T18:00:00Z"
        );
        assert_eq!(at("2026-11-28").unwrap(), "2026-11-28T00:00:00Z");
        assert_eq!(at("12h").unwrap(), "2026-11-29T00:00:00Z");
        assert_eq!(at("7d").unwrap(), "2026-11-22T12:00:00Z");
        assert_eq!(at("2w").unwrap(), "2026-11-15T12:00:00Z");
        assert_eq!(at("1d 6h").unwrap(), "2026-11-28T06:00:00Z");
        assert_eq!(at("90m").unwrap(), "2026-11-29T10:30:00Z");
        for bad in ["yesterday", "3 months", "1y", "", "12"] {
            let err = at(bad).unwrap_err().to_string();
            assert!(err.contains("is not a time or an age"), "{bad}: {err}");
            assert!(err.contains("next: write a time"), "{bad}: {err}");
        }
    }
}
