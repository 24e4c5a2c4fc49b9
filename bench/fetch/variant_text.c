/*
 * variant_text.c — bench/fetch variant (a): typical hand-written libpq code.
 * PQexecParams with text results, numbers through strtoll/strtod, and the
 * ISO timestamptz text ("2020-01-01 00:00:01.234567+00", offsets such as
 * +05:30 included) parsed properly into microseconds since 2000-01-01 UTC,
 * filling an array of rows that point into the result like :many's do.
 *
 * It is the good end of typical: no per-row strdup, and a hand-rolled
 * timestamp parser instead of sscanf + timegm (each of which would cost
 * more than the whole binary decode), so the comparison flatters it.
 */
#include "variants.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct text_row {
    int64_t id;
    const char *name;
    int64_t created_usec;
    bool score_valid;
    int32_t score;
    double ratio;
} text_row;

/* `n` decimal digits at *p as a number; false unless all are digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]{+|-}HH[:MM[:SS]]" (DateStyle ISO) -> usec since 2000 UTC. */
static bool parse_timestamptz(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, os = 0;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d) || *s++ != ' ' || !digits(&s, 2, &h) || *s++ != ':' ||
        !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &sec))
        return false;
    int64_t frac = 0;
    if (*s == '.') {
        int n = 0;
        for (s++; *s >= '0' && *s <= '9'; s++, n++)
            if (n < 6)
                frac = frac * 10 + (*s - '0');
        if (n == 0)
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    if (*s != '+' && *s != '-')
        return false;
    int sign = *s++ == '-' ? -1 : 1;
    if (!digits(&s, 2, &oh))
        return false;
    if (*s == ':' && (s++, !digits(&s, 2, &om)))
        return false;
    if (*s == ':' && (s++, !digits(&s, 2, &os)))
        return false;
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    int64_t secs = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
                   sign * (oh * 3600 + om * 60 + os) - PGQC_EPOCH_OFFSET_SECS;
    *out = secs * 1000000 + frac;
    return true;
}

bool fetch_text(fetch_env *env, int64_t nrows, fetch_sum *sum)
{
    char limit[32];
    snprintf(limit, sizeof limit, "%" PRId64, nrows);
    const char *values[1] = {limit};
    PGresult *r = PQexecParams(env->pg, FETCH_SQL, 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "PQexecParams: %s", PQerrorMessage(env->pg));
        PQclear(r);
        return false;
    }
    int n = PQntuples(r);
    text_row *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    if (!rows) {
        PQclear(r);
        return false;
    }
    for (int i = 0; i < n; i++) {
        text_row *o = &rows[i];
        char *end;
        o->id = strtoll(PQgetvalue(r, i, 0), &end, 10);
        o->name = PQgetvalue(r, i, 1);
        if (!parse_timestamptz(PQgetvalue(r, i, 2), &o->created_usec)) {
            fprintf(stderr, "(a): bad timestamp \"%s\"\n", PQgetvalue(r, i, 2));
            free(rows);
            PQclear(r);
            return false;
        }
        o->score_valid = !PQgetisnull(r, i, 3);
        o->score = o->score_valid ? (int32_t)strtol(PQgetvalue(r, i, 3), &end, 10) : 0;
        o->ratio = strtod(PQgetvalue(r, i, 4), &end);
    }
    for (int i = 0; i < n; i++) {
        const text_row *o = &rows[i];
        fetch_sum_add(sum, o->id, o->name, o->created_usec, o->score_valid, o->score, o->ratio);
    }
    free(rows);
    PQclear(r);
    return true;
}
