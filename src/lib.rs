//! ticket-export: triage and recover failed ticket exports without duplicate downstream work.

pub mod model;
pub mod triage;
