//! ticket-export: triage and recover failed ticket exports without duplicate downstream work.
//!
//! The binary is a thin shell over this library: `cli` parses and prints, `triage` decides
//! (pure), `store` keeps every SQL statement, `import` streams files into the store.

pub mod ambient;
pub mod assess;
pub mod cli;
pub mod config;
pub mod counts;
pub mod env_vars;
pub mod error;
pub mod fingerprint;
pub mod history;
pub mod import;
pub mod lease;
pub mod link;
pub mod markup;
pub mod model;
pub mod named;
pub mod output;
pub mod paths;
pub mod portable;
pub mod providers;
pub mod redact;
pub mod retry;
pub mod secret;
pub mod simulator;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod triage;
