#!/usr/bin/env python3
"""Corpus comparison: pgqc's analysis versus sqlc's, case by case.

Called by run.sh with a server already running (DATABASE_URL or
--database-url). For every case folder of the sqlc end-to-end corpus it
creates a fresh database on that one server, applies schema.sql as the
single migration 0001_schema.sql with `pgqc migrate up`, runs
`pgqc describe --json` on query.sql and compares with expected.tsv:

  * crashes: pgqc killed by a signal (must be 0);
  * queries rejected with an error, grouped by message;
  * parameter count per query;
  * nullability per result column where sqlc gave yes/no:
    "pgqc stricter" = pgqc nullable, sqlc not null;
    "pgqc looser"   = pgqc not null, sqlc nullable.

Nothing is skipped silently: commands pgqc lacks are rewritten to the
equivalent pgqc command (listed in the output), PostgreSQL 16+ features
and schemas PostgreSQL 15 cannot load are listed with their reason.
Standard library only. Output is markdown on stdout.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

# sqlc commands pgqc does not have, and the pgqc command with the same
# analysis (same SQL, same parameters, same result columns). The rewrite only
# changes what the generated function returns, not what is compared here.
COMMAND_REWRITES = {
    "execresult": "execrows",  # sql.Result -> affected rows; no columns either way
    "execlastid": "exec",      # MySQL LastInsertId; no result columns
    "copyfrom": "exec",        # COPY of the INSERT's parameters, row by row
    "batchexec": "exec",       # pgx batch of the same statement
    "batchone": "one",
    "batchmany": "many",
}

# Syntax newer than PostgreSQL 15 (pgqc's parser and embedded server). A
# query that fails AND matches one of these is counted as skipped, not rejected.
PG16_FEATURES = [
    (re.compile(r"\bJSON_(ARRAY|OBJECT|ARRAYAGG|OBJECTAGG|TABLE|QUERY|VALUE|EXISTS)\s*\(", re.I),
     "SQL/JSON constructors (PostgreSQL 16/17)"),
    (re.compile(r"\bIS\s+(NOT\s+)?JSON\b", re.I), "IS JSON predicate (PostgreSQL 16)"),
    (re.compile(r"\bANY_VALUE\s*\(", re.I), "any_value() (PostgreSQL 16)"),
    (re.compile(r"\bMERGE\b[\s\S]*\bRETURNING\b", re.I), "MERGE ... RETURNING (PostgreSQL 17)"),
]

ANNOTATION = re.compile(r"^(\s*--\s*name:\s*)(\S+)(\s*:)(\w+)", re.M)
# sqlc also accepts `/* name: X :cmd */`; pgqc only the `--` form.
SLASH_STAR_ANNOTATION = re.compile(r"^\s*/\*\s*name:\s*(\S+)\s*:(\w+)\s*\*/\s*$", re.M)
# sqlc commands whose generated code has no result columns (expected.tsv
# lists none even for a SELECT): result columns are not compared for these.
SQLC_NO_COLUMNS = {":exec", ":execrows", ":execresult", ":execlastid", ":copyfrom", ":batchexec"}
DIAG = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.*)$")
HINT = re.compile(r"^\s*= (?P<kind>hint|detail): (?P<msg>.*)$")


def with_dbname(url, db):
    """The connection string URL pointing at database DB instead."""
    if url.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + db))
    kept = re.sub(r"(^|\s)dbname=('[^']*'|\S+)", " ", url).strip()
    return (kept + " dbname=" + db).strip()


def psql(url, script):
    """Runs SCRIPT with psql; returns (rc, stderr)."""
    p = subprocess.run(["psql", "-X", "-q", "-d", url, "-f", "-"], input=script,
                       capture_output=True, text=True)
    return p.returncode, p.stderr


def read_expected(path):
    """expected.tsv -> {query: {"cmd", "params": [...], "cols": [...]}} in file order."""
    out = collections.OrderedDict()
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            q = out.setdefault(row["query"], {"cmd": row["cmd"], "params": [], "cols": []})
            if row["kind"] == "param":
                q["params"].append(row)
            elif row["kind"] == "col":
                q["cols"].append(row)
    return out


def annotations(text):
    """[(name, command, line)] of every `-- name:` annotation in TEXT."""
    res = []
    for m in ANNOTATION.finditer(text):
        res.append((m.group(2), m.group(4), text.count("\n", 0, m.start()) + 1))
    return res


def query_at(anns, line):
    """Name of the query whose block contains LINE, or None."""
    best = None
    for name, _cmd, l in anns:
        if l <= line:
            best = name
    return best


def parse_diagnostics(stderr):
    """pgqc's compiler-style diagnostics -> [dict(file, line, col, sev, msg, hint)]."""
    diags = []
    for line in stderr.splitlines():
        m = DIAG.match(line)
        if m:
            d = m.groupdict()
            d["line"] = int(d["line"])
            d["hint"] = ""
            diags.append(d)
            continue
        h = HINT.match(line)
        if h and diags and not diags[-1]["hint"]:
            diags[-1]["hint"] = h.group("kind") + ": " + h.group("msg")
    return diags


def group_key(msg):
    """A diagnostic message with names replaced, for grouping."""
    return re.sub(r'"[^"]*"', '"…"', msg)


def query_sql(text, anns, name):
    """The SQL text under annotation NAME (for feature detection)."""
    lines = text.splitlines()
    for i, (n, _c, l) in enumerate(anns):
        if n == name:
            end = anns[i + 1][2] - 1 if i + 1 < len(anns) else len(lines)
            return "\n".join(lines[l:end])
    return ""


class Report:
    def __init__(self):
        self.cases = 0
        self.cases_schema_failed = []   # (case, message)
        self.crashes = []               # (case, what, signal)
        self.queries_expected = 0
        self.described = 0
        self.rewritten = []             # (case, query, from, to)
        self.skipped = []               # (case, query, reason)
        self.rejected = []              # (case, query, message, hint)
        self.missing = []               # (case, query, why)
        self.case_errors = []           # (case, message) not tied to a query
        self.param_agree = 0
        self.param_disagree = []        # (case, query, pgqc, sqlc)
        self.colcount_disagree = []     # (case, query, pgqc, sqlc)
        self.null = collections.Counter()
        self.stricter = []              # (case, query, pos, name, type, sqlc_type, reason)
        self.looser = []                # (case, query, pos, name, type, sqlc_type, source)
        self.param_null = collections.Counter()


def run_case(args, url, case, work, rep):
    cdir = os.path.join(args.corpus, case)
    expected = read_expected(os.path.join(cdir, "expected.tsv"))
    rep.queries_expected += len(expected)
    mig = os.path.join(work, case, "migrations")
    qdir = os.path.join(work, case, "queries")
    os.makedirs(mig)
    os.makedirs(qdir)
    shutil.copy(os.path.join(cdir, "schema.sql"), os.path.join(mig, "0001_schema.sql"))
    with open(os.path.join(cdir, "query.sql")) as f:
        text = f.read()

    def rewrite(m):
        cmd = m.group(4)
        if cmd in COMMAND_REWRITES:
            rep.rewritten.append((case, m.group(2), cmd, COMMAND_REWRITES[cmd]))
            return m.group(1) + m.group(2) + m.group(3) + COMMAND_REWRITES[cmd]
        return m.group(0)

    def slash_star(m):
        rep.rewritten.append((case, m.group(1), "/* name: */", "-- name:"))
        return "-- name: %s :%s" % (m.group(1), m.group(2))

    text = SLASH_STAR_ANNOTATION.sub(slash_star, text)
    text = ANNOTATION.sub(rewrite, text)
    with open(os.path.join(qdir, "query.sql"), "w") as f:
        f.write(text)
    anns = annotations(text)
    common = ["--database-url", url, "--migrations", mig]

    p = subprocess.run([args.pgqc, "migrate", "up"] + common, capture_output=True, text=True)
    if p.returncode < 0:
        rep.crashes.append((case, "migrate up", -p.returncode))
    if p.returncode != 0:
        diags = parse_diagnostics(p.stderr)
        msg = diags[0]["msg"] if diags else (p.stderr.strip().splitlines() or ["?"])[-1]
        rep.cases_schema_failed.append((case, msg))
        for q in expected:
            rep.skipped.append((case, q, "schema.sql does not load on PostgreSQL 15: " + msg))
        return

    p = subprocess.run([args.pgqc, "describe", "--json", "--queries", qdir] + common,
                       capture_output=True, text=True)
    if p.returncode < 0:
        rep.crashes.append((case, "describe", -p.returncode))
        for q in expected:
            rep.missing.append((case, q, "pgqc crashed"))
        return
    try:
        got = {q["name"]: q for q in json.loads(p.stdout)["queries"]} if p.stdout.strip() else {}
    except (ValueError, KeyError) as e:
        rep.case_errors.append((case, "unreadable JSON: %s" % e))
        got = {}
    errors = {}
    for d in parse_diagnostics(p.stderr):
        if d["sev"] != "error":
            continue
        q = query_at(anns, d["line"]) if d["file"].endswith("query.sql") else None
        if q is None:
            rep.case_errors.append((case, d["msg"]))
        else:
            errors.setdefault(q, d)

    for qname, exp in expected.items():
        if qname not in got:
            if qname in errors:
                sql = query_sql(text, anns, qname)
                feature = next((why for rx, why in PG16_FEATURES if rx.search(sql)), None)
                if feature:
                    rep.skipped.append((case, qname, feature))
                else:
                    rep.rejected.append((case, qname, errors[qname]["msg"], errors[qname]["hint"]))
            else:
                rep.missing.append((case, qname, "no analysis and no error (exit %d)" % p.returncode))
            continue
        rep.described += 1
        q = got[qname]
        if len(q["params"]) == len(exp["params"]):
            rep.param_agree += 1
            for gp, ep in zip(q["params"], exp["params"]):
                if ep["nullable"] in ("yes", "no"):
                    rep.param_null[(gp["nullable"], ep["nullable"] == "yes")] += 1
        else:
            rep.param_disagree.append((case, qname, len(q["params"]), len(exp["params"])))
        if exp["cmd"] in SQLC_NO_COLUMNS:
            rep.null["not compared: sqlc %s has no result columns" % exp["cmd"]] += len(q["columns"])
            continue
        if len(q["columns"]) != len(exp["cols"]):
            rep.colcount_disagree.append((case, qname, len(q["columns"]), len(exp["cols"])))
            continue
        for gc, ec in match_columns(q["columns"], exp["cols"]):
            if ec["nullable"] not in ("yes", "no"):
                rep.null["sqlc unknown"] += 1
                continue
            s_null = ec["nullable"] == "yes"
            if gc["nullable"] == s_null:
                rep.null["agree"] += 1
            elif gc["nullable"]:
                rep.null["stricter"] += 1
                rep.stricter.append((case, qname, ec["pos"], gc["name"], gc["type"], ec["go_type"],
                                     gc.get("nullable_reason", "")))
            else:
                rep.null["looser"] += 1
                rep.looser.append((case, qname, ec["pos"], gc["name"], gc["type"], ec["go_type"],
                                   gc.get("source", "")))
    for qname in got:
        if qname not in expected:
            rep.case_errors.append((case, "query %s described by pgqc but absent from expected.tsv" % qname))


def match_columns(got, exp):
    """Pairs pgqc's and sqlc's result columns: by name when the names are the
    same set in another order (sqlc puts FROM-item columns of UPDATE ...
    RETURNING * first, PostgreSQL last), else by position."""
    gnames = [c["name"] for c in got]
    enames = [c["name"] for c in exp]
    if gnames != enames and sorted(gnames) == sorted(enames) and len(set(gnames)) == len(gnames):
        by_name = {c["name"]: c for c in got}
        return [(by_name[e["name"]], e) for e in exp]
    return list(zip(got, exp))


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def table(rows, header):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(str(x).replace("|", "\\|").replace("\n", " ") for x in r) + " |")
    return "\n".join(out)


def print_report(rep, elapsed, args):
    P = print
    n_cols = sum(rep.null.values())
    compared = rep.null["agree"] + rep.null["stricter"] + rep.null["looser"]
    P("## Summary\n")
    P(table([
        ("cases", rep.cases),
        ("cases whose schema does not load on PostgreSQL 15", len(rep.cases_schema_failed)),
        ("queries in expected.tsv", rep.queries_expected),
        ("queries described by pgqc", rep.described),
        ("queries rejected with an error", len(rep.rejected)),
        ("queries skipped (reason listed)", len(rep.skipped)),
        ("queries with no analysis and no error", len(rep.missing)),
        ("**crashes** (pgqc killed by a signal)", len(rep.crashes)),
        ("annotations rewritten to a pgqc command", len(rep.rewritten)),
        ("parameter count agrees with sqlc", "%d / %d described" % (rep.param_agree, rep.described)),
        ("result column count differs from sqlc", len(rep.colcount_disagree)),
        ("result columns compared (sqlc yes/no)", compared),
        ("result columns not compared: sqlc's Go type says neither", rep.null["sqlc unknown"]),
    ] + [("result columns " + k, v) for k, v in sorted(rep.null.items()) if k.startswith("not compared") and v] + [
        ("nullability agrees", "%d (%s)" % (rep.null["agree"], pct(rep.null["agree"], compared))),
        ("pgqc stricter (pgqc nullable, sqlc not null)", rep.null["stricter"]),
        ("pgqc looser (pgqc not null, sqlc nullable)", rep.null["looser"]),
        ("wall time", "%.1f s" % elapsed),
    ], ["measure", "value"]))
    pn = rep.param_null
    P("\nParameter nullability (extra, where sqlc's Go type tells): agree %d, pgqc nullable/sqlc not %d, "
      "pgqc not null/sqlc nullable %d.\n" % (pn[(True, True)] + pn[(False, False)], pn[(True, False)],
                                              pn[(False, True)]))
    if rep.crashes:
        P("## Crashes\n")
        P(table(rep.crashes, ["case", "command", "signal"]) + "\n")
    if rep.rewritten:
        P("## Rewritten annotations\n")
        P("sqlc commands pgqc does not have were rewritten to the pgqc command with the same "
          "SQL, parameters and result columns, so parameters and nullability stay comparable:\n")
        c = collections.Counter((f, t) for _c, _q, f, t in rep.rewritten)
        P(table([(f if f.startswith("/") else ":" + f, t if t.startswith("-") else ":" + t, n)
                 for (f, t), n in sorted(c.items())], ["sqlc", "pgqc", "queries"]) + "\n")
    if rep.skipped:
        P("## Skipped queries\n")
        P(table(rep.skipped, ["case", "query", "reason"]) + "\n")
    if rep.rejected:
        P("## Rejected queries, grouped by message\n")
        groups = collections.OrderedDict()
        for case, q, msg, hint in sorted(rep.rejected, key=lambda r: group_key(r[2])):
            groups.setdefault(group_key(msg), []).append((case, q, msg, hint))
        for key, rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            P("- **%s** (%d)" % (key, len(rows)))
            for case, q, msg, hint in rows:
                P("  - %s/%s: %s%s" % (case, q, msg, ("; " + hint) if hint else ""))
        P()
    if rep.missing or rep.case_errors:
        P("## Other problems\n")
        for case, q, why in rep.missing:
            P("- %s/%s: %s" % (case, q, why))
        for case, why in rep.case_errors:
            P("- %s: pgqc error not tied to one query: %s" % (case, why))
        P()
    if rep.param_disagree:
        P("## Parameter count disagreements\n")
        P(table(rep.param_disagree, ["case", "query", "pgqc", "sqlc"]) + "\n")
    if rep.colcount_disagree:
        P("## Result column count disagreements (nullability not compared)\n")
        P(table(rep.colcount_disagree, ["case", "query", "pgqc", "sqlc"]) + "\n")
    P("## pgqc looser (pgqc not null, sqlc nullable)\n")
    P(table(rep.looser, ["case", "query", "pos", "column", "pgqc type", "sqlc Go type", "pgqc source"])
      if rep.looser else "None.")
    P("\n## pgqc stricter (pgqc nullable, sqlc not null)\n")
    P(table(rep.stricter, ["case", "query", "pos", "column", "pgqc type", "sqlc Go type", "pgqc nullable_reason"])
      if rep.stricter else "None.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pgqc", required=True)
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "../../../shared/corpus/sqlc"))
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--keep-work", help="scratch directory to keep (default: a removed temp dir)")
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    args = ap.parse_args()
    if not args.database_url:
        sys.exit("corpus.py: no server: set DATABASE_URL or use run.sh")
    args.corpus = os.path.abspath(args.corpus)
    cases = sorted(d for d in os.listdir(args.corpus)
                   if os.path.isfile(os.path.join(args.corpus, d, "schema.sql")))
    if args.case:
        cases = [c for c in cases if c in args.case]
    work = args.keep_work or tempfile.mkdtemp(prefix="pgqc-corpus-")
    os.makedirs(work, exist_ok=True)
    dbname = {c: "corpus_" + re.sub(r"[^a-z0-9_]", "_", c.lower()) for c in cases}
    start = time.monotonic()
    rc, err = psql(args.database_url, "".join(
        'DROP DATABASE IF EXISTS "%s";\nCREATE DATABASE "%s";\n' % (d, d) for d in dbname.values()))
    if rc != 0 or "ERROR" in err:
        sys.exit("corpus.py: cannot create databases: " + err)
    rep = Report()
    try:
        for case in cases:
            rep.cases += 1
            run_case(args, with_dbname(args.database_url, dbname[case]), case, work, rep)
    finally:
        psql(args.database_url, "".join('DROP DATABASE IF EXISTS "%s";\n' % d for d in dbname.values()))
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - start
    print("# pgqc versus sqlc on the sqlc end-to-end corpus\n")
    print("pgqc: `%s`; corpus: `%s` (%d cases).\n" % (
        subprocess.run([args.pgqc, "--version"], capture_output=True, text=True).stdout.strip()
        or os.path.basename(args.pgqc), os.path.relpath(args.corpus), len(cases)))
    print_report(rep, elapsed, args)
    return 1 if rep.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
