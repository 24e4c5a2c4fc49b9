/*
 * conn.c — libpgqc's connection wrapper: the prepared-statement cache,
 * query execution for generated code, result shape checks and the error
 * record (see include/pgqc/pgqc.h for the contract).
 *
 * A pgqc_conn remembers which generated queries it has prepared, keyed by
 * the address of their static pgqc_query descriptor (an open-addressing
 * set, so the hot path is one hash probe and no string comparison).
 *
 * The cache is only as good as the server session it describes. It is
 * forgotten as a whole when that session may have changed: the PGconn was
 * reset or lost (its backend PID differs from the one the cache was built
 * on; a pooler such as PgBouncer hands out a fresh one per client
 * connection), or the server says a cached statement does not exist
 * (26000). Statement names identify the exact statement (a hash of its SQL
 * and parameter types, chosen by the generator), and a statement found
 * under our name is adopted only after its text was compared with ours.
 */
#include "pgqc/pgqc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How often one call prepares its statement again after the server lost
 * it (26000) or its plan went stale (0A000) before it runs the statement
 * unnamed instead: behind a transaction-mode pooler without prepared
 * statement support the PREPARE and the execution can reach different
 * servers every time.
 */
enum { NAMED_RETRIES = 2 };

struct pgqc_conn {
    PGconn *pg;
    int session; /* PQbackendPID() of the session the cache describes; 0: none */
    bool unnamed;
    bool streaming;    /* a pgqc_send() scan is in progress */
    bool scan_unnamed; /* the current scan runs as an unnamed statement */
    bool shape_ok;     /* the current scan's first row had the expected shape */
    bool any_row;      /* the current scan has delivered a row */
    int scan_retries;  /* times the current scan was sent again */
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
    c->session = PQbackendPID(pg);
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
    /* While unnamed, nothing kept the cache true (the statements may have been
     * deallocated or replaced meanwhile): named mode starts from an empty one. */
    if (c->unnamed && !on)
        pgqc_conn_forget_statements(c);
    c->unnamed = on;
}

void pgqc_conn_forget_statements(pgqc_conn *c)
{
    if (c->prepared)
        memset(c->prepared, 0, c->cap * sizeof *c->prepared);
    c->nprepared = 0;
}

/*
 * Forget the cache when the PGconn no longer talks to the session it was
 * built on: PQreset() (or a pooler's new client connection) gives another
 * backend PID, and a lost connection has none (0). Cheap enough for every
 * call: PQbackendPID() reads a field.
 */
static void check_session(pgqc_conn *c)
{
    int pid = PQbackendPID(c->pg);
    if (pid != c->session) {
        pgqc_conn_forget_statements(c);
        c->session = pid;
    }
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

/*
 * Forget every cached query whose statement is named `name` (normally just
 * one: only hand-written descriptors share a name with other SQL).
 * Rebuilds the set: this happens only when a statement goes stale.
 */
static void forget_name(pgqc_conn *c, const char *name)
{
    const pgqc_query **old = c->prepared;
    size_t oldcap = c->cap;
    c->prepared = NULL;
    c->cap = c->nprepared = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i] && strcmp(old[i]->stmt_name, name) != 0)
            remember_prepared(c, old[i]);
    free(old);
}

/* ---- errors ------------------------------------------------------------- */

/* Copy of s[0 .. n) with every run of whitespace (newlines, libpq's tabs) as one space. */
static char *one_line(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' || s[i] == '\t' || s[i] == ' ' || s[i] == '\r') {
            space = o > out;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

/*
 * Store libpq's own report (no server fields), e.g.
 *   "server closed the connection unexpectedly\n\tThis probably means ..."
 * as message = its first line, without a "FATAL:  "-style severity prefix
 * when the line relays a server message, and detail = the rest on one line.
 */
static void keep_libpq_text(pgqc_conn *c, const char *text)
{
    while (*text == '\n')
        text++;
    const char *p = text;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    if (p > text && strncmp(p, ":  ", 3) == 0)
        text = p + 3;
    size_t first = strcspn(text, "\n");
    c->err_storage[0] = one_line(text, first);
    c->err.message = c->err_storage[0] && *c->err_storage[0] ? c->err_storage[0] : empty_;
    if (text[first]) {
        c->err_storage[1] = one_line(text + first + 1, strlen(text + first + 1));
        c->err.detail = c->err_storage[1] ? c->err_storage[1] : empty_;
    }
}

/*
 * Record the failure `r` reports — or, when `r` is NULL, libpq's reason for
 * not producing a result (it could not send: the connection is gone, or it
 * ran out of memory). Server errors keep their SQLSTATE and fields; a lost
 * connection is PGQC_ERROR with SQLSTATE 08006 (connection_failure) unless
 * the server said more. Only an allocation failure is PGQC_NOMEM.
 */
static pgqc_status fail_from_result(pgqc_conn *c, const pgqc_query *q, const PGresult *r)
{
    error_clear(c);
    pgqc_status s = PGQC_ERROR;
    bool lost = PQstatus(c->pg) != CONNECTION_OK;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state)
        snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "%s", state);
    else if (lost)
        snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "08006");
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary && *primary) {
        c->err.message = keep(c, 0, primary);
        c->err.detail = keep(c, 1, PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
        c->err.hint = keep(c, 2, PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
        c->err.constraint = keep(c, 3, PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME));
    } else {
        const char *text = r ? PQresultErrorMessage(r) : "";
        if (!*text)
            text = PQerrorMessage(c->pg);
        keep_libpq_text(c, text);
        /* libpq says "out of memory" when an allocation failed (and in no other case). */
        if (!r && !lost && (!*c->err.message || strcmp(c->err.message, "out of memory") == 0))
            s = PGQC_NOMEM;
        if (!*c->err.message)
            c->err.message = s == PGQC_NOMEM ? "out of memory" : "unknown libpq error";
    }
    c->err.status = s;
    c->err.query = q ? q->name : empty_;
    if (lost)
        check_session(c); /* nothing prepared survives a lost connection */
    return s;
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

static pgqc_status remember(pgqc_conn *c, const pgqc_query *q)
{
    return remember_prepared(c, q) ? PGQC_OK : pgqc_fail(c, q, PGQC_NOMEM, "out of memory");
}

/* Drop the server's statement named like `q`'s (if any) and our record of it. */
static void deallocate(pgqc_conn *c, const pgqc_query *q)
{
    forget_name(c, q->stmt_name);
    char *ident = PQescapeIdentifier(c->pg, q->stmt_name, strlen(q->stmt_name));
    if (!ident)
        return;
    size_t n = strlen(ident) + sizeof "DEALLOCATE ";
    char *sql = malloc(n);
    if (sql) {
        snprintf(sql, n, "DEALLOCATE %s", ident);
        PQclear(PQexec(c->pg, sql));
        free(sql);
    }
    PQfreemem(ident);
}

/*
 * Is the statement the server holds under q's name ours: the same text and,
 * where we name a type, the same parameter types? Every name and operator is
 * schema-qualified, so the session's search_path cannot change the answer.
 */
static const char find_sql[] =
    "SELECT s.statement OPERATOR(pg_catalog.=) $2 AND NOT EXISTS ("
    "SELECT FROM ROWS FROM (pg_catalog.unnest(s.parameter_types::pg_catalog.oid[]), "
    "pg_catalog.unnest($3::pg_catalog.oid[])) AS t(got, want) "
    "WHERE t.got IS NULL OR t.want IS NULL OR (t.want OPERATOR(pg_catalog.<>) 0 "
    "AND t.got OPERATOR(pg_catalog.<>) t.want)) "
    "FROM pg_catalog.pg_prepared_statements s WHERE s.name OPERATOR(pg_catalog.=) $1";

typedef enum stmt_found {
    STMT_ABSENT, /* no statement of that name */
    STMT_OURS,   /* q's exact statement */
    STMT_OTHER,  /* another statement under q's name */
    STMT_FAILED  /* could not tell: the error is recorded */
} stmt_found;

static stmt_found find_statement(pgqc_conn *c, const pgqc_query *q)
{
    /* q's parameter type OIDs as an array literal, "{23,0,25}" (0: the server infers it). */
    char small[256];
    size_t cap = 3 + (size_t)q->nparams * 11;
    char *oids = cap <= sizeof small ? small : malloc(cap);
    if (!oids) {
        pgqc_fail(c, q, PGQC_NOMEM, "out of memory");
        return STMT_FAILED;
    }
    size_t n = 0;
    oids[n++] = '{';
    for (int i = 0; i < q->nparams; i++)
        n += (size_t)snprintf(oids + n, cap - n, "%s%u", i ? "," : "", (unsigned)q->param_types[i]);
    snprintf(oids + n, cap - n, "}");
    const char *values[3] = {q->stmt_name, q->sql, oids};
    PGresult *r = PQexecParams(c->pg, find_sql, 3, NULL, values, NULL, NULL, 0);
    if (oids != small)
        free(oids);
    stmt_found found;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_from_result(c, q, r);
        found = STMT_FAILED;
    } else if (PQntuples(r) == 0) {
        found = STMT_ABSENT;
    } else {
        found = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? STMT_OURS : STMT_OTHER;
    }
    PQclear(r);
    return found;
}

/*
 * Prepare `q` under its name on this session and remember it. A statement
 * already there under that name is adopted only when find_statement() says
 * it is ours; otherwise it is replaced, or, where that is impossible (inside
 * a transaction; behind a pooler that keeps routing us to a server holding
 * it), *unnamed tells the caller to run this call as an unnamed statement.
 */
static pgqc_status prepare(pgqc_conn *c, const pgqc_query *q, bool *unnamed)
{
    *unnamed = false;
    if (PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
        /* A PREPARE failing on a taken name (42P05) would abort the caller's transaction. */
        switch (find_statement(c, q)) {
        case STMT_OURS:
            return remember(c, q);
        case STMT_OTHER:
            *unnamed = true;
            return PGQC_OK;
        case STMT_FAILED:
            return c->err.status;
        case STMT_ABSENT:
            break;
        }
    }
    for (int attempt = 0;; attempt++) {
        PGresult *r = PQprepare(c->pg, q->stmt_name, q->sql, q->nparams, q->param_types);
        if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
            PQclear(r);
            return remember(c, q);
        }
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (!state || strcmp(state, "42P05") != 0 || PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
            pgqc_status s = fail_from_result(c, q, r);
            PQclear(r);
            return s;
        }
        PQclear(r);
        /* The name is taken: by an earlier pgqc_conn on this PGconn, another client of a
         * pooler's server — or by a statement that only looks like ours. */
        stmt_found found = find_statement(c, q);
        if (found == STMT_OURS)
            return remember(c, q);
        if (found == STMT_FAILED)
            return c->err.status;
        if (attempt > 0) {
            *unnamed = true;
            return PGQC_OK;
        }
        deallocate(c, q); /* not ours (or out of sight, behind a pooler): replace it */
    }
}

/*
 * Running `q` as a named statement failed with `r`. When the server does
 * not know the statement (26000: the session was reset, DISCARD ALL ran, or
 * a pooler sent us to another server) no other cached statement can be
 * trusted either: forget them all. When the statement's plan went stale
 * (0A000 "cached plan must not change result type") drop it. True when the
 * call may prepare again and retry: only outside a transaction, since inside
 * one the error has aborted it.
 */
static bool recover(pgqc_conn *c, const pgqc_query *q, const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state)
        return false;
    bool idle = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    if (strcmp(state, "26000") == 0) {
        pgqc_conn_forget_statements(c);
        return idle;
    }
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (idle && strcmp(state, "0A000") == 0 && msg && strstr(msg, "cached plan must not change")) {
        deallocate(c, q);
        return true;
    }
    return false;
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
    check_session(c);
    pgqc_status s;
    PGresult *r = NULL;
    for (int retries = 0;; retries++) {
        bool unnamed = c->unnamed || retries > NAMED_RETRIES;
        if (!unnamed && !is_prepared(c, q) && (s = prepare(c, q, &unnamed)) != PGQC_OK)
            break;
        r = unnamed ? PQexecParams(c->pg, q->sql, q->nparams, q->param_types, values, lengths,
                                   q->param_formats, 1)
                    : PQexecPrepared(c->pg, q->stmt_name, q->nparams, values, lengths,
                                     q->param_formats, 1);
        if (r && is_ok(r)) {
            s = PGQC_OK;
            break;
        }
        if (r && !unnamed && recover(c, q, r)) {
            PQclear(r);
            r = NULL;
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

/* Send the current scan's statement (again); the last retry runs it unnamed. */
static pgqc_status start_scan(pgqc_conn *c, const pgqc_query *q)
{
    pgqc_status s;
    bool unnamed = c->unnamed || c->scan_retries > NAMED_RETRIES;
    if (!unnamed && !is_prepared(c, q) && (s = prepare(c, q, &unnamed)) != PGQC_OK)
        return s;
    int ok = unnamed ? PQsendQueryParams(c->pg, q->sql, q->nparams, q->param_types, c->scan_values,
                                         c->scan_lengths, q->param_formats, 1)
                     : PQsendQueryPrepared(c->pg, q->stmt_name, q->nparams, c->scan_values,
                                           c->scan_lengths, q->param_formats, 1);
    if (!ok)
        return fail_from_result(c, q, NULL);
    if (!PQsetSingleRowMode(c->pg)) {
        pgqc_finish(c);
        return pgqc_fail(c, q, PGQC_ERROR, "could not switch to single-row mode");
    }
    c->streaming = true;
    c->scan_unnamed = unnamed;
    c->shape_ok = false;
    c->any_row = false;
    return PGQC_OK;
}

pgqc_status pgqc_send(pgqc_conn *c, const pgqc_query *q, const char *const *values,
                      const int *lengths)
{
    if (!c || !q)
        return PGQC_MISUSE;
    if (c->streaming)
        return pgqc_fail(c, q, PGQC_MISUSE, "a streaming (:iter) query is still in progress");
    check_session(c);
    c->scan_values = values;
    c->scan_lengths = lengths;
    c->scan_retries = 0;
    return start_scan(c, q);
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
    /* An error ends the scan: drain it, so the connection is idle (or known lost). */
    pgqc_finish(c);
    if (!c->scan_unnamed && recover(c, q, r) && !c->any_row) {
        /* No row reached the caller yet: prepare and send again (bounded). */
        PQclear(r);
        c->scan_retries++;
        pgqc_status s = start_scan(c, q);
        return s != PGQC_OK ? s : pgqc_next(c, q, row);
    }
    pgqc_status s = fail_from_result(c, q, r);
    PQclear(r);
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
