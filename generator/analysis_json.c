/*
 * analysis_json.c — converting the analysis to JSON and back (see
 * analysis_json.h). Reading is strict: a missing or mistyped field is an
 * error naming the query, never a silently defaulted value, since the
 * result feeds the code generator.
 */
#include "analysis_json.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

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
    if (p->text_fallback)
        json_object_set_new(o, "text_fallback", json_true());
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
    if (c->text_fallback)
        json_object_set_new(o, "text_fallback", json_true());
    if (c->source)
        json_object_set_new(o, "source", json_string(c->source));
    if (c->src_table) {
        json_t *t = json_object();
        json_object_set_new(t, "schema", json_string(c->src_schema));
        json_object_set_new(t, "table", json_string(c->src_table));
        json_object_set_new(t, "column", json_string(c->src_column));
        json_object_set_new(t, "type", json_string(c->src_type));
        json_object_set_new(t, "not_null", json_boolean(c->src_notnull));
        json_object_set_new(o, "origin", t);
    }
    return o;
}

static json_t *type_json(const an_type *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "oid", json_integer(t->oid));
    json_object_set_new(o, "kind",
                        json_string(t->kind == 'e'   ? "enum"
                                    : t->kind == 'd' ? "domain"
                                    : t->kind == 'u' ? "mapped"
                                    : t->kind == 'c' ? "composite"
                                                     : "array"));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "schema", json_string(t->schema));
    json_object_set_new(o, "typname", json_string(t->typname));
    if (t->kind == 'd' || t->kind == 'A')
        json_object_set_new(o, "base_oid", json_integer(t->base));
    if (t->kind == 'c') {
        json_t *l = json_array();
        for (size_t i = 0; i < t->nattrs; i++) {
            json_t *at = json_object();
            json_object_set_new(at, "name", json_string(t->attr_names[i]));
            json_object_set_new(at, "type_oid", json_integer(t->attr_types[i]));
            json_array_append_new(l, at);
        }
        json_object_set_new(o, "attributes", l);
    }
    if (t->kind == 'e') {
        json_t *l = json_array();
        for (size_t i = 0; i < t->nlabels; i++)
            json_array_append_new(l, json_string(t->labels[i]));
        json_object_set_new(o, "labels", l);
    }
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
        if (q->wire_sql)
            json_object_set_new(o, "wire_sql", json_string(q->wire_sql));
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
    json_t *ts = json_array();
    for (size_t i = 0; i < a->ntypes; i++)
        json_array_append_new(ts, type_json(&a->types[i]));
    json_object_set_new(root, "types", ts);
    return root;
}

/* ---- reading ----------------------------------------------------------------- */

typedef struct reader {
    const char *origin;
    diag_list *dl;
    bool ok;
    const char *where; /* query name, for messages */
} reader;

static const json_t *field(reader *r, const json_t *o, const char *key, json_type type,
                           bool required)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v) {
        if (required && r->ok) {
            diag_plain(r->dl, DIAG_ERROR, r->origin, "malformed analysis: %s%s\"%s\" is missing",
                       r->where ? r->where : "", r->where ? ": " : "", key);
            r->ok = false;
        }
        return NULL;
    }
    bool good = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
    if (!good) {
        if (r->ok)
            diag_plain(r->dl, DIAG_ERROR, r->origin,
                       "malformed analysis: %s%s\"%s\" has the wrong type",
                       r->where ? r->where : "", r->where ? ": " : "", key);
        r->ok = false;
        return NULL;
    }
    return v;
}

static char *str_field(reader *r, const json_t *o, const char *key, bool required)
{
    const json_t *v = field(r, o, key, JSON_STRING, required);
    return v ? xstrdup(json_string_value(v)) : NULL;
}

static long long int_field(reader *r, const json_t *o, const char *key)
{
    const json_t *v = field(r, o, key, JSON_INTEGER, true);
    return v ? json_integer_value(v) : 0;
}

static bool bool_field(reader *r, const json_t *o, const char *key)
{
    const json_t *v = field(r, o, key, JSON_TRUE, true);
    return v ? json_is_true(v) : false;
}

static void read_param(reader *r, const json_t *o, an_param *p)
{
    p->name = str_field(r, o, "name", true);
    p->number = (int)int_field(r, o, "number");
    p->type_name = str_field(r, o, "type", true);
    p->type_oid = (pg_oid)int_field(r, o, "type_oid");
    p->nullable = bool_field(r, o, "nullable");
    p->nullable_reason = str_field(r, o, "nullable_reason", false);
    const json_t *tf = field(r, o, "text_fallback", JSON_TRUE, false);
    p->text_fallback = tf && json_is_true(tf);
}

static void read_column(reader *r, const json_t *o, an_column *c)
{
    c->name = str_field(r, o, "name", true);
    c->type_name = str_field(r, o, "type", true);
    c->type_oid = (pg_oid)int_field(r, o, "type_oid");
    c->nullable = bool_field(r, o, "nullable");
    c->nullable_reason = str_field(r, o, "nullable_reason", false);
    c->source = str_field(r, o, "source", false);
    const json_t *tf = field(r, o, "text_fallback", JSON_TRUE, false);
    c->text_fallback = tf && json_is_true(tf);
    const json_t *t = field(r, o, "origin", JSON_OBJECT, false);
    if (t) {
        c->src_schema = str_field(r, t, "schema", true);
        c->src_table = str_field(r, t, "table", true);
        c->src_column = str_field(r, t, "column", true);
        c->src_type = str_field(r, t, "type", true);
        c->src_notnull = bool_field(r, t, "not_null");
    }
}

static void read_query(reader *r, const json_t *o, an_query *q)
{
    q->name = str_field(r, o, "name", true);
    r->where = q->name;
    q->file = str_field(r, o, "file", true);
    q->line = (int)int_field(r, o, "line");
    char *cmd = str_field(r, o, "command", true);
    if (cmd && !query_cmd_parse(cmd, &q->cmd) && r->ok) {
        diag_plain(r->dl, DIAG_ERROR, r->origin, "malformed analysis: %s: unknown command \"%s\"",
                   q->name ? q->name : "?", cmd);
        r->ok = false;
    }
    free(cmd);
    q->doc = str_field(r, o, "doc", false);
    if (!q->doc)
        q->doc = xstrdup("");
    q->sql = str_field(r, o, "sql", true);
    q->wire_sql = str_field(r, o, "wire_sql", false);
    const json_t *ps = field(r, o, "params", JSON_ARRAY, true);
    const json_t *cs = field(r, o, "columns", JSON_ARRAY, true);
    q->nparams = ps ? json_array_size(ps) : 0;
    q->params = xcalloc(q->nparams + 1, sizeof *q->params);
    for (size_t i = 0; i < q->nparams; i++)
        read_param(r, json_array_get(ps, i), &q->params[i]);
    q->ncols = cs ? json_array_size(cs) : 0;
    q->cols = xcalloc(q->ncols + 1, sizeof *q->cols);
    for (size_t i = 0; i < q->ncols; i++)
        read_column(r, json_array_get(cs, i), &q->cols[i]);
    r->where = NULL;
}

static void read_type(reader *r, const json_t *o, an_type *t)
{
    t->oid = (pg_oid)int_field(r, o, "oid");
    char *kind = str_field(r, o, "kind", true);
    t->kind = !kind                            ? 0
              : strcmp(kind, "enum") == 0      ? 'e'
              : strcmp(kind, "domain") == 0    ? 'd'
              : strcmp(kind, "array") == 0     ? 'A'
              : strcmp(kind, "mapped") == 0    ? 'u'
              : strcmp(kind, "composite") == 0 ? 'c'
                                               : 0;
    if (!t->kind && r->ok) {
        diag_plain(r->dl, DIAG_ERROR, r->origin, "malformed analysis: unknown type kind");
        r->ok = false;
    }
    free(kind);
    t->name = str_field(r, o, "name", true);
    t->schema = str_field(r, o, "schema", true);
    t->typname = str_field(r, o, "typname", true);
    if (t->kind == 'e') {
        const json_t *l = field(r, o, "labels", JSON_ARRAY, true);
        t->nlabels = l ? json_array_size(l) : 0;
        t->labels = xcalloc(t->nlabels + 1, sizeof(char *));
        for (size_t i = 0; i < t->nlabels; i++) {
            const json_t *s = json_array_get(l, i);
            t->labels[i] = xstrdup(json_is_string(s) ? json_string_value(s) : "");
        }
    } else if (t->kind == 'c') {
        const json_t *l = field(r, o, "attributes", JSON_ARRAY, true);
        t->nattrs = l ? json_array_size(l) : 0;
        t->attr_names = xcalloc(t->nattrs + 1, sizeof(char *));
        t->attr_types = xcalloc(t->nattrs + 1, sizeof(pg_oid));
        for (size_t i = 0; i < t->nattrs; i++) {
            t->attr_names[i] = str_field(r, json_array_get(l, i), "name", true);
            t->attr_types[i] = (pg_oid)int_field(r, json_array_get(l, i), "type_oid");
        }
    } else if (t->kind != 'u') {
        t->base = (pg_oid)int_field(r, o, "base_oid");
    }
}

analysis *analysis_from_json(const json_t *j, const char *origin, diag_list *dl)
{
    reader r = {origin, dl, true, NULL};
    const json_t *qs = field(&r, j, "queries", JSON_ARRAY, true);
    const json_t *ts = field(&r, j, "types", JSON_ARRAY, true);
    analysis *a = xcalloc(1, sizeof *a);
    if (!r.ok)
        return analysis_free(a), NULL;
    a->nqueries = a->alloc = json_array_size(qs);
    a->queries = xcalloc(a->nqueries + 1, sizeof *a->queries);
    for (size_t i = 0; i < a->nqueries; i++)
        read_query(&r, json_array_get(qs, i), &a->queries[i]);
    a->ntypes = a->types_alloc = json_array_size(ts);
    a->types = xcalloc(a->ntypes + 1, sizeof *a->types);
    for (size_t i = 0; i < a->ntypes; i++)
        read_type(&r, json_array_get(ts, i), &a->types[i]);
    if (!r.ok) {
        analysis_free(a);
        return NULL;
    }
    return a;
}
