#!/usr/bin/env bash
# bench/fetch profiler: counts the client's instructions per fetched row
# with valgrind --tool=callgrind for the generated variants and their
# hand-tuned rivals ((1) vs (b), (2) vs (b')), and prints the functions
# where they differ. Deterministic, so it shows small overheads that the
# shared machine's wall-clock noise hides. Needs the Debian package valgrind.
#
# Usage: bench/fetch/profile.sh [ROWS]   (default 200000; BUILD=DIR as for run.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD:-$root/build-bench-fetch}"
rows="${1:-200000}"

if [ "${PROFILE_INNER:-}" != 1 ]; then
    [ -x "$build/bench/fetch/fetch_bench" ] || "$here/run.sh" --rows 1 --small-rows 1 --rounds 1 >/dev/null
    export PROFILE_INNER=1
    exec "$build/generator/pgqc" run --migrations "$here/migrations" \
        -- "$0" "$rows"
fi

bench="$build/bench/fetch/fetch_bench"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Fill the table (one quick timing round on the side, output discarded).
"$bench" --rows "$rows" --small-rows 1 --rounds 1 >/dev/null 2>&1
for v in many binary iter single none; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$v" \
        "$bench" --child "$v" --rows "$rows" 2>"$out/vg.$v"
done
total() { callgrind_annotate "$out/cg.$1" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
# Per-function self cost, "name count" lines (libpq's anonymous functions by address).
funcs() {
    callgrind_annotate --threshold=100 "$out/cg.$1" |
        awk '/file:function/ { on = 1; next }
             on && /^ *[0-9,]+ +\(/ {
                 n = $1; gsub(",", "", n)
                 rest = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", rest)
                 lib = rest; sub(/^[^[]*\[/, "", lib); sub(/\].*$/, "", lib); sub(/^.*\//, "", lib)
                 f = rest; sub(/ +\[.*$/, "", f); sub(/^.*:/, "", f)
                 if (f ~ /^0x/) f = lib "+" f
                 cost[f] += n } END { for (f in cost) print f "\t" cost[f] }'
}
base=$(total none)
echo "client instructions per row, $rows rows (connect-only run subtracted):"
for v in many binary iter single; do
    awk -v t="$(total $v)" -v b="$base" -v n="$rows" -v v="$v" \
        'BEGIN { printf "  %-7s %7.0f\n", v, (t - b) / n }'
done
for pair in "many binary" "iter single"; do
    set -- $pair
    echo
    echo "functions where $1 and $2 differ by more than 5 instructions per row:"
    join -t $'\t' -a1 -a2 -e 0 -o 0,1.2,2.2 <(funcs "$1" | sort) <(funcs "$2" | sort) |
        awk -F'\t' -v n="$rows" -v a="$1" -v b="$2" '
            { d = ($2 - $3) / n; if (d > 5 || d < -5) printf "  %-36s %s %6.1f  %s %6.1f  diff %+6.1f\n", $1, a, $2 / n, b, $3 / n, d }'
done
