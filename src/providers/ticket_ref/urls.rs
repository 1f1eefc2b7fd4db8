//! The ticket page paths of each provider, after the web address (see `site.rs`), and the id
//! each names:
//!
//! | kind | ticket page |
//! |---|---|
//! | github | `/{owner}/{repo}/issues/{number}` |
//! | gitlab | `/{group}/…/{project}/-/issues/{iid}` (or `/-/work_items/{iid}`, or the old form without `/-/`) |
//! | jira | `/browse/{KEY-N}`, any page with `?selectedIssue={KEY-N}`, `/jira/software[/c]/projects/{P}/issues/{KEY-N}` |
//! | bitbucket | `/{workspace}/{slug}/issues/{id}[/{title}]` |
//! | trello | `/c/{shortLink}[/{n}-{title}]` |
//! | linear | `/{workspace}/issue/{KEY-N}[/{title}]` |
//! | azure-devops | `/{project}/_workitems/edit/{id}` after the organisation |
//! | youtrack | `/issue/{ID-N}[/{title}]` |
//! | asana | `/0/{project}/{task}[/f]`, `/1/{workspace}/project/{project}/task/{task}`, `/1/{workspace}/task/{task}` |
//! | clickup | `/t/{task}`, `/t/{workspace}/{task}` |

use url::Url;

use crate::config::{Provider, ProviderKind};

/// A ticket URL of this provider, with placeholders, for messages.
pub(super) fn expected(provider: &Provider) -> String {
    let m = &provider.mapping;
    let get =
        |v: &Option<String>, placeholder: &str| v.clone().unwrap_or_else(|| placeholder.to_owned());
    let page = match provider.kind {
        ProviderKind::Github => format!("/{}/issues/<number>", get(&m.repo, "<owner>/<repo>")),
        ProviderKind::Gitlab => format!("/{}/-/issues/<iid>", get(&m.project, "<group>/<project>")),
        ProviderKind::Jira => format!("/browse/{}-<number>", get(&m.project, "<KEY>")),
        ProviderKind::Bitbucket => {
            format!("/{}/issues/<id>", get(&m.repo, "<workspace>/<slug>"))
        }
        ProviderKind::Trello => "/c/<card short link>".into(),
        ProviderKind::Linear => "/<workspace>/issue/<KEY>-<number>".into(),
        ProviderKind::AzureDevops => {
            format!("/{}/_workitems/edit/<id>", get(&m.project, "<project>"))
        }
        ProviderKind::Youtrack => format!("/issue/{}-<number>", get(&m.project, "<KEY>")),
        ProviderKind::Asana => format!(
            "/0/{}/<task gid> or /1/{}/project/{}/task/<task gid>",
            get(&m.project, "<project gid>"),
            get(&m.workspace, "<workspace gid>"),
            get(&m.project, "<project gid>")
        ),
        ProviderKind::Clickup => "/t/<task id>".into(),
        ProviderKind::Webhook => return "no ticket page (webhooks have none)".into(),
    };
    let scheme = match provider.base_url.host_str() {
        Some("api.github.com" | "api.bitbucket.org" | "api.trello.com" | "api.linear.app")
        | Some("api.clickup.com") => "https",
        _ => provider.base_url.scheme(),
    };
    let root = super::web_roots(provider)
        .into_iter()
        .next()
        .unwrap_or_default();
    format!("{scheme}://{root}{page}")
}

/// Case-insensitive equality of a URL's segments with a configured `a/b/c` value.
fn same_path(segments: &[String], configured: &str) -> bool {
    let configured: Vec<&str> = configured.split('/').collect();
    segments.len() == configured.len()
        && segments
            .iter()
            .zip(configured)
            .all(|(s, c)| s.eq_ignore_ascii_case(c))
}

/// Why a page's URL gives no ticket id of the destination.
pub(super) enum Miss {
    /// A ticket page of another repository, project or workspace.
    Elsewhere(String),
    /// Not a ticket page this tool reads (a pull request, a board, a custom task id), or one
    /// whose destination cannot be told from the URL alone.
    Unknown(String),
}

/// The id of the ticket page at `path` (segments after the web address), or why it is not a
/// ticket page of this provider's destination.
pub(super) fn ticket_in(provider: &Provider, path: &[String], url: &Url) -> Result<String, Miss> {
    let key = &provider.key;
    let m = &provider.mapping;
    let s: Vec<&str> = path.iter().map(String::as_str).collect();
    let not_a_page = || {
        Miss::Unknown(format!(
            "is not a ticket page; expected {}",
            expected(provider)
        ))
    };
    let names = |what: &str, found: &str, config: &str, value: &str| {
        format!("names {what} {found}, not {value} (providers.{key}.mapping.{config})")
    };
    let check = |what: &str, found: &[String], config: &str, value: &Option<String>| {
        let value = value.as_deref().unwrap_or_default();
        if same_path(found, value) {
            Ok(())
        } else {
            Err(Miss::Elsewhere(names(
                what,
                &found.join("/"),
                config,
                value,
            )))
        }
    };
    match provider.kind {
        ProviderKind::Github => match s.as_slice() {
            [_, _, "issues", n] => {
                check("repository", &path[..2], "repo", &m.repo).map(|()| n.to_string())
            }
            [_, _, "pull", _] => Err(Miss::Unknown("is a pull request, not an issue".into())),
            _ => Err(not_a_page()),
        },
        ProviderKind::Gitlab => {
            let (project, rest) = match s.iter().position(|x| *x == "-") {
                Some(dash) => (&path[..dash], &s[dash + 1..]),
                // The form before `/-/`, which GitLab still redirects.
                None if s.len() >= 4 => (&path[..s.len() - 2], &s[s.len() - 2..]),
                None => return Err(not_a_page()),
            };
            let [kind, iid] = rest else {
                return Err(not_a_page());
            };
            if !matches!(*kind, "issues" | "work_items") || project.len() < 2 {
                return Err(not_a_page());
            }
            let configured = m.project.as_deref().unwrap_or_default();
            if configured.chars().all(|c| c.is_ascii_digit()) {
                return Err(Miss::Unknown(format!(
                    "names project {} by its path, and providers.{key}.mapping.project is the numeric id {configured}: \
                     set mapping.project to the project's path so that the URL can be checked",
                    project.join("/")
                )));
            }
            check("project", project, "project", &m.project).map(|()| iid.to_string())
        }
        ProviderKind::Jira => {
            let selected = url
                .query_pairs()
                .find(|(k, _)| k == "selectedIssue")
                .map(|(_, v)| v.into_owned());
            match (selected, s.as_slice()) {
                (Some(issue), _) => Ok(issue),
                (None, ["browse", issue]) => Ok(issue.to_string()),
                (None, ["jira", "software", "projects" | "c", .., "issues", issue]) => {
                    Ok(issue.to_string())
                }
                _ => Err(not_a_page()),
            }
        }
        ProviderKind::Bitbucket => match s.as_slice() {
            [_, _, "issues", id] | [_, _, "issues", id, _] => {
                check("repository", &path[..2], "repo", &m.repo).map(|()| id.to_string())
            }
            _ => Err(not_a_page()),
        },
        ProviderKind::Trello => match s.as_slice() {
            ["c", short] | ["c", short, _] => Ok(short.to_string()),
            _ => Err(not_a_page()),
        },
        ProviderKind::Linear => match s.as_slice() {
            [_, "issue", issue] | [_, "issue", issue, _] => Ok(issue.to_string()),
            _ => Err(not_a_page()),
        },
        ProviderKind::AzureDevops => match s.as_slice() {
            // Links may name the project by its id (a GUID), which the config does not hold.
            [project, "_workitems", "edit", _] if super::super::path::is_uuid(project) => {
                Err(Miss::Unknown(format!(
                    "names the project by its id {project}, which cannot be checked against \
                     providers.{key}.mapping.project; give the URL with the project's name"
                )))
            }
            [_, "_workitems", "edit", id] => {
                check("project", &path[..1], "project", &m.project).map(|()| id.to_string())
            }
            _ => Err(not_a_page()),
        },
        ProviderKind::Youtrack => match s.as_slice() {
            ["issue", issue] | ["issue", issue, _] => Ok(issue.to_string()),
            _ => Err(not_a_page()),
        },
        ProviderKind::Asana => match s.as_slice() {
            ["0", _, task] | ["0", _, task, "f"] => {
                check("project", &path[1..2], "project", &m.project).map(|()| task.to_string())
            }
            ["1", _, "project", _, "task", task, ..] => {
                check("workspace", &path[1..2], "workspace", &m.workspace)?;
                check("project", &path[3..4], "project", &m.project).map(|()| task.to_string())
            }
            ["1", _, "task", task, ..] => {
                check("workspace", &path[1..2], "workspace", &m.workspace)
                    .map(|()| task.to_string())
            }
            _ => Err(not_a_page()),
        },
        ProviderKind::Clickup => match s.as_slice() {
            ["t", task] | ["t", _, task] if task.contains('-') => Err(Miss::Unknown(format!(
                "names the custom task id {task}; ClickUp's API takes the task's own id: use the link \
                 https://app.clickup.com/t/<task id> from the task's menu"
            ))),
            ["t", task] => Ok(task.to_string()),
            ["t", team, task] if team.chars().all(|c| c.is_ascii_digit()) => Ok(task.to_string()),
            _ => Err(not_a_page()),
        },
        ProviderKind::Webhook => Err(Miss::Unknown(
            "is not a ticket page: webhooks have no tickets".into(),
        )),
    }
}
