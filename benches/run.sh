#!/usr/bin/env bash
# Reproduces every figure in BENCHMARKS.md, one section after another, on this machine.
#
#   benches/run.sh            # everything (about 15 minutes on 2 cores)
#   benches/run.sh retry sync # only some sections: import_inspect, unknown_keys, fallback, retry,
#                             # sync, chaos
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(import_inspect unknown_keys fallback retry sync chaos)
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -h | awk '/Mem:/ {print $2}') RAM, load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release --locked --bin ticket-export --examples
bin=${CARGO_TARGET_DIR:-target}/release
for s in "${sections[@]}"; do
    echo; echo "## $s"
    case $s in
        import_inspect)
            # Keeps the 1M store for the SQLite-only floor, then deletes it.
            work=$(mktemp -d /tmp/te-bench.XXXXXX)
            WORK=$work KEEP=1 benches/import_inspect.sh
            benches/sqlite_floor.sh "$work/bench.sqlite3"
            rm -rf "$work" ;;
        unknown_keys) benches/unknown_keys.sh "$bin/ticket-export" 25000 50000 100000 200000 400000 800000 ;;
        fallback) benches/fallback.sh 10000 100000 200000 ;;
        retry) "$bin/examples/bench_retry" 1000 20 ;;
        sync) "$bin/examples/bench_sync" 5000 20 8 ;;
        chaos) CHAOS_ATTEMPTS=1000 CRASH_KILLS=50 CONCURRENT_WAVES=10 \
                   cargo test --release --locked --test chaos -- --nocapture --test-threads 1 ;;
        *) echo "unknown section $s" >&2; exit 2 ;;
    esac
done
