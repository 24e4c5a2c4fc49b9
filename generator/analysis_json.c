/*
 * analysis_json.c — writing the analysis as JSON, in its two forms (see
 * analysis_json.h). Reading the lock form back is analysis_read.c's job.
 */
#include "analysis_json.h"
#include "jsonout.h"
#include "strbuf.h"

#include <stdio.h>
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

/*
 * A reference to type `oid` under `prefix`: "<prefix>_oid" with the OID
 * (describe form, and built-in types in the lock form); in the lock form,
 * "<prefix>_ref": {"schema", "typname"} for a recorded user type, and
 * nothing for an unrecorded one (a value that travels as text).
 */
static void write_type_ref(jsonout *w, const analysis *a, analysis_form form, const char *prefix,
                           pg_oid oid)
{
    char key[32];
    if (form == ANALYSIS_DESCRIBE || pg_oid_is_stable(oid)) {
        snprintf(key, sizeof key, "%s_oid", prefix);
        kv_int(w, key, oid);
        return;
    }
    const an_type *t = analysis_type(a, oid);
    if (!t)
        return;
    snprintf(key, sizeof key, "%s_ref", prefix);
    jsonout_key(w, key);
    jsonout_object(w);
    kv_str(w, "schema", t->schema);
    kv_str(w, "typname", t->typname);
    jsonout_end(w);
}

static void write_param(jsonout *w, const analysis *a, analysis_form form, const an_param *p)
{
    jsonout_object(w);
    kv_str(w, "name", p->name);
    kv_int(w, "number", p->number);
    kv_str(w, "type", p->type_name);
    write_type_ref(w, a, form, "type", p->type_oid);
    kv_bool(w, "nullable", p->nullable);
    if (p->nullable_reason)
        kv_str(w, "nullable_reason", p->nullable_reason);
    if (p->text_fallback)
        kv_bool(w, "text_fallback", true);
    jsonout_end(w);
}

static void write_column(jsonout *w, const analysis *a, analysis_form form, const an_column *c)
{
    jsonout_object(w);
    kv_str(w, "name", c->name);
    kv_str(w, "type", c->type_name);
    write_type_ref(w, a, form, "type", c->type_oid);
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

static void write_type(jsonout *w, const analysis *a, analysis_form form, const an_type *t)
{
    jsonout_object(w);
    if (form == ANALYSIS_DESCRIBE || pg_oid_is_stable(t->oid))
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
        write_type_ref(w, a, form, "base", t->base);
    if (t->kind == 'c') {
        jsonout_key(w, "attributes");
        jsonout_array(w);
        for (size_t i = 0; i < t->nattrs; i++) {
            jsonout_object(w);
            kv_str(w, "name", t->attr_names[i]);
            write_type_ref(w, a, form, "type", t->attr_types[i]);
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

static void write_query(jsonout *w, const analysis *a, analysis_form form, const an_query *q)
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
        write_param(w, a, form, &q->params[k]);
    jsonout_end(w);
    jsonout_key(w, "columns");
    jsonout_array(w);
    for (size_t k = 0; k < q->ncols; k++)
        write_column(w, a, form, &q->cols[k]);
    jsonout_end(w);
    jsonout_end(w);
}

void analysis_write(jsonout *w, const analysis *a, analysis_form form)
{
    jsonout_object(w);
    jsonout_key(w, "queries");
    jsonout_array(w);
    for (size_t i = 0; i < a->nqueries; i++)
        write_query(w, a, form, &a->queries[i]);
    jsonout_end(w);
    jsonout_key(w, "types");
    jsonout_array(w);
    for (size_t i = 0; i < a->ntypes; i++)
        write_type(w, a, form, &a->types[i]);
    jsonout_end(w);
    jsonout_end(w);
}

json_t *analysis_to_json(const analysis *a, analysis_form form)
{
    jsonout w;
    jsonout_tree(&w);
    analysis_write(&w, a, form);
    return jsonout_tree_take(&w);
}

void analysis_write_json(strbuf *out, const analysis *a)
{
    jsonout w;
    jsonout_text(&w, out);
    analysis_write(&w, a, ANALYSIS_DESCRIBE);
    jsonout_release(&w);
}
