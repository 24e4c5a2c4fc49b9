/*
 * variant_binary.c — bench/fetch variants (b) and (b'): what an expert
 * writes by hand with libpq when speed matters. Binary results from a
 * prepared statement; the result's shape is checked once; per field only
 * the calls needed for the same safety as generated code (a fixed-size
 * field's length doubles as its NULL check, since libpq reports length 0
 * for NULL; PQgetisnull only where 0 is ambiguous).
 *
 * (b) fills an array of the very row struct pgqc's :many returns, pointing
 *     into the PGresult like it does — the rival of variant (1).
 * (b') streams in single-row mode and consumes each row inline, without a
 *     callback — the rival of variant (2).
 */
#include "variants.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>

#include "fdb.h" /* only for fdb_fetch_all_row: (b) fills the same row type */

#define STMT "bench_fetch_binary"

static PGconn *prepared_on; /* the connection STMT was prepared on */

static bool fail(PGconn *pg, const char *what)
{
    fprintf(stderr, "%s: %s", what, PQerrorMessage(pg));
    return false;
}

static bool prepare(PGconn *pg)
{
    if (prepared_on == pg)
        return true;
    static const Oid types[1] = {20};
    PGresult *r = PQprepare(pg, STMT, FETCH_SQL, 1, types);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok)
        return fail(pg, "PQprepare");
    prepared_on = pg;
    return true;
}

static bool shape_ok(const PGresult *r)
{
    if (PQnfields(r) != FETCH_NCOLS)
        return false;
    for (int i = 0; i < FETCH_NCOLS; i++)
        if (PQftype(r, i) != fetch_col_types[i])
            return false;
    return true;
}

static inline int64_t get_i64(const char *p)
{
    uint64_t u;
    memcpy(&u, p, 8);
    return (int64_t)be64toh(u);
}

static inline int32_t get_i32(const char *p)
{
    uint32_t u;
    memcpy(&u, p, 4);
    return (int32_t)be32toh(u);
}

static inline double get_f64(const char *p)
{
    uint64_t u;
    double d;
    memcpy(&u, p, 8);
    u = be64toh(u);
    memcpy(&d, &u, 8);
    return d;
}

/* Decode row `i` of `r`; false on a NULL in a NOT NULL column or a bad length. */
static inline bool decode_row(const PGresult *r, int i, fdb_fetch_all_row *o)
{
    if (PQgetlength(r, i, 0) != 8)
        return false;
    o->id = get_i64(PQgetvalue(r, i, 0));
    if (PQgetisnull(r, i, 1))
        return false;
    o->name = PQgetvalue(r, i, 1);
    if (PQgetlength(r, i, 2) != 8)
        return false;
    o->created_at.usec = get_i64(PQgetvalue(r, i, 2));
    int len = PQgetlength(r, i, 3);
    if (len == 4) {
        o->score.valid = true;
        o->score.value = get_i32(PQgetvalue(r, i, 3));
    } else if (len == 0 && PQgetisnull(r, i, 3)) {
        o->score.valid = false;
        o->score.value = 0;
    } else {
        return false;
    }
    if (PQgetlength(r, i, 4) != 8)
        return false;
    o->ratio = get_f64(PQgetvalue(r, i, 4));
    return true;
}

static void limit_param(int64_t nrows, char buf[8])
{
    uint64_t be = htobe64((uint64_t)nrows);
    memcpy(buf, &be, 8);
}

bool fetch_binary_array(fetch_env *env, int64_t nrows, fetch_sum *sum)
{
    PGconn *pg = env->pg;
    if (!prepare(pg))
        return false;
    char buf[8];
    limit_param(nrows, buf);
    const char *values[1] = {buf};
    static const int lengths[1] = {8}, formats[1] = {1};
    PGresult *r = PQexecPrepared(pg, STMT, 1, values, lengths, formats, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return fail(pg, "PQexecPrepared");
    }
    if (!shape_ok(r)) {
        PQclear(r);
        fprintf(stderr, "(b): unexpected result shape\n");
        return false;
    }
    int n = PQntuples(r);
    fdb_fetch_all_row *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    if (!rows) {
        PQclear(r);
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (!decode_row(r, i, &rows[i])) {
            fprintf(stderr, "(b): bad value in row %d\n", i);
            free(rows);
            PQclear(r);
            return false;
        }
    }
    for (int i = 0; i < n; i++) {
        const fdb_fetch_all_row *o = &rows[i];
        fetch_sum_add(sum, o->id, o->name, o->created_at.usec, o->score.valid, o->score.value,
                      o->ratio);
    }
    free(rows);
    PQclear(r);
    return true;
}

bool fetch_binary_single_row(fetch_env *env, int64_t nrows, fetch_sum *sum)
{
    PGconn *pg = env->pg;
    if (!prepare(pg))
        return false;
    char buf[8];
    limit_param(nrows, buf);
    const char *values[1] = {buf};
    static const int lengths[1] = {8}, formats[1] = {1};
    if (!PQsendQueryPrepared(pg, STMT, 1, values, lengths, formats, 1))
        return fail(pg, "PQsendQueryPrepared");
    if (!PQsetSingleRowMode(pg))
        return fail(pg, "PQsetSingleRowMode");
    bool ok = true, checked = false;
    PGresult *r;
    while ((r = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && ok) {
            fdb_fetch_all_row o;
            if (!checked && !(checked = shape_ok(r))) {
                fprintf(stderr, "(b'): unexpected result shape\n");
                ok = false;
            } else if (!decode_row(r, 0, &o)) {
                fprintf(stderr, "(b'): bad value\n");
                ok = false;
            } else {
                fetch_sum_add(sum, o.id, o.name, o.created_at.usec, o.score.valid, o.score.value,
                              o.ratio);
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
            ok = fail(pg, "single-row fetch");
        }
        PQclear(r);
    }
    return ok;
}
