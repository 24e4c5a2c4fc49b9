/*
 * nullability.h — deciding which result columns and parameters can be NULL.
 *
 * Sound first, then precise: a column is called non-null only when the
 * catalog and the statement's parse tree prove it; when unsure it is
 * nullable. Each nullable column gets a human-readable reason (shown by
 * `pgqc describe`). Parameters are non-null unless they feed a nullable
 * column (INSERT ... VALUES, UPDATE ... SET, ON CONFLICT DO UPDATE SET).
 * `AS "col?"` / `AS "col!"` and `:name?` / `:name!` overrides are applied
 * by the caller after inference.
 */
#ifndef PGQC_NULLABILITY_H
#define PGQC_NULLABILITY_H

#include "analysis.h"
#include "catalog.h"
#include "pgtree.h"

/*
 * Fill nullable / nullable_reason of every column and parameter of `q`,
 * whose SQL is `q->sql`. Columns already carry type and source
 * (table_oid, table_attnum) from describe.
 */
void nullability_infer(const catalog *cat, an_query *q);

/* The same with the parse tree of q->sql already at hand (the caller owns it). */
void nullability_infer_tree(const catalog *cat, an_query *q, const pgtree *t);

#endif
