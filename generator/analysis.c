/*
 * analysis.c — the analysis data structure: lookups, canonical OIDs and
 * freeing (see analysis.h).
 */
#include "analysis.h"
#include "strbuf.h"

#include <assert.h>

#include <stdlib.h>
#include <string.h>

void an_query_clear(an_query *q)
{
    free(q->name);
    free(q->file);
    free(q->doc);
    free(q->sql);
    free(q->wire_sql);
    for (size_t j = 0; j < q->nparams; j++) {
        free(q->params[j].name);
        free(q->params[j].type_name);
        free(q->params[j].nullable_reason);
    }
    free(q->params);
    for (size_t j = 0; j < q->ncols; j++) {
        free(q->cols[j].name);
        free(q->cols[j].type_name);
        free(q->cols[j].nullable_reason);
        free(q->cols[j].source);
        free(q->cols[j].src_schema);
        free(q->cols[j].src_table);
        free(q->cols[j].src_column);
        free(q->cols[j].src_type);
    }
    free(q->cols);
    memset(q, 0, sizeof *q);
}

const an_type *analysis_type(const analysis *a, pg_oid oid)
{
    for (size_t i = 0; i < a->ntypes; i++)
        if (a->types[i].oid == oid)
            return &a->types[i];
    return NULL;
}

/* The canonical OID of `oid` in `a` (see analysis.h); `a->types` still has the old ones. */
static pg_oid canonical_oid(const analysis *a, pg_oid oid)
{
    if (pg_oid_is_stable(oid))
        return oid;
    pg_oid next = AN_FIRST_USER_OID;
    for (size_t i = 0; i < a->ntypes; i++) {
        if (pg_oid_is_stable(a->types[i].oid))
            continue;
        if (a->types[i].oid == oid)
            return next;
        next++;
    }
    return AN_UNRECORDED_OID;
}

void analysis_canonical_oids(analysis *a)
{
    size_t n = a->ntypes;
    pg_oid *to = xcalloc(n + 1, sizeof *to);
    for (size_t i = 0; i < n; i++) {
        assert(i == 0 || a->types[i - 1].oid < a->types[i].oid);
        to[i] = canonical_oid(a, a->types[i].oid);
    }
    /* References first (they are looked up by the old OIDs), then the types. */
    for (size_t i = 0; i < a->nqueries; i++) {
        an_query *q = &a->queries[i];
        for (size_t k = 0; k < q->nparams; k++)
            q->params[k].type_oid = canonical_oid(a, q->params[k].type_oid);
        for (size_t k = 0; k < q->ncols; k++)
            q->cols[k].type_oid = canonical_oid(a, q->cols[k].type_oid);
    }
    for (size_t i = 0; i < n; i++) {
        an_type *t = &a->types[i];
        if (t->kind == 'd' || t->kind == 'A')
            t->base = canonical_oid(a, t->base);
        for (size_t k = 0; k < t->nattrs; k++)
            t->attr_types[k] = canonical_oid(a, t->attr_types[k]);
    }
    for (size_t i = 0; i < n; i++)
        a->types[i].oid = to[i];
    free(to);
}

void analysis_free(analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->ntypes; i++) {
        an_type *t = &a->types[i];
        free(t->name);
        free(t->schema);
        free(t->typname);
        for (size_t k = 0; k < t->nlabels; k++)
            free(t->labels[k]);
        free(t->labels);
        for (size_t k = 0; k < t->nattrs; k++)
            free(t->attr_names[k]);
        free(t->attr_names);
        free(t->attr_types);
    }
    free(a->types);
    for (size_t i = 0; i < a->nqueries; i++)
        an_query_clear(&a->queries[i]);
    free(a->queries);
    free(a);
}
