/*
 * nullexpr.c — can this expression be NULL? The expression half of
 * nullability inference (statements and scopes are in nullability.c).
 *
 * Rules, sound first: literals, casts of non-null values, EXISTS, IS [NOT]
 * NULL, IS DISTINCT FROM, ARRAY[...], ROW(...), count(...) and ranking
 * window functions are non-null; COALESCE and GREATEST/LEAST are non-null
 * when any argument is; CASE when every branch and the ELSE are; strict
 * operators and a whitelist of functions when all their arguments are. Any
 * other function (array_length, lag, user functions), NULLIF, scalar
 * subqueries, subscripts and aggregates that can see no row are nullable.
 */
#include "nullability_int.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- function knowledge ------------------------------------------------- */

/* Functions that return non-null whenever all their arguments are non-null. */
static const char *const strict_nonnull_funcs[] = {
    "abs",
    "age",
    "ascii",
    "bit_length",
    "btrim",
    "cardinality",
    "cbrt",
    "ceil",
    "ceiling",
    "char_length",
    "character_length",
    "chr",
    "date_trunc",
    "decode",
    "degrees",
    "div",
    "encode",
    "exp",
    "floor",
    "format_type",
    "gcd",
    "initcap",
    "jsonb_typeof",
    "json_typeof",
    "lcm",
    "left",
    "length",
    "ln",
    "log",
    "log10",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "md5",
    "mod",
    "normalize",
    "octet_length",
    "overlay",
    "pi",
    "position",
    "power",
    "quote_ident",
    "quote_literal",
    "radians",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "rpad",
    "rtrim",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sign",
    "sqrt",
    "starts_with",
    "strpos",
    "substr",
    "timezone",
    "to_date",
    "to_hex",
    "to_number",
    "to_timestamp",
    "translate",
    "trim",
    "trunc",
    "upper",
    "uuid_in",
    "width_bucket",
    "jsonb_build_array",
    "json_build_array",
    "array_cat",
    "array_append",
    "array_prepend",
    "array_remove",
    "array_replace",
    "to_tsvector",
    "to_tsquery",
    "plainto_tsquery",
    "format",
    "isfinite",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "bool",
    "int4",
    "int8",
    "text",
    "float8",
    "numeric",
};

/* Functions that never return NULL, whatever their arguments. */
static const char *const always_nonnull_funcs[] = {
    "now",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "random",
    "gen_random_uuid",
    "uuid_generate_v4",
    "concat",
    "pg_backend_pid",
    "version",
    "current_database",
    "txid_current",
    "nextval",
    "jsonb_build_object",
    "json_build_object",
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "count",
    "num_nulls",
    "num_nonnulls",
};

/* Aggregates: NULL over zero rows (or only NULL inputs). */
static const char *const nullable_aggregates[] = {
    "min",
    "max",
    "sum",
    "avg",
    "array_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "bit_and",
    "bit_or",
    "xmlagg",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "percentile_cont",
    "percentile_disc",
    "mode",
    "corr",
    "covar_pop",
    "covar_samp",
    "regr_slope",
    "regr_intercept",
    "range_agg",
    "range_intersect_agg",
};

/* Of those, the ones that are non-null over >= 1 non-null input row. */
static const char *const grouped_nonnull_aggregates[] = {
    "min",     "max",   "sum",      "avg",       "array_agg", "string_agg", "bool_and",
    "bool_or", "every", "json_agg", "jsonb_agg", "bit_and",   "bit_or",     "range_agg",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

#define IN(name, list) in_list((name), (list), sizeof(list) / sizeof((list)[0]))

/* Strict operators that return non-null for non-null operands. */
static const char *const strict_ops[] = {
    "+",  "-",  "*",  "/",   "%",   "^",    "=",  "<>", "!=",  "<",   ">", "<=",
    ">=", "||", "~~", "!~~", "~~*", "!~~*", "~",  "!~", "~*",  "!~*", "&", "|",
    "#",  "<<", ">>", "@>",  "<@",  "&&",   "@@", "|/", "||/", "@",
};

const char *last_name(const PgQuery__Node *const *names, size_t n)
{
    if (!n || names[n - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
        return NULL;
    return names[n - 1]->string->sval;
}

/* The schema of a qualified function name, or NULL when unqualified. */
static const char *schema_of(const PgQuery__Node *const *names, size_t n)
{
    if (n < 2 || names[n - 2]->node_case != PG_QUERY__NODE__NODE_STRING)
        return NULL;
    return names[n - 2]->string->sval;
}

/* Is any of `args` nullable? Sets *reason to the first nullable one's reason. */
static bool any_nullable(nctx *x, scope *s, PgQuery__Node *const *args, size_t n,
                         const char **reason)
{
    for (size_t i = 0; i < n; i++)
        if (expr_nullable(x, s, args[i], reason))
            return true;
    return false;
}

static bool func_nullable(nctx *x, scope *s, const PgQuery__FuncCall *f, const char **reason)
{
    const char *name = last_name((const PgQuery__Node *const *)f->funcname, f->n_funcname);
    const char *schema = schema_of((const PgQuery__Node *const *)f->funcname, f->n_funcname);
    if (!name || (schema && strcmp(schema, "pg_catalog") != 0)) {
        *reason = arena_fmt(&x->mem, "function %s%s%s is not known to return non-null",
                            schema ? schema : "", schema ? "." : "", name ? name : "?");
        return true;
    }
    if (f->over) {
        /* Window functions: ranking ones are never NULL; count over a frame isn't either. */
        if (strcmp(name, "row_number") == 0 || strcmp(name, "rank") == 0 ||
            strcmp(name, "dense_rank") == 0 || strcmp(name, "percent_rank") == 0 ||
            strcmp(name, "cume_dist") == 0 || strcmp(name, "count") == 0)
            return false;
        if (strcmp(name, "ntile") == 0)
            return any_nullable(x, s, f->args, f->n_args, reason);
        *reason = arena_fmt(&x->mem, "window function %s() can return NULL", name);
        return true;
    }
    if (strcmp(name, "count") == 0)
        return false;
    if (IN(name, nullable_aggregates)) {
        if (f->agg_filter) {
            *reason = arena_fmt(&x->mem, "%s() with FILTER can see no rows", name);
            return true;
        }
        if (!s->grouped || !IN(name, grouped_nonnull_aggregates)) {
            *reason = arena_fmt(&x->mem, "%s() returns NULL when there are no rows%s", name,
                                s->grouping_sets ? " (grouping sets)" : " (no GROUP BY)");
            return true;
        }
        /* Grouped: each group has a row; NULL only from NULL inputs. */
        if (any_nullable(x, s, f->args, f->n_args, reason)) {
            *reason = arena_fmt(&x->mem, "%s() of a nullable expression", name);
            return true;
        }
        return false;
    }
    if (IN(name, always_nonnull_funcs))
        return false;
    if (strcmp(name, "concat_ws") == 0)
        return f->n_args > 0 && expr_nullable(x, s, f->args[0], reason);
    if (IN(name, strict_nonnull_funcs)) {
        if (any_nullable(x, s, f->args, f->n_args, reason))
            return true;
        return false;
    }
    *reason = arena_fmt(&x->mem, "function %s() is not known to return non-null", name);
    return true;
}

static bool aexpr_nullable(nctx *x, scope *s, const PgQuery__AExpr *e, const char **reason)
{
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
        return false;
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF:
        *reason = "NULLIF can return NULL";
        return true;
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
        const char *op = last_name((const PgQuery__Node *const *)e->name, e->n_name);
        if (!op || !IN(op, strict_ops)) {
            *reason =
                arena_fmt(&x->mem, "operator %s is not known to return non-null", op ? op : "?");
            return true;
        }
        const PgQuery__Node *args[2] = {e->lexpr, e->rexpr};
        for (int i = 0; i < 2; i++)
            if (args[i] && expr_nullable(x, s, args[i], reason))
                return true;
        return false;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        if (e->lexpr && expr_nullable(x, s, e->lexpr, reason))
            return true;
        if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST)
            return any_nullable(x, s, e->rexpr->list->items, e->rexpr->list->n_items, reason);
        return e->rexpr && expr_nullable(x, s, e->rexpr, reason);
    default:
        /* = ANY(array) / ALL: NULL when the array holds a NULL element. */
        *reason = "ANY/ALL comparison can return NULL";
        return true;
    }
}

static bool sublink_nullable(nctx *x, scope *s, const PgQuery__SubLink *l, const char **reason)
{
    (void)x;
    (void)s;
    switch (l->sub_link_type) {
    case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
        return false;
    case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK:
        return false; /* empty array, never NULL */
    case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK:
        *reason = "scalar subquery returns NULL when it finds no row";
        return true;
    default:
        *reason = "IN/ANY/ALL subquery can return NULL";
        return true;
    }
}

static bool case_nullable(nctx *x, scope *s, const PgQuery__CaseExpr *c, const char **reason)
{
    if (!c->defresult) {
        *reason = "CASE without ELSE";
        return true;
    }
    for (size_t i = 0; i < c->n_args; i++) {
        const PgQuery__Node *w = c->args[i];
        if (w->node_case == PG_QUERY__NODE__NODE_CASE_WHEN &&
            expr_nullable(x, s, w->case_when->result, reason))
            return true;
    }
    return expr_nullable(x, s, c->defresult, reason);
}

/* COALESCE / GREATEST / LEAST: NULL only when every argument is. */
static bool all_nullable(nctx *x, scope *s, PgQuery__Node *const *args, size_t n, const char *what,
                         const char **reason)
{
    const char *r = NULL;
    for (size_t i = 0; i < n; i++)
        if (!expr_nullable(x, s, args[i], &r))
            return false;
    *reason = arena_fmt(&x->mem, "%s of nullable arguments", what);
    return true;
}

bool expr_nullable(nctx *x, scope *s, const PgQuery__Node *n, const char **reason)
{
    const char *dummy;
    if (!reason)
        reason = &dummy;
    if (!n) {
        *reason = "missing expression";
        return true;
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        if (n->a_const->isnull) {
            *reason = "NULL literal";
            return true;
        }
        return false;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        return expr_nullable(x, s, n->type_cast->arg, reason);
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        return expr_nullable(x, s, n->collate_clause->arg, reason);
    case PG_QUERY__NODE__NODE_PARAM_REF: {
        int k = n->param_ref->number;
        if (k >= 1 && (size_t)k <= x->nparams && !x->param_nullable[k - 1])
            return false;
        *reason = arena_fmt(&x->mem, "parameter $%d is nullable", k);
        return true;
    }
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        bool nullable;
        if (!resolve_column(x, s, n->column_ref, &nullable, reason)) {
            *reason = "column reference could not be resolved";
            return true;
        }
        return nullable;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        return func_nullable(x, s, n->func_call, reason);
    case PG_QUERY__NODE__NODE_A_EXPR:
        return aexpr_nullable(x, s, n->a_expr, reason);
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
        return any_nullable(x, s, n->bool_expr->args, n->bool_expr->n_args, reason);
    case PG_QUERY__NODE__NODE_NULL_TEST:
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
    case PG_QUERY__NODE__NODE_ROW_EXPR:
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
    case PG_QUERY__NODE__NODE_GROUPING_FUNC:
        return false;
    case PG_QUERY__NODE__NODE_SUB_LINK:
        return sublink_nullable(x, s, n->sub_link, reason);
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        return case_nullable(x, s, n->case_expr, reason);
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return all_nullable(x, s, n->coalesce_expr->args, n->coalesce_expr->n_args, "COALESCE",
                            reason);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        return all_nullable(x, s, n->min_max_expr->args, n->min_max_expr->n_args, "GREATEST/LEAST",
                            reason);
    case PG_QUERY__NODE__NODE_A_INDIRECTION:
        *reason = "subscript or field selection can return NULL";
        return true;
    default:
        *reason = "expression not proven non-null";
        return true;
    }
}
