//! CLI tests: one test binary (fast to link on a 2-core CI), one module per command.

mod completion_shells;
mod completions;
mod duplicate_guard;
mod fallback;
mod fallback_formats;
mod fallback_guard;
mod help;
mod hostile_text;
mod import;
mod inspect;
mod man;
mod partial_create;
mod planted_secrets;
mod retry;
mod retry_killed;
mod secrets;
mod settings;
mod shells;
mod support;
mod sync;
mod sync_cooldown;
mod sync_pull;
mod sync_steps;
