//! A run killed while its create is still on the way: the provider may process that request
//! after the next run has looked the ticket up and found nothing.

use std::time::{Duration, Instant};

use ticket_export::simulator::{Fault, Matcher, Simulator};

use crate::support::{Env, NOW, attempts_file, write_sim_config};

#[cfg(unix)]
#[test]
fn a_create_still_in_flight_from_a_killed_run_is_not_duplicated() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    env.cmd()
        .arg("import")
        .arg(attempts_file(&env, "gh", 1, None))
        .assert()
        .success();
    // The provider takes its time with the create: it lands after the run that sent it died.
    let slow = Duration::from_millis(1500);
    sim.fail(Matcher::new("POST", "/issues"), Fault::Slow(slow), 1);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ticket-export"))
        .env_clear()
        .env("HOME", env.path())
        .env("TICKET_EXPORT_NOW", NOW)
        .env("TICKET_EXPORT_CONFIG", env.config())
        .env("TICKET_EXPORT_STORE", env.store())
        .args(["retry", "--all"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let sent = Instant::now();
    while !sim.state().requests.iter().any(|r| r.method == "POST") {
        assert!(sent.elapsed() < Duration::from_secs(10), "no create sent");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // At once (same minute): the attempt is in flight from a dead run; nothing is sent for it.
    let out = env
        .cmd()
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(
        text.contains("stopped before recording an outcome"),
        "{text}"
    );
    assert_eq!(
        sim.state()
            .requests
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1,
        "no second create while the first may still land"
    );
    std::thread::sleep(slow);
    assert_eq!(sim.state().tickets.len(), 1, "the first create landed");
    // Five minutes after the dead run's claim: looked up, found, linked.
    let later = env
        .cmd()
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:05:00Z")
        .args(["--json", "retry", "--all"])
        .output()
        .unwrap();
    assert_eq!(
        later.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&later.stdout)
    );
    assert!(String::from_utf8_lossy(&later.stdout).contains("\"outcome\":\"linked\""));
    assert_eq!(sim.state().tickets.len(), 1, "exactly one ticket");
}
