//! Base URLs as users paste them and Azure DevOps teams as they are: a GitLab base URL with
//! `/api/v4` (gitlab.com or self-managed behind a path) is never doubled, and an Azure lookup
//! runs WIQL on the project unless the mapping names a team, so a renamed default team does
//! not break it. Checked on what the simulator received and what the store holds.

use ticket_export::simulator::Simulator;

use crate::known_fixtures::{received, run_json, stored};
use crate::support::{Env, attempts_file, write_sim_config};

fn retry_one(entry: &str, key: &str, sim: &Simulator) -> Env {
    let env = Env::new();
    write_sim_config(&env, "self-hosted", entry);
    let out = env
        .cmd()
        .arg("import")
        .arg(attempts_file(&env, key, 1, None))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (lines, code, stderr) = run_json(&env, &["retry", "tex_0001"]);
    assert_eq!(code, 0, "{stderr} {lines:?} {:?}", received(sim));
    assert_eq!(lines[0]["outcome"], "created", "{}", lines[0]);
    assert_eq!(stored(&env, "tex_0001").0, "exported");
    env
}

#[test]
fn a_gitlab_base_url_with_the_api_path_is_not_doubled() {
    for (base, prefix, starts) in [
        ("/api/v4", None, "/api/v4/projects/acme%2Fportal/"),
        (
            "/gitlab/api/v4",
            Some("/gitlab"),
            "/gitlab/api/v4/projects/acme%2Fportal/",
        ),
    ] {
        let sim = Simulator::start().unwrap();
        if let Some(prefix) = prefix {
            sim.set_prefix(prefix);
        }
        let entry = format!(
            "[providers.gl]\nkind = \"gitlab\"\nbase_url = \"{}{base}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/portal\"]\nmapping = {{ project = \"acme/portal\", labels = [\"security\"] }}\n",
            sim.base_url()
        );
        retry_one(&entry, "gl", &sim);
        let sent = received(&sim);
        assert_eq!(sent.len(), 2, "a lookup, then a create: {sent:?}");
        for r in &sent {
            let path = r.split_once(' ').unwrap().1;
            assert!(path.starts_with(starts), "{base}: {r}");
            assert_eq!(path.matches("/api/v4").count(), 1, "{r}");
        }
        assert_eq!(sim.state().tickets.len(), 1);
    }
}

#[test]
fn azure_lookups_use_the_project_unless_a_team_is_mapped() {
    for team in [None, Some("Platform")] {
        let sim = Simulator::start().unwrap();
        // The project's default team was renamed from "SEC Team".
        sim.state().azure_team = Some("Platform".into());
        let team_key = team
            .map(|t| format!(", team = \"{t}\""))
            .unwrap_or_default();
        let entry = format!(
            "[providers.ado]\nkind = \"azure-devops\"\nbase_url = \"{}/acme\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"SEC\"]\nmapping = {{ project = \"SEC\", work_item_type = \"Bug\"{team_key} }}\n",
            sim.base_url()
        );
        retry_one(&entry, "ado", &sim);
        let wiql = match team {
            None => "POST /acme/SEC/_apis/wit/wiql",
            Some(_) => "POST /acme/SEC/Platform/_apis/wit/wiql",
        };
        let sent = received(&sim);
        assert_eq!(sent[0], wiql, "{sent:?}");
        assert!(!sent.iter().any(|r| r.contains("SEC%20Team")), "{sent:?}");
        assert_eq!(sim.state().tickets.len(), 1);
    }
}
