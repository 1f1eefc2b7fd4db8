//! Runs the completion scripts of `ticket-export completions SHELL` in the real shells, the way a
//! person's TAB does, and returns what each would offer.
//!
//! bash: the script is sourced and the function it registered (read back from `complete -p`) is
//! called with `COMP_WORDS`/`COMP_CWORD`/`COMP_LINE`/`COMP_POINT` set as readline sets them.
//! zsh: an interactive `zsh -f -i` on a pseudo-terminal (`zpty`) loads `compinit` and the script,
//! receives the line and a TAB, and prints each match that the completion system adds
//! (`compadd` is wrapped to print its matches after zsh has filtered them).
//! fish: `complete -C LINE`, fish's own way of asking what TAB would offer.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Env;

/// A shell's answer takes well under a second; this only stops a hung shell from hanging CI.
const DEADLINE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    /// zsh with the script installed as `_ticket-export` in `$fpath` instead of sourced.
    ZshFpath,
    Fish,
}

impl Shell {
    pub fn program(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh | Shell::ZshFpath => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// Whether `shell` can run here. When it cannot, the test says so loudly and passes, except
/// under `CI=true` when `.ci/run` installs that shell: there, a missing shell is a broken CI.
pub fn available(shell: Shell) -> bool {
    let name = shell.program();
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    if !found {
        let ci_run = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run");
        let ci_installs = std::fs::read_to_string(ci_run)
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains("apt-get install") && l.split_whitespace().any(|w| w == name));
        assert!(
            !(ci_installs && std::env::var("CI").as_deref() == Ok("true")),
            "{name} is missing although .ci/run installs it: the completion test cannot run"
        );
        // Straight to stderr: the test harness hides what `eprintln!` prints in a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED ({shell:?}): {name} is not installed, so its completion script was NOT run. \
             Install it (apt-get install {name}) to run this test. ***\n"
        );
    }
    found
}

/// What TAB offers after `words` (the last one is the word being completed; "" for a new one),
/// in the order the shell lists it.
pub fn complete(env: &Env, shell: Shell, words: &[&str]) -> Vec<String> {
    let dir = env.path().join(format!("shell-{shell:?}"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join(match shell {
        Shell::Bash => "ticket-export.bash",
        Shell::Zsh => "ticket-export.zsh",
        // The name compinit looks for.
        Shell::ZshFpath => "_ticket-export",
        Shell::Fish => "ticket-export.fish",
    });
    if !script.exists() {
        let name = if shell == Shell::ZshFpath {
            "zsh"
        } else {
            shell.program()
        };
        let out = env.cmd().args(["completions", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        std::fs::write(&script, out.stdout).unwrap();
    }
    let line = words.join(" ");
    let mut cmd = shell_command(env, shell.program());
    match shell {
        Shell::Bash => {
            let driver = write(&dir, "drive.bash", BASH_DRIVER);
            cmd.arg(driver)
                .arg(&script)
                .arg("ticket-export")
                .args(words);
        }
        Shell::Zsh | Shell::ZshFpath => {
            let setup = write(&dir, "setup.zsh", ZSH_SETUP);
            let driver = write(&dir, "drive.zsh", ZSH_DRIVER);
            if shell == Shell::ZshFpath {
                cmd.env("TE_FPATH", &dir);
            } else {
                cmd.env("TE_SCRIPT", &script);
            }
            cmd.arg("-f")
                .arg(driver)
                .arg(setup)
                .arg(format!("ticket-export {line}"));
        }
        Shell::Fish => {
            cmd.args(["--no-config", "-c"]).arg(format!(
                "source {}; complete -C {}",
                fish_quote(&script.display().to_string()),
                fish_quote(&format!("ticket-export {line}"))
            ));
        }
    }
    let (code, stdout, stderr) = run_within(cmd, DEADLINE);
    assert_eq!(
        code,
        Some(0),
        "{shell:?} {line:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.trim().is_empty(),
        "completion printed on stderr ({shell:?} {line:?}): {stderr}"
    );
    let mut seen = Vec::new();
    for value in stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").trim())
    {
        if !value.is_empty() && !seen.iter().any(|s| s == value) {
            seen.push(value.to_owned());
        }
    }
    seen
}

/// A shell with the test environment's variables, and `ticket-export` first on `PATH`, since
/// the scripts call it back by name.
fn shell_command(env: &Env, program: &str) -> Command {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_ticket-export"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", path)
        .env("HOME", env.path())
        .env("TERM", "dumb")
        .env("TICKET_EXPORT_STORE", env.store())
        .current_dir(env.path());
    if env.config().exists() {
        cmd.env("TICKET_EXPORT_CONFIG", env.config());
    }
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn fish_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Runs `cmd` with no stdin, killing it past `deadline`.
pub fn run_within(mut cmd: Command, deadline: Duration) -> (Option<i32>, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (status.code(), out.join().unwrap(), err.join().unwrap())
}

const BASH_DRIVER: &str = r#"# bash drive.bash SCRIPT WORDS…: what TAB offers after WORDS (the last is being completed).
source "$1" || exit 3
shift
spec=$(complete -p ticket-export) || { echo "the script registered nothing for ticket-export" >&2; exit 3; }
fn=${spec#*-F }
fn=${fn%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
COMPREPLY=()
"$fn" ticket-export "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
(( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
"#;

const ZSH_SETUP: &str = r#"# Sourced by the interactive zsh on the pseudo-terminal: loads the completion system and the
# script under test, and prints each match TAB would offer instead of inserting it.
PS1='' PROMPT='' RPROMPT=''
[[ -n $TE_FPATH ]] && fpath=($TE_FPATH $fpath)
autoload -Uz compinit && compinit -u -D
[[ -n $TE_SCRIPT ]] && source $TE_SCRIPT
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
  # Calls that only query or filter matches go through untouched.
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"
    return
  fi
  local -a te_found
  builtin compadd -A te_found "$@"
  local m
  for m in $te_found; do print -r -- "te:candidate:$m"; done
}
te_done() { print -r -- "te:done"; exit }
comppostfuncs=(te_done)
bindkey '^I' complete-word
print -r -- "te:ready"
"#;

const ZSH_DRIVER: &str = r#"# zsh -f drive.zsh SETUP LINE: types LINE and a TAB into an interactive zsh on a pseudo-terminal.
zmodload zsh/zpty || exit 3
zpty te zsh -f -i
zpty -w te "source ${(q)1}"
local line deadline=$(( SECONDS + 30 ))
while (( SECONDS < deadline )); do
  zpty -r te line || continue
  [[ $line == *te:ready* ]] && break
done
zpty -w -n te "$2"$'\t'
while (( SECONDS < deadline )); do
  zpty -r te line || continue
  line=${line//$'\r'/}
  line=${line%$'\n'}
  # The terminal echoes the typed line, so a marker may follow it on the same line.
  [[ $line == *te:done* ]] && { zpty -d te; exit 0 }
  [[ $line == *te:candidate:* ]] && print -r -- ${line##*te:candidate:}
done
zpty -d te
print -u2 "zsh offered nothing within 30 s"
exit 2
"#;
