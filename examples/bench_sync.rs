//! The sync benchmark of BENCHMARKS.md: N linked tickets spread over three providers that list
//! in pages (GitHub, GitLab, Jira Cloud), simulator latency per answer, then `sync --all` when
//! nothing changed, when 5% changed on the provider (pull), and when 5% of findings were
//! resolved (push). Reports requests per provider and wall time against the ideal: listing
//! pages run one after another per provider, item requests at the chosen concurrency, and the
//! providers side by side, so ideal = max over providers of
//! (pages + item requests / concurrency) x latency.
//!
//! `cargo build --release && cargo run --release --example bench_sync -- [N] [LATENCY_MS] [CONCURRENCY]`

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::providers::http::{Http, Timeouts};
use ticket_export::providers::{NormalState, client_for};
use ticket_export::simulator::{SIM_TOKEN, SIM_USER, Simulator};

const PROVIDERS: [(&str, &str, &str); 3] = [
    (
        "gh",
        "/repos/",
        "kind = \"github\"\nmapping = { repo = \"acme/shop\", labels = [\"security\"] }\nowned = [\"acme/shop\"]",
    ),
    (
        "gl",
        "/api/v4/",
        "kind = \"gitlab\"\nmapping = { project = \"acme/portal\", labels = [\"security\"] }\nowned = [\"acme/portal\"]",
    ),
    (
        "jira",
        "/rest/",
        "kind = \"jira\"\nmapping = { project = \"SEC\", issue_type = \"Bug\", labels = [\"webriskops\"] }\nowned = [\"SEC\"]",
    ),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(5000);
    let latency_ms: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(20);
    let concurrency: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(8);
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
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::start().unwrap();
    setup(dir.path(), &sim, n, &bin);
    if std::env::var_os("BENCH_PROBE").is_some() {
        sim.set_latency(Duration::from_millis(latency_ms));
        println!(
            "probe: {} (simulator {})",
            dir.path().display(),
            sim.base_url()
        );
        std::thread::sleep(Duration::from_secs(600));
    }
    let c = concurrency.to_string();
    let sync = ["sync", "--all", "--concurrency", c.as_str()];
    // A first sync records every link's baseline, as the first cron run after delivery would.
    run(&bin, dir.path(), &sync);
    sim.set_latency(Duration::from_millis(latency_ms));
    println!(
        "| case | tickets | requests (gh / gl / jira) | tickets per request | wall time | ideal | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    measure("nothing changed", &sim, n, latency_ms, concurrency, || {
        run(&bin, dir.path(), &sync)
    });
    sim.set_latency(Duration::ZERO);
    change_remote(dir.path(), &sim, n / 20);
    sim.set_latency(Duration::from_millis(latency_ms));
    measure(
        "5% changed on the provider (pull)",
        &sim,
        n,
        latency_ms,
        concurrency,
        || run(&bin, dir.path(), &sync),
    );
    resolve_findings(dir.path(), &bin, n / 20);
    measure(
        "5% of findings resolved (push)",
        &sim,
        n,
        latency_ms,
        concurrency,
        || run(&bin, dir.path(), &sync),
    );
}

fn measure(
    case: &str,
    sim: &Simulator,
    n: usize,
    latency_ms: u64,
    c: u64,
    f: impl FnOnce() -> Option<i32>,
) {
    let before = sim.request_count();
    let start = Instant::now();
    let code = f();
    let wall = start.elapsed();
    let state = sim.state();
    let requests = &state.requests[before..];
    let mut per = Vec::new();
    let mut ideal = Duration::ZERO;
    for (_, prefix, _) in PROVIDERS {
        let mine: Vec<_> = requests
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect();
        let pages = mine
            .iter()
            .filter(|r| r.query.contains("page=") || r.path.contains("search"))
            .count() as u64;
        let items = mine.len() as u64 - pages;
        ideal = ideal.max(Duration::from_millis(
            latency_ms * pages + latency_ms * items.div_ceil(c),
        ));
        per.push(mine.len().to_string());
    }
    println!(
        "| {case} | {n} | {} ({}) | {:.0} | {:.2} s | {:.2} s | {:.2}x |",
        requests.len(),
        per.join(" / "),
        n as f64 / requests.len().max(1) as f64,
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        wall.as_secs_f64() / ideal.as_secs_f64().max(0.001)
    );
    assert!(matches!(code, Some(0)), "sync exited {code:?}");
}

fn setup(dir: &Path, sim: &Simulator, n: usize, bin: &Path) {
    let secret = |name: &str, value: &str| {
        std::fs::write(dir.join(name), value).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
    };
    secret("sim.token", SIM_TOKEN);
    secret("sim.user", SIM_USER);
    let mut config = String::from("mode = \"self-hosted\"\n");
    for (key, _, entry) in PROVIDERS {
        config.push_str(&format!(
            "[providers.{key}]\nbase_url = \"{}\"\nallow_http = true\nauth = {{ token_file = \"sim.token\", user_file = \"sim.user\" }}\n{entry}\n",
            sim.base_url()
        ));
    }
    std::fs::write(dir.join("config.toml"), config).unwrap();
    std::fs::write(dir.join("import.json"), import_doc(n, "open").to_string()).unwrap();
    run(bin, dir, &["import", "import.json"]);
    assert_eq!(
        run(bin, dir, &["retry", "--all", "--concurrency", "16"]),
        Some(0)
    );
}

fn import_doc(n: usize, status: &str) -> serde_json::Value {
    let findings: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"finding_id": format!("f{i}"), "rule_id": "xss", "title": format!("XSS {i}"), "severity": "high", "url": format!("https://shop.example/p/{i}"), "status": status}))
        .collect();
    let exports: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"ticket_export_id": format!("t{i:05}"), "finding_id": format!("f{i}"), "provider_key": PROVIDERS[i % 3].0, "export_status": "pending", "mapping_status": "complete"}))
        .collect();
    serde_json::json!({"schema_version": 1, "reports": [{"report_id": "r", "title": "Bench", "target": "https://shop.example", "findings": findings, "ticket_exports": exports}]})
}

/// Someone closes `count` tickets on the providers.
fn change_remote(dir: &Path, _sim: &Simulator, count: usize) {
    let config = Config::load(&dir.join("config.toml"), true).unwrap();
    let vars = [("SIM_TOKEN".to_owned(), SIM_TOKEN.to_owned())].into();
    let ambient = Ambient::new(vars, jiff::Timestamp::now()).unwrap();
    let http = Arc::new(Http::new(config.mode, Timeouts::default()));
    let store = ticket_export::store::Store::open(&dir.join("store.sqlite3")).unwrap();
    for i in 0..count {
        let attempt = store.attempt(&format!("t{i:05}")).unwrap().unwrap();
        let provider = config.provider(&attempt.provider_key).unwrap();
        let client = client_for(provider, http.clone(), &ambient).unwrap();
        client
            .write_status(
                attempt.external_ticket_id.as_deref().unwrap(),
                NormalState::Done,
            )
            .unwrap();
    }
}

/// The scanner resolves `count` findings; the next sync must close their tickets.
fn resolve_findings(dir: &Path, bin: &Path, count: usize) {
    let mut doc = import_doc(doc_len(dir), "open");
    for f in doc["reports"][0]["findings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .skip(count)
        .take(count)
    {
        f["status"] = "resolved".into();
    }
    std::fs::write(dir.join("resolved.json"), doc.to_string()).unwrap();
    run(bin, dir, &["import", "resolved.json"]);
}

fn doc_len(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("import.json")).unwrap();
    text.matches("\"ticket_export_id\"").count()
}

fn run(bin: &Path, dir: &Path, args: &[&str]) -> Option<i32> {
    Command::new(bin)
        .current_dir(dir)
        .env("TICKET_EXPORT_CONFIG", dir.join("config.toml"))
        .env("TICKET_EXPORT_STORE", dir.join("store.sqlite3"))
        .env("SIM_TOKEN", SIM_TOKEN)
        .args(["--quiet", "--json"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .code()
}
