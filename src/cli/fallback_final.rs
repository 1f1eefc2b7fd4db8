//! `fallback` is final: an attempt with files becomes `fallback_written`, which `retry` refuses
//! for ever. Writing files for an attempt that triage does not send to `fallback` (it could
//! still be retried, it waits for a cooldown, or for a person) is confirmed first: on a
//! terminal by answering, elsewhere with `--yes`. The run then names the attempts that became
//! final.

use serde_json::json;

use super::Context;
use crate::error::UsageError;
use crate::portable::select::MadeFinal;

/// At most this many attempts are named in a question or an error; the rest are counted.
const NAMED: usize = 10;

/// Whether the run may go on. A dry run and an empty list need nothing; `--yes` confirms;
/// without a terminal the run is refused (exit 2) naming the attempts; on a terminal a person
/// answers.
pub fn confirm(
    ctx: &mut Context,
    to_confirm: &[MadeFinal],
    yes: bool,
    dry_run: bool,
) -> anyhow::Result<bool> {
    if to_confirm.is_empty() || dry_run || yes {
        return Ok(true);
    }
    let named = name_attempts(to_confirm);
    let n = to_confirm.len();
    if !ctx.printer.settings.interactive {
        return Err(UsageError::new(
            format!(
                "fallback would make {n} attempt(s) final that triage does not send to fallback: {named}"
            ),
            "portable files make an attempt fallback_written, and `ticket-export retry` refuses \
             a fallback_written attempt for ever; there is no terminal to confirm that on; nothing \
             was written",
            "check them with `ticket-export inspect ID`; to write their files anyway, run the same \
             command with --yes; to leave them to retry, name only attempts whose NEXT is fallback",
        )
        .into());
    }
    let question = format!(
        "Write portable files for {n} attempt(s) that triage does not send to fallback ({named})? \
         They become fallback_written, and `ticket-export retry` refuses them for ever."
    );
    let mut stdin = std::io::stdin().lock();
    Ok(ctx.printer.confirm(&question, &mut stdin)?)
}

/// "tex_1 (cooldown, next: wait), …, and 3 more".
fn name_attempts(list: &[MadeFinal]) -> String {
    let mut named: Vec<String> = list
        .iter()
        .take(NAMED)
        .map(|m| format!("{} ({}, next: {})", m.ticket_export_id, m.state, m.next))
        .collect();
    if list.len() > NAMED {
        named.push(format!("and {} more", list.len() - NAMED));
    }
    named.join(", ")
}

/// A dry run says which attempts a real run would make final, and that it would ask first.
pub fn print_would_become_final(ctx: &mut Context, list: &[MadeFinal]) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        for m in list {
            let mut value = serde_json::to_value(m).unwrap_or_default();
            value["record"] = "needs_confirmation".into();
            ctx.printer.json(&value)?;
        }
        return Ok(());
    }
    for m in list {
        ctx.printer.info(&format!(
            "would become final: {} ({}, next: {}): triage does not send it to fallback, so a real \
             run asks first (--yes where no terminal can ask)",
            m.ticket_export_id, m.state, m.next
        ));
    }
    Ok(())
}

/// Names the attempts that became `fallback_written` in this run, per report.
pub fn print_made_final(
    ctx: &mut Context,
    made_final: &[(String, Vec<String>)],
) -> std::io::Result<()> {
    if ctx.printer.settings.json {
        for (report, ids) in made_final {
            for id in ids {
                ctx.printer.json(&json!({
                    "record": "final", "ticket_export_id": id, "report_id": report,
                    "export_status": "fallback_written",
                }))?;
            }
        }
        return Ok(());
    }
    for (report, ids) in made_final.iter().filter(|(_, ids)| !ids.is_empty()) {
        let (are, them) = if ids.len() == 1 {
            ("is", "it")
        } else {
            ("are", "them")
        };
        ctx.printer.info(&format!(
            "now final ({report}): {} {are} fallback_written; the portable files are the export, \
             and `ticket-export retry` refuses {them} from now on",
            ids.join(", ")
        ));
    }
    Ok(())
}
