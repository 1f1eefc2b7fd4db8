use crate::support::Env;

#[test]
fn settings_path_shows_the_paths_in_use() {
    let env = Env::new();
    insta::assert_snapshot!(env.run(env.cmd().args(["settings", "path"])));
    let out = env
        .cmd()
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["config"]["exists"], false);
    assert_eq!(doc["store"]["path"], env.store().display().to_string());
}

#[test]
fn default_paths_follow_xdg() {
    let env = Env::new();
    let out = env
        .cmd()
        .env_remove("TICKET_EXPORT_CONFIG")
        .env_remove("TICKET_EXPORT_STORE")
        .env("XDG_CONFIG_HOME", env.path().join("cfg"))
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = doc["config"]["path"].as_str().unwrap();
    assert!(
        config.ends_with("cfg/ticket-export/config.toml"),
        "{config}"
    );
    let store = doc["store"]["path"].as_str().unwrap();
    assert!(
        store.ends_with(".local/share/ticket-export/store.sqlite3"),
        "{store}"
    );
}

#[test]
fn a_config_that_is_a_directory_is_a_clear_error() {
    let env = Env::new();
    std::fs::create_dir(env.config()).unwrap();
    let out = env.run(env.cmd().args(["inspect"]));
    assert!(out.starts_with("exit: 2\n"), "{out}");
    assert!(out.contains("it is a directory, not a file"), "{out}");
}

#[test]
fn an_empty_path_variable_counts_as_unset() {
    // `TICKET_EXPORT_CONFIG= cmd` is how a shell clears a variable; clap alone refused the run
    // with "a value is required", even when `--config` was given.
    let env = Env::new();
    let named = env.path().join("named.toml");
    std::fs::write(&named, "").unwrap();
    let out = env
        .cmd()
        .env("TICKET_EXPORT_CONFIG", "")
        .arg("--config")
        .arg(&named)
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["config"]["path"], named.display().to_string());
    let out = env
        .cmd()
        .env("TICKET_EXPORT_CONFIG", "")
        .env("TICKET_EXPORT_STORE", "")
        .env("XDG_CONFIG_HOME", env.path().join("cfg"))
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = doc["config"]["path"].as_str().unwrap();
    assert!(
        config.ends_with("cfg/ticket-export/config.toml"),
        "{config}"
    );
    let store = doc["store"]["path"].as_str().unwrap();
    assert!(store.ends_with("ticket-export/store.sqlite3"), "{store}");
}

/// A provider in a stored cooldown gets no probe: the check says until when and why, and that
/// it is to be rerun after then (exit 4); a probe answered with a wait stores one.
#[test]
fn settings_check_sends_no_probe_during_a_stored_cooldown() {
    use ticket_export::simulator::{Fault, Matcher};
    let (key, entry) = crate::sync::kinds().swap_remove(0);
    let l = crate::sync::Linked::new(key, &entry, 1);
    l.sim.fail(
        Matcher::any(),
        Fault::status(429, &[("retry-after", "600")], "{}"),
        1,
    );
    let (code, _) = l.sync(&["--all"]);
    assert_eq!(code, Some(4), "the 429 is stored as gh's cooldown");
    let sent = l.sim.request_count();
    let out = l.env.run(l.env.cmd().args(["settings", "check", "gh"]));
    assert_eq!(l.sim.request_count(), sent, "no probe during the cooldown");
    assert!(out.starts_with("exit: 4\n"), "{out}");
    for part in [
        "gh\tgithub\tcooldown\tcooling down until 2026-11-29T12:10:00Z (",
        "429",
        "no probe sent; rerun `ticket-export settings check gh` after 2026-11-29T12:10:00Z",
    ] {
        assert!(out.contains(part), "{part:?} in {out}");
    }
    let json = l
        .env
        .cmd()
        .args(["--json", "settings", "check"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (doc["result"].as_str(), doc["retry_after"].as_str()),
        (Some("cooldown"), Some("2026-11-29T12:10:00Z"))
    );
    assert_eq!(l.sim.request_count(), sent);
    // Credentials are still checked: a missing one needs a person whatever the wait.
    let token = l.env.path().join("sim.token");
    let saved = std::fs::read(&token).unwrap();
    std::fs::remove_file(&token).unwrap();
    let out = l.env.run(l.env.cmd().args(["settings", "check", "gh"]));
    assert!(
        out.starts_with("exit: 3\n") && out.contains("\tcredential\t"),
        "{out}"
    );
    std::fs::write(&token, saved).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_eq!(l.sim.request_count(), sent);

    // After the wait the probe runs; when it is told to wait, that wait is stored too.
    let later = |now: &str| {
        l.env
            .cmd()
            .env("TICKET_EXPORT_NOW", now)
            .args(["settings", "check", "gh"])
            .output()
            .unwrap()
    };
    l.sim.fail(
        Matcher::any(),
        Fault::status(429, &[("retry-after", "300")], "{}"),
        1,
    );
    assert_eq!(later("2026-11-29T12:11:00Z").status.code(), Some(4));
    assert_eq!(l.sim.request_count(), sent + 1, "one probe, answered 429");
    let out = later("2026-11-29T12:12:00Z");
    assert_eq!(out.status.code(), Some(4), "stored until 12:16");
    assert_eq!(l.sim.request_count(), sent + 1);
    let out = later("2026-11-29T12:17:00Z");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
