//! Turning the raw TOML shapes into a validated `Config`: each `parse_*` checks one section and
//! pushes every problem it finds, so a user sees all of them at once rather than one per run.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::SignedDuration;
use url::Url;

use super::raw::{self, RawAuth, RawMapping, RawProvider};
use super::safety::{self, Mode};
use super::{Auth, Config, Fallback, Mapping, Provider, ProviderKind};
use crate::model::Severity;
use crate::secret::SecretSource;

/// `[fallback]`, with defaults for what is missing.
pub(super) fn parse_fallback(
    raw: Option<raw::RawFallback>,
    base: &Path,
    problems: &mut Vec<String>,
) -> Fallback {
    let defaults = Config::default().fallback;
    let raw = raw.unwrap_or(raw::RawFallback {
        out_dir: None,
        after: None,
    });
    // Customer data goes to the data folder by default, not beside the config: the default is
    // filled in by `Config::resolve_defaults`, which knows the user's folders.
    let out_dir_named = raw.out_dir.is_some();
    let out_dir = match raw.out_dir.as_deref() {
        Some(dir) => base.join(dir),
        None => defaults.out_dir,
    };
    let after = match raw.after.as_deref() {
        None => defaults.after,
        Some(text) => match text.parse::<SignedDuration>() {
            Ok(d) if d.is_positive() => d,
            _ => {
                problems.push(
                    "fallback.after is not a positive duration; write it like \"24h\", \"90m\" or \"2d\""
                        .into(),
                );
                defaults.after
            }
        },
    };
    Fallback {
        out_dir,
        out_dir_named,
        after,
    }
}

/// Token prefixes of real providers: a "variable name" starting with one is a pasted secret.
pub(super) const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "gldt-",
    "lin_api_",
    "lin_oauth_",
    "pk_",
    "ATATT",
    "ATCTT",
    "ATBB",
    "whsec_",
    "xoxb-",
    "xoxp-",
    "perm:",
    "perm-",
];

/// Whether a name written where a variable or file name belongs looks like a pasted secret:
/// a provider's token prefix, or a run of sixteen or more characters without an underscore
/// that mixes lower-case letters and digits (Azure PATs, Trello keys, hex and base64 tokens).
/// Names people give variables are words joined by underscores (`JIRA_API_TOKEN`).
pub(super) fn looks_like_secret(name: &str) -> bool {
    TOKEN_PREFIXES.iter().any(|p| name.starts_with(p))
        || name.split(['_', '-', '.', '/']).any(|run| {
            run.len() >= 16
                && run.chars().any(|c| c.is_ascii_lowercase())
                && run.chars().any(|c| c.is_ascii_digit())
        })
}

/// Whether `name` can be an environment variable's name: a letter or `_` first, then letters,
/// digits and `_` (POSIX), of a sane length, and not a pasted secret.
fn env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
        && !looks_like_secret(name)
}

/// One `[providers.<key>]` entry; None when it has a problem (pushed to `problems`).
pub(super) fn parse_provider(
    key: &str,
    raw: RawProvider,
    mode: Mode,
    base: &Path,
    problems: &mut Vec<String>,
) -> Option<Provider> {
    let before = problems.len();
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        problems.push(format!(
            "provider key {key:?} may hold only letters, digits, '-' and '_'"
        ));
    }
    if mode == Mode::WebhookOnly && raw.kind != ProviderKind::Webhook {
        problems.push(format!(
            "kind = \"{}\" is not allowed in webhook-only mode; use mode = \"cloud\" or \"self-hosted\"",
            raw.kind.as_str()
        ));
    }
    let base_url = match Url::parse(&raw.base_url) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            problems.push(
                "base_url holds a user name or password; credentials never go in the config: name them in `auth` (token_env or token_file)".into(),
            );
            None
        }
        Ok(url) if url.query().is_some() || url.fragment().is_some() => {
            problems.push(
                "base_url must not have a query or fragment (tokens in URLs end up in logs)".into(),
            );
            None
        }
        Ok(url) => Some(url),
        Err(e) => {
            // The value is not shown: a URL that does not parse may still hold a password.
            problems.push(format!(
                "base_url is not a URL ({e}); write it like \"https://acme.atlassian.net\""
            ));
            None
        }
    };
    let auth = parse_auth(raw.kind, raw.auth.unwrap_or_default(), base, problems);
    let mapping = parse_mapping(raw.mapping, problems);
    for dest_key in raw.kind.destination_keys() {
        if mapping.get(dest_key).is_none_or(str::is_empty) {
            problems.push(format!(
                "mapping.{dest_key} is required for kind = \"{}\"",
                raw.kind.as_str()
            ));
        }
    }
    // Values that go into request paths must have the provider's form: `..` or `%2e%2e` in a
    // repository would send requests, and the token, to another destination.
    problems.extend(crate::providers::path::mapping_problems(raw.kind, &mapping));
    if raw.owned.is_empty() {
        problems.push(
            "owned is empty: list the destinations the customer owns; anything else is a stop"
                .into(),
        );
    }
    let base_url = base_url?;
    if problems.len() > before {
        return None;
    }
    let unsafe_base_url = safety::check_base_url(&base_url, mode, raw.allow_http).err();
    Some(Provider {
        key: key.to_owned(),
        kind: raw.kind,
        base_url,
        allow_http: raw.allow_http,
        auth,
        owned: raw.owned,
        mapping,
        status_map: raw.status_map,
        unsafe_base_url,
    })
}

/// Where the credentials come from; literal secrets are refused.
fn parse_auth(kind: ProviderKind, raw: RawAuth, base: &Path, problems: &mut Vec<String>) -> Auth {
    for literal in raw.literal_keys() {
        problems.push(format!(
            "auth.{literal} holds a literal secret, which is refused: a config file is copied, \
             shared and backed up, so a secret in it leaks. Put the value in an environment \
             variable and name it (token_env = \"MY_TOKEN\", user_env = \"MY_USER\"), or in a file \
             only you can read (chmod 600) named by token_file"
        ));
    }
    let source = |env: Option<String>,
                  file: Option<String>,
                  what: &str,
                  problems: &mut Vec<String>|
     -> Option<SecretSource> {
        match (env, file) {
            (Some(_), Some(_)) => {
                problems.push(format!(
                    "auth.{what}_env and auth.{what}_file are both set; keep one"
                ));
                None
            }
            (Some(name), None) => {
                if !env_name(&name) {
                    // Never echoed and never kept: a value here is often the secret itself,
                    // and a "variable … is not set" message would carry it into provider
                    // health and the append-only event history.
                    problems.push(format!(
                        "auth.{what}_env must be the NAME of an environment variable (like GITHUB_TOKEN: \
                         a letter or '_' first, then letters, digits and '_'); this is not one, and may \
                         be the secret itself, so it is refused and not shown. Put the value in a \
                         variable and name that variable here"
                    ));
                    return None;
                }
                Some(SecretSource::Env(name))
            }
            (None, Some(file)) => {
                let name = Path::new(&file).file_name().map(|n| n.to_string_lossy());
                if file.trim().is_empty() || name.is_some_and(|n| looks_like_secret(&n)) {
                    problems.push(format!(
                        "auth.{what}_file must be the path of a file holding the secret (like \
                         \"github.token\", chmod 600); this looks like the secret itself, so it is \
                         refused and not shown"
                    ));
                    return None;
                }
                Some(SecretSource::File(base.join(file)))
            }
            (None, None) => None,
        }
    };
    let before_user = problems.len();
    let user = source(raw.user_env, raw.user_file, "user", problems);
    let user_refused = problems.len() > before_user;
    let before_token = problems.len();
    let token = if kind == ProviderKind::Webhook {
        source(raw.secret_env, raw.secret_file, "secret", problems)
    } else {
        if raw.secret_env.is_some() || raw.secret_file.is_some() {
            problems.push(
                "auth.secret_env/secret_file are for webhooks; use token_env or token_file".into(),
            );
        }
        source(raw.token_env, raw.token_file, "token", problems)
    };
    // A refused token source already said what is wrong with it.
    if token.is_none() && problems.len() == before_token {
        let [env, file] = kind.token_keys();
        problems.push(format!(
            "auth needs {env} or {file} for kind = \"{}\"",
            kind.as_str()
        ));
    }
    if let Some(what) = kind.required_user()
        && user.is_none()
        && !user_refused
    {
        problems.push(format!(
            "auth.user_env is required for kind = \"{}\" ({what})",
            kind.as_str()
        ));
    }
    if let Some(scheme) = &raw.scheme {
        check_scheme(kind, scheme, user.is_some(), problems);
    }
    Auth {
        scheme: raw.scheme,
        user,
        token,
    }
}

/// `auth.scheme` only names the header a kind sends, which otherwise follows from the kind and
/// the credentials: a value that disagrees would be silently ignored, so it is refused.
fn check_scheme(kind: ProviderKind, scheme: &str, has_user: bool, problems: &mut Vec<String>) {
    let allowed: &[&str] = match kind {
        ProviderKind::Jira => &["basic", "bearer"],
        ProviderKind::Bitbucket | ProviderKind::AzureDevops => &["basic"],
        // Linear: a personal API key goes bare; an OAuth token needs `Bearer`.
        ProviderKind::Github
        | ProviderKind::Youtrack
        | ProviderKind::Asana
        | ProviderKind::Linear => &["bearer"],
        _ => &[],
    };
    let jira = kind == ProviderKind::Jira;
    let kind = kind.as_str();
    let scheme = scheme.to_ascii_lowercase();
    let scheme = scheme.as_str();
    if allowed.is_empty() {
        problems.push(format!(
            "auth.scheme: kind = \"{kind}\" sends its own header, which no scheme changes; remove auth.scheme"
        ));
    } else if !allowed.contains(&scheme) {
        // The value is not shown: a token is sometimes pasted here ("Bearer ghp_…").
        problems.push(format!(
            "auth.scheme is not a scheme kind = \"{kind}\" uses (expected {})",
            allowed.join(" or ")
        ));
    } else if jira && scheme == "basic" && !has_user {
        problems.push(
            "auth.scheme = \"basic\" (Jira Cloud) needs auth.user_env or auth.user_file: the account e-mail".into(),
        );
    } else if jira && scheme == "bearer" && has_user {
        problems.push(
            "auth.scheme = \"bearer\" (a Jira Data Center personal access token) takes no user; remove auth.user_env, or use scheme = \"basic\" for Jira Cloud".into(),
        );
    }
}

/// The mapping: priorities keyed by severity, extra fields as JSON for the providers.
fn parse_mapping(raw: RawMapping, problems: &mut Vec<String>) -> Mapping {
    let mut priority = BTreeMap::new();
    for (severity, value) in raw.priority {
        match Severity::parse(&severity) {
            Some(s) => {
                priority.insert(s, value);
            }
            None => problems.push(format!(
                "mapping.priority.{severity} is not a severity; use {}",
                Severity::expected()
            )),
        }
    }
    let fields = raw
        .fields
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    Mapping {
        project: raw.project,
        issue_type: raw.issue_type,
        repo: raw.repo,
        board: raw.board,
        list: raw.list,
        team: raw.team,
        work_item_type: raw.work_item_type,
        workspace: raw.workspace,
        section: raw.section,
        labels: raw.labels,
        priority,
        assignees: raw.assignees,
        fields,
    }
}
