//! Every client is wrapped so that a ticket id reaches it only in its provider's form: an id
//! from an import file or a provider's answer (`../../evil/repo/issues/1`, `%2e%2e`, an empty
//! string) is refused before any request is built, whichever caller passes it. Ids the
//! provider hands back are checked too, since they are stored and used in later paths.

use std::collections::HashMap;

use super::path::ticket_id_problem;
use super::{
    CheckReport, Failure, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft,
};
use crate::config::Provider;

/// A client whose ticket ids, in and out, have the provider's form.
pub(super) struct ValidIds {
    pub(super) inner: Box<dyn ProviderClient>,
    pub(super) provider: Provider,
}

impl ValidIds {
    fn id_in(&self, id: &str) -> Result<(), Failure> {
        match ticket_id_problem(&self.provider, id) {
            None => Ok(()),
            Some(problem) => Err(Failure::Refused(format!(
                "{problem}, so no request was built from it"
            ))),
        }
    }

    fn problem_out(&self, ticket: &RemoteTicket) -> Option<String> {
        // An empty id is `answer::Checked`'s to report, with its own words.
        (!ticket.id.is_empty())
            .then(|| ticket_id_problem(&self.provider, &ticket.id))
            .flatten()
    }
}

impl ProviderClient for ValidIds {
    fn check(&self) -> Result<CheckReport, Failure> {
        self.inner.check()
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        let found = self.inner.lookup(draft)?;
        // Never dropped from the list: "none found" would lead to a second ticket.
        if let Some(problem) = found.iter().find_map(|t| self.problem_out(t)) {
            return Err(Failure::Unavailable {
                status: None,
                retry_after: None,
                detail: format!(
                    "the listing named a ticket carrying the fingerprint whose {problem}; it is not linked"
                ),
            });
        }
        Ok(found)
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let ticket = self.inner.create(draft)?;
        match self.problem_out(&ticket) {
            None => Ok(ticket),
            Some(problem) => Err(Failure::Uncertain {
                status: None,
                detail: format!(
                    "the provider accepted the create, but the answer's {problem}; it is looked \
                     up by fingerprint before anything is created again"
                ),
            }),
        }
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        self.id_in(ticket_id)?;
        let mut ticket = self.inner.update(ticket_id, draft)?;
        // The ticket addressed is the one updated: an answer that names none (or names it in
        // a form that is not the provider's) must not record an empty or hostile id.
        if ticket.id.is_empty() || self.problem_out(&ticket).is_some() {
            ticket.id = ticket_id.to_owned();
        }
        Ok(ticket)
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        self.id_in(ticket_id)?;
        self.inner.read_status(ticket_id)
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        self.id_in(ticket_id)?;
        self.inner.write_status(ticket_id, target)
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        match call {
            PlannedCall::Update(id, _) | PlannedCall::WriteStatus(id) => match self.id_in(id) {
                Ok(()) => self.inner.plan(call),
                Err(f) => format!("nothing: {f}"),
            },
            _ => self.inner.plan(call),
        }
    }

    /// Ids without the provider's form are left out of the listing; the caller reads them one
    /// at a time, where they are refused with the reason.
    fn read_statuses(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<HashMap<String, RemoteState>>, Failure> {
        let valid: Vec<String> = ticket_ids
            .iter()
            .filter(|id| ticket_id_problem(&self.provider, id).is_none())
            .cloned()
            .collect();
        self.inner.read_statuses(&valid)
    }
}
