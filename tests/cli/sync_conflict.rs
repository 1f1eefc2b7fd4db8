//! A sync conflict has a way out, and every command agrees on it: `sync` exits 3 and changes
//! neither side, `inspect` (detail and summary) and `retry --dry-run` call the link blocked with
//! the next step `sync ID --prefer local|remote`, and `--prefer` applies the chosen side, logged
//! with who chose. Through the real binary against the simulator.

use ticket_export::providers::NormalState;

use crate::sync::{Linked, kinds};

/// Two linked attempts with both findings resolved: tex_0001's ticket was closed as won't fix
/// meanwhile (a conflict), tex_0002's as done (the sides agree). One `sync --all` has run.
fn conflicted(key: &'static str, entry: &str) -> Option<Linked> {
    let l = Linked::new(key, entry, 2);
    let client = l.client();
    let moved = client
        .write_status(&l.ticket("tex_0001"), NormalState::WontFix)
        .unwrap();
    if moved.normal != NormalState::WontFix {
        return None; // This kind cannot tell won't fix from done: no conflict to make.
    }
    client
        .write_status(&l.ticket("tex_0002"), NormalState::Done)
        .unwrap();
    l.set_finding_status("resolved");
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(code, Some(3), "{key}: {lines:?}");
    let outcome = |id: &str| {
        lines
            .iter()
            .find(|l| l["ticket_export_id"] == id)
            .map(|l| l["outcome"].as_str().unwrap().to_owned())
    };
    assert_eq!(outcome("tex_0001").as_deref(), Some("conflict"), "{key}");
    assert_eq!(outcome("tex_0002").as_deref(), Some("converged"), "{key}");
    Some(l)
}

fn decision(l: &Linked, id: &str) -> (Option<i32>, serde_json::Value) {
    let out = l
        .env
        .cmd()
        .args(["--json", "inspect", id])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), doc["attempt"]["decision"].clone())
}

/// inspect, inspect --summary, retry --dry-run and sync, on one conflicted store.
fn all_agree_it_is_blocked(l: &Linked, key: &str) {
    let (code, d) = decision(l, "tex_0001");
    assert_eq!(
        (code, d["state"].as_str()),
        (Some(3), Some("blocked")),
        "{key}: {d}"
    );
    let next = d["next_step"].as_str().unwrap();
    assert!(
        next.contains("`ticket-export sync tex_0001 --prefer local`")
            && next.contains("`ticket-export sync tex_0001 --prefer remote`"),
        "{key}: {next}"
    );
    // The agreeing link is not caught up in it.
    let (code, d) = decision(l, "tex_0002");
    assert_eq!(code, Some(0), "{key}: {d}");
    // The summary groups the conflicted link apart from a plain sync failure: blocked.
    let out = l.env.cmd().args(["inspect", "--summary"]).output().unwrap();
    let summary = String::from_utf8_lossy(&out.stdout).to_string();
    let row = summary
        .lines()
        .find(|r| r.starts_with("code\tTICKET_STATUS_SYNC_FAILED\t"))
        .unwrap_or_else(|| panic!("{key}: {summary}"));
    assert_eq!(
        row, "code\tTICKET_STATUS_SYNC_FAILED\t0\t1\t0\t0\t1",
        "{key}: {summary}"
    );
    assert_eq!(out.status.code(), Some(3), "{key}");
    // retry --dry-run refuses it as blocked, not "ready".
    let out = l
        .env
        .cmd()
        .args(["retry", "--dry-run", "tex_0001"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("refused") && text.contains("blocked"),
        "{key}: {text}"
    );
    assert!(!text.contains("ready"), "{key}: {text}");
    assert_eq!(out.status.code(), Some(3), "{key}: {text}");
    // sync alone finds the same conflict again: exit 3, nothing written.
    let writes = l.writes();
    let (code, lines) = l.sync(&["tex_0001"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(3), Some("conflict")),
        "{key}"
    );
    assert!(
        lines[0]["detail"]
            .as_str()
            .unwrap()
            .contains("--prefer local"),
        "{key}"
    );
    assert_eq!(l.writes(), writes, "{key}");
}

fn events(l: &Linked, id: &str) -> Vec<String> {
    let out = l
        .env
        .cmd()
        .args(["--json", "inspect", id])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn prefer_local_pushes_the_finding_and_every_command_agrees_before_and_after() {
    let mut tried = Vec::new();
    for (key, entry) in kinds() {
        let Some(l) = conflicted(key, &entry) else {
            continue;
        };
        tried.push(key);
        all_agree_it_is_blocked(&l, key);
        let writes = l.writes();
        let out = l
            .env
            .cmd()
            .env("USER", "alice")
            .args(["--json", "sync", "tex_0001", "--prefer", "local"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{key}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let line: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap())
                .unwrap();
        assert_eq!(line["outcome"], "pushed", "{key}: {line}");
        assert!(l.writes() > writes, "{key}: the ticket was moved");
        let remote = l.client().read_status(&l.ticket("tex_0001")).unwrap();
        assert_eq!(remote.normal, NormalState::Done, "{key}");
        let log = events(&l, "tex_0001");
        assert!(
            log.iter().any(|d| d.contains("--prefer local by alice")
                && d.contains("was overridden by the finding's done")),
            "{key}: {log:?}"
        );
        // Resolved: no longer blocked, and the next sync has nothing to do.
        let (code, d) = decision(&l, "tex_0001");
        assert_eq!(code, Some(0), "{key}: {d}");
        let writes = l.writes();
        let (code, lines) = l.sync(&["--all"]);
        assert_eq!(code, Some(0), "{key}: {lines:?}");
        assert!(
            lines
                .iter()
                .filter(|l| l.get("ticket_export_id").is_some())
                .all(|l| l["outcome"] == "unchanged"),
            "{key}: {lines:?}"
        );
        assert_eq!(l.writes(), writes, "{key}");
    }
    assert!(
        tried.contains(&"gh") && tried.contains(&"jira-sec"),
        "{tried:?}"
    );
}

#[test]
fn prefer_remote_records_the_ticket_and_sends_nothing() {
    let (key, entry) = kinds().swap_remove(0);
    let l = conflicted(key, &entry).unwrap();
    let writes = l.writes();
    let out = l
        .env
        .cmd()
        // Cron-like: no USER, only LOGNAME names who chose.
        .env("LOGNAME", "bob")
        .args(["sync", "tex_0001", "--prefer", "remote"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(l.writes(), writes, "nothing is sent for --prefer remote");
    let log = events(&l, "tex_0001");
    assert!(
        log.iter().any(|d| d.contains("--prefer remote by bob")
            && d.contains("the finding's done was overridden")),
        "{log:?}"
    );
    assert_eq!(decision(&l, "tex_0001").0, Some(0));
    let (code, lines) = l.sync(&["--all"]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert_eq!(l.writes(), writes);
}

#[test]
fn prefer_is_for_named_attempts_only() {
    let (key, entry) = kinds().swap_remove(0);
    let l = Linked::new(key, &entry, 1);
    for args in [
        &["sync", "--all", "--prefer", "local"][..],
        &["sync", "--report", "rep_1", "--prefer", "remote"],
        &[
            "sync",
            "tex_0001",
            "--prefer",
            "local",
            "--direction",
            "pull",
        ],
        &["sync", "tex_0001", "--prefer", "both"],
    ] {
        let out = l.env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // On a link without a conflict it changes nothing: a plain sync.
    let writes = l.writes();
    let (code, lines) = l.sync(&["tex_0001", "--prefer", "local"]);
    assert_eq!(
        (code, lines[0]["outcome"].as_str()),
        (Some(0), Some("unchanged"))
    );
    assert_eq!(l.writes(), writes);
}
