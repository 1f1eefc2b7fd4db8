//! Credentials: where they come from, and a type that cannot be printed.

use std::path::{Path, PathBuf};

use crate::ambient::Ambient;

/// A credential value. It has no `Display`, its `Debug` is a placeholder, and `expose` marks the
/// one place the value comes out (building an HTTP header or a signature).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value read from the environment or a file.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value itself. Only for request headers and signatures; never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where a credential is read from, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable, by name.
    Env(String),
    /// A file that only its owner can read (mode 0600 or stricter).
    File(PathBuf),
}

impl std::fmt::Display for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "environment variable {name}"),
            SecretSource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// A credential could not be read. The message names the source, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} {problem}")]
pub struct CredentialError {
    pub source_name: String,
    pub problem: String,
}

impl SecretSource {
    /// Reads the credential now.
    pub fn load(&self, ambient: &Ambient) -> Result<Secret, CredentialError> {
        let fail = |problem: String| CredentialError {
            source_name: self.to_string(),
            problem,
        };
        match self {
            SecretSource::Env(name) => ambient
                .var(name)
                .map(|v| Secret(v.trim().to_owned()))
                .ok_or_else(|| {
                    fail("is not set (export it in the environment that runs ticket-export)".into())
                }),
            SecretSource::File(path) => {
                check_private(path).map_err(fail)?;
                let text = std::fs::read_to_string(path)
                    .map_err(|e| fail(format!("cannot be read: {e}")))?;
                let value = text.trim();
                if value.is_empty() {
                    return Err(fail("is empty".into()));
                }
                Ok(Secret(value.to_owned()))
            }
        }
    }
}

/// Refuses a secret file that others can read: a token in a world-readable file is already leaked.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "has mode {mode:o}, readable by others; run `chmod 600 {}`",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(path: &Path) -> Result<(), String> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| format!("cannot be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("tok_live_123".into());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "tok_live_123");
    }

    #[test]
    fn env_source_reads_and_reports_missing_without_values() {
        let vars = BTreeMap::from([("T".to_string(), "abc\n".to_string())]);
        let amb = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(
            SecretSource::Env("T".into()).load(&amb).unwrap().expose(),
            "abc"
        );
        let err = SecretSource::Env("MISSING".into()).load(&amb).unwrap_err();
        assert!(
            err.to_string()
                .contains("environment variable MISSING is not set")
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_source_requires_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "sekrit\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let amb = Ambient::new(BTreeMap::new(), jiff::Timestamp::UNIX_EPOCH).unwrap();
        let err = SecretSource::File(path.clone()).load(&amb).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        assert!(!err.to_string().contains("sekrit"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            SecretSource::File(path).load(&amb).unwrap().expose(),
            "sekrit"
        );
    }
}
