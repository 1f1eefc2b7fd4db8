//! Scrub, then cut: a provider that echoes the token anywhere in a long error message, in any
//! encoding, never gets any piece of it printed (text or `--json`) or stored (events, provider
//! health). Was: the message was cut at 200 characters before the scrub, so a token straddling
//! the cut survived minus its last characters.

use base64::Engine as _;
use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

/// Every piece of eight characters of every form of the token a provider could echo.
fn pieces() -> Vec<String> {
    let forms = [
        SIM_TOKEN.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!(":{SIM_TOKEN}")),
    ];
    forms
        .iter()
        .flat_map(|f| {
            let chars: Vec<char> = f.chars().collect();
            chars
                .windows(8)
                .map(|w| w.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn echo(offset: usize, upper: bool) -> Fault {
    let token = if upper {
        SIM_TOKEN.to_ascii_uppercase()
    } else {
        SIM_TOKEN.to_owned()
    };
    let filler = "x ".repeat(offset / 2) + &"x".repeat(offset % 2);
    let body = serde_json::json!({ "message": format!("{filler}{token} is not a valid token") });
    Fault::status(
        401,
        &[("content-type", "application/json")],
        &body.to_string(),
    )
}

#[test]
fn a_token_at_any_offset_around_the_cut_is_never_shown_or_stored() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    let entry = format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n",
        sim.base_url()
    );
    write_sim_config(&env, "self-hosted", &entry);
    // Around the old cut (200 characters of the message) and the new one (400 of the detail,
    // start and end kept), one character at a time where the old cut was.
    let offsets: Vec<usize> = (170..=205).chain((206..=460).step_by(7)).collect();
    let file = attempts_file(&env, "gh", offsets.len(), None);
    env.cmd().arg("import").arg(&file).assert().success();
    let pieces = pieces();
    let assert_clean = |what: &str, bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        for piece in &pieces {
            assert!(
                !text.contains(piece.as_str())
                    && !text.contains(piece.to_ascii_uppercase().as_str()),
                "{what}: {piece:?} is shown:\n{text}"
            );
        }
    };
    for (i, offset) in offsets.iter().enumerate() {
        let upper = i % 3 == 2;
        sim.clear_faults();
        sim.fail(Matcher::any(), echo(*offset, upper), 100);
        for args in [
            vec!["--json", "settings", "check"],
            vec!["settings", "check"],
        ] {
            let out = env.cmd().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(3), "{args:?} at {offset}");
            assert_clean(&format!("{args:?} at {offset}"), &out.stdout);
            assert_clean(&format!("{args:?} at {offset}"), &out.stderr);
        }
        let id = format!("tex_{:04}", i + 1);
        let retry = env.cmd().args(["--json", "retry", &id]).output().unwrap();
        assert_eq!(retry.status.code(), Some(3), "retry at {offset}");
        assert!(
            String::from_utf8_lossy(&retry.stdout).contains("[redacted]"),
            "the echo reached the detail: {}",
            String::from_utf8_lossy(&retry.stdout)
        );
        assert_clean(&format!("retry at {offset}"), &retry.stdout);
        let inspect = env.cmd().args(["--json", "inspect", &id]).output().unwrap();
        assert_clean(&format!("inspect at {offset}"), &inspect.stdout);
    }
    let dump = env.dump();
    assert!(dump.contains("provider_health: gh|auth_failed"), "{dump}");
    assert_clean("the store (events, provider_health)", dump.as_bytes());
    for file in ["store.sqlite3", "store.sqlite3-wal"] {
        assert_clean(
            file,
            &std::fs::read(env.path().join(file)).unwrap_or_default(),
        );
    }
    assert!(sim.state().tickets.is_empty(), "nothing was created");
}
