//! `-v` shows the conversation with providers, and `--color always` colours piped output
//! (issue 12 point 15).

use ticket_export::simulator::{SIM_TOKEN, Simulator};

use crate::support::Env;

fn setup() -> (Env, Simulator) {
    // The GitHub store the duplicate-guard tests use: 2 attempts at `gh` on the simulator.
    crate::duplicate_guard::setup(2, Some("TICKET_EXPORT_DELIVERY_FAILED"), |_, _| {})
}

/// The `http:` lines of stderr.
fn exchanges(out: &std::process::Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains(SIM_TOKEN),
        "the token was printed:\n{stderr}"
    );
    stderr
        .lines()
        .filter(|l| l.starts_with("http: "))
        .map(str::to_owned)
        .collect()
}

/// `http: METHOD /path STATUS (N ms)`.
fn well_formed(line: &str) -> bool {
    let words: Vec<&str> = line.split(' ').collect();
    words.len() == 6
        && words[2].starts_with('/')
        && !words[2].contains('?')
        && words[3].parse::<u16>().is_ok()
        && words[4].trim_start_matches('(').parse::<u64>().is_ok()
        && words[5] == "ms)"
}

#[test]
fn verbose_retry_sync_and_check_show_each_request_without_the_token() {
    let (env, sim) = setup();
    let out = env
        .cmd()
        .args(["-v", "retry", "tex_0001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = exchanges(&out);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("http: POST /repos/acme/shop/issues 201 (")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| well_formed(l)), "{lines:#?}");
    // One line per request the simulator received, and the one create it records.
    assert_eq!(lines.len(), sim.request_count(), "{lines:#?}");
    assert_eq!(sim.state().tickets.len(), 1);

    let before = sim.request_count();
    let out = env.cmd().args(["-v", "sync", "--all"]).output().unwrap();
    let lines = exchanges(&out);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| well_formed(l)), "{lines:#?}");
    assert_eq!(lines.len(), sim.request_count() - before, "{lines:#?}");

    let before = sim.request_count();
    let out = env
        .cmd()
        .args(["-v", "settings", "check"])
        .output()
        .unwrap();
    let lines = exchanges(&out);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| well_formed(l)), "{lines:#?}");
    assert_eq!(lines.len(), sim.request_count() - before, "{lines:#?}");
    assert_eq!(sim.state().tickets.len(), 1, "nothing else was created");
}

#[test]
fn without_verbose_no_request_is_logged() {
    let (env, sim) = setup();
    let out = env.cmd().args(["retry", "tex_0001"]).output().unwrap();
    assert!(sim.request_count() > 0);
    assert!(exchanges(&out).is_empty());
    // `-q` wins over `-v`: a cron job asked for silence.
    let out = env
        .cmd()
        .args(["-q", "-v", "settings", "check"])
        .output()
        .unwrap();
    assert!(exchanges(&out).is_empty());
}

#[test]
fn color_always_colours_piped_output_even_with_no_color() {
    let env = Env::new().with_demo_store();
    // The test environment sets NO_COLOR=1; an explicit flag wins (no-color.org).
    let piped = env
        .cmd()
        .args(["--color", "always", "inspect", "--state", "blocked"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&piped.stdout);
    assert!(stdout.contains("\x1b[31mblocked\x1b[0m"), "{stdout}");
    for args in [
        &["inspect", "--state", "blocked"][..],
        &["--color", "auto", "inspect", "--state", "blocked"],
    ] {
        let out = env.cmd().args(args).output().unwrap();
        assert!(!out.stdout.contains(&0x1b), "{args:?}");
    }
    // JSON is never coloured.
    let json = env
        .cmd()
        .args([
            "--color", "always", "--json", "inspect", "--state", "blocked",
        ])
        .output()
        .unwrap();
    assert!(!json.stdout.contains(&0x1b));
    serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap();
}
