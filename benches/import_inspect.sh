#!/usr/bin/env bash
# Reproduces the figures of BENCHMARKS.md (`## import` and `## inspect`): generates import files,
# imports them into a fresh store, and times `inspect` against the sqlite3 command-line tool on
# the same file.
#
#   benches/import_inspect.sh            # 100k and 1M attempts (about 850 MB of JSON at 1M)
#   N=200000 benches/import_inspect.sh   # a quicker run
#   KEEP=1 ...; then IMPORT=0 KEEP=1 ...    # keep the store, then time only `inspect` on it
#
# Needs: a Rust toolchain, /usr/bin/time, sqlite3; hyperfine if installed (else a shell loop).
# Files go under $WORK (default /tmp/te-bench) and are deleted at the end unless KEEP=1.
set -euo pipefail

N=${N:-1000000}
SMALL=${SMALL:-100000}
WORK=${WORK:-/tmp/te-bench}
NOW=2026-11-29T12:00:00Z
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/ticket-export
GEN=$TARGET/release/examples/generate

cargo build --release --locked --bin ticket-export --example generate >&2
mkdir -p "$WORK"
rm -rf "$WORK/demo"
"$BIN" demo --dir "$WORK/demo" >/dev/null
CONFIG=$WORK/demo/config.toml
STORE=$WORK/bench.sqlite3
TE=("$BIN" --config "$CONFIG" --store "$STORE")
export TICKET_EXPORT_NOW=$NOW

echo "## machine"
echo "nproc: $(nproc)"
lscpu | head -20
free -h
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Wall seconds and peak RSS (KB) of a command, as "S KB"; its stdout is discarded. `inspect`
# exits with the state of its selection, so a non-zero status is not a failure here.
timed() {
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || true
    tail -n 1 "$WORK/time"
}

echo
echo "## import"
[ "${IMPORT:-1}" = 1 ] || SMALL= N_IMPORT=
for n in $SMALL ${N_IMPORT-$N}; do
    file=$WORK/gen-$n.json
    "$GEN" "$n" >"$file"
    rm -f "$STORE" "$STORE-wal" "$STORE-shm"
    read -r secs kb < <(timed "${TE[@]}" -v import "$file")
    phases=$(grep '^time:' "$WORK/stderr" || true)
    rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s }')
    echo "import $n attempts: $secs s, $rate attempts/s, peak RSS $kb KB"
    echo "  $phases"
    read -r secs kb < <(timed "${TE[@]}" import "$file")
    echo "re-import (nothing changes): $secs s, peak RSS $kb KB"
    [ "$n" = "$N" ] || rm -f "$file"
done
rm -f "$WORK/gen-$N.json"
ls -l "$STORE"
echo "attempts in the store: $(sqlite3 "$STORE" 'SELECT count(*) FROM ticket_exports')"

echo
echo "## inspect (store of $N attempts)"
# The GROUP BY that `inspect --summary` runs (store::attempts::summary_groups), with its clock.
cat >"$WORK/summary.sql" <<SQL
SELECT provider_key, export_status, provider_error_code, provider_response_code, mapping_status,
       mapping_missing, owner_kind, owner_digest, failing_since, status_sync_status,
       external_ticket_id IS NOT NULL, external_ticket_url IS NOT NULL, portable_export_path IS NOT NULL,
       coalesce(retry_after > '$NOW', 0) AS ahead,
       CASE WHEN coalesce(retry_after > '$NOW', 0) THEN max(retry_after) END, count(*)
  FROM ticket_exports
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;
SQL
sed 's/FROM ticket_exports/FROM ticket_exports NOT INDEXED/' "$WORK/summary.sql" >"$WORK/summary-scan.sql"
echo "SELECT provider_error_code, provider_key, count(*) FROM ticket_exports GROUP BY 1, 2;" >"$WORK/codes.sql"
best() { # best of 3: "S KB"
    local b=
    for _ in 1 2 3; do
        read -r s k < <(timed "$@")
        if [ -z "$b" ] || awk -v s="$s" -v b="${b% *}" 'BEGIN { exit !(s < b) }'; then b="$s $k"; fi
    done
    echo "$b"
}
read -r s kb < <(best "${TE[@]}" inspect --summary)
echo "inspect --summary: $s s, peak RSS $kb KB (best of 3)"
for q in summary summary-scan codes; do
    read -r s kb < <(best sh -c "sqlite3 '$STORE' < '$WORK/$q.sql'")
    echo "sqlite3 $q.sql: $s s, peak RSS $kb KB (best of 3)"
done
echo "sqlite3 plan of summary.sql: $(sqlite3 "$STORE" "EXPLAIN QUERY PLAN $(cat "$WORK/summary.sql")" | tr '\n' ' ')"

ID=tex_$((N / 2))
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --style basic -i \
        "${TE[*]} inspect $ID" \
        "${TE[*]} inspect --code TICKET_EXPORT_MAPPING_REQUIRED --limit 50" \
        "${TE[*]} inspect --code none --limit 50" 2>&1 | grep -E 'Benchmark|Time|Range'
else
    for args in "inspect $ID" "inspect --code TICKET_EXPORT_MAPPING_REQUIRED --limit 50"; do
        start=$(date +%s%N)
        # shellcheck disable=SC2086 # $args is several words on purpose
        for _ in $(seq 100); do "${TE[@]}" $args >/dev/null 2>&1 || true; done
        awk -v a="$args" -v ns="$(( $(date +%s%N) - start ))" 'BEGIN { printf "%s: %.2f ms mean of 100\n", a, ns / 100 / 1e6 }'
    done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
