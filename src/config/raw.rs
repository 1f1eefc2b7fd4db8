//! The config file exactly as written: serde structs that reject unknown keys with their line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::ProviderKind;
use super::safety::Mode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub mode: Option<Mode>,
    pub fallback: Option<RawFallback>,
    #[serde(default)]
    pub providers: BTreeMap<String, Spanned<RawProvider>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFallback {
    pub out_dir: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProvider {
    pub kind: ProviderKind,
    pub base_url: String,
    #[serde(default)]
    pub allow_http: bool,
    pub auth: Option<RawAuth>,
    #[serde(default)]
    pub owned: Vec<String>,
    #[serde(default)]
    pub mapping: RawMapping,
    #[serde(default)]
    pub status_map: BTreeMap<String, String>,
}

/// Names where credentials come from. The literal-value keys exist only so that a pasted token
/// is refused with an explanation instead of a bare "unknown field".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub scheme: Option<String>,
    pub user_env: Option<String>,
    pub user_file: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<String>,
    pub secret_env: Option<String>,
    pub secret_file: Option<String>,
    pub token: Option<toml::Value>,
    pub password: Option<toml::Value>,
    pub secret: Option<toml::Value>,
    pub api_key: Option<toml::Value>,
    pub api_token: Option<toml::Value>,
    pub key: Option<toml::Value>,
    pub user: Option<toml::Value>,
}

impl RawAuth {
    /// The literal-secret keys present, by name.
    pub fn literal_keys(&self) -> Vec<&'static str> {
        [
            ("token", self.token.is_some()),
            ("password", self.password.is_some()),
            ("secret", self.secret.is_some()),
            ("api_key", self.api_key.is_some()),
            ("api_token", self.api_token.is_some()),
            ("key", self.key.is_some()),
            ("user", self.user.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMapping {
    pub project: Option<String>,
    pub issue_type: Option<String>,
    pub repo: Option<String>,
    pub board: Option<String>,
    pub list: Option<String>,
    pub team: Option<String>,
    pub work_item_type: Option<String>,
    pub workspace: Option<String>,
    pub section: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub priority: BTreeMap<String, String>,
    #[serde(default)]
    pub assignees: Vec<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, toml::Value>,
}
