#!/bin/sh
# bench/migrate/run.sh — apply N small migrations (default 1000) to an
# empty database with `pgqc migrate up`, and the same SQL with dbmate
# (npm package `dbmate`) in the same run, on the same throwaway server.
#
# Usage: bench/migrate/run.sh [BUILD_DIR] [N]
#   BUILD_DIR  meson build directory holding generator/pgqc (default: build)
#   N          number of migrations (default: 1000)
# dbmate is installed into $XDG_CACHE_HOME/pgqc-bench (npm) on first use;
# without npm the dbmate half is skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
n=${2:-1000}
pgqc=$(cd "$build" && pwd)/generator/pgqc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/pgqc-bench
dbmate=$cache/node_modules/.bin/dbmate
if [ ! -x "$dbmate" ] && command -v npm >/dev/null; then
    mkdir -p "$cache"
    (cd "$cache" && npm install --no-audit --no-fund dbmate >/dev/null 2>&1) || true
fi

# The same SQL twice: pgqc's NNNN_name.up/.down.sql and dbmate's
# NNNN_name.sql with -- migrate:up / -- migrate:down sections.
mkdir -p "$work/pgqc" "$work/dbmate" "$work/empty"
i=1
while [ "$i" -le "$n" ]; do
    v=$(printf '%05d' "$i")
    up="CREATE TABLE t$i (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());"
    down="DROP TABLE t$i;"
    echo "$up" > "$work/pgqc/${v}_table_$i.up.sql"
    echo "$down" > "$work/pgqc/${v}_table_$i.down.sql"
    printf -- '-- migrate:up\n%s\n\n-- migrate:down\n%s\n' "$up" "$down" \
        > "$work/dbmate/${v}_table_$i.sql"
    i=$((i + 1))
done

# Everything below runs with DATABASE_URL pointing at a throwaway server.
"$pgqc" run --migrations "$work/empty" -- sh "$here/measure.sh" "$pgqc" "$dbmate" "$work" "$n"
