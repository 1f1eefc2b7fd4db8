//! The streaming reader of an import file: serde seeds walk the document one record at a time,
//! validate each record and send it to the writer, and remember where they are so a syntax error
//! can be named by its JSON path.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::ctx::{Ctx, Position};
use super::members::{REPEATED, member_path};
use super::raw::{Key, KeySeed, RawRecord, RecordPath, RecordSeed};
use super::record::{self, Fields, Header};
use crate::store::{ReportRow, Route, Staged};

fn store_abort<E: serde::de::Error>(ctx: &Ctx) -> Result<(), E> {
    match ctx.writer_gone() {
        true => Err(E::custom("the store failed")),
        false => Ok(()),
    }
}

/// The whole document: `{"schema_version": 1, "reports": [...]}`.
pub(super) struct TopSeed<'a>(pub &'a mut Ctx);

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
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
                    ctx.push(key.clone(), REPEATED.into());
                    map.next_value::<IgnoredAny>()?;
                }
                "schema_version" => {
                    version_seen = true;
                    ctx.position = Position::Key("schema_version".into());
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
                    ctx.position = Position::Key("reports".into());
                    map.next_value_seed(ReportsSeed(&mut *ctx))?;
                }
                other => {
                    ctx.push(
                        member_path("", other),
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

struct ReportsSeed<'a>(&'a mut Ctx);

impl<'de> DeserializeSeed<'de> for ReportsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ReportsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of reports")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut idx = 0;
        loop {
            self.0.position = Position::Record(RecordPath::Report(idx));
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

struct ReportSeed<'a> {
    ctx: &'a mut Ctx,
    idx: usize,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// A report's header, validated on its own: problems are reported when the report ends, as
/// its records' are reported first.
fn header_of(idx: usize, raw: RawRecord) -> (Option<Header>, super::members::Problems) {
    let mut f = Fields::new(RecordPath::Report(idx), raw, record::HEADER_FIELDS);
    let header = record::header(&mut f);
    (header, f.take_problems())
}

impl<'de> Visitor<'de> for ReportSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (ctx, idx) = (self.ctx, self.idx);
        let mut raw = RawRecord::default();
        // Decided at the first list: direct when the header came first and is valid and the
        // first list is the findings, so that every attempt comes after its report's findings.
        // Else the whole report is staged and resolved at the end. The header written directly
        // is kept to compare with the header as the whole object gives it.
        let mut route = None;
        let mut written = false;
        let mut lists_read = [false; 2];
        let base = RecordPath::Report(idx).to_string();
        while let Some(key) = map.next_key_seed(KeySeed(record::REPORT_KEYS))? {
            let name = match &key {
                Key::Known(slot) => record::REPORT_KEYS[*slot],
                Key::Unknown(name) => name.as_str(),
            };
            ctx.position = Position::Key(member_path(&base, name));
            let list = |slot: usize| slot.checked_sub(record::FIRST_LIST);
            let repeated = match &key {
                Key::Known(slot) if list(*slot).is_some() => lists_read[slot - record::FIRST_LIST],
                Key::Known(slot) => raw.has(*slot),
                Key::Unknown(_) => false,
            };
            if repeated {
                // Refused, not replaced: the records already read belong to the first one. The
                // report is then not checked as a whole: its records are only partly read.
                ctx.push(member_path(&base, name), REPEATED.into());
                ctx.refused.reports.insert(idx);
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key {
                Key::Known(slot) if list(slot).is_some() => {
                    let findings = slot == record::FIRST_LIST;
                    lists_read[slot - record::FIRST_LIST] = true;
                    let route = *route.get_or_insert_with(|| {
                        let (header, _) = header_of(idx, raw.known_only());
                        match header {
                            Some(h) if findings && ctx.staging() => {
                                ctx.cache.open(idx, &h.target);
                                ctx.stage(Staged::Report {
                                    row: report_row(idx, &h),
                                    route: Route::Direct,
                                });
                                written = true;
                                Route::Direct
                            }
                            _ => Route::Deferred,
                        }
                    });
                    map.next_value_seed(RecordsSeed {
                        ctx: &mut *ctx,
                        report_idx: idx,
                        findings,
                        route,
                    })?;
                    store_abort(ctx)?;
                }
                Key::Known(_) if written && name == "exported_at" => {
                    // The report's findings were merged as they streamed past, compared with
                    // the store as an export of unknown age: too late to compare its time.
                    map.next_value::<IgnoredAny>()?;
                    ctx.push(
                        member_path(&base, name),
                        "exported_at comes after the report's findings; put it before \"findings\" (beside report_id), where it decides whether the report is newer than the store's".into(),
                    );
                }
                Key::Known(slot) => raw.set(slot, name, map.next_value()?),
                Key::Unknown(name) => {
                    // Read as a value, so its syntax and UTF-8 are checked as before.
                    map.next_value::<Value>()?;
                    raw.unknown(name);
                }
            }
        }
        ctx.cache.close();
        let (header, problems) = header_of(idx, raw);
        ctx.extend(problems);
        if header.is_none() {
            ctx.refused.reports.insert(idx);
        }
        // A header written before the lists was complete, and any later header member was a
        // repeat, refused above: the header as a whole cannot differ from the one written.
        if let Some(h) = header
            && !written
        {
            ctx.stage(Staged::Report {
                row: report_row(idx, &h),
                route: route.unwrap_or(Route::Direct),
            });
        }
        store_abort(ctx)
    }
}

fn report_row(idx: usize, h: &Header) -> ReportRow {
    ReportRow {
        idx,
        report_id: h.report_id.clone(),
        title: h.title.clone(),
        target: h.target.clone(),
        exported_at: h.exported_at.clone(),
    }
}

struct RecordsSeed<'a> {
    ctx: &'a mut Ctx,
    report_idx: usize,
    findings: bool,
    route: Route,
}

impl<'de> DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (ctx, ri, route) = (self.ctx, self.report_idx, self.route);
        let names = match self.findings {
            true => record::FINDING_FIELDS,
            false => record::EXPORT_FIELDS,
        };
        let mut idx = 0;
        loop {
            let path = match self.findings {
                true => RecordPath::Finding(ri, idx),
                false => RecordPath::Export(ri, idx),
            };
            ctx.position = Position::Record(path);
            let Some(raw) = seq.next_element_seed(RecordSeed(names))? else {
                return Ok(());
            };
            let mut f = Fields::new(path, raw, names);
            if self.findings {
                let row = record::finding(&mut f);
                ctx.extend(f.take_problems());
                if let (None, Some(id)) = (&row, f.read_id.take()) {
                    ctx.refused.findings.insert((ri, id));
                }
                if let Some(row) = row {
                    if route == Route::Direct {
                        ctx.cache.add(ri, &row);
                    }
                    ctx.stage(Staged::Finding {
                        report_idx: ri,
                        idx,
                        row,
                        route,
                    });
                }
            } else {
                let row = record::export(&mut f);
                ctx.extend(f.take_problems());
                if let Some(row) = row
                    && ctx.staging()
                {
                    let (finding_seen, identities) = match route {
                        Route::Direct => ctx.cache.identities(ri, &row),
                        Route::Deferred => (false, None),
                    };
                    ctx.stage(Staged::Export {
                        report_idx: ri,
                        idx,
                        row,
                        route,
                        finding_seen,
                        identities,
                    });
                }
            }
            store_abort(ctx)?;
            idx += 1;
        }
    }
}
