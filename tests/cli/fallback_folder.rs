//! Where fallback files go by default (issue 12, point 18): the data folder, beside the default
//! store, never the config folder. Files an earlier version wrote beside the config are not
//! moved; a writing run says once where they are, and `settings path` shows them.

use std::path::PathBuf;

use crate::support::{Env, attempts_file};

/// A store with one attempt, and no config file: every default applies, as in a first cron run.
fn bare(env: &Env) {
    let file = attempts_file(env, "gh", 1, Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE"));
    env.cmd().arg("import").arg(file).assert().success();
}

fn data_out(env: &Env) -> PathBuf {
    env.path().join(".local/share/ticket-export/ticket-exports")
}

fn earlier_out(env: &Env) -> PathBuf {
    env.path().join(".config/ticket-export/ticket-exports")
}

fn settings_path(env: &Env) -> serde_json::Value {
    let out = env
        .cmd()
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_default_folder_is_in_the_data_folder_and_settings_path_says_so() {
    let env = Env::new();
    bare(&env);
    assert!(!env.config().exists());
    let paths = settings_path(&env);
    assert_eq!(paths["out_dir"], data_out(&env).display().to_string());
    assert_eq!(paths["earlier_out_dir"], serde_json::Value::Null);
    let out = env.run(env.cmd().args(["fallback", "--yes", "tex_0001"]));
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(data_out(&env).join("rep_1/rep_1.csv").is_file(), "{out}");
    assert!(
        !env.path().join(".config").exists(),
        "nothing in the config folder"
    );
    assert!(
        !out.contains("earlier"),
        "no earlier folder, no note: {out}"
    );
    // XDG_DATA_HOME moves it with the store's default.
    let xdg = env.path().join("xdg-data");
    let out = env
        .cmd()
        .env("XDG_DATA_HOME", &xdg)
        .args(["--json", "settings", "path"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["out_dir"],
        xdg.join("ticket-export/ticket-exports")
            .display()
            .to_string()
    );
}

#[test]
fn a_config_that_names_out_dir_keeps_it_relative_to_its_folder() {
    let env = Env::new();
    std::fs::write(
        env.config(),
        "mode = \"cloud\"\n[fallback]\nout_dir = \"handover\"\n",
    )
    .unwrap();
    assert_eq!(
        settings_path(&env)["out_dir"],
        env.path().join("handover").display().to_string()
    );
}

#[test]
fn files_in_the_earlier_default_folder_stay_and_are_named_once() {
    let env = Env::new();
    bare(&env);
    let old = earlier_out(&env).join("rep_old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("rep_old.csv"), "the customer's earlier files\n").unwrap();
    let paths = settings_path(&env);
    assert_eq!(
        paths["earlier_out_dir"],
        earlier_out(&env).display().to_string()
    );
    let text = env.run(env.cmd().args(["settings", "path"]));
    assert!(
        text.contains("earlier\t[TMP]/.config/ticket-export/ticket-exports\t"),
        "{text}"
    );

    // A dry run says it but does not count as having said it.
    let dry = env.run(env.cmd().args(["fallback", "--dry-run", "tex_0001"]));
    assert!(
        dry.contains("earlier versions wrote them to [TMP]/.config/ticket-export/ticket-exports"),
        "{dry}"
    );
    let first = env.run(env.cmd().args(["--quiet", "fallback", "--yes", "tex_0001"]));
    assert!(first.starts_with("exit: 0\n"), "{first}");
    assert!(
        first.contains("earlier versions wrote them to [TMP]/.config/ticket-export/ticket-exports")
            && first.contains("were not moved"),
        "said even under --quiet, since a person must know: {first}"
    );
    let second = env.run(env.cmd().args(["fallback", "--yes", "tex_0001"]));
    assert!(second.starts_with("exit: 0\n"), "{second}");
    assert!(!second.contains("earlier versions"), "said once: {second}");
    // Nothing was moved or touched, and the new files are in the data folder.
    assert_eq!(
        std::fs::read_to_string(old.join("rep_old.csv")).unwrap(),
        "the customer's earlier files\n"
    );
    assert!(!earlier_out(&env).join("rep_1").exists());
    assert!(data_out(&env).join("rep_1/SHA256SUMS").is_file());
}
