//! `completions SHELL`: the shell's hook into `ticket-export`'s completion (see `complete.rs`).

use clap::Args;
use clap_complete::Shell;

use super::Context;
use super::complete::BIN;
use crate::env_vars;
use crate::error::ExitStatus;

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export completions bash > ~/.local/share/bash-completion/completions/ticket-export\n  \
    ticket-export completions zsh > ~/.zfunc/_ticket-export    # with ~/.zfunc in $fpath\n  \
    ticket-export completions fish > ~/.config/fish/completions/ticket-export.fish\n  \
    source <(ticket-export completions bash)    # in ~/.bashrc; zsh: after compinit\n\n\
    At each TAB the script runs ticket-export (found on PATH): attempt ids, report ids and provider\n\
    keys come from the store and config in use. Write a saved script again after upgrading."
)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `shell` to `out`: the shell's hook that calls
/// `ticket-export` back on every TAB (see `complete.rs`).
pub fn completion_script(shell: Shell, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let name = shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let Some(hook) = shells.completer(&name) else {
        return Err(std::io::Error::other(format!(
            "clap_complete has no completion hook for {name}"
        )));
    };
    let mut script = Vec::new();
    hook.write_registration(env_vars::COMPLETE, BIN, BIN, BIN, &mut script)?;
    if shell == Shell::Zsh {
        script = autoloadable_zsh(script)?;
    }
    out.write_all(&script)
}

/// clap_complete's zsh hook only registers its function (`compdef`), which suits
/// `source <(ticket-export completions zsh)` but leaves the first TAB empty when the file is
/// installed as `_ticket-export` in `$fpath`: compinit then runs the file as the completion
/// function itself. Called that way, it now completes at once, as zsh's own files do.
fn autoloadable_zsh(script: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let function = format!("_clap_dynamic_completer_{}", BIN.replace('-', "_"));
    let register = format!("compdef {function} {BIN}");
    let text = String::from_utf8(script).map_err(std::io::Error::other)?;
    if !text.contains(&register) {
        return Err(std::io::Error::other(format!(
            "clap_complete's zsh hook no longer ends with `{register}`; update autoloadable_zsh"
        )));
    }
    let either = format!(
        "if [[ \"${{funcstack[1]}}\" == \"_{BIN}\" ]]; then\n    {function} \"$@\"\nelse\n    {register}\nfi"
    );
    Ok(text.replace(&register, &either).into_bytes())
}

/// Runs `completions`.
pub fn run_completions(args: CompletionsArgs, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    // `--json` prints JSON only, here too: the script as a string, for tools that install it.
    if ctx.printer.settings.json {
        let mut script = Vec::new();
        completion_script(args.shell, &mut script)?;
        ctx.printer.json(&serde_json::json!({
            "shell": format!("{:?}", args.shell).to_lowercase(),
            "script": String::from_utf8_lossy(&script),
        }))?;
        return Ok(ExitStatus::Ok);
    }
    let mut out = std::io::stdout().lock();
    completion_script(args.shell, &mut out)?;
    Ok(ExitStatus::Ok)
}
