//! Rows 5, 6 and 7: the ticket itself (its mapping, an existing duplicate, its sync link).

use crate::model::{MappingStatus, OwnerKind, State};
use crate::triage::text::{command, person_steps};
use crate::triage::{Action, Decision, Guide, ProviderView};

use super::Ctx;

impl Ctx<'_> {
    // Row 5: the mapping is the owner; ready only once the current mapping supplies the fields.
    pub(super) fn mapping_required(&self, provider: &ProviderView) -> Decision {
        let a = self.attempt;
        let key = self.key;
        let guide = Guide::WorkManagementExport;
        if a.mapping_missing.is_empty() {
            // The platform says the mapping is complete now (design: "mapping now complete ->
            // ready"). A retry that fails on mapping again records the fields the provider
            // named and `incomplete`, which blocks it again until the config supplies them.
            if a.mapping_status == MappingStatus::Complete {
                return self.retry(
                    guide,
                    "the platform reports the mapping complete (mapping_status complete) since \
                     the failure"
                        .to_owned(),
                );
            }
            return self.mapping_unnamed(provider);
        }
        // A field the caller did not describe is treated as unsupplied: claiming it is
        // supplied could send a request the provider rejects again.
        let lacking: Vec<(&str, String)> = a
            .mapping_missing
            .iter()
            .filter_map(
                |field| match provider.field_supply.iter().find(|s| &s.field == field) {
                    Some(s) if s.supplied => None,
                    Some(s) => Some((field.as_str(), s.config_key.clone())),
                    None => Some((
                        field.as_str(),
                        format!("providers.{key}.mapping.fields.{field}"),
                    )),
                },
            )
            .collect();
        if lacking.is_empty() {
            return self.retry(
                guide,
                format!("the mapping now supplies {}", a.mapping_missing.join(", ")),
            );
        }
        let named: Vec<String> = lacking
            .iter()
            .map(|(field, k)| format!("{field} ({k})"))
            .collect();
        let keys: Vec<&str> = lacking.iter().map(|(_, k)| k.as_str()).collect();
        self.decision(
            State::Blocked,
            Action::FixMapping,
            guide,
            format!("the mapping still lacks {}", named.join(", ")),
            format!("set {}, then run {}", keys.join(", "), self.retry_cmd()),
        )
    }

    // Row 5 when the platform named no field: only a changed mapping can have fixed it.
    fn mapping_unnamed(&self, provider: &ProviderView) -> Decision {
        let mapping = format!("providers.{}.mapping", self.key);
        let unnamed = "the platform did not name the missing fields";
        let guide = Guide::WorkManagementExport;
        let since = match &self.attempt.owner {
            Some(o) if o.kind == OwnerKind::Mapping && o.digest != provider.mapping_digest => {
                let why = format!("{unnamed}, and {mapping} changed since the failure");
                return self.retry(guide, why);
            }
            Some(o) if o.kind == OwnerKind::Mapping => format!("{mapping} is unchanged"),
            // No digest of the mapping was kept at the failure: nothing proves it changed.
            _ => format!("nothing shows {mapping} changed"),
        };
        self.decision(
            State::Blocked,
            Action::FixMapping,
            guide,
            format!("{unnamed} and {since} since the failure"),
            format!(
                "compare {mapping} (project, issue type, labels, assignees, fields) with the \
                 provider's required fields, then run {}",
                self.retry_cmd()
            ),
        )
    }

    // Row 6: a known ticket is a stop (update it); an unknown one is looked up and linked.
    pub(super) fn duplicate_blocked(&self) -> Decision {
        let fp = &self.attempt.duplicate_fingerprint;
        let guide = Guide::StatusSyncAndDuplicates;
        if let Some(owner) = self
            .attempt
            .owner
            .as_ref()
            .filter(|o| o.kind == OwnerKind::Person)
        {
            // The known ticket answered 404, or no ticket carries the fingerprint: whether
            // another ticket exists is a fact only a person can establish.
            let taken = owner.digest.strip_prefix("taken ");
            let why = if let Some((other, ticket)) = taken.and_then(|t| t.split_once(' ')) {
                format!(
                    "the lookup for duplicate_fingerprint {fp} found the ticket {ticket}, which is \
                     linked to {other} (another finding); not linked and nothing created"
                )
            } else if owner.digest == *fp {
                format!(
                    "duplicate detection found a ticket for duplicate_fingerprint {fp}, but no \
                     ticket at the provider carries it; nothing was created"
                )
            } else {
                format!(
                    "the known ticket {} for duplicate_fingerprint {fp} answered 404 (deleted, \
                     moved or hidden); nothing was created",
                    owner.digest
                )
            };
            return self.decision(
                State::Blocked,
                Action::ManualReview,
                guide,
                why,
                person_steps(self.id),
            );
        }
        match &self.attempt.external_ticket_url {
            Some(url) => self.decision(
                State::Stop,
                Action::UpdateExisting,
                guide,
                format!("a ticket for duplicate_fingerprint {fp} already exists at {url}"),
                format!(
                    "open or update {url}; {} updates it, never creates",
                    self.retry_cmd()
                ),
            ),
            None => self.decision(
                State::Blocked,
                Action::LookupAndLink,
                guide,
                format!(
                    "duplicate detection found a ticket for duplicate_fingerprint {fp} \
                     but its URL is unknown"
                ),
                self.lookup_and_link_step(),
            ),
        }
    }

    // Row 7 (and row 3 when sync failed): the link is kept and only `sync` may touch it.
    pub(super) fn sync_on_link(&self) -> Decision {
        let guide = Guide::StatusSyncAndDuplicates;
        match self.link() {
            // A plain sync would find the same conflict and change neither side again: only a
            // person's choice moves it.
            Some(link) if self.attempt.sync_conflict => self.decision(
                State::Blocked,
                Action::ManualReview,
                guide,
                format!(
                    "sync conflict: since the last sync both the finding and ticket {link} changed, differently; sync changed neither side"
                ),
                format!(
                    "choose a side: {} pushes the finding's state to the ticket, {} keeps the ticket's state",
                    command("sync", &format!("{} --prefer local", self.id)),
                    command("sync", &format!("{} --prefer remote", self.id))
                ),
            ),
            Some(link) => self.decision(
                State::Ready,
                Action::Sync,
                guide,
                format!("status sync failed and the link to {link} is kept"),
                format!("run {}; never re-create", command("sync", self.id)),
            ),
            None => self.decision(
                State::Blocked,
                Action::LookupAndLink,
                guide,
                "status sync failed and no ticket link is recorded".to_owned(),
                self.lookup_and_link_step(),
            ),
        }
    }

    /// Rows 6 and 7 without a known ticket: `retry` finds the ticket and links it.
    fn lookup_and_link_step(&self) -> String {
        let retry = self.retry_cmd();
        format!("run {retry}: it looks the ticket up by fingerprint and links it, never creates")
    }
}
