//! The committed completion scripts are the ones `completions SHELL` prints (what they offer is
//! tested by running them, in completion_shells.rs).

use clap_complete::Shell;

use crate::support::Env;

#[test]
fn committed_completions_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    std::fs::create_dir_all(&dir).unwrap();
    let mut stale = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "ticket-export.bash"),
        (Shell::Zsh, "_ticket-export"),
        (Shell::Fish, "ticket-export.fish"),
        (Shell::Elvish, "ticket-export.elv"),
        (Shell::PowerShell, "_ticket-export.ps1"),
    ] {
        let mut fresh = Vec::new();
        ticket_export::cli::completion_script(shell, &mut fresh).unwrap();
        let path = dir.join(file);
        if std::fs::read(&path).ok().as_deref() != Some(&fresh[..]) {
            // Regenerate so the fix is one commit away, and fail so it is not forgotten.
            std::fs::write(&path, &fresh).unwrap();
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions were stale and have been regenerated; commit {stale:?}"
    );
}

#[test]
fn completions_command_prints_the_script() {
    let env = Env::new();
    let out = env.cmd().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut expected = Vec::new();
    ticket_export::cli::completion_script(Shell::Bash, &mut expected).unwrap();
    assert_eq!(out.stdout, expected);
}
