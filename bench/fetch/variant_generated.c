/*
 * variant_generated.c — bench/fetch variants (1) and (2): the code pgqc
 * generated from queries/fetch.sql, used exactly as an application would.
 * (1) fetch_all (:many) returns every row in an array; (2) scan_all (:iter)
 * hands rows one at a time to a callback (libpq single-row mode).
 */
#include "variants.h"

#include <stdio.h>

#include "fdb.h"

static bool report(fetch_env *env, const char *what, pgqc_status s)
{
    const pgqc_error *e = pgqc_conn_error(env->pc);
    fprintf(stderr, "%s: %s: %s\n", what, pgqc_status_string(s), e->message);
    return false;
}

bool fetch_generated_many(fetch_env *env, int64_t nrows, fetch_sum *sum)
{
    fdb_fetch_all_rows rows;
    pgqc_status s = fdb_fetch_all(env->pc, nrows, &rows);
    if (s != PGQC_OK)
        return report(env, "fdb_fetch_all", s);
    for (size_t i = 0; i < rows.count; i++) {
        const fdb_fetch_all_row *r = &rows.rows[i];
        fetch_sum_add(sum, r->id, r->name, r->created_at.usec, r->score.valid, r->score.value,
                      r->ratio);
    }
    fdb_fetch_all_rows_free(&rows);
    return true;
}

static pgqc_status add_row(const fdb_scan_all_row *r, void *ctx)
{
    fetch_sum_add(ctx, r->id, r->name, r->created_at.usec, r->score.valid, r->score.value,
                  r->ratio);
    return PGQC_OK;
}

bool fetch_generated_iter(fetch_env *env, int64_t nrows, fetch_sum *sum)
{
    pgqc_status s = fdb_scan_all(env->pc, nrows, add_row, sum);
    if (s != PGQC_OK)
        return report(env, "fdb_scan_all", s);
    return true;
}
