//! One rule for every command: an attempt id, report or provider key that a command is given
//! must name something in the store or the config. A name that matches nothing is a usage error
//! (exit 2) with the close matches and the command that lists the real names, because an empty
//! answer ("nothing to do", "no attempts match") would hide the typo.

use crate::config::Config;
use crate::error::UsageError;
use crate::store::Store;
use crate::suggest::close_matches;

/// The names a command was given, as its arguments spell them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Named<'a> {
    /// ticket_export_ids: each must be an attempt of the store.
    pub ids: &'a [String],
    /// `--report`: a report of the store.
    pub report: Option<&'a str>,
    /// `--provider` (or `settings check KEY`): a key of the store's attempts or of the config.
    pub provider: Option<&'a str>,
}

/// Where each kind of name is listed, for the `next:` line.
const LIST_IDS: &str =
    "list them with `ticket-export inspect`, or import the report that holds them first";
const LIST_REPORTS: &str = "list them with `ticket-export reports`, or import the report first";
const LIST_PROVIDERS: &str = "list them with `ticket-export inspect --summary` (the store) or see \
     the [providers.KEY] tables of the config (`ticket-export settings path` shows which file)";

/// Checks every name against the store and the config, before a command reads or sends
/// anything. `store` is None where only the config counts (`settings check KEY` probes
/// configured providers only); `config` is None where it could not be read, so that a
/// broken config does not turn a good store name into an error.
pub fn check(
    named: Named<'_>,
    store: Option<&Store>,
    config: Option<&Config>,
) -> anyhow::Result<()> {
    if let Some(store) = store {
        let mut missing = Vec::new();
        for id in named.ids {
            if store.attempt(id)?.is_none() && !missing.contains(&id.as_str()) {
                missing.push(id.as_str());
            }
        }
        if !missing.is_empty() {
            let known = store.all_attempt_ids()?;
            let mut e = unknown(
                Kind::Id,
                &missing,
                known.iter().map(String::as_str),
                LIST_IDS,
            );
            if let Some(path) = store.path() {
                e.what = format!("{} {}", e.what, path.display());
            }
            return Err(anyhow::Error::new(e));
        }
        if let Some(report) = named.report
            && !store.has_report(report)?
        {
            let known = store.report_ids()?;
            return Err(anyhow::Error::new(unknown(
                Kind::Report,
                &[report],
                known.iter().map(String::as_str),
                LIST_REPORTS,
            )));
        }
    }
    if let Some(key) = named.provider {
        let in_config = config.is_some_and(|c| c.provider(key).is_some());
        let in_store = match store {
            Some(store) => store.has_provider(key)?,
            None => false,
        };
        if !in_config && !in_store {
            let mut keys = match store {
                Some(store) => store.provider_keys()?,
                None => Vec::new(),
            };
            keys.extend(config.into_iter().flat_map(|c| c.providers.keys().cloned()));
            keys.sort();
            keys.dedup();
            let kind = match store {
                Some(_) => Kind::Provider,
                None => Kind::ConfiguredProvider,
            };
            return Err(anyhow::Error::new(unknown(
                kind,
                &[key],
                keys.iter().map(String::as_str),
                LIST_PROVIDERS,
            )));
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Id,
    Report,
    Provider,
    ConfiguredProvider,
}

fn unknown<'a>(
    kind: Kind,
    names: &[&str],
    known: impl IntoIterator<Item = &'a str>,
    list: &str,
) -> UsageError {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let (what, why) = match kind {
        Kind::Id => (
            format!("no attempt {} in the store", quoted.join(", ")),
            "these ids are not among the imported ticket exports; nothing was done",
        ),
        Kind::Report => (
            format!("--report {} names nothing", quoted.join(", ")),
            "no report of the store has this id; nothing was done",
        ),
        Kind::Provider => (
            format!("--provider {} names nothing", quoted.join(", ")),
            "no attempt of the store is for this provider key, nor does the config name it; \
             nothing was done",
        ),
        Kind::ConfiguredProvider => (
            format!("no provider {} in the config", quoted.join(", ")),
            "the config has no [providers.KEY] table with this key; nothing was sent",
        ),
    };
    UsageError::new(what, why, next_line(names, known, list))
}

/// "did you mean …? list them with …": the close matches of every name, nearest first.
pub(crate) fn next_line<'a>(
    names: &[&str],
    known: impl IntoIterator<Item = &'a str>,
    list: &str,
) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    let mut close: Vec<&str> = Vec::new();
    for name in names {
        for c in close_matches(name, known.iter().copied()) {
            if !close.contains(&c) {
                close.push(c);
            }
        }
    }
    match close.as_slice() {
        [] => list.to_owned(),
        close => format!("did you mean {}? {list}", close.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_line_names_close_matches_then_where_to_list() {
        let known = ["rep_1042", "rep_2051", "gh-shop"];
        assert_eq!(
            next_line(&["rep_1024"], known, LIST_REPORTS),
            format!("did you mean rep_1042? {LIST_REPORTS}")
        );
        assert_eq!(next_line(&["zzzzzzzz"], known, LIST_REPORTS), LIST_REPORTS);
        let e = unknown(Kind::Id, &["a", "b"], [], LIST_IDS);
        assert_eq!(e.what, "no attempt \"a\", \"b\" in the store");
    }
}
