//! Rows 4 and 9: the provider connection owns the failure; retry only once it changed.

use jiff::Timestamp;

use crate::model::{OwnerKind, State};
use crate::triage::text::{command, health_since};
use crate::triage::{Action, Decision, Guide, ProviderHealth, ProviderView};

use super::Ctx;

impl Ctx<'_> {
    // Row 4: a connection symptom blocks until its owner changed; then cooldown, then retry.
    pub(super) fn delivery_failed(&self, provider: &ProviderView) -> Decision {
        let change = self.connection_change(provider);
        if change.is_none()
            && let Some(symptom) = self.connection_symptom()
        {
            return self.decision(
                State::Blocked,
                Action::FixSettings,
                Guide::ProviderConnectionErrors,
                symptom,
                self.fix_connection_step(format!(
                    "fix base_url, auth or scope in providers.{}",
                    self.key
                )),
            );
        }
        let why = change.unwrap_or_else(|| match self.attempt.provider_response_code {
            Some(code) => format!(
                "delivery failed with HTTP {code}; nothing points at the connection settings"
            ),
            None => {
                "delivery failed without an HTTP status; nothing points at the connection settings"
                    .to_owned()
            }
        });
        self.retry(Guide::ProviderConnectionErrors, why)
    }

    // Row 9: retry only when the connection owner changed or a check passed since.
    pub(super) fn auth_failed(&self, provider: &ProviderView) -> Decision {
        if let Some(change) = self.connection_change(provider) {
            return self.retry(Guide::ProviderConnectionErrors, change);
        }
        let key = self.key;
        let settings = match &self.attempt.owner {
            Some(o) if o.kind == OwnerKind::Connection => {
                format!(
                    "the credentials and settings of providers.{key} are unchanged since the failure"
                )
            }
            _ => format!(
                "nothing shows the credentials of providers.{key} changed since the failure"
            ),
        };
        self.decision(
            State::Blocked,
            Action::FixSettings,
            Guide::ProviderConnectionErrors,
            format!(
                "{}; {settings}",
                health_since(self.health, self.attempt.failing_since)
            ),
            self.fix_connection_step(format!("fix the credentials named in providers.{key}.auth")),
        )
    }

    /// What changed the connection owner since the failure, if anything did.
    fn connection_change(&self, provider: &ProviderView) -> Option<String> {
        let a = self.attempt;
        if let Some(owner) = &a.owner
            && owner.kind == OwnerKind::Connection
            && crate::config::connection_changed(&owner.digest, &provider.connection_digest)
        {
            return Some(format!(
                "the connection settings of providers.{} changed since the failure",
                self.key
            ));
        }
        match (self.health, a.failing_since) {
            (ProviderHealth::Ok { checked_at }, Some(since)) if *checked_at > since => Some(
                format!("`settings check` passed at {checked_at}, after the failure at {since}"),
            ),
            (ProviderHealth::Ok { checked_at }, None) => {
                Some(format!("`settings check` passed at {checked_at}"))
            }
            _ => None,
        }
    }

    /// A delivery failure that points at auth, base URL, scope, or a failing check since.
    fn connection_symptom(&self) -> Option<String> {
        let says = match self.attempt.provider_response_code {
            Some(code @ (401 | 403)) => Some(format!(
                "{code}, which points at the credentials or their scope"
            )),
            Some(407) => Some(
                "407, which points at a proxy between this machine and the provider".to_owned(),
            ),
            Some(code @ 300..=399) => Some(format!(
                "{code}, a redirect, which points at a wrong base_url (redirects are not followed)"
            )),
            _ => None,
        };
        if let Some(says) = says {
            return Some(format!("the provider answered HTTP {says}"));
        }
        let since = self.attempt.failing_since;
        let after = |at: &Timestamp| since.is_none_or(|since| *at >= since);
        match self.health {
            ProviderHealth::AuthFailed { checked_at, detail } if after(checked_at) => Some(
                format!("`settings check` at {checked_at} failed authentication: {detail}"),
            ),
            ProviderHealth::Unreachable { checked_at, detail } if after(checked_at) => Some(
                format!("`settings check` at {checked_at} could not reach the provider: {detail}"),
            ),
            _ => None,
        }
    }

    /// The fix, then the check that proves it, then the retry: in that order.
    fn fix_connection_step(&self, fix: String) -> String {
        format!(
            "{fix}, run {}, then {}",
            command("settings check", self.key),
            self.retry_cmd()
        )
    }
}
