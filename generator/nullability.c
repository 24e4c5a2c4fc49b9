/*
 * nullability.c — nullability inference (see nullability.h).
 *
 * Result columns: a column is non-null when describe traced it to a table
 * column declared NOT NULL (PQftable/PQftablecol + attnotnull) and nothing
 * in the statement can introduce a NULL for it: no outer join and no
 * grouping sets anywhere in the statement. Everything else is nullable,
 * with the reason recorded. (Expressions are not yet inferred: they are
 * reported nullable, which is sound.)
 *
 * Parameters: non-null unless they are the value written to a column
 * without NOT NULL by INSERT ... VALUES or UPDATE ... SET.
 */
#include "nullability.h"
#include "pgtree.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

typedef struct hazards {
    bool outer_join;
    bool grouping_sets;
} hazards;

static bool find_hazards(const ProtobufCMessage *m, void *ctx)
{
    hazards *h = ctx;
    if (PGTREE_IS(m, join_expr)) {
        const PgQuery__JoinExpr *j = (const PgQuery__JoinExpr *)m;
        if (j->jointype != PG_QUERY__JOIN_TYPE__JOIN_INNER)
            h->outer_join = true;
    } else if (PGTREE_IS(m, grouping_set)) {
        h->grouping_sets = true;
    }
    return true;
}

/* The parameter number an expression is, looking through casts; 0 if none. */
static int param_of(const PgQuery__Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
        return n->param_ref->number;
    return 0;
}

static void mark_param(an_query *q, int number, const cat_relation *rel, const cat_column *col)
{
    if (!col || col->notnull)
        return;
    for (size_t i = 0; i < q->nparams; i++) {
        an_param *p = &q->params[i];
        if (p->number == number && !p->nullable) {
            p->nullable = true;
            p->nullable_reason = xstrfmt("written to nullable column %s.%s", rel->relname,
                                         col->attname);
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

static void infer_insert_params(const catalog *cat, const PgQuery__InsertStmt *ins, an_query *q)
{
    const cat_relation *rel = relation_of(cat, ins->relation);
    if (!rel || !ins->select_stmt || ins->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return;
    const PgQuery__SelectStmt *sel = ins->select_stmt->select_stmt;
    for (size_t row = 0; row < sel->n_values_lists; row++) {
        const PgQuery__Node *vl = sel->values_lists[row];
        if (!vl || vl->node_case != PG_QUERY__NODE__NODE_LIST)
            continue;
        const PgQuery__List *items = vl->list;
        for (size_t k = 0; k < items->n_items; k++) {
            int number = param_of(items->items[k]);
            if (!number)
                continue;
            const cat_column *col = NULL;
            if (ins->n_cols) {
                if (k < ins->n_cols && ins->cols[k]->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
                    col = catalog_relation_column(cat, rel, ins->cols[k]->res_target->name);
            } else if (k < rel->ncols) {
                col = &cat->cols[rel->first_col + k];
            }
            mark_param(q, number, rel, col);
        }
    }
}

static void infer_update_params(const catalog *cat, const PgQuery__UpdateStmt *upd, an_query *q)
{
    const cat_relation *rel = relation_of(cat, upd->relation);
    if (!rel)
        return;
    for (size_t k = 0; k < upd->n_target_list; k++) {
        const PgQuery__Node *n = upd->target_list[k];
        if (n->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        const PgQuery__ResTarget *rt = n->res_target;
        int number = param_of(rt->val);
        if (number && rt->name && rt->n_indirection == 0)
            mark_param(q, number, rel, catalog_relation_column(cat, rel, rt->name));
    }
}

void nullability_infer(const catalog *cat, an_query *q)
{
    hazards h = {false, false};
    pgtree t = pgtree_parse(q->sql);
    const PgQuery__Node *stmt = NULL;
    if (t.tree && t.tree->n_stmts == 1) {
        stmt = t.tree->stmts[0]->stmt;
        pgtree_walk(&t.tree->base, find_hazards, &h);
    }

    for (size_t i = 0; i < q->ncols; i++) {
        an_column *c = &q->cols[i];
        const cat_column *col =
            c->table_oid ? catalog_column(cat, c->table_oid, c->table_attnum) : NULL;
        const cat_relation *rel = c->table_oid ? catalog_relation(cat, c->table_oid) : NULL;
        free(c->nullable_reason);
        c->nullable_reason = NULL;
        c->nullable = true;
        if (!stmt)
            c->nullable_reason = xstrdup("statement could not be analysed");
        else if (!col || !rel)
            c->nullable_reason = xstrdup("computed expression: not proven non-null");
        else if (!col->notnull)
            c->nullable_reason = xstrfmt("column %s.%s has no NOT NULL constraint",
                                         rel->relname, col->attname);
        else if (h.outer_join)
            c->nullable_reason = xstrdup("statement has an outer join");
        else if (h.grouping_sets)
            c->nullable_reason = xstrdup("statement uses grouping sets");
        else
            c->nullable = false;
    }

    for (size_t i = 0; i < q->nparams; i++) {
        q->params[i].nullable = false;
        free(q->params[i].nullable_reason);
        q->params[i].nullable_reason = NULL;
    }
    if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
        infer_insert_params(cat, stmt->insert_stmt, q);
    else if (stmt && stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
        infer_update_params(cat, stmt->update_stmt, q);
    pgtree_free(&t);
}
