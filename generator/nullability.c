/*
 * nullability.c — nullability inference for statements (see nullability.h;
 * expression rules are in nullexpr.c).
 *
 * The statement is parsed with libpg_query and walked like the planner's
 * analysis would: WITH clauses bind CTEs, the FROM clause builds a scope of
 * range items (tables with attnotnull, views through their definitions,
 * CTEs, subqueries, functions), outer joins mark whole items as nullable,
 * INNER JOIN ... ON and WHERE conjuncts such as `x = ...` or
 * `x IS NOT NULL` narrow the columns they test, and each target is an
 * expression inferred in that scope. Set operations combine their branches;
 * INSERT/UPDATE/DELETE ... RETURNING read the target table. Whatever cannot
 * be matched to the described result columns is reported nullable: the
 * inference may be imprecise, never unsound.
 *
 * Parameters: non-null unless they are the value written to a column
 * without NOT NULL by INSERT ... VALUES / SELECT, UPDATE ... SET or
 * ON CONFLICT DO UPDATE SET.
 */
#include "nullability.h"
#include "nullability_int.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

static const char *str_of(const PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

/* ---- scopes ---------------------------------------------------------------- */

static range_item *scope_add(nctx *x, scope *s, const char *alias, nrel out)
{
    if (s->nitems == s->items_alloc) {
        size_t na = s->items_alloc ? s->items_alloc * 2 : 8;
        range_item *ni = arena_alloc(&x->mem, na * sizeof *ni);
        if (s->nitems)
            memcpy(ni, s->items, s->nitems * sizeof *ni);
        s->items = ni;
        s->items_alloc = na;
    }
    range_item *it = &s->items[s->nitems++];
    memset(it, 0, sizeof *it);
    it->alias = alias;
    it->out = out;
    return it;
}

static nrel nrel_new(nctx *x, size_t n)
{
    nrel r = {arena_alloc(&x->mem, (n + 1) * sizeof(ncol)), n};
    return r;
}

static nrel nrel_copy(nctx *x, nrel in)
{
    nrel r = nrel_new(x, in.n);
    memcpy(r.cols, in.cols, in.n * sizeof(ncol));
    return r;
}

/* Rename columns by an alias column list: FROM t AS a(x, y). */
static void apply_alias(nrel *out, const PgQuery__Alias *alias)
{
    if (!alias)
        return;
    for (size_t i = 0; i < alias->n_colnames && i < out->n; i++) {
        const char *nm = str_of(alias->colnames[i]);
        if (nm)
            out->cols[i].name = nm;
    }
}

/* Locate the column a ColumnRef names in scope `s` only (no parents). */
static bool find_local(scope *s, const PgQuery__ColumnRef *ref, size_t *item, size_t *col,
                       size_t *matches)
{
    const char *qual = NULL, *name;
    *matches = 0;
    if (ref->n_fields == 1) {
        name = str_of(ref->fields[0]);
    } else if (ref->n_fields == 2) {
        qual = str_of(ref->fields[0]);
        name = str_of(ref->fields[1]);
    } else {
        /* schema.table.column: match on the last two parts */
        qual = str_of(ref->fields[ref->n_fields - 2]);
        name = str_of(ref->fields[ref->n_fields - 1]);
    }
    if (!name)
        return false;
    for (size_t i = 0; i < s->nitems; i++) {
        const range_item *it = &s->items[i];
        if (qual ? (!it->alias || strcmp(it->alias, qual) != 0) : it->join_alias)
            continue;
        for (size_t c = 0; c < it->out.n; c++) {
            if (it->out.cols[c].name && strcmp(it->out.cols[c].name, name) == 0) {
                if (!*matches) {
                    *item = i;
                    *col = c;
                }
                (*matches)++;
            }
        }
    }
    return *matches > 0;
}

static bool is_narrowed(const scope *s, size_t item, size_t col)
{
    for (size_t i = 0; i < s->nnarrow; i++)
        if (s->narrow[i].item == item && s->narrow[i].col == col)
            return true;
    return false;
}

static bool column_nullable(const scope *s, size_t item, size_t col, const char **reason)
{
    const range_item *it = &s->items[item];
    /* Grouping sets add rows (subtotals) where grouped columns are NULL, whatever WHERE said. */
    if (s->grouping_sets) {
        *reason = "grouping sets can make grouped columns NULL";
        return true;
    }
    if (is_narrowed(s, item, col))
        return false;
    if (it->outer_nullable) {
        *reason = it->outer_reason;
        return true;
    }
    if (it->out.cols[col].nullable) {
        *reason = it->out.cols[col].reason;
        return true;
    }
    return false;
}

bool resolve_column(nctx *x, scope *s, const PgQuery__ColumnRef *ref, bool *nullable,
                    const char **reason)
{
    (void)x;
    for (scope *level = s; level; level = level->parent) {
        size_t item, col, matches;
        if (!find_local(level, ref, &item, &col, &matches)) {
            /* A bare table alias names the whole row: NULL only on an outer join's side. */
            if (ref->n_fields == 1) {
                const char *nm = str_of(ref->fields[0]);
                for (size_t i = 0; nm && i < level->nitems; i++)
                    if (level->items[i].alias && strcmp(level->items[i].alias, nm) == 0) {
                        *nullable = level->items[i].outer_nullable;
                        *reason = level->items[i].outer_reason;
                        return true;
                    }
            }
            continue;
        }
        if (matches == 1) {
            *nullable = column_nullable(level, item, col, reason);
            return true;
        }
        /* JOIN ... USING / NATURAL merged column: NULL only if every side can be. */
        *nullable = true;
        const char *nm = str_of(ref->fields[ref->n_fields - 1]);
        for (size_t i = 0; i < level->nitems; i++)
            for (size_t c = 0; c < level->items[i].out.n; c++)
                if (level->items[i].out.cols[c].name &&
                    strcmp(level->items[i].out.cols[c].name, nm) == 0 &&
                    !column_nullable(level, i, c, reason))
                    *nullable = false;
        return true;
    }
    return false;
}

/* ---- narrowing by conjuncts ------------------------------------------------- */

static const PgQuery__ColumnRef *column_ref_of(const PgQuery__Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    return n && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ? n->column_ref : NULL;
}

typedef void (*narrow_fn)(nctx *x, scope *s, size_t item, size_t col);

static void narrow_ref(nctx *x, scope *s, const PgQuery__Node *n, narrow_fn fn)
{
    const PgQuery__ColumnRef *ref = column_ref_of(n);
    size_t item, col, matches;
    if (ref && find_local(s, ref, &item, &col, &matches) && matches == 1)
        fn(x, s, item, col);
}

static bool is_strict_comparison(const PgQuery__AExpr *e)
{
    static const char *const ops[] = {"=", "<", ">", "<=", ">=", "<>", "!="};
    const char *op = last_name((const PgQuery__Node *const *)e->name, e->n_name);
    if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_LIKE ||
        e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE ||
        e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN ||
        e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN)
        return true;
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op)
        return false;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i]) == 0)
            return true;
    return false;
}

/* Every column tested by a top-level conjunct of `qual` is non-null in passing rows. */
static void narrow_by(nctx *x, scope *s, const PgQuery__Node *qual, narrow_fn fn)
{
    if (!qual)
        return;
    if (qual->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        qual->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        for (size_t i = 0; i < qual->bool_expr->n_args; i++)
            narrow_by(x, s, qual->bool_expr->args[i], fn);
    } else if (qual->node_case == PG_QUERY__NODE__NODE_NULL_TEST &&
               qual->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL) {
        narrow_ref(x, s, qual->null_test->arg, fn);
    } else if (qual->node_case == PG_QUERY__NODE__NODE_A_EXPR &&
               is_strict_comparison(qual->a_expr)) {
        narrow_ref(x, s, qual->a_expr->lexpr, fn);
        if (qual->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP)
            narrow_ref(x, s, qual->a_expr->rexpr, fn);
    }
}

static void narrow_where(nctx *x, scope *s, size_t item, size_t col)
{
    if (s->nnarrow == s->narrow_alloc) {
        size_t na = s->narrow_alloc ? s->narrow_alloc * 2 : 8;
        narrowed *nn = arena_alloc(&x->mem, na * sizeof *nn);
        if (s->nnarrow)
            memcpy(nn, s->narrow, s->nnarrow * sizeof *nn);
        s->narrow = nn;
        s->narrow_alloc = na;
    }
    s->narrow[s->nnarrow++] = (narrowed){item, col};
}

/* INNER JOIN ... ON: the column is non-null in the join's rows (outer joins above still apply). */
static void narrow_base(nctx *x, scope *s, size_t item, size_t col)
{
    (void)x;
    s->items[item].out.cols[col].nullable = false;
    s->items[item].out.cols[col].reason = NULL;
}

/* ---- FROM clause ---------------------------------------------------------- */

static const cte_binding *find_cte(const nctx *x, const char *name)
{
    for (const cte_binding *b = x->ctes; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

static nrel all_nullable(nctx *x, size_t n, const char *reason)
{
    nrel r = nrel_new(x, n);
    for (size_t i = 0; i < n; i++) {
        r.cols[i].nullable = true;
        r.cols[i].reason = reason;
    }
    return r;
}

static bool infer_view(nctx *x, const cat_relation *rel, nrel *out)
{
    if (!rel->viewdef || x->depth >= MAX_DEPTH)
        return false;
    const pgtree *t = catalog_view_tree(x->cat, rel);
    bool ok = false;
    if (t && t->tree && t->tree->n_stmts == 1) {
        x->depth++;
        cte_binding *saved = x->ctes;
        x->ctes = NULL; /* a view does not see the query's CTEs */
        ok = infer_statement(x, NULL, t->tree->stmts[0]->stmt, out) && out->n == rel->ncols;
        x->ctes = saved;
        x->depth--;
    }
    /* Names come from the catalog (a view may rename its columns). */
    for (size_t i = 0; ok && i < out->n; i++) {
        out->cols[i].name = arena_strdup(&x->mem, x->cat->cols[rel->first_col + i].attname);
        if (out->cols[i].nullable)
            out->cols[i].reason = arena_fmt(&x->mem, "view %s: %s", rel->relname,
                                            out->cols[i].reason ? out->cols[i].reason : "nullable");
    }
    return ok;
}

static nrel relation_output(nctx *x, const cat_relation *rel)
{
    nrel r = nrel_new(x, rel->ncols);
    if ((rel->relkind == 'v' || rel->relkind == 'm') && infer_view(x, rel, &r))
        return r;
    for (size_t i = 0; i < rel->ncols; i++) {
        const cat_column *c = &x->cat->cols[rel->first_col + i];
        r.cols[i].name = c->attname;
        if (rel->relkind == 'r' || rel->relkind == 'p') {
            r.cols[i].nullable = !c->notnull;
            if (!c->notnull) {
                const cat_type *t = catalog_type(x->cat, c->type);
                bool domain_nn = t && t->typtype == 'd' && t->domain_notnull;
                r.cols[i].reason =
                    domain_nn ? arena_fmt(&x->mem,
                                          "column %s.%s has no NOT NULL constraint (its domain's "
                                          "NOT NULL does not stop NULLs from outer joins and "
                                          "subqueries)",
                                          rel->relname, c->attname)
                              : arena_fmt(&x->mem, "column %s.%s has no NOT NULL constraint",
                                          rel->relname, c->attname);
            }
        } else {
            r.cols[i].nullable = true;
            r.cols[i].reason =
                rel->relkind == 'f'
                    ? arena_fmt(&x->mem, "foreign table %s: NOT NULL is not enforced", rel->relname)
                    : arena_fmt(&x->mem, "column of %s (definition not analysed)", rel->relname);
        }
    }
    return r;
}

static bool add_from(nctx *x, scope *s, scope *outer, const PgQuery__Node *n);

static bool add_join(nctx *x, scope *s, scope *outer, const PgQuery__JoinExpr *j)
{
    size_t start = s->nitems;
    if (!add_from(x, s, outer, j->larg))
        return false;
    size_t mid = s->nitems;
    if (!add_from(x, s, outer, j->rarg))
        return false;
    size_t end = s->nitems;
    if (j->n_using_clause || j->is_natural)
        s->using_join = true;
    size_t lo = 0, hi = 0;
    const char *why = NULL;
    switch (j->jointype) {
    case PG_QUERY__JOIN_TYPE__JOIN_LEFT:
        lo = mid, hi = end, why = "right side of LEFT JOIN";
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_RIGHT:
        lo = start, hi = mid, why = "left side of RIGHT JOIN";
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_FULL:
        lo = start, hi = end, why = "side of FULL JOIN";
        break;
    default:
        /* INNER: the ON condition's tested columns are non-null in its rows. */
        if (j->jointype == PG_QUERY__JOIN_TYPE__JOIN_INNER)
            narrow_by(x, s, j->quals, narrow_base);
        break;
    }
    for (size_t i = lo; i < hi; i++)
        if (!s->items[i].outer_nullable) {
            s->items[i].outer_nullable = true;
            s->items[i].outer_reason = why;
        }
    if (j->alias) {
        /* JOIN ... AS name: its columns are reachable by that name too. */
        size_t total = 0;
        for (size_t i = start; i < end; i++)
            total += s->items[i].out.n;
        nrel r = nrel_new(x, total);
        size_t k = 0;
        for (size_t i = start; i < end; i++)
            for (size_t c = 0; c < s->items[i].out.n; c++, k++) {
                r.cols[k] = s->items[i].out.cols[c];
                const char *reason = NULL;
                r.cols[k].nullable = column_nullable(s, i, c, &reason);
                r.cols[k].reason = reason;
            }
        apply_alias(&r, j->alias);
        scope_add(x, s, j->alias->aliasname, r)->join_alias = true;
    }
    return true;
}

static bool add_function(nctx *x, scope *s, const PgQuery__RangeFunction *rf)
{
    const char *alias = rf->alias ? rf->alias->aliasname : NULL;
    size_t n = rf->alias && rf->alias->n_colnames ? rf->alias->n_colnames : 1;
    if (rf->n_coldeflist)
        n = rf->n_coldeflist;
    nrel r = all_nullable(x, n + (rf->ordinality ? 1 : 0), "set-returning function result");
    const char *fname = NULL;
    bool series = false;
    if (rf->n_functions && rf->functions[0]->node_case == PG_QUERY__NODE__NODE_LIST &&
        rf->functions[0]->list->n_items &&
        rf->functions[0]->list->items[0]->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
        const PgQuery__FuncCall *f = rf->functions[0]->list->items[0]->func_call;
        fname = last_name((const PgQuery__Node *const *)f->funcname, f->n_funcname);
        series = fname && strcmp(fname, "generate_series") == 0 && n == 1;
    }
    if (series) {
        r.cols[0].nullable = false;
        r.cols[0].reason = NULL;
    }
    r.cols[0].name = alias ? alias : fname;
    if (rf->ordinality) {
        r.cols[n].name = "ordinality";
        r.cols[n].nullable = false;
        r.cols[n].reason = NULL;
    }
    apply_alias(&r, rf->alias);
    scope_add(x, s, alias ? alias : fname, r);
    return true;
}

static bool add_from(nctx *x, scope *s, scope *outer, const PgQuery__Node *n)
{
    if (!n)
        return false;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR: {
        const PgQuery__RangeVar *rv = n->range_var;
        const char *alias = rv->alias ? rv->alias->aliasname : rv->relname;
        bool has_schema = rv->schemaname && *rv->schemaname;
        const cte_binding *cte = has_schema ? NULL : find_cte(x, rv->relname);
        nrel out;
        if (cte) {
            out = nrel_copy(x, cte->out);
        } else {
            const cat_relation *rel =
                catalog_find_relation(x->cat, has_schema ? rv->schemaname : NULL, rv->relname);
            if (!rel)
                return false;
            out = relation_output(x, rel);
        }
        apply_alias(&out, rv->alias);
        scope_add(x, s, alias, out);
        return true;
    }
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__RangeSubselect *rs = n->range_subselect;
        nrel out;
        if (!infer_statement(x, rs->lateral ? s : outer, rs->subquery, &out))
            return false;
        apply_alias(&out, rs->alias);
        scope_add(x, s, rs->alias ? rs->alias->aliasname : NULL, out);
        return true;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        return add_function(x, s, n->range_function);
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        return add_join(x, s, outer, n->join_expr);
    default:
        return false;
    }
}

/* ---- target lists ----------------------------------------------------------- */

/* The column name PostgreSQL gives a target (its FigureColname, main cases). */
static const char *expr_name(const PgQuery__Node *n)
{
    if (!n)
        return "?column?";
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const char *s = str_of(n->column_ref->fields[n->column_ref->n_fields - 1]);
        return s ? s : "?column?";
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const char *s = last_name((const PgQuery__Node *const *)n->func_call->funcname,
                                  n->func_call->n_funcname);
        return s ? s : "?column?";
    }
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        const char *inner = expr_name(n->type_cast->arg);
        if (strcmp(inner, "?column?") != 0)
            return inner;
        const PgQuery__TypeName *tn = n->type_cast->type_name;
        const char *s = tn ? last_name((const PgQuery__Node *const *)tn->names, tn->n_names) : NULL;
        return s ? s : "?column?";
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        return "case";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return "coalesce";
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        return "array";
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        return "row";
    case PG_QUERY__NODE__NODE_SUB_LINK:
        if (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK)
            return "exists";
        if (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK)
            return "array";
        return "?column?";
    default:
        return "?column?";
    }
}

/* Append `c` to `out` (grown in the arena). */
static void push_col(nctx *x, nrel *out, size_t *alloc, ncol c)
{
    if (out->n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 16;
        ncol *nc = arena_alloc(&x->mem, na * sizeof *nc);
        if (out->n)
            memcpy(nc, out->cols, out->n * sizeof *nc);
        out->cols = nc;
        *alloc = na;
    }
    out->cols[out->n++] = c;
}

/* Expand `*` or `alias.*` into columns; false when it cannot be done exactly. */
static bool expand_star(nctx *x, scope *s, const PgQuery__ColumnRef *ref, nrel *out, size_t *alloc)
{
    const char *qual = ref->n_fields >= 2 ? str_of(ref->fields[ref->n_fields - 2]) : NULL;
    if (!qual && s->using_join)
        return false; /* USING/NATURAL columns are merged: PostgreSQL's order differs */
    bool found = false;
    for (size_t i = 0; i < s->nitems; i++) {
        const range_item *it = &s->items[i];
        if (qual ? !(it->alias && strcmp(it->alias, qual) == 0) : it->join_alias)
            continue;
        found = true;
        for (size_t c = 0; c < it->out.n; c++) {
            ncol col = it->out.cols[c];
            const char *reason = NULL;
            col.nullable = column_nullable(s, i, c, &reason);
            col.reason = reason;
            push_col(x, out, alloc, col);
        }
        if (qual)
            break;
    }
    return found;
}

static bool infer_targets(nctx *x, scope *s, PgQuery__Node *const *targets, size_t n, nrel *out)
{
    size_t alloc = 0;
    out->cols = NULL;
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (targets[i]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            return false;
        const PgQuery__ResTarget *rt = targets[i]->res_target;
        const PgQuery__Node *v = rt->val;
        if (v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            v->column_ref->fields[v->column_ref->n_fields - 1]->node_case ==
                PG_QUERY__NODE__NODE_A_STAR) {
            if (!expand_star(x, s, v->column_ref, out, &alloc))
                return false;
            continue;
        }
        ncol c = {rt->name && *rt->name ? rt->name : expr_name(v), false, NULL};
        c.nullable = expr_nullable(x, s, v, &c.reason);
        push_col(x, out, &alloc, c);
    }
    return true;
}

/* ---- statements -------------------------------------------------------------- */

static bool has_grouping_sets(const PgQuery__SelectStmt *sel)
{
    for (size_t i = 0; i < sel->n_group_clause; i++)
        if (sel->group_clause[i]->node_case == PG_QUERY__NODE__NODE_GROUPING_SET)
            return true;
    return false;
}

/* Column-wise union of two branches: nullable when either is. */
static bool combine(nctx *x, nrel a, nrel b, const char *why, nrel *out)
{
    if (a.n != b.n)
        return false;
    *out = nrel_copy(x, a);
    for (size_t i = 0; i < a.n; i++)
        if (!a.cols[i].nullable && b.cols[i].nullable) {
            out->cols[i].nullable = true;
            out->cols[i].reason =
                arena_fmt(&x->mem, "%s: %s", why, b.cols[i].reason ? b.cols[i].reason : "nullable");
        }
    return true;
}

static bool infer_select(nctx *x, scope *outer, const PgQuery__SelectStmt *sel, nrel *out);

/* WITH name(a, b) AS (...): rename the CTE's columns. */
static void name_cte_columns(const PgQuery__CommonTableExpr *cte, nrel *out)
{
    for (size_t k = 0; k < cte->n_aliascolnames && k < out->n; k++) {
        const char *nm = str_of(cte->aliascolnames[k]);
        if (nm)
            out->cols[k].name = nm;
    }
}

static bool bind_ctes(nctx *x, scope *outer, const PgQuery__WithClause *w)
{
    for (size_t i = 0; w && i < w->n_ctes; i++) {
        if (w->ctes[i]->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            return false;
        const PgQuery__CommonTableExpr *cte = w->ctes[i]->common_table_expr;
        cte_binding *b = arena_alloc(&x->mem, sizeof *b);
        b->name = cte->ctename;
        const PgQuery__Node *q = cte->ctequery;
        bool recursive = w->recursive && q && q->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
                         q->select_stmt->op != PG_QUERY__SET_OPERATION__SETOP_NONE;
        if (recursive) {
            /* Start from the non-recursive term, then iterate to a fixpoint. */
            if (!infer_select(x, outer, q->select_stmt->larg, &b->out))
                return false;
            name_cte_columns(cte, &b->out);
            b->next = x->ctes;
            x->ctes = b;
            for (int round = 0; round < 4; round++) {
                nrel whole;
                if (!infer_statement(x, outer, q, &whole) || whole.n != b->out.n)
                    return false;
                bool changed = false;
                for (size_t k = 0; k < whole.n; k++)
                    changed = changed || (whole.cols[k].nullable != b->out.cols[k].nullable);
                b->out = whole;
                name_cte_columns(cte, &b->out);
                if (!changed)
                    break;
            }
        } else {
            if (!infer_statement(x, outer, q, &b->out))
                return false;
            b->next = x->ctes;
            x->ctes = b;
        }
        name_cte_columns(cte, &b->out);
    }
    return true;
}

static bool infer_select(nctx *x, scope *outer, const PgQuery__SelectStmt *sel, nrel *out)
{
    if (!sel)
        return false;
    cte_binding *saved = x->ctes;
    bool ok = bind_ctes(x, outer, sel->with_clause);
    if (ok && sel->op != PG_QUERY__SET_OPERATION__SETOP_NONE &&
        sel->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED) {
        nrel l, r;
        ok = infer_select(x, outer, sel->larg, &l) && infer_select(x, outer, sel->rarg, &r);
        if (ok && sel->op == PG_QUERY__SET_OPERATION__SETOP_EXCEPT)
            *out = l; /* EXCEPT returns rows of the left branch only */
        else if (ok)
            ok = combine(x, l, r,
                         sel->op == PG_QUERY__SET_OPERATION__SETOP_UNION ? "UNION branch"
                                                                         : "INTERSECT branch",
                         out);
    } else if (ok && sel->n_values_lists) {
        for (size_t row = 0; ok && row < sel->n_values_lists; row++) {
            const PgQuery__Node *vl = sel->values_lists[row];
            ok = vl->node_case == PG_QUERY__NODE__NODE_LIST;
            if (!ok)
                break;
            nrel r = nrel_new(x, vl->list->n_items);
            scope s = {.parent = outer};
            for (size_t k = 0; k < r.n; k++) {
                r.cols[k].name = arena_fmt(&x->mem, "column%zu", k + 1);
                r.cols[k].nullable = expr_nullable(x, &s, vl->list->items[k], &r.cols[k].reason);
            }
            if (row == 0)
                *out = r;
            else
                ok = combine(x, *out, r, "VALUES row", out);
        }
    } else if (ok) {
        scope s = {.parent = outer};
        for (size_t i = 0; ok && i < sel->n_from_clause; i++)
            ok = add_from(x, &s, outer, sel->from_clause[i]);
        s.grouping_sets = has_grouping_sets(sel);
        s.grouped = sel->n_group_clause > 0 && !s.grouping_sets;
        if (ok) {
            narrow_by(x, &s, sel->where_clause, narrow_where);
            ok = infer_targets(x, &s, sel->target_list, sel->n_target_list, out);
        }
    }
    x->ctes = saved;
    return ok;
}

/* INSERT/UPDATE/DELETE ... RETURNING: the target table's row after the change. */
/* The value assigned to a SET target: itself, or its part of SET (a, b) = (x, y). */
static const PgQuery__Node *assigned_value(const PgQuery__ResTarget *rt)
{
    const PgQuery__Node *v = rt->val;
    if (v && v->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF) {
        const PgQuery__MultiAssignRef *m = v->multi_assign_ref;
        const PgQuery__Node *src = m->source;
        if (src && src->node_case == PG_QUERY__NODE__NODE_ROW_EXPR && m->colno >= 1 &&
            (size_t)m->colno <= src->row_expr->n_args)
            return src->row_expr->args[m->colno - 1];
        return NULL;
    }
    return v;
}

/*
 * UPDATE ... RETURNING sees the new row: a SET column holds the assigned
 * value (NULL only if the column allows it), and the WHERE clause, which
 * tested the old value, says nothing about it.
 */
static void apply_set_clause(nctx *x, scope *s, PgQuery__Node *const *set, size_t nset)
{
    range_item *target = &s->items[0];
    for (size_t k = 0; k < nset; k++) {
        if (set[k]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        const PgQuery__ResTarget *rt = set[k]->res_target;
        for (size_t c = 0; rt->name && c < target->out.n; c++) {
            if (!target->out.cols[c].name || strcmp(target->out.cols[c].name, rt->name) != 0)
                continue;
            for (size_t i = 0; i < s->nnarrow; i++)
                if (s->narrow[i].item == 0 && s->narrow[i].col == c)
                    s->narrow[i] = s->narrow[--s->nnarrow], i--;
            if (!target->out.cols[c].nullable)
                continue; /* NOT NULL holds for the new row too */
            const PgQuery__Node *v = assigned_value(rt);
            const char *reason = "SET to a value not proven non-null";
            bool nullable = rt->n_indirection || !v || expr_nullable(x, s, v, &reason);
            target->out.cols[c].nullable = nullable;
            target->out.cols[c].reason =
                nullable ? arena_fmt(&x->mem, "SET %s = ...: %s", rt->name, reason) : NULL;
        }
    }
}

static bool infer_returning(nctx *x, scope *outer, const PgQuery__RangeVar *rv,
                            PgQuery__Node *const *from, size_t nfrom, const PgQuery__Node *where,
                            PgQuery__Node *const *set, size_t nset, PgQuery__Node *const *ret,
                            size_t nret, const PgQuery__WithClause *with, nrel *out)
{
    cte_binding *saved = x->ctes;
    bool ok = bind_ctes(x, outer, with);
    scope s = {.parent = outer};
    if (ok) {
        const cat_relation *rel = catalog_find_relation(
            x->cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL, rv->relname);
        ok = rel != NULL;
        if (ok)
            scope_add(x, &s, rv->alias ? rv->alias->aliasname : rv->relname,
                      relation_output(x, rel));
    }
    for (size_t i = 0; ok && i < nfrom; i++)
        ok = add_from(x, &s, outer, from[i]);
    if (ok) {
        narrow_by(x, &s, where, narrow_where);
        apply_set_clause(x, &s, set, nset);
        ok = infer_targets(x, &s, ret, nret, out);
    }
    x->ctes = saved;
    return ok;
}

bool infer_statement(nctx *x, scope *outer, const PgQuery__Node *stmt, nrel *out)
{
    if (!stmt)
        return false;
    switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        return infer_select(x, outer, stmt->select_stmt, out);
    case PG_QUERY__NODE__NODE_INSERT_STMT: {
        const PgQuery__InsertStmt *s = stmt->insert_stmt;
        return infer_returning(x, outer, s->relation, NULL, 0, NULL, NULL, 0, s->returning_list,
                               s->n_returning_list, s->with_clause, out);
    }
    case PG_QUERY__NODE__NODE_UPDATE_STMT: {
        const PgQuery__UpdateStmt *s = stmt->update_stmt;
        return infer_returning(x, outer, s->relation, s->from_clause, s->n_from_clause,
                               s->where_clause, s->target_list, s->n_target_list, s->returning_list,
                               s->n_returning_list, s->with_clause, out);
    }
    case PG_QUERY__NODE__NODE_DELETE_STMT: {
        const PgQuery__DeleteStmt *s = stmt->delete_stmt;
        return infer_returning(x, outer, s->relation, s->using_clause, s->n_using_clause,
                               s->where_clause, NULL, 0, s->returning_list, s->n_returning_list,
                               s->with_clause, out);
    }
    default:
        return false;
    }
}

/* ---- parameters ------------------------------------------------------------ */

/* The parameter number an expression is, looking through casts; 0 if none. */
static int param_of(const PgQuery__Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
        return n->param_ref->number;
    return 0;
}

/*
 * Record that parameter `number` is written to `col`. A parameter is
 * nullable when every column it is written to is nullable: one NOT NULL
 * target means a NULL could never succeed.
 */
static void mark_param(an_query *q, bool *feeds_notnull, int number, const cat_relation *rel,
                       const cat_column *col)
{
    if (!number || !col)
        return;
    for (size_t i = 0; i < q->nparams; i++) {
        an_param *p = &q->params[i];
        if (p->number != number)
            continue;
        if (col->notnull) {
            feeds_notnull[i] = true;
        } else if (!p->nullable) {
            p->nullable = true;
            p->nullable_reason =
                xstrfmt("written to nullable column %s.%s", rel->relname, col->attname);
        }
    }
}

static const cat_relation *relation_of(const catalog *cat, const PgQuery__RangeVar *rv)
{
    if (!rv || !rv->relname)
        return NULL;
    return catalog_find_relation(cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL,
                                 rv->relname);
}

/* The k-th column an INSERT writes (its column list, or the table's order). */
static const cat_column *insert_column(const catalog *cat, const cat_relation *rel,
                                       const PgQuery__InsertStmt *ins, size_t k)
{
    if (ins->n_cols) {
        if (k < ins->n_cols && ins->cols[k]->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
            return catalog_relation_column(cat, rel, ins->cols[k]->res_target->name);
        return NULL;
    }
    return k < rel->ncols ? &cat->cols[rel->first_col + k] : NULL;
}

static void set_clause_params(const catalog *cat, const cat_relation *rel,
                              PgQuery__Node *const *targets, size_t n, an_query *q,
                              bool *feeds_notnull)
{
    for (size_t k = 0; k < n; k++) {
        if (targets[k]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        const PgQuery__ResTarget *rt = targets[k]->res_target;
        if (rt->name && rt->n_indirection == 0)
            mark_param(q, feeds_notnull, param_of(assigned_value(rt)), rel,
                       catalog_relation_column(cat, rel, rt->name));
    }
}

static void infer_insert_params(const catalog *cat, const PgQuery__InsertStmt *ins, an_query *q,
                                bool *feeds_notnull)
{
    const cat_relation *rel = relation_of(cat, ins->relation);
    if (!rel)
        return;
    if (ins->select_stmt && ins->select_stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        const PgQuery__SelectStmt *sel = ins->select_stmt->select_stmt;
        for (size_t row = 0; row < sel->n_values_lists; row++) {
            const PgQuery__Node *vl = sel->values_lists[row];
            if (vl->node_case != PG_QUERY__NODE__NODE_LIST)
                continue;
            for (size_t k = 0; k < vl->list->n_items; k++)
                mark_param(q, feeds_notnull, param_of(vl->list->items[k]), rel,
                           insert_column(cat, rel, ins, k));
        }
        for (size_t k = 0; k < sel->n_target_list; k++) {
            const PgQuery__Node *t = sel->target_list[k];
            if (t->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
                mark_param(q, feeds_notnull, param_of(t->res_target->val), rel,
                           insert_column(cat, rel, ins, k));
        }
    }
    if (ins->on_conflict_clause)
        set_clause_params(cat, rel, ins->on_conflict_clause->target_list,
                          ins->on_conflict_clause->n_target_list, q, feeds_notnull);
}

/* The WITH clause of a statement, or NULL. */
static const PgQuery__WithClause *with_of(const PgQuery__Node *stmt)
{
    switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        return stmt->select_stmt->with_clause;
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        return stmt->insert_stmt->with_clause;
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        return stmt->update_stmt->with_clause;
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        return stmt->delete_stmt->with_clause;
    default:
        return NULL;
    }
}

/* Parameters written by `stmt` and by the data-modifying statements of its WITH clause. */
static void params_written(const catalog *cat, const PgQuery__Node *stmt, an_query *q,
                           bool *feeds_notnull, int depth)
{
    if (!stmt || depth > 8)
        return;
    if (stmt->node_case == PG_QUERY__NODE__NODE_INSERT_STMT) {
        infer_insert_params(cat, stmt->insert_stmt, q, feeds_notnull);
    } else if (stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT) {
        const cat_relation *rel = relation_of(cat, stmt->update_stmt->relation);
        if (rel)
            set_clause_params(cat, rel, stmt->update_stmt->target_list,
                              stmt->update_stmt->n_target_list, q, feeds_notnull);
    }
    const PgQuery__WithClause *w = with_of(stmt);
    for (size_t i = 0; w && i < w->n_ctes; i++)
        if (w->ctes[i]->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            params_written(cat, w->ctes[i]->common_table_expr->ctequery, q, feeds_notnull,
                           depth + 1);
}

static void infer_params(const catalog *cat, const PgQuery__Node *stmt, an_query *q)
{
    bool *feeds_notnull = xcalloc(q->nparams + 1, sizeof *feeds_notnull);
    params_written(cat, stmt, q, feeds_notnull, 0);
    for (size_t i = 0; i < q->nparams; i++)
        if (feeds_notnull[i] && q->params[i].nullable) {
            q->params[i].nullable = false;
            free(q->params[i].nullable_reason);
            q->params[i].nullable_reason = NULL;
        }
    free(feeds_notnull);
}

/* ---- entry point ------------------------------------------------------------ */

static void set_column(an_column *c, bool nullable, const char *reason)
{
    free(c->nullable_reason);
    c->nullable = nullable;
    c->nullable_reason = nullable ? xstrdup(reason ? reason : "not proven non-null") : NULL;
}

static void set_param(an_param *p, bool nullable, const char *reason)
{
    free(p->nullable_reason);
    p->nullable = nullable;
    p->nullable_reason = reason ? xstrdup(reason) : NULL;
}

/*
 * `:name?` / `:name!` win over what the statement says about a parameter.
 * Applied before any expression is inferred: whatever reads the parameter
 * (a cast, COALESCE, a function, a RETURNING of what it was written to)
 * sees the nullability the generated code will really allow.
 */
static void apply_param_overrides(an_query *q, const null_override *ov)
{
    for (size_t i = 0; ov && i < q->nparams; i++) {
        if (ov[i] == NULL_FORCE_NULLABLE)
            set_param(&q->params[i], true, "overridden: :name?");
        else if (ov[i] == NULL_FORCE_NOT_NULL)
            set_param(&q->params[i], false, NULL);
    }
}

/* `AS "col?"` / `AS "col!"`: the last word on a result column. */
static void apply_column_overrides(an_query *q, const null_override *ov)
{
    for (size_t i = 0; ov && i < q->ncols; i++) {
        if (ov[i] == NULL_FORCE_NULLABLE && !q->cols[i].nullable)
            set_column(&q->cols[i], true, "overridden: AS \"...?\"");
        else if (ov[i] == NULL_FORCE_NOT_NULL)
            set_column(&q->cols[i], false, NULL);
    }
}

char *nullability_strip_override(const char *alias, null_override *ov)
{
    size_t n = strlen(alias);
    *ov = NULL_INFER;
    /* "?column?" is PostgreSQL's name for an unnamed expression, not an override. */
    if (n > 1 && alias[0] != '?' && (alias[n - 1] == '?' || alias[n - 1] == '!')) {
        *ov = alias[n - 1] == '?' ? NULL_FORCE_NULLABLE : NULL_FORCE_NOT_NULL;
        return xstrndup(alias, n - 1);
    }
    return xstrdup(alias);
}

void nullability_infer(const catalog *cat, an_query *q, const null_overrides *ov)
{
    pgtree t = pgtree_parse(q->sql);
    nullability_infer_tree(cat, q, &t, ov);
    pgtree_free(&t);
}

void nullability_infer_tree(const catalog *cat, an_query *q, const pgtree *t,
                            const null_overrides *ov)
{
    for (size_t i = 0; i < q->nparams; i++)
        set_param(&q->params[i], false, NULL);
    const PgQuery__Node *stmt = t->tree && t->tree->n_stmts == 1 ? t->tree->stmts[0]->stmt : NULL;
    if (stmt)
        infer_params(cat, stmt, q);
    apply_param_overrides(q, ov ? ov->params : NULL);

    nctx x;
    memset(&x, 0, sizeof x);
    x.cat = cat;
    bool *pn = xcalloc(q->nparams + 1, sizeof *pn);
    for (size_t i = 0; i < q->nparams; i++)
        if (q->params[i].number >= 1 && (size_t)q->params[i].number <= q->nparams)
            pn[q->params[i].number - 1] = q->params[i].nullable;
    x.param_nullable = pn;
    x.nparams = q->nparams;

    nrel out = {NULL, 0};
    bool ok = stmt && infer_statement(&x, NULL, stmt, &out) && out.n == q->ncols;
    for (size_t i = 0; i < q->ncols; i++) {
        if (ok)
            set_column(&q->cols[i], out.cols[i].nullable, out.cols[i].reason);
        else
            set_column(&q->cols[i], true,
                       stmt ? "statement form not analysed: assumed nullable"
                            : "statement could not be parsed");
    }
    apply_column_overrides(q, ov ? ov->cols : NULL);
    free(pn);
    arena_free(&x.mem);
}
