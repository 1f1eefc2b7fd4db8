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
