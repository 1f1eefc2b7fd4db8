//! Default locations of the config and the store: XDG on Linux and macOS, the platform's
//! conventions (through `directories`) elsewhere.

use std::path::PathBuf;

use crate::ambient::Ambient;
use crate::env_vars;

const APP: &str = "ticket-export";

/// `config.toml` under the user's config folder.
pub fn default_config(ambient: &Ambient) -> PathBuf {
    base(ambient, env_vars::XDG_CONFIG_HOME, ".config", |d| {
        d.config_dir().to_path_buf()
    })
    .join("config.toml")
}

/// `store.sqlite3` under the user's data folder.
pub fn default_store(ambient: &Ambient) -> PathBuf {
    base(ambient, env_vars::XDG_DATA_HOME, ".local/share", |d| {
        d.data_dir().to_path_buf()
    })
    .join("store.sqlite3")
}

/// `ticket-exports` under the user's data folder: the default fallback folder. Customer data
/// belongs with the store, not in the config folder (where versions before issue 12 put it).
pub fn default_out_dir(ambient: &Ambient) -> PathBuf {
    base(ambient, env_vars::XDG_DATA_HOME, ".local/share", |d| {
        d.data_dir().to_path_buf()
    })
    .join("ticket-exports")
}

/// Where `demo` builds its files by default.
pub fn default_demo_dir(ambient: &Ambient) -> PathBuf {
    base(ambient, env_vars::XDG_DATA_HOME, ".local/share", |d| {
        d.data_dir().to_path_buf()
    })
    .join("demo")
}

fn base(
    ambient: &Ambient,
    xdg_var: &str,
    home_relative: &str,
    platform: impl Fn(&directories::ProjectDirs) -> PathBuf,
) -> PathBuf {
    if cfg!(unix) {
        if let Some(xdg) = ambient.var(xdg_var).filter(|v| v.starts_with('/')) {
            return PathBuf::from(xdg).join(APP);
        }
        if let Some(home) = ambient.var(env_vars::HOME) {
            return PathBuf::from(home).join(home_relative).join(APP);
        }
    }
    directories::ProjectDirs::from("", "", APP)
        .map(|d| platform(&d))
        .unwrap_or_else(|| PathBuf::from(".").join(APP))
}
