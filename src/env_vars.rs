//! Every environment variable the program reads, in one place so the docs can list them.

/// Path of the SQLite store (same as `--store`).
pub const STORE: &str = "TICKET_EXPORT_STORE";
/// Path of the TOML config (same as `--config`).
pub const CONFIG: &str = "TICKET_EXPORT_CONFIG";
/// Overrides the clock (RFC 3339), for tests and audits.
pub const NOW: &str = "TICKET_EXPORT_NOW";
/// Any non-empty value turns colour off (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";
/// Forces terminal output (`1`) or piped output (`0`), for tests and screenshots.
pub const TTY: &str = "TICKET_EXPORT_TTY";
/// Set by the completion scripts to the shell's name: the program then answers a TAB (the words
/// follow `--`) or prints the script for that shell, and runs no command.
pub const COMPLETE: &str = "TICKET_EXPORT_COMPLETE";
/// Base of the default config folder on Linux and macOS.
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Base of the default data folder (the store) on Linux and macOS.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// The user's home folder, when the XDG variables are unset.
pub const HOME: &str = "HOME";
/// The login name, recorded in the history when `retry --allow-create` lifts a duplicate guard.
pub const USER: &str = "USER";
/// The login name where `USER` is unset.
pub const LOGNAME: &str = "LOGNAME";

/// Variables named by the config (`token_env`, `user_env`, `secret_env`) are read too; their
/// names are the user's choice and their values are only ever held as a `Secret`.
pub const ALL: &[(&str, &str)] = &[
    (STORE, "path of the SQLite store (same as --store)"),
    (CONFIG, "path of the TOML config (same as --config)"),
    (
        NOW,
        "RFC 3339 time used instead of the clock, for tests and audits",
    ),
    (NO_COLOR, "any non-empty value turns colour off"),
    (
        TTY,
        "1 forces terminal tables, 0 forces tab-separated output (tests)",
    ),
    (
        COMPLETE,
        "set by the completion scripts to the shell's name to ask for candidates; never set it yourself",
    ),
    (
        XDG_CONFIG_HOME,
        "base of the default config folder (Linux, macOS)",
    ),
    (
        XDG_DATA_HOME,
        "base of the default store folder (Linux, macOS)",
    ),
    (HOME, "home folder, when the XDG variables are unset"),
    (
        USER,
        "login name recorded when retry --allow-create lifts a duplicate guard",
    ),
    (LOGNAME, "login name, when USER is unset"),
];
