//! The store's migrations, append-only: never edit one that has shipped, add the next.

/// Each entry moves the schema from version `i` to `i + 1` (`PRAGMA user_version`).
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE reports (
    report_id TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    target    TEXT NOT NULL
) STRICT;

CREATE TABLE findings (
    report_id   TEXT NOT NULL REFERENCES reports(report_id),
    finding_id  TEXT NOT NULL,
    rule_id     TEXT NOT NULL,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL,
    url         TEXT NOT NULL,
    parameter   TEXT,
    description TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    remediation TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (report_id, finding_id)
) STRICT;

CREATE TABLE ticket_exports (
    ticket_export_id       TEXT PRIMARY KEY,
    report_id              TEXT NOT NULL,
    finding_id             TEXT NOT NULL,
    provider_key           TEXT NOT NULL,
    export_status          TEXT NOT NULL,
    provider_error_code    TEXT,
    provider_response_code INTEGER,
    mapping_status         TEXT NOT NULL,
    mapping_missing        TEXT NOT NULL DEFAULT '[]',
    duplicate_fingerprint  TEXT NOT NULL,
    idempotency_key        TEXT NOT NULL,
    retry_after            TEXT,
    external_ticket_id     TEXT,
    external_ticket_url    TEXT,
    status_sync_status     TEXT,
    portable_export_path   TEXT,
    attempt_count          INTEGER NOT NULL DEFAULT 0,
    owner_kind             TEXT,
    owner_digest           TEXT,
    failing_since          TEXT,
    outcome_recorded_at    TEXT,
    lease_holder           TEXT,
    lease_until            TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    FOREIGN KEY (report_id, finding_id) REFERENCES findings(report_id, finding_id)
) STRICT;

CREATE INDEX ticket_exports_by_code     ON ticket_exports(provider_error_code, ticket_export_id);
CREATE INDEX ticket_exports_by_report   ON ticket_exports(report_id, ticket_export_id);
CREATE INDEX ticket_exports_by_provider ON ticket_exports(provider_key, ticket_export_id);
CREATE INDEX ticket_exports_by_fingerprint ON ticket_exports(provider_key, duplicate_fingerprint);

-- One remote ticket per finding and destination, and one finding per remote ticket.
CREATE TABLE links (
    provider_key          TEXT NOT NULL,
    duplicate_fingerprint TEXT NOT NULL,
    external_ticket_id    TEXT NOT NULL,
    external_ticket_url   TEXT,
    ticket_export_id      TEXT NOT NULL REFERENCES ticket_exports(ticket_export_id),
    last_synced_state     TEXT,
    linked_at             TEXT NOT NULL,
    UNIQUE (provider_key, duplicate_fingerprint),
    UNIQUE (provider_key, external_ticket_id)
) STRICT;

CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    ticket_export_id TEXT NOT NULL,
    at               TEXT NOT NULL,
    action           TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    code             TEXT,
    http_status      INTEGER,
    detail           TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_by_attempt ON events(ticket_export_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE provider_health (
    provider_key TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
) STRICT;
"#;

/// Provider-wide cooldowns: a provider that asked us to wait is not called by any run until then.
const V2: &str = r#"
CREATE TABLE provider_cooldowns (
    provider_key TEXT PRIMARY KEY,
    until        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT ''
) STRICT;
"#;

/// The state a push is moving a ticket to, kept until the push is confirmed: when its answer is
/// lost, the next sync can tell this tool's own write from a person's change.
const V3: &str = r#"
ALTER TABLE links ADD COLUMN push_target TEXT;
"#;

/// Sync reads and records each link by its attempt: without this index every such statement
/// scanned the whole table (and the batch read built a temporary index on each run).
const V4: &str = r#"
CREATE INDEX links_by_attempt ON links(ticket_export_id);
"#;

/// `log` lists events newest first across attempts, and `--since` selects a time range: both
/// read this index in order (its entries end with the row id, the tie-break), where without it
/// every run sorted the whole table.
const V5: &str = r#"
CREATE INDEX events_by_time ON events(at);
"#;

/// Data that only moves forward (an older export never reopens what a newer one closed):
/// `reports.exported_at` is the newest `exported_at` imported for the report, and
/// `findings.synced_status` the finding status a sync last confirmed with its ticket. An import
/// without `exported_at` never moves a closed status a sync confirmed. The backfill takes the
/// finding status a link's last synced pair still matches, so stores synced before this
/// migration are protected at once.
const V6: &str = r#"
ALTER TABLE reports ADD COLUMN exported_at TEXT;
ALTER TABLE findings ADD COLUMN synced_status TEXT;
UPDATE findings SET synced_status = status
 WHERE EXISTS (SELECT 1 FROM ticket_exports t JOIN links l ON l.ticket_export_id = t.ticket_export_id
                WHERE t.report_id = findings.report_id AND t.finding_id = findings.finding_id
                  AND substr(l.last_synced_state, 1, instr(l.last_synced_state, '|') - 1) =
                      CASE findings.status WHEN 'open' THEN 'open' WHEN 'resolved' THEN 'done' ELSE 'wont_fix' END);

-- A sync conflict (both sides changed differently since the last sync) is a fact triage reads:
-- the link is blocked until a person chooses a side (`sync ID --prefer`). Kept when a sync
-- attempt fails for another reason, cleared by a successful sync. The backfill finds conflicts
-- recorded before this migration: a sync failure whose latest sync event is a conflict.
ALTER TABLE ticket_exports ADD COLUMN sync_conflict_at TEXT;
UPDATE ticket_exports SET sync_conflict_at = updated_at
 WHERE provider_error_code = 'TICKET_STATUS_SYNC_FAILED'
   AND (SELECT e.outcome FROM events e WHERE e.ticket_export_id = ticket_exports.ticket_export_id AND e.action = 'sync'
         ORDER BY e.id DESC LIMIT 1) = 'conflict';
"#;
