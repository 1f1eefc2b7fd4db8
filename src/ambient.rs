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
    /// Variables whose value is not UTF-8, lossily: only a credential is read from them, so
    /// that such a value is reported as malformed rather than as not set.
    not_text: BTreeMap<String, String>,
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
        let mut vars = BTreeMap::new();
        let mut not_text = BTreeMap::new();
        for (k, v) in std::env::vars_os() {
            let Ok(k) = k.into_string() else { continue };
            match v.into_string() {
                Ok(v) => vars.insert(k, v),
                Err(v) => not_text.insert(k, v.to_string_lossy().into_owned()),
            };
        }
        let mut ambient = Self::new(vars, Timestamp::now())?;
        ambient.not_text = not_text;
        Ok(ambient)
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
        Ok(Ambient {
            now,
            vars,
            not_text: BTreeMap::new(),
        })
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

    /// A variable's value exactly as set, empty included: a credential set to nothing is
    /// reported as empty, not as unset.
    pub fn var_as_set(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .or_else(|| self.not_text.get(name))
            .map(String::as_str)
    }
}
