//! The config parser against arbitrary text and mutations of a valid config: never a panic;
//! every error a `ConfigError` naming a key or a line; a literal secret never echoed.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use ticket_export::config::{Config, ConfigError};

use crate::cases;
use edits::{apply, edit, toml_ish};

mod edits;

/// A valid config exercising every section: modes, fallback, several kinds, inline tables.
const VALID: &str = r#"mode = "cloud"
[fallback]
out_dir = "ticket-exports"
after = "24h"

[providers.jira-sec]
kind = "jira"
base_url = "https://acme.atlassian.net"
auth = { user_env = "JIRA_EMAIL", token_env = "JIRA_API_TOKEN" }
owned = ["SEC"]
status_map = { "Ready for QA" = "in_progress" }
[providers.jira-sec.mapping]
project = "SEC"
issue_type = "Bug"
labels = ["webriskops"]
priority = { critical = "Highest", high = "High" }
fields = { customfield_10951 = "web" }

[providers.gh]
kind = "github"
base_url = "https://api.github.com"
auth = { token_env = "GITHUB_TOKEN" }
owned = ["acme/shop"]
mapping = { repo = "acme/shop", labels = ["security"] }

[providers.hooks]
kind = "webhook"
base_url = "https://hooks.acme.example/in"
auth = { secret_file = "webhook.secret" }
owned = ["hooks.acme.example"]
"#;

/// Every key the config knows: an error that names one of these (or a line) says where to look.
const KEYS: &[&str] = &[
    "mode",
    "fallback",
    "out_dir",
    "after",
    "providers",
    "kind",
    "base_url",
    "allow_http",
    "auth",
    "owned",
    "mapping",
    "status_map",
    "scheme",
    "user_env",
    "user_file",
    "token_env",
    "token_file",
    "secret_env",
    "secret_file",
    "token",
    "password",
    "secret",
    "api_key",
    "api_token",
    "key",
    "user",
    "project",
    "issue_type",
    "repo",
    "board",
    "list",
    "team",
    "work_item_type",
    "workspace",
    "section",
    "labels",
    "priority",
    "assignees",
    "fields",
];

fn path() -> &'static Path {
    Path::new("/etc/ticket-export/config.toml")
}

/// True when `text` has `line N`, or one of the config's keys as a word.
fn names_key_or_line(text: &str) -> bool {
    let has_line = text.match_indices("line ").any(|(i, m)| {
        text[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    has_line || words.into_iter().any(|w| KEYS.contains(&w))
}

/// Parses `text` and checks the error, if any; returns the error text.
fn check(text: &str) -> Result<Option<String>, TestCaseError> {
    let err = match Config::parse(text, path()) {
        Ok(_) => return Ok(None),
        Err(e) => e,
    };
    match &err {
        ConfigError::Parse { message, .. } => {
            prop_assert!(
                names_key_or_line(message),
                "names no key or line: {message}"
            );
        }
        ConfigError::Invalid { problems, .. } => {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(names_key_or_line(p), "names no key or line: {p}");
            }
        }
        ConfigError::Read { .. } => prop_assert!(false, "parse cannot fail to read: {err}"),
    }
    let shown = err.to_string();
    prop_assert!(shown.contains("next:"), "says what to do next: {shown}");
    Ok(Some(shown))
}

/// What a value pasted in a slot is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    /// Any value is a secret (the literal-secret keys, a password in a URL).
    Secret,
    /// Any value is a secret, but only recognisable whole: `https://TOKEN@host` cut before the
    /// `@` reads as a host name.
    SecretWhenWhole,
    /// Only a value shaped like a provider token is a secret (a variable name is not).
    TokenOnly,
}

/// Where a secret can be pasted: `{S}` marks it. Each replaces a line of the `gh` provider.
const PLANTS: &[(&str, &str, Slot)] = &[
    (
        "auth = ",
        r#"{ token_env = "GITHUB_TOKEN", token = "{S}" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ token = "{S}", scheme = "bearer" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ password = '{S}', token_env = "T" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ secret = """{S}""", token_env = "T" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ api_key = ["{S}"], token_env = "T" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ api_token = "{S}", token_env = "T" }"#,
        Slot::Secret,
    ),
    (
        "auth = ",
        r#"{ key = "{S}", user = "{S}", token_env = "T" }"#,
        Slot::Secret,
    ),
    ("auth = ", r#"{ token_env = "{S}" }"#, Slot::TokenOnly),
    (
        "auth = ",
        r#"{ user_env = "{S}", token_env = "T" }"#,
        Slot::TokenOnly,
    ),
    (
        "base_url = ",
        r#""https://x-access-token:{S}@api.github.com""#,
        Slot::Secret,
    ),
    (
        "base_url = ",
        r#""https://{S}@api.github.com""#,
        Slot::SecretWhenWhole,
    ),
    (
        "base_url = ",
        r#""ht tp://me:{S}@api.github.com""#,
        Slot::Secret,
    ),
    ("base_url = ", r#""me:{S}@api.github.com""#, Slot::Secret),
    ("owned = ", r#"["{S}"]"#, Slot::TokenOnly),
    ("mapping = ", r#"{ repo = "{S}" }"#, Slot::TokenOnly),
    ("kind = ", r#""{S}""#, Slot::TokenOnly),
];

/// What may follow the planted line to break the file around it.
const BREAKS: &[&str] = &[
    "",
    " bogus",
    " = 1",
    ", x = 1",
    "\n[[",
    "\nunknown = 1",
    "\"",
    "\nmode = \"{S}\"",
];

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn toml_shaped_text_never_panics_and_names_a_key_or_line(text in toml_ish()) {
        check(&text)?;
    }

    #[test]
    fn edits_of_a_valid_config_never_panic_and_name_a_key_or_line(edits in prop::collection::vec(edit(), 1..4)) {
        let text = edits.iter().fold(VALID.to_owned(), |t, e| apply(&t, e));
        check(&text)?;
    }

    /// A secret pasted anywhere a person might paste one, with the file broken around it, cut
    /// short or not, never appears in the error, nor does any eight-character piece of it.
    #[test]
    fn a_planted_secret_never_appears_in_an_error(
        plant in prop::sample::select(PLANTS),
        prefix in prop::sample::select(vec!["ghp_", "github_pat_", "glpat-", "lin_api_", "ATATT", "xoxb-", ""]),
        body in "[A-Za-z0-9]{24,40}",
        brk in prop::sample::select(BREAKS),
        cut in prop::option::of(any::<Index>()),
    ) {
        let (key, value, slot) = plant;
        prop_assume!(slot != Slot::TokenOnly || !prefix.is_empty());
        prop_assume!(slot != Slot::SecretWhenWhole || !prefix.is_empty() || cut.is_none());
        let secret = format!("{prefix}{body}");
        // A second copy outside a secret slot is only a secret when it looks like a token.
        let brk = if prefix.is_empty() { brk.replace("{S}", "cloud") } else { brk.to_owned() };
        let gh = VALID.find("[providers.gh]").unwrap();
        let at = gh + VALID[gh..].find(&format!("\n{key}")).unwrap() + 1;
        let end = at + VALID[at..].find('\n').unwrap();
        let mut text = format!("{}{key}{}{}{}", &VALID[..at], value, brk, &VALID[end..]).replace("{S}", &secret);
        if let Some(cut) = cut {
            // Cut somewhere after the secret starts: a truncated file around it.
            let start = text.find(&secret).unwrap();
            text.truncate(start + cut.index(text.len() - start + 1));
        }
        if let Some(shown) = check(&text)? {
            // The prefix is public; any eight characters of the rest would be a leak.
            let chars: Vec<char> = body.chars().collect();
            for piece in chars.windows(8) {
                let piece: String = piece.iter().collect();
                prop_assert!(!shown.contains(&piece), "{piece:?} of the secret is shown:\n{shown}\nin:\n{text}");
            }
        }
    }
}

#[test]
fn the_valid_config_parses() {
    let config = Config::parse(VALID, path()).unwrap();
    assert_eq!(config.providers.len(), 3);
}

/// Was: the TOML error quoted the whole line, pasted token included, and an unparseable
/// `base_url` was quoted with its password.
#[test]
fn a_pasted_token_on_a_broken_line_is_not_echoed() {
    let broken = VALID.replace(
        r#"auth = { token_env = "GITHUB_TOKEN" }"#,
        r#"auth = { token_env = "T", password = "hunter2-correct-horse", bogus = 1 }"#,
    );
    let err = Config::parse(&broken, path()).unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("line 22, column 63") && err.contains("unknown field `bogus`"),
        "{err}"
    );
    // The line itself is never quoted: the position and the key say where.
    assert!(!err.contains("password = "), "{err}");

    let url = VALID.replace(
        r#""https://api.github.com""#,
        r#""ht tp://me:hunter2-correct-horse@api.github.com""#,
    );
    let err = Config::parse(&url, path()).unwrap_err().to_string();
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("base_url is not a URL") && !err.contains("api.github.com"),
        "{err}"
    );
}
