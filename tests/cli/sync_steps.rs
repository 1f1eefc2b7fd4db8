//! A closed ticket that must close the other way (a resolved finding later marked a false
//! positive, or an accepted risk later fixed): Jira has no transition from Done to Done with
//! another resolution, so sync reopens first, and an interruption between the two writes leaves
//! a plain push for the next run, not a conflict.

use ticket_export::simulator::{Fault, Matcher, SIM_USER, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn jira() -> (Env, Simulator, std::path::PathBuf) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.jira-sec]\nkind = \"jira\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\", user_file = \"sim.user\" }}\nowned = [\"SEC\"]\nmapping = {{ project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let user = env.path().join("sim.user");
    std::fs::write(&user, SIM_USER).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&user, std::fs::Permissions::from_mode(0o600)).unwrap();
    let file = attempts_file(&env, "jira-sec", 1, None);
    env.cmd().arg("import").arg(&file).assert().success();
    env.cmd().args(["retry", "--all"]).assert().success();
    (env, sim, file)
}

/// Imports a newer export (a later `exported_at` each time) with the finding in `status`: an
/// undated one would not move a closed status that sync confirmed.
fn set_status(env: &Env, file: &std::path::Path, status: &str) {
    static EXPORTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = EXPORTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 28 + 1;
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    doc["reports"][0]["findings"][0]["status"] = status.into();
    let mut report = serde_json::Map::new();
    report.insert(
        "exported_at".into(),
        format!("2026-10-{n:02}T00:00:00Z").into(),
    );
    report.extend(doc["reports"][0].as_object().unwrap().clone());
    doc["reports"][0] = report.into();
    let path = env.path().join(format!("{status}.json"));
    std::fs::write(&path, doc.to_string()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
}

fn sync(env: &Env, now: &str) -> (Option<i32>, serde_json::Value) {
    let out = env
        .cmd()
        .env("TICKET_EXPORT_NOW", now)
        .args(["--json", "sync", "--all"])
        .output()
        .unwrap();
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or_default();
    (out.status.code(), first)
}

fn remote(sim: &Simulator) -> (String, serde_json::Value) {
    let state = sim.state();
    let t = &state.tickets[0];
    (t.state.clone(), t.extra["resolution"].clone())
}

#[test]
fn a_done_ticket_is_reopened_then_closed_as_wont_fix_and_back() {
    let (env, sim, file) = jira();
    set_status(&env, &file, "resolved");
    assert_eq!(sync(&env, "2026-11-29T12:01:00Z").1["outcome"], "pushed");
    assert_eq!(remote(&sim), ("Done".into(), "Done".into()));
    set_status(&env, &file, "false_positive");
    let (code, item) = sync(&env, "2026-11-29T12:02:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "{item}"
    );
    assert_eq!(remote(&sim), ("Done".into(), "Won't Do".into()));
    set_status(&env, &file, "resolved");
    let (code, item) = sync(&env, "2026-11-29T12:03:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "{item}"
    );
    assert_eq!(remote(&sim).1, "Done");
}

#[test]
fn an_interruption_between_reopen_and_close_is_finished_by_the_next_run() {
    let (env, sim, file) = jira();
    set_status(&env, &file, "resolved");
    assert_eq!(sync(&env, "2026-11-29T12:01:00Z").1["outcome"], "pushed");
    set_status(&env, &file, "accepted_risk");
    // The reopen goes through; the close after it fails.
    sim.fail(
        Matcher::new("POST", "/transitions").after(1),
        Fault::status(503, &[], "{}"),
        1,
    );
    let (code, item) = sync(&env, "2026-11-29T12:02:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(4), Some("failed")),
        "{item}"
    );
    assert_eq!(remote(&sim).0, "To Do", "reopened, not yet closed");
    let (code, item) = sync(&env, "2026-11-29T12:05:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "a plain push, not a conflict: {item}"
    );
    assert_eq!(remote(&sim), ("Done".into(), "Won't Do".into()));
}

#[test]
fn a_push_whose_answer_was_lost_is_not_taken_for_a_conflict_later() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "gh", 1, None);
    env.cmd().arg("import").arg(&file).assert().success();
    env.cmd().args(["retry", "--all"]).assert().success();
    set_status(&env, &file, "accepted_risk");
    // The close as won't fix lands, but its answer is lost.
    sim.fail(Matcher::new("PATCH", "/issues/"), Fault::LoseResponse, 1);
    let (_, item) = sync(&env, "2026-11-29T12:01:00Z");
    assert_eq!(item["outcome"], "failed", "{item}");
    assert_eq!(sim.state().tickets[0].extra["state_reason"], "not_planned");
    // The finding changes again before the next sync: only the finding changed since the
    // tool's own (unconfirmed) write, so it is pushed.
    set_status(&env, &file, "resolved");
    let (code, item) = sync(&env, "2026-11-29T12:05:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "not a conflict: {item}"
    );
    assert_eq!(sim.state().tickets[0].extra["state_reason"], "completed");
}

#[test]
fn every_kind_moves_a_closed_ticket_between_done_and_wont_fix() {
    use ticket_export::providers::NormalState;
    for (key, entry) in crate::sync::kinds() {
        let l = crate::sync::Linked::new(key, &entry, 1);
        let ticket = l.ticket("tex_0001");
        for (status, expected) in [
            ("resolved", NormalState::Done),
            ("false_positive", NormalState::WontFix),
            ("resolved", NormalState::Done),
        ] {
            l.set_finding_status(status);
            let (code, lines) = l.sync(&["--all"]);
            assert_eq!(
                (code, lines[0]["outcome"].as_str()),
                (Some(0), Some("pushed")),
                "{key} {status}: {lines:?}"
            );
            let now = l.client().read_status(&ticket).unwrap().normal;
            assert_eq!(now, expected, "{key} {status}");
        }
    }
}

#[test]
fn an_asana_close_stopped_between_its_two_writes_leaves_no_conflict() {
    use ticket_export::providers::NormalState;
    let (key, entry) = crate::sync::kinds()
        .into_iter()
        .find(|(k, _)| *k == "asana")
        .unwrap();
    let l = crate::sync::Linked::new(key, &entry, 1);
    let ticket = l.ticket("tex_0001");
    let client = l.client();
    // Closing as won't fix takes two writes (section, completion): the second one fails.
    l.sim
        .fail(Matcher::any().after(1), Fault::status(503, &[], "{}"), 1);
    assert!(client.write_status(&ticket, NormalState::WontFix).is_err());
    assert_eq!(
        client.read_status(&ticket).unwrap().normal,
        NormalState::Open,
        "as it was (incomplete reads open in any section), not half closed as done"
    );
    l.set_finding_status("accepted_risk");
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "{lines:?}"
    );
    assert_eq!(
        client.read_status(&ticket).unwrap().normal,
        NormalState::WontFix
    );
}

#[test]
fn a_lost_push_then_a_failed_one_still_leaves_a_plain_push() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "gh", 1, None);
    env.cmd().arg("import").arg(&file).assert().success();
    env.cmd().args(["retry", "--all"]).assert().success();
    set_status(&env, &file, "resolved");
    // The close lands, its answer is lost.
    sim.fail(Matcher::new("PATCH", "/issues/"), Fault::LoseResponse, 1);
    assert_eq!(sync(&env, "2026-11-29T12:01:00Z").1["outcome"], "failed");
    // The finding is reclassified; the next push fails before reaching the provider.
    set_status(&env, &file, "false_positive");
    sim.fail(
        Matcher::new("PATCH", "/issues/"),
        Fault::status(503, &[], "{}"),
        1,
    );
    assert_eq!(sync(&env, "2026-11-29T12:05:00Z").1["outcome"], "failed");
    let (code, item) = sync(&env, "2026-11-29T12:10:00Z");
    assert_eq!(
        (code, item["outcome"].as_str()),
        (Some(0), Some("pushed")),
        "the first push's landing is remembered: {item}"
    );
    assert_eq!(sim.state().tickets[0].extra["state_reason"], "not_planned");
}
