//! The config never echoes a secret: a token under a wrong key, or pasted where a variable's
//! name belongs, is refused with its key and position, never shown, and never stored.

use ticket_export::simulator::Simulator;

use crate::support::{Env, attempts_file, write_sim_config};

/// A token with no provider prefix, so only the rules themselves can catch it.
const PASTED: &str = "x7kq2m4n5p6r7s2t3v4w5y6z7a2b3c4d5e6f7g2h3i4j5k6l7mno";

fn entry(sim: &Simulator, auth: &str, extra: &str) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ {auth} }}\n{extra}owned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    )
}

fn assert_unseen(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = PASTED.chars().collect();
    for piece in chars.windows(8) {
        let piece: String = piece.iter().collect();
        assert!(
            !text.contains(&piece),
            "{what}: {piece:?} is shown:\n{text}"
        );
    }
}

/// Was: `token_env = "<token>"` passed as a variable name; `settings check` printed
/// "environment variable <token> is not set" and stored it in provider health, and `retry`
/// stored it in the append-only events. And `headers = { Authorization = "…" }` was quoted
/// whole in the TOML error.
#[test]
fn a_pasted_token_in_the_config_is_refused_unshown_and_never_stored() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    write_sim_config(
        &env,
        "self-hosted",
        &entry(&sim, "token_file = \"sim.token\"", ""),
    );
    env.cmd()
        .arg("import")
        .arg(attempts_file(&env, "gh", 2, Some("PROVIDER_AUTH_FAILED")))
        .assert()
        .success();
    let before = env.dump();
    let bad = [
        (
            entry(&sim, &format!("token_env = \"{PASTED}\""), ""),
            "auth.token_env must be the NAME",
        ),
        (
            entry(
                &sim,
                "token_file = \"sim.token\"",
                &format!("headers = {{ Authorization = \"Bearer {PASTED}\" }}\n"),
            ),
            "line 7, column 1: unknown field `headers`",
        ),
        (
            entry(
                &sim,
                &format!("token_file = \"sim.token\", access_token = \"{PASTED}\""),
                "",
            ),
            "unknown field `access_token`",
        ),
    ];
    for (config, said) in bad {
        std::fs::write(env.config(), format!("mode = \"self-hosted\"\n{config}")).unwrap();
        for args in [
            vec!["settings", "check"],
            vec!["--json", "settings", "check"],
            vec!["retry", "--all"],
            vec!["--json", "inspect"],
            vec!["sync", "--all"],
        ] {
            let out = env.cmd().args(&args).env(PASTED, "x").output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}: a config problem");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(said), "{args:?}: {stderr}");
            assert_unseen(&format!("{args:?} stdout"), &out.stdout);
            assert_unseen(&format!("{args:?} stderr"), &out.stderr);
        }
    }
    assert_eq!(env.dump(), before, "nothing was recorded");
    for file in ["store.sqlite3", "store.sqlite3-wal"] {
        assert_unseen(
            file,
            &std::fs::read(env.path().join(file)).unwrap_or_default(),
        );
    }
    assert_eq!(sim.request_count(), 0, "nothing was sent");
}
