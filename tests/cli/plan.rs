//! `retry --dry-run` plans what the run will do (issue 12, point 11): the plan comes from the
//! client the run uses, so Jira Cloud plans `/rest/api/3`, not the Data Center paths.

use ticket_export::simulator::{SIM_USER, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

#[test]
fn a_jira_cloud_plan_names_the_paths_the_run_sends() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let user = env.path().join("sim.user");
    std::fs::write(&user, SIM_USER).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&user, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let entry = format!(
        "[providers.jira-sec]\nkind = \"jira\"\nbase_url = \"{}\"\nallow_http = true\n\
         auth = {{ token_file = \"sim.token\", user_file = \"sim.user\" }}\nowned = [\"SEC\"]\n\
         mapping = {{ project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "jira-sec", 1, None);
    env.cmd().arg("import").arg(file).assert().success();

    let plan = env.run(env.cmd().args(["retry", "--dry-run", "tex_0001"]));
    assert_eq!(sim.request_count(), 0, "a dry run sends nothing");
    let planned: Vec<String> = plan
        .split_whitespace()
        .filter(|w| w.starts_with("/rest/"))
        .map(|w| w.trim_end_matches([';', ',', ')']).to_owned())
        .collect();
    assert!(!planned.is_empty(), "{plan}");
    assert!(
        planned.iter().all(|p| p.starts_with("/rest/api/3/")),
        "Jira Cloud is planned on /rest/api/3: {plan}"
    );

    let out = env.run(env.cmd().args(["retry", "tex_0001"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    let sent: Vec<String> = sim
        .state()
        .requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for path in &planned {
        assert!(
            sent.iter()
                .any(|s| s.split(' ').nth(1) == Some(path.as_str())),
            "planned {path}, but the run sent {sent:?}\n{plan}"
        );
    }
}
