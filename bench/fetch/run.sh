#!/usr/bin/env bash
# bench/fetch driver: build the fetch benchmark optimised in its own build
# directory, start a throwaway PostgreSQL migrated with bench/fetch's schema
# (pgqc run), and run fetch_bench in it; see README.md in this directory.
#
# Usage: bench/fetch/run.sh [fetch_bench options: --rows N --small-rows N --rounds R]
#   BUILD=DIR   build directory (default: build-bench-fetch at the repository root),
#               configured here with -Dbench=true -Dbuildtype=release -Dtests=false
# Needs the Debian package libecpg-dev besides pgqc's own build dependencies.
# The results tables go to stdout, progress to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD:-$root/build-bench-fetch}"

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbench=true -Dbuildtype=release -Dtests=false >&2
else
    meson configure "$build" -Dbench=true -Dbuildtype=release >&2
fi
# One job: the benchmark machine is small and shared.
ninja -C "$build" -j 1 generator/pgqc bench/fetch/fetch_bench >&2

exec "$build/generator/pgqc" run --migrations "$here/migrations" \
    -- "$build/bench/fetch/fetch_bench" "$@"
