//! The duplicate guard end to end: no failure removes `TICKET_EXPORT_DUPLICATE_BLOCKED`, only a
//! person's `--allow-create` lifts it (and still looks up first), and a link conflict blocks
//! only its own attempt. Each test checks what the simulator received.

use ticket_export::simulator::{Fault, Matcher, SimTicket, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

pub fn github_entry(sim: &Simulator) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

/// `n` attempts at `gh`, each changed by `patch` (index, export) before the import.
pub fn setup(
    n: usize,
    code: Option<&str>,
    patch: impl Fn(usize, &mut serde_json::Value),
) -> (Env, Simulator) {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(&env, "self-hosted", &github_entry(&sim));
    let path = attempts_file(&env, "gh", n, code);
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for (i, export) in doc["reports"][0]["ticket_exports"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        patch(i, export);
    }
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    env.cmd().arg("import").arg(&path).assert().success();
    (env, sim)
}

/// One duplicate-blocked attempt whose known ticket is issue 77 of acme/shop.
fn known_ticket() -> (Env, Simulator) {
    setup(1, Some("TICKET_EXPORT_DUPLICATE_BLOCKED"), |_, e| {
        e["provider_response_code"] = 409.into();
        e["external_ticket_url"] = "https://github.com/acme/shop/issues/77".into();
        e["external_ticket_id"] = "77".into();
    })
}

pub fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `inspect ID --json`: the attempt's fields and `decision`, with its `events`.
pub fn inspect(env: &Env, id: &str) -> serde_json::Value {
    let out = env.cmd().args(["--json", "inspect", id]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut attempt = doc["attempt"].clone();
    attempt["events"] = doc["events"].clone();
    attempt
}

fn posts(sim: &Simulator) -> usize {
    sim.state()
        .requests
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

/// A ticket on the simulator that carries `id`'s fingerprint (label and body marker).
pub fn plant_ticket(env: &Env, sim: &Simulator, id: &str, number: &str) {
    let fp = inspect(env, id)["duplicate_fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    sim.state().tickets.push(SimTicket {
        kind: "github",
        destination: "acme/shop".into(),
        id: number.into(),
        title: "Found by a person".into(),
        body: format!(
            "Filed by hand.\n\n{}\n",
            ticket_export::fingerprint::body_marker(&fp)
        ),
        labels: vec!["security".into(), ticket_export::fingerprint::label(&fp)],
        state: "open".into(),
        extra: serde_json::json!({"state_reason": null}),
    });
}

#[test]
fn a_404_on_the_known_ticket_keeps_the_guard_and_waits_for_a_person() {
    let (env, sim) = known_ticket();
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let line = &json_lines(&out)[0];
    assert_eq!(
        line["provider_error_code"], "TICKET_EXPORT_DUPLICATE_BLOCKED",
        "{line}"
    );
    assert_eq!(line["provider_response_code"], 404);
    assert_eq!(
        line["external_ticket_url"],
        "https://github.com/acme/shop/issues/77"
    );
    let doc = inspect(&env, "tex_0001");
    assert_eq!(doc["decision"]["state"], "blocked", "{doc}");
    let next = doc["decision"]["next_step"].as_str().unwrap();
    assert!(
        next.contains("`ticket-export link tex_0001 URL`")
            && next.contains("`ticket-export retry tex_0001 --allow-create`"),
        "{next}"
    );
    let last = doc["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["http_status"], 404, "{last}");
    // Later runs, one attempt or all, send nothing more: the guard holds.
    let sent = sim.request_count();
    for args in [&["retry", "tex_0001"][..], &["retry", "--all"]] {
        let again = env.cmd().args(args).output().unwrap();
        assert_eq!(again.status.code(), Some(3), "{args:?}");
    }
    assert_eq!(sim.request_count(), sent, "refused: nothing sent");
    assert_eq!(posts(&sim), 0, "never a create");
    assert!(sim.state().tickets.is_empty());
}

#[test]
fn no_failure_of_the_update_removes_the_guard() {
    let cases: [(&str, Fault, Option<&str>); 5] = [
        (
            "503",
            Fault::status(503, &[], "{}"),
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "502 after sending",
            Fault::status(502, &[], "{}"),
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "lost answer",
            Fault::LoseResponse,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "429",
            Fault::status(429, &[("retry-after", "120")], "{}"),
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "401",
            Fault::status(401, &[], r#"{"message":"Bad credentials"}"#),
            None,
        ),
    ];
    for (name, fault, wait) in cases {
        let (env, sim) = known_ticket();
        plant_ticket(&env, &sim, "tex_0001", "77");
        sim.fail(Matcher::new("PATCH", "/issues/77"), fault, 5);
        let out = env
            .cmd()
            .args(["--json", "retry", "tex_0001"])
            .output()
            .unwrap();
        let line = &json_lines(&out)[0];
        assert_eq!(
            line["provider_error_code"], "TICKET_EXPORT_DUPLICATE_BLOCKED",
            "{name}: {line}"
        );
        assert_eq!(line["retry_after"].as_str(), wait, "{name}: {line}");
        let doc = inspect(&env, "tex_0001");
        let events = doc["events"].as_array().unwrap();
        assert!(
            events.iter().any(|e| e["detail"]
                .as_str()
                .unwrap()
                .contains("TICKET_EXPORT_DUPLICATE_BLOCKED kept")),
            "{name}: {doc}"
        );
        // The next runs, after any wait, update the ticket again; never create one.
        sim.clear_faults();
        let later = env
            .cmd()
            .env("TICKET_EXPORT_NOW", "2026-11-29T12:06:00Z")
            .args(["--json", "retry", "--all"])
            .output()
            .unwrap();
        let lines = json_lines(&later);
        assert_eq!(posts(&sim), 0, "{name}: never a create: {lines:?}");
        assert_eq!(sim.state().tickets.len(), 1, "{name}");
    }
}

#[test]
fn allow_create_is_refused_for_a_batch_and_without_a_terminal() {
    let (env, sim) = known_ticket();
    env.cmd().args(["retry", "tex_0001"]).assert().code(3);
    let sent = sim.request_count();
    for args in [
        &["retry", "--all", "--allow-create"][..],
        &["retry", "--report", "rep_1", "--allow-create", "--yes"],
        &["retry", "tex_0001", "--allow-create"],
    ] {
        let out = env.run(env.cmd().args(args));
        assert!(out.starts_with("exit: 2\n"), "{args:?}: {out}");
        assert!(
            out.contains("applies only to the ids you name")
                || out.contains("no terminal to ask on"),
            "{args:?}: {out}"
        );
    }
    // On a terminal, anything but "yes" sends nothing.
    let out = env.run(
        env.cmd()
            .env("TICKET_EXPORT_TTY", "1")
            .args(["retry", "tex_0001", "--allow-create"])
            .write_stdin("no\n"),
    );
    assert!(
        out.starts_with("exit: 3\n") && out.contains("not confirmed"),
        "{out}"
    );
    assert!(out.contains("Allow a create for tex_0001?"), "{out}");
    assert_eq!(sim.request_count(), sent, "nothing sent");
}

#[test]
fn allow_create_confirmed_on_a_terminal_looks_up_then_creates_once_and_is_logged() {
    let (env, sim) = known_ticket();
    env.cmd().args(["retry", "tex_0001"]).assert().code(3);
    let out = env
        .cmd()
        .env("TICKET_EXPORT_TTY", "1")
        .env("USER", "alice")
        .args(["--json", "retry", "tex_0001", "--allow-create"])
        .write_stdin("yes\n")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_lines(&out)[0]["outcome"], "created");
    let methods: Vec<String> = sim
        .state()
        .requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path.split('?').next().unwrap()))
        .collect();
    assert_eq!(
        methods,
        [
            "PATCH /repos/acme/shop/issues/77",
            "GET /repos/acme/shop/issues",
            "POST /repos/acme/shop/issues"
        ],
        "the override still looked up first"
    );
    let doc = inspect(&env, "tex_0001");
    let override_event = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["outcome"] == "override")
        .unwrap()
        .clone();
    let detail = override_event["detail"].as_str().unwrap();
    assert!(
        detail.contains("--allow-create by alice (confirmed on the terminal)")
            && detail.contains("https://github.com/acme/shop/issues/77"),
        "{detail}"
    );
    assert_eq!(override_event["at"], crate::support::NOW);
    // Done: a second override finds nothing to lift.
    let again = env.run(
        env.cmd()
            .args(["retry", "tex_0001", "--allow-create", "--yes"]),
    );
    assert!(again.contains("refused"), "{again}");
    assert_eq!(posts(&sim), 1, "exactly one ticket");
}

#[test]
fn allow_create_links_a_ticket_the_lookup_finds_instead_of_creating() {
    let (env, sim) = known_ticket();
    env.cmd().args(["retry", "tex_0001"]).assert().code(3);
    plant_ticket(&env, &sim, "tex_0001", "78");
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001", "--allow-create", "--yes"])
        .output()
        .unwrap();
    let line = &json_lines(&out)[0];
    assert_eq!(line["outcome"], "linked", "{line}");
    assert_eq!(
        line["external_ticket_url"],
        "https://github.com/acme/shop/issues/78"
    );
    assert_eq!(posts(&sim), 0, "found, so never created");
}

#[test]
fn a_ticket_linked_to_another_finding_blocks_only_that_attempt() {
    let (env, sim) = setup(3, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {});
    env.cmd().args(["retry", "tex_0001"]).assert().success();
    // tex_0002's lookup will "find" tex_0001's ticket: it carries tex_0002's label and marker.
    let fp2 = inspect(&env, "tex_0002")["duplicate_fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    {
        let mut state = sim.state();
        let t = &mut state.tickets[0];
        t.labels.push(ticket_export::fingerprint::label(&fp2));
        t.body.push_str(&format!(
            "\n{}\n",
            ticket_export::fingerprint::body_marker(&fp2)
        ));
    }
    for run in 0..2 {
        let out = env
            .cmd()
            .args(["--json", "retry", "--all", "--concurrency", "1"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "run {run}: blocked, not a store failure: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        sim.state().tickets.len(),
        2,
        "tex_0003 created; tex_0002 never"
    );
    let doc = inspect(&env, "tex_0002");
    assert_eq!(
        doc["export_status"], "failed",
        "never left in_flight: {doc}"
    );
    assert_eq!(
        doc["provider_error_code"],
        "TICKET_EXPORT_DUPLICATE_BLOCKED"
    );
    assert_eq!(doc["external_ticket_id"], serde_json::Value::Null);
    assert!(
        doc["decision"]["why"]
            .as_str()
            .unwrap()
            .contains("linked to tex_0001"),
        "{doc}"
    );
    assert_eq!(inspect(&env, "tex_0003")["export_status"], "exported");
}

#[test]
fn a_sync_failure_on_a_duplicate_keeps_the_guard() {
    let (env, sim) = known_ticket();
    let out = env
        .cmd()
        .args(["--json", "sync", "tex_0001"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = inspect(&env, "tex_0001");
    assert_eq!(
        doc["provider_error_code"], "TICKET_EXPORT_DUPLICATE_BLOCKED",
        "{doc}"
    );
    assert_eq!(doc["status_sync_status"], "failed");
    assert_eq!(posts(&sim), 0);
}
