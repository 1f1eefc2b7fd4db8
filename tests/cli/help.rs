//! The whole `--help` tree in one snapshot, so every interface change shows up in review.

use clap::CommandFactory;

use crate::support::Env;

fn paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        let mut path = prefix.clone();
        path.push(sub.get_name().to_owned());
        paths(sub, path, out);
    }
}

#[test]
fn help_tree() {
    let env = Env::new();
    let mut all = Vec::new();
    paths(&ticket_export::cli::Cli::command(), Vec::new(), &mut all);
    let mut doc = String::new();
    for path in all {
        let mut cmd = env.cmd();
        cmd.args(&path).arg("--help").env("COLUMNS", "100");
        doc.push_str(&format!("==== ticket-export {} --help\n", path.join(" ")));
        doc.push_str(&env.run(&mut cmd));
        doc.push('\n');
    }
    insta::assert_snapshot!(doc);
}

#[test]
fn exit_codes_in_help_match_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for line in ticket_export::cli::EXIT_CODES.lines().skip(1).take(6) {
        let (code, meaning) = line.trim().split_once("  ").unwrap();
        let row = format!("| {code} | {} |", meaning.trim());
        assert!(readme.contains(&row), "README lacks exit-code row {row:?}");
    }
}

#[test]
fn bad_flags_exit_2_with_a_suggestion() {
    let env = Env::new();
    let out = env.run(env.cmd().args(["inspect", "--stat", "ready"]));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(
        out.contains("--state"),
        "clap suggests the right flag: {out}"
    );
}

#[test]
fn every_environment_variable_is_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (name, _) in ticket_export::env_vars::ALL {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README does not document {name}"
        );
    }
}

/// Every test the README's provider table names exists, in the file its path says.
#[test]
fn the_provider_table_names_real_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme
        .split("## Providers")
        .nth(1)
        .unwrap()
        .split("How each provider")
        .next()
        .unwrap();
    let mut checked = 0;
    for name in table
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|n| n.contains("::"))
    {
        let parts: Vec<&str> = name.split("::").collect();
        let (modules, test) = parts.split_at(parts.len() - 1);
        let base = root.join("tests/providers").join(modules.join("/"));
        let source = std::fs::read_to_string(base.with_extension("rs"))
            .or_else(|_| std::fs::read_to_string(base.join("mod.rs")))
            .unwrap_or_else(|_| panic!("no test file for {name}"));
        assert!(
            source.contains(&format!("fn {}(", test[0])),
            "the README names {name}, which does not exist"
        );
        checked += 1;
    }
    assert!(checked >= 70, "the table names {checked} tests");
}
