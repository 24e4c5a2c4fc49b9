#!/bin/sh
# bench/migrate/measure.sh — the timed half of run.sh, run by `pgqc run`
# with DATABASE_URL set to a throwaway server (key=value form). Each tool
# runs ROUNDS times (default 3), alternating, each time on a fresh
# database; the best time of each is reported, which keeps noise from other
# processes on the machine out of the ratio.
set -eu
pgqc=$1 dbmate=$2 work=$3 n=$4 rounds=${ROUNDS:-3}
host=$(echo "$DATABASE_URL" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
port=$(echo "$DATABASE_URL" | sed -n 's/.*port=\([^ ]*\).*/\1/p')
user=$(echo "$DATABASE_URL" | sed -n 's/.*user=\([^ ]*\).*/\1/p')

ms() { date +%s%N | cut -c1-13; }
best_pgqc=0 best_dbmate=0

run_pgqc() {
    psql "$DATABASE_URL" -qc "CREATE DATABASE bench_pgqc_$1"
    t0=$(ms)
    "$pgqc" migrate up --migrations "$work/pgqc" \
        --database-url "host=$host port=$port user=$user dbname=bench_pgqc_$1" > /dev/null
    t=$(($(ms) - t0))
    if [ "$best_pgqc" -eq 0 ] || [ "$t" -lt "$best_pgqc" ]; then best_pgqc=$t; fi
}

run_dbmate() {
    psql "$DATABASE_URL" -qc "CREATE DATABASE bench_dbmate_$1"
    url="postgres://$user@/bench_dbmate_$1?socket=$host&port=$port&sslmode=disable"
    t0=$(ms)
    "$dbmate" --url "$url" --migrations-dir "$work/dbmate" --no-dump-schema up > /dev/null
    t=$(($(ms) - t0))
    if [ "$best_dbmate" -eq 0 ] || [ "$t" -lt "$best_dbmate" ]; then best_dbmate=$t; fi
}

r=1
while [ "$r" -le "$rounds" ]; do
    run_pgqc "$r"
    if [ -x "$dbmate" ]; then run_dbmate "$r"; fi
    r=$((r + 1))
done

echo "pgqc:   $n migrations in $best_pgqc ms ($(echo "scale=3; $best_pgqc / $n" | bc) ms each), best of $rounds"
if [ -x "$dbmate" ]; then
    echo "dbmate: $n migrations in $best_dbmate ms ($(echo "scale=3; $best_dbmate / $n" | bc) ms each), best of $rounds"
    echo "pgqc / dbmate time ratio: $(echo "scale=2; $best_pgqc / $best_dbmate" | bc)"
else
    echo "dbmate: not available (needs npm); skipped"
fi
