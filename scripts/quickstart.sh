#!/usr/bin/env bash
# The README's first command: install what is missing, build pgqc and the
# example (which generates db.h/db.c from migrations/ + queries/ with the
# embedded throwaway PostgreSQL), then run the example against a fresh,
# migrated throwaway database and print its rows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build
echo "--- running examples/demo against a throwaway database ---"
build/generator/pgqc run -- build/examples/demo
