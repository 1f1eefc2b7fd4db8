//! CLI tests: one test binary (fast to link on a 2-core CI), one module per command.

mod completions;
mod fallback;
mod fallback_formats;
mod help;
mod import;
mod inspect;
mod log;
mod partial_create;
mod reports;
mod retry;
mod retry_killed;
mod secrets;
mod settings;
mod settings_init;
mod support;
mod sync;
mod sync_cooldown;
mod sync_pull;
mod sync_steps;
