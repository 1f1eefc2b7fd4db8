//! `man`: one manual page per command, generated from the clap definition.
//!
//! clap_mangen renders the name, synopsis, description, options and subcommands of each page,
//! and names each subcommand's own page (`ticket-export-import(1)`), so a page is written for
//! every command, however many there are. The sections clap knows nothing of are added here from
//! the one place that defines each: EXIT STATUS from `EXIT_CODES`, ENVIRONMENT from
//! `env_vars::ALL`, FILES from `paths`, and SEE ALSO from the pages actually written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};
use serde_json::json;

use super::{Cli, Context, EXIT_CODES};
use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::ExitStatus;
use crate::{env_vars, paths};

/// Print the main man page (roff), or write every page into a folder
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export man | man -l -\n  \
    ticket-export man --out ~/.local/share/man/man1 && man ticket-export-retry\n\n\
    Without --out, only the main page, ticket-export(1), is printed; it lists the others.")]
pub struct ManArgs {
    /// Write one page per command (ticket-export.1, ticket-export-retry.1 and so on) into DIR,
    /// creating it if needed, and print the paths written
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `man`.
pub fn run(args: ManArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let pages = pages()?;
    let Some(dir) = args.out else {
        let main = pages
            .get(&main_page_file())
            .expect("the main page is always written");
        // `--json` prints JSON only: the page's roff as a string.
        match ctx.printer.settings.json {
            true => ctx
                .printer
                .json(&json!({ "page": main_page_file(), "roff": main }))?,
            false => ctx.printer.raw(main)?,
        }
        return Ok(ExitStatus::Ok);
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the folder {}\n  why: {e}\n  next: choose a folder you can write with --out",
            dir.display()
        )
    })?;
    let mut written = Vec::new();
    for (file, page) in &pages {
        let path = dir.join(file);
        std::fs::write(&path, page).map_err(|e| {
            anyhow::anyhow!(
                "cannot write the man page {}\n  why: {e}\n  next: choose a folder you can write with --out",
                path.display()
            )
        })?;
        written.push(path);
    }
    if ctx.printer.settings.json {
        ctx.printer.json(&json!({ "written": written }))?;
    } else {
        for path in &written {
            ctx.printer.line(&path.display().to_string())?;
        }
    }
    Ok(ExitStatus::Ok)
}

/// Every page, by file name (`ticket-export.1`, `ticket-export-settings-check.1`, …).
pub fn pages() -> std::io::Result<BTreeMap<String, String>> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut commands = Vec::new();
    collect(&root, None, &mut commands);
    let names: Vec<String> = commands.iter().map(|(c, _)| page_name(c)).collect();
    let source = format!(
        "{} {}",
        root.get_name(),
        root.get_version().unwrap_or_default()
    );
    let mut no_hyphenation = Roff::new();
    no_hyphenation.control("nh", []);
    let mut pages = BTreeMap::new();
    for (cmd, parent) in &commands {
        let man = Man::new(cmd.clone()).source(&source);
        let mut page = Page::default();
        page.push(|w| man.render_title(w))?;
        // Paths, variables and page names read better whole than hyphenated.
        page.push(|w| no_hyphenation.to_writer(w))?;
        page.push(|w| man.render_name_section(w))?;
        page.push(|w| man.render_synopsis_section(w))?;
        page.push(|w| man.render_description_section(w))?;
        if cmd.get_arguments().any(|a| !a.is_hide_set()) {
            page.push(|w| man.render_options_section(w))?;
        }
        if cmd.has_subcommands() {
            page.push(|w| man.render_subcommands_section(w))?;
        }
        let mut roff = Roff::new();
        if let Some(after) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) {
            after_help(&mut roff, &after.to_string());
        }
        exit_status(&mut roff);
        let is_main = parent.is_none();
        if is_main {
            environment(&mut roff);
            files(&mut roff);
        }
        let name = page_name(cmd);
        // The main page names every other page; another page names the main page, its parent
        // and its own subcommands' pages.
        let related: Vec<&String> = names
            .iter()
            .filter(|n| **n != name)
            .filter(|n| {
                is_main
                    || **n == names[0]
                    || parent.as_ref() == Some(*n)
                    || cmd.get_subcommands().any(|s| page_name(s) == **n)
            })
            .collect();
        see_also(&mut roff, &related);
        page.push(|w| roff.to_writer(w))?;
        if is_main {
            page.push(|w| man.render_version_section(w))?;
        }
        pages.insert(format!("{name}.1"), page.text);
    }
    Ok(pages)
}

fn main_page_file() -> String {
    format!("{}.1", Cli::command().get_name())
}

/// Every visible command with its parent's page name, the main command first.
fn collect(
    cmd: &clap::Command,
    parent: Option<String>,
    out: &mut Vec<(clap::Command, Option<String>)>,
) {
    out.push((cmd.clone(), parent));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, Some(page_name(cmd)), out);
    }
}

/// The page's name as clap_mangen spells it in SUBCOMMANDS: `ticket-export-settings-check`.
fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or(cmd.get_name()).to_owned()
}

/// One page assembled from separately rendered sections. Each rendering starts with the same
/// preamble (a string definition for apostrophes); it is kept once, at the top.
#[derive(Default)]
struct Page {
    text: String,
}

impl Page {
    fn push(
        &mut self,
        render: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut buf = Vec::new();
        render(&mut buf)?;
        let text = String::from_utf8(buf).map_err(std::io::Error::other)?;
        let preamble = Roff::new().render();
        match text.strip_prefix(&preamble) {
            Some(rest) if !self.text.is_empty() => self.text.push_str(rest),
            _ => self.text.push_str(&text),
        }
        Ok(())
    }
}

/// The text after a command's help, paragraph by paragraph: a paragraph headed "Examples:"
/// becomes EXAMPLES, its lines kept as written; the rest becomes NOTES, filled like prose unless
/// every line is indented (a command or a table). The exit-code list is left to EXIT STATUS.
fn after_help(roff: &mut Roff, text: &str) {
    let mut examples = Vec::new();
    let mut notes = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut lines = paragraph.lines();
        match lines.next().map(str::trim) {
            Some("Examples:") => examples.push(lines.map(str::trim).collect::<Vec<_>>()),
            Some("Exit codes:") => {}
            Some(_) => notes.push(paragraph.lines().collect::<Vec<_>>()),
            None => {}
        }
    }
    for (heading, paragraphs) in [("EXAMPLES", examples), ("NOTES", notes)] {
        if paragraphs.is_empty() {
            continue;
        }
        roff.control("SH", [heading]);
        for lines in paragraphs {
            roff.control("PP", []);
            let as_written =
                heading == "EXAMPLES" || lines.iter().all(|l| l.starts_with(char::is_whitespace));
            if as_written {
                roff.control("nf", []);
                for line in lines {
                    roff.text([roman(line)]);
                }
                roff.control("fi", []);
            } else {
                roff.text([roman(lines.join(" "))]);
            }
        }
    }
}

/// The exit codes and their meanings, as `EXIT_CODES` states them: one tagged paragraph per code.
pub fn exit_codes() -> (Vec<(String, String)>, Vec<String>) {
    let mut codes = Vec::new();
    let mut notes = Vec::new();
    for line in EXIT_CODES.lines().skip(1) {
        let trimmed = line.trim_start();
        let (code, meaning) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        if line.starts_with(char::is_whitespace) && code.parse::<u8>().is_ok() {
            codes.push((code.to_owned(), meaning.trim().to_owned()));
        } else if !trimmed.is_empty() {
            notes.push(trimmed.to_owned());
        }
    }
    (codes, notes)
}

fn exit_status(roff: &mut Roff) {
    let (codes, notes) = exit_codes();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in codes {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning)]);
    }
    for note in notes {
        roff.control("PP", []);
        roff.text([roman(note)]);
    }
}

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in env_vars::ALL {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
    roff.control("PP", []);
    roff.text([roman(format!(
        "{} and {} set to an empty value count as unset. The variables the config names in \
         token_env, user_env or secret_env are read too; their values are never printed.",
        env_vars::STORE,
        env_vars::CONFIG
    ))]);
}

/// The default locations, computed by the code that uses them for a home folder written `~`.
fn files(roff: &mut Roff) {
    let home = Path::new("/nonexistent-home-for-the-man-page");
    let vars = BTreeMap::from([(env_vars::HOME.to_owned(), home.display().to_string())]);
    let ambient = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).expect("no clock override");
    let shown = |p: &Path| match p.strip_prefix(home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => p.display().to_string(),
    };
    let config = paths::default_config(&ambient);
    let out_dir = Config::load(&config, false)
        .map(|mut c| {
            c.resolve_defaults(&ambient);
            c.fallback.out_dir
        })
        .unwrap_or_default();
    let entries = [
        (
            shown(&config),
            format!(
                "The config: providers, destinations, credentials and the fallback folder. \
                 Under $XDG_CONFIG_HOME/ticket-export/ when {} is set; --config or {} names another.",
                env_vars::XDG_CONFIG_HOME,
                env_vars::CONFIG
            ),
        ),
        (
            shown(&paths::default_store(&ambient)),
            format!(
                "The store (SQLite), beside its -wal and -shm files. Under \
                 $XDG_DATA_HOME/ticket-export/ when {} is set; --store or {} names another.",
                env_vars::XDG_DATA_HOME,
                env_vars::STORE
            ),
        ),
        (
            format!("{}/", shown(&out_dir)),
            format!(
                "Fallback files (CSV, Markdown, JSON) by default, beside the default store (under \
                 $XDG_DATA_HOME/ticket-export/ when {} is set); the config's [fallback] out_dir \
                 (relative to the config's folder) or fallback --out names another. Earlier \
                 versions used ticket-exports beside the config; files there are not moved.",
                env_vars::XDG_DATA_HOME
            ),
        ),
        (
            format!("{}/", shown(&paths::default_demo_dir(&ambient))),
            "What demo builds by default (its own config, store and simulator files).".to_owned(),
        ),
    ];
    roff.control("SH", ["FILES"]);
    for (path, meaning) in entries {
        roff.control("TP", []);
        roff.text([italic(path)]);
        roff.text([roman(meaning)]);
    }
    roff.control("PP", []);
    roff.text([roman(
        "ticket-export settings path prints the config, store and fallback folder in use.",
    )]);
}

fn see_also(roff: &mut Roff, pages: &[&String]) {
    if pages.is_empty() {
        return;
    }
    roff.control("SH", ["SEE ALSO"]);
    let last = pages.len() - 1;
    for (i, page) in pages.iter().enumerate() {
        let sep = if i == last { "" } else { "," };
        // One reference per line, so that none is hyphenated across two.
        roff.text([bold(page.as_str()), roman(format!("(1){sep}"))]);
        if i != last {
            roff.control("br", []);
        }
    }
}
