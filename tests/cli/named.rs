//! One rule for every command: an attempt id, report or provider key that names nothing in the
//! store or config is exit 2, with the close matches and where to list them, and nothing is
//! sent or written.

use ticket_export::simulator::Simulator;

use crate::support::Env;

/// A store of three attempts of report rep_1 for provider `gh`, imported with the simulator
/// configured as `gh`, the attempts synced-linked so `sync` has work.
fn setup() -> (Env, Simulator) {
    // The GitHub store the duplicate-guard tests use: 3 attempts at `gh` on the simulator.
    crate::duplicate_guard::setup(3, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {})
}

/// Runs `args`, and checks exit 2, that each of `expect` is in the output, that the
/// simulator received nothing and that the store did not change.
fn refused(env: &Env, sim: &Simulator, args: &[&str], expect: &[&str]) {
    let before = env.dump();
    let out = env.run(env.cmd().args(args));
    assert!(out.starts_with("exit: 2\n"), "{args:?}: {out}");
    for e in expect {
        assert!(out.contains(e), "{args:?}: no {e:?} in {out}");
    }
    assert_eq!(sim.request_count(), 0, "{args:?} sent a request");
    assert_eq!(env.dump(), before, "{args:?} changed the store");
}

const REPORTS: &str = "list them with `ticket-export reports`";
const IDS: &str = "list them with `ticket-export inspect`";
const PROVIDERS: &str = "`ticket-export settings path` shows which file";

#[test]
fn an_unknown_report_is_exit_2_for_every_command() {
    let (env, sim) = setup();
    for cmd in [
        &["retry", "--report", "rep_l"][..],
        &["retry", "--report", "rep_l", "--dry-run"],
        &["sync", "--report", "rep_l"],
        &["sync", "--report", "rep_l", "--dry-run"],
        &["fallback", "--report", "rep_l"],
        &["inspect", "--report", "rep_l"],
        &["log", "--report", "rep_l"],
    ] {
        refused(
            &env,
            &sim,
            cmd,
            &[
                "--report \"rep_l\" names nothing",
                "did you mean rep_1?",
                REPORTS,
            ],
        );
    }
    assert!(!env.path().join("ticket-exports").exists());
}

#[test]
fn an_unknown_id_is_exit_2_for_every_command() {
    let (env, sim) = setup();
    for cmd in [
        &["retry", "tex_0001", "tex_0009"][..],
        &["retry", "tex_0009", "--dry-run"],
        &["sync", "tex_0009"],
        &["fallback", "tex_0009"],
        &["inspect", "tex_0009"],
    ] {
        refused(
            &env,
            &sim,
            cmd,
            &[
                "no attempt \"tex_0009\" in the store",
                "did you mean tex_0001",
                IDS,
            ],
        );
    }
}

#[test]
fn an_unknown_provider_is_exit_2_for_inspect_log_and_settings_check() {
    let (env, sim) = setup();
    for cmd in [
        &["inspect", "--provider", "gj"][..],
        &["log", "--provider", "gj"],
    ] {
        refused(
            &env,
            &sim,
            cmd,
            &[
                "--provider \"gj\" names nothing",
                "did you mean gh?",
                PROVIDERS,
            ],
        );
    }
    // settings check probes configured providers only.
    refused(
        &env,
        &sim,
        &["settings", "check", "gj"],
        &[
            "no provider \"gj\" in the config",
            "did you mean gh?",
            PROVIDERS,
        ],
    );
    // Far from every name: no guess, still where to list them.
    let out = env.run(env.cmd().args(["inspect", "--provider", "zzzzzzzz"]));
    assert!(
        out.starts_with("exit: 2\n") && !out.contains("did you mean"),
        "{out}"
    );
}

#[test]
fn filters_that_name_something_but_match_nothing_say_what_the_store_holds() {
    let (env, _sim) = setup();
    // A provider in the config with no attempt is a name, so an empty list, exit 0; the
    // message does not tell a store of three attempts to import some.
    let out = env.run(
        env.cmd()
            .args(["inspect", "--provider", "gh", "--code", "none"]),
    );
    assert!(out.starts_with("exit: 0\n"), "{out}");
    assert!(
        out.contains("no attempts match these filters together; the store holds 3"),
        "{out}"
    );
    assert!(!out.contains("import some"), "{out}");
}
