//! The TOML config of design section 9: providers, their destinations, credentials and safety.

mod addresses;
mod digest;
#[cfg(test)]
mod echo_tests;
mod kinds;
mod lines;
mod parse;
mod raw;
pub mod safety;
mod scrub;
pub mod template;
#[cfg(test)]
mod template_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::model::Severity;
use crate::secret::SecretSource;
pub use digest::connection_changed;
pub use kinds::KindGuide;
use parse::{parse_fallback, parse_provider};
use raw::RawConfig;
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
    /// Absolute, or relative to the config file's folder as written; without `out_dir` in the
    /// config, `ticket-exports` under the data folder (see [`Config::resolve_defaults`]).
    pub out_dir: PathBuf,
    /// Whether the config names `out_dir`; if not, `out_dir` is the default.
    pub out_dir_named: bool,
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
        match self.kind.owned_key() {
            None => self.base_url.host_str().unwrap_or_default().to_owned(),
            Some(key) => self.mapping.get(key).unwrap_or_default().to_owned(),
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
                out_dir_named: false,
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
        "the config {path} is not valid TOML for ticket-export\n  why: {message}\n  next: fix the key at that line and column (values are never shown, as they may be secrets); the README's Config section lists every key"
    )]
    Parse { path: PathBuf, message: String },
    #[error(
        "the config {path} has {} problem(s):\n{}\n  why: a config is followed exactly or not at all, so nothing was read from the store or sent\n  next: fix each key named above; the README's Config section lists every key",
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
                return Ok(Config::default());
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
            message: scrub::toml_error(&e, text),
        })?;
        let unfilled = template::unfilled(text);
        if !unfilled.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                problems: unfilled.iter().map(|p| scrub::scrub(p, text)).collect(),
            });
        }
        let mut problems = Vec::new();
        let mode = raw.mode.unwrap_or(Mode::Cloud);
        let base = base_dir(path);
        let fallback = parse_fallback(raw.fallback, &base, &mut problems);
        // Each problem names the line of the key it is about, or of the nearest key written
        // above it (the table's header when the key is missing).
        let lines = lines::KeyLines::new(text);
        for p in &mut problems {
            if let Some(line) = lines.problem_line(&[], p) {
                *p = format!("{p} (line {line})");
            }
        }
        let mut providers = BTreeMap::new();
        for (key, spanned) in raw.providers {
            let header = lines::line_of(text, spanned.span().start);
            let before = problems.len();
            let provider = parse_provider(&key, spanned.into_inner(), mode, &base, &mut problems);
            for p in &mut problems[before..] {
                let line = lines
                    .problem_line(&["providers", &key], p)
                    .unwrap_or(header);
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

    /// Fills in the defaults that depend on the user's folders: without `out_dir` in the
    /// config, fallback files go to `ticket-exports` in the data folder, beside the default
    /// store, because they are customer data, not settings.
    pub fn resolve_defaults(&mut self, ambient: &crate::ambient::Ambient) {
        if !self.fallback.out_dir_named {
            self.fallback.out_dir = crate::paths::default_out_dir(ambient);
        }
    }

    /// The folder where earlier versions put fallback files by default (`ticket-exports` beside
    /// the config at `config_path`), when this config uses the default and that folder still
    /// holds something. Nothing is moved: the caller says where it is.
    pub fn earlier_default_out_dir(&self, config_path: &Path) -> Option<PathBuf> {
        if self.fallback.out_dir_named {
            return None;
        }
        let earlier = base_dir(config_path).join("ticket-exports");
        let holds_files = std::fs::read_dir(&earlier).is_ok_and(|mut d| d.next().is_some());
        (holds_files && earlier != self.fallback.out_dir).then_some(earlier)
    }
}

/// The provider keys of the config at `path` with their kinds, read leniently for shell
/// completion: a config with a mistake in some value still names its providers. Empty when the
/// file is missing, unreadable or not TOML; nothing is reported, since a TAB is no place for it.
pub fn provider_keys(path: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(toml::Value::Table(providers)) = table.get("providers") else {
        return Vec::new();
    };
    providers
        .iter()
        .map(|(key, entry)| {
            let kind = entry
                .get("kind")
                .and_then(toml::Value::as_str)
                .unwrap_or("");
            (key.clone(), kind.to_owned())
        })
        .collect()
}

fn base_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
