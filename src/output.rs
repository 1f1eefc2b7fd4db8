//! The one output handle: it knows whether stdout is a terminal, colour, quiet and JSON.
//!
//! Results go to stdout (tables on a terminal, tab-separated text when piped, JSON with
//! `--json`); progress, warnings and logs go to stderr. Nothing else in the program prints.

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use crate::model::State;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How output should look, decided once at start-up.
#[derive(Debug, Clone, Copy)]
pub struct OutputSettings {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: bool,
    /// Stdout is a terminal: tables instead of tab-separated text.
    pub terminal: bool,
    /// Progress bars may be drawn on stderr.
    pub progress: bool,
    /// A person is at a terminal to answer a question (stdin and stderr are terminals, or
    /// `TICKET_EXPORT_TTY=1`); `TICKET_EXPORT_TTY=0` says nobody is.
    pub interactive: bool,
    /// Stderr is a terminal (or `TICKET_EXPORT_TTY=1`): hints for a person, such as the next
    /// command to type, are printed there; a script's log gets none of them.
    pub hints: bool,
}

impl OutputSettings {
    /// Resolves the flags against the environment: TTY detection, `NO_COLOR`, and the test
    /// override `TICKET_EXPORT_TTY` (`1` terminal, `0` piped).
    pub fn resolve(
        json: bool,
        quiet: bool,
        verbose: u8,
        color: ColorChoice,
        no_progress: bool,
        ambient: &crate::ambient::Ambient,
    ) -> Self {
        let forced = match ambient.var(crate::env_vars::TTY) {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        };
        let terminal = forced.unwrap_or_else(|| io::stdout().is_terminal());
        let interactive =
            forced.unwrap_or_else(|| io::stdin().is_terminal() && io::stderr().is_terminal());
        let hints = forced.unwrap_or_else(|| io::stderr().is_terminal());
        // An explicit `--color always` wins over NO_COLOR (no-color.org: "user-level
        // configuration ... should override"), and colours piped output too.
        let color = match color {
            ColorChoice::Always => !json,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && ambient.var(crate::env_vars::NO_COLOR).is_none(),
        };
        let progress = !json && !quiet && !no_progress && io::stderr().is_terminal();
        OutputSettings {
            json,
            quiet,
            verbose,
            color,
            terminal: terminal && !json,
            progress,
            interactive,
            hints: hints && !quiet && !json,
        }
    }
}

/// Writes results and messages.
pub struct Printer {
    pub settings: OutputSettings,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

impl Printer {
    /// A printer on the process's stdout and stderr.
    pub fn stdio(settings: OutputSettings) -> Self {
        Printer {
            settings,
            out: Box::new(io::stdout().lock()),
            err: Box::new(io::stderr()),
        }
    }

    /// A printer on given writers, for tests.
    pub fn with_writers(
        settings: OutputSettings,
        out: Box<dyn Write>,
        err: Box<dyn Write>,
    ) -> Self {
        Printer { settings, out, err }
    }

    /// One line of result text on stdout.
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// Narration for a person (the demo's steps): a result line on stdout, but on stderr under
    /// `--json`, whose stdout holds JSON only.
    pub fn prose(&mut self, text: &str) -> io::Result<()> {
        match self.settings.json {
            true => writeln!(self.err, "{text}"),
            false => writeln!(self.out, "{text}"),
        }
    }

    /// Text on stdout as it is, for documents streamed in pieces.
    pub fn raw(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    /// A JSON value on stdout with no newline, for documents streamed in pieces.
    pub fn json_inline(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value).map_err(io::Error::from)
    }

    /// A JSON document or JSON Lines record on stdout, one line.
    pub fn json(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        writeln!(self.out)
    }

    /// A JSON document on stdout, pretty-printed (for single documents such as `inspect`).
    pub fn json_pretty(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        writeln!(self.out)
    }

    /// A table: comfy-table on a terminal, tab-separated rows (no header) when piped. Control
    /// characters in a cell become spaces: cells hold text from import files and providers, and
    /// an escape sequence must not reach the terminal, nor a tab or line break split a row.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
        self.table_keeping(header, rows, 0)
    }

    /// [`Printer::table`] whose first `unwrapped` columns are never wrapped on a terminal (times
    /// and ids read wrong when split); the other columns share what is left.
    pub fn table_keeping(
        &mut self,
        header: &[&str],
        rows: &[Vec<String>],
        unwrapped: usize,
    ) -> io::Result<()> {
        if !self.settings.terminal {
            for row in rows {
                // `--color always` colours piped rows too: a state cell is painted as on a
                // terminal (`less -R` and CI logs show it), the other cells stay as they are.
                let cleaned: Vec<String> = row
                    .iter()
                    .map(|c| {
                        let c = one_line(c);
                        match State::parse(&c) {
                            Some(state) if self.settings.color => self.state(state),
                            _ => c,
                        }
                    })
                    .collect();
                writeln!(self.out, "{}", cleaned.join("\t"))?;
            }
            return Ok(());
        }
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        if self.settings.color {
            table.enforce_styling();
        }
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if table.width().is_none() {
            table.set_width(120);
        }
        table.set_header(header.iter().map(Cell::new));
        for column in table.column_iter_mut().take(unwrapped) {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
        for row in rows {
            table.add_row(row.iter().map(|c| self.cell(&one_line(c))));
        }
        writeln!(self.out, "{table}")
    }

    fn cell(&self, text: &str) -> Cell {
        let cell = Cell::new(text);
        if !self.settings.color {
            return cell;
        }
        match State::parse(text) {
            Some(State::Ready) => cell.fg(Color::Green),
            Some(State::Blocked) => cell.fg(Color::Red),
            Some(State::Cooldown) => cell.fg(Color::Yellow),
            Some(State::Stop) => cell.fg(Color::Magenta),
            None => cell,
        }
    }

    /// Paints a state name for a terminal.
    pub fn state(&self, state: State) -> String {
        if !self.settings.color {
            return state.to_string();
        }
        let code = match state {
            State::Ready => "32",
            State::Blocked => "31",
            State::Cooldown => "33",
            State::Stop => "35",
        };
        format!("\x1b[{code}m{state}\x1b[0m")
    }

    /// A message for a person on stderr, unless `--quiet`.
    pub fn info(&mut self, text: &str) {
        if !self.settings.quiet {
            let _ = writeln!(self.err, "{text}");
        }
    }

    /// A hint for a person at a terminal (the next command to type) on stderr: only when
    /// stderr is a terminal and without `--quiet` or `--json`, so piped and cron output stay
    /// free of advice nobody reads.
    pub fn hint(&mut self, text: &str) {
        if self.settings.hints {
            let _ = writeln!(self.err, "{text}");
        }
    }

    /// A detail on stderr, only with `-v`.
    pub fn verbose(&mut self, text: &str) {
        if self.settings.verbose > 0 && !self.settings.quiet {
            let _ = writeln!(self.err, "{text}");
        }
    }

    /// A warning on stderr, even with `--quiet`.
    pub fn warn(&mut self, text: &str) {
        let _ = writeln!(self.err, "warning: {text}");
    }

    /// An error as one JSON line on stderr, for `--json` (see `cli::json_error`).
    pub fn error_json(&mut self, value: &serde_json::Value) {
        let _ = writeln!(self.err, "{value}");
    }

    /// An error on stderr.
    pub fn error(&mut self, text: &str) {
        let _ = writeln!(self.err, "error: {text}");
    }

    /// Asks a person a yes/no question on stderr and reads the answer from `input`; only
    /// `yes` (or `y`) is a yes. Call it only when `settings.interactive`.
    pub fn confirm(&mut self, question: &str, input: &mut dyn io::BufRead) -> io::Result<bool> {
        write!(self.err, "{question} [yes/no] ")?;
        self.err.flush()?;
        let mut answer = String::new();
        input.read_line(&mut answer)?;
        Ok(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "yes" | "y"
        ))
    }

    /// Flushes stdout; a closed pipe is not an error worth reporting.
    pub fn flush(&mut self) -> io::Result<()> {
        match self.out.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// `text` with every control character (tab, line break, escape) replaced by a space.
pub fn one_line(text: &str) -> String {
    text.replace(|c: char| c.is_control(), " ")
}

/// A progress bar on stderr, drawn only on a terminal without `--json`, `-q` or `--no-progress`.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Advances the bar.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Removes the bar.
    pub fn finish_and_clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Printer {
    /// A bar for a batch of `len` items; batches under 20 items get none.
    pub fn progress(&self, len: u64, what: &str) -> Progress {
        if !self.settings.progress || len < 20 {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {eta}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_owned());
        Progress(Some(bar))
    }
}
