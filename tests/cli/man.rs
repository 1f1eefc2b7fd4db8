//! The man pages: one per command, each rendering cleanly, naming only pages that exist, with
//! EXIT STATUS one code per line, and ENVIRONMENT and FILES that follow the code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use clap::CommandFactory;

use crate::support::Env;

/// `ticket-export man --out DIR`, through the binary: every page by file name.
fn written_pages(env: &Env) -> BTreeMap<String, String> {
    let dir = env.path().join("man1");
    let out = env.cmd().args(["man", "--out"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let mut pages = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert!(
            listed.contains(&path.display().to_string()),
            "{path:?} not listed"
        );
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        pages.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    assert_eq!(listed.len(), pages.len());
    pages
}

fn groff() -> bool {
    let found = Command::new("groff").arg("--version").output().is_ok();
    if !found {
        // Straight to stderr: the test harness hides what `eprintln!` prints in a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** groff is not installed: the man pages are checked by reading their roff, \
             NOT by rendering them. Install groff to render them. ***\n"
        );
    }
    found
}

/// The page as a reader sees it: through groff when it is installed (warnings are failures),
/// else by reading the roff the way the man macros lay it out, one line per tagged paragraph.
fn render(env: &Env, name: &str, roff: &str) -> String {
    if groff() {
        let path = env.path().join(format!("render-{name}"));
        std::fs::write(&path, roff).unwrap();
        // -k: UTF-8 input, as man passes it; a wide line so nothing wraps mid-reference.
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou", "-rLL=250n"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "groff failed on {name}");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            warnings.trim().is_empty(),
            "groff warns about {name}:\n{warnings}"
        );
        return String::from_utf8(out.stdout).unwrap();
    }
    let unescape = |s: &str| {
        s.replace("\\-", "-")
            .replace("\\fB", "")
            .replace("\\fI", "")
            .replace("\\fR", "")
            .replace("\\*(Aq", "'")
            .replace("\\\\", "\\")
    };
    let mut text = String::new();
    let mut tag: Option<String> = None;
    let mut expect_tag = false;
    for line in roff.lines() {
        if let Some(heading) = line.strip_prefix(".SH ") {
            text.push_str(&format!("{}\n", heading.trim_matches('"')));
        } else if line == ".TP" {
            expect_tag = true;
        } else if line.starts_with('.') {
            assert!(
                [
                    "ie", "el", "TH", "PP", "nf", "fi", "br", "nh", "RS", "RE", "IP"
                ]
                .iter()
                .any(|m| line[1..].starts_with(m)),
                "{name}: unexpected request {line:?}"
            );
        } else if expect_tag {
            tag = Some(unescape(line));
            expect_tag = false;
        } else if let Some(t) = tag.take() {
            text.push_str(&format!("       {t}  {}\n", unescape(line)));
        } else {
            text.push_str(&format!("       {}\n", unescape(line)));
        }
    }
    text
}

/// Every `ticket-export…(N)` the text names, as the file name it stands for (`….N`).
fn references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("ticket-export") {
        let rest = &text[at..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .unwrap_or(rest.len());
        let mut after = rest[name_end..].chars();
        if let (Some('('), Some(section), Some(')')) = (after.next(), after.next(), after.next())
            && section.is_ascii_digit()
        {
            found.push(format!("{}.{section}", &rest[..name_end]));
        }
    }
    found
}

/// The lines of section `heading` of a rendered page.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no {heading} section in:\n{text}");
    lines
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn one_page_per_command_each_rendering_and_naming_only_pages_that_exist() {
    let env = Env::new();
    let pages = written_pages(&env);
    let mut root = ticket_export::cli::Cli::command().disable_help_subcommand(true);
    root.build();
    fn expected(cmd: &clap::Command, out: &mut Vec<String>) {
        out.push(format!(
            "{}.1",
            cmd.get_display_name().unwrap_or(cmd.get_name())
        ));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            expected(sub, out);
        }
    }
    let mut names = Vec::new();
    expected(&root, &mut names);
    names.sort();
    assert_eq!(pages.keys().cloned().collect::<Vec<_>>(), names);
    assert!(names.contains(&"ticket-export-settings-check.1".to_owned()));

    for (name, roff) in &pages {
        let text = render(&env, name, roff);
        for page in references(&text) {
            assert!(
                pages.contains_key(&page),
                "{name} names {page}, which was not written"
            );
        }
        let see_also = section(&text, "SEE ALSO").join(" ");
        if name == "ticket-export.1" {
            for other in pages.keys().filter(|p| *p != name) {
                let reference = format!("{}({})", other.trim_end_matches(".1"), 1);
                assert!(
                    see_also.contains(&reference),
                    "SEE ALSO lacks {reference}: {see_also}"
                );
            }
        } else {
            assert!(see_also.contains("ticket-export(1)"), "{name}: {see_also}");
        }
        for heading in ["NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS"] {
            section(&text, heading);
        }
    }
}

#[test]
fn man_prints_the_main_page_by_default() {
    let env = Env::new();
    let pages = written_pages(&env);
    let out = env.cmd().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(".ie"), "{}", &text[..80]);
    assert_eq!(text, pages["ticket-export.1"]);
}

/// Every variable of src/env_vars.rs, read from the source so that one added without docs
/// (missing from `env_vars::ALL`) fails here.
#[test]
fn environment_lists_every_variable_the_program_reads() {
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/env_vars.rs"))
            .unwrap();
    let variables: Vec<&str> = source
        .lines()
        .filter(|l| l.starts_with("pub const ") && l.contains(": &str = \""))
        .map(|l| l.split('"').nth(1).unwrap())
        .collect();
    assert!(variables.len() >= 8, "{variables:?}");
    let env = Env::new();
    let pages = written_pages(&env);
    let text = render(&env, "ticket-export.1", &pages["ticket-export.1"]);
    let listed = section(&text, "ENVIRONMENT");
    for var in variables {
        let entry = listed
            .iter()
            .position(|l| l.trim() == var || l.trim().starts_with(&format!("{var} ")));
        let entry =
            entry.unwrap_or_else(|| panic!("ENVIRONMENT lacks {var}:\n{}", listed.join("\n")));
        let meaning = listed[entry]
            .trim()
            .trim_start_matches(var)
            .trim()
            .to_owned()
            + listed.get(entry + 1).copied().unwrap_or_default();
        assert!(
            meaning.trim().len() > 10,
            "{var} has no meaning: {meaning:?}"
        );
    }
}

/// FILES names the paths `settings path` reports for a home folder with no XDG variables.
#[test]
fn files_names_the_default_config_store_and_fallback_folder() {
    let env = Env::new();
    let out = env
        .cmd()
        .env_remove("TICKET_EXPORT_STORE")
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let paths: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let home = env.path().display().to_string();
    let tilde = |v: &serde_json::Value| v.as_str().unwrap().replacen(&home, "~", 1);
    let pages = written_pages(&env);
    let text = render(&env, "ticket-export.1", &pages["ticket-export.1"]);
    let files = section(&text, "FILES").join("\n");
    for path in [
        tilde(&paths["config"]["path"]),
        tilde(&paths["store"]["path"]),
        tilde(&paths["out_dir"]),
    ] {
        assert!(path.starts_with("~/"), "{path}");
        assert!(files.contains(&path), "FILES lacks {path}:\n{files}");
    }
}

#[test]
fn exit_codes_are_one_per_line() {
    let env = Env::new();
    let pages = written_pages(&env);
    let (codes, _) = ticket_export::cli::exit_codes();
    assert_eq!(codes.len(), 6, "{codes:?}");
    for (name, roff) in &pages {
        let text = render(&env, name, roff);
        let status = section(&text, "EXIT STATUS");
        for (code, meaning) in &codes {
            let start: String = meaning
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            let line = status
                .iter()
                .find(|l| l.trim_start().starts_with(&format!("{code} ")))
                .unwrap_or_else(|| {
                    panic!(
                        "{name}: no line for exit code {code}:\n{}",
                        status.join("\n")
                    )
                });
            let words: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                words.contains(&start),
                "{name}: code {code} line is {line:?}"
            );
            for (other, other_meaning) in codes.iter().filter(|(c, _)| c != code) {
                let other_start: String = other_meaning
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(
                    !words.contains(&other_start),
                    "{name}: codes {code} and {other} run together: {line:?}"
                );
            }
        }
    }
}
