/*
 * driver.c — one build of the program of tests/versions, compiled once per
 * version (v1/, v2/) against that version's generated db.h into a shared
 * module. The versions' generated functions share names but not types, so
 * each module exports the same small interface below; test_pooler.c loads
 * both modules into one process with dlopen() and asks each for answers.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"

/* The `version` query's string, copied into buf. */
pgqc_status versions_version(pgqc_conn *c, char *buf, size_t size)
{
    db_version_row row;
    pgqc_status s = db_version(c, &row);
    if (s == PGQC_OK) {
        snprintf(buf, size, "%s", row.version);
        db_version_row_free(&row);
    }
    return s;
}

/* The `answer` query's value for x; its version string into buf. */
pgqc_status versions_answer(pgqc_conn *c, int x, long long *v, char *buf, size_t size)
{
    db_answer_row row;
    pgqc_status s = db_answer(c, x, &row);
    if (s == PGQC_OK) {
        *v = row.v;
        snprintf(buf, size, "%s", row.version);
        db_answer_row_free(&row);
    }
    return s;
}

/* The sum of the `answers` rows for x, and their number. */
pgqc_status versions_answers(pgqc_conn *c, int x, long long *sum, int *count)
{
    db_answers_rows rows;
    pgqc_status s = db_answers(c, x, &rows);
    if (s == PGQC_OK) {
        *sum = 0;
        for (size_t i = 0; i < rows.count; i++)
            *sum += rows.rows[i].v;
        *count = (int)rows.count;
        db_answers_rows_free(&rows);
    }
    return s;
}

typedef struct scan_sum {
    long long sum;
    int count;
} scan_sum;

static pgqc_status add_row(const db_each_answer_row *row, void *ctx)
{
    scan_sum *acc = ctx;
    acc->sum += row->v;
    acc->count++;
    return PGQC_OK;
}

/* The sum of the rows `each_answer` streams for x, and their number. */
pgqc_status versions_each(pgqc_conn *c, int x, long long *sum, int *count)
{
    scan_sum acc = {0, 0};
    pgqc_status s = db_each_answer(c, x, add_row, &acc);
    *sum = acc.sum;
    *count = acc.count;
    return s;
}
