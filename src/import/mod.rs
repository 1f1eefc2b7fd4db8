//! `import`: streams an import file into the store in one transaction.
//!
//! The file is read with serde's seeds, one record at a time, so memory stays flat however large
//! it is. Every problem is collected with its JSON path; a file with any problem imports nothing.

mod error;
mod members;
mod record;

use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::ambient::Ambient;
use crate::config::Config;
use crate::error::StoreError;
use crate::store::{ImportCounts, Staging, Store};
pub use error::{ImportError, ImportFailure};
use error::{MAX_LISTED, file_error};
use record::Fields;

/// Imports `input` into the store. `source_name` names the file in messages.
pub fn import(
    store: &mut Store,
    config: &Config,
    ambient: &Ambient,
    input: impl Read,
    source_name: &str,
) -> Result<ImportCounts, ImportFailure> {
    let salt = store.salt()?;
    let output = config.output_digest();
    let digests: Vec<_> = config
        .providers
        .values()
        .map(|p| {
            (
                p.key.clone(),
                p.connection_digest(ambient, &salt),
                p.mapping_digest(),
            )
        })
        .collect();
    let mut staging = store.begin_import()?;
    for (key, connection, mapping) in &digests {
        staging.owner_digests(&crate::store::OwnerDigests {
            provider_key: key,
            connection,
            mapping,
            output: &output,
        })?;
    }
    let mut ctx = Ctx {
        staging: &mut staging,
        problems: Vec::new(),
        unlisted: 0,
        store_error: None,
        path: String::new(),
    };
    let mut reader = BufReader::with_capacity(256 * 1024, input);
    skip_bom(&mut reader)
        .map_err(|e| file_error(source_name, "", format!("cannot be read: {e}")))?;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let parsed = TopSeed(&mut ctx).deserialize(&mut de).and_then(|()| {
        // Past the document's end, no member is being read: blame the whole file.
        ctx.path.clear();
        de.end()
    });
    if let Some(err) = ctx.store_error.take() {
        return Err(err.into());
    }
    if let Err(err) = parsed {
        let message = if err.is_eof() && err.line() <= 1 && err.column() == 0 {
            "the file is empty; expected {\"schema_version\": 1, \"reports\": [...]}".to_string()
        } else {
            err.to_string()
        };
        let path = if ctx.path.is_empty() {
            "$".to_string()
        } else {
            ctx.path.clone()
        };
        ctx.push(path, message);
    }
    let (mut problems, unlisted) = (std::mem::take(&mut ctx.problems), ctx.unlisted);
    if problems.is_empty() {
        problems = staging.validate()?;
    }
    if !problems.is_empty() {
        let listed = problems.len().min(MAX_LISTED);
        let unlisted = unlisted + problems.len() - listed;
        problems.truncate(listed);
        return Err(ImportError {
            source_name: source_name.to_owned(),
            problems: problems
                .into_iter()
                .map(|(path, message)| (path, error::one_line(message)))
                .collect(),
            unlisted,
        }
        .into());
    }
    Ok(staging.commit(ambient.now())?)
}

/// A UTF-8 byte-order mark is harmless; skip it so editors that add one are not punished.
fn skip_bom(reader: &mut impl BufRead) -> std::io::Result<()> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

struct Ctx<'s, 'c> {
    staging: &'s mut Staging<'c>,
    problems: Vec<(String, String)>,
    unlisted: usize,
    store_error: Option<StoreError>,
    /// Where the parser is, for syntax errors.
    path: String,
}

impl Ctx<'_, '_> {
    fn push(&mut self, path: String, message: String) {
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

struct TopSeed<'a, 's, 'c>(&'a mut Ctx<'s, 'c>);

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
                "schema_version" | "reports"
                    if (key == "schema_version" && version_seen)
                        || (key == "reports" && reports_seen) =>
                {
                    ctx.push(key.clone(), members::REPEATED.into());
                    map.next_value::<IgnoredAny>()?;
                }
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
                        members::member_path("", other),
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
        let mut lists_seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if header.contains_key(&key) || lists_seen.contains(&key) {
                ctx.push(members::member_path(&base, &key), members::REPEATED.into());
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key.as_str() {
                "findings" | "ticket_exports" => {
                    lists_seen.push(key.clone());
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
                    ctx.path = members::member_path(&base, &key);
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
            let Some(members::Members { map, repeated }) =
                seq.next_element_seed(members::MembersSeed)?
            else {
                return Ok(());
            };
            for key in repeated {
                ctx.push(members::member_path(&path, &key), members::REPEATED.into());
            }
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
