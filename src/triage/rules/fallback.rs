//! Rows 8 and 10: the provider stays unavailable, or the portable fallback failed.

use crate::model::{OwnerKind, State};
use crate::triage::text::command;
use crate::triage::{Action, Decision, Guide, ProviderView};

use super::{Ctx, OUT_DIR_KEY};

impl Ctx<'_> {
    // Row 8: cooldown first, then fallback once the outage outlasts `[fallback] after`.
    pub(super) fn provider_unavailable(&self) -> Decision {
        if let Some(until) = self.cooldown_ahead() {
            return self.cooldown(
                until,
                Guide::WebhookRetries,
                format!("run {}", self.retry_cmd()),
            );
        }
        let after = self.fallback_after;
        let Some(since) = self.attempt.failing_since else {
            let why = "the provider is unavailable and no start of the outage is recorded, \
                       so the fallback threshold has not passed";
            return self.retry(Guide::ProviderOverview, why.to_owned());
        };
        if self.now.duration_since(since) < after {
            let why = format!(
                "the provider has been unavailable since {since}, less than the fallback threshold ({after:#})"
            );
            return self.retry(Guide::ProviderOverview, why);
        }
        let unavailable = format!(
            "the provider has been unavailable since {since}, longer than the fallback threshold ({after:#})"
        );
        let fallback_cmd = command("fallback", self.id);
        if self.output_usable == Some(false) {
            // Sending the user to `fallback` would only record PORTABLE_EXPORT_FAILED.
            return self.decision(
                State::Blocked,
                Action::FixOutputPath,
                Guide::PortableExportFallbacks,
                format!("{unavailable}, but the output folder ({OUT_DIR_KEY}) is not usable"),
                format!("make {OUT_DIR_KEY} an existing, writable folder, then run {fallback_cmd}"),
            );
        }
        self.decision(
            State::Ready,
            Action::Fallback,
            Guide::PortableExportFallbacks,
            unavailable,
            format!("run {fallback_cmd} to write portable CSV, Markdown and JSON files"),
        )
    }

    // Row 10: the output folder is the owner; `retry_after` is the provider's and does not apply.
    pub(super) fn portable_failed(&self, provider: &ProviderView) -> Decision {
        let guide = Guide::PortableExportFallbacks;
        let fallback_cmd = command("fallback", self.id);
        let ready = |why: String| {
            self.decision(
                State::Ready,
                Action::Fallback,
                guide,
                why,
                format!("run {fallback_cmd} again"),
            )
        };
        let blocked = |why: String| {
            let next =
                format!("make {OUT_DIR_KEY} an existing, writable folder, then run {fallback_cmd}");
            self.decision(State::Blocked, Action::FixOutputPath, guide, why, next)
        };
        match self.output_usable {
            Some(true) => ready(format!("the output folder ({OUT_DIR_KEY}) is usable now")),
            Some(false) => blocked(format!(
                "the output folder ({OUT_DIR_KEY}) is still not usable"
            )),
            None => {
                let owner = self.attempt.owner.as_ref();
                match owner {
                    Some(o)
                        if o.kind == OwnerKind::OutputPath
                            && o.digest != provider.output_digest =>
                    {
                        ready(format!("{OUT_DIR_KEY} changed since the failure"))
                    }
                    _ => blocked(format!(
                        "the output folder ({OUT_DIR_KEY}) is unchanged since the failure and not checked"
                    )),
                }
            }
        }
    }
}
