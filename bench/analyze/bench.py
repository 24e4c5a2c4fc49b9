#!/usr/bin/env python3
"""Analysis benchmark: pgqc describe versus the bare pipelined PREPARE+describe.

Generates N distinct queries (N = 100, 1,000, 10,000 by default) over a small
schema, and against ONE already-migrated server (DATABASE_URL or
--database-url; run.sh starts one with `pgqc run`) measures, interleaved,
R rounds of:

  * pgqc:  `pgqc describe --json --database-url URL` on the N queries
           (process start, catalog load, parse, describe, nullability, JSON);
  * floor: `describe_floor URL FILE`, the same SQL text PREPAREd and described
           with libpq in pipeline mode and nothing else.

Both are timed from outside as whole processes (wall clock). Reports medians,
min-max spread, per-query time and the ratio pgqc/floor. Also prints the floor's
in-process pipeline time (after connecting) for reference.

Subcommands:
  bench.py schema DIR        write the schema migration into DIR
  bench.py measure ...       generate queries and measure (needs a server)
Standard library only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SCHEMA = """\
-- Benchmark schema: a few tables with NOT NULL and nullable columns, an
-- enum-free mix of types pgqc maps (int, bigint, text, bool, timestamptz).
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text,
    age integer,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    author_id bigint REFERENCES users (id),
    title text NOT NULL,
    body text,
    published boolean NOT NULL DEFAULT false,
    score integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id),
    user_id bigint REFERENCES users (id),
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tags (
    post_id bigint NOT NULL REFERENCES posts (id),
    tag text NOT NULL,
    weight integer,
    PRIMARY KEY (post_id, tag)
);
"""

# Query shapes; {i} makes each query text distinct (a different constant).
SHAPES = [
    ("one", "SELECT id, email, display_name, age FROM users WHERE id = $1 AND age > {i}"),
    ("many", "SELECT p.id, p.title, u.email, u.display_name FROM posts p "
             "LEFT JOIN users u ON u.id = p.author_id WHERE p.score > {i} LIMIT $1"),
    ("many", "SELECT u.id, count(c.id) AS n, max(c.created_at) AS last_at FROM users u "
             "LEFT JOIN comments c ON c.user_id = u.id WHERE u.age < {i} GROUP BY u.id"),
    ("many", "SELECT coalesce(display_name, email) AS name, age + {i} AS age_plus FROM users "
             "WHERE active = $1"),
    ("one", "INSERT INTO posts (author_id, title, body, score) VALUES ($1, $2, $3, {i}) "
            "RETURNING id, created_at"),
    ("one", "UPDATE users SET display_name = $1 WHERE id = $2 AND age <> {i} "
            "RETURNING id, display_name"),
    ("many", "WITH top AS (SELECT post_id, sum(weight) AS w FROM tags GROUP BY post_id "
             "HAVING sum(weight) > {i}) SELECT p.id, p.title, top.w FROM posts p JOIN top ON top.post_id = p.id"),
    ("many", "SELECT c.id, c.body, p.title, u.email FROM comments c JOIN posts p ON p.id = c.post_id "
             "LEFT JOIN users u ON u.id = c.user_id WHERE c.post_id = $1 OR c.id = {i}"),
    ("many", "SELECT t.tag, t.weight, EXISTS (SELECT 1 FROM comments c WHERE c.post_id = t.post_id) AS "
             "has_comments FROM tags t WHERE t.weight IS NOT NULL AND t.weight > {i}"),
    ("many", "SELECT id, title FROM posts WHERE published UNION ALL "
             "SELECT id, email FROM users WHERE id > {i}"),
]


def write_queries(n, qdir, floor_file):
    os.makedirs(qdir, exist_ok=True)
    blocks, stmts = [], []
    for i in range(n):
        cmd, sql = SHAPES[i % len(SHAPES)]
        sql = sql.format(i=i)
        blocks.append("-- name: q%05d :%s\n%s;\n" % (i, cmd, sql))
        stmts.append(sql)
    with open(os.path.join(qdir, "queries.sql"), "w") as f:
        f.write("\n".join(blocks))
    with open(floor_file, "w") as f:
        f.write("\n-- next\n".join(stmts) + "\n")


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, p


def fmt_s(x):
    return "%.3f s" % x if x >= 0.1 else "%.1f ms" % (x * 1000)


def measure(args):
    url = args.database_url or os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("bench.py: no server: set DATABASE_URL or use run.sh")
    work = tempfile.mkdtemp(prefix="pgqc-bench-")
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        write_queries(n, os.path.join(work, "q%d" % n), os.path.join(work, "floor%d.sql" % n))
    pg = {n: [] for n in sizes}
    fl = {n: [] for n in sizes}
    fl_pipe = {n: [] for n in sizes}
    # Warm-up (page cache, server caches), checked for correctness.
    for n in sizes:
        _t, p = timed([args.pgqc, "describe", "--json", "--database-url", url, "--migrations",
                       args.migrations, "--queries", os.path.join(work, "q%d" % n)])
        if p.returncode != 0 or len(json.loads(p.stdout)["queries"]) != n:
            sys.exit("bench.py: pgqc describe failed for %d queries:\n%s" % (n, p.stderr[:2000]))
        _t, p = timed([args.floor, url, os.path.join(work, "floor%d.sql" % n)])
        if p.returncode != 0:
            sys.exit("bench.py: describe_floor failed for %d queries:\n%s" % (n, p.stderr[:2000]))
    for r in range(args.runs):
        for n in sizes:
            order = [0, 1] if r % 2 == 0 else [1, 0]  # alternate who goes first
            for which in order:
                if which == 0:
                    t, p = timed([args.pgqc, "describe", "--json", "--database-url", url,
                                  "--migrations", args.migrations, "--queries",
                                  os.path.join(work, "q%d" % n)])
                    if p.returncode != 0:
                        sys.exit("bench.py: pgqc failed: " + p.stderr[:2000])
                    pg[n].append(t)
                else:
                    t, p = timed([args.floor, url, os.path.join(work, "floor%d.sql" % n)])
                    if p.returncode != 0:
                        sys.exit("bench.py: floor failed: " + p.stderr[:2000])
                    fl[n].append(t)
                    fl_pipe[n].append(float(p.stdout.split("pipeline_s=")[1].split()[0]))
    subprocess.run(["rm", "-rf", work])

    med = statistics.median
    print("Runs: %d interleaved rounds per size (medians; spread = min-max). Load average at end: %s\n"
          % (args.runs, " ".join(open("/proc/loadavg").read().split()[:3])))
    print("| queries | pgqc total | pgqc per query | floor total | floor per query "
          "| ratio pgqc/floor | floor pipeline only |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        ratios = [a / b for a, b in zip(pg[n], fl[n])]
        print("| %d | %s (%s-%s) | %.1f µs | %s (%s-%s) | %.1f µs | %.2f× (%.2f-%.2f) | %s (%.1f µs/query) |" % (
            n, fmt_s(med(pg[n])), fmt_s(min(pg[n])), fmt_s(max(pg[n])), med(pg[n]) / n * 1e6,
            fmt_s(med(fl[n])), fmt_s(min(fl[n])), fmt_s(max(fl[n])), med(fl[n]) / n * 1e6,
            med(ratios), min(ratios), max(ratios), fmt_s(med(fl_pipe[n])), med(fl_pipe[n]) / n * 1e6))
    if args.raw:
        print("\nraw seconds:")
        for n in sizes:
            print("  %d pgqc  %s" % (n, " ".join("%.4f" % x for x in pg[n])))
            print("  %d floor %s" % (n, " ".join("%.4f" % x for x in fl[n])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("schema")
    s.add_argument("dir")
    m = sub.add_parser("measure")
    m.add_argument("--pgqc", required=True)
    m.add_argument("--floor", required=True)
    m.add_argument("--migrations", required=True, help="the migrations the server was migrated with")
    m.add_argument("--database-url")
    m.add_argument("--sizes", default="100,1000,10000")
    m.add_argument("--runs", type=int, default=5)
    m.add_argument("--raw", action="store_true", help="also print every timing")
    args = ap.parse_args()
    if args.cmd == "schema":
        os.makedirs(args.dir, exist_ok=True)
        with open(os.path.join(args.dir, "0001_bench_schema.sql"), "w") as f:
            f.write(SCHEMA)
    else:
        measure(args)


if __name__ == "__main__":
    main()
