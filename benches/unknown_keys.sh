#!/usr/bin/env bash
# Import time of one object with many unknown keys, at doubling sizes: the refusal must stay
# linear in the input (it was quadratic: 200,000 keys took 57 s). Prints keys, bytes, wall and
# CPU seconds and the CPU ratio to the size before (steadier than wall time on a shared
# machine); a ratio near 2 is linear, near 4 quadratic.
#
#   benches/unknown_keys.sh [BINARY] [SIZES...]   # default: target/release/ticket-export 25000 50000 100000 200000
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/ticket-export}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(25000 50000 100000 200000)
work=$(mktemp -d /tmp/te-unknown.XXXXXX)
trap 'rm -rf "$work"' EXIT
previous=
for n in "${sizes[@]}"; do
    file=$work/keys-$n.json
    # One finding with every known field, then N unknown members `"x0000001":1`.
    {
        printf '{"schema_version":1,"reports":[{"report_id":"rep_1","title":"t","target":"https://shop.example","findings":[{"finding_id":"f","rule_id":"r","title":"t","severity":"low","url":"https://shop.example/"'
        seq -f ',"x%07g":1' 1 "$n" | tr -d '\n'
        printf '}],"ticket_exports":[]}]}\n'
    } > "$file"
    bytes=$(stat -c %s "$file")
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$bin" --store "$work/s-$n.sqlite3" import "$file" >/dev/null 2>&1 || true
    read -r wall user sys < <(tail -1 "$work/time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    ratio=-
    [ -z "$previous" ] || ratio=$(awk -v a="$cpu" -v b="$previous" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%8d keys  %9d bytes  %7.2f s wall  %7.2f s CPU  CPU x%s\n' "$n" "$bytes" "$wall" "$cpu" "$ratio"
    previous=$cpu
done
