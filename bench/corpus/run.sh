#!/usr/bin/env bash
# Corpus runner: runs pgqc over every case of the sqlc end-to-end corpus
# (../shared/corpus/sqlc) and compares its analysis with what sqlc inferred.
#
# This wrapper only finds pgqc and a server; the work is in corpus.py
# (Python 3, standard library only). Without DATABASE_URL/--database-url it
# starts ONE embedded throwaway PostgreSQL with `pgqc run` for the whole run;
# corpus.py then creates one database per case on that server.
#
# Usage: bench/corpus/run.sh [--pgqc PATH] [--corpus DIR] [--database-url URL]
#                            [--keep-work DIR]
# Defaults: --pgqc build/generator/pgqc, --corpus ../shared/corpus/sqlc
# (both relative to the repository root). Output (markdown) goes to stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pgqc="$root/build/generator/pgqc"
args=()
url="${DATABASE_URL:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --pgqc) pgqc="$2"; shift 2 ;;
        --database-url) url="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
if [ ! -x "$pgqc" ]; then
    echo "run.sh: pgqc not found at $pgqc (build with: ninja -C build)" >&2
    exit 2
fi
pgqc="$(cd "$(dirname "$pgqc")" && pwd)/$(basename "$pgqc")"

if [ -n "$url" ]; then
    exec python3 "$here/corpus.py" --pgqc "$pgqc" --database-url "$url" ${args[@]+"${args[@]}"}
fi

# One throwaway server for the whole run: `pgqc run` needs a migrations
# directory, an empty one is fine.
empty="$(mktemp -d)"
trap 'rm -rf "$empty"' EXIT
"$pgqc" run --migrations "$empty" -- \
    python3 "$here/corpus.py" --pgqc "$pgqc" ${args[@]+"${args[@]}"}
