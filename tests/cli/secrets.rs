//! A provider that echoes the credential back (a careless proxy, a verbose error page) must not
//! make any command print it or store it: `retry`, `sync` and `settings check` alike.

use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn echoing_401() -> Fault {
    Fault::status(
        401,
        &[("content-type", "application/json")],
        &format!(r#"{{"message":"Bad credentials: token {SIM_TOKEN} was not accepted"}}"#),
    )
}

fn assert_nowhere(env: &Env, outputs: &[&std::process::Output]) {
    for out in outputs {
        for bytes in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(SIM_TOKEN), "the token was printed:\n{text}");
        }
    }
    for file in ["store.sqlite3", "store.sqlite3-wal"] {
        let bytes = std::fs::read(env.path().join(file)).unwrap_or_default();
        assert!(
            !bytes
                .windows(SIM_TOKEN.len())
                .any(|w| w == SIM_TOKEN.as_bytes()),
            "the token is in {file}"
        );
    }
}

#[test]
fn an_echoed_token_never_reaches_sync_or_settings_check_output_or_the_store() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    let file = attempts_file(&env, "gh", 2, None);
    env.cmd().arg("import").arg(&file).assert().success();
    env.cmd().args(["retry", "--all"]).assert().success();
    sim.fail(Matcher::any(), echoing_401(), 1);
    let sync = env.cmd().args(["sync", "--all"]).output().unwrap();
    assert_eq!(sync.status.code(), Some(3));
    sim.fail(Matcher::any(), echoing_401(), 1);
    let json = env
        .cmd()
        .args(["--json", "sync", "--all"])
        .output()
        .unwrap();
    sim.fail(Matcher::any(), echoing_401(), 1);
    let check = env.cmd().args(["settings", "check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("[redacted]"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let inspect = env
        .cmd()
        .args(["--json", "inspect", "tex_0001"])
        .output()
        .unwrap();
    assert_nowhere(&env, &[&sync, &json, &check, &inspect]);
}
