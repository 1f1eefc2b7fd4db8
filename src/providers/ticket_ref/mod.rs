//! A known ticket, given by its id, its web URL, or both, turned into the id the provider's API
//! takes, or the reason it cannot be used. Pure: no request is ever needed.
//!
//! A WebRiskOps export often names a known ticket only by its URL. The URL must be a ticket page
//! of the configured destination: on the web address of the base URL (`github.com` for
//! `api.github.com`, the GitHub Enterprise or self-managed GitLab host with its path prefix),
//! in the mapped repository or project. Anything else is refused with what was expected, and no
//! request is ever built from an empty or partial id.

mod site;
mod urls;

#[cfg(test)]
mod tests;

use url::Url;

use super::path::{shown, ticket_id_problem};
use crate::config::{Provider, ProviderKind};
pub use site::web_roots;

/// Why a recorded ticket cannot be used for this provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TicketRefError(pub String);

/// The ticket's API id, and whether it came from the URL rather than a recorded id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub id: String,
    pub from_url: bool,
}

/// What a URL says about a ticket of this provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlRead {
    /// A ticket page of the configured destination, with the ticket's API id.
    Ticket(String),
    /// Not on the destination's web address: says nothing about this provider's tickets.
    Elsewhere(String),
    /// On the destination's web address, a ticket page of another repository or project, or
    /// an id that is not the provider's form: it contradicts any recorded id.
    Wrong(String),
    /// On the destination's web address, but not a ticket page this tool reads, or one whose
    /// destination cannot be told from the URL alone (a GitLab project configured by numeric
    /// id, an Azure project named by its GUID): no id is taken from it, and it does not
    /// contradict a recorded id either.
    Unverified(String),
}

/// Reads a ticket URL for this provider.
pub(crate) fn read_url(provider: &Provider, text: &str) -> UrlRead {
    let url = match Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            return UrlRead::Wrong(format!(
                "{} is not an http(s) URL; expected {}",
                shown(text),
                urls::expected(provider)
            ));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return UrlRead::Wrong(
            "the ticket URL holds a user name or password; a ticket page never does".into(),
        );
    }
    let shown_url = format!(
        "{}{}",
        url.host_str().unwrap_or_default(),
        url.path().trim_end_matches('/')
    );
    let Some(path) = site::path_on_site(provider, &url) else {
        let roots = web_roots(provider);
        return UrlRead::Elsewhere(if roots.is_empty() {
            format!(
                "{} has no ticket pages (kind = \"{}\")",
                provider.key,
                provider.kind.as_str()
            )
        } else {
            format!(
                "{shown_url} is not on {} (the web address of providers.{}.base_url); expected {}",
                roots.join(" or "),
                provider.key,
                urls::expected(provider)
            )
        });
    };
    match urls::ticket_in(provider, &path, &url) {
        Ok(id) => match ticket_id_problem(provider, &id) {
            None => UrlRead::Ticket(id),
            Some(problem) => UrlRead::Wrong(format!("{shown_url}: {problem}")),
        },
        Err(urls::Miss::Elsewhere(why)) => UrlRead::Wrong(format!("{shown_url} {why}")),
        Err(urls::Miss::Unknown(why)) => UrlRead::Unverified(format!("{shown_url} {why}")),
    }
}

/// The API id of the ticket at `url`, when it is a ticket page of this provider's destination.
pub fn derive(provider: &Provider, url: &str) -> Result<String, TicketRefError> {
    match read_url(provider, url) {
        UrlRead::Ticket(id) => Ok(id),
        UrlRead::Elsewhere(why) | UrlRead::Wrong(why) | UrlRead::Unverified(why) => {
            Err(TicketRefError(why))
        }
    }
}

/// The id every request about the attempt's known ticket uses: the recorded id when it has the
/// provider's form, else the id derived from the recorded URL. A recorded URL on the
/// destination's web address that names another ticket, repository or project contradicts the
/// id and is refused; a URL on another address says nothing about it and is left alone.
pub fn resolve(
    provider: &Provider,
    id: Option<&str>,
    url: Option<&str>,
) -> Result<Resolved, TicketRefError> {
    let id = id.filter(|i| !i.is_empty());
    let url = url.filter(|u| !u.trim().is_empty());
    let id_problem = id.and_then(|i| ticket_id_problem(provider, i));
    match (id, id_problem, url) {
        (Some(id), None, url) => {
            let read = url.map(|u| read_url(provider, u));
            match read {
                Some(UrlRead::Wrong(why)) => Err(TicketRefError(format!(
                    "external_ticket_url does not match external_ticket_id {}: {why}",
                    shown(id)
                ))),
                Some(UrlRead::Ticket(other))
                    if same_ticket(provider.kind, id, &other) == Some(false) =>
                {
                    Err(TicketRefError(format!(
                        "external_ticket_id {} and external_ticket_url (ticket {}) name different tickets",
                        shown(id),
                        shown(&other)
                    )))
                }
                _ => Ok(Resolved {
                    id: id.to_owned(),
                    from_url: false,
                }),
            }
        }
        (_, problem, Some(url)) => derive(provider, url)
            .map(|id| Resolved { id, from_url: true })
            .map_err(|e| match problem {
                Some(problem) => TicketRefError(format!(
                    "the recorded {problem}; and external_ticket_url cannot stand in for it: {e}"
                )),
                None => e,
            }),
        (_, Some(problem), None) => Err(TicketRefError(format!(
            "the recorded {problem}, and no external_ticket_url is recorded to derive it from"
        ))),
        (None, None, None) => Err(TicketRefError(
            "no external_ticket_id or external_ticket_url is recorded".into(),
        )),
    }
}

/// Whether two ids of one kind name the same ticket; None when their forms differ and cannot
/// be compared without asking the provider (a Linear UUID and an identifier, a Trello card id
/// and a short link, a YouTrack database id and a readable id).
pub fn same_ticket(kind: ProviderKind, a: &str, b: &str) -> Option<bool> {
    use ProviderKind::*;
    let form = |id: &str| -> u8 {
        match kind {
            Linear if super::path::is_uuid(id) => 1,
            Trello if id.len() == 24 => 1,
            Youtrack if id.starts_with(|c: char| c.is_ascii_digit()) => 1,
            _ => 0,
        }
    };
    if form(a) != form(b) {
        return None;
    }
    Some(match kind {
        Jira | Youtrack | Linear => a.eq_ignore_ascii_case(b),
        Github | Gitlab | Bitbucket | AzureDevops | Asana => {
            a.trim_start_matches('0') == b.trim_start_matches('0')
        }
        _ => a == b,
    })
}
