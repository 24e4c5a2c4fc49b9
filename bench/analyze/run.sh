#!/usr/bin/env bash
# Analysis benchmark driver: pgqc describe versus libpq's bare pipelined
# PREPARE + describe (describe_floor), see README.md in this directory.
#
# Usage: bench/analyze/run.sh [--build DIR] [--database-url URL] [bench.py measure options]
#   --build DIR   meson build directory configured with -Dbench=true (default: build)
# Without --database-url/DATABASE_URL it starts one throwaway server with
# `pgqc run`, migrated with the benchmark schema, for the whole run. With a
# URL, that database must already be migrated with the benchmark schema
# (`bench.py schema DIR` writes it; `pgqc migrate up --migrations DIR`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build"
url="${DATABASE_URL:-}"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build="$(cd "$2" && pwd)"; shift 2 ;;
        --database-url) url="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
pgqc="$build/generator/pgqc"
floor="$build/bench/analyze/describe_floor"
for f in "$pgqc" "$floor"; do
    if [ ! -x "$f" ]; then
        echo "run.sh: $f missing: meson configure $build -Dbench=true && ninja -C $build" >&2
        exit 2
    fi
done

mig="$(mktemp -d)"
trap 'rm -rf "$mig"' EXIT
python3 "$here/bench.py" schema "$mig"
measure=(python3 "$here/bench.py" measure --pgqc "$pgqc" --floor "$floor" --migrations "$mig")
if [ -n "$url" ]; then
    "${measure[@]}" --database-url "$url" ${args[@]+"${args[@]}"}
    exit $?
fi
"$pgqc" run --migrations "$mig" -- "${measure[@]}" ${args[@]+"${args[@]}"}
