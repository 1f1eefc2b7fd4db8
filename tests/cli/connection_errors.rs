//! Say what really failed: a connection that fails names the host and the error kind and
//! points to the connection guide, and a wait the tool chose itself is never described as the
//! provider's (issue 12, point 10). A closed loopback port gives a refused connection; the
//! `.invalid` top-level domain never resolves (RFC 6761), so DNS fails without a network.

use crate::support::{Env, attempts_file, write_sim_config};
use crate::sync::{Linked, kinds};

/// A loopback port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn gitlab_entry(base: &str) -> String {
    format!(
        "[providers.gitlab]\nkind = \"gitlab\"\nbase_url = \"{base}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/portal\"]\nmapping = {{ project = \"acme/portal\", labels = [\"security\"] }}\n"
    )
}

fn unreachable_store(base: &str) -> Env {
    let env = Env::new();
    write_sim_config(&env, "self-hosted", &gitlab_entry(base));
    env.cmd()
        .arg("import")
        .arg(attempts_file(&env, "gitlab", 1, None))
        .assert()
        .success();
    env
}

/// What `retry` and then `inspect` say about the one attempt; `inspect` is read as JSON.
fn retry_then_inspect(env: &Env) -> (String, serde_json::Value) {
    let retried = env.run(env.cmd().args(["retry", "tex_0001"]));
    let out = env
        .cmd()
        .args(["--json", "inspect", "tex_0001"])
        .output()
        .unwrap();
    (retried, serde_json::from_slice(&out.stdout).unwrap())
}

fn assert_the_tools_wait(inspected: &serde_json::Value, what: &str) {
    let decision = &inspected["attempt"]["decision"];
    let why = decision["why"].as_str().unwrap();
    assert_eq!(decision["state"], "cooldown", "{what}: {decision}");
    assert!(!why.contains("asked"), "{what}: {why}");
    assert!(
        why.contains("its own backoff") && why.contains("the provider did not ask for this wait"),
        "{what}: {why}"
    );
    assert!(
        why.contains("no answer (a connection failure"),
        "{what}: {why}"
    );
    assert_eq!(
        decision["guide"], "Provider connection errors",
        "{what}: {decision}"
    );
}

#[test]
fn a_refused_connection_is_named_and_the_wait_is_the_tools() {
    let port = closed_port();
    let env = unreachable_store(&format!("http://127.0.0.1:{port}"));
    let (retried, inspected) = retry_then_inspect(&env);
    assert!(retried.starts_with("exit: 4\n"), "{retried}");
    assert!(
        retried.contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{retried}"
    );
    assert!(!retried.contains("asked"), "{retried}");
    assert_the_tools_wait(&inspected, "refused");
    // The human view says the same, and a second retry is held by the tool's wait.
    let shown = env.run(env.cmd().args(["inspect", "tex_0001"]));
    assert!(shown.contains("Provider connection errors"), "{shown}");
    assert!(!shown.contains("Webhook retries"), "{shown}");
    let again = env.run(env.cmd().args(["retry", "tex_0001", "--dry-run"]));
    assert!(!again.contains("asked"), "{again}");
}

#[test]
fn an_unresolvable_host_is_a_dns_error() {
    let env = unreachable_store("http://nonexistent.invalid");
    let (retried, inspected) = retry_then_inspect(&env);
    assert!(retried.starts_with("exit: 4\n"), "{retried}");
    assert!(
        retried.contains("DNS: the host name nonexistent.invalid does not resolve"),
        "{retried}"
    );
    assert_the_tools_wait(&inspected, "dns");
}

#[test]
fn sync_names_a_refused_connection_and_its_own_wait() {
    let (key, entry) = kinds().into_iter().find(|(k, _)| *k == "gitlab").unwrap();
    let linked = Linked::new(key, &entry, 1);
    let env = &linked.env;
    // The provider moves: the same config, its base URL now a closed port.
    let port = closed_port();
    let config = std::fs::read_to_string(env.config()).unwrap();
    let moved = config.replace(&linked.sim.base_url(), &format!("http://127.0.0.1:{port}"));
    assert_ne!(config, moved);
    std::fs::write(env.config(), moved).unwrap();
    let synced = env.run(env.cmd().args(["sync", "tex_0001"]));
    assert!(
        synced.contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{synced}"
    );
    assert!(!synced.contains("asked"), "{synced}");
    let out = env
        .cmd()
        .args(["--json", "inspect", "tex_0001"])
        .output()
        .unwrap();
    let inspected: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let why = inspected["attempt"]["decision"]["why"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!why.contains("asked"), "{why}");
    // The next sync is held by the tool's wait, and says whose it is.
    let again = env.run(env.cmd().args(["sync", "tex_0001"]));
    assert!(
        again.contains("the provider did not ask for this wait"),
        "{again}"
    );
    assert!(!again.contains("asked us to wait"), "{again}");
}
