//! Shell completion at TAB time.
//!
//! The scripts that `completions SHELL` prints are small: on every TAB they call
//! `ticket-export` back with `TICKET_EXPORT_COMPLETE=<shell>` and the words typed so far, and
//! clap_complete's engine answers from the clap definition (subcommands, options, enum values,
//! paths). Whatever command exists is completed, with no list to keep in step. On top of that,
//! the values that only the store and config know are completed here: attempt ids, report ids
//! and provider keys.
//!
//! Clap's own ahead-of-time bash script is not used: it spells its state names one way in the
//! loop that reads the words and another in the `case` arms when the program name holds a `-`
//! (clap-rs/clap#6421), so no option of any subcommand of `ticket-export` ever completed.
//!
//! A completion request must never create a store, never print an error into the shell, and
//! answer within a keystroke: the store is opened read-only if it exists, each listing is one
//! index seek with a limit, and every failure means "no candidates".

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Arg, Command, CommandFactory};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate, ValueCompleter};

use super::Cli;
use crate::ambient::Ambient;
use crate::store::{Candidate, CompletionStore};
use crate::{config, env_vars, paths};

/// The most candidates one TAB offers for a store-backed value; a prefix narrows the rest.
pub const LIMIT: usize = 200;

/// The name the scripts complete and the program they call back (found on `PATH`).
pub const BIN: &str = "ticket-export";

/// Answers a completion request and exits, when a completion script called the program for one;
/// returns at once otherwise. Runs before anything else reads arguments or writes output.
pub fn answer_if_asked() {
    if std::env::var_os(env_vars::COMPLETE).is_none_or(|v| v.is_empty() || v == "0") {
        return;
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    // `PROGRAM -- WORDS…` completes; a bare `TICKET_EXPORT_COMPLETE=bash ticket-export` prints
    // the registration script, like `completions bash`.
    let words: Vec<OsString> = args
        .iter()
        .skip_while(|a| *a != "--")
        .skip(1)
        .cloned()
        .collect();
    let sources = Arc::new(Sources::from_words(&words, &ambient()));
    let request = !words.is_empty();
    let result = clap_complete::CompleteEnv::with_factory(move || command(&sources))
        .var(env_vars::COMPLETE)
        .bin(BIN)
        .completer(BIN)
        .try_complete(args, std::env::current_dir().ok().as_deref());
    match result {
        Ok(_) => std::process::exit(0),
        // Whatever went wrong while completing, the shell shows no candidates rather than an
        // error in the middle of the line being typed.
        Err(_) if request => std::process::exit(1),
        Err(err) => err.exit(),
    }
}

/// The clap definition with the store- and config-backed completers attached.
pub fn command(sources: &Arc<Sources>) -> Command {
    attach(Cli::command(), sources)
}

/// Attaches a completer to every argument, in every command and subcommand, whose name says what
/// it holds: an attempt id (`ID`), a report id (`--report`/`REPORT`) or a provider key
/// (`--provider` filters, which also match providers only the store still names, and a
/// `PROVIDER` argument, which names one in the config).
fn attach(cmd: Command, sources: &Arc<Sources>) -> Command {
    cmd.mut_args(|arg| match Values::of(&arg) {
        Some(values) => arg.add(ArgValueCompleter::new(Completer {
            values,
            sources: Arc::clone(sources),
        })),
        None => arg,
    })
    .mut_subcommands(|sub| attach(sub, sources))
}

/// What a store- or config-backed argument holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    Attempts,
    Reports,
    /// A filter: providers in the config or with attempts in the store.
    Providers,
    /// A provider to act on: only the config's.
    ConfiguredProviders,
}

impl Values {
    /// Which values `arg` takes, by its id and value name.
    pub fn of(arg: &Arg) -> Option<Values> {
        let names: Vec<&str> = arg
            .get_value_names()
            .unwrap_or_default()
            .iter()
            .map(|n| n.as_str())
            .collect();
        let id = arg.get_id().as_str();
        if names == ["ID"] {
            Some(Values::Attempts)
        } else if id == "report" || names == ["REPORT"] {
            Some(Values::Reports)
        } else if id == "provider" && arg.is_positional() || names == ["PROVIDER"] {
            Some(Values::ConfiguredProviders)
        } else if id == "provider" {
            Some(Values::Providers)
        } else {
            None
        }
    }
}

/// Where the candidates come from: the store and config the completed command would use.
#[derive(Debug, Clone)]
pub struct Sources {
    pub store: PathBuf,
    pub config: PathBuf,
}

impl Sources {
    /// The paths named on the line being completed (`--store`, `--config`), else by the
    /// variables, else the defaults: the same order the command itself will follow.
    pub fn from_words(words: &[OsString], ambient: &Ambient) -> Sources {
        let named = |flag: &str, var: &str| {
            flag_value(words, flag)
                .map(|w| expand_home(&w, ambient))
                .or_else(|| ambient.var(var).map(PathBuf::from))
        };
        Sources {
            store: named("--store", env_vars::STORE)
                .unwrap_or_else(|| paths::default_store(ambient)),
            config: named("--config", env_vars::CONFIG)
                .unwrap_or_else(|| paths::default_config(ambient)),
        }
    }

    /// The candidates for `values` that start with `prefix`, best effort: a missing or
    /// unreadable store or config yields none.
    pub fn candidates(&self, values: Values, prefix: &str) -> Vec<Candidate> {
        let from_store = |list: StoreListing| {
            CompletionStore::open(&self.store)
                .ok()
                .flatten()
                .and_then(|store| list(&store, prefix, LIMIT).ok())
                .unwrap_or_default()
        };
        match values {
            Values::Attempts => from_store(CompletionStore::attempt_ids),
            Values::Reports => from_store(CompletionStore::report_ids),
            Values::ConfiguredProviders => self.configured(prefix),
            Values::Providers => {
                let mut all = self.configured(prefix);
                for found in from_store(CompletionStore::provider_keys) {
                    if !all.iter().any(|c| c.value == found.value) {
                        all.push(Candidate {
                            help: Some("has attempts in the store; not in the config".into()),
                            ..found
                        });
                    }
                }
                all.sort_by(|a, b| a.value.cmp(&b.value));
                all.truncate(LIMIT);
                all
            }
        }
    }

    fn configured(&self, prefix: &str) -> Vec<Candidate> {
        config::provider_keys(&self.config)
            .into_iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(key, kind)| Candidate {
                value: key,
                help: Some(format!("{kind} provider in the config")),
            })
            .collect()
    }
}

/// The value of the last `--flag VALUE` or `--flag=VALUE` among the words.
fn flag_value(words: &[OsString], flag: &str) -> Option<String> {
    let with_equals = format!("{flag}=");
    let mut found = None;
    let mut words = words.iter().filter_map(|w| w.to_str());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        } else if word == flag {
            found = words.next().map(str::to_owned);
        } else if let Some(value) = word.strip_prefix(&with_equals) {
            found = Some(value.to_owned());
        }
    }
    found.filter(|v| !v.is_empty())
}

/// The shell has not expanded `~` in the words it hands over; the command will see it expanded.
fn expand_home(word: &str, ambient: &Ambient) -> PathBuf {
    match (word.strip_prefix("~/"), ambient.var(env_vars::HOME)) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(word),
    }
}

/// The environment, without the clock override: a bad `TICKET_EXPORT_NOW` must not cost the
/// person their completions, and no candidate depends on the time.
fn ambient() -> Ambient {
    let vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k != env_vars::NOW)
        .collect();
    Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).expect("no clock override to parse")
}

type StoreListing =
    fn(&CompletionStore, &str, usize) -> Result<Vec<Candidate>, crate::error::StoreError>;

struct Completer {
    values: Values,
    sources: Arc<Sources>,
}

impl ValueCompleter for Completer {
    fn complete(&self, current: &OsStr) -> Vec<CompletionCandidate> {
        let Some(prefix) = current.to_str() else {
            return Vec::new();
        };
        self.sources
            .candidates(self.values, prefix)
            .into_iter()
            .map(|c| {
                // Shells show one line of help; a title may hold anything.
                let help = c.help.map(|h| {
                    let line = h.lines().next().unwrap_or_default();
                    line.chars().take(60).collect::<String>().into()
                });
                CompletionCandidate::new(c.value).help(help)
            })
            .collect()
    }
}
