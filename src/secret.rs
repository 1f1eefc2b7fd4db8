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

/// Why a credential cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialProblem {
    /// Not there: the variable is unset, the file does not exist or may not be read.
    Missing,
    /// There, but not a value any provider accepts in a header: empty, whitespace, a line
    /// break, a control character or a character outside visible ASCII.
    Malformed,
}

/// A credential could not be read or used. The message names the source, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} {problem}")]
pub struct CredentialError {
    pub source_name: String,
    pub problem: String,
    pub kind: CredentialProblem,
}

impl SecretSource {
    /// Reads the credential now and checks it can go into a request header.
    ///
    /// An environment variable is used exactly as it is. A file may end with one line break
    /// (`\n` or `\r\n`), which editors and `echo` add: that one is removed, nothing else.
    pub fn load(&self, ambient: &Ambient) -> Result<Secret, CredentialError> {
        let fail = |kind, problem: String| CredentialError {
            source_name: self.to_string(),
            problem,
            kind,
        };
        let missing = |problem| fail(CredentialProblem::Missing, problem);
        let value = match self {
            SecretSource::Env(name) => ambient
                .var_as_set(name)
                .ok_or_else(|| {
                    missing(
                        "is not set (export it in the environment that runs ticket-export)".into(),
                    )
                })?
                .to_owned(),
            SecretSource::File(path) => {
                check_private(path).map_err(missing)?;
                let bytes =
                    std::fs::read(path).map_err(|e| missing(format!("cannot be read: {e}")))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    fail(
                        CredentialProblem::Malformed,
                        "is not UTF-8 text; write the token alone in it".into(),
                    )
                })?;
                let one_line = text
                    .strip_suffix("\r\n")
                    .or_else(|| text.strip_suffix('\n'))
                    .unwrap_or(&text);
                one_line.to_owned()
            }
        };
        match malformed(&value) {
            Some(problem) => Err(fail(CredentialProblem::Malformed, problem)),
            None => Ok(Secret(value)),
        }
    }
}

/// What makes a value unusable as a credential, in words that never quote it. A header value
/// with a line break would be refused by the HTTP library (or split the request), and a
/// character outside visible ASCII is never part of a real token: a pasted non-breaking space
/// or smart quote would otherwise look like the provider rejecting the token, or like a
/// network failure.
fn malformed(value: &str) -> Option<String> {
    let fix = "set it to the token alone, as the provider shows it";
    if value.is_empty() {
        return Some(format!("is empty; {fix}"));
    }
    if value.chars().all(char::is_whitespace) {
        return Some(format!("holds only whitespace; {fix}"));
    }
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        let problem = match c {
            '\n' | '\r' => "a line break",
            ' ' | '\t' => "a space or tab",
            c if c.is_control() => "a control character",
            c if !c.is_ascii() => {
                "a character outside visible ASCII (a pasted non-breaking space or quote?)"
            }
            _ => continue,
        };
        return Some(format!(
            "holds {problem} at character {} of {count}; {fix}",
            i + 1
        ));
    }
    None
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
        let vars = BTreeMap::from([("T".to_string(), "abc123".to_string())]);
        let amb = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(
            SecretSource::Env("T".into()).load(&amb).unwrap().expose(),
            "abc123"
        );
        let err = SecretSource::Env("MISSING".into()).load(&amb).unwrap_err();
        assert_eq!(err.kind, CredentialProblem::Missing);
        assert!(
            err.to_string()
                .contains("environment variable MISSING is not set")
        );
    }

    /// Was: a value with a line break, a control character or a non-ASCII character was read
    /// as is, and the HTTP library refused the header, which looked like the provider being
    /// unavailable. An environment variable is used exactly as set; nothing is trimmed.
    #[test]
    fn a_malformed_variable_is_named_never_shown() {
        let rows = [
            ("", "is empty"),
            ("   ", "holds only whitespace"),
            (
                "tok-0123456789\n",
                "holds a line break at character 15 of 15",
            ),
            (
                "tok-0123456789\r\n",
                "holds a line break at character 15 of 16",
            ),
            ("tok-01234\n56789", "holds a line break"),
            ("tok-0123456789 ", "holds a space or tab"),
            (" tok-0123456789", "holds a space or tab at character 1"),
            ("tok-01234\u{1b}[0m", "holds a control character"),
            ("tok-01234\u{7f}", "holds a control character"),
            ("tok-01234\u{a0}", "outside visible ASCII"),
            ("tök-0123456789", "outside visible ASCII"),
            ("tok-0123456789\u{200b}", "outside visible ASCII"),
        ];
        for (value, said) in rows {
            let vars = BTreeMap::from([("T".to_string(), value.to_string())]);
            let amb = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
            let err = SecretSource::Env("T".into()).load(&amb).unwrap_err();
            assert_eq!(err.kind, CredentialProblem::Malformed, "{value:?}");
            let shown = err.to_string();
            assert!(
                shown.starts_with("environment variable T ") && shown.contains(said),
                "{value:?}: {shown}"
            );
            assert!(
                value.trim().is_empty() || !shown.contains("tok-"),
                "{shown}"
            );
        }
    }

    /// A token file may end with one line break (`\n` or `\r\n`, as editors and `echo` write
    /// it): that one is removed. Anything more is malformed, named by the file.
    #[cfg(unix)]
    #[test]
    fn a_token_file_loses_one_final_line_break_and_nothing_else() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let amb = Ambient::new(BTreeMap::new(), jiff::Timestamp::UNIX_EPOCH).unwrap();
        let rows: [(&[u8], Result<&str, &str>); 9] = [
            (b"tok-0123456789", Ok("tok-0123456789")),
            (b"tok-0123456789\n", Ok("tok-0123456789")),
            (b"tok-0123456789\r\n", Ok("tok-0123456789")),
            (b"tok-0123456789\n\n", Err("holds a line break")),
            (b"tok-0123456789\r", Err("holds a line break")),
            (b"tok-01234\n56789\n", Err("holds a line break")),
            (b"\n", Err("is empty")),
            (b" tok-0123456789\n", Err("holds a space or tab")),
            (b"tok-\xff\xfe0123\n", Err("is not UTF-8 text")),
        ];
        for (i, (bytes, expected)) in rows.into_iter().enumerate() {
            let path = dir.path().join(format!("token{i}"));
            std::fs::write(&path, bytes).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            let got = SecretSource::File(path.clone()).load(&amb);
            match (got, expected) {
                (Ok(s), Ok(want)) => assert_eq!(s.expose(), want),
                (Err(e), Err(said)) => {
                    assert_eq!(e.kind, CredentialProblem::Malformed, "{bytes:?}");
                    let shown = e.to_string();
                    assert!(
                        shown.contains(said) && shown.contains(&path.display().to_string()),
                        "{shown}"
                    );
                    assert!(!shown.contains("0123"), "{shown}");
                }
                (got, want) => panic!("{bytes:?}: got {got:?}, want {want:?}"),
            }
        }
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
