//! The TOML config of design section 9: providers, their destinations, credentials and safety.

mod digest;
mod raw;
pub mod safety;
mod scrub;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::model::Severity;
use crate::secret::SecretSource;
use raw::{RawAuth, RawConfig, RawMapping, RawProvider};
pub use safety::Mode;

/// The provider kinds the product supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    Jira,
    Github,
    Gitlab,
    Bitbucket,
    Trello,
    Linear,
    AzureDevops,
    Youtrack,
    Asana,
    Clickup,
    Webhook,
}

impl ProviderKind {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Jira => "jira",
            ProviderKind::Github => "github",
            ProviderKind::Gitlab => "gitlab",
            ProviderKind::Bitbucket => "bitbucket",
            ProviderKind::Trello => "trello",
            ProviderKind::Linear => "linear",
            ProviderKind::AzureDevops => "azure-devops",
            ProviderKind::Youtrack => "youtrack",
            ProviderKind::Asana => "asana",
            ProviderKind::Clickup => "clickup",
            ProviderKind::Webhook => "webhook",
        }
    }

    /// The mapping keys that name the destination, which the provider cannot work without.
    pub fn destination_keys(self) -> &'static [&'static str] {
        match self {
            ProviderKind::Jira => &["project", "issue_type"],
            ProviderKind::Github | ProviderKind::Bitbucket => &["repo"],
            ProviderKind::Gitlab | ProviderKind::Youtrack => &["project"],
            ProviderKind::Trello => &["board", "list"],
            ProviderKind::Linear => &["team"],
            ProviderKind::AzureDevops => &["project", "work_item_type"],
            ProviderKind::Asana => &["workspace", "project"],
            ProviderKind::Clickup => &["list"],
            ProviderKind::Webhook => &[],
        }
    }
}

/// The whole config, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from; None when no config file exists (no providers configured).
    pub path: Option<PathBuf>,
    pub mode: Mode,
    pub fallback: Fallback,
    pub providers: BTreeMap<String, Provider>,
}

/// `[fallback]`: where portable files go and when fallback becomes the next step.
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    /// Absolute, or relative to the config file's folder as written.
    pub out_dir: PathBuf,
    /// Provider unavailable this long: fallback becomes the next step.
    pub after: SignedDuration,
}

/// One `[providers.<key>]` entry.
#[derive(Debug, Clone)]
pub struct Provider {
    pub key: String,
    pub kind: ProviderKind,
    pub base_url: Url,
    pub allow_http: bool,
    pub auth: Auth,
    pub owned: Vec<String>,
    pub mapping: Mapping,
    /// Provider state name to normalised state, overriding the built-in guess.
    pub status_map: BTreeMap<String, String>,
    /// Why the base URL is unsafe for the mode; such a provider is never sent anything.
    pub unsafe_base_url: Option<String>,
}

/// Where a provider's credentials come from. Never the values themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub scheme: Option<String>,
    /// The user (Jira Cloud or Bitbucket e-mail, Trello API key).
    pub user: Option<SecretSource>,
    /// The token, or a webhook's signing secret.
    pub token: Option<SecretSource>,
}

/// A provider's `mapping`: destination, labels, priorities, assignees and extra fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Mapping {
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub repo: Option<String>,
    pub board: Option<String>,
    pub list: Option<String>,
    pub team: Option<String>,
    pub work_item_type: Option<String>,
    pub workspace: Option<String>,
    pub section: Option<String>,
    pub labels: Vec<String>,
    pub priority: BTreeMap<Severity, String>,
    pub assignees: Vec<String>,
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl Mapping {
    /// The value of a destination key by name.
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "project" => self.project.as_deref(),
            "issue_type" => self.issue_type.as_deref(),
            "repo" => self.repo.as_deref(),
            "board" => self.board.as_deref(),
            "list" => self.list.as_deref(),
            "team" => self.team.as_deref(),
            "work_item_type" => self.work_item_type.as_deref(),
            "workspace" => self.workspace.as_deref(),
            "section" => self.section.as_deref(),
            _ => None,
        }
    }
}

impl Provider {
    /// The destination this provider writes to, in the form its `owned` entries take.
    pub fn destination(&self) -> String {
        match self.kind {
            ProviderKind::Webhook => self.base_url.host_str().unwrap_or_default().to_owned(),
            ProviderKind::Github | ProviderKind::Bitbucket => {
                self.mapping.repo.clone().unwrap_or_default()
            }
            ProviderKind::Trello => self.mapping.board.clone().unwrap_or_default(),
            ProviderKind::Linear => self.mapping.team.clone().unwrap_or_default(),
            ProviderKind::Clickup => self.mapping.list.clone().unwrap_or_default(),
            _ => self.mapping.project.clone().unwrap_or_default(),
        }
    }

    /// Whether the customer listed the destination as theirs. Comparison ignores ASCII case,
    /// as the providers do for keys, repositories and host names.
    pub fn destination_owned(&self) -> bool {
        let dest = self.destination();
        !dest.is_empty() && self.owned.iter().any(|o| o.eq_ignore_ascii_case(&dest))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            mode: Mode::Cloud,
            fallback: Fallback {
                out_dir: PathBuf::from("ticket-exports"),
                after: SignedDuration::from_hours(24),
            },
            providers: BTreeMap::new(),
        }
    }
}

/// The config could not be used. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot read the config {path}\n  why: {reason}\n  next: check --config / TICKET_EXPORT_CONFIG, or run `ticket-export settings path`"
    )]
    Read { path: PathBuf, reason: String },
    #[error(
        "the config {path} is not valid TOML for ticket-export\n  why: {message}\n  next: fix the key named above; the README's Config section lists every key"
    )]
    Parse { path: PathBuf, message: String },
    #[error(
        "the config {path} has {} problem(s):\n{}\n  next: fix each key named above; the README's Config section lists every key",
        problems.len(),
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
}

impl Config {
    /// Loads the config at `path`. A missing file is "no providers configured" only when
    /// `must_exist` is false (the default location); a path the user named must exist.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, ConfigError> {
        let read_err = |reason: String| ConfigError::Read {
            path: path.to_owned(),
            reason,
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                let mut config = Config::default();
                config.fallback.out_dir = base_dir(path).join("ticket-exports");
                return Ok(config);
            }
            Err(e) => return Err(read_err(e.to_string())),
            Ok(meta) if meta.is_dir() => {
                return Err(read_err("it is a directory, not a file".into()));
            }
            Ok(_) => {}
        }
        let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| read_err("it is not UTF-8 text".into()))?;
        let mut config = Config::parse(&text, path)?;
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// Parses and validates config text; `path` locates relative paths and names the file.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: scrub::scrub(e.to_string().trim_end(), text).replace('\n', "\n       "),
        })?;
        let mut problems = Vec::new();
        let mode = raw.mode.unwrap_or(Mode::Cloud);
        let base = base_dir(path);
        let fallback = parse_fallback(raw.fallback, &base, &mut problems);
        let mut providers = BTreeMap::new();
        for (key, spanned) in raw.providers {
            let line = line_of(text, spanned.span().start);
            let before = problems.len();
            let provider = parse_provider(&key, spanned.into_inner(), mode, &base, &mut problems);
            for p in &mut problems[before..] {
                *p = format!("{p} (providers.{key}, line {line})");
            }
            if let Some(provider) = provider {
                providers.insert(key, provider);
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                problems: problems.iter().map(|p| scrub::scrub(p, text)).collect(),
            });
        }
        Ok(Config {
            path: Some(path.to_owned()),
            mode,
            fallback,
            providers,
        })
    }

    /// The provider entry for a key.
    pub fn provider(&self, key: &str) -> Option<&Provider> {
        self.providers.get(key)
    }
}

fn base_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse_fallback(
    raw: Option<raw::RawFallback>,
    base: &Path,
    problems: &mut Vec<String>,
) -> Fallback {
    let defaults = Config::default().fallback;
    let raw = raw.unwrap_or(raw::RawFallback {
        out_dir: None,
        after: None,
    });
    let out_dir = base.join(raw.out_dir.as_deref().unwrap_or("ticket-exports"));
    let after = match raw.after.as_deref() {
        None => defaults.after,
        Some(text) => match text.parse::<SignedDuration>() {
            Ok(d) if d.is_positive() => d,
            _ => {
                problems.push(format!(
                    "fallback.after = {text:?} is not a positive duration; write it like \"24h\", \"90m\" or \"2d\""
                ));
                defaults.after
            }
        },
    };
    Fallback { out_dir, after }
}

/// Token prefixes of real providers: a "variable name" starting with one is a pasted secret.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "glpat-",
    "lin_api_",
    "pk_",
    "ATATT",
    "whsec_",
    "xoxb-",
    "perm:",
];

fn parse_provider(
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
            problems.push(format!("base_url {:?} is not a URL: {e}", raw.base_url));
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
                if TOKEN_PREFIXES.iter().any(|p| name.starts_with(p))
                    || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    problems.push(format!(
                        "auth.{what}_env must be the NAME of an environment variable (like GITHUB_TOKEN), \
                         and this looks like a secret value; it is refused and not shown"
                    ));
                    return None;
                }
                Some(SecretSource::Env(name))
            }
            (None, Some(file)) => Some(SecretSource::File(base.join(file))),
            (None, None) => None,
        }
    };
    let user = source(raw.user_env, raw.user_file, "user", problems);
    let (token, token_word) = if kind == ProviderKind::Webhook {
        (
            source(raw.secret_env, raw.secret_file, "secret", problems),
            "secret_env or secret_file",
        )
    } else {
        if raw.secret_env.is_some() || raw.secret_file.is_some() {
            problems.push(
                "auth.secret_env/secret_file are for webhooks; use token_env or token_file".into(),
            );
        }
        (
            source(raw.token_env, raw.token_file, "token", problems),
            "token_env or token_file",
        )
    };
    if token.is_none() {
        problems.push(format!(
            "auth needs {token_word} for kind = \"{}\"",
            kind.as_str()
        ));
    }
    let needs_user = matches!(kind, ProviderKind::Bitbucket | ProviderKind::Trello);
    if needs_user && user.is_none() {
        let what = if kind == ProviderKind::Trello {
            "the API key"
        } else {
            "the account e-mail"
        };
        problems.push(format!(
            "auth.user_env is required for kind = \"{}\" ({what})",
            kind.as_str()
        ));
    }
    Auth {
        scheme: raw.scheme,
        user,
        token,
    }
}

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
