//! Digests of the settings that own a failure, so triage can tell whether they changed.
//!
//! A digest is never a secret: credentials enter only through an HMAC keyed with the store's
//! random salt, truncated, so the store cannot be used to confirm a guessed token.

use crate::ambient::Ambient;
use crate::fingerprint::{hex, sha256_hex};

use super::{Config, Provider, ProviderKind};
use crate::triage::FieldSupply;

/// The credential half of a connection digest when a credential cannot be read: unknown, not
/// a value of its own, so that its coming or going is never taken for a new credential.
const ABSENT: &str = "absent";

/// Whether the connection owner recorded with a failure differs from the one now. The
/// settings (kind, base URL, scheme, which sources) must match; the credentials are compared
/// only when both sides could read them: a credential that was absent when the failure was
/// recorded (another shell ran the import) or is absent now is no evidence of a change. A
/// digest in the earlier single-part form cannot be split, so it shows no change either.
pub fn connection_changed(recorded: &str, now: &str) -> bool {
    let (Some((settings_then, credential_then)), Some((settings_now, credential_now))) =
        (recorded.split_once('.'), now.split_once('.'))
    else {
        return false;
    };
    settings_then != settings_now
        || (credential_then != ABSENT
            && credential_now != ABSENT
            && credential_then != credential_now)
}

impl Provider {
    /// Digest of the connection settings and the credentials as they are now, as
    /// `settings.credentials`; see [`connection_changed`].
    pub fn connection_digest(&self, ambient: &Ambient, salt: &[u8]) -> String {
        let source = |s: &Option<crate::secret::SecretSource>| {
            s.as_ref().map(ToString::to_string).unwrap_or_default()
        };
        let settings = sha256_hex(&[
            "connection-v2",
            self.kind.as_str(),
            self.base_url.as_str(),
            if self.allow_http { "http" } else { "https" },
            self.auth.scheme.as_deref().unwrap_or(""),
            &source(&self.auth.user),
            &source(&self.auth.token),
        ]);
        let load = |s: &Option<crate::secret::SecretSource>| match s {
            None => Some(String::new()),
            Some(src) => src.load(ambient).ok().map(|v| v.expose().to_owned()),
        };
        let credentials = match (load(&self.auth.user), load(&self.auth.token)) {
            (Some(user), Some(token)) if self.auth.token.is_some() => {
                keyed_digest(salt, &format!("{user}\0{token}"))
            }
            _ => ABSENT.to_owned(),
        };
        format!("{}.{credentials}", &settings[..16])
    }

    /// Digest of the mapping as it is now.
    pub fn mapping_digest(&self) -> String {
        let json = serde_json::to_string(&self.mapping).unwrap_or_default();
        sha256_hex(&["mapping-v1", &json])[..16].to_owned()
    }

    /// For each provider field named as missing: the config key that supplies it and whether
    /// the mapping sets it now.
    pub fn field_supply(&self, missing: &[String]) -> Vec<FieldSupply> {
        missing
            .iter()
            .map(|field| {
                let (key, supplied) = self.supplier_of(field);
                FieldSupply {
                    field: field.clone(),
                    config_key: format!("providers.{}.mapping.{key}", self.key),
                    supplied,
                }
            })
            .collect()
    }

    fn supplier_of(&self, field: &str) -> (String, bool) {
        let m = &self.mapping;
        let normalised = field.to_ascii_lowercase().replace(['-', ' '], "_");
        let known = match normalised.as_str() {
            "project" | "projects" | "system.teamproject" => Some(("project", m.project.is_some())),
            "issuetype" | "issue_type" => Some(("issue_type", m.issue_type.is_some())),
            "work_item_type" | "system.workitemtype" if self.kind == ProviderKind::AzureDevops => {
                Some(("work_item_type", m.work_item_type.is_some()))
            }
            "repo" | "repository" => Some(("repo", m.repo.is_some())),
            "board" | "idboard" => Some(("board", m.board.is_some())),
            "list" | "idlist" => Some(("list", m.list.is_some())),
            "team" | "teamid" => Some(("team", m.team.is_some())),
            "workspace" => Some(("workspace", m.workspace.is_some())),
            "labels" | "tags" | "labelids" | "idlabels" | "system.tags" => {
                Some(("labels", !m.labels.is_empty()))
            }
            "priority" => Some(("priority", !m.priority.is_empty())),
            "assignee" | "assignees" | "assigneeid" | "system.assignedto" => {
                Some(("assignees", !m.assignees.is_empty()))
            }
            _ => None,
        };
        match known {
            Some((key, supplied)) => (key.to_owned(), supplied || m.fields.contains_key(field)),
            None => {
                let quoted = if field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    field.to_owned()
                } else {
                    format!("{field:?}")
                };
                (format!("fields.{quoted}"), m.fields.contains_key(field))
            }
        }
    }
}

impl Config {
    /// Digest of the fallback output folder setting.
    pub fn output_digest(&self) -> String {
        sha256_hex(&["output-v1", &self.fallback.out_dir.to_string_lossy()])[..16].to_owned()
    }
}

fn keyed_digest(salt: &[u8], value: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(salt).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    hex(&mac.finalize().into_bytes()[..8])
}
