//! A base URL given with the API path (`https://gitlab.com/api/v4`, as the README shows) or
//! behind a self-managed path prefix works for every kind: the API path is added once, never
//! doubled, and the ticket links point at the site, not at the API.

use ticket_export::simulator::trello::{BOARD, LISTS};

use crate::support::Rig;

/// A base URL (after the simulator's address), the simulator's path prefix, the provider
/// entry, and the path every request must start with.
struct Case {
    name: &'static str,
    prefix: Option<&'static str>,
    entry: String,
    starts: &'static str,
}

fn case(
    name: &'static str,
    kind: &str,
    base: &'static str,
    prefix: Option<&'static str>,
    mapping: &str,
    starts: &'static str,
) -> Case {
    Case {
        name,
        prefix,
        entry: format!(
            "kind = \"{kind}\"\nbase_url = \"{{base}}{base}\"\nowned = [\"x\"]\nmapping = {{ {mapping} }}\n"
        ),
        starts,
    }
}

fn cases() -> Vec<Case> {
    let trello = format!(r#"board = "{BOARD}", list = "{}""#, LISTS[0].0);
    vec![
        case(
            "github enterprise",
            "github",
            "/api/v3",
            Some("/api/v3"),
            r#"repo = "acme/shop""#,
            "/api/v3/repos/acme/shop/",
        ),
        case(
            "gitlab.com form",
            "gitlab",
            "/api/v4",
            None,
            r#"project = "acme/portal""#,
            "/api/v4/projects/acme%2Fportal/",
        ),
        case(
            "gitlab self-managed",
            "gitlab",
            "/gitlab/api/v4",
            Some("/gitlab"),
            r#"project = "acme/portal""#,
            "/gitlab/api/v4/projects/acme%2Fportal/",
        ),
        case(
            "gitlab self-managed site",
            "gitlab",
            "/gitlab",
            Some("/gitlab"),
            r#"project = "acme/portal""#,
            "/gitlab/api/v4/projects/acme%2Fportal/",
        ),
        case(
            "jira with the API path",
            "jira",
            "/rest/api/3",
            None,
            r#"project = "SEC", issue_type = "Bug""#,
            "/rest/api/3/",
        ),
        case(
            "jira context path",
            "jira",
            "/jira",
            Some("/jira"),
            r#"project = "SEC", issue_type = "Bug""#,
            "/jira/rest/api/3/",
        ),
        case(
            "bitbucket with /2.0",
            "bitbucket",
            "/2.0",
            None,
            r#"repo = "acme/shop""#,
            "/2.0/repositories/acme/shop/",
        ),
        case("trello with /1", "trello", "/1", None, &trello, "/1/"),
        case(
            "linear with /graphql",
            "linear",
            "/graphql",
            None,
            r#"team = "SEC""#,
            "/graphql",
        ),
        case(
            "azure with _apis",
            "azure-devops",
            "/acme/_apis",
            None,
            r#"project = "SEC", work_item_type = "Bug""#,
            "/acme/SEC/_apis/wit/",
        ),
        case(
            "youtrack self-hosted",
            "youtrack",
            "/youtrack/api",
            Some("/youtrack"),
            r#"project = "SEC""#,
            "/youtrack/api/",
        ),
        case(
            "asana with /api/1.0",
            "asana",
            "/api/1.0",
            None,
            r#"workspace = "1200000000000001", project = "1200000000000500""#,
            "/api/1.0/",
        ),
        case(
            "clickup with /api/v2",
            "clickup",
            "/api/v2",
            None,
            r#"list = "901100200300""#,
            "/api/v2/",
        ),
    ]
}

#[test]
fn the_api_path_is_added_once_for_every_kind() {
    for case in cases() {
        let rig = Rig::new("p", &case.entry);
        if let Some(prefix) = case.prefix {
            rig.sim.set_prefix(prefix);
        }
        let client = rig.client();
        let draft = rig.draft(1);
        let created = client
            .create(&draft)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let found = client
            .lookup(&draft)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(found.len(), 1, "{}: the lookup finds it", case.name);
        client
            .read_status(&created.id)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let paths: Vec<String> = rig
            .sim
            .state()
            .requests
            .iter()
            .map(|r| r.path.clone())
            .collect();
        for path in &paths {
            assert!(
                path.starts_with(case.starts) || path == case.starts.trim_end_matches('/'),
                "{}: {path} does not start with {}",
                case.name,
                case.starts
            );
            for api in [
                "/api/v4",
                "/api/v3",
                "/rest/api/3",
                "/graphql",
                "/_apis",
                "/api/1.0",
                "/api/v2",
                "/2.0/",
            ] {
                assert!(
                    path.matches(api).count() <= 1,
                    "{}: {api} doubled in {path}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn jira_links_point_at_the_site_even_when_the_base_has_the_api_path() {
    let rig = Rig::new(
        "jira",
        "kind = \"jira\"\nbase_url = \"{base}/rest/api/3\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", issue_type = \"Bug\" }\n",
    );
    let created = rig.client().create(&rig.draft(1)).unwrap();
    assert_eq!(
        created.url,
        format!("{}/browse/{}", rig.sim.base_url(), created.id)
    );
}
