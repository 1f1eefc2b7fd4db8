//! `settings init` and `settings kinds` through the binary: the written config is refused until
//! its placeholders are filled and accepted after, for every kind, holds no secret, and is
//! never written over without `--force`.

use crate::support::Env;

const KINDS: [&str; 11] = [
    "jira",
    "github",
    "gitlab",
    "bitbucket",
    "trello",
    "linear",
    "azure-devops",
    "youtrack",
    "asana",
    "clickup",
    "webhook",
];

/// Fills every placeholder the way a user would: a URL for `base_url`, and for every other key
/// a value of the form its kind requires, with `owned` the same as the destination (and a
/// webhook's host). (The library's template test fills the same way.)
fn filled(text: &str) -> String {
    let mut out = String::new();
    let mut kind = String::new();
    for line in text.lines() {
        if let Some(k) = line.strip_prefix("kind = \"") {
            kind = k.trim_end_matches('"').to_owned();
        }
        match line.find("\"<fill in") {
            None => out.push_str(line),
            Some(start) => {
                let end = start + 1 + line[start + 1..].find('"').unwrap();
                let key = line.split([' ', '=']).next().unwrap_or_default();
                out.push_str(&format!(
                    "{}\"{}\"{}",
                    &line[..start],
                    fill(&kind, key),
                    &line[end + 1..]
                ));
            }
        }
        out.push('\n');
    }
    out
}

/// A value a user would give `key` of a provider of `kind`.
fn fill(kind: &str, key: &str) -> &'static str {
    let destination = match kind {
        "github" | "gitlab" | "bitbucket" => "acme/shop",
        "trello" => "5f1c0ffee0ddba11c0ffee01",
        "asana" => "1200000000000500",
        "clickup" => "901100200300",
        "webhook" => "acme.example",
        _ => "SEC",
    };
    match key {
        "base_url" => "https://acme.example/in",
        "issue_type" | "work_item_type" => "Bug",
        "workspace" => "1200000000000001",
        "list" if kind == "trello" => "5f1c0ffee0ddba11c0ffee02",
        _ => destination,
    }
}

/// `settings path` loads the config as every command does: exit 0 only when it is valid.
fn load(env: &Env, config: &std::path::Path) -> String {
    env.run(
        env.cmd()
            .arg("--config")
            .arg(config)
            .args(["settings", "path"]),
    )
}

#[test]
fn every_kind_is_refused_until_filled_then_loads() {
    let env = Env::new();
    let mut all: Vec<&str> = KINDS.to_vec();
    all.push("all");
    for kind in all {
        let file = env.path().join(format!("{kind}.toml"));
        let kinds: Vec<&str> = if kind == "all" {
            KINDS.to_vec()
        } else {
            vec![kind]
        };
        let out = env.run(
            env.cmd()
                .args(["--json", "settings", "init", "--out"])
                .arg(&file)
                .args(&kinds),
        );
        assert!(out.starts_with("exit: 0\n"), "{kind}: {out}");
        let json = out
            .split("--- stdout\n")
            .nth(1)
            .unwrap()
            .split("--- stderr")
            .next()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_str(json).unwrap();
        let placeholders = doc["placeholders"].as_array().unwrap();
        assert!(!placeholders.is_empty(), "{kind}");
        let text = std::fs::read_to_string(&file).unwrap();
        let refused = load(&env, &file);
        assert!(refused.starts_with("exit: 2\n"), "{kind}: {refused}");
        for key in placeholders {
            let key = key.as_str().unwrap();
            assert!(
                refused.contains(&format!("  - {key}")),
                "{kind}: {key} not named in {refused}"
            );
        }
        std::fs::write(&file, filled(&text)).unwrap();
        let loaded = load(&env, &file);
        assert!(
            loaded.starts_with("exit: 0\n"),
            "{kind}: {loaded}\n{}",
            filled(&text)
        );
    }
}

#[test]
fn writes_the_config_in_use_0644_and_never_over_an_existing_one() {
    let env = Env::new();
    // The config path in use: TICKET_EXPORT_CONFIG names it once the file exists, so name it here.
    let config = env.config();
    let out = env.run(
        env.cmd()
            .env("TICKET_EXPORT_CONFIG", &config)
            .args(["settings", "init", "github", "jira", "github"]),
    );
    insta::assert_snapshot!(out);
    let written = std::fs::read_to_string(&config).unwrap();
    assert_eq!(written.matches("[providers.github]").count(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{mode:o}");
    }
    // Again: refused, file untouched, and nothing left beside it.
    std::fs::write(&config, "# mine\n").unwrap();
    let out = env.run(env.cmd().args(["settings", "init", "gitlab"]));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(out.contains("already exists; nothing was written"), "{out}");
    assert!(out.contains("--force"), "{out}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    let entries = std::fs::read_dir(env.path()).unwrap().count();
    assert_eq!(entries, 1, "a temporary file was left behind");
    // With --force it is replaced.
    let out = env.run(env.cmd().args(["settings", "init", "--force", "gitlab"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("[providers.gitlab]")
    );
}

#[test]
fn out_dash_prints_the_same_config_and_writes_nothing() {
    let env = Env::new();
    let printed = env
        .cmd()
        .args(["settings", "init", "--out", "-", "trello"])
        .output()
        .unwrap();
    assert_eq!(printed.status.code(), Some(0));
    assert!(!env.config().exists(), "--out - wrote a file");
    let file = env.path().join("t.toml");
    env.cmd()
        .args(["settings", "init", "--out"])
        .arg(&file)
        .arg("trello")
        .assert()
        .success();
    assert_eq!(printed.stdout, std::fs::read(&file).unwrap());
    let doc = env
        .cmd()
        .args(["--json", "settings", "init", "--out", "-", "trello"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&doc.stdout).unwrap();
    assert_eq!(
        doc["config"].as_str().unwrap().as_bytes(),
        &printed.stdout[..]
    );
    assert_eq!(doc["path"], serde_json::Value::Null);
    assert_eq!(
        doc["variables"],
        serde_json::json!(["TRELLO_API_KEY", "TRELLO_TOKEN"])
    );
}

/// The config names variables and never holds their values, even when they are set.
#[test]
fn no_secret_reaches_the_config_or_the_output() {
    let env = Env::new();
    let mut cmd = env.cmd();
    let secrets: Vec<String> = (0..14)
        .map(|i| format!("ghp_s3cr3tValue{i:02}xyz"))
        .collect();
    for (i, var) in [
        "JIRA_API_TOKEN",
        "JIRA_EMAIL",
        "GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "BITBUCKET_API_TOKEN",
        "BITBUCKET_EMAIL",
        "TRELLO_TOKEN",
        "TRELLO_API_KEY",
        "LINEAR_API_KEY",
        "AZURE_DEVOPS_PAT",
        "YOUTRACK_TOKEN",
        "ASANA_TOKEN",
        "CLICKUP_TOKEN",
        "WEBHOOK_SECRET",
    ]
    .iter()
    .enumerate()
    {
        cmd.env(var, &secrets[i]);
    }
    let file = env.path().join("all.toml");
    let out = env.run(
        cmd.args(["settings", "init", "--out"])
            .arg(&file)
            .args(KINDS),
    );
    let text = std::fs::read_to_string(&file).unwrap();
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()) && !out.contains(secret.as_str()));
    }
    // Every auth line only names variables.
    for line in text.lines().filter(|l| l.starts_with("auth = ")) {
        for pair in line
            .trim_start_matches("auth = {")
            .trim_end_matches('}')
            .split(',')
        {
            let (key, value) = pair.split_once('=').unwrap();
            assert!(key.trim().ends_with("_env"), "{line}");
            let value = value.trim().trim_matches('"');
            assert!(
                value.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{line}"
            );
        }
    }
}

#[test]
fn kinds_lists_every_kind_as_the_loader_checks_it() {
    let env = Env::new();
    insta::assert_snapshot!(env.run(env.cmd().args(["settings", "kinds"])));
    let out = env
        .cmd()
        .args(["--json", "settings", "kinds"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds = doc["kinds"].as_array().unwrap();
    assert_eq!(kinds.len(), KINDS.len());
    // The keys listed are exactly those the loader requires: a config without one of them is
    // refused naming it, and the README's table lists the same.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for entry in kinds {
        let kind = entry["kind"].as_str().unwrap();
        let keys: Vec<&str> = entry["destination_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{kind}` |")))
            .unwrap_or_else(|| panic!("README has no row for {kind}"));
        let cell = row.split('|').nth(2).unwrap();
        let documented: Vec<&str> = if cell.trim().starts_with("none") {
            Vec::new()
        } else {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .collect()
        };
        assert_eq!(documented, keys, "README row for {kind}");
        for missing in &keys {
            let file = env.path().join(format!("{kind}-{missing}.toml"));
            env.cmd()
                .args(["settings", "init", "--force", "--out"])
                .arg(&file)
                .arg(kind)
                .assert()
                .success();
            let text = filled(&std::fs::read_to_string(&file).unwrap());
            let without: String = text
                .lines()
                .filter(|l| !l.starts_with(&format!("{missing} = ")))
                .map(|l| format!("{l}\n"))
                .collect();
            std::fs::write(&file, without).unwrap();
            let out = load(&env, &file);
            assert!(
                out.starts_with("exit: 2\n"),
                "{kind} without {missing}: {out}"
            );
            assert!(
                out.contains(&format!(
                    "mapping.{missing} is required for kind = \"{kind}\""
                )),
                "{out}"
            );
        }
    }
}
