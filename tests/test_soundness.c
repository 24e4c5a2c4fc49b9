/*
 * test_soundness.c — the inference must never call a column non-null that
 * can be NULL. For every case of nullability_cases.h that returns columns,
 * the case's tables are filled with random rows (NULL in about a third of
 * the nullable cells, several seeds, constraints respected by skipping rows
 * the server rejects; the first seed leaves every table empty, which is
 * what makes aggregates without GROUP BY return NULL), the query is run
 * with random parameter values (NULL now and then for parameters inferred
 * nullable), and
 * any NULL in a column the inference (or the case's expectation) calls
 * non-null fails the case. Everything runs in a transaction that is rolled
 * back, so INSERT/UPDATE/DELETE ... RETURNING are checked too.
 *
 * Each case also runs as a variant with random overrides: every parameter
 * becomes `:vN`, `:vN?` or `:vN!`, and the statement is wrapped as
 * `WITH pgqc_v(c1, ...) AS (...) SELECT c1 AS "a1?", c2 AS "a2!", ...`
 * with a random override (or none) per column (the choices are random per
 * case; a statement whose WITH clause modifies data cannot be nested and
 * keeps its columns as they are). The variant is analysed and the same
 * random data checks its claims. A `!` parameter is never sent NULL (that
 * is the user's promise); a `?` one is, now and then. A `?` column must be
 * analysed nullable, a `!` one non-null, and any other column the variant
 * calls non-null must never come back NULL, whatever the overrides did to
 * the parameters that feed it.
 *
 * A NOT NULL domain does not keep NULL out of a column (DESIGN.md
 * "Analysis"): for such columns the NULL is written the way PostgreSQL's
 * CREATE DOMAIN documentation shows, through a scalar subquery.
 *
 * PGQC_SOUNDNESS_VERBOSE=1 prints, per case, how many runs succeeded, how
 * many rows came back and how many NULLs each column produced (a nullable
 * expectation never seen NULL is worth a second look);
 * PGQC_SOUNDNESS_DEBUG=1 also prints every generated row the server rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullability_cases.h"
#include "nullcase.h"
#include "pgtree.h"
#include "querysrc.h"
#include "strbuf.h"

enum { SEEDS = 6, ROWS_PER_TABLE = 8, MAX_COLS = 32, MAX_TABLES = 8 };

static tmpdb *server;
static PGconn *pg;

static size_t case_index(const null_case *c)
{
    return (size_t)(c - null_cases);
}

static int group_setup(void **state)
{
    (void)state;
    return nullcase_start(&server, &pg) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    nullcase_stop(server, pg);
    return 0;
}

/* xorshift64*: deterministic per case and seed. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(next_random(s) >> 33) % n;
}

/* What values of a type look like: its base type (through any chain of domains). */
typedef struct value_kind {
    unsigned base_oid;
    char category;       /* pg_type.typcategory of the base type */
    char elem_category;  /* for arrays, that of the element type */
    bool domain_notnull; /* some domain on the way says NOT NULL */
} value_kind;

static bool kind_of(unsigned type_oid, value_kind *k)
{
    char oid[16];
    snprintf(oid, sizeof oid, "%u", type_oid);
    const char *vals[1] = {oid};
    PGresult *r =
        PQexecParams(pg,
                     "WITH RECURSIVE chain(oid, not_null, depth) AS ("
                     "SELECT oid, typnotnull, 0 FROM pg_type WHERE oid = $1::oid UNION ALL "
                     "SELECT t.typbasetype, b.typnotnull, c.depth + 1 FROM chain c "
                     "JOIN pg_type t ON t.oid = c.oid JOIN pg_type b ON b.oid = t.typbasetype "
                     "WHERE t.typtype = 'd') "
                     "SELECT bt.oid, bt.typcategory, coalesce(et.typcategory, ' '), "
                     "(SELECT bool_or(not_null) FROM chain) "
                     "FROM (SELECT oid FROM chain ORDER BY depth DESC LIMIT 1) base "
                     "JOIN pg_type bt ON bt.oid = base.oid "
                     "LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'",
                     1, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (!ok)
        print_error("type %u: %s", type_oid, PQresultErrorMessage(r));
    if (ok) {
        k->base_oid = (unsigned)strtoul(PQgetvalue(r, 0, 0), NULL, 10);
        k->category = PQgetvalue(r, 0, 1)[0];
        k->elem_category = PQgetvalue(r, 0, 2)[0];
        k->domain_notnull = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return ok;
}

/*
 * A random non-null value of kind `k` in text form, from small domains so
 * joins and WHERE clauses match often; NULL when the kind is unknown.
 */
static const char *random_value(const value_kind *k, uint64_t *s, char *buf, size_t size)
{
    static const char *const texts[] = {"a", "b", "c", ""};
    static const char *const int_arrays[] = {"{}", "{1}", "{1,NULL}", "{2,3}"};
    static const char *const text_arrays[] = {"{}", "{a}", "{a,NULL}", "{b,c}"};
    unsigned n = pick(s, 5) + 1;
    switch (k->category) {
    case 'N':
        snprintf(buf, size, "%u", n);
        return buf;
    case 'S':
        return texts[pick(s, 4)];
    case 'B':
        return pick(s, 2) ? "t" : "f";
    case 'D':
        if (pick(s, 6) == 0) /* date_part() and friends return NULL for these */
            return pick(s, 2) ? "infinity" : "-infinity";
        snprintf(buf, size, "2024-01-0%u", n);
        return buf;
    case 'T':
        snprintf(buf, size, "%u days", n);
        return buf;
    case 'U':
        if (k->base_oid == 2950) { /* uuid */
            snprintf(buf, size, "00000000-0000-0000-0000-00000000000%u", n);
            return buf;
        }
        if (k->base_oid == 3802 || k->base_oid == 114) { /* jsonb, json */
            if (pick(s, 3) == 0)
                return "{}";
            snprintf(buf, size, "{\"k\": %u}", n);
            return buf;
        }
        return NULL;
    case 'A':
        if (k->elem_category == 'N')
            return int_arrays[pick(s, 4)];
        if (k->elem_category == 'S')
            return text_arrays[pick(s, 4)];
        return NULL;
    default:
        return NULL;
    }
}

typedef struct table_column {
    char *ident; /* quoted */
    unsigned type_oid;
    bool notnull;
    value_kind kind;
} table_column;

typedef struct table {
    char *ident; /* oid::regclass, quoted and qualified as needed */
    char kind;   /* 'r', 'p' or 'm' */
    table_column cols[MAX_COLS];
    size_t ncols;
} table;

/* The tables, partitioned tables and materialized views the case created. */
static size_t load_tables(const char *min_oid, table *tabs, char **err)
{
    const char *vals[1] = {min_oid};
    PGresult *r = PQexecParams(pg,
                               "SELECT c.oid, c.oid::regclass::text, c.relkind FROM pg_class c "
                               "WHERE c.oid > $1::oid AND c.relkind IN ('r', 'p', 'm') "
                               "AND NOT c.relispartition ORDER BY c.oid",
                               1, NULL, vals, NULL, NULL, 0);
    size_t n = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK && !*err)
        *err = xstrfmt("cannot list the case's tables: %s", PQresultErrorMessage(r));
    for (int i = 0; i < PQntuples(r) && n < MAX_TABLES; i++) {
        table *t = &tabs[n++];
        t->ident = xstrdup(PQgetvalue(r, i, 1));
        t->kind = PQgetvalue(r, i, 2)[0];
        t->ncols = 0;
        const char *rel[1] = {PQgetvalue(r, i, 0)};
        PGresult *c = PQexecParams(
            pg,
            "SELECT quote_ident(attname), atttypid, attnotnull FROM pg_attribute "
            "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped "
            "AND attidentity = '' AND attgenerated = '' AND NOT (atthasdef AND attnotnull) "
            "ORDER BY attnum",
            1, NULL, rel, NULL, NULL, 0);
        for (int j = 0; j < PQntuples(c) && t->ncols < MAX_COLS; j++) {
            table_column *col = &t->cols[t->ncols++];
            col->ident = xstrdup(PQgetvalue(c, j, 0));
            col->type_oid = (unsigned)strtoul(PQgetvalue(c, j, 1), NULL, 10);
            col->notnull = PQgetvalue(c, j, 2)[0] == 't';
            if (!kind_of(col->type_oid, &col->kind) && !*err)
                *err = xstrfmt("cannot read the type of %s.%s", t->ident, col->ident);
        }
        PQclear(c);
    }
    PQclear(r);
    return n;
}

static void free_tables(table *tabs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < tabs[i].ncols; j++)
            free(tabs[i].cols[j].ident);
        free(tabs[i].ident);
    }
}

static bool exec_ok(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Insert random rows into `t`; rows the server rejects (keys, checks) are skipped. */
static void fill_table(const table *t, uint64_t *s, char **err)
{
    for (int row = 0; row < ROWS_PER_TABLE; row++) {
        strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "SAVEPOINT fill; INSERT INTO %s (", t->ident);
        for (size_t j = 0; j < t->ncols; j++)
            strbuf_addf(&sb, "%s%s", j ? ", " : "", t->cols[j].ident);
        strbuf_addstr(&sb, t->ncols ? ") VALUES (" : ") DEFAULT VALUES");
        for (size_t j = 0; j < t->ncols; j++) {
            const table_column *col = &t->cols[j];
            if (j)
                strbuf_addstr(&sb, ", ");
            char buf[64];
            const char *v = random_value(&col->kind, s, buf, sizeof buf);
            if (!col->notnull && (pick(s, 10) < 3 || !v)) {
                if (col->kind.domain_notnull) /* the hole CREATE DOMAIN documents */
                    strbuf_addf(&sb, "(SELECT %s FROM %s WHERE false)", col->ident, t->ident);
                else
                    strbuf_addstr(&sb, "NULL");
                continue;
            }
            if (!v) {
                if (!*err)
                    *err = xstrfmt("cannot generate values for %s.%s (type %u)", t->ident,
                                   col->ident, col->type_oid);
                strbuf_release(&sb);
                return;
            }
            char *lit = PQescapeLiteral(pg, v, strlen(v));
            strbuf_addstr(&sb, lit);
            PQfreemem(lit);
        }
        if (t->ncols)
            strbuf_addstr(&sb, ")");
        strbuf_addstr(&sb, "; RELEASE SAVEPOINT fill");
        if (!exec_ok(sb.buf)) {
            if (getenv("PGQC_SOUNDNESS_DEBUG"))
                print_message("%s\n  %s", sb.buf, PQerrorMessage(pg));
            exec_ok("ROLLBACK TO SAVEPOINT fill; RELEASE SAVEPOINT fill");
        }
        strbuf_release(&sb);
    }
}

/* The column was forced non-null by the user (AS "name!"): not the inference's claim. */
static bool forced_non_null(const null_case *c, const char *name)
{
    char *needle = xstrfmt("\"%s!\"", name);
    bool found = strstr(c->query, needle) != NULL;
    free(needle);
    return found;
}

/* Does the statement have a WITH clause holding INSERT/UPDATE/DELETE (so it cannot be nested)? */
static bool has_modifying_with(const char *sql)
{
    pgtree t = pgtree_parse(sql);
    const PgQuery__Node *st = t.tree && t.tree->n_stmts == 1 ? t.tree->stmts[0]->stmt : NULL;
    const PgQuery__WithClause *w = NULL;
    if (st && st->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
        w = st->select_stmt->with_clause;
    else if (st && st->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
        w = st->insert_stmt->with_clause;
    else if (st && st->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
        w = st->update_stmt->with_clause;
    else if (st && st->node_case == PG_QUERY__NODE__NODE_DELETE_STMT)
        w = st->delete_stmt->with_clause;
    bool found = false;
    for (size_t i = 0; w && i < w->n_ctes; i++) {
        const PgQuery__Node *cte = w->ctes[i];
        if (cte->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR &&
            cte->common_table_expr->ctequery &&
            cte->common_table_expr->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            found = true;
    }
    pgtree_free(&t);
    return found;
}

/*
 * The case's query with random overrides. Each $n of the rewritten SQL
 * becomes :v<n> followed by nothing, '?' or '!' (one choice per
 * parameter). Unless the statement cannot be nested, it is also wrapped,
 * `WITH pgqc_v(c1, ...) AS (...) SELECT c1 AS "a1?", ... FROM pgqc_v`, with
 * a random override (or none) on each column: col_ov[i] is ' ', '?' or '!'
 * then (all ' ' when not wrapped). NULL when the case cannot be parsed.
 */
static char *with_random_overrides(const null_case *c, uint64_t *s, char *col_ov, bool *wrapped)
{
    diag_list dl = DIAG_LIST_INIT;
    query_file *f = NULL;
    char *out = NULL;
    size_t ncols = strlen(c->columns);
    memset(col_ov, ' ', ncols);
    *wrapped = false;
    if (query_file_parse("variant.sql", c->query, &f, &dl) && f->nqueries == 1) {
        const query_src *q = &f->queries[0];
        static const char *const suffix[] = {"", "?", "!"};
        unsigned *pickd = calloc(q->nparams + 1, sizeof *pickd);
        for (size_t i = 0; i < q->nparams; i++)
            pickd[i] = pick(s, 3);
        strbuf sql = STRBUF_INIT;
        size_t copied = 0;
        for (size_t i = 0; i < q->nspans; i++) {
            const pos_span *sp = &q->spans[i];
            int n = atoi(q->sql + sp->out + 1);
            strbuf_add(&sql, q->sql + copied, sp->out - copied);
            strbuf_addf(&sql, ":v%d%s", n,
                        n >= 1 && (size_t)n <= q->nparams ? suffix[pickd[n - 1]] : "");
            copied = sp->out + sp->out_len;
        }
        strbuf_addstr(&sql, q->sql + copied);
        free(pickd);

        strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "-- name: q :%s\n", query_cmd_name(q->cmd));
        *wrapped = !has_modifying_with(q->sql);
        if (*wrapped) {
            strbuf_addstr(&sb, "WITH pgqc_v(");
            for (size_t i = 0; i < ncols; i++)
                strbuf_addf(&sb, "%sc%zu", i ? ", " : "", i + 1);
            strbuf_addf(&sb, ") AS (\n%s\n) SELECT ", sql.buf);
            for (size_t i = 0; i < ncols; i++) {
                col_ov[i] = " ?!"[pick(s, 3)];
                strbuf_addf(&sb, "%sc%zu AS \"a%zu%s\"", i ? ", " : "", i + 1, i + 1,
                            col_ov[i] == ' '   ? ""
                            : col_ov[i] == '?' ? "?"
                                               : "!");
            }
            strbuf_addstr(&sb, " FROM pgqc_v;\n");
        } else {
            strbuf_addf(&sb, "%s;\n", sql.buf);
        }
        strbuf_release(&sql);
        out = strbuf_detach(&sb, NULL);
    }
    query_file_free(f);
    diag_list_free(&dl);
    return out;
}

/* Is the parameter of `q` numbered `number` marked `!` in the variant's text? */
static bool param_forced_non_null(const char *query, const an_param *p)
{
    char *needle = xstrfmt(":%s!", p->name);
    bool found = strstr(query, needle) != NULL;
    free(needle);
    return found;
}

/* One query under test: the case as written, or its random-override variant. */
typedef struct under_test {
    const char *label; /* "" or " (random overrides)" */
    const char *query; /* annotated text */
    bool wrapped;      /* the variant's columns are "a1".."an" with col_ov's overrides */
    char col_ov[64];
    analysis *a;
    value_kind *pkinds;
    bool variant; /* the case's expectations do not apply */
    size_t runs, rows;
    size_t nulls[64]; /* NULLs seen per column, for PGQC_SOUNDNESS_VERBOSE */
} under_test;

static bool prepare_run(const null_case *c, under_test *u, char **err)
{
    char *name = xstrfmt("%s%s", c->name, u->variant ? "_variant" : "");
    u->a = nullcase_analyze(pg, name, u->query, err);
    free(name);
    if (!u->a)
        return false;
    const an_query *q = &u->a->queries[0];
    for (size_t i = 0; u->wrapped && i < q->ncols && i < sizeof u->col_ov; i++)
        if (u->col_ov[i] == '?' && !q->cols[i].nullable && !*err)
            *err = xstrfmt("column %s is marked ? but analysed non-null", q->cols[i].name);
        else if (u->col_ov[i] == '!' && q->cols[i].nullable && !*err)
            *err = xstrfmt("column %s is marked ! but analysed nullable", q->cols[i].name);
    u->pkinds = calloc(q->nparams + 1, sizeof *u->pkinds);
    for (size_t i = 0; i < q->nparams; i++)
        if (!kind_of(q->params[i].type_oid, &u->pkinds[i]) && !*err)
            *err = xstrfmt("cannot read the type of parameter %s", q->params[i].name);
    return !*err;
}

/* Run `u` once on the data in place; the number of NULLs in columns called non-null. */
static size_t run_once(const null_case *c, under_test *u, unsigned seed, uint64_t *s, char **err)
{
    const an_query *q = &u->a->queries[0];
    size_t failures = 0;
    char bufs[16][64];
    const char *values[16] = {0};
    for (size_t i = 0; i < q->nparams && i < 16 && !*err; i++) {
        values[i] = random_value(&u->pkinds[i], s, bufs[i], sizeof bufs[i]);
        if (values[i] && u->pkinds[i].category == 'N' && pick(s, 2)) {
            /* half the numbers miss every key, so INSERTs do not always conflict */
            snprintf(bufs[i], sizeof bufs[i], "%u", 6 + pick(s, 1000));
            values[i] = bufs[i];
        }
        if (!values[i])
            *err = xstrfmt("cannot generate values for parameter %s (%s)", q->params[i].name,
                           q->params[i].type_name);
        else if (q->params[i].nullable && pick(s, 10) < 3)
            values[i] = NULL;
        if (u->variant && q->params[i].nullable && param_forced_non_null(u->query, &q->params[i]))
            *err = xstrfmt("parameter %s is marked ! but analysed nullable", q->params[i].name);
    }
    if (*err)
        return 0;
    PGresult *res = PQexecParams(pg, q->sql, (int)q->nparams, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        u->runs++;
        u->rows += (size_t)PQntuples(res);
        for (int row = 0; row < PQntuples(res); row++)
            for (size_t col = 0; col < q->ncols && (int)col < PQnfields(res); col++) {
                if (!PQgetisnull(res, row, (int)col))
                    continue;
                if (col < 64)
                    u->nulls[col]++;
                const an_column *ac = &q->cols[col];
                if (u->wrapped ? u->col_ov[col] == '!' : forced_non_null(c, ac->name))
                    continue; /* the user's word, not the inference's claim */
                if (!ac->nullable) {
                    print_error("%s%s (seed %u): column %zu \"%s\" is inferred non-null "
                                "but came back NULL\n",
                                c->name, u->label, seed, col + 1, ac->name);
                    if (u->variant)
                        print_error("  variant: %s", u->query);
                    failures++;
                }
                if (!u->variant && c->columns[col] == 'N') {
                    print_error("%s (seed %u): column %zu \"%s\" is expected non-null "
                                "by the case but came back NULL: the case is wrong\n",
                                c->name, seed, col + 1, ac->name);
                    failures++;
                }
            }
    }
    PQclear(res);
    return failures;
}

static void test_case(void **state)
{
    const null_case *c = *state;
    char *err = NULL;
    if (!*c->columns)
        skip(); /* returns no columns: nothing to check */

    PGresult *r = PQexec(pg, "SELECT max(oid) FROM pg_class");
    char *min_oid = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    uint64_t vs = 0x2545F4914F6CDD1DULL * (case_index(c) + 1) | 1;
    under_test runs[2] = {{.label = "", .query = c->query},
                          {.label = " (random overrides)", .variant = true}};
    if (strlen(c->columns) > sizeof runs[1].col_ov)
        fail_msg("%s: too many columns for this test", c->name);
    char *variant_text = with_random_overrides(c, &vs, runs[1].col_ov, &runs[1].wrapped);
    runs[1].query = variant_text;
    size_t nruns = variant_text ? 2 : 1;
    if (!nullcase_create_schema(pg, case_index(c), c->schema, &err))
        fail_msg("%s: %s", c->name, err);
    for (size_t k = 0; k < nruns && !err; k++)
        if (!prepare_run(c, &runs[k], &err))
            fail_msg("%s%s: %s", c->name, runs[k].label, err);

    table tabs[MAX_TABLES];
    size_t ntabs = load_tables(min_oid, tabs, &err);
    if (getenv("PGQC_SOUNDNESS_DEBUG"))
        print_message("%s: tables after oid %s: %zu\n", c->name, min_oid, ntabs);
    free(min_oid);

    size_t failures = 0;
    for (unsigned seed = 1; seed <= SEEDS && !err; seed++) {
        uint64_t s = 0x9E3779B97F4A7C15ULL * (case_index(c) * SEEDS + seed) | 1;
        if (!exec_ok("BEGIN")) {
            err = xstrdup(PQerrorMessage(pg));
            break;
        }
        for (size_t t = 0; t < ntabs && !err && seed > 1; t++) /* seed 1: empty tables */
            if (tabs[t].kind != 'm')
                fill_table(&tabs[t], &s, &err);
        for (size_t t = 0; t < ntabs && !err; t++)
            if (tabs[t].kind == 'm') {
                char *sql = xstrfmt("REFRESH MATERIALIZED VIEW %s", tabs[t].ident);
                exec_ok(sql);
                free(sql);
            }
        /* Each query on the same data; a savepoint undoes what one's DML did. */
        for (size_t k = 0; k < nruns && !err; k++) {
            exec_ok("SAVEPOINT run");
            failures += run_once(c, &runs[k], seed, &s, &err);
            exec_ok("ROLLBACK TO SAVEPOINT run");
        }
        exec_ok("ROLLBACK");
    }
    for (size_t k = 0; k < nruns; k++) {
        under_test *u = &runs[k];
        if (!err && !u->runs)
            print_message("%s%s: the query never ran successfully on random data\n", c->name,
                          u->label);
        if (!err && u->a && getenv("PGQC_SOUNDNESS_VERBOSE")) {
            print_message("%s%s: %zu runs, %zu rows; NULLs per column:", c->name, u->label, u->runs,
                          u->rows);
            for (size_t col = 0; col < u->a->queries[0].ncols && col < 64; col++)
                print_message(" %c%zu", c->columns[col], u->nulls[col]);
            print_message("\n");
        }
        free(u->pkinds);
        if (u->a)
            analysis_free(u->a);
    }
    free(variant_text);
    free_tables(tabs, ntabs);
    if (err)
        fail_msg("%s: %s", c->name, err);
    if (failures)
        fail_msg("%s: %zu NULLs in columns called non-null", c->name, failures);
}

int main(void)
{
    struct CMUnitTest tests[N_NULL_CASES];
    for (size_t i = 0; i < N_NULL_CASES; i++)
        tests[i] =
            (struct CMUnitTest){null_cases[i].name, test_case, NULL, NULL, (void *)&null_cases[i]};
    return cmocka_run_group_tests_name("soundness", tests, group_setup, group_teardown);
}
