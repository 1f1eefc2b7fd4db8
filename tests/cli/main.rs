//! CLI tests: one test binary (fast to link on a 2-core CI), one module per command.

mod base_url;
mod completions;
mod fallback;
mod fallback_formats;
mod help;
mod import;
mod inspect;
mod known_fixtures;
mod known_ticket;
mod link;
mod partial_create;
mod retry;
mod retry_killed;
mod secrets;
mod settings;
mod support;
mod sync;
mod sync_cooldown;
mod sync_pull;
mod sync_steps;
mod traversal;
