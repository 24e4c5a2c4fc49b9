#!/bin/sh
# bench/generate/run.sh — how long `pgqc generate` of the example takes,
# cold and warm, beside the bare cost of the server it needs, all measured
# in the same run. See README.md for the figures and how to read them.
#
#   bench/generate/run.sh [PGQC] [ROUNDS]
#
# PGQC defaults to build/generator/pgqc, ROUNDS to 7. Each round measures,
# interleaved so that machine noise spreads over all of them:
#
#   initdb         bare initdb with pgqc's flags (as the server user)
#   start          postgres on that cluster until it accepts connections
#   stop           fast shutdown (SIGINT) until the postmaster is gone
#   no-cache       pgqc generate --no-cache (the throwaway server, as before the cache)
#   cold           pgqc generate with an empty cache (initdb + template build)
#   warm           pgqc generate after editing one query (migrations unchanged)
#   warm-nochange  pgqc generate with nothing changed
#
# and prints, per item, the median and the spread (min–max) in seconds.
# The cache lives in a scratch PGQC_CACHE_DIR, never the user's.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pgqc=${1:-$root/build/generator/pgqc}
rounds=${2:-7}
case $pgqc in /*) ;; *) pgqc=$(pwd)/$pgqc ;; esac
[ -x "$pgqc" ] || { echo "no pgqc at $pgqc (build first: meson setup build && ninja -C build)" >&2; exit 2; }

bindir=${PGQC_PG_BINDIR:-$(pg_config --bindir 2>/dev/null || true)}
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

scratch=$(mktemp -d /tmp/pgqc-bench-XXXXXX)
chmod 755 "$scratch"
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$scratch/project" "$scratch/bare"
cp -r "$root/migrations" "$root/queries" "$scratch/project/"
unset DATABASE_URL
export TMPDIR="$scratch"

# As root, the server runs as "postgres", like pgqc does.
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$scratch/bare"; fi

now() { date +%s.%N; }
record() { # record NAME START END
    echo "$1 $(echo "$3 - $2" | bc)" >> "$scratch/times"
}

pgqc_generate() { # pgqc_generate CACHE_DIR [ARGS]
    cache=$1; shift
    (cd "$scratch/project" && PGQC_CACHE_DIR=$cache "$pgqc" generate --out out --name db "$@")
}

no_cache_run() {
    t0=$(now)
    pgqc_generate "$scratch/nocache" --no-cache
    t1=$(now)
    record no-cache "$t0" "$t1"
}

cold_run() {
    t0=$(now)
    pgqc_generate "$scratch/cache"
    t1=$(now)
    record cold "$t0" "$t1"
}

i=0
while [ "$i" -lt "$rounds" ]; do
    i=$((i + 1))
    data="$scratch/bare/data$i"
    sock="$scratch/bare/sock$i"
    as_server mkdir "$sock"

    t0=$(now)
    as_server "$bindir/initdb" -D "$data" -A trust -U pgqc -E UTF8 --locale=C --no-sync \
        --no-instructions > /dev/null
    t1=$(now)
    record initdb "$t0" "$t1"

    t0=$(now)
    as_server "$bindir/postgres" -D "$data" -c "unix_socket_directories=$sock" \
        -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c wal_level=minimal -c max_wal_senders=0 > "$scratch/bare/log$i" 2>&1 &
    until "$bindir/pg_isready" -q -h "$sock" -U pgqc -d postgres; do sleep 0.005; done
    t1=$(now)
    record start "$t0" "$t1"
    pid=$(head -n1 "$data/postmaster.pid")
    t0=$(now)
    kill -INT "$pid"
    while kill -0 "$pid" 2> /dev/null; do sleep 0.005; done
    t1=$(now)
    record stop "$t0" "$t1"
    wait
    rm -rf "$data" "$sock"

    # no-cache and cold alternate in which goes first.
    if [ $((i % 2)) = 1 ]; then no_cache_run; sleep 0.3; cold_run; else cold_run; sleep 0.3; no_cache_run; fi

    # One query edited: a new query each round, so the output changes.
    printf -- '-- name: bench_probe_%s :one\nSELECT %s AS x;\n' "$i" "$i" \
        > "$scratch/project/queries/probe.sql"
    sleep 0.3
    t0=$(now)
    pgqc_generate "$scratch/cache"
    t1=$(now)
    record warm "$t0" "$t1"
    grep -q "bench_probe_$i" "$scratch/project/out/db.h"

    sleep 0.3
    t0=$(now)
    pgqc_generate "$scratch/cache"
    t1=$(now)
    record warm-nochange "$t0" "$t1"

    # Empty the cache for the next round's cold run, outside any timing.
    sleep 0.3 # let the last server finish stopping
    rm -rf "$scratch/cache"
    sync
done

echo "pgqc generate of the example, $rounds interleaved rounds, $(nproc) cores, $("$bindir/postgres" --version)"
printf '%-14s %8s %8s %8s\n' item median min max
for item in initdb start stop no-cache cold warm warm-nochange; do
    grep "^$item " "$scratch/times" | cut -d' ' -f2 | sort -n | awk -v item="$item" '
        { v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%-14s %8.3f %8.3f %8.3f\n", item, m, v[1], v[NR]
        }'
done
