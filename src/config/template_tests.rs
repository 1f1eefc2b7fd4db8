//! `settings init`'s config against the loader: refused while a placeholder is left, accepted
//! once they are filled, for every kind alone and all together, and never holding a secret.

use std::path::Path;

use super::template::{PLACEHOLDER, template};
use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/te/config.toml"))
}

/// The text with every placeholder replaced as a user would: a URL for `base_url`, and for
/// every other key a value of the form its kind requires (ids, keys, `owner/name`), with `owned`
/// the same as the destination (and a webhook's host).
fn filled(text: &str) -> String {
    let mut kind = String::new();
    text.lines()
        .map(|line| {
            if let Some(k) = line.strip_prefix("kind = \"") {
                kind = k.trim_end_matches('"').to_owned();
            }
            match line.find(&format!("\"{PLACEHOLDER}")) {
                None => line.to_owned(),
                Some(start) => {
                    let end = start + 1 + line[start + 1..].find('"').unwrap();
                    let key = line.split([' ', '=']).next().unwrap_or_default();
                    let value = fill(&kind, key);
                    format!("{}\"{value}\"{}", &line[..start], &line[end + 1..])
                }
            }
        })
        .map(|line| line + "\n")
        .collect()
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

fn check_kinds(kinds: &[ProviderKind]) {
    let t = template(kinds);
    // Refused as written, naming every placeholder key with its own line.
    let err = parse(&t.text).unwrap_err().to_string();
    assert!(!t.placeholders.is_empty(), "{kinds:?}");
    for key in &t.placeholders {
        let wanted = if key.ends_with(".owned") {
            format!("{key}[0] (line ")
        } else {
            format!("{key} (line ")
        };
        assert!(err.contains(&wanted), "{kinds:?}: {wanted} not in\n{err}");
    }
    for problem in err.lines().filter(|l| l.starts_with("  - ")) {
        let line: usize = problem
            .split("(line ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no line in {problem}"));
        let text_line = t.text.lines().nth(line - 1).unwrap();
        assert!(text_line.contains(PLACEHOLDER), "{problem}: {text_line}");
    }
    assert_eq!(
        err.matches("still holds the placeholder").count(),
        t.placeholders.len(),
        "{err}"
    );

    // Accepted once filled: every kind asked for, owning its destination, credentials named.
    let config = parse(&filled(&t.text)).unwrap_or_else(|e| panic!("{kinds:?}: {e}"));
    assert_eq!(config.providers.len(), t.kinds.len());
    for kind in &t.kinds {
        let p = &config.providers[kind.as_str()];
        assert_eq!(p.kind, *kind);
        assert!(p.destination_owned(), "{kind:?} owns {:?}", p.destination());
        assert!(
            p.unsafe_base_url.is_none(),
            "{kind:?}: {:?}",
            p.unsafe_base_url
        );
        let guide = kind.guide();
        assert_eq!(
            p.auth.token,
            Some(SecretSource::Env(guide.token_var.to_owned()))
        );
        if kind.required_user().is_some() {
            assert!(p.auth.user.is_some(), "{kind:?}");
        }
        for dest in kind.destination_keys() {
            let wanted = fill(kind.as_str(), dest);
            assert_eq!(p.mapping.get(dest), Some(wanted), "{kind:?}.{dest}");
        }
    }

    // No secret anywhere: `auth` only names variables, and no value looks like a token.
    let doc: toml::Table = toml::from_str(&t.text).unwrap();
    let providers = doc.get("providers").and_then(|p| p.as_table());
    for (key, entry) in providers.into_iter().flatten() {
        let auth = entry["auth"].as_table().unwrap();
        for (name, value) in auth {
            assert!(name.ends_with("_env"), "{key}: auth.{name}");
            let value = value.as_str().unwrap();
            assert!(
                value.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{key}: auth.{name} = {value:?} is not a variable name"
            );
            assert!(t.variables.contains(&value), "{value}");
        }
    }
    let mut values = Vec::new();
    collect_strings(&toml::Value::Table(doc), &mut values);
    for value in values {
        for prefix in super::parse::TOKEN_PREFIXES {
            assert!(!value.starts_with(prefix), "{value:?} looks like a token");
        }
    }
}

fn collect_strings(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[test]
fn every_kind_alone_is_refused_until_filled_then_accepted() {
    for kind in ProviderKind::ALL {
        check_kinds(&[kind]);
    }
}

#[test]
fn all_kinds_at_once_are_refused_until_filled_then_accepted() {
    check_kinds(&ProviderKind::ALL);
    // Asked twice, written once.
    let t = template(&[ProviderKind::Github, ProviderKind::Github]);
    assert_eq!(t.kinds, [ProviderKind::Github]);
    assert_eq!(t.text.matches("[providers.github]").count(), 1);
}

#[test]
fn no_kind_gives_a_config_valid_as_it_stands() {
    let t = template(&[]);
    assert!(t.placeholders.is_empty());
    let config = parse(&t.text).unwrap();
    assert!(config.providers.is_empty());
    assert_eq!(config.fallback.after, Config::default().fallback.after);
}

#[test]
fn a_placeholder_left_anywhere_is_named_with_its_line() {
    let text = "\n[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\n\
        auth = { token_env = \"GITHUB_TOKEN\" }\nowned = [\"acme/shop\", \"<fill in: x>\"]\n\
        mapping = { repo = \"acme/shop\", labels = [\"<fill in: y>\"] }\n";
    let err = parse(text).unwrap_err().to_string();
    assert!(err.contains("providers.gh.owned[1] (line 6)"), "{err}");
    assert!(
        err.contains("providers.gh.mapping.labels[0] (line 7)"),
        "{err}"
    );
    assert!(err.contains("2 problem(s)"), "{err}");
}

#[test]
fn comments_stay_within_95_columns() {
    let t = template(&ProviderKind::ALL);
    for line in t.text.lines().filter(|l| l.starts_with('#')) {
        assert!(line.chars().count() <= 95, "{line}");
    }
}
