//! The completion scripts, run in bash, zsh and fish: subcommands, every subcommand's options,
//! enum values, and the attempt ids, report ids and provider keys of the store and config.

use clap::CommandFactory;
use ticket_export::cli::{Cli, Values};

use crate::shells::{self, Shell};
use crate::support::{Env, attempts_file};

/// Every command path of the CLI (`["inspect"]`, `["settings", "check"]`, …) with its command,
/// built so that global options appear on each.
fn every_command() -> Vec<(Vec<String>, clap::Command)> {
    fn walk(path: Vec<String>, cmd: &clap::Command, out: &mut Vec<(Vec<String>, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_owned());
            out.push((p.clone(), sub.clone()));
            walk(p, sub, out);
        }
    }
    let mut root = Cli::command();
    root.build();
    let mut out = vec![(Vec::new(), root.clone())];
    walk(Vec::new(), &root, &mut out);
    out
}

fn words<'a>(path: &'a [String], rest: &[&'a str]) -> Vec<&'a str> {
    path.iter()
        .map(String::as_str)
        .chain(rest.iter().copied())
        .collect()
}

fn assert_offers(got: &[String], expected: &[&str], what: &str) {
    let missing: Vec<_> = expected
        .iter()
        .filter(|e| !got.iter().any(|g| g == *e))
        .collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?} in {got:?}");
}

/// The bug of issue 12: clap's bash script never completed any subcommand's options.
#[test]
fn bash_completes_every_commands_options_and_enum_values() {
    if !shells::available(Shell::Bash) {
        return;
    }
    let env = Env::new();
    let top = shells::complete(&env, Shell::Bash, &[""]);
    assert_offers(
        &top,
        &["import", "inspect", "retry", "sync", "fallback", "settings"],
        "top",
    );
    for (path, cmd) in every_command() {
        let longs: Vec<String> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        let got = shells::complete(&env, Shell::Bash, &words(&path, &["--"]));
        let expected: Vec<&str> = longs.iter().map(String::as_str).collect();
        assert_offers(&got, &expected, &format!("options of {path:?}"));
        let subs: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
        if !subs.is_empty() {
            let got = shells::complete(&env, Shell::Bash, &words(&path, &[""]));
            assert_offers(&got, &subs, &format!("subcommands of {path:?}"));
        }
        let takes_values = |a: &clap::Arg| a.get_num_args().is_some_and(|n| n.takes_values());
        for arg in cmd
            .get_arguments()
            .filter(|a| a.get_long().is_some() && !a.is_hide_set() && takes_values(a))
        {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_owned())
                .collect();
            if values.is_empty() {
                continue;
            }
            let flag = format!("--{}", arg.get_long().unwrap());
            let got = shells::complete(&env, Shell::Bash, &words(&path, &[&flag, ""]));
            assert_eq!(got, values, "values of {path:?} {flag}");
        }
    }
    let states = shells::complete(&env, Shell::Bash, &["inspect", "--state", ""]);
    assert_eq!(states, ["ready", "blocked", "cooldown", "stop"]);
    assert_eq!(
        shells::complete(&env, Shell::Bash, &["inspect", "--state", "c"]),
        ["cooldown"]
    );
}

/// Every argument that holds an attempt id, a report id or a provider key, in any command,
/// completes from the store and config; the expected values are the demo's.
#[test]
fn bash_completes_ids_reports_and_providers_wherever_they_are_asked_for() {
    if !shells::available(Shell::Bash) {
        return;
    }
    let env = Env::new().with_demo_store();
    let before = env.dump();
    let mut checked = Vec::new();
    for (path, cmd) in every_command() {
        for arg in cmd.get_arguments() {
            let Some(values) = Values::of(arg) else {
                continue;
            };
            let mut line = words(&path, &[]);
            let flag = arg.get_long().map(|l| format!("--{l}"));
            match &flag {
                Some(flag) => line.push(flag),
                // Earlier positionals get a placeholder word.
                None => line.extend((1..arg.get_index().unwrap()).map(|_| "x")),
            }
            line.push("");
            let got = shells::complete(&env, Shell::Bash, &line);
            let (offered, refused): (&[&str], &[&str]) = match values {
                Values::Attempts => (&["tex_9001", "tex_9012", "tex_9020"], &["rep_1042"]),
                Values::Reports => (&["rep_1042", "rep_2051", "rep_3077"], &["tex_9001"]),
                // legacy-tracker has attempts in the demo store but no entry in its config.
                Values::Providers => (&["jira-sec", "gh-shop", "hooks", "legacy-tracker"], &[]),
                Values::ConfiguredProviders => {
                    (&["jira-sec", "gh-shop", "hooks"], &["legacy-tracker"])
                }
            };
            assert_offers(&got, offered, &format!("{line:?}"));
            for r in refused {
                assert!(!got.iter().any(|g| g == r), "{line:?} offers {r}: {got:?}");
            }
            checked.push(line.join(" "));
        }
    }
    for expected in [
        "inspect ",
        "retry ",
        "sync ",
        "fallback ",
        "inspect --report ",
        "retry --report ",
        "sync --report ",
        "fallback --report ",
        "inspect --provider ",
        "settings check ",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected:?} not checked: {checked:#?}"
        );
    }
    // A prefix narrows; a store named on the line is the one read.
    let got = shells::complete(&env, Shell::Bash, &["retry", "tex_901"]);
    assert_eq!(got.len(), 10, "{got:?}");
    assert!(got.iter().all(|g| g.starts_with("tex_901")), "{got:?}");
    let elsewhere = env.path().join("elsewhere.sqlite3");
    let other = elsewhere.to_str().unwrap();
    let got = shells::complete(&env, Shell::Bash, &["--store", other, "inspect", "tex"]);
    assert!(got.is_empty(), "{got:?}");
    assert!(
        !elsewhere.exists(),
        "completion created the store named on the line"
    );
    assert_eq!(env.dump(), before, "completion changed the store");
}

#[test]
fn completion_never_creates_a_store_and_prints_no_error() {
    if !shells::available(Shell::Bash) {
        return;
    }
    let env = Env::new();
    let got = shells::complete(&env, Shell::Bash, &["inspect", ""]);
    assert_offers(&got, &["--state", "--report"], "options without a store");
    assert!(!env.store().exists(), "completion created the store");

    // A file that is not a store, and a clock variable the program would refuse: the person
    // still gets the options, and no error lands in the line being typed.
    std::fs::write(env.store(), "not a database").unwrap();
    let out = env
        .cmd()
        .env("TICKET_EXPORT_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .env("TICKET_EXPORT_NOW", "yesterday")
        .args(["--", "ticket-export", "inspect", ""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("--state"));
    assert_eq!(std::fs::read(env.store()).unwrap(), b"not a database");
}

#[test]
fn a_large_store_offers_at_most_the_limit() {
    if !shells::available(Shell::Bash) {
        return;
    }
    let env = Env::new();
    let file = attempts_file(
        &env,
        "hooks",
        250,
        Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE"),
    );
    env.cmd().arg("import").arg(file).assert().success();
    let got = shells::complete(&env, Shell::Bash, &["retry", "tex_0"]);
    assert_eq!(got.len(), 200, "{got:?}");
    assert_eq!(got[0], "tex_0001");
    let got = shells::complete(&env, Shell::Bash, &["retry", "tex_024"]);
    assert_eq!(
        got,
        (240..=249)
            .map(|i| format!("tex_{i:04}"))
            .collect::<Vec<_>>()
    );
}

/// The same questions in zsh (sourced, and installed in `$fpath`) and fish.
#[test]
fn zsh_and_fish_complete_like_bash() {
    let env = Env::new().with_demo_store();
    for shell in [Shell::Zsh, Shell::ZshFpath, Shell::Fish] {
        if !shells::available(shell) {
            continue;
        }
        let top = shells::complete(&env, shell, &[""]);
        assert_offers(
            &top,
            &["import", "inspect", "settings", "--store"],
            &format!("{shell:?} top"),
        );
        let opts = shells::complete(&env, shell, &["inspect", "--st"]);
        assert_offers(
            &opts,
            &["--state", "--store"],
            &format!("{shell:?} options"),
        );
        assert_eq!(
            shells::complete(&env, shell, &["inspect", "--state", ""]),
            ["ready", "blocked", "cooldown", "stop"],
            "{shell:?} states"
        );
        let ids = shells::complete(&env, shell, &["retry", "tex_900"]);
        assert_eq!(ids.len(), 9, "{shell:?} ids: {ids:?}");
        assert_eq!(
            shells::complete(&env, shell, &["sync", "--report", "rep_2"]),
            ["rep_2051"],
            "{shell:?} reports"
        );
        let providers = shells::complete(&env, shell, &["settings", "check", ""]);
        assert_offers(
            &providers,
            &["jira-sec", "gh-shop", "hooks"],
            &format!("{shell:?} providers"),
        );
        assert!(
            !providers.iter().any(|p| p == "legacy-tracker"),
            "{shell:?}: {providers:?}"
        );
    }
}
