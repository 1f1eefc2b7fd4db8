//! The retry benchmark of BENCHMARKS.md: N attempts against the simulator with a fixed latency
//! per request, run with `--concurrency 1` and `8`, against the ideal
//! (requests x latency / concurrency). Also checks zero duplicates and that nothing is sent
//! to a provider while its cooldown is active.
//!
//! `cargo build --release && cargo run --release --example bench_retry -- [N] [LATENCY_MS]`

use std::process::Command;
use std::time::{Duration, Instant};

use ticket_export::simulator::{Fault, Matcher, SIM_TOKEN, Simulator};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let latency_ms: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(20);
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("ticket-export");
    assert!(
        bin.exists(),
        "build the binary first: cargo build --release"
    );
    println!(
        "| concurrency | attempts | requests | wall time | ideal | ratio | tickets | duplicates |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for concurrency in [1, 8] {
        let dir = tempfile::tempdir().unwrap();
        let sim = Simulator::start().unwrap();
        setup(dir.path(), &sim, n, &bin);
        sim.set_latency(Duration::from_millis(latency_ms));
        let before = sim.request_count();
        let start = Instant::now();
        let status = run(
            &bin,
            dir.path(),
            &["retry", "--all", "--concurrency", &concurrency.to_string()],
        );
        let wall = start.elapsed();
        let requests = sim.request_count() - before;
        let ideal = Duration::from_millis(latency_ms * requests as u64 / concurrency);
        let state = sim.state();
        let mut labels: Vec<&str> = state
            .tickets
            .iter()
            .flat_map(|t| {
                t.labels
                    .iter()
                    .filter(|l| l.starts_with("fp-"))
                    .map(String::as_str)
            })
            .collect();
        let tickets = labels.len();
        labels.sort_unstable();
        labels.dedup();
        println!(
            "| {concurrency} | {n} | {requests} | {:.2} s | {:.2} s | {:.2}x | {tickets} | {} |",
            wall.as_secs_f64(),
            ideal.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64(),
            tickets - labels.len()
        );
        assert_eq!(status, Some(0));
    }
    // Cooldown: one 429 with a long Retry-After, then two more runs: nothing may be sent.
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::start().unwrap();
    setup(dir.path(), &sim, 50, &bin);
    sim.fail(
        Matcher::new("GET", "/issues"),
        Fault::status(429, &[("retry-after", "3600")], "{}"),
        1,
    );
    run(&bin, dir.path(), &["retry", "--all", "--concurrency", "1"]);
    let after_429 = sim.request_count();
    run(&bin, dir.path(), &["retry", "--all", "--concurrency", "8"]);
    run(&bin, dir.path(), &["retry", "--all", "--concurrency", "8"]);
    println!(
        "\nrequests sent during the cooldown by two further runs: {}",
        sim.request_count() - after_429
    );
}

fn setup(dir: &std::path::Path, sim: &Simulator, n: usize, bin: &std::path::Path) {
    let token = dir.join("sim.token");
    std::fs::write(&token, SIM_TOKEN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "mode = \"self-hosted\"\n[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\" }}\n",
            sim.base_url()
        ),
    )
    .unwrap();
    let findings: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"finding_id": format!("f{i}"), "rule_id": "xss", "title": format!("XSS {i}"), "severity": "high", "url": format!("https://shop.example/p/{i}")}))
        .collect();
    let exports: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"ticket_export_id": format!("t{i:05}"), "finding_id": format!("f{i}"), "provider_key": "gh", "export_status": "pending", "mapping_status": "complete"}))
        .collect();
    let doc = serde_json::json!({"schema_version": 1, "reports": [{"report_id": "r", "title": "Bench", "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]});
    std::fs::write(dir.join("import.json"), doc.to_string()).unwrap();
    let _ = bin;
    run(bin, dir, &["import", "import.json"]);
}

fn run(bin: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> Option<i32> {
    Command::new(bin)
        .current_dir(dir)
        .env("TICKET_EXPORT_CONFIG", dir.join("config.toml"))
        .env("TICKET_EXPORT_STORE", dir.join("store.sqlite3"))
        .env("TICKET_EXPORT_NOW", "2026-11-29T12:00:00Z")
        .args(["--quiet", "--json"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .code()
}
