use super::*;
use crate::config::Config;

/// The hostile forms every check must refuse, wherever a value goes into a path.
const TRAVERSALS: &[&str] = &[
    "",
    ".",
    "..",
    "%2e%2e",
    "%2E%2e",
    ".%2e",
    "%2e.",
    "../../../evil/elsewhere/issues/1001",
    "%2e%2e%2f%2e%2e%2fevil",
    "..%2fevil",
    "a/b",
    "a%2Fb",
    "a\\b",
    "a?b",
    "a#b",
    "a\nb",
    ".\t.",
    "a%0ab",
    " 1",
    "1 ",
];

#[test]
fn a_segment_refuses_every_way_out_of_its_place() {
    for value in TRAVERSALS {
        assert!(segment_problem(value).is_some(), "{value:?} accepted");
    }
    for value in ["SEC-12", "42", "User Story", "a%20b", "acme.shop", "x..y"] {
        assert_eq!(segment_problem(value), None, "{value:?} refused");
    }
    assert_eq!(
        segment_problem("100%"),
        Some("holds a malformed percent-encoding")
    );
}

fn provider(kind: &str, mapping: &str) -> Provider {
    let text = format!(
        "mode = \"self-hosted\"\n[providers.p]\nkind = \"{kind}\"\nbase_url = \"https://x.example\"\n\
         auth = {{ token_env = \"T\", user_env = \"U\" }}\nowned = [\"x\"]\nmapping = {{ {mapping} }}\n"
    );
    Config::parse(&text, std::path::Path::new("/tmp/c.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .providers
        .remove("p")
        .unwrap()
}

#[test]
fn every_id_of_every_kind_is_checked_for_its_form() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "github",
            r#"repo = "acme/shop""#,
            &["1", "1001"],
            &["1a", "-1", "#1"],
        ),
        (
            "gitlab",
            r#"project = "acme/portal""#,
            &["14"],
            &["acme%2Fportal"],
        ),
        ("bitbucket", r#"repo = "acme/shop""#, &["3"], &["3a"]),
        (
            "jira",
            r#"project = "SEC", issue_type = "Bug""#,
            &["SEC-12", "sec-1"],
            &["OPS-12", "SEC", "SEC-", "10001", "SEC-1-2"],
        ),
        (
            "youtrack",
            r#"project = "SEC""#,
            &["SEC-12", "2-38"],
            &["OPS-1", "SEC-x"],
        ),
        (
            "trello",
            r#"board = "b1", list = "l1""#,
            &["5f0000000000000000000001", "AbCd1234"],
            &["5f00-1"],
        ),
        (
            "linear",
            r#"team = "SEC""#,
            &["WEB-31", "0b3f1c2e-8d4a-4f6b-9c1d-2e3f4a5b6c7d"],
            &["31", "WEB_31"],
        ),
        (
            "azure-devops",
            r#"project = "Shop", work_item_type = "Bug""#,
            &["5"],
            &["Shop-5"],
        ),
        (
            "asana",
            r#"workspace = "1200", project = "1300""#,
            &["1300000000000001"],
            &["task1"],
        ),
        (
            "clickup",
            r#"list = "900""#,
            &["86c0001", "9hz"],
            &["DEV-12"],
        ),
    ];
    for (kind, mapping, good, bad) in cases {
        let p = provider(kind, mapping);
        for id in *good {
            assert_eq!(ticket_id_problem(&p, id), None, "{kind}: {id:?} refused");
        }
        for id in bad.iter().chain(TRAVERSALS) {
            let problem = ticket_id_problem(&p, id)
                .unwrap_or_else(|| panic!("{kind}: {id:?} accepted as a ticket id"));
            assert!(problem.starts_with("ticket id "), "{problem}");
            assert!(!problem.contains('\n'), "one line: {problem}");
        }
    }
}

#[test]
fn mapping_values_that_reach_a_path_name_their_key_when_refused() {
    use ProviderKind::*;
    let bad: &[(ProviderKind, &str, &str)] = &[
        (Github, "repo", "acme/../evil"),
        (Github, "repo", "acme/%2e%2e"),
        (Github, "repo", "../evil/elsewhere"),
        (Github, "repo", "acme"),
        (Github, "repo", "acme/shop/issues"),
        (Github, "repo", "acme/shop?x=1"),
        (Bitbucket, "repo", "ws/.."),
        (Gitlab, "project", "group/../x"),
        (Gitlab, "project", "group//x"),
        (Gitlab, "project", "portal"),
        (Jira, "project", "SE C"),
        (Jira, "project", "../SEC"),
        (Youtrack, "project", "SEC/1"),
        (Trello, "board", "../b1"),
        (Trello, "list", "l 1"),
        (Linear, "team", "SEC/x"),
        (AzureDevops, "project", "Shop/../Other"),
        (AzureDevops, "project", ".."),
        (AzureDevops, "team", "a?b"),
        (AzureDevops, "work_item_type", "Bug/x"),
        (Asana, "workspace", "W"),
        (Asana, "project", "1%2e"),
        (Clickup, "list", "8cj47gd-10171"),
    ];
    for (kind, key, value) in bad {
        let mut mapping = Mapping::default();
        set(&mut mapping, key, value);
        let problems = mapping_problems(*kind, &mapping);
        assert_eq!(
            problems.len(),
            1,
            "{kind:?} {key} = {value:?}: {problems:?}"
        );
        assert!(
            problems[0].starts_with(&format!("mapping.{key} = ")),
            "{}",
            problems[0]
        );
    }
    let good: &[(ProviderKind, &str, &str)] = &[
        (Github, "repo", "acme/shop.github.io"),
        (Bitbucket, "repo", "acme-ws/shop_app"),
        (Gitlab, "project", "group/sub/name"),
        (Gitlab, "project", "42"),
        (Jira, "project", "SEC"),
        (Trello, "board", "b1"),
        (Linear, "team", "0b3f1c2e-8d4a-4f6b-9c1d-2e3f4a5b6c7d"),
        (AzureDevops, "project", "My Project"),
        (AzureDevops, "team", "Shop Team"),
        (AzureDevops, "work_item_type", "User Story"),
        (Asana, "section", "1200"),
        (Clickup, "list", "901100200300"),
        // Bodies and queries only: not checked here.
        (Jira, "issue_type", "Bug/../x"),
    ];
    for (kind, key, value) in good {
        let mut mapping = Mapping::default();
        set(&mut mapping, key, value);
        assert_eq!(mapping_problems(*kind, &mapping), Vec::<String>::new());
    }
    let mut mapping = Mapping::default();
    mapping
        .fields
        .insert("wontfix_section".into(), serde_json::json!("../1"));
    assert_eq!(mapping_problems(Asana, &mapping).len(), 1);
}

fn set(mapping: &mut Mapping, key: &str, value: &str) {
    let slot = match key {
        "repo" => &mut mapping.repo,
        "project" => &mut mapping.project,
        "board" => &mut mapping.board,
        "list" => &mut mapping.list,
        "team" => &mut mapping.team,
        "work_item_type" => &mut mapping.work_item_type,
        "workspace" => &mut mapping.workspace,
        "section" => &mut mapping.section,
        "issue_type" => &mut mapping.issue_type,
        other => panic!("{other}"),
    };
    *slot = Some(value.to_owned());
}

#[test]
fn the_final_url_must_stay_under_the_destination() {
    let base: Url = "http://127.0.0.1:8080".parse().unwrap();
    let scope = Scope {
        roots: vec!["/repos/acme/shop".into(), "/user".into()],
    };
    let refused = |url: &str| scope.refusal(&base, &url.parse().unwrap());
    for inside in [
        "http://127.0.0.1:8080/repos/acme/shop",
        "http://127.0.0.1:8080/repos/acme/shop/issues/1",
        "http://127.0.0.1:8080/repos/acme/shop/issues/",
        "http://127.0.0.1:8080/user",
    ] {
        assert_eq!(refused(inside), None, "{inside}");
    }
    for outside in [
        // What `..` in an id resolves to.
        "http://127.0.0.1:8080/repos/evil/elsewhere/issues/1001",
        "http://127.0.0.1:8080/repos/acme/shopping/issues/1",
        "http://127.0.0.1:8080/users",
        "http://127.0.0.1:8080/repos/acme/shop/%2e%2e/%2e%2e/evil",
        "http://127.0.0.1:8080/repos/acme/shop/issues/..%2F..%2Fevil",
        "http://127.0.0.1:8080/repos/acme/shop//issues",
        "http://127.0.0.1:9090/repos/acme/shop/issues/1",
        "http://evil.example:8080/repos/acme/shop/issues/1",
        "https://127.0.0.1:8080/repos/acme/shop/issues/1",
    ] {
        assert!(refused(outside).is_some(), "{outside} allowed");
    }
    let nothing = Scope::default();
    assert!(
        nothing
            .refusal(&base, &"http://127.0.0.1:8080/user".parse().unwrap())
            .unwrap()
            .contains("none declared")
    );
}

proptest::proptest! {
    /// Whatever a value is made of, once it passes the segment check it is pushed as one
    /// segment that stays under its parent: the URL library never resolves it elsewhere.
    #[test]
    fn an_accepted_segment_never_leaves_its_parent(value in "[./%2eEfF\\\\?#a-z0-9 \t\n-]{0,12}") {
        let base: Url = "http://127.0.0.1:8080/base".parse().unwrap();
        let parent = crate::providers::endpoint_from(&base, "", &["repos", "acme", "shop"]);
        let scope = Scope::of([parent.clone()]);
        let url = crate::providers::endpoint_from(&base, "", &["repos", "acme", "shop", "issues", &value]);
        if segment_problem(&value).is_none() {
            proptest::prop_assert_eq!(scope.refusal(&base, &url), None, "{} -> {}", value, url);
            proptest::prop_assert!(url.path().starts_with("/base/repos/acme/shop/issues/"));
            proptest::prop_assert_eq!(url.path().matches('/').count(), 6);
        }
    }
}
