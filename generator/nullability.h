/*
 * nullability.h — deciding which result columns and parameters can be NULL.
 *
 * Sound first, then precise: a column is called non-null only when the
 * catalog and the statement's parse tree prove it; when unsure it is
 * nullable. Each nullable column gets a human-readable reason (shown by
 * `pgqc describe`). Parameters are non-null unless they feed a nullable
 * column (INSERT ... VALUES, UPDATE ... SET, ON CONFLICT DO UPDATE SET).
 *
 * The user's overrides (`:name?` / `:name!` on parameters, `AS "col?"` /
 * `AS "col!"` on result columns) belong to the inference too: a parameter's
 * override is settled before any expression that uses it is inferred, so
 * `SELECT :x?::int AS y` makes y nullable, and a column's override is the
 * last word on that column. Nothing outside this module changes
 * nullability.
 */
#ifndef PGQC_NULLABILITY_H
#define PGQC_NULLABILITY_H

#include "analysis.h"
#include "catalog.h"
#include "pgtree.h"
#include "querysrc.h"

/*
 * The user's overrides for one query: `params[i]` for q->params[i],
 * `cols[i]` for q->cols[i]. Either pointer may be NULL (no overrides).
 */
typedef struct null_overrides {
    const null_override *params;
    const null_override *cols;
} null_overrides;

/*
 * A result column's alias and the override it carries, as in SQLx:
 * "author_email?" is column "author_email" with NULL_FORCE_NULLABLE,
 * "latest!" is "latest" with NULL_FORCE_NOT_NULL; anything else (including
 * PostgreSQL's "?column?") is itself with NULL_INFER. Returns the name
 * without the suffix (caller frees). Only for aliases: a table column
 * really named "v!" is no override, which the caller decides.
 */
char *nullability_strip_override(const char *alias, null_override *ov);

/*
 * Fill nullable / nullable_reason of every column and parameter of `q`,
 * whose SQL is `q->sql`, honouring the overrides `ov` (may be NULL).
 * Columns already carry type and source (table_oid, table_attnum) from
 * describe.
 */
void nullability_infer(const catalog *cat, an_query *q, const null_overrides *ov);

/* The same with the parse tree of q->sql already at hand (the caller owns it). */
void nullability_infer_tree(const catalog *cat, an_query *q, const pgtree *t,
                            const null_overrides *ov);

#endif
