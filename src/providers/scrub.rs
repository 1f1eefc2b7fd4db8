//! Every client is wrapped so that nothing a provider sends back can carry a credential further:
//! a provider (or a proxy in front of it) that echoes the token in an error message would
//! otherwise put it in `sync` and `settings check` output, in events and in provider health.

mod text;

use std::collections::HashMap;

use super::{
    CheckReport, Credentials, Failure, NormalState, PlannedCall, ProviderClient, RemoteState,
    RemoteTicket, TicketDraft,
};
pub(crate) use text::{clean, cut, scrub, secret_forms};

/// The longest identity a check reports, in characters.
const IDENTITY_CHARS: usize = 100;

impl Failure {
    /// The failure with every secret form removed from its text, on one line, then cut to a
    /// readable length: scrubbed before it is cut, never after (see `text`).
    pub fn scrubbed(self, secrets: &[String]) -> Failure {
        let s = |text: String| clean(&text, secrets);
        match self {
            Failure::Auth { status, detail } => Failure::Auth {
                status,
                detail: s(detail),
            },
            Failure::Mapping {
                status,
                fields,
                detail,
            } => Failure::Mapping {
                status,
                fields: fields.into_iter().map(s).collect(),
                detail: s(detail),
            },
            Failure::RateLimited {
                status,
                retry_after,
                detail,
            } => Failure::RateLimited {
                status,
                retry_after,
                detail: s(detail),
            },
            Failure::Unavailable {
                status,
                retry_after,
                detail,
            } => Failure::Unavailable {
                status,
                retry_after,
                detail: s(detail),
            },
            Failure::Uncertain { status, detail } => Failure::Uncertain {
                status,
                detail: s(detail),
            },
            Failure::NotFound { status, detail } => Failure::NotFound {
                status,
                detail: s(detail),
            },
            Failure::Rejected { status, detail } => Failure::Rejected {
                status,
                detail: s(detail),
            },
            Failure::NotSent(detail) => Failure::NotSent(s(detail)),
            Failure::Unexpected(detail) => Failure::Unexpected(s(detail)),
            // Names the source, never a value, and holds nothing a provider sent.
            Failure::Credential(e) => Failure::Credential(e),
            Failure::Refused(detail) => Failure::Refused(s(detail)),
        }
    }
}

/// The secret forms of one client's credentials.
pub(super) struct Forms {
    all: Vec<String>,
    /// The same without the plain user name: a check may name the account it ran as.
    identity: Vec<String>,
}

impl Forms {
    pub(super) fn of(credentials: &Credentials) -> Forms {
        let all = secret_forms(credentials);
        let user = text::user_forms(credentials);
        let identity = all.iter().filter(|s| !user.contains(s)).cloned().collect();
        Forms { all, identity }
    }
}

/// A client whose failures and texts never carry its credentials.
pub(super) struct Scrubbed {
    pub(super) inner: Box<dyn ProviderClient>,
    pub(super) forms: Forms,
}

impl Scrubbed {
    fn clean<T>(&self, r: Result<T, Failure>) -> Result<T, Failure> {
        r.map_err(|f| f.scrubbed(&self.forms.all))
    }

    fn ticket(&self, t: RemoteTicket) -> RemoteTicket {
        RemoteTicket {
            url: scrub(&t.url, &self.forms.all),
            state: t.state.map(|s| scrub(&s, &self.forms.all)),
            id: t.id,
        }
    }

    fn state(&self, s: RemoteState) -> RemoteState {
        RemoteState {
            raw: scrub(&s.raw, &self.forms.all),
            normal: s.normal,
        }
    }
}

impl ProviderClient for Scrubbed {
    fn check(&self) -> Result<CheckReport, Failure> {
        self.clean(self.inner.check()).map(|r| CheckReport {
            identity: cut(&clean(&r.identity, &self.forms.identity), IDENTITY_CHARS),
            probes: r.probes,
        })
    }

    fn lookup(&self, draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        self.clean(self.inner.lookup(draft))
            .map(|found| found.into_iter().map(|t| self.ticket(t)).collect())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        self.clean(self.inner.create(draft)).map(|t| self.ticket(t))
    }

    fn update(&self, ticket_id: &str, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        self.clean(self.inner.update(ticket_id, draft))
            .map(|t| self.ticket(t))
    }

    fn read_status(&self, ticket_id: &str) -> Result<RemoteState, Failure> {
        self.clean(self.inner.read_status(ticket_id))
            .map(|s| self.state(s))
    }

    fn write_status(&self, ticket_id: &str, target: NormalState) -> Result<RemoteState, Failure> {
        self.clean(self.inner.write_status(ticket_id, target))
            .map(|s| self.state(s))
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        self.inner.plan(call)
    }

    fn read_statuses(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<HashMap<String, RemoteState>>, Failure> {
        self.clean(self.inner.read_statuses(ticket_ids))
            .map(|m| m.map(|m| m.into_iter().map(|(id, s)| (id, self.state(s))).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::http::basic_auth;
    use crate::secret::Secret;

    #[test]
    fn every_form_of_the_credentials_is_scrubbed() {
        let creds = Credentials {
            user: Some(Secret::new("me@example.com".into())),
            token: Secret::new("tok-123456".into()),
        };
        let forms = secret_forms(&creds);
        let basic = basic_auth("me@example.com", "tok-123456");
        let pat = basic_auth("", "tok-123456");
        let text = format!("token tok-123456, user me@example.com, {basic}, {pat}");
        let clean = scrub(&text, &forms);
        assert_eq!(
            clean,
            "token [redacted], user [redacted], Basic [redacted], Basic [redacted]"
        );
        let f = Failure::Auth {
            status: 401,
            detail: "bad token tok-123456".into(),
        };
        assert_eq!(
            f.scrubbed(&forms).to_string(),
            "authentication failed (HTTP 401): bad token [redacted]"
        );
        let empty = Credentials {
            user: None,
            token: Secret::new(String::new()),
        };
        assert!(
            secret_forms(&empty).is_empty(),
            "a planning client has none"
        );
    }

    #[test]
    fn a_provider_message_stays_on_one_line() {
        let f = Failure::Mapping {
            status: 400,
            fields: vec!["labels\r\nforged".into()],
            detail: "first\r\nsecond\u{1b}[31m red".into(),
        };
        let Failure::Mapping { fields, detail, .. } = f.scrubbed(&[]) else {
            unreachable!()
        };
        assert_eq!(detail, "first  second [31m red");
        assert_eq!(fields, ["labels  forged"]);
    }
}
