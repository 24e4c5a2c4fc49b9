/*
 * schema.c — pgqc_check_schema(): does the live database still have what
 * the generated code relies on? One query (text format) asks the catalog
 * about every expected column and enum at once; the comparison happens
 * here, and the first difference becomes the connection's error.
 */
#include "pgqc/pgqc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char check_sql[] =
    "SELECT k.ord, (SELECT tn.nspname || '.' || ty.typname FROM pg_type ty "
    "JOIN pg_namespace tn ON tn.oid = ty.typnamespace WHERE ty.oid = a.atttypid), a.attnotnull "
    "FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(s, t, col, ord) "
    "LEFT JOIN pg_namespace n ON n.nspname = k.s "
    "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = k.t "
    "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = k.col AND a.attnum > 0 "
    "AND NOT a.attisdropped "
    "UNION ALL "
    "SELECT -e.ord, (SELECT string_agg(l.enumlabel, E'\\x1f' ORDER BY l.enumlabel COLLATE \"C\") "
    "FROM pg_enum l WHERE l.enumtypid = t.oid), t.oid IS NOT NULL "
    "FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS e(s, name, ord) "
    "LEFT JOIN pg_namespace n ON n.nspname = e.s "
    "LEFT JOIN pg_type t ON t.typnamespace = n.oid AND t.typname = e.name AND t.typtype = 'e'";

/* Append `s` as an element of a text array literal: quoted, \ and " escaped. */
static char *append_elem(char *p, const char *s, bool first)
{
    if (!first)
        *p++ = ',';
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

/* A text array literal of field `off` (a const char * inside each element of `base`). */
static char *array_literal(const void *base, size_t n, size_t stride, size_t off)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(*(const char *const *)((const char *)base + i * stride + off)) + 3;
    char *buf = malloc(cap), *p = buf;
    if (!buf)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p = append_elem(p, *(const char *const *)((const char *)base + i * stride + off), i == 0);
    *p++ = '}';
    *p = '\0';
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The expected labels sorted and joined by \x1f, as the query returns them. */
static char *joined_labels(const pgqc_schema_enum *e)
{
    const char **sorted = calloc(e->nlabels + 1, sizeof *sorted);
    size_t len = 1;
    if (!sorted)
        return NULL;
    for (size_t i = 0; i < e->nlabels; i++) {
        sorted[i] = e->labels[i];
        len += strlen(e->labels[i]) + 1;
    }
    qsort(sorted, e->nlabels, sizeof *sorted, cmp_str);
    char *out = malloc(len), *p = out;
    for (size_t i = 0; out && i < e->nlabels; i++) {
        if (i)
            *p++ = '\x1f';
        size_t l = strlen(sorted[i]);
        memcpy(p, sorted[i], l);
        p += l;
    }
    if (out)
        *p = '\0';
    free(sorted);
    return out;
}

static pgqc_status compare(pgqc_conn *c, const PGresult *r, const pgqc_schema_column *cols,
                           size_t ncols, const pgqc_schema_enum *enums, size_t nenums)
{
    char msg[512];
    for (int row = 0; row < PQntuples(r); row++) {
        long ord = strtol(PQgetvalue(r, row, 0), NULL, 10);
        if (ord > 0 && (size_t)ord <= ncols) {
            const pgqc_schema_column *e = &cols[ord - 1];
            if (PQgetisnull(r, row, 1))
                snprintf(msg, sizeof msg, "column %s.%s.%s does not exist", e->schema, e->table,
                         e->column);
            else if (strcmp(PQgetvalue(r, row, 1), e->type) != 0)
                snprintf(msg, sizeof msg,
                         "column %s.%s.%s has type %s, the code was generated for %s", e->schema,
                         e->table, e->column, PQgetvalue(r, row, 1), e->type);
            else if (e->not_null && PQgetvalue(r, row, 2)[0] != 't')
                snprintf(msg, sizeof msg,
                         "column %s.%s.%s is no longer NOT NULL, which the code relies on",
                         e->schema, e->table, e->column);
            else
                continue;
            return pgqc_fail(c, NULL, PGQC_SCHEMA_MISMATCH, msg);
        }
        if (ord < 0 && (size_t)-ord <= nenums) {
            const pgqc_schema_enum *e = &enums[-ord - 1];
            if (PQgetvalue(r, row, 2)[0] != 't') {
                snprintf(msg, sizeof msg, "enum %s.%s does not exist", e->schema, e->name);
                return pgqc_fail(c, NULL, PGQC_SCHEMA_MISMATCH, msg);
            }
            char *want = joined_labels(e);
            if (!want)
                return pgqc_fail(c, NULL, PGQC_NOMEM, "out of memory");
            bool same = strcmp(want, PQgetisnull(r, row, 1) ? "" : PQgetvalue(r, row, 1)) == 0;
            free(want);
            if (!same) {
                snprintf(msg, sizeof msg,
                         "enum %s.%s has labels the code was not generated for (labels were added, "
                         "removed or renamed)",
                         e->schema, e->name);
                return pgqc_fail(c, NULL, PGQC_SCHEMA_MISMATCH, msg);
            }
        }
    }
    return PGQC_OK;
}

pgqc_status pgqc_check_schema(pgqc_conn *c, const pgqc_schema_column *cols, size_t ncols,
                              const pgqc_schema_enum *enums, size_t nenums)
{
    if (!c)
        return PGQC_MISUSE;
    char *params[5] = {
        array_literal(cols, ncols, sizeof *cols, offsetof(pgqc_schema_column, schema)),
        array_literal(cols, ncols, sizeof *cols, offsetof(pgqc_schema_column, table)),
        array_literal(cols, ncols, sizeof *cols, offsetof(pgqc_schema_column, column)),
        array_literal(enums, nenums, sizeof *enums, offsetof(pgqc_schema_enum, schema)),
        array_literal(enums, nenums, sizeof *enums, offsetof(pgqc_schema_enum, name)),
    };
    pgqc_status s = PGQC_OK;
    for (int i = 0; i < 5; i++)
        if (!params[i])
            s = pgqc_fail(c, NULL, PGQC_NOMEM, "out of memory");
    if (s == PGQC_OK) {
        PGresult *r = PQexecParams(pgqc_conn_pg(c), check_sql, 5, NULL, (const char *const *)params,
                                   NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "cannot read the catalog: %s", PQresultErrorMessage(r));
            s = pgqc_fail(c, NULL, PGQC_ERROR, msg);
        } else {
            s = compare(c, r, cols, ncols, enums, nenums);
        }
        PQclear(r);
    }
    for (int i = 0; i < 5; i++)
        free(params[i]);
    return s;
}
