/*
 * nullability_int.h — internals shared by nullability.c (statements, FROM
 * clauses, scopes) and nullexpr.c (expressions). Not used elsewhere.
 *
 * Memory: everything allocated during one inference lives in an arena that
 * is freed in one go at the end, so the walkers never free.
 */
#ifndef PGQC_NULLABILITY_INT_H
#define PGQC_NULLABILITY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "catalog.h"
#include "pgtree.h"

/* One output column of a query or range item. */
typedef struct ncol {
    const char *name;
    bool nullable;
    const char *reason; /* why nullable; NULL when non-null */
} ncol;

/* The inferred output of a query or range item. */
typedef struct nrel {
    ncol *cols;
    size_t n;
} nrel;

/* One entry of a FROM clause (a table, view, CTE, subquery, function). */
typedef struct range_item {
    const char *alias; /* name that qualifies its columns */
    nrel out;
    bool join_alias;     /* JOIN ... AS name: reachable only qualified by that name */
    bool outer_nullable; /* on the nullable side of an outer join */
    const char *outer_reason;
} range_item;

/* A column narrowed to non-null by a WHERE conjunct (item, column). */
typedef struct narrowed {
    size_t item, col;
} narrowed;

/* The names visible at one query level; `parent` is the enclosing level. */
typedef struct scope {
    struct scope *parent;
    range_item *items;
    size_t nitems, items_alloc;
    narrowed *narrow;
    size_t nnarrow, narrow_alloc;
    bool grouped;       /* GROUP BY without grouping sets: aggregates see >= 1 row */
    bool grouping_sets; /* ROLLUP/CUBE/GROUPING SETS: grouped columns can be NULL */
    bool using_join;    /* a JOIN ... USING/NATURAL is present: `*` order differs */
} scope;

/* A CTE visible by name. */
typedef struct cte_binding {
    const char *name;
    nrel out;
    struct cte_binding *next;
} cte_binding;

typedef struct nctx {
    const catalog *cat;
    arena mem;
    cte_binding *ctes;
    int depth;                  /* recursion guard (views inside views) */
    const bool *param_nullable; /* by $n - 1 */
    size_t nparams;
} nctx;

/* Nullability of expression `n` evaluated in scope `s`; *reason set when nullable. */
bool expr_nullable(nctx *x, scope *s, const PgQuery__Node *n, const char **reason);

/* Infer the output of a statement (SELECT or DML with RETURNING); false when unknown. */
bool infer_statement(nctx *x, scope *outer, const PgQuery__Node *stmt, nrel *out);

/* Find the column a ColumnRef names; returns false when it cannot be resolved. */
bool resolve_column(nctx *x, scope *s, const PgQuery__ColumnRef *ref, bool *nullable,
                    const char **reason);

/* The lower-case last name of a qualified name list (String nodes), or NULL. */
const char *last_name(const PgQuery__Node *const *names, size_t n);

#endif
