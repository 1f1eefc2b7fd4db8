//! The streaming reader of an import file: serde seeds walk the document one record at a time,
//! validate each record and stage it, and remember where they are so a syntax error can be named
//! by its JSON path.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::MAX_LISTED;
use super::record::{self, Fields};
use crate::error::StoreError;
use crate::store::Staging;

/// The state of one import while the file streams past.
pub(super) struct Ctx<'s, 'c> {
    pub staging: &'s mut Staging<'c>,
    pub problems: Vec<(String, String)>,
    pub unlisted: usize,
    pub store_error: Option<StoreError>,
    /// Where the parser is, for syntax errors.
    pub path: String,
}

impl Ctx<'_, '_> {
    pub fn push(&mut self, path: String, message: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push((path, message));
        } else {
            self.unlisted += 1;
        }
    }

    fn extend(&mut self, problems: Vec<(String, String)>) {
        for (path, message) in problems {
            self.push(path, message);
        }
    }

    /// Stages a row unless the file already failed: then only validation continues.
    fn stage(&mut self, f: impl FnOnce(&mut Staging<'_>) -> Result<(), StoreError>) {
        if self.store_error.is_none()
            && self.problems.is_empty()
            && let Err(e) = f(self.staging)
        {
            self.store_error = Some(e);
        }
    }
}

fn store_abort<E: serde::de::Error>(ctx: &Ctx<'_, '_>) -> Result<(), E> {
    match &ctx.store_error {
        Some(_) => Err(E::custom("the store failed")),
        None => Ok(()),
    }
}

/// The whole document: `{"schema_version": 1, "reports": [...]}`.
pub(super) struct TopSeed<'a, 's, 'c>(pub &'a mut Ctx<'s, 'c>);

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object {\"schema_version\": 1, \"reports\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0;
        let (mut version_seen, mut reports_seen) = (false, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema_version" => {
                    version_seen = true;
                    ctx.path = "schema_version".into();
                    let v: Value = map.next_value()?;
                    if v != 1 {
                        ctx.push(
                            "schema_version".into(),
                            format!("unsupported value {v} (this version reads 1)"),
                        );
                    }
                }
                "reports" => {
                    reports_seen = true;
                    ctx.path = "reports".into();
                    map.next_value_seed(ReportsSeed(&mut *ctx))?;
                }
                other => {
                    ctx.push(
                        other.to_owned(),
                        "unknown field (expected schema_version, reports)".into(),
                    );
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !version_seen {
            ctx.push("schema_version".into(), "is required (use 1)".into());
        }
        if !reports_seen {
            ctx.push("reports".into(), "is required (a list of reports)".into());
        }
        Ok(())
    }
}

struct ReportsSeed<'a, 's, 'c>(&'a mut Ctx<'s, 'c>);

impl<'de> DeserializeSeed<'de> for ReportsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ReportsSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of reports")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut idx = 0;
        loop {
            self.0.path = format!("reports[{idx}]");
            if seq
                .next_element_seed(ReportSeed {
                    ctx: &mut *self.0,
                    idx,
                })?
                .is_none()
            {
                return Ok(());
            }
            idx += 1;
        }
    }
}

struct ReportSeed<'a, 's, 'c> {
    ctx: &'a mut Ctx<'s, 'c>,
    idx: usize,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (ctx, idx) = (self.ctx, self.idx);
        let base = format!("reports[{idx}]");
        let mut header = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "findings" | "ticket_exports" => {
                    ctx.path = format!("{base}.{key}");
                    let kind = if key == "findings" {
                        RecordKind::Finding
                    } else {
                        RecordKind::Export
                    };
                    map.next_value_seed(RecordsSeed {
                        ctx: &mut *ctx,
                        report_idx: idx,
                        kind,
                    })?;
                    store_abort(ctx)?;
                }
                _ => {
                    ctx.path = format!("{base}.{key}");
                    header.insert(key, map.next_value()?);
                }
            }
        }
        let mut f = Fields::new(&base, header, &["report_id", "title", "target"]);
        let report_id = f.id("report_id");
        let title = f.title("title");
        let target = f.url("target", true);
        ctx.extend(std::mem::take(&mut f.problems));
        if let (Some(report_id), Some(title), Some(target)) = (report_id, title, target) {
            ctx.stage(|s| {
                s.report(&crate::store::StagedReport {
                    idx,
                    report_id: &report_id,
                    title: &title,
                    target: &target,
                })
            });
        }
        store_abort(ctx)
    }
}

#[derive(Clone, Copy)]
enum RecordKind {
    Finding,
    Export,
}

struct RecordsSeed<'a, 's, 'c> {
    ctx: &'a mut Ctx<'s, 'c>,
    report_idx: usize,
    kind: RecordKind,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (ctx, ri) = (self.ctx, self.report_idx);
        let name = match self.kind {
            RecordKind::Finding => "findings",
            RecordKind::Export => "ticket_exports",
        };
        let mut idx = 0;
        loop {
            let path = format!("reports[{ri}].{name}[{idx}]");
            ctx.path.clone_from(&path);
            let Some(map) = seq.next_element::<Map<String, Value>>()? else {
                return Ok(());
            };
            match self.kind {
                RecordKind::Finding => stage_finding(ctx, &path, ri, idx, map),
                RecordKind::Export => stage_export(ctx, &path, ri, idx, map),
            }
            store_abort(ctx)?;
            idx += 1;
        }
    }
}

fn stage_finding(
    ctx: &mut Ctx<'_, '_>,
    path: &str,
    ri: usize,
    idx: usize,
    map: Map<String, Value>,
) {
    let mut f = Fields::new(path, map, record::FINDING_FIELDS);
    let row = record::finding(&mut f);
    ctx.extend(std::mem::take(&mut f.problems));
    if let Some(r) = row {
        ctx.stage(|s| {
            s.finding(
                ri,
                idx,
                &[
                    &r.finding_id,
                    &r.rule_id,
                    &r.title,
                    &r.severity,
                    &r.url,
                    &r.parameter,
                    &r.description,
                    &r.evidence,
                    &r.remediation,
                    &r.status,
                ],
            )
        });
    }
}

fn stage_export(ctx: &mut Ctx<'_, '_>, path: &str, ri: usize, idx: usize, map: Map<String, Value>) {
    let mut f = Fields::new(path, map, record::EXPORT_FIELDS);
    let row = record::export(&mut f);
    ctx.extend(std::mem::take(&mut f.problems));
    if let Some(r) = row {
        ctx.stage(|s| {
            s.export(
                ri,
                idx,
                &[
                    &r.ticket_export_id,
                    &r.finding_id,
                    &r.provider_key,
                    &r.export_status,
                    &r.provider_error_code,
                    &r.provider_response_code,
                    &r.mapping_status,
                    &r.mapping_missing,
                    &r.duplicate_fingerprint,
                    &r.idempotency_key,
                    &r.retry_after,
                    &r.external_ticket_id,
                    &r.external_ticket_url,
                    &r.status_sync_status,
                    &r.portable_export_path,
                ],
            )
        });
    }
}
