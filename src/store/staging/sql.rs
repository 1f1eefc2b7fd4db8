//! The SQL of an import: staging tables, the whole-file checks, and the merges.
//!
//! Records that arrive in the common order (a report's header before its lists, its findings
//! before its ticket exports) are written straight into the store as they stream past; only
//! their keys are staged, for the whole-file checks. The others are staged whole and resolved and
//! merged by the `DEFERRED_*` statements at the end, as every record once was. Either way the
//! import is one transaction, so a file with a problem still changes nothing.
//!
//! "The store before this import" is what the checks compare with, and the store's tables now
//! also hold this import's direct rows. Rows already there have a rowid at most the one recorded
//! when the import began (`?base`): an upsert keeps a row's rowid, and a new row's is larger.
//! The comparisons are written `+x.rowid <= ?1` so that SQLite does not scan by rowid range
//! instead of using the index on the join's columns.

/// The ON CONFLICT clause shared by both ways a report is merged.
/// The stored `exported_at` only moves forward; a report without one keeps the stored one.
/// (An export older than the stored one does not come here: it only adds what is new.)
macro_rules! upsert_report {
    () => {
        " ON CONFLICT (report_id) DO UPDATE SET title = excluded.title, target = excluded.target,
    exported_at = COALESCE(max(reports.exported_at, excluded.exported_at), reports.exported_at, excluded.exported_at)
  WHERE reports.title IS NOT excluded.title OR reports.target IS NOT excluded.target
     OR (excluded.exported_at IS NOT NULL AND (reports.exported_at IS NULL OR excluded.exported_at > reports.exported_at))"
    };
}

/// The status a finding gets from a report that is not older than the store's. `$dated` is true
/// when the report carries `exported_at`: then the file's status stands. Without one, nothing
/// says the file is newer, so a closed status that a sync confirmed with its ticket
/// (`synced_status`) stays: an older export re-imported never reopens a closed ticket.
macro_rules! finding_status {
    ($dated:literal) => {
        concat!(
            "iif(",
            $dated,
            " OR findings.status = 'open' OR findings.synced_status IS NOT findings.status, excluded.status, findings.status)"
        )
    };
}

/// The ON CONFLICT clause shared by both ways a finding is merged; `$dated` as for `finding_status`.
macro_rules! upsert_finding {
    ($dated:literal) => {
        concat!(
            " ON CONFLICT (report_id, finding_id) DO UPDATE SET rule_id = excluded.rule_id, title = excluded.title,
    severity = excluded.severity, url = excluded.url, parameter = excluded.parameter, description = excluded.description,
    evidence = excluded.evidence, remediation = excluded.remediation, status = ",
            finding_status!($dated),
            "
  WHERE (findings.rule_id, findings.title, findings.severity, findings.url, findings.description, findings.evidence,
         findings.remediation, findings.status) IS NOT (excluded.rule_id, excluded.title, excluded.severity, excluded.url,
         excluded.description, excluded.evidence, excluded.remediation, ",
            finding_status!($dated),
            ")
     OR findings.parameter IS NOT excluded.parameter"
        )
    };
}

/// The columns a finding is merged with.
macro_rules! finding_columns {
    () => {
        "INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter, description, evidence,
    remediation, status) "
    };
}

/// The columns an attempt is merged with, and what an update may change: once this tool has
/// recorded an outcome, the platform can no longer overwrite status, code, cooldown or mapping
/// (a retry that failed on mapping names the fields the provider asked for; an older "complete"
/// from the platform would make it ready again with nothing changed); links only ever fill;
/// identities never change.
macro_rules! upsert_export {
    () => {
        " ON CONFLICT (ticket_export_id) DO UPDATE SET
    mapping_status = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.mapping_status, ticket_exports.mapping_status),
    mapping_missing = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.mapping_missing, ticket_exports.mapping_missing),
    external_ticket_id = COALESCE(ticket_exports.external_ticket_id, excluded.external_ticket_id),
    external_ticket_url = COALESCE(ticket_exports.external_ticket_url, excluded.external_ticket_url),
    portable_export_path = COALESCE(ticket_exports.portable_export_path, excluded.portable_export_path),
    export_status = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.export_status, ticket_exports.export_status),
    provider_response_code = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.provider_response_code, ticket_exports.provider_response_code),
    retry_after = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.retry_after, ticket_exports.retry_after),
    status_sync_status = iif(ticket_exports.outcome_recorded_at IS NULL, excluded.status_sync_status, ticket_exports.status_sync_status),
    failing_since = iif(ticket_exports.outcome_recorded_at IS NOT NULL, ticket_exports.failing_since,
        iif(ticket_exports.provider_error_code IS excluded.provider_error_code, ticket_exports.failing_since,
            iif(ticket_exports.provider_error_code IS NOT NULL AND ticket_exports.provider_error_code IS
                    te_code_after_import(ticket_exports.provider_error_code, excluded.provider_error_code, excluded.export_status),
                ticket_exports.failing_since, excluded.failing_since))),
    owner_kind = iif(ticket_exports.outcome_recorded_at IS NULL AND ticket_exports.provider_error_code IS NOT excluded.provider_error_code
        AND ticket_exports.provider_error_code IS NOT te_code_after_import(ticket_exports.provider_error_code, excluded.provider_error_code, excluded.export_status),
        excluded.owner_kind, ticket_exports.owner_kind),
    owner_digest = iif(ticket_exports.outcome_recorded_at IS NULL AND ticket_exports.provider_error_code IS NOT excluded.provider_error_code
        AND ticket_exports.provider_error_code IS NOT te_code_after_import(ticket_exports.provider_error_code, excluded.provider_error_code, excluded.export_status),
        excluded.owner_digest, ticket_exports.owner_digest),
    provider_error_code = iif(ticket_exports.outcome_recorded_at IS NULL,
        iif(ticket_exports.provider_error_code IS excluded.provider_error_code, excluded.provider_error_code,
            te_code_after_import(ticket_exports.provider_error_code, excluded.provider_error_code, excluded.export_status)),
        ticket_exports.provider_error_code),
    updated_at = excluded.updated_at"
    };
}

/// The attempt upsert on its own, for the store's tests of what a re-import may change.
#[cfg(test)]
pub(super) const UPSERT_EXPORT: &str = upsert_export!();

macro_rules! export_columns {
    () => {
        "ticket_export_id, report_id, finding_id, provider_key, export_status,
    provider_error_code, provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint, idempotency_key,
    retry_after, external_ticket_id, external_ticket_url, status_sync_status, portable_export_path, owner_kind,
    owner_digest, failing_since, created_at, updated_at"
    };
}

/// Staging tables. `s_finding_ids`, `s_export_ids` and `s_links` hold every record's keys,
/// narrow. Attempt ids and tickets arrive in no useful order, so their tables have no index:
/// each row is appended, and the checks sort them once at the end instead of keeping a b-tree
/// ordered row by row. Finding ids arrive report by report, so their key keeps the end of its
/// b-tree in the cache. `s_findings` and `s_exports` hold only deferred records.
pub(super) const STAGE_TABLES: &str = r#"
DROP TABLE IF EXISTS temp.s_reports;
DROP TABLE IF EXISTS temp.s_finding_ids;
DROP TABLE IF EXISTS temp.s_export_ids;
DROP TABLE IF EXISTS temp.s_links;
DROP TABLE IF EXISTS temp.s_problems;
DROP TABLE IF EXISTS temp.s_findings;
DROP TABLE IF EXISTS temp.s_exports;
DROP TABLE IF EXISTS temp.s_owners;
CREATE TEMP TABLE s_reports (idx INTEGER PRIMARY KEY, report_id TEXT NOT NULL, title TEXT NOT NULL, target TEXT NOT NULL,
    merged INTEGER NOT NULL, exported_at TEXT, age INTEGER);
CREATE INDEX temp.s_reports_by_id ON s_reports(report_id);
CREATE TEMP TABLE s_finding_ids (report_idx INTEGER NOT NULL, finding_id TEXT NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY (report_idx, finding_id, idx)) WITHOUT ROWID;
CREATE TEMP TABLE s_export_ids (ticket_export_id TEXT NOT NULL, report_idx INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TEMP TABLE s_links (provider_key TEXT NOT NULL, external_ticket_id TEXT NOT NULL, duplicate_fingerprint TEXT,
    report_idx INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TEMP TABLE s_problems (path TEXT NOT NULL, message TEXT NOT NULL);
CREATE TEMP TABLE s_findings (report_idx INTEGER NOT NULL, idx INTEGER NOT NULL, finding_id TEXT NOT NULL,
    rule_id TEXT NOT NULL, title TEXT NOT NULL, severity TEXT NOT NULL, url TEXT NOT NULL, parameter TEXT,
    description TEXT NOT NULL, evidence TEXT NOT NULL, remediation TEXT NOT NULL, status TEXT NOT NULL,
    PRIMARY KEY (report_idx, idx));
CREATE INDEX temp.s_findings_by_id ON s_findings(report_idx, finding_id);
CREATE TEMP TABLE s_exports (report_idx INTEGER NOT NULL, idx INTEGER NOT NULL, ticket_export_id TEXT NOT NULL,
    finding_id TEXT NOT NULL, provider_key TEXT NOT NULL, export_status TEXT NOT NULL, provider_error_code TEXT,
    provider_response_code INTEGER, mapping_status TEXT NOT NULL, mapping_missing TEXT NOT NULL,
    duplicate_fingerprint TEXT, idempotency_key TEXT, retry_after TEXT, external_ticket_id TEXT,
    external_ticket_url TEXT, status_sync_status TEXT, portable_export_path TEXT, report_id TEXT, change TEXT,
    PRIMARY KEY (report_idx, idx));
CREATE INDEX temp.s_exports_by_id ON s_exports(ticket_export_id);
CREATE TEMP TABLE s_owners (provider_key TEXT PRIMARY KEY, connection TEXT NOT NULL, mapping TEXT NOT NULL, output TEXT NOT NULL);
"#;

/// Empties the staging tables once the import is over, so their pages are not kept.
pub(super) const CLEAR: &str = "DELETE FROM s_reports; DELETE FROM s_finding_ids; DELETE FROM s_export_ids;
    DELETE FROM s_links; DELETE FROM s_problems; DELETE FROM s_findings; DELETE FROM s_exports; DELETE FROM s_owners;";

/// The highest rowids before the import: `?base` of the checks.
pub(super) const BASE_EXPORTS: &str = "SELECT coalesce(max(rowid), 0) FROM ticket_exports";
pub(super) const BASE_LINKS: &str = "SELECT coalesce(max(rowid), 0) FROM links";

pub(super) const STAGE_OWNERS: &str = "INSERT OR REPLACE INTO s_owners VALUES (?1, ?2, ?3, ?4)";
pub(super) const STAGE_REPORT: &str = "INSERT INTO s_reports (idx, report_id, title, target, merged, exported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
pub(super) const STAGE_FINDING_ID: &str = "INSERT INTO s_finding_ids VALUES (?1, ?2, ?3)";
pub(super) const STAGE_EXPORT_ID: &str = "INSERT INTO s_export_ids VALUES (?1, ?2, ?3)";
pub(super) const STAGE_LINK: &str = "INSERT INTO s_links VALUES (?1, ?2, ?3, ?4, ?5)";
pub(super) const STAGE_PROBLEM: &str = "INSERT INTO s_problems VALUES (?1, ?2)";
pub(super) const STAGE_FINDING: &str =
    "INSERT INTO s_findings VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";
pub(super) const STAGE_EXPORT: &str = "INSERT INTO s_exports (report_idx, idx, ticket_export_id, finding_id, provider_key, export_status,
    provider_error_code, provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint,
    idempotency_key, retry_after, external_ticket_id, external_ticket_url, status_sync_status,
    portable_export_path) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)";

/// A report's target before the import, for identities computed from a finding of the store,
/// and its `exported_at`, to tell whether the file's report is older.
pub(super) const STORED_REPORT: &str =
    "SELECT target, exported_at FROM reports WHERE report_id = ?1";

/// What a direct attempt is compared with: the stored attempt, if any.
pub(super) const STORED_ATTEMPT: &str = "SELECT rowid, report_id, finding_id, provider_key, duplicate_fingerprint, idempotency_key,
    mapping_status, mapping_missing, external_ticket_id, external_ticket_url, portable_export_path,
    outcome_recorded_at IS NOT NULL, export_status, provider_error_code, provider_response_code, retry_after,
    status_sync_status
  FROM ticket_exports WHERE ticket_export_id = ?1";

/// A finding of the store (or of this file, already merged), for an identity the reader could
/// not compute; and whether this file's report holds it.
pub(super) const STORED_FINDING: &str =
    "SELECT rule_id, url, parameter FROM findings WHERE report_id = ?1 AND finding_id = ?2";
pub(super) const FILE_HAS_FINDING: &str =
    "SELECT 1 FROM s_finding_ids WHERE report_idx = ?1 AND finding_id = ?2 LIMIT 1";

pub(super) const MERGE_REPORT: &str = concat!(
    "INSERT INTO reports (report_id, title, target, exported_at) VALUES (?1, ?2, ?3, ?4)",
    upsert_report!()
);

/// A report older than the store's: added if new, else left as it is.
pub(super) const KEEP_REPORT: &str =
    "INSERT INTO reports (report_id, title, target, exported_at) VALUES (?1, ?2, ?3, ?4)
  ON CONFLICT DO NOTHING";

/// `?12` is true when the report carries `exported_at` (see `finding_status`).
pub(super) const MERGE_FINDING: &str = concat!(
    finding_columns!(),
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    upsert_finding!("?12")
);

/// A finding of a report older than the store's: added if new, else left as it is.
pub(super) const KEEP_FINDING: &str = concat!(
    finding_columns!(),
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING"
);

pub(super) const MERGE_EXPORT: &str = concat!(
    "INSERT INTO ticket_exports (",
    export_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)",
    upsert_export!()
);

pub(super) const RECORD_EVENT: &str =
    "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
  VALUES (?1, ?2, 'import', ?3, ?4, ?5, 'export_status ' || ?6 || ', mapping ' || ?7)";

pub(super) const MERGE_LINK: &str = "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, external_ticket_url,
    ticket_export_id, linked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
  ON CONFLICT DO NOTHING";

/// Deferred attempts: report ids, then identities: the store's when the attempt exists (they
/// never change), else the file's, else computed from the file's finding, else the store's.
pub(super) const DEFERRED_RESOLVE: &[&str] = &[
    "UPDATE s_exports SET report_id = (SELECT report_id FROM s_reports r WHERE r.idx = s_exports.report_idx)",
    "UPDATE s_exports SET duplicate_fingerprint = COALESCE(
    (SELECT t.duplicate_fingerprint FROM ticket_exports t WHERE t.ticket_export_id = s_exports.ticket_export_id AND +t.rowid <= ?1),
    duplicate_fingerprint,
    (SELECT te_fingerprint(f.rule_id, f.url, f.parameter, r.target, s_exports.provider_key)
       FROM s_findings f JOIN s_reports r ON r.idx = f.report_idx
      WHERE f.report_idx = s_exports.report_idx AND f.finding_id = s_exports.finding_id),
    (SELECT te_fingerprint(f.rule_id, f.url, f.parameter, r.target, s_exports.provider_key)
       FROM findings f JOIN reports r ON r.report_id = f.report_id
      WHERE f.report_id = s_exports.report_id AND f.finding_id = s_exports.finding_id)),
  idempotency_key = COALESCE(
    (SELECT t.idempotency_key FROM ticket_exports t WHERE t.ticket_export_id = s_exports.ticket_export_id AND +t.rowid <= ?1),
    idempotency_key)",
    // No fingerprint means no finding was found: the checks report that, so derive nothing.
    "UPDATE s_exports SET idempotency_key = te_idempotency_key(duplicate_fingerprint)
      WHERE idempotency_key IS NULL AND duplicate_fingerprint IS NOT NULL",
];

/// Deferred attempts join direct ones for the link checks, and their identity problems join
/// those found while streaming.
pub(super) const DEFERRED_STAGE: &[&str] = &[
    "INSERT INTO s_links SELECT provider_key, external_ticket_id, duplicate_fingerprint, report_idx, idx
       FROM s_exports WHERE external_ticket_id IS NOT NULL",
    "INSERT INTO s_problems
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || ']', 'ticket export \"' || e.ticket_export_id || '\" belongs to ' || t.report_id || '/' || t.finding_id || ' at ' || t.provider_key || ' in the store; an attempt''s report, finding and provider never change: import it under a new ticket_export_id'
       FROM s_exports e JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id
      WHERE +t.rowid <= ?1 AND (t.report_id IS NOT e.report_id OR t.finding_id IS NOT e.finding_id OR t.provider_key IS NOT e.provider_key)",
    "INSERT INTO s_problems
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].finding_id', 'finding \"' || e.finding_id || '\" is not in this report''s findings (nor in the store)'
       FROM s_exports e
      WHERE NOT EXISTS (SELECT 1 FROM s_findings f WHERE f.report_idx = e.report_idx AND f.finding_id = e.finding_id)
        AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.report_id = e.report_id AND f.finding_id = e.finding_id)",
];

/// Whole-file checks; each yields (JSON path, message). `?1` is the links' base rowid.
pub(super) const CHECKS: &[&str] = &[
    "SELECT 'reports[' || idx || '].report_id', 'duplicate report_id \"' || report_id || '\" (it appears more than once in the file)'
       FROM s_reports WHERE report_id IN (SELECT report_id FROM s_reports GROUP BY report_id HAVING count(*) > 1) ORDER BY idx",
    "SELECT 'reports[' || report_idx || '].findings[' || idx || '].finding_id', 'duplicate finding_id \"' || finding_id || '\" in this report'
       FROM s_finding_ids f JOIN (SELECT report_idx AS ri, finding_id AS fid FROM s_finding_ids GROUP BY 1, 2 HAVING count(*) > 1)
         ON ri = f.report_idx AND fid = f.finding_id
      ORDER BY report_idx, idx",
    EXPORT_CHECKS,
];

/// Checks on ticket exports: duplicates, missing findings and changed identities (found while
/// streaming, in `s_problems`), and link conflicts with the store or within the file.
const EXPORT_CHECKS: &str = "SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].ticket_export_id', 'duplicate ticket_export_id \"' || e.ticket_export_id || '\" (it appears more than once in the file)'
       FROM s_export_ids e JOIN (SELECT ticket_export_id AS d FROM s_export_ids GROUP BY 1 HAVING count(*) > 1) ON d = e.ticket_export_id
     UNION ALL
     SELECT path, message FROM s_problems
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'ticket \"' || e.external_ticket_id || '\" at ' || e.provider_key || ' is already linked to another finding (' || l.ticket_export_id || '); one ticket, one finding'
       FROM s_links e JOIN links l ON l.provider_key = e.provider_key AND l.external_ticket_id = e.external_ticket_id
      WHERE ?1 > 0 AND +l.rowid <= ?1 AND l.duplicate_fingerprint IS NOT e.duplicate_fingerprint
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'this finding is already linked to ticket \"' || l.external_ticket_id || '\" at ' || e.provider_key || '; a second ticket for it would be a duplicate'
       FROM s_links e JOIN links l ON l.provider_key = e.provider_key AND l.duplicate_fingerprint = e.duplicate_fingerprint
      WHERE ?1 > 0 AND +l.rowid <= ?1 AND l.external_ticket_id IS NOT e.external_ticket_id
     UNION ALL
     SELECT 'reports[' || e.report_idx || '].ticket_exports[' || e.idx || '].external_ticket_id', 'ticket \"' || e.external_ticket_id || '\" at ' || e.provider_key || ' is named by more than one finding in the file'
       FROM s_links e JOIN (SELECT provider_key AS p, external_ticket_id AS x FROM s_links GROUP BY 1, 2
                             HAVING count(DISTINCT duplicate_fingerprint) > 1) ON p = e.provider_key AND x = e.external_ticket_id
     ORDER BY 1";

/// Marks each deferred attempt created, updated or unchanged, as `Stored::changed_by` does for
/// direct ones.
pub(super) const DEFERRED_MARK_CHANGES: &str = r#"
UPDATE s_exports SET change = (
  SELECT CASE
    WHEN t.ticket_export_id IS NULL THEN 'created'
    WHEN (t.external_ticket_id IS NULL AND s_exports.external_ticket_id IS NOT NULL)
      OR (t.external_ticket_url IS NULL AND s_exports.external_ticket_url IS NOT NULL)
      OR (t.portable_export_path IS NULL AND s_exports.portable_export_path IS NOT NULL)
      OR (t.outcome_recorded_at IS NULL AND (
           t.mapping_status IS NOT s_exports.mapping_status OR t.mapping_missing IS NOT s_exports.mapping_missing
        OR t.export_status IS NOT s_exports.export_status OR t.provider_error_code IS NOT s_exports.provider_error_code
        OR t.provider_response_code IS NOT s_exports.provider_response_code OR t.retry_after IS NOT s_exports.retry_after
        OR t.status_sync_status IS NOT s_exports.status_sync_status))
    THEN 'updated'
  END
  FROM (SELECT 1) LEFT JOIN ticket_exports t ON t.ticket_export_id = s_exports.ticket_export_id);
"#;

/// Each deferred report's age against the store, once, before any is merged: 0 without
/// `exported_at`, 1 not older than the stored one (or none stored), 2 older (`ReportAge`).
pub(super) const DEFERRED_AGES: &str = "UPDATE s_reports SET age = CASE
    WHEN exported_at IS NULL THEN 0
    WHEN exported_at < (SELECT r.exported_at FROM reports r WHERE r.report_id = s_reports.report_id) THEN 2
    ELSE 1 END
  WHERE merged = 0";

/// The deferred reports older than the store's, for the import's answer.
pub(super) const DEFERRED_OLDER: &str =
    "SELECT report_id FROM s_reports WHERE merged = 0 AND age = 2 ORDER BY idx";

pub(super) const DEFERRED_MERGE_REPORTS: &str = concat!(
    "INSERT INTO reports (report_id, title, target, exported_at) SELECT report_id, title, target, exported_at
       FROM s_reports WHERE merged = 0 AND age < 2",
    upsert_report!()
);

pub(super) const DEFERRED_KEEP_REPORTS: &str = "INSERT INTO reports (report_id, title, target, exported_at)
  SELECT report_id, title, target, exported_at FROM s_reports WHERE merged = 0 AND age = 2 ON CONFLICT DO NOTHING";

/// The deferred findings of reports of one age, before the clause that age allows.
macro_rules! deferred_findings {
    () => {
        concat!(
            finding_columns!(),
            "SELECT r.report_id, f.finding_id, f.rule_id, f.title, f.severity, f.url, f.parameter,
    f.description, f.evidence, f.remediation, f.status FROM s_findings f JOIN s_reports r ON r.idx = f.report_idx
   WHERE r.age = "
        )
    };
}

/// One statement per age: without `exported_at`, not older, older.
pub(super) const DEFERRED_MERGE_FINDINGS: [&str; 3] = [
    concat!(deferred_findings!(), "0", upsert_finding!("0")),
    concat!(deferred_findings!(), "1", upsert_finding!("1")),
    concat!(deferred_findings!(), "2 ON CONFLICT DO NOTHING"),
];

pub(super) const DEFERRED_COUNTS: &str = "SELECT count(*) FILTER (WHERE change = 'created'),
    count(*) FILTER (WHERE change = 'updated'), count(*) FILTER (WHERE change IS NULL) FROM s_exports";

pub(super) const DEFERRED_RECORD_EVENTS: &str =
    "INSERT INTO events (ticket_export_id, at, action, outcome, code, http_status, detail)
  SELECT ticket_export_id, ?1, 'import', change, provider_error_code, provider_response_code,
         'export_status ' || export_status || ', mapping ' || mapping_status
    FROM s_exports WHERE change IS NOT NULL ORDER BY report_idx, idx";

pub(super) const DEFERRED_MERGE_EXPORTS: &str = concat!(
    "INSERT INTO ticket_exports (",
    export_columns!(),
    ")
  SELECT e.ticket_export_id, e.report_id, e.finding_id, e.provider_key, e.export_status, e.provider_error_code,
    e.provider_response_code, e.mapping_status, e.mapping_missing, e.duplicate_fingerprint, e.idempotency_key,
    e.retry_after, e.external_ticket_id, e.external_ticket_url, e.status_sync_status, e.portable_export_path,
    CASE WHEN e.provider_error_code IN ('PROVIDER_AUTH_FAILED', 'TICKET_EXPORT_DELIVERY_FAILED') THEN 'connection'
         WHEN e.provider_error_code = 'TICKET_EXPORT_MAPPING_REQUIRED' THEN 'mapping'
         WHEN e.provider_error_code = 'PORTABLE_EXPORT_FAILED' THEN 'output_path' END,
    CASE WHEN e.provider_error_code IN ('PROVIDER_AUTH_FAILED', 'TICKET_EXPORT_DELIVERY_FAILED') THEN o.connection
         WHEN e.provider_error_code = 'TICKET_EXPORT_MAPPING_REQUIRED' THEN o.mapping
         WHEN e.provider_error_code = 'PORTABLE_EXPORT_FAILED' THEN o.output END,
    CASE WHEN e.provider_error_code IS NOT NULL THEN ?1 END, ?1, ?1
  FROM s_exports e LEFT JOIN s_owners o ON o.provider_key = e.provider_key WHERE e.change IS NOT NULL",
    upsert_export!()
);

pub(super) const DEFERRED_MERGE_LINKS: &str = "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id, external_ticket_url,
    ticket_export_id, linked_at)
  SELECT t.provider_key, t.duplicate_fingerprint, t.external_ticket_id, t.external_ticket_url, t.ticket_export_id, ?1
    FROM s_exports e JOIN ticket_exports t ON t.ticket_export_id = e.ticket_export_id
   WHERE e.change IS NOT NULL AND t.external_ticket_id IS NOT NULL
  ON CONFLICT DO NOTHING";
