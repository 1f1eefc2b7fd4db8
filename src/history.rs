//! The log across attempts (`ticket-export log`): reading `--since`, and checking that each
//! filter names something before the store is searched.

use jiff::{SpanRelativeTo, Timestamp};

use crate::config::Config;
use crate::error::UsageError;
use crate::store::{EventFilter, Store};
use crate::suggest::close_matches;

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
    if let Some(report) = &filter.report
        && !store.has_report(report)?
    {
        let ids = store.report_ids()?;
        return Err(anyhow::Error::new(unknown(
            "report",
            report,
            ids.iter().map(String::as_str),
            "list them with `ticket-export reports`",
        )));
    }
    if let Some(key) = &filter.provider {
        let in_config = config.is_some_and(|c| c.provider(key).is_some());
        if !in_config && !store.has_provider(key)? {
            let mut keys = store.provider_keys()?;
            keys.extend(config.into_iter().flat_map(|c| c.providers.keys().cloned()));
            keys.sort();
            keys.dedup();
            return Err(anyhow::Error::new(unknown(
                "provider",
                key,
                keys.iter().map(String::as_str),
                "list them with `ticket-export inspect --summary` (the store) or `ticket-export settings check` (the config)",
            )));
        }
    }
    if let Some(action) = &filter.action
        && !ACTIONS.contains(&action.as_str())
        && !store.has_event_action(action)?
    {
        return Err(anyhow::Error::new(unknown(
            "action",
            action,
            ACTIONS.iter().copied(),
            &format!("actions: {}", ACTIONS.join(", ")),
        )));
    }
    Ok(())
}

fn unknown<'a>(
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
    list: &str,
) -> UsageError {
    let close = close_matches(name, known);
    let next = match close.as_slice() {
        [] => list.to_owned(),
        close => format!("did you mean {}? {list}", close.join(", ")),
    };
    UsageError::new(
        format!("--{what} {name:?} names nothing"),
        match what {
            "report" => "no report of the store has this id".to_owned(),
            "provider" => {
                "no attempt of the store is for this provider key, nor does the config name it"
                    .to_owned()
            }
            _ => {
                "ticket-export records no such action, and no event of the store has it".to_owned()
            }
        },
        next,
    )
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
