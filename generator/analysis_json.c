/*
 * analysis_json.c — converting the analysis to JSON and back (see
 * analysis_json.h). Reading is strict: a missing or mistyped field is an
 * error naming the query, never a silently defaulted value, since the
 * result feeds the code generator.
 */
#include "analysis_json.h"
#include "jsonout.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Key and string value, the most common member. */
static void kv_str(jsonout *w, const char *key, const char *v)
{
    jsonout_key(w, key);
    jsonout_str(w, v);
}

static void kv_int(jsonout *w, const char *key, long long v)
{
    jsonout_key(w, key);
    jsonout_int(w, v);
}

static void kv_bool(jsonout *w, const char *key, bool v)
{
    jsonout_key(w, key);
    jsonout_bool(w, v);
}

static void write_param(jsonout *w, const an_param *p)
{
    jsonout_object(w);
    kv_str(w, "name", p->name);
    kv_int(w, "number", p->number);
    kv_str(w, "type", p->type_name);
    kv_int(w, "type_oid", p->type_oid);
    kv_bool(w, "nullable", p->nullable);
    if (p->nullable_reason)
        kv_str(w, "nullable_reason", p->nullable_reason);
    if (p->text_fallback)
        kv_bool(w, "text_fallback", true);
    jsonout_end(w);
}

static void write_column(jsonout *w, const an_column *c)
{
    jsonout_object(w);
    kv_str(w, "name", c->name);
    kv_str(w, "type", c->type_name);
    kv_int(w, "type_oid", c->type_oid);
    kv_bool(w, "nullable", c->nullable);
    if (c->nullable_reason)
        kv_str(w, "nullable_reason", c->nullable_reason);
    if (c->text_fallback)
        kv_bool(w, "text_fallback", true);
    if (c->source)
        kv_str(w, "source", c->source);
    if (c->src_table) {
        jsonout_key(w, "origin");
        jsonout_object(w);
        kv_str(w, "schema", c->src_schema);
        kv_str(w, "table", c->src_table);
        kv_str(w, "column", c->src_column);
        kv_str(w, "type", c->src_type);
        kv_bool(w, "not_null", c->src_notnull);
        jsonout_end(w);
    }
    jsonout_end(w);
}

static void write_type(jsonout *w, const an_type *t)
{
    jsonout_object(w);
    kv_int(w, "oid", t->oid);
    kv_str(w, "kind",
           t->kind == 'e'   ? "enum"
           : t->kind == 'd' ? "domain"
           : t->kind == 'u' ? "mapped"
           : t->kind == 'c' ? "composite"
                            : "array");
    kv_str(w, "name", t->name);
    kv_str(w, "schema", t->schema);
    kv_str(w, "typname", t->typname);
    if (t->kind == 'd' || t->kind == 'A')
        kv_int(w, "base_oid", t->base);
    if (t->kind == 'c') {
        jsonout_key(w, "attributes");
        jsonout_array(w);
        for (size_t i = 0; i < t->nattrs; i++) {
            jsonout_object(w);
            kv_str(w, "name", t->attr_names[i]);
            kv_int(w, "type_oid", t->attr_types[i]);
            jsonout_end(w);
        }
        jsonout_end(w);
    }
    if (t->kind == 'e') {
        jsonout_key(w, "labels");
        jsonout_array(w);
        for (size_t i = 0; i < t->nlabels; i++)
            jsonout_str(w, t->labels[i]);
        jsonout_end(w);
    }
    jsonout_end(w);
}

static void write_query(jsonout *w, const an_query *q)
{
    jsonout_object(w);
    kv_str(w, "name", q->name);
    kv_str(w, "file", q->file);
    kv_int(w, "line", q->line);
    kv_str(w, "command", query_cmd_name(q->cmd));
    if (*q->doc)
        kv_str(w, "doc", q->doc);
    kv_str(w, "sql", q->sql);
    if (q->wire_sql)
        kv_str(w, "wire_sql", q->wire_sql);
    jsonout_key(w, "params");
    jsonout_array(w);
    for (size_t k = 0; k < q->nparams; k++)
        write_param(w, &q->params[k]);
    jsonout_end(w);
    jsonout_key(w, "columns");
    jsonout_array(w);
    for (size_t k = 0; k < q->ncols; k++)
        write_column(w, &q->cols[k]);
    jsonout_end(w);
    jsonout_end(w);
}

void analysis_write(jsonout *w, const analysis *a)
{
    jsonout_object(w);
    jsonout_key(w, "queries");
    jsonout_array(w);
    for (size_t i = 0; i < a->nqueries; i++)
        write_query(w, &a->queries[i]);
    jsonout_end(w);
    jsonout_key(w, "types");
    jsonout_array(w);
    for (size_t i = 0; i < a->ntypes; i++)
        write_type(w, &a->types[i]);
    jsonout_end(w);
    jsonout_end(w);
}

json_t *analysis_to_json(const analysis *a)
{
    jsonout w;
    jsonout_tree(&w);
    analysis_write(&w, a);
    return jsonout_tree_take(&w);
}

void analysis_write_json(strbuf *out, const analysis *a)
{
    jsonout w;
    jsonout_text(&w, out);
    analysis_write(&w, a);
    jsonout_release(&w);
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
