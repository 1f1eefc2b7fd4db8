//! The commented config `settings init` writes, and the loader's refusal of the values in it
//! that are still to be filled.
//!
//! Values only the user knows (a project key, a site's URL) are written as placeholders,
//! strings starting with `<fill in`. A config holding one is refused, naming each such key and
//! its line, so a half-filled file can never send a request to a made-up destination.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::ProviderKind;

/// How every placeholder starts.
pub const PLACEHOLDER: &str = "<fill in";

/// A config for some provider kinds, as `settings init` writes it.
#[derive(Debug, Clone)]
pub struct Template {
    /// The TOML text, with comments.
    pub text: String,
    /// The kinds it has an entry for, each once, in the order asked.
    pub kinds: Vec<ProviderKind>,
    /// The dotted keys holding a placeholder, in file order.
    pub placeholders: Vec<String>,
    /// The environment variables its `auth` tables name.
    pub variables: Vec<&'static str>,
}

/// Builds the config for `kinds` (each once; the provider key is the kind's name). No kinds
/// gives a config without providers, valid as it stands.
pub fn template(kinds: &[ProviderKind]) -> Template {
    let mut unique = Vec::new();
    for kind in kinds {
        if !unique.contains(kind) {
            unique.push(*kind);
        }
    }
    let mut t = Template {
        text: String::new(),
        kinds: unique,
        placeholders: Vec::new(),
        variables: Vec::new(),
    };
    let names: Vec<&str> = t.kinds.iter().map(|k| k.as_str()).collect();
    let header = format!(
        "ticket-export config, written by `ticket-export settings init{}`. The README's Config \
         section describes every key; `ticket-export settings kinds` lists what each provider kind \
         needs. This file names where credentials come from, never the credentials themselves: a \
         token written here is refused.",
        names.iter().map(|n| format!(" {n}")).collect::<String>()
    );
    comment(&mut t, &header);
    if !t.kinds.is_empty() {
        t.text.push_str("#\n");
        comment(
            &mut t,
            "Replace every \"<fill in: ...>\" value below. Until then the config is refused, and \
             the error names each value still to fill and its line.",
        );
    }
    t.text.push_str(
        "\nmode = \"cloud\"   # cloud | self-hosted (private addresses; http with allow_http = true) | webhook-only\n\n\
         # Portable files when a provider stays down (`ticket-export fallback`):\n\
         # [fallback]\n\
         # out_dir = \"ticket-exports\"   # relative to this file's folder; unset: the data folder's\n\
         # after = \"24h\"                # provider unavailable this long: fallback becomes the next step\n",
    );
    if t.kinds.is_empty() {
        t.text.push_str(
            "\n# No providers yet. Rewrite this file with entries for some kinds, or print one to copy:\n\
             #   ticket-export settings init --force github jira\n\
             #   ticket-export settings init --out - github\n\
             # Kinds: `ticket-export settings kinds`.\n",
        );
    }
    for kind in t.kinds.clone() {
        provider_entry(&mut t, kind);
    }
    t
}

/// Appends one `[providers.KIND]` entry with its mapping.
fn provider_entry(t: &mut Template, kind: ProviderKind) {
    let key = kind.as_str();
    let guide = kind.guide();
    let path = format!("providers.{key}");
    let _ = write!(t.text, "\n# ---- {key} ----\n[{path}]\nkind = \"{key}\"\n");
    comment(t, guide.base_url_form);
    match guide.base_url {
        Some(url) => {
            let _ = writeln!(t.text, "base_url = \"{url}\"");
        }
        None => {
            // The form's first alternative, like https://SITE.atlassian.net.
            let example = guide
                .base_url_form
                .split([',', ' '])
                .next()
                .unwrap_or_default();
            let value = fill(
                t,
                &format!("{path}.base_url"),
                &format!("the base URL, like {example}"),
            );
            let _ = writeln!(t.text, "base_url = {value}");
        }
    }
    let [token_env, token_file] = kind.token_keys();
    let what = if kind == ProviderKind::Webhook {
        "signing secret"
    } else {
        "token"
    };
    comment(t, &format!("The {what}: {}.", guide.token_help));
    let mut auth = Vec::new();
    let mut auth_files = Vec::new();
    if let Some(user) = guide.user {
        t.variables.push(user.var);
        comment(
            t,
            &format!("The user ({}) is read from {}.", user.holds, user.var),
        );
        auth.push(format!("user_env = \"{}\"", user.var));
        auth_files.push(format!("user_file = \"{key}.user\""));
    }
    t.variables.push(guide.token_var);
    auth.push(format!("{token_env} = \"{}\"", guide.token_var));
    auth_files.push(format!(
        "{token_file} = \"{key}.{}\"",
        token_file_suffix(kind)
    ));
    let _ = write!(
        t.text,
        "# Each value is read from the environment variable named here. Cron jobs have no such\n\
         # variables: name files instead, only you can read them (chmod 600), relative to this file:\n\
         #   auth = {{ {} }}\n\
         auth = {{ {} }}\n",
        auth_files.join(", "),
        auth.join(", ")
    );
    let owned_value = match kind.owned_key() {
        Some(dest) => fill(
            t,
            &format!("{path}.owned"),
            &format!("the same value as mapping.{dest}"),
        ),
        None => fill(t, &format!("{path}.owned"), "the host name of base_url"),
    };
    comment(
        t,
        &format!(
            "The destinations the customer owns ({}); sending anywhere else is a stop.",
            guide.owned
        ),
    );
    let _ = writeln!(t.text, "owned = [{owned_value}]");
    if kind == ProviderKind::Webhook {
        return;
    }
    let _ = writeln!(t.text, "\n[{path}.mapping]");
    for (dest, help) in guide.keys {
        let value = fill(t, &format!("{path}.mapping.{dest}"), help);
        let _ = writeln!(t.text, "{dest} = {value}");
    }
    t.text.push_str(
        "# Optional, where the provider has them:\n\
         # labels = [\"security\"]\n\
         # priority = { critical = \"Highest\", high = \"High\", medium = \"Medium\", low = \"Low\" }\n\
         # assignees = []\n\
         # fields = { name = \"value\" }   # extra provider fields by name\n",
    );
}

/// Appends `text` as comment lines of at most 95 columns.
fn comment(t: &mut Template, text: &str) {
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() > 1 && line.len() + 1 + word.len() > 95 {
            t.text.push_str(&line);
            t.text.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    t.text.push_str(&line);
    t.text.push('\n');
}

fn token_file_suffix(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Webhook => "secret",
        _ => "token",
    }
}

/// Records a placeholder for `dotted` and returns it as a TOML string.
fn fill(t: &mut Template, dotted: &str, hint: &str) -> String {
    t.placeholders.push(dotted.to_owned());
    format!("\"{PLACEHOLDER}: {hint}>\"")
}

/// Every value of `text` still holding a placeholder, as a problem naming its key and line.
/// Text that is not valid TOML has none: the loader reports its syntax first.
pub(super) fn unfilled(text: &str) -> Vec<String> {
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (key, value) in doc.get_ref() {
        walk(key.get_ref(), value, text, &mut found);
    }
    found.sort();
    found
        .into_iter()
        .map(|(line, path, value)| {
            format!(
                "{path} (line {line}) still holds the placeholder {value:?} that `settings init` \
                 wrote: replace it with the real value"
            )
        })
        .collect()
}

fn walk(
    path: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    text: &str,
    found: &mut Vec<(usize, String, String)>,
) {
    use toml::de::DeValue;
    match value.get_ref() {
        DeValue::String(s) if s.starts_with(PLACEHOLDER) => {
            found.push((
                super::lines::line_of(text, value.span().start),
                path.to_owned(),
                s.to_string(),
            ));
        }
        DeValue::Table(table) => {
            for (key, value) in table {
                walk(&format!("{path}.{}", key.get_ref()), value, text, found);
            }
        }
        DeValue::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), value, text, found);
            }
        }
        _ => {}
    }
}

/// Why a config could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} already exists", path.display())]
    Exists { path: std::path::PathBuf },
    #[error(
        "cannot write the config {}\n  why: {reason}\n  next: make its folder writable, or write elsewhere with --out FILE (or --out - to print it)",
        path.display()
    )]
    Io {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// Writes `text` to `path` atomically (a temporary file in the same folder, synced, then moved
/// into place), creating the folder. An existing file is replaced only with `replace`; without
/// it the move itself refuses, so a file created meanwhile is never overwritten either. The
/// file is 0644: a config holds no secret, and other tools and people may read it.
pub fn write_config(path: &Path, text: &str, replace: bool) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    if !replace && path.symlink_metadata().is_ok() {
        return Err(WriteError::Exists {
            path: path.to_owned(),
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_data().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    let persisted = if replace {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    persisted.map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => WriteError::Exists {
            path: path.to_owned(),
        },
        _ => io(e.error),
    })
}
