#!/usr/bin/env bash
# The SQLite floor of an import, for BENCHMARKS.md: copies the rows of an imported store into a
# fresh store with INSERT ... SELECT (no JSON, no checks, no Rust), secondary indexes built at the
# end, in one transaction in WAL mode as `import` writes. What it costs is what SQLite alone needs
# to write these rows and indexes on this machine.
#
#   benches/sqlite_floor.sh STORE     # STORE: a store filled by `ticket-export import`
#
# The `|| ''` and `+ 0` keep SQLite from copying whole b-trees (its transfer optimisation), which
# an import cannot do either. Columns are named, so later migrations' columns keep their defaults.
set -euo pipefail
SRC=${1:?usage: benches/sqlite_floor.sh STORE}
DST=$(mktemp -u /tmp/te-floor.XXXXXX.sqlite3)
trap 'rm -f "$DST" "$DST-wal" "$DST-shm"' EXIT
schema=$(sqlite3 "$SRC" .schema)
step() { echo ".print $1"; echo "$2"; }
{
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;"
    grep -v '^CREATE INDEX' <<<"$schema"
    echo "ATTACH '$SRC' AS old;"
    echo "BEGIN;"
    echo ".timer on"
    step reports "INSERT INTO reports (report_id, title, target)
        SELECT report_id || '', title, target FROM old.reports ORDER BY rowid;"
    step findings "INSERT INTO findings (report_id, finding_id, rule_id, title, severity, url, parameter,
        description, evidence, remediation, status)
        SELECT report_id || '', finding_id, rule_id, title, severity, url, parameter, description,
        evidence, remediation, status FROM old.findings ORDER BY rowid;"
    columns="report_id, finding_id, provider_key, export_status, provider_error_code,
        provider_response_code, mapping_status, mapping_missing, duplicate_fingerprint, idempotency_key,
        retry_after, external_ticket_id, external_ticket_url, status_sync_status, portable_export_path,
        attempt_count, owner_kind, owner_digest, failing_since, created_at, updated_at"
    step ticket_exports "INSERT INTO ticket_exports (ticket_export_id, $columns)
        SELECT ticket_export_id || '', $columns FROM old.ticket_exports ORDER BY rowid;"
    step events "INSERT INTO events (id, ticket_export_id, at, action, outcome, code, http_status, detail)
        SELECT id + 0, ticket_export_id, at, action, outcome, code, http_status, detail
        FROM old.events ORDER BY rowid;"
    step links "INSERT INTO links (provider_key, duplicate_fingerprint, external_ticket_id,
        external_ticket_url, ticket_export_id, linked_at)
        SELECT provider_key || '', duplicate_fingerprint, external_ticket_id, external_ticket_url,
        ticket_export_id, linked_at FROM old.links ORDER BY rowid;"
    grep '^CREATE INDEX' <<<"$schema" | while read -r index; do
        step "$(awk '{print $3}' <<<"$index")" "$index"
    done
    step "commit (with the checkpoint)" "COMMIT;"
} >"$DST.sql"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "total: %e s wall, %U s user, %S s sys, peak RSS %M KB" sqlite3 "$DST" <"$DST.sql" 2>&1 |
    grep -v '^wal$' | paste -d' ' - - | sed 's/Run Time: real/ real/; s/^total.*/&/'
rm -f "$DST.sql"
