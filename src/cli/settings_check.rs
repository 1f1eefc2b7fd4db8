//! `settings check [PROVIDER]`: static checks, then a live read-only probe per provider, whose
//! result is recorded as provider health for triage.

use std::sync::Arc;

use serde_json::json;

use super::Context;
use crate::error::ExitStatus;
use crate::providers::http::{Http, Timeouts};
use crate::providers::{Failure, client_for};
use crate::store::HealthRecord;
use crate::triage::Wait;

/// Runs the check.
pub fn run(only: Option<String>, ctx: &mut Context) -> anyhow::Result<ExitStatus> {
    let config = ctx.config()?;
    let mut store = ctx.store_for_writing()?;
    ctx.cap_far_waits(&mut store, [])?;
    // Only configured providers can be probed: the store's keys do not count here.
    crate::named::check(
        crate::named::Named {
            provider: only.as_deref(),
            ..Default::default()
        },
        None,
        Some(&config),
    )?;
    if config.providers.is_empty() {
        ctx.printer.info(&format!(
            "no providers configured in {}",
            ctx.config_path.display()
        ));
    }
    let http = Arc::new(Http::new(config.mode, Timeouts::default()));
    let now = ctx.ambient.now();
    let mut status = ExitStatus::Ok;
    let mut rows = Vec::new();
    for provider in config
        .providers
        .values()
        .filter(|p| only.as_ref().is_none_or(|k| *k == p.key))
    {
        let mut wait_until = None;
        let (result, detail, health, item) = if let Some(reason) = &provider.unsafe_base_url {
            (
                "unsafe",
                format!("base_url refused: {reason}; nothing was sent"),
                None,
                ExitStatus::Blocked,
            )
        } else if !provider.destination_owned() {
            let detail = format!(
                "destination {:?} is not in owned {:?}; nothing was sent",
                provider.destination(),
                provider.owned
            );
            ("not owned", detail, None, ExitStatus::Blocked)
        } else {
            // Credentials are read (a missing one is reported) before the cooldown decides.
            let client = client_for(provider, http.clone(), &ctx.ambient);
            let cooldown = match &client {
                Ok(_) => store
                    .provider_cooldown(&provider.key, now)?
                    .and_then(|(until, why)| Some((Wait::read(Some(until), now)?, why))),
                Err(_) => None,
            };
            if let Some((wait, reason)) = cooldown {
                // The provider asked every run to wait: even a read-only probe would spend the
                // quota it is protecting, and health stays as the last real probe found it.
                let until = wait.until;
                let detail = format!(
                    "cooling down until {until} ({reason}){}; no probe sent; rerun `ticket-export settings check {}` after {until}",
                    wait.note(),
                    provider.key
                );
                wait_until = Some(until);
                ("cooldown", detail, None, ExitStatus::Cooldown)
            } else {
                match client.and_then(|c| c.check()) {
                    Ok(report) => {
                        let detail =
                            format!("as {} ({})", report.identity, report.probes.join(", "));
                        ("ok", detail, Some("ok"), ExitStatus::Ok)
                    }
                    Err(
                        f @ (Failure::Unavailable { .. }
                        | Failure::Uncertain { .. }
                        | Failure::RateLimited { .. }),
                    ) => {
                        // A wait the provider asked for holds for every later run, as in retry
                        // and sync.
                        if let Some(until) = f.retry_after().filter(|_| f.stops_provider()) {
                            store.set_provider_cooldown(&provider.key, until, &f.to_string())?;
                            wait_until = Some(until);
                        }
                        (
                            "unreachable",
                            f.to_string(),
                            Some("unreachable"),
                            ExitStatus::Cooldown,
                        )
                    }
                    // Nothing was probed: the provider's health stays as the last real probe
                    // found it, and the problem is ours to fix, not the provider's answer.
                    Err(f @ Failure::Credential(_)) => {
                        ("credential", f.to_string(), None, ExitStatus::Blocked)
                    }
                    Err(f) => (
                        "failed",
                        f.to_string(),
                        Some("auth_failed"),
                        ExitStatus::Blocked,
                    ),
                }
            }
        };
        if let Some(health) = health {
            store.record_health(
                &provider.key,
                &HealthRecord {
                    status: health.into(),
                    checked_at: now,
                    detail: detail.clone(),
                },
            )?;
        }
        status = status.worst(item);
        if ctx.printer.settings.json {
            let retry_after = wait_until.map(|until| until.to_string());
            ctx.printer.json(&json!({"provider_key": provider.key, "kind": provider.kind, "result": result, "detail": detail, "retry_after": retry_after}))?;
        } else {
            rows.push(vec![
                provider.key.clone(),
                provider.kind.as_str().to_owned(),
                result.to_owned(),
                detail,
            ]);
        }
    }
    if !ctx.printer.settings.json {
        ctx.printer
            .table(&["PROVIDER", "KIND", "RESULT", "DETAIL"], &rows)?;
    }
    Ok(status)
}
