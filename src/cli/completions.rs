//! `completions SHELL` and `man`, generated from the clap definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Context};
use crate::error::ExitStatus;

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ticket-export completions bash > ~/.local/share/bash-completion/completions/ticket-export\n  \
    ticket-export completions zsh > \"${fpath[1]}/_ticket-export\""
)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print the man page (roff)
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  ticket-export man > ticket-export.1 && man ./ticket-export.1")]
pub struct ManArgs {}

/// Writes the completion script for `shell` to `out`.
pub fn completion_script(shell: Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "ticket-export", out);
}

/// Runs `completions`.
pub fn run_completions(args: CompletionsArgs, _ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    completion_script(args.shell, &mut out);
    Ok(ExitStatus::Ok)
}

/// Runs `man`.
pub fn run_man(_args: ManArgs, _ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout().lock())?;
    Ok(ExitStatus::Ok)
}
