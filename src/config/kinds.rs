//! What each provider kind needs in its config entry: the destination keys, which of them the
//! `owned` list names, and the credentials. The config loader checks entries against these
//! definitions, and `settings kinds` and `settings init` print them, so the three never disagree.

use super::ProviderKind;

impl ProviderKind {
    /// Every kind, in the order the README and `settings kinds` list them.
    pub const ALL: [ProviderKind; 11] = [
        ProviderKind::Jira,
        ProviderKind::Github,
        ProviderKind::Gitlab,
        ProviderKind::Bitbucket,
        ProviderKind::Trello,
        ProviderKind::Linear,
        ProviderKind::AzureDevops,
        ProviderKind::Youtrack,
        ProviderKind::Asana,
        ProviderKind::Clickup,
        ProviderKind::Webhook,
    ];

    /// The kind for its config spelling.
    pub fn parse(text: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The mapping keys that name the destination, which the provider cannot work without.
    pub fn destination_keys(self) -> &'static [&'static str] {
        match self {
            ProviderKind::Jira => &["project", "issue_type"],
            ProviderKind::Github | ProviderKind::Bitbucket => &["repo"],
            ProviderKind::Gitlab | ProviderKind::Youtrack => &["project"],
            ProviderKind::Trello => &["board", "list"],
            ProviderKind::Linear => &["team"],
            ProviderKind::AzureDevops => &["project", "work_item_type"],
            ProviderKind::Asana => &["workspace", "project"],
            ProviderKind::Clickup => &["list"],
            ProviderKind::Webhook => &[],
        }
    }

    /// The destination key whose value an `owned` entry must match; None for a webhook, whose
    /// destination is the host name of its `base_url`.
    pub fn owned_key(self) -> Option<&'static str> {
        match self {
            ProviderKind::Webhook => None,
            ProviderKind::Github | ProviderKind::Bitbucket => Some("repo"),
            ProviderKind::Trello => Some("board"),
            ProviderKind::Linear => Some("team"),
            ProviderKind::Clickup => Some("list"),
            ProviderKind::Jira
            | ProviderKind::Gitlab
            | ProviderKind::AzureDevops
            | ProviderKind::Youtrack
            | ProviderKind::Asana => Some("project"),
        }
    }

    /// What `auth.user_env`/`user_file` must hold where the kind cannot work without a user;
    /// None where it is optional (Jira: Cloud with a user, Data Center without) or unused.
    pub fn required_user(self) -> Option<&'static str> {
        self.guide()
            .user
            .filter(|user| user.required)
            .map(|user| user.holds)
    }

    /// The `auth` keys that name the token (a webhook's is its signing secret).
    pub fn token_keys(self) -> [&'static str; 2] {
        match self {
            ProviderKind::Webhook => ["secret_env", "secret_file"],
            _ => ["token_env", "token_file"],
        }
    }

    /// How to fill the entry: where to get the credentials, and what each value looks like.
    pub fn guide(self) -> KindGuide {
        guide(self)
    }
}

/// How to fill a kind's config entry, for `settings init` and `settings kinds`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct KindGuide {
    /// The public service's `base_url`; None where every customer has their own.
    pub base_url: Option<&'static str>,
    /// What `base_url` looks like (always), including self-hosted forms.
    pub base_url_form: &'static str,
    /// What the `owned` entries hold.
    pub owned: &'static str,
    /// The variable name `settings init` suggests for the token.
    pub token_var: &'static str,
    /// Where to create the token, and the permissions or scopes it needs.
    pub token_help: &'static str,
    /// The user, where the kind takes one.
    pub user: Option<UserGuide>,
    /// What each destination key holds and where to find it, by key.
    pub keys: &'static [(&'static str, &'static str)],
}

/// A kind's user (`auth.user_env` or `user_file`).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct UserGuide {
    /// Whether the entry is refused without one.
    pub required: bool,
    /// What it holds.
    pub holds: &'static str,
    /// The variable name `settings init` suggests.
    pub var: &'static str,
}

fn guide(kind: ProviderKind) -> KindGuide {
    match kind {
        ProviderKind::Jira => KindGuide {
            base_url: None,
            base_url_form: "https://SITE.atlassian.net (Cloud), or https://HOST[/CONTEXT] (Data Center)",
            owned: "project keys",
            token_var: "JIRA_API_TOKEN",
            token_help: "Cloud: an API token from https://id.atlassian.com/manage-profile/security/api-tokens, \
                with user_env naming the account e-mail. Data Center 8.14+: a personal access token \
                (profile > Personal Access Tokens) and no user_env. The account needs Browse projects, \
                Create issues and Transition issues in the project",
            user: Some(UserGuide {
                required: false,
                holds: "the account e-mail for Jira Cloud; none with a Data Center token",
                var: "JIRA_EMAIL",
            }),
            keys: &[
                ("project", "the project key, like SEC"),
                ("issue_type", "the issue type name, like Bug"),
            ],
        },
        ProviderKind::Github => KindGuide {
            base_url: Some("https://api.github.com"),
            base_url_form: "https://api.github.com, or https://HOST/api/v3 (GitHub Enterprise Server)",
            owned: "owner/name",
            token_var: "GITHUB_TOKEN",
            token_help: "a fine-grained personal access token (Settings > Developer settings > Personal access tokens) \
                limited to the repository, with the Issues permission set to Read and write; without push access \
                GitHub silently drops labels and assignees",
            user: None,
            keys: &[("repo", "the repository, as owner/name")],
        },
        ProviderKind::Gitlab => KindGuide {
            base_url: Some("https://gitlab.com"),
            base_url_form: "https://gitlab.com, or https://HOST (self-managed)",
            owned: "project paths or ids",
            token_var: "GITLAB_TOKEN",
            token_help: "a personal, group or project access token (Settings > Access tokens) with the api scope \
                (read_api cannot create or close issues), for an account that can create issues in the project",
            user: None,
            keys: &[("project", "the project path group/name, or its numeric id")],
        },
        ProviderKind::Bitbucket => KindGuide {
            base_url: Some("https://api.bitbucket.org"),
            base_url_form: "https://api.bitbucket.org (Bitbucket Cloud)",
            owned: "workspace/slug",
            token_var: "BITBUCKET_API_TOKEN",
            token_help: "an Atlassian API token with scopes (id.atlassian.com > Security > Create API token with \
                scopes > Bitbucket) allowing Issues read and write, Repositories read and Account read, with \
                user_env naming the Atlassian account e-mail; app passwords stop working on 2026-06-09",
            user: Some(UserGuide {
                required: true,
                holds: "the account e-mail",
                var: "BITBUCKET_EMAIL",
            }),
            keys: &[(
                "repo",
                "the repository, as workspace/slug; its issue tracker must be enabled",
            )],
        },
        ProviderKind::Trello => KindGuide {
            base_url: Some("https://api.trello.com"),
            base_url_form: "https://api.trello.com",
            owned: "board ids",
            token_var: "TRELLO_TOKEN",
            token_help: "the API key of a Power-Up (https://trello.com/power-ups/admin), named by user_env, and a \
                user token authorised for it with read,write scope (the Token link beside the key)",
            user: Some(UserGuide {
                required: true,
                holds: "the API key",
                var: "TRELLO_API_KEY",
            }),
            keys: &[
                (
                    "board",
                    "the board id (in the board's JSON: add .json to its URL)",
                ),
                ("list", "the id of the list new cards go to"),
            ],
        },
        ProviderKind::Linear => KindGuide {
            base_url: Some("https://api.linear.app"),
            base_url_form: "https://api.linear.app",
            owned: "team keys or ids",
            token_var: "LINEAR_API_KEY",
            token_help: "a personal API key (Settings > Account > Security & access > Personal API keys, lin_api_...) \
                of a member of the team, with write access; an OAuth token instead needs auth.scheme = \"bearer\"",
            user: None,
            keys: &[("team", "the team key, like SEC, or its id")],
        },
        ProviderKind::AzureDevops => KindGuide {
            base_url: None,
            base_url_form: "https://dev.azure.com/ORGANISATION, or https://HOST/COLLECTION (Azure DevOps Server)",
            owned: "project names",
            token_var: "AZURE_DEVOPS_PAT",
            token_help: "a personal access token (User settings > Personal access tokens) for the organisation, \
                with the Work Items scope set to Read & write (vso.work_write)",
            user: None,
            keys: &[
                ("project", "the project name"),
                ("work_item_type", "the work item type, like Bug or Issue"),
            ],
        },
        ProviderKind::Youtrack => KindGuide {
            base_url: None,
            base_url_form: "https://NAME.youtrack.cloud, or https://HOST[/youtrack] (self-hosted)",
            owned: "short names",
            token_var: "YOUTRACK_TOKEN",
            token_help: "a permanent token (Profile > Account Security > Tokens, perm:...) with the YouTrack scope, \
                for an account that can create and update issues in the project",
            user: None,
            keys: &[("project", "the project's short name, like SEC")],
        },
        ProviderKind::Asana => KindGuide {
            base_url: Some("https://app.asana.com"),
            base_url_form: "https://app.asana.com",
            owned: "project gids",
            token_var: "ASANA_TOKEN",
            token_help: "a personal access token from the developer console (https://app.asana.com/0/my-apps); it \
                acts as its owner, who must be a member of the project",
            user: None,
            keys: &[
                ("workspace", "the workspace gid"),
                (
                    "project",
                    "the project gid (the number in the project's URL)",
                ),
            ],
        },
        ProviderKind::Clickup => KindGuide {
            base_url: Some("https://api.clickup.com"),
            base_url_form: "https://api.clickup.com",
            owned: "list ids",
            token_var: "CLICKUP_TOKEN",
            token_help: "a personal API token (Settings > Apps > API Token, pk_...); it acts as its owner, who must \
                be able to create tasks in the list",
            user: None,
            keys: &[("list", "the list id (the number in the list's URL)")],
        },
        ProviderKind::Webhook => KindGuide {
            base_url: None,
            base_url_form: "https://HOST/PATH, the URL that receives the signed POSTs",
            owned: "host names",
            token_var: "WEBHOOK_SECRET",
            token_help: "shared with the receiver, which checks each webhook-signature with it (Standard \
                Webhooks, whsec_...)",
            user: None,
            keys: &[],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_kind_the_config_accepts() {
        // serde names every variant in its error for an unknown one: ALL must hold them all.
        let err =
            toml::from_str::<std::collections::BTreeMap<String, ProviderKind>>("k = \"nope\"")
                .unwrap_err()
                .to_string();
        let expected: Vec<String> = ProviderKind::ALL
            .iter()
            .map(|k| format!("`{}`", k.as_str()))
            .collect();
        assert!(err.contains(&expected.join(", ")), "{err}");
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn each_guide_describes_exactly_the_destination_keys() {
        for kind in ProviderKind::ALL {
            let described: Vec<&str> = kind.guide().keys.iter().map(|(k, _)| *k).collect();
            assert_eq!(described, kind.destination_keys(), "{kind:?}");
            if let Some(owned) = kind.owned_key() {
                assert!(kind.destination_keys().contains(&owned), "{kind:?}");
            }
        }
    }
}
