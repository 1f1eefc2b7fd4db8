//! Ambient state read once at start-up: the clock and the environment.
//!
//! Everything downstream takes an `Ambient` instead of calling `std::env` or the clock, so tests
//! set time and variables explicitly and nothing reads them twice with different answers.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::env_vars;
use crate::error::UsageError;

/// The clock and environment for one run.
#[derive(Clone)]
pub struct Ambient {
    now: Timestamp,
    vars: BTreeMap<String, String>,
}

impl std::fmt::Debug for Ambient {
    // Environment values may hold secrets: show only the names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ambient")
            .field("now", &self.now)
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Ambient {
    /// Reads the process environment, and the clock unless `TICKET_EXPORT_NOW` overrides it.
    pub fn from_process() -> Result<Self, UsageError> {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Self::new(vars, Timestamp::now())
    }

    /// Builds an ambient from explicit variables; `TICKET_EXPORT_NOW` among them wins over `clock`.
    pub fn new(vars: BTreeMap<String, String>, clock: Timestamp) -> Result<Self, UsageError> {
        let now = match vars.get(env_vars::NOW).filter(|v| !v.is_empty()) {
            Some(text) => text.parse::<Timestamp>().map_err(|e| {
                UsageError::new(
                    format!("{} is not a valid time: {text:?}", env_vars::NOW),
                    e.to_string(),
                    "use RFC 3339, for example 2026-11-29T10:00:00Z, or unset it",
                )
            })?,
            None => clock,
        };
        Ok(Ambient { now, vars })
    }

    /// The current time for this run.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Who runs this command, for the history of overrides: the login name from the
    /// environment, else "an unknown user".
    pub fn user(&self) -> String {
        [env_vars::USER, env_vars::LOGNAME]
            .iter()
            .find_map(|v| self.var(v))
            // A name, not a place to smuggle text into the history.
            .map(|u| u.chars().filter(|c| !c.is_control()).take(64).collect())
            .unwrap_or_else(|| "an unknown user".into())
    }

    /// A variable's value, treating empty as unset.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}
