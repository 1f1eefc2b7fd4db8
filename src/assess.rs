//! Gathers what triage needs for each attempt (provider view, health, output folder) once per
//! run, then asks the pure `triage::decide`.

use std::collections::HashMap;
use std::path::Path;

use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::StoreError;
use crate::model::TicketExport;
use crate::store::Store;
use crate::triage::{self, Decision, ProviderCooldown, ProviderHealth, ProviderView, TriageInput};

/// Decides attempts against the current config, provider health and clock.
pub struct Assessor<'a> {
    config: &'a Config,
    ambient: Ambient,
    salt: Vec<u8>,
    views: HashMap<String, Option<ProviderView>>,
    health: HashMap<String, ProviderHealth>,
    cooldowns: HashMap<String, ProviderCooldown>,
    output_usable: Option<bool>,
}

impl<'a> Assessor<'a> {
    /// Prepares an assessor; provider health is read from the store once per provider.
    pub fn new(config: &'a Config, ambient: &Ambient, store: &Store) -> Result<Self, StoreError> {
        let mut health = HashMap::new();
        let mut cooldowns = HashMap::new();
        let now = ambient.now();
        for key in config.providers.keys() {
            health.insert(key.clone(), health_of(store, key)?);
            if let Some((until, reason)) = store.provider_cooldown(key, now)? {
                cooldowns.insert(key.clone(), ProviderCooldown { until, reason });
            }
        }
        Ok(Assessor {
            config,
            ambient: ambient.clone(),
            salt: store.salt()?,
            views: HashMap::new(),
            health,
            cooldowns,
            output_usable: None,
        })
    }

    /// The decision for one attempt.
    pub fn decide(&mut self, attempt: &TicketExport) -> Decision {
        if !self.views.contains_key(&attempt.provider_key) {
            let view = self.view(&attempt.provider_key);
            self.views.insert(attempt.provider_key.clone(), view);
        }
        // Every code whose decision can turn on the folder checks it, so that a decision never
        // depends on which attempts were decided before it.
        if self.output_usable.is_none()
            && matches!(
                attempt.provider_error_code,
                Some(
                    crate::model::FailureCode::PortableExportFailed
                        | crate::model::FailureCode::ProviderUnavailable
                )
            )
        {
            self.output_usable = Some(dir_usable(&self.config.fallback.out_dir));
        }
        let mut view = self.views[&attempt.provider_key].clone();
        if let (Some(view), Some(provider)) =
            (view.as_mut(), self.config.provider(&attempt.provider_key))
        {
            view.field_supply = provider.field_supply(&attempt.mapping_missing);
            view.ticket = ticket_view(provider, attempt);
        }
        let unknown = ProviderHealth::Unknown;
        triage::decide(&TriageInput {
            attempt,
            provider: view.as_ref(),
            health: self.health.get(&attempt.provider_key).unwrap_or(&unknown),
            provider_cooldown: self.cooldowns.get(&attempt.provider_key),
            output_usable: self.output_usable,
            fallback_after: self.config.fallback.after,
            now: self.ambient.now(),
        })
    }

    /// The provider's stored cooldown, as read when this assessor was made (any end ahead of
    /// the clock, before the cap).
    pub fn provider_cooldown(&self, key: &str) -> Option<&ProviderCooldown> {
        self.cooldowns.get(key)
    }

    /// Reads the provider's stored cooldown again: a run that recorded one holds the
    /// provider's other attempts from then on.
    pub fn reread_cooldown(&mut self, store: &Store, key: &str) -> Result<(), StoreError> {
        match store.provider_cooldown(key, self.ambient.now())? {
            Some((until, reason)) => {
                self.cooldowns
                    .insert(key.to_owned(), ProviderCooldown { until, reason });
            }
            None => {
                self.cooldowns.remove(key);
            }
        }
        Ok(())
    }

    /// The clock every decision of this assessor reads.
    pub fn now(&self) -> jiff::Timestamp {
        self.ambient.now()
    }

    /// Whether the output folder was found usable, once an attempt needed to know (only the
    /// decisions of attempts that check it read it).
    pub fn output_checked(&self) -> Option<bool> {
        self.output_usable
    }

    fn view(&self, key: &str) -> Option<ProviderView> {
        let provider = self.config.provider(key)?;
        Some(ProviderView {
            destination_owned: provider.destination_owned(),
            unsafe_base_url: provider.unsafe_base_url.clone(),
            connection_digest: provider.connection_digest(&self.ambient, &self.salt),
            mapping_digest: provider.mapping_digest(),
            output_digest: self.config.output_digest(),
            field_supply: Vec::new(),
            credential: crate::providers::credential_state(provider, &self.ambient),
            ticket: None,
        })
    }
}

/// The attempt's recorded ticket as `provider` would address it, for triage (pure).
fn ticket_view(
    provider: &crate::config::Provider,
    a: &TicketExport,
) -> Option<Result<String, String>> {
    if a.external_ticket_id.is_none() && a.external_ticket_url.is_none() {
        return None;
    }
    Some(
        crate::providers::ticket_ref::resolve(
            provider,
            a.external_ticket_id.as_deref(),
            a.external_ticket_url.as_deref(),
        )
        .map(|t| t.id)
        .map_err(|e| e.to_string()),
    )
}

/// The stored health of a provider as triage sees it.
pub fn health_of(store: &Store, key: &str) -> Result<ProviderHealth, StoreError> {
    Ok(match store.health(key)? {
        None => ProviderHealth::Unknown,
        Some(h) => match h.status.as_str() {
            "ok" => ProviderHealth::Ok {
                checked_at: h.checked_at,
            },
            "auth_failed" => ProviderHealth::AuthFailed {
                checked_at: h.checked_at,
                detail: h.detail,
            },
            _ => ProviderHealth::Unreachable {
                checked_at: h.checked_at,
                detail: h.detail,
            },
        },
    })
}

/// Whether the fallback folder can take files now: it, or the nearest folder above it that
/// exists, accepts a temporary file. Creates nothing that outlives the check. The nearest
/// existing path must be a folder: a regular file in the way (`blocker/sub` where `blocker` is
/// a file) means the folder can never be created.
pub fn dir_usable(dir: &Path) -> bool {
    let existing = dir
        .ancestors()
        .find(|d| d.as_os_str().is_empty() || d.exists());
    match existing {
        Some(d) if d.as_os_str().is_empty() => tempfile::NamedTempFile::new_in(".").is_ok(),
        Some(d) if d.is_dir() => tempfile::NamedTempFile::new_in(d).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FailureCode;
    use crate::triage::Action;

    #[test]
    fn a_file_in_the_way_makes_the_folder_unusable() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(dir_usable(&tmp.path().join("not/yet/made")));
        std::fs::write(tmp.path().join("blocker"), "").unwrap();
        assert!(!dir_usable(&tmp.path().join("blocker/sub")));
        assert!(!dir_usable(&tmp.path().join("blocker")));
    }

    /// Found by the fallback speed work: an unavailable provider's attempt past the fallback
    /// threshold was sent to `fallback` while the folder was unchecked, and told to fix the
    /// folder once a `PORTABLE_EXPORT_FAILED` attempt had made the assessor look.
    #[test]
    fn a_decision_does_not_depend_on_the_attempts_decided_before_it() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("blocker"), "").unwrap();
        let text = format!(
            "[fallback]\nout_dir = {:?}\n[providers.clickup-ops]\nkind = \"clickup\"\n\
             base_url = \"https://api.clickup.com\"\nauth = {{ token_env = \"CLICKUP_TOKEN\" }}\n\
             owned = [\"900\"]\nmapping = {{ list = \"900\" }}\n",
            tmp.path().join("blocker/sub").display().to_string()
        );
        let config = Config::parse(&text, &tmp.path().join("config.toml")).unwrap();
        let at = |now: &str| {
            let vars = [(crate::env_vars::NOW.to_owned(), now.to_owned())].into();
            Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap()
        };
        let mut store = Store::open_in_memory().unwrap();
        let demo = include_str!("../examples/demo-report.json");
        let then = at("2026-11-20T00:00:00Z");
        crate::import::import(&mut store, &config, &then, demo.as_bytes(), "demo").unwrap();
        let unavailable = store.attempt("tex_9013").unwrap().unwrap();
        assert_eq!(
            unavailable.provider_error_code,
            Some(FailureCode::ProviderUnavailable)
        );
        let mut portable = unavailable.clone();
        portable.provider_error_code = Some(FailureCode::PortableExportFailed);
        let now = at("2026-11-29T12:00:00Z");
        let alone = Assessor::new(&config, &now, &store)
            .unwrap()
            .decide(&unavailable);
        let mut after = Assessor::new(&config, &now, &store).unwrap();
        after.decide(&portable);
        let second = after.decide(&unavailable);
        assert_eq!(alone.action, Action::FixOutputPath, "{alone:?}");
        assert_eq!(
            (alone.state, alone.action, &alone.why),
            (second.state, second.action, &second.why)
        );
    }
}
