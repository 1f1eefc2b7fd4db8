use super::*;
use crate::config::Config;

fn provider(kind: &str, base: &str, mapping: &str) -> Provider {
    let auth = if kind == "webhook" {
        "secret_env = \"S\""
    } else {
        "token_env = \"T\", user_env = \"U\""
    };
    let text = format!(
        "mode = \"self-hosted\"\n[providers.p]\nkind = \"{kind}\"\nbase_url = \"{base}\"\n\
         allow_http = true\nauth = {{ {auth} }}\nowned = [\"x\"]\n\
         mapping = {{ {mapping} }}\n"
    );
    let mut config =
        Config::parse(&text, std::path::Path::new("/tmp/c.toml")).unwrap_or_else(|e| panic!("{e}"));
    config.providers.remove("p").unwrap()
}

/// One provider, URLs that name its tickets (with the id), and URLs refused (with a word the
/// reason must contain).
struct Case {
    kind: &'static str,
    base: &'static str,
    mapping: &'static str,
    ok: &'static [(&'static str, &'static str)],
    refused: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        kind: "github",
        base: "https://api.github.com",
        mapping: r#"repo = "acme/shop""#,
        ok: &[
            ("https://github.com/acme/shop/issues/87", "87"),
            ("https://github.com/ACME/Shop/issues/87/", "87"),
            (
                "https://github.com/acme/shop/issues/87#issuecomment-1",
                "87",
            ),
        ],
        refused: &[
            (
                "https://github.com/acme/other/issues/87",
                "names repository acme/other, not acme/shop",
            ),
            (
                "https://evil.example/acme/shop/issues/87",
                "not on github.com",
            ),
            (
                "https://api.github.com/repos/acme/shop/issues/87",
                "not on github.com",
            ),
            ("https://github.com/acme/shop/pull/87", "pull request"),
            ("https://github.com/acme/shop/issues/", "not a ticket page"),
            (
                "https://github.com/acme/shop/issues/..%2F..%2Fevil",
                "is not a GitHub issue number",
            ),
            // The URL library resolves it: `/acme/shop/`, not an issue.
            (
                "https://github.com/acme/shop/issues/%2e%2e",
                "not a ticket page",
            ),
            (
                "https://me:pw@github.com/acme/shop/issues/87",
                "user name or password",
            ),
            ("github.com/acme/shop/issues/87", "not an http(s) URL"),
            ("ftp://github.com/acme/shop/issues/87", "not an http(s) URL"),
        ],
    },
    Case {
        kind: "github",
        base: "https://ghe.example:8443/api/v3",
        mapping: r#"repo = "acme/shop""#,
        ok: &[("https://ghe.example:8443/acme/shop/issues/5", "5")],
        refused: &[
            (
                "https://github.com/acme/shop/issues/5",
                "not on ghe.example:8443",
            ),
            (
                "https://ghe.example/acme/shop/issues/5",
                "not on ghe.example:8443",
            ),
        ],
    },
    Case {
        kind: "github",
        base: "http://127.0.0.1:9999",
        mapping: r#"repo = "acme/shop""#,
        ok: &[("http://127.0.0.1:9999/acme/shop/issues/7", "7")],
        refused: &[(
            "http://127.0.0.1:1/acme/shop/issues/7",
            "not on 127.0.0.1:9999",
        )],
    },
    Case {
        kind: "gitlab",
        base: "https://gitlab.com/api/v4",
        mapping: r#"project = "group/sub/portal""#,
        ok: &[
            ("https://gitlab.com/group/sub/portal/-/issues/14", "14"),
            ("https://gitlab.com/group/sub/portal/-/work_items/14", "14"),
            ("https://gitlab.com/group/sub/portal/issues/14", "14"),
        ],
        refused: &[
            (
                "https://gitlab.com/group/other/-/issues/14",
                "names project group/other",
            ),
            (
                "https://gitlab.com/group/sub/portal/-/merge_requests/14",
                "not a ticket page",
            ),
        ],
    },
    Case {
        kind: "gitlab",
        base: "https://code.example/gitlab/api/v4",
        mapping: r#"project = "acme/portal""#,
        ok: &[("https://code.example/gitlab/acme/portal/-/issues/3", "3")],
        refused: &[(
            "https://code.example/acme/portal/-/issues/3",
            "not on code.example/gitlab",
        )],
    },
    Case {
        kind: "gitlab",
        base: "https://code.example/gitlab",
        mapping: r#"project = "42""#,
        ok: &[],
        refused: &[(
            "https://code.example/gitlab/acme/portal/-/issues/3",
            "numeric id 42",
        )],
    },
    Case {
        kind: "jira",
        base: "https://acme.atlassian.net/rest/api/3",
        mapping: r#"project = "SEC", issue_type = "Bug""#,
        ok: &[
            ("https://acme.atlassian.net/browse/SEC-12", "SEC-12"),
            (
                "https://acme.atlassian.net/jira/software/c/projects/SEC/boards/1?selectedIssue=SEC-7",
                "SEC-7",
            ),
            (
                "https://acme.atlassian.net/jira/software/projects/SEC/issues/SEC-9",
                "SEC-9",
            ),
        ],
        refused: &[
            (
                "https://acme.atlassian.net/browse/OPS-12",
                "not an issue key of project SEC",
            ),
            (
                "https://acme.atlassian.net/rest/api/3/issue/SEC-12",
                "not a ticket page",
            ),
            (
                "https://evil.atlassian.net/browse/SEC-12",
                "not on acme.atlassian.net",
            ),
        ],
    },
    Case {
        kind: "jira",
        base: "https://jira.example/jira",
        mapping: r#"project = "SEC", issue_type = "Bug""#,
        ok: &[("https://jira.example/jira/browse/SEC-1", "SEC-1")],
        refused: &[(
            "https://jira.example/browse/SEC-1",
            "not on jira.example/jira",
        )],
    },
    Case {
        kind: "bitbucket",
        base: "https://api.bitbucket.org/2.0",
        mapping: r#"repo = "acme/shop""#,
        ok: &[
            ("https://bitbucket.org/acme/shop/issues/3", "3"),
            ("https://bitbucket.org/acme/shop/issues/3/a-title", "3"),
        ],
        refused: &[(
            "https://bitbucket.org/acme/other/issues/3",
            "names repository acme/other",
        )],
    },
    Case {
        kind: "trello",
        base: "https://api.trello.com",
        mapping: r#"board = "b1", list = "l1""#,
        ok: &[("https://trello.com/c/AbCd1234/12-a-title", "AbCd1234")],
        refused: &[("https://trello.com/b/AbCd1234/board", "not a ticket page")],
    },
    Case {
        kind: "linear",
        base: "https://api.linear.app",
        mapping: r#"team = "WEB""#,
        ok: &[("https://linear.app/acme/issue/WEB-31/a-title", "WEB-31")],
        refused: &[("https://linear.app/acme/project/x", "not a ticket page")],
    },
    Case {
        kind: "azure-devops",
        base: "https://dev.azure.com/acme",
        mapping: r#"project = "My Project", work_item_type = "Bug""#,
        ok: &[
            (
                "https://dev.azure.com/acme/My%20Project/_workitems/edit/5",
                "5",
            ),
            (
                "https://acme.visualstudio.com/My%20Project/_workitems/edit/5/",
                "5",
            ),
        ],
        refused: &[
            (
                "https://dev.azure.com/other/My%20Project/_workitems/edit/5",
                "not on dev.azure.com/acme",
            ),
            (
                "https://dev.azure.com/acme/Other/_workitems/edit/5",
                "names project Other",
            ),
        ],
    },
    Case {
        kind: "youtrack",
        base: "https://yt.example/youtrack/api",
        mapping: r#"project = "SEC""#,
        ok: &[
            ("https://yt.example/youtrack/issue/SEC-12", "SEC-12"),
            ("https://yt.example/youtrack/issue/SEC-12/a-title", "SEC-12"),
        ],
        refused: &[(
            "https://yt.example/youtrack/issue/OPS-1",
            "not an issue id of project SEC",
        )],
    },
    Case {
        kind: "asana",
        base: "https://app.asana.com/api/1.0",
        mapping: r#"workspace = "1200", project = "1300""#,
        ok: &[
            ("https://app.asana.com/0/1300/1301", "1301"),
            ("https://app.asana.com/0/1300/1301/f", "1301"),
            (
                "https://app.asana.com/1/1200/project/1300/task/1301",
                "1301",
            ),
            ("https://app.asana.com/1/1200/task/1301", "1301"),
        ],
        refused: &[
            ("https://app.asana.com/0/9999/1301", "names project 9999"),
            (
                "https://app.asana.com/1/9/project/1300/task/1301",
                "names workspace 9",
            ),
        ],
    },
    Case {
        kind: "clickup",
        base: "https://api.clickup.com/api/v2",
        mapping: r#"list = "900""#,
        ok: &[
            ("https://app.clickup.com/t/86c0001", "86c0001"),
            ("https://app.clickup.com/t/9011/86c0001", "86c0001"),
        ],
        refused: &[
            ("https://app.clickup.com/t/9011/DEV-12", "custom task id"),
            (
                "https://api.clickup.com/t/86c0001",
                "not on app.clickup.com",
            ),
        ],
    },
];

#[test]
fn each_kind_reads_its_ticket_pages_and_refuses_the_rest() {
    for case in CASES {
        let p = provider(case.kind, case.base, case.mapping);
        for (url, id) in case.ok {
            assert_eq!(
                derive(&p, url).as_deref(),
                Ok(*id),
                "{} {}: {url}",
                case.kind,
                case.base
            );
        }
        for (url, why) in case.refused {
            let err = derive(&p, url).expect_err(url).to_string();
            assert!(err.contains(why), "{url}: {err:?} should say {why:?}");
            assert!(!err.contains("pw@"), "no credentials in messages: {err}");
        }
    }
}

#[test]
fn a_webhook_has_no_ticket_pages() {
    let p = provider("webhook", "https://hooks.example/in", "");
    let err = derive(&p, "https://hooks.example/in/1").unwrap_err();
    assert!(err.to_string().contains("no ticket pages"), "{err}");
}

#[test]
fn a_refusal_names_what_was_expected() {
    let p = provider("github", "https://api.github.com", r#"repo = "acme/shop""#);
    let err = derive(&p, "https://evil.example/x")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected https://github.com/acme/shop/issues/<number>"),
        "{err}"
    );
}

#[test]
fn the_id_wins_the_url_stands_in_and_contradictions_are_refused() {
    let p = provider("github", "https://api.github.com", r#"repo = "acme/shop""#);
    let url = "https://github.com/acme/shop/issues/7";
    let ok = |id: &str, from_url| Resolved {
        id: id.into(),
        from_url,
    };
    assert_eq!(resolve(&p, Some("7"), None), Ok(ok("7", false)));
    assert_eq!(resolve(&p, Some("7"), Some(url)), Ok(ok("7", false)));
    assert_eq!(resolve(&p, None, Some(url)), Ok(ok("7", true)));
    assert_eq!(resolve(&p, Some(""), Some(url)), Ok(ok("7", true)));
    // A hostile id does not travel: the URL stands in for it when it can.
    let hostile = "../../../evil/elsewhere/issues/1001";
    assert_eq!(resolve(&p, Some(hostile), Some(url)), Ok(ok("7", true)));
    for (id, url, why) in [
        (Some(hostile), None, "no external_ticket_url"),
        (Some("%2e%2e%2f1"), None, "is not a GitHub issue number"),
        (
            Some("7"),
            Some("https://github.com/acme/shop/issues/8"),
            "name different tickets",
        ),
        (
            Some("7"),
            Some("https://github.com/acme/other/issues/7"),
            "acme/other",
        ),
        (
            None,
            Some("https://evil.example/acme/shop/issues/7"),
            "not on github.com",
        ),
        (None, None, "no external_ticket_id or external_ticket_url"),
    ] {
        let err = resolve(&p, id, url).unwrap_err().to_string();
        assert!(err.contains(why), "{id:?} {url:?}: {err}");
    }
    // A page of the site that is not a ticket page says nothing about the id either.
    assert_eq!(
        resolve(&p, Some("7"), Some("https://github.com/acme/shop/pull/9")),
        Ok(ok("7", false))
    );
    // A URL on another address says nothing about the id.
    assert_eq!(
        resolve(&p, Some("7"), Some("https://tracker.example/x")),
        Ok(ok("7", false))
    );
    // A URL whose project cannot be checked (a numeric project id) does not contradict an id,
    // and stands in for none.
    let gitlab = provider("gitlab", "https://gitlab.com/api/v4", r#"project = "42""#);
    let page = "https://gitlab.com/acme/portal/-/issues/3";
    assert_eq!(resolve(&gitlab, Some("3"), Some(page)), Ok(ok("3", false)));
    assert!(resolve(&gitlab, None, Some(page)).is_err());
    // Forms that cannot be compared without the provider are not taken for a contradiction.
    let linear = provider("linear", "https://api.linear.app", r#"team = "WEB""#);
    let uuid = "0b3f1c2e-8d4a-4f6b-9c1d-2e3f4a5b6c7d";
    assert_eq!(
        resolve(
            &linear,
            Some(uuid),
            Some("https://linear.app/acme/issue/WEB-31")
        ),
        Ok(ok(uuid, false))
    );
}
