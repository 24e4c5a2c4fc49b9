/*
 * conn.c — libpgqc's connection wrapper: the prepared-statement cache,
 * query execution for generated code, result shape checks and the error
 * record (see include/pgqc/pgqc.h for the contract).
 *
 * A pgqc_conn remembers which generated queries it has prepared, keyed by
 * the address of their static pgqc_query descriptor (an open-addressing
 * set, so the hot path is one hash probe and no string comparison).
 */
#include "pgqc/pgqc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pgqc_conn {
    PGconn *pg;
    bool unnamed;
    bool streaming; /* a pgqc_send() scan is in progress */
    bool shape_ok;  /* the current scan's first row had the expected shape */
    bool any_row;   /* the current scan has delivered a row */
    /* The current scan's parameters (valid while the generated function runs), so a
     * statement the server forgot can be prepared and sent again before any row. */
    const char *const *scan_values;
    const int *scan_lengths;
    const pgqc_query **prepared; /* open-addressing set; NULL = empty slot */
    size_t nprepared, cap;
    pgqc_error err;
    char *err_storage[6]; /* owned copies behind err's string fields */
};

static const char empty_[] = "";

const char *pgqc_status_string(pgqc_status s)
{
    switch (s) {
    case PGQC_OK:
        return "PGQC_OK";
    case PGQC_NO_ROWS:
        return "PGQC_NO_ROWS";
    case PGQC_ERROR:
        return "PGQC_ERROR";
    case PGQC_UNEXPECTED_NULL:
        return "PGQC_UNEXPECTED_NULL";
    case PGQC_SCHEMA_MISMATCH:
        return "PGQC_SCHEMA_MISMATCH";
    case PGQC_DECODE_ERROR:
        return "PGQC_DECODE_ERROR";
    case PGQC_NOMEM:
        return "PGQC_NOMEM";
    case PGQC_MISUSE:
        return "PGQC_MISUSE";
    }
    return "PGQC_UNKNOWN_STATUS";
}

static void error_clear(pgqc_conn *c)
{
    for (size_t i = 0; i < sizeof c->err_storage / sizeof c->err_storage[0]; i++) {
        free(c->err_storage[i]);
        c->err_storage[i] = NULL;
    }
    memset(&c->err, 0, sizeof c->err);
    c->err.message = c->err.detail = c->err.hint = c->err.constraint = empty_;
    c->err.query = c->err.column = empty_;
}

/* Store a copy of `s` in slot `i` and return it ("" when s is NULL or OOM). */
static const char *keep(pgqc_conn *c, size_t i, const char *s)
{
    if (!s || !*s)
        return empty_;
    c->err_storage[i] = strdup(s);
    return c->err_storage[i] ? c->err_storage[i] : empty_;
}

pgqc_conn *pgqc_conn_wrap(PGconn *pg)
{
    if (!pg)
        return NULL;
    pgqc_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->pg = pg;
    error_clear(c);
    return c;
}

void pgqc_conn_free(pgqc_conn *c)
{
    if (!c)
        return;
    error_clear(c);
    free(c->prepared);
    free(c);
}

PGconn *pgqc_conn_pg(const pgqc_conn *c)
{
    return c ? c->pg : NULL;
}

const pgqc_error *pgqc_conn_error(const pgqc_conn *c)
{
    return &c->err;
}

void pgqc_conn_set_unnamed_statements(pgqc_conn *c, bool on)
{
    c->unnamed = on;
}

void pgqc_conn_forget_statements(pgqc_conn *c)
{
    if (c->prepared)
        memset(c->prepared, 0, c->cap * sizeof *c->prepared);
    c->nprepared = 0;
}

/* ---- the prepared-statement set ---------------------------------------- */

static size_t slot_of(const pgqc_conn *c, const pgqc_query *q)
{
    uintptr_t h = (uintptr_t)q;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (c->cap - 1);
}

static bool is_prepared(const pgqc_conn *c, const pgqc_query *q)
{
    if (!c->cap)
        return false;
    for (size_t i = slot_of(c, q);; i = (i + 1) & (c->cap - 1)) {
        if (c->prepared[i] == q)
            return true;
        if (!c->prepared[i])
            return false;
    }
}

static bool remember_prepared(pgqc_conn *c, const pgqc_query *q)
{
    if ((c->nprepared + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        const pgqc_query **old = c->prepared;
        size_t oldcap = c->cap;
        c->prepared = calloc(ncap, sizeof *c->prepared);
        if (!c->prepared) {
            c->prepared = old;
            return false;
        }
        c->cap = ncap;
        c->nprepared = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                remember_prepared(c, old[i]);
        free(old);
    }
    size_t i = slot_of(c, q);
    while (c->prepared[i])
        i = (i + 1) & (c->cap - 1);
    c->prepared[i] = q;
    c->nprepared++;
    return true;
}

/* ---- errors ------------------------------------------------------------- */

static pgqc_status fail_from_result(pgqc_conn *c, const pgqc_query *q, const PGresult *r)
{
    error_clear(c);
    c->err.status = PGQC_ERROR;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state)
        snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "%s", state);
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(c->pg);
    if (!msg || !*msg)
        msg = "unknown libpq error";
    c->err.message = keep(c, 0, msg);
    if (r) {
        c->err.detail = keep(c, 1, PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
        c->err.hint = keep(c, 2, PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
        c->err.constraint = keep(c, 3, PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME));
    }
    c->err.query = q ? q->name : empty_;
    return PGQC_ERROR;
}

pgqc_status pgqc_fail(pgqc_conn *c, const pgqc_query *q, pgqc_status s, const char *message)
{
    if (!c)
        return s;
    error_clear(c);
    c->err.status = s;
    c->err.message = keep(c, 0, message);
    c->err.query = q ? q->name : empty_;
    return s;
}

pgqc_status pgqc_fail_column(pgqc_conn *c, const pgqc_query *q, int col, pgqc_status s)
{
    char msg[256];
    const char *name = (q && col >= 0 && col < q->ncols) ? q->col_names[col] : "?";
    if (s == PGQC_UNEXPECTED_NULL)
        snprintf(msg, sizeof msg,
                 "column \"%s\" of query %s is NULL, but was generated as NOT NULL", name,
                 q ? q->name : "?");
    else if (s == PGQC_DECODE_ERROR)
        snprintf(msg, sizeof msg, "column \"%s\" of query %s has a malformed binary value", name,
                 q ? q->name : "?");
    else
        snprintf(msg, sizeof msg, "column \"%s\" of query %s: %s", name, q ? q->name : "?",
                 pgqc_status_string(s));
    pgqc_fail(c, q, s, msg);
    c->err.column = keep(c, 4, name);
    return s;
}

/* The server's answer has the columns and types the code was generated for? */
static pgqc_status check_shape(pgqc_conn *c, const pgqc_query *q, const PGresult *r)
{
    char msg[512];
    int n = PQnfields(r);
    if (n != q->ncols) {
        snprintf(msg, sizeof msg,
                 "query %s returned %d columns, but was generated for %d; regenerate the code",
                 q->name, n, q->ncols);
        return pgqc_fail(c, q, PGQC_SCHEMA_MISMATCH, msg);
    }
    for (int i = 0; i < n; i++) {
        /* Generated decoders read binary: a text answer (from a proxy or server
         * that ignored the requested format) would decode as garbage. */
        if (PQfformat(r, i) != 1) {
            snprintf(msg, sizeof msg,
                     "column \"%s\" of query %s arrived in text format, but generated code "
                     "decodes binary; is a proxy rewriting the result format?",
                     q->col_names[i], q->name);
            pgqc_fail(c, q, PGQC_SCHEMA_MISMATCH, msg);
            c->err.column = keep(c, 4, q->col_names[i]);
            return PGQC_SCHEMA_MISMATCH;
        }
        Oid got = PQftype(r, i);
        if (q->col_types[i] && got != q->col_types[i]) {
            snprintf(msg, sizeof msg,
                     "column \"%s\" of query %s has type OID %u, but was generated for OID %u; "
                     "regenerate the code",
                     q->col_names[i], q->name, (unsigned)got, (unsigned)q->col_types[i]);
            pgqc_fail(c, q, PGQC_SCHEMA_MISMATCH, msg);
            c->err.column = keep(c, 4, q->col_names[i]);
            return PGQC_SCHEMA_MISMATCH;
        }
    }
    return PGQC_OK;
}

static bool is_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_SINGLE_TUPLE;
}

/*
 * The server no longer has our statement (26000, e.g. after DISCARD ALL), or
 * its plan went stale because the schema changed under it (0A000 "cached
 * plan must not change result type"): prepare again and retry once.
 */
static bool is_forgotten_statement(const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state)
        return false;
    if (strcmp(state, "26000") == 0)
        return true;
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    return strcmp(state, "0A000") == 0 && msg && strstr(msg, "cached plan must not change");
}

static pgqc_status prepare(pgqc_conn *c, const pgqc_query *q)
{
    PGresult *r = PQprepare(c->pg, q->stmt_name, q->sql, q->nparams, q->param_types);
    if (!r)
        return pgqc_fail(c, q, PGQC_NOMEM, "out of memory preparing statement");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        /* Prepared by an earlier wrapper of the same PGconn: adopt it. */
        if (state && strcmp(state, "42P05") == 0) {
            PQclear(r);
            return remember_prepared(c, q) ? PGQC_OK : pgqc_fail(c, q, PGQC_NOMEM, "out of memory");
        }
        pgqc_status s = fail_from_result(c, q, r);
        PQclear(r);
        return s;
    }
    PQclear(r);
    if (!remember_prepared(c, q))
        return pgqc_fail(c, q, PGQC_NOMEM, "out of memory");
    return PGQC_OK;
}

static void forget(pgqc_conn *c, const pgqc_query *q)
{
    /* Rebuild without q: deletions are rare (server forgot a statement). */
    const pgqc_query **old = c->prepared;
    size_t oldcap = c->cap;
    c->prepared = NULL;
    c->cap = c->nprepared = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i] && old[i] != q)
            remember_prepared(c, old[i]);
    free(old);
}

/* Drop our record of `q` and the server's statement (if it still has one). */
static void deallocate(pgqc_conn *c, const pgqc_query *q)
{
    char sql[256];
    forget(c, q);
    snprintf(sql, sizeof sql, "DEALLOCATE \"%s\"", q->stmt_name);
    PQclear(PQexec(c->pg, sql));
}

static PGresult *run(pgqc_conn *c, const pgqc_query *q, const char *const *values,
                     const int *lengths)
{
    if (c->unnamed)
        return PQexecParams(c->pg, q->sql, q->nparams, q->param_types, values, lengths,
                            q->param_formats, 1);
    return PQexecPrepared(c->pg, q->stmt_name, q->nparams, values, lengths, q->param_formats, 1);
}

pgqc_status pgqc_exec(pgqc_conn *c, const pgqc_query *q, const char *const *values,
                      const int *lengths, PGresult **res)
{
    if (!res)
        return PGQC_MISUSE;
    *res = NULL;
    if (!c || !q)
        return PGQC_MISUSE;
    if (c->streaming)
        return pgqc_fail(c, q, PGQC_MISUSE, "a streaming (:iter) query is still in progress");
    pgqc_status s = PGQC_OK;
    PGresult *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!c->unnamed && !is_prepared(c, q) && (s = prepare(c, q)) != PGQC_OK)
            break;
        r = run(c, q, values, lengths);
        if (!r) {
            s = pgqc_fail(c, q, PGQC_NOMEM, "out of memory running statement");
            break;
        }
        if (is_ok(r)) {
            s = PGQC_OK;
            break;
        }
        if (!c->unnamed && attempt == 0 && is_forgotten_statement(r) &&
            PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            PQclear(r);
            r = NULL;
            deallocate(c, q);
            continue;
        }
        s = fail_from_result(c, q, r);
        break;
    }
    if (s == PGQC_OK && PQresultStatus(r) == PGRES_TUPLES_OK)
        s = check_shape(c, q, r);
    if (s != PGQC_OK) {
        PQclear(r);
        return s;
    }
    *res = r;
    return PGQC_OK;
}

pgqc_status pgqc_send(pgqc_conn *c, const pgqc_query *q, const char *const *values,
                      const int *lengths)
{
    if (!c || !q)
        return PGQC_MISUSE;
    if (c->streaming)
        return pgqc_fail(c, q, PGQC_MISUSE, "a streaming (:iter) query is still in progress");
    pgqc_status s;
    if (!c->unnamed && !is_prepared(c, q) && (s = prepare(c, q)) != PGQC_OK)
        return s;
    int ok = c->unnamed ? PQsendQueryParams(c->pg, q->sql, q->nparams, q->param_types, values,
                                            lengths, q->param_formats, 1)
                        : PQsendQueryPrepared(c->pg, q->stmt_name, q->nparams, values, lengths,
                                              q->param_formats, 1);
    if (!ok)
        return fail_from_result(c, q, NULL);
    if (!PQsetSingleRowMode(c->pg)) {
        pgqc_finish(c);
        return pgqc_fail(c, q, PGQC_ERROR, "could not switch to single-row mode");
    }
    c->streaming = true;
    c->shape_ok = false;
    c->any_row = false;
    c->scan_values = values;
    c->scan_lengths = lengths;
    return PGQC_OK;
}

pgqc_status pgqc_next(pgqc_conn *c, const pgqc_query *q, PGresult **row)
{
    *row = NULL;
    if (!c->streaming)
        return PGQC_MISUSE;
    PGresult *r = PQgetResult(c->pg);
    if (!r) {
        c->streaming = false;
        return PGQC_NO_ROWS;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_SINGLE_TUPLE) {
        /* Every row of one scan carries the same description: check it once. */
        pgqc_status s = c->shape_ok ? PGQC_OK : check_shape(c, q, r);
        c->shape_ok = s == PGQC_OK;
        if (s != PGQC_OK) {
            PQclear(r);
            pgqc_finish(c);
            return s;
        }
        *row = r;
        c->any_row = true;
        return PGQC_OK;
    }
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        /* End of the rows (a zero-row result still carries the shape). */
        pgqc_status s = st == PGRES_TUPLES_OK ? check_shape(c, q, r) : PGQC_OK;
        PQclear(r);
        pgqc_finish(c);
        return s == PGQC_OK ? PGQC_NO_ROWS : s;
    }
    pgqc_status s;
    if (is_forgotten_statement(r) && !c->unnamed) {
        bool retry = !c->any_row;
        PQclear(r);
        pgqc_finish(c);
        /* No row reached the caller yet: prepare and send again, once. */
        if (retry && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
            deallocate(c, q);
            s = pgqc_send(c, q, c->scan_values, c->scan_lengths);
            if (s != PGQC_OK)
                return s;
            c->any_row = true; /* at most one retry per scan */
            return pgqc_next(c, q, row);
        }
        forget(c, q); /* the next call prepares again */
        return pgqc_fail(c, q, PGQC_ERROR,
                         "the server forgot the prepared statement during a scan; retry the call");
    }
    s = fail_from_result(c, q, r);
    PQclear(r);
    pgqc_finish(c);
    return s;
}

void pgqc_finish(pgqc_conn *c)
{
    PGresult *r;
    if (!c)
        return;
    /*
     * Drain the rest rather than cancel: a cancel would abort an enclosing
     * transaction, which a scan stopped early by its callback must not do.
     */
    while ((r = PQgetResult(c->pg)) != NULL)
        PQclear(r);
    c->streaming = false;
}

int64_t pgqc_affected_rows(const PGresult *res)
{
    const char *s = PQcmdTuples((PGresult *)res);
    return (s && *s) ? strtoll(s, NULL, 10) : 0;
}

static pgqc_status simple(pgqc_conn *c, const char *sql)
{
    if (!c)
        return PGQC_MISUSE;
    /* Inside an :iter callback libpq would silently drop the scan's remaining rows. */
    if (c->streaming)
        return pgqc_fail(c, NULL, PGQC_MISUSE, "a streaming (:iter) query is still in progress");
    PGresult *r = PQexec(c->pg, sql);
    pgqc_status s =
        (r && PQresultStatus(r) == PGRES_COMMAND_OK) ? PGQC_OK : fail_from_result(c, NULL, r);
    PQclear(r);
    return s;
}

pgqc_status pgqc_begin(pgqc_conn *c)
{
    return simple(c, "BEGIN");
}

pgqc_status pgqc_commit(pgqc_conn *c)
{
    return simple(c, "COMMIT");
}

pgqc_status pgqc_rollback(pgqc_conn *c)
{
    return simple(c, "ROLLBACK");
}
