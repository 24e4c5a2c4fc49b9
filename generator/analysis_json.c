/*
 * analysis_json.c — converting the analysis to JSON (see analysis_json.h).
 */
#include "analysis_json.h"

static json_t *param_json(const an_param *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "number", json_integer(p->number));
    json_object_set_new(o, "type", json_string(p->type_name));
    json_object_set_new(o, "type_oid", json_integer(p->type_oid));
    json_object_set_new(o, "nullable", json_boolean(p->nullable));
    if (p->nullable_reason)
        json_object_set_new(o, "nullable_reason", json_string(p->nullable_reason));
    return o;
}

static json_t *column_json(const an_column *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "type", json_string(c->type_name));
    json_object_set_new(o, "type_oid", json_integer(c->type_oid));
    json_object_set_new(o, "nullable", json_boolean(c->nullable));
    if (c->nullable_reason)
        json_object_set_new(o, "nullable_reason", json_string(c->nullable_reason));
    if (c->source)
        json_object_set_new(o, "source", json_string(c->source));
    return o;
}

json_t *analysis_to_json(const analysis *a)
{
    json_t *qs = json_array();
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(q->name));
        json_object_set_new(o, "file", json_string(q->file));
        json_object_set_new(o, "line", json_integer(q->line));
        json_object_set_new(o, "command", json_string(query_cmd_name(q->cmd)));
        if (*q->doc)
            json_object_set_new(o, "doc", json_string(q->doc));
        json_object_set_new(o, "sql", json_string(q->sql));
        json_t *ps = json_array();
        for (size_t k = 0; k < q->nparams; k++)
            json_array_append_new(ps, param_json(&q->params[k]));
        json_object_set_new(o, "params", ps);
        json_t *cs = json_array();
        for (size_t k = 0; k < q->ncols; k++)
            json_array_append_new(cs, column_json(&q->cols[k]));
        json_object_set_new(o, "columns", cs);
        json_array_append_new(qs, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "queries", qs);
    return root;
}
