/*
 * analysis.c — freeing the analysis data structure (see analysis.h).
 */
#include "analysis.h"

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
