#!/usr/bin/env bash
# Benchmark of `ticket-export fallback` (BENCHMARKS.md, section "fallback").
#
# For each N: generate N findings, import them, make every attempt's next step `fallback`, then
# time `ticket-export fallback --all-blocked` writing CSV, Markdown and JSON against
# `sqlite3 -csv` dumping the same rows and columns in the same order. Each is run RUNS times
# from the same starting store and an empty output folder; wall time, peak RSS and user and
# system CPU time come from /usr/bin/time, MB/s is the bytes written over the wall time. The
# machine's load average (/proc/loadavg) is printed before and after each N: wall times on a
# shared machine depend on it, CPU times much less.
#
#   benches/fallback.sh                 # N = 100000
#   RUNS=5 benches/fallback.sh 10000 100000 200000
#   FALLBACK_BIN=/path/to/older/ticket-export benches/fallback.sh   # time another build
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin ticket-export --example generate
BIN=${FALLBACK_BIN:-$CARGO_TARGET_DIR/release/ticket-export}
GEN=$CARGO_TARGET_DIR/release/examples/generate
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export TICKET_EXPORT_NOW=2026-11-29T12:00:00Z NO_COLOR=1

# The columns of the generic CSV, for the same rows fallback writes, in its order.
DUMP="SELECT t.ticket_export_id, t.duplicate_fingerprint, t.report_id, f.severity, f.title, f.url,
       f.parameter, f.description, f.evidence, f.remediation, t.provider_key, f.status
  FROM ticket_exports t JOIN findings f USING (report_id, finding_id)
 WHERE t.provider_key != 'legacy-tracker' ORDER BY t.report_id, t.ticket_export_id"

timed() { # label, command...: prints "label <wall s> <peak KB> <user s> <sys s>"
    local label=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
        cat "$WORK/stderr" >&2; return 1; }
    echo "$label $(cat "$WORK/time")"
}

row() { # N tool run wall KB user sys MB
    printf '%-8s %-9s %4s %9s %10s %7s %7s %10s %8.1f\n' "$@" \
        "$(awk -v m="$8" -v w="$4" 'BEGIN { print (w > 0 ? m / w : 0) }')"
}

printf '%-8s %-9s %4s %9s %10s %7s %7s %10s %8s\n' N tool run wall_s peak_KB user_s sys_s MB MB/s
for N in "${@:-100000}"; do
    D=$WORK/$N
    "$BIN" demo --dir "$D" >/dev/null 2>&1
    export TICKET_EXPORT_CONFIG=$D/config.toml TICKET_EXPORT_STORE=$D/bench.sqlite3
    "$GEN" "$N" >"$D/import.json"
    "$BIN" --quiet import "$D/import.json" >/dev/null
    # Every attempt becomes PORTABLE_EXPORT_FAILED with a usable folder, whose next step is
    # fallback; only the ~1% on the unconfigured legacy-tracker are not selected.
    sqlite3 "$TICKET_EXPORT_STORE" "PRAGMA journal_mode=DELETE; UPDATE ticket_exports SET
        provider_error_code = 'PORTABLE_EXPORT_FAILED', export_status = 'failed', external_ticket_id = NULL,
        external_ticket_url = NULL, owner_kind = 'output_path', owner_digest = 'bench';" >/dev/null
    rm -f "$TICKET_EXPORT_STORE-wal" "$TICKET_EXPORT_STORE-shm"
    cp "$TICKET_EXPORT_STORE" "$D/start.sqlite3"
    echo "# N=$N: load average before: $(cat /proc/loadavg)"
    for run in $(seq "$RUNS"); do
        rm -f "$TICKET_EXPORT_STORE-wal" "$TICKET_EXPORT_STORE-shm"
        cp "$D/start.sqlite3" "$TICKET_EXPORT_STORE"
        rm -rf "$D/out"
        read -r _ wall kb user sys < <(timed fallback "$BIN" --quiet fallback --all-blocked --out "$D/out")
        row "$N" fallback "$run" "$wall" "$kb" "$user" "$sys" "$(du -sb "$D/out" | awk '{printf "%.1f", $1 / 1e6}')"
        read -r _ wall kb user sys < <(timed sqlite3 sh -c "sqlite3 -csv -header '$D/start.sqlite3' \"$DUMP\" > '$D/dump.csv'")
        row "$N" sqlite3 "$run" "$wall" "$kb" "$user" "$sys" "$(du -sb "$D/dump.csv" | awk '{printf "%.1f", $1 / 1e6}')"
    done
    echo "# N=$N: load average after: $(cat /proc/loadavg)"
    echo "# N=$N: $(find "$D/out" -type f | wc -l) files, $(grep -c '' "$D/dump.csv") dump lines" \
        "(with header and multi-line cells)"
done
