//! `demo`: the newcomer's first run, with no account anywhere.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Context;
use crate::config::Config;
use crate::error::ExitStatus;
use crate::store::Store;

/// The committed demo import file: several reports, every failure code, every triage state.
pub const DEMO_REPORT: &str = include_str!("../../examples/demo-report.json");

/// Build a demo store and config and show the whole flow, with no account anywhere
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export demo\n  ticket-export demo --dir /tmp/te-demo\n\n\
    The demo writes only inside DIR and rebuilds its store on every run."
)]
pub struct DemoArgs {
    /// Where to write the demo config, store and files [default: demo/ in the user's data folder]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs `demo`.
pub fn run(args: DemoArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let dir = args
        .dir
        .unwrap_or_else(|| crate::paths::default_demo_dir(&ctx.ambient));
    let dir = std::fs::create_dir_all(&dir)
        .and_then(|()| dir.canonicalize())
        .map_err(|e| {
            crate::error::UsageError::new(
                format!("cannot use {} as the demo folder", dir.display()),
                e.to_string(),
                "name a folder that can be created and written with --dir",
            )
        })?;
    let config_path = dir.join("config.toml");
    let store_path = dir.join("store.sqlite3");
    // The providers of the demo are a simulator on loopback: real requests, no account.
    let sim = crate::simulator::Simulator::start()?;
    write_demo_config(&dir, &config_path, &sim.base_url())?;
    for suffix in ["", "-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", store_path.display()));
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    // The demo's fallback set is rebuilt too, so every run shows the same thing.
    let demo_set = dir.join("ticket-exports").join("rep_2051");
    for name in ["rep_2051.csv", "rep_2051.md", "rep_2051.json", "SHA256SUMS"] {
        match std::fs::remove_file(demo_set.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    ctx.config_path = config_path.clone();
    ctx.config_named = true;
    ctx.store_path = store_path.clone();
    let config = Config::load(&config_path, true)?;
    let mut store = Store::open(&store_path)?;
    let counts = crate::import::import(
        &mut store,
        &config,
        &ctx.ambient,
        DEMO_REPORT.as_bytes(),
        "examples/demo-report.json",
    )?;
    let p = &mut ctx.printer;
    p.prose(&format!("demo folder: {}\n", dir.display()))?;
    p.prose(&format!(
        "1. imported examples/demo-report.json: {} attempts over {} providers",
        counts.attempts_created,
        config.providers.len()
    ))?;
    p.prose("\n2. triage summary (ticket-export inspect --summary):")?;
    let mut assessor = crate::assess::Assessor::new(&config, &ctx.ambient, &store)?;
    super::inspect_summary::run(ctx, &store, &mut assessor, &Default::default())?;
    ctx.printer
        .prose("\n3. every attempt with its decision (ticket-export inspect):")?;
    let list = super::inspect::InspectArgs {
        id: None,
        report: None,
        provider: None,
        code: None,
        state: None,
        limit: None,
        summary: false,
    };
    super::inspect::run(list, ctx)?;
    super::demo_flow::run(ctx, &config, &sim, 4)?;
    ctx.printer.prose(
        "\n6. portable files for the attempt triage sends to fallback (ticket-export fallback tex_9014):",
    )?;
    // Only the attempt whose NEXT is fallback: files are final, and the demo teaches no
    // one-way move on an attempt that retry could still deliver.
    let fallback = super::fallback::FallbackArgs {
        ids: vec!["tex_9014".into()],
        report: None,
        all_blocked: false,
        format: crate::portable::PortableFormat::ALL.to_vec(),
        preset: crate::portable::CsvPreset::Generic,
        out: None,
        dry_run: false,
        schema: false,
        // tex_9014's NEXT is fallback, so nothing needs a confirmation.
        yes: false,
    };
    super::fallback::run(fallback, ctx)?;
    ctx.printer.prose(&format!(
        "   the CSV, Markdown and JSON files and their SHA256SUMS are in {}",
        config.fallback.out_dir.join("rep_2051").display()
    ))?;
    let env = format!(
        "TICKET_EXPORT_CONFIG={} TICKET_EXPORT_STORE={}",
        shell_quote(&config_path),
        shell_quote(&store_path)
    );
    ctx.printer.prose(&format!(
        "\nnext, try:\n  export {env}\n  ticket-export inspect tex_9003        # one attempt: reason, decision, history\n  \
         ticket-export inspect --state blocked # what needs a person\n  ticket-export --json inspect --summary\n  \
         ticket-export fallback --all-blocked --dry-run   # which portable files would be written"
    ))?;
    Ok(ExitStatus::Ok)
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Writes the demo config and its credential files (0600), which only the simulator accepts.
fn write_demo_config(dir: &Path, config_path: &Path, base: &str) -> anyhow::Result<()> {
    use crate::simulator::{SIM_TOKEN, SIM_USER, SIM_WEBHOOK_SECRET};
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens)?;
    for (name, value) in [
        ("jira", SIM_TOKEN),
        ("github", SIM_TOKEN),
        ("gitlab", SIM_TOKEN),
        ("linear", SIM_TOKEN),
        ("clickup", SIM_TOKEN),
        ("webhook", SIM_WEBHOOK_SECRET),
        ("jira-user", SIM_USER),
    ] {
        let path = tokens.join(name);
        std::fs::write(&path, format!("{value}\n"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    std::fs::write(config_path, DEMO_CONFIG.replace("{base}", base))?;
    Ok(())
}

const DEMO_CONFIG: &str = r#"# Demo config written by `ticket-export demo`. Every provider is the loopback simulator
# of that run (self-hosted mode, plain http allowed); the credentials under tokens/ are the
# simulator's, not a real account's.
mode = "self-hosted"

[fallback]
out_dir = "ticket-exports"
after = "24h"

[providers.jira-sec]
kind = "jira"
base_url = "{base}"
allow_http = true
auth = { user_file = "tokens/jira-user", token_file = "tokens/jira" }
owned = ["SEC"]
[providers.jira-sec.mapping]
project = "SEC"
issue_type = "Bug"
labels = ["webriskops"]
priority = { critical = "Highest", high = "High", medium = "Medium", low = "Low" }

[providers.gh-shop]
kind = "github"
base_url = "{base}"
allow_http = true
auth = { token_file = "tokens/github" }
owned = ["acme/shop"]
mapping = { repo = "acme/shop", labels = ["security"] }

[providers.gitlab-portal]
kind = "gitlab"
base_url = "{base}"
allow_http = true
auth = { token_file = "tokens/gitlab" }
owned = ["acme/portal"]
mapping = { project = "acme/portal", labels = ["security"] }

[providers.linear-web]
kind = "linear"
base_url = "{base}"
allow_http = true
auth = { token_file = "tokens/linear" }
owned = ["SEC"]
mapping = { team = "SEC" }

[providers.clickup-ops]
kind = "clickup"
base_url = "{base}"
allow_http = true
auth = { token_file = "tokens/clickup" }
owned = ["901100200300"]
mapping = { list = "901100200300" }

[providers.hooks]
kind = "webhook"
base_url = "{base}/hooks/webriskops"
allow_http = true
auth = { secret_file = "tokens/webhook" }
owned = ["127.0.0.1"]
"#;
