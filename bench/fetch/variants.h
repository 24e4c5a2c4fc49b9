/*
 * variants.h — the fetch variants compared by bench/fetch and what they
 * share: the checksum every variant folds each row into (so the compiler
 * cannot drop the work, and so the driver can prove that all variants read
 * the same values), and the SQL every variant sends.
 *
 * Each variant fetches every row of `SELECT ... FROM fetch_rows LIMIT n`
 * and returns true with `*sum` filled, or false after printing why to
 * stderr. The libpq-based variants share one PGconn (and the generated ones
 * a pgqc_conn wrapping it); ecpg has its own connection.
 */
#ifndef BENCH_FETCH_VARIANTS_H
#define BENCH_FETCH_VARIANTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libpq-fe.h>
#include <pgqc/pgqc.h>

/* The SQL of queries/fetch.sql, sent verbatim by the hand-written variants. */
#define FETCH_SQL "SELECT id, name, created_at, score, ratio FROM fetch_rows LIMIT $1"

/* Type OIDs of the five result columns (int8, text, timestamptz, int4, float8). */
#define FETCH_NCOLS 5
extern const Oid fetch_col_types[FETCH_NCOLS];

/* What a fetch saw; equal across variants when they read the same values. */
typedef struct fetch_sum {
    uint64_t rows;
    uint64_t ids;        /* sum of id (wrapping) */
    uint64_t name_bytes; /* sum of strlen(name): every string is touched */
    uint64_t usecs;      /* sum of created_at in microseconds since 2000 (wrapping) */
    uint64_t nulls;      /* rows whose score is NULL */
    int64_t scores;      /* sum of the non-NULL scores */
    double ratios;       /* sum of ratio, in row order */
} fetch_sum;

static inline void fetch_sum_add(fetch_sum *s, int64_t id, const char *name, int64_t usec,
                                 bool score_valid, int32_t score, double ratio)
{
    s->rows++;
    s->ids += (uint64_t)id;
    s->name_bytes += strlen(name);
    s->usecs += (uint64_t)usec;
    if (score_valid)
        s->scores += score;
    else
        s->nulls++;
    s->ratios += ratio;
}

/* Connections a variant may use. */
typedef struct fetch_env {
    PGconn *pg;     /* binary and text libpq variants */
    pgqc_conn *pc;  /* generated variants (wraps pg) */
    const char *db; /* conninfo string, for ecpg's own connection */
} fetch_env;

typedef bool (*fetch_fn)(fetch_env *env, int64_t nrows, fetch_sum *sum);

/* (1) generated :many and (2) generated :iter (variant_generated.c). */
bool fetch_generated_many(fetch_env *env, int64_t nrows, fetch_sum *sum);
bool fetch_generated_iter(fetch_env *env, int64_t nrows, fetch_sum *sum);

/* (a) typical text-format libpq code (variant_text.c). */
bool fetch_text(fetch_env *env, int64_t nrows, fetch_sum *sum);

/* (b) hand-tuned binary into a row array, (b') binary single-row mode (variant_binary.c). */
bool fetch_binary_array(fetch_env *env, int64_t nrows, fetch_sum *sum);
bool fetch_binary_single_row(fetch_env *env, int64_t nrows, fetch_sum *sum);

/* (c) ecpg cursor with batched FETCH (variant_ecpg.pgc). */
bool fetch_ecpg_connect(const char *conninfo);
bool fetch_ecpg(fetch_env *env, int64_t nrows, fetch_sum *sum);
void fetch_ecpg_disconnect(void);

#endif
