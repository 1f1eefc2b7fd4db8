//! The command line: global options, one file per command, and the one exit-code mapping.

mod complete;
mod completions;
pub use complete::Values;
pub use completions::completion_script;
mod man;
pub use man::exit_codes;
mod demo;
mod demo_flow;
mod fallback;
mod fallback_final;
mod fallback_note;
mod fallback_print;
mod import;
mod inspect;
mod inspect_summary;
mod json_error;
mod link;
pub use json_error::error_json;
mod log;
mod quiet;
mod reports;
mod retry;
mod settings;
mod settings_check;
mod settings_init;
mod settings_kinds;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::{ExitStatus, UsageError, exit_status};
use crate::output::{ColorChoice, OutputSettings, Printer};
use crate::store::Store;
use crate::{env_vars, paths};

/// Exit codes, shown in `--help` and kept in step with the README by a test.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  done, or ready: nothing needs a person
  1  unexpected failure (store unreadable, I/O error, bug)
  2  usage or invalid input (bad flags, config, import file)
  3  blocked: a person must fix settings, credentials, mapping, output path or ownership
  4  cooldown: a provider asked us to wait or is unavailable; rerun later
  5  stop: a ticket already exists (update or open it), or the destination must not receive evidence
A batch exits with its most severe item, in the order 1, 3, 5, 4, 0.";

/// Triage and recover failed ticket exports without creating duplicate downstream work.
#[derive(Debug, Parser)]
#[command(name = "ticket-export", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// The SQLite store [default: store.sqlite3 in the user's data folder]
    #[arg(long, global = true, env = env_vars::STORE, hide_env_values = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// The TOML config [default: config.toml in the user's config folder]
    #[arg(long, global = true, env = env_vars::CONFIG, hide_env_values = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print JSON only on stdout (one document for inspect, log, reports; JSON Lines ending in a
    /// summary record for retry, sync, fallback); an error is one JSON object on stderr. Schemas:
    /// schemas/ in the source
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour output: auto (a terminal without NO_COLOR), always (even piped; wins
    /// over NO_COLOR), never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorChoice,
    /// Print results only, no hints or progress; retry, sync and fallback print only changes and
    /// new problems (the exit code carries the rest)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Explain more on stderr; shows each provider request's method, path, status and time
    /// (credentials scrubbed, no query)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never draw progress bars
    #[arg(long, global = true)]
    pub no_progress: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    Import(import::ImportArgs),
    Inspect(inspect::InspectArgs),
    Retry(retry::RetryArgs),
    Sync(sync::SyncArgs),
    Fallback(fallback::FallbackArgs),
    Log(log::LogArgs),
    Reports(reports::ReportsArgs),
    Link(link::LinkArgs),
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    Demo(demo::DemoArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// What every command gets: the ambient state, the output handle and the resolved paths.
pub struct Context {
    pub ambient: Ambient,
    pub printer: Printer,
    pub store_path: PathBuf,
    pub config_path: PathBuf,
    /// The config path was named by the user (flag or variable), so it must exist.
    pub config_named: bool,
}

impl Context {
    /// Opens the store.
    pub fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.store_path)?)
    }

    /// Opens the store for a command that only reads: a missing store is reported and never
    /// created, so a mistyped `--store` does not leave an empty store behind.
    pub fn existing_store(&self) -> anyhow::Result<Store> {
        // Only a path that is not there is "no store": one that cannot be (its parent is a
        // file) or is something else (a folder) is opened, and refused with that reason.
        let missing = std::fs::metadata(&self.store_path)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if missing {
            return Err(UsageError::new(
                format!("no store at {}", self.store_path.display()),
                "nothing has been imported there yet, and reading commands never create a store",
                "import a report with `ticket-export import FILE`, or point --store / \
                 TICKET_EXPORT_STORE at your store (`ticket-export settings path` shows the one in use)",
            )
            .into());
        }
        self.store()
    }

    /// Opens the store for a command that writes: a read-only store is refused up front.
    pub fn store_for_writing(&self) -> anyhow::Result<Store> {
        let store = Store::open(&self.store_path)?;
        store.ensure_writable()?;
        Ok(store)
    }

    /// Records as capped every stored wait further ahead than a wait may be (the provider
    /// cooldowns, and the `retry_after` of the selected attempts), and says so on stderr:
    /// only the commands that write call this, so the wait then ends within a day.
    ///
    /// `waits`: each selected attempt's id and stored `retry_after`; only those further ahead
    /// than the cap are rewritten (provider cooldowns are checked in any case).
    pub fn cap_far_waits<'a>(
        &mut self,
        store: &mut Store,
        waits: impl IntoIterator<Item = (&'a str, Option<jiff::Timestamp>)>,
    ) -> anyhow::Result<()> {
        let now = self.ambient.now();
        let far: Vec<&str> = waits
            .into_iter()
            .filter(|(_, at)| {
                crate::triage::Wait::read(*at, now).is_some_and(|w| w.capped_from.is_some())
            })
            .map(|(id, _)| id)
            .collect();
        for capped in store.cap_far_waits(now, &far)? {
            let what = match capped.provider {
                true => format!("the cooldown of providers.{}", capped.subject),
                false => format!("the retry_after of {}", capped.subject),
            };
            self.printer.warn(&format!(
                "{what} was stored until {}, more than 24 h ahead of the clock ({now}): it was \
                 recorded while the clock was ahead, or imported so; it now ends at {}",
                capped.stored, capped.until
            ));
        }
        Ok(())
    }

    /// Loads the config.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(&self.config_path, self.config_named)?;
        config.resolve_defaults(&self.ambient);
        Ok(config)
    }
}

/// Parses the arguments. A path variable set to the empty string counts as unset: `VAR= cmd`
/// is how a shell clears one, and clap would otherwise refuse the run, even with the flag given.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut command = Cli::command();
    for (id, var) in [("store", env_vars::STORE), ("config", env_vars::CONFIG)] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            command = command.mut_arg(id, |arg| arg.env(None));
        }
    }
    let matches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Runs the program: parses arguments, runs the command, prints any error, returns the code.
pub fn main() -> ExitCode {
    complete::answer_if_asked();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match parse(args.clone()) {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() && json_error::asked_for_json(&args) => {
            eprintln!("{}", json_error::usage_json(&err));
            return ExitCode::from(ExitStatus::Usage.code());
        }
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                ExitStatus::Usage.code()
            } else {
                0
            });
        }
    };
    let ambient = match Ambient::from_process() {
        Ok(a) => a,
        Err(err) if cli.json => {
            eprintln!(
                "{}",
                error_json(ExitStatus::Usage.code(), &format!("{err:#}"))
            );
            return ExitCode::from(ExitStatus::Usage.code());
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(ExitStatus::Usage.code());
        }
    };
    let settings = OutputSettings::resolve(
        cli.json,
        cli.quiet,
        cli.verbose,
        cli.color,
        cli.no_progress,
        &ambient,
    );
    // `-v` shows the conversation with providers on stderr, like `GH_DEBUG=api`.
    crate::providers::request_log::log_requests(settings.verbose > 0 && !settings.quiet);
    let mut ctx = Context {
        store_path: cli
            .store
            .clone()
            .unwrap_or_else(|| paths::default_store(&ambient)),
        config_named: cli.config.is_some(),
        config_path: cli
            .config
            .clone()
            .unwrap_or_else(|| paths::default_config(&ambient)),
        printer: Printer::stdio(settings),
        ambient,
    };
    // The demo works on a store of its own, which `store_path` does not name.
    let store_in_use = (!matches!(cli.command, Command::Demo(_))).then(|| ctx.store_path.clone());
    let result = run(cli.command, &mut ctx);
    let flushed = ctx.printer.flush();
    let status = match result.and_then(|s| flushed.map(|()| s).map_err(Into::into)) {
        Ok(status) => status,
        // A reader that went away (`| head`) is not an error worth a message.
        Err(err) if is_broken_pipe(&err) => ExitStatus::Ok,
        Err(err) => {
            let message = format!("{err:#}").replace(": \n", ":\n");
            let message = name_the_store(message, &err, store_in_use.as_deref());
            let status = exit_status(&err);
            match ctx.printer.settings.json {
                true => ctx.printer.error_json(&error_json(status.code(), &message)),
                false => ctx.printer.error(&message),
            }
            status
        }
    };
    ExitCode::from(status.code())
}

/// The last JSON Lines record of every batch command (`retry`, `sync`, `fallback`), with the same
/// field names in each: `record` ("summary"), `schema_version`, `command`, `dry_run`,
/// `attempts` (how many the run took up), `summary` (attempts by outcome) and `exit_code`.
/// Shape: `schemas/batch-summary-v1.schema.json`.
pub fn batch_summary<K: serde::Serialize + Ord>(
    command: &str,
    dry_run: bool,
    outcomes: &std::collections::BTreeMap<K, u64>,
    status: ExitStatus,
) -> serde_json::Value {
    serde_json::json!({
        "record": "summary",
        "schema_version": 1,
        "command": command,
        "dry_run": dry_run,
        "attempts": outcomes.values().sum::<u64>(),
        "summary": outcomes,
        "exit_code": status.code(),
    })
}

/// One attempt's line of a batch, marked `"record": "attempt"` so a reader tells it from the
/// summary without guessing.
pub fn batch_record(item: &impl serde::Serialize) -> serde_json::Value {
    let mut value = serde_json::to_value(item).unwrap_or_default();
    value["record"] = "attempt".into();
    value
}

/// Adds the fields of `more` (an object) to `value` (an object).
pub fn extend(value: &mut serde_json::Value, more: serde_json::Value) {
    if let (Some(into), serde_json::Value::Object(from)) = (value.as_object_mut(), more) {
        into.extend(from);
    }
}

/// A statement that failed mid-command is reported by the store module, which knows what it was
/// doing but not which file: name it here, where the path is known, so the next step can be
/// followed as written.
fn name_the_store(message: String, err: &anyhow::Error, store: Option<&std::path::Path>) -> String {
    let failed_statement = err
        .chain()
        .filter_map(|c| c.downcast_ref::<crate::error::StoreError>())
        .any(|e| matches!(e, crate::error::StoreError::Sql { .. }));
    match store {
        Some(path) if failed_statement => message
            .replace(
                "the store failed while",
                &format!("the store {} failed while", path.display()),
            )
            .replace(
                "`sqlite3 STORE ",
                &format!("`sqlite3 '{}' ", path.display()),
            ),
        _ => message,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(command: Command, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Import(args) => import::run(args, ctx),
        Command::Inspect(args) => inspect::run(args, ctx),
        Command::Retry(args) => retry::run(args, ctx),
        Command::Sync(args) => sync::run(args, ctx),
        Command::Fallback(args) => fallback::run(args, ctx),
        Command::Log(args) => log::run(args, ctx),
        Command::Reports(args) => reports::run(args, ctx),
        Command::Link(args) => link::run(args, ctx),
        Command::Settings(cmd) => settings::run(cmd, ctx),
        Command::Demo(args) => demo::run(args, ctx),
        Command::Completions(args) => completions::run_completions(args, ctx),
        Command::Man(args) => man::run(args, ctx),
    }
}
