//! ticket-export: triage and recover failed ticket exports without duplicate downstream work.

pub mod ambient;
pub mod config;
pub mod env_vars;
pub mod error;
pub mod fingerprint;
pub mod import;
pub mod model;
pub mod secret;
pub mod store;
pub mod triage;
