//! The default fallback folder moved from the config folder to the data folder (issue 12,
//! point 18). Files an earlier version wrote there are never moved: a writing run says once
//! per store where they are, and `settings path` always shows them.

use super::Context;
use crate::config::Config;
use crate::store::Store;

/// The `meta` key that remembers the note was given, with the folder it named.
const NOTE_KEY: &str = "note_earlier_out_dir";

/// Says where an earlier version's default folder is, if this config uses the default and that
/// folder holds files, once per store (a dry run or a read-only store says it without
/// remembering, so the next writing run says it again).
pub fn earlier_out_dir_once(
    ctx: &mut Context,
    config: &Config,
    store: &Store,
    out_given: bool,
    remember: bool,
) -> anyhow::Result<()> {
    if out_given {
        return Ok(());
    }
    let Some(earlier) = config.earlier_default_out_dir(&ctx.config_path) else {
        return Ok(());
    };
    let value = earlier.display().to_string();
    if store.noted(NOTE_KEY, &value)? {
        return Ok(());
    }
    ctx.printer.warn(&format!(
        "fallback files now go to {} by default (the data folder, beside the store); earlier \
         versions wrote them to {value}, and the files there were not moved\n  next: move them \
         yourself if you want them together, or set [fallback] out_dir = {:?} in {} to keep \
         using that folder; `ticket-export settings path` shows both (this note is shown once)",
        config.fallback.out_dir.display(),
        value,
        ctx.config_path.display()
    ));
    if remember {
        store.record_note(NOTE_KEY, &value)?;
    }
    Ok(())
}
