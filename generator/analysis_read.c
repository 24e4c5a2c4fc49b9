/*
 * analysis_read.c — rebuilding an analysis from the lock form of it (see
 * analysis_json.h), strictly.
 *
 * The lock file is an input that anyone with write access to the
 * repository can change, and what it holds ends up in generated C. So it is
 * read like a hostile message: every member has a known key and type
 * (unknown keys are errors), strings are bounded and free of control
 * characters where the server would not send them, names that become C
 * identifiers follow the same rules querysrc.c applies to query files,
 * counts stay within PostgreSQL's limits, and every type reference
 * resolves to a type the emitter can map (built-in, or recorded in
 * `types` with a known kind and a well-formed base). A problem stops the
 * reading at the first bad value and names its JSON path.
 */
#include "analysis_json.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's limits: identifiers (NAMEDATALEN - 1), bind parameters, result columns. */
enum {
    MAX_PG_NAME = 63,
    MAX_TYPE_NAME = 4 * MAX_PG_NAME + 16, /* format_type(): schema, name, quotes, "[]" */
    MAX_C_NAME = 1024,                    /* query and parameter names */
    MAX_PATH_LEN = 4096,
    MAX_REASON = 65536,
    MAX_PARAMS = 65535,
    MAX_COLUMNS = 1664,
    MAX_ATTRS = 1600,
    MAX_LABELS = 65536,
    MAX_DOMAIN_DEPTH = 32,
};

typedef struct reader {
    const char *origin;
    diag_list *dl;
    bool ok;
    strbuf path; /* JSON path of the value being read */
    analysis *a;
    const type_map *maps;
    size_t nmaps;
} reader;

/* Report the first problem, at the current JSON path (plus `key` when not NULL). */
static void bad(reader *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(reader *r, const char *key, const char *fmt, ...)
{
    if (!r->ok)
        return;
    r->ok = false;
    strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    /* Values quoted from the lock are shown, never interpreted by the terminal. */
    for (size_t i = 0; i < msg.len; i++)
        if ((unsigned char)msg.buf[i] < 0x20 || msg.buf[i] == 0x7f)
            msg.buf[i] = '?';
    diag *d = diag_plain(r->dl, DIAG_ERROR, r->origin, "malformed lock file: %s%s%s: %s",
                         r->path.buf, key ? "." : "", key ? key : "", msg.buf);
    diag_set_hint(d, "pgqc.lock is written by `pgqc generate`; do not edit it by hand, "
                     "regenerate it (and review how it was changed)");
    strbuf_release(&msg);
}

/* Descend into member `key` / element `i`; returns the path length to restore. */
static size_t enter_key(reader *r, const char *key)
{
    size_t mark = r->path.len;
    strbuf_addf(&r->path, ".%s", key);
    return mark;
}

static size_t enter_index(reader *r, size_t i)
{
    size_t mark = r->path.len;
    strbuf_addf(&r->path, "[%zu]", i);
    return mark;
}

static void leave(reader *r, size_t mark)
{
    strbuf_setlen(&r->path, mark);
}

/* `o` must be an object whose keys are all in `allowed` (NULL-terminated). */
static bool object_with_keys(reader *r, const json_t *o, const char *const *allowed)
{
    if (!json_is_object(o)) {
        bad(r, NULL, "expected an object");
        return false;
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        bool known = false;
        for (const char *const *k = allowed; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known) {
            bad(r, NULL, "unknown member \"%.64s\"", key);
            return false;
        }
    }
    return true;
}

static const json_t *member(reader *r, const json_t *o, const char *key, json_type type,
                            bool required)
{
    const json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            bad(r, key, "missing");
        return NULL;
    }
    bool good = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
    if (!good) {
        static const char *const names[] = {"an object", "an array",  "a string",  "an integer",
                                            "a number",  "a boolean", "a boolean", "null"};
        bad(r, key, "expected %s", names[type]);
        return NULL;
    }
    return v;
}

/* What a string member may contain. */
typedef enum text_rule {
    TEXT_LINE,  /* one line: no control characters */
    TEXT_MULTI, /* newlines and tabs allowed (SQL, doc comments, reasons) */
    TEXT_QUERY, /* a query name: [A-Za-z_][A-Za-z0-9_]* */
    TEXT_PARAM, /* a parameter name: the same, '$' and non-ASCII allowed after the start */
} text_rule;

static const char *text_problem(const char *s, size_t len, size_t max, text_rule rule)
{
    if (len == 0)
        return "is empty";
    if (len > max)
        return "is too long";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        switch (rule) {
        case TEXT_MULTI:
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                return "contains a control character";
            break;
        case TEXT_LINE:
            if (c < 0x20 || c == 0x7f)
                return "contains a control character";
            break;
        case TEXT_QUERY:
            if (!(alpha || (i > 0 && digit)))
                return "is not a valid query name (letters, digits and '_', not starting with a "
                       "digit)";
            break;
        case TEXT_PARAM:
            if (!(alpha || (i > 0 && (digit || c == '$' || c >= 0x80))))
                return "is not a valid parameter name";
            break;
        }
    }
    return NULL;
}

/* A copy of string member `key`, or NULL (after bad() when required or malformed). */
static char *text(reader *r, const json_t *o, const char *key, bool required, size_t max,
                  text_rule rule)
{
    const json_t *v = member(r, o, key, JSON_STRING, required);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    const char *why =
        strlen(s) != len ? "contains a NUL character" : text_problem(s, len, max, rule);
    if (why) {
        bad(r, key, "%s", why);
        return NULL;
    }
    return xstrdup(s);
}

static long long integer(reader *r, const json_t *o, const char *key, long long lo, long long hi)
{
    const json_t *v = member(r, o, key, JSON_INTEGER, true);
    if (!v)
        return lo;
    long long n = json_integer_value(v);
    if (n < lo || n > hi) {
        bad(r, key, "%lld is out of range (%lld to %lld)", n, lo, hi);
        return lo;
    }
    return n;
}

static bool boolean(reader *r, const json_t *o, const char *key, bool required)
{
    const json_t *v = member(r, o, key, JSON_TRUE, required);
    return v && json_is_true(v);
}

/* Array member `key` of at most `max` elements (NULL after bad()). */
static const json_t *array(reader *r, const json_t *o, const char *key, size_t max)
{
    const json_t *v = member(r, o, key, JSON_ARRAY, true);
    if (v && json_array_size(v) > max) {
        bad(r, key, "has %zu elements, more than the %zu allowed", json_array_size(v), max);
        return NULL;
    }
    return v;
}

/* ---- type references ---------------------------------------------------------- */

/* The recorded type named schema.typname, or NULL. */
static an_type *type_named(const analysis *a, const char *schema, const char *typname)
{
    for (size_t i = 0; i < a->ntypes; i++)
        if (a->types[i].schema && a->types[i].typname && strcmp(a->types[i].schema, schema) == 0 &&
            strcmp(a->types[i].typname, typname) == 0)
            return &a->types[i];
    return NULL;
}

/*
 * Read the reference "<prefix>_oid" (a built-in OID) or "<prefix>_ref"
 * ({"schema", "typname"} of a recorded type) of `o` into *oid. Neither is
 * allowed only when `optional` (then *oid is AN_UNRECORDED_OID). A
 * built-in OID must be in the type table or recorded unless `any_builtin`.
 */
static void type_ref(reader *r, const json_t *o, const char *prefix, bool optional,
                     bool any_builtin, pg_oid *oid)
{
    char okey[32], rkey[32];
    snprintf(okey, sizeof okey, "%s_oid", prefix);
    snprintf(rkey, sizeof rkey, "%s_ref", prefix);
    const json_t *byoid = json_object_get(o, okey), *byref = json_object_get(o, rkey);
    *oid = AN_UNRECORDED_OID;
    if (byoid && byref) {
        bad(r, NULL, "has both \"%s\" and \"%s\"", okey, rkey);
    } else if (byoid) {
        *oid = (pg_oid)integer(r, o, okey, 0, AN_FIRST_USER_OID - 1);
        if (r->ok && !any_builtin && !typemap_lookup(*oid) && !analysis_type(r->a, *oid))
            bad(r, okey, "type %u is neither a built-in type pgqc maps nor in \"types\"", *oid);
    } else if (byref) {
        size_t mark = enter_key(r, rkey);
        static const char *const keys[] = {"schema", "typname", NULL};
        if (object_with_keys(r, byref, keys)) {
            char *schema = text(r, byref, "schema", true, MAX_PG_NAME, TEXT_LINE);
            char *typname = text(r, byref, "typname", true, MAX_PG_NAME, TEXT_LINE);
            const an_type *t = r->ok ? type_named(r->a, schema, typname) : NULL;
            if (t)
                *oid = t->oid;
            else if (r->ok)
                bad(r, NULL, "type %s.%s is not in \"types\"", schema, typname);
            free(schema);
            free(typname);
        }
        leave(r, mark);
    } else if (!optional) {
        bad(r, okey, "missing (or \"%s\")", rkey);
    }
}

/* Follow domains; NULL when `oid` is not recorded (a built-in, or unknown). */
static const an_type *strip_domains(const analysis *a, pg_oid *oid)
{
    const an_type *t = analysis_type(a, *oid);
    for (int i = 0; t && t->kind == 'd' && i < MAX_DOMAIN_DEPTH; i++) {
        *oid = t->base;
        t = analysis_type(a, *oid);
    }
    return t;
}

/* The format_type() name `name` must be the one of the type it references. */
static void check_type_name(reader *r, pg_oid oid, const char *name)
{
    const type_info *ti = typemap_lookup(oid);
    const an_type *t = analysis_type(r->a, oid);
    const char *want = ti ? ti->pg_name : t ? t->name : NULL;
    if (r->ok && want && strcmp(want, name) != 0)
        bad(r, "type", "\"%.300s\" is not the name of the type it references (\"%s\")", name, want);
}

/* ---- types ---------------------------------------------------------------------- */

static char kind_of(const char *s)
{
    static const struct {
        const char *name;
        char kind;
    } kinds[] = {
        {"enum", 'e'}, {"domain", 'd'}, {"array", 'A'}, {"mapped", 'u'}, {"composite", 'c'}};
    for (size_t i = 0; s && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, s) == 0)
            return kinds[i].kind;
    return 0;
}

/* First pass over one type: its identity and its own data; references come later. */
static void read_type(reader *r, const json_t *o, an_type *t, pg_oid *next_user)
{
    static const char *const keys[] = {"oid",      "kind",     "name",   "schema",     "typname",
                                       "base_oid", "base_ref", "labels", "attributes", NULL};
    if (!object_with_keys(r, o, keys))
        return;
    char *kind = text(r, o, "kind", true, 16, TEXT_LINE);
    t->kind = kind_of(kind);
    if (kind && !t->kind)
        bad(r, "kind", "unknown kind \"%s\" (enum, domain, array, composite or mapped)", kind);
    free(kind);
    t->name = text(r, o, "name", true, MAX_TYPE_NAME, TEXT_LINE);
    t->schema = text(r, o, "schema", true, MAX_PG_NAME, TEXT_LINE);
    t->typname = text(r, o, "typname", true, MAX_PG_NAME, TEXT_LINE);
    if (json_object_get(o, "oid")) {
        /* Only built-in types are recorded with their (fixed) OID. */
        t->oid = (pg_oid)integer(r, o, "oid", 1, AN_FIRST_USER_OID - 1);
        if (r->ok && typemap_lookup(t->oid))
            bad(r, "oid", "type %u is in pgqc's type table and is never recorded", t->oid);
        if (r->ok && *next_user != AN_FIRST_USER_OID)
            bad(r, "oid", "built-in types come before user types");
    } else {
        t->oid = (*next_user)++;
    }
    if (r->ok && t->kind == 'e') {
        const json_t *l = array(r, o, "labels", MAX_LABELS);
        t->nlabels = l ? json_array_size(l) : 0;
        t->labels = xcalloc(t->nlabels + 1, sizeof(char *));
        size_t mark = enter_key(r, "labels");
        for (size_t i = 0; r->ok && i < t->nlabels; i++) {
            const json_t *s = json_array_get(l, i);
            /* PostgreSQL accepts any label of at most 63 bytes, even an empty one. */
            if (!json_is_string(s) || json_string_length(s) > MAX_PG_NAME ||
                strlen(json_string_value(s)) != json_string_length(s)) {
                bad(r, NULL, "element %zu is not a label (a string of at most %d bytes)", i,
                    MAX_PG_NAME);
                break;
            }
            t->labels[i] = xstrdup(json_string_value(s));
            for (size_t k = 0; k < i; k++)
                if (strcmp(t->labels[k], t->labels[i]) == 0)
                    bad(r, NULL, "label \"%s\" appears twice", t->labels[i]);
        }
        leave(r, mark);
    } else if (r->ok && t->kind == 'c') {
        const json_t *l = array(r, o, "attributes", MAX_ATTRS);
        t->nattrs = l ? json_array_size(l) : 0;
        t->attr_names = xcalloc(t->nattrs + 1, sizeof(char *));
        t->attr_types = xcalloc(t->nattrs + 1, sizeof(pg_oid));
        size_t mark = enter_key(r, "attributes");
        for (size_t i = 0; r->ok && i < t->nattrs; i++) {
            size_t m2 = enter_index(r, i);
            static const char *const akeys[] = {"name", "type_oid", "type_ref", NULL};
            if (object_with_keys(r, json_array_get(l, i), akeys))
                t->attr_names[i] =
                    text(r, json_array_get(l, i), "name", true, MAX_PG_NAME, TEXT_LINE);
            leave(r, m2);
        }
        leave(r, mark);
    }
    if (r->ok && t->kind != 'e' && json_object_get(o, "labels"))
        bad(r, "labels", "only an enum has labels");
    if (r->ok && t->kind != 'c' && json_object_get(o, "attributes"))
        bad(r, "attributes", "only a composite has attributes");
    if (r->ok && t->kind != 'd' && t->kind != 'A' &&
        (json_object_get(o, "base_oid") || json_object_get(o, "base_ref")))
        bad(r, "base_oid", "only a domain or an array has a base type");
}

/* Second pass: the references of type `t` (every type is known now). */
static void read_type_refs(reader *r, const json_t *o, an_type *t)
{
    if (t->kind == 'd' || t->kind == 'A')
        type_ref(r, o, "base", false, false, &t->base);
    if (t->kind == 'c') {
        const json_t *l = json_object_get(o, "attributes");
        size_t mark = enter_key(r, "attributes");
        for (size_t i = 0; r->ok && i < t->nattrs; i++) {
            size_t m2 = enter_index(r, i);
            type_ref(r, json_array_get(l, i), "type", false, false, &t->attr_types[i]);
            leave(r, m2);
        }
        leave(r, mark);
    }
}

/* Third pass: what type `t` is made of is something the emitter can map. */
static void check_type(reader *r, const an_type *t)
{
    if (t->kind == 'd') {
        pg_oid base = t->oid;
        const an_type *end = strip_domains(r->a, &base);
        if (end && end->kind == 'd')
            bad(r, "base_oid", "domain %s: its chain of base types does not end", t->name);
    } else if (t->kind == 'A') {
        /* What the emitter can hold in an array: a built-in of the type table, or an enum. */
        pg_oid elem = t->base;
        const an_type *e = strip_domains(r->a, &elem);
        if (e ? e->kind != 'e' : !typemap_lookup(elem))
            bad(r, "base_oid",
                "array %s: its elements must be a built-in type pgqc maps or an enum", t->name);
    } else if (t->kind == 'u') {
        char *qualified = xstrfmt("%s.%s", t->schema, t->typname);
        if (!type_map_find(r->maps, r->nmaps, t->name, qualified))
            bad(r, "kind", "type %s is \"mapped\" but options.map_type has no mapping for it",
                t->name);
        free(qualified);
    }
}

/* Does composite `t` contain `want` (through domains and arrays), `depth` levels down? */
static bool contains(const analysis *a, const an_type *t, const an_type *want, int depth)
{
    if (depth > MAX_DOMAIN_DEPTH)
        return true; /* deeper than anything real: treat as a cycle */
    for (size_t i = 0; i < t->nattrs; i++) {
        pg_oid at = t->attr_types[i];
        const an_type *u = strip_domains(a, &at);
        if (u && u->kind == 'A') {
            at = u->base;
            u = strip_domains(a, &at);
        }
        if (u == want || (u && u->kind == 'c' && contains(a, u, want, depth + 1)))
            return true;
    }
    return false;
}

static void read_types(reader *r, const json_t *ts)
{
    analysis *a = r->a;
    size_t n = json_array_size(ts);
    a->types = xcalloc(n + 1, sizeof *a->types);
    a->types_alloc = n + 1;
    pg_oid next_user = AN_FIRST_USER_OID;
    size_t mark = enter_key(r, "types");
    for (size_t i = 0; r->ok && i < n; i++) {
        size_t m2 = enter_index(r, i);
        a->ntypes = i + 1;
        an_type *t = &a->types[i];
        read_type(r, json_array_get(ts, i), t, &next_user);
        if (r->ok && i > 0 && pg_oid_is_stable(t->oid) && a->types[i - 1].oid >= t->oid)
            bad(r, "oid", "built-in types must be in ascending OID order");
        for (size_t k = 0; r->ok && k < i; k++)
            if (strcmp(a->types[k].schema, t->schema) == 0 &&
                strcmp(a->types[k].typname, t->typname) == 0)
                bad(r, NULL, "type %s.%s appears twice", t->schema, t->typname);
        leave(r, m2);
    }
    for (size_t i = 0; r->ok && i < n; i++) {
        size_t m2 = enter_index(r, i);
        read_type_refs(r, json_array_get(ts, i), &a->types[i]);
        leave(r, m2);
    }
    for (size_t i = 0; r->ok && i < n; i++) {
        size_t m2 = enter_index(r, i);
        check_type(r, &a->types[i]);
        if (r->ok && a->types[i].kind == 'c' && contains(a, &a->types[i], &a->types[i], 0))
            bad(r, NULL, "composite %s contains itself", a->types[i].name);
        leave(r, m2);
    }
    leave(r, mark);
}

/* ---- queries ------------------------------------------------------------------- */

/* A parameter's type must be one the generated code can send (analyze.c's rule). */
static void check_param_type(reader *r, pg_oid oid)
{
    const an_type *t = strip_domains(r->a, &oid);
    if (t && t->kind == 'c') {
        bad(r, "type_ref", "a composite parameter must have \"text_fallback\": true");
    } else if (t && t->kind == 'A') {
        pg_oid elem = t->base;
        strip_domains(r->a, &elem);
        const type_info *ti = typemap_lookup(elem);
        if (ti && ti->param_format != 1)
            bad(r, "type_oid",
                "an array parameter of %s elements must have \"text_fallback\": true", ti->pg_name);
    }
}

static void read_param(reader *r, const json_t *o, an_param *p, size_t index)
{
    static const char *const keys[] = {
        "name",     "number",          "type",          "type_oid", "type_ref",
        "nullable", "nullable_reason", "text_fallback", NULL};
    if (!object_with_keys(r, o, keys))
        return;
    p->name = text(r, o, "name", true, MAX_C_NAME, TEXT_PARAM);
    p->number = (int)integer(r, o, "number", 1, MAX_PARAMS);
    if (r->ok && p->number != (int)index + 1)
        bad(r, "number", "parameter %zu is numbered $%d", index + 1, p->number);
    p->type_name = text(r, o, "type", true, MAX_TYPE_NAME, TEXT_LINE);
    p->nullable = boolean(r, o, "nullable", true);
    p->nullable_reason = text(r, o, "nullable_reason", false, MAX_REASON, TEXT_MULTI);
    p->text_fallback = boolean(r, o, "text_fallback", false);
    if (!r->ok)
        return;
    type_ref(r, o, "type", p->text_fallback, p->text_fallback, &p->type_oid);
    check_type_name(r, p->type_oid, p->type_name);
    if (r->ok && !p->text_fallback)
        check_param_type(r, p->type_oid);
}

static void read_column(reader *r, const json_t *o, an_column *c)
{
    static const char *const keys[] = {
        "name",          "type",   "type_oid", "type_ref", "nullable", "nullable_reason",
        "text_fallback", "source", "origin",   NULL};
    if (!object_with_keys(r, o, keys))
        return;
    c->name = text(r, o, "name", true, MAX_PG_NAME, TEXT_LINE);
    c->type_name = text(r, o, "type", true, MAX_TYPE_NAME, TEXT_LINE);
    c->nullable = boolean(r, o, "nullable", true);
    c->nullable_reason = text(r, o, "nullable_reason", false, MAX_REASON, TEXT_MULTI);
    c->text_fallback = boolean(r, o, "text_fallback", false);
    c->source = text(r, o, "source", false, 3 * MAX_PG_NAME + 2, TEXT_LINE);
    const json_t *t = member(r, o, "origin", JSON_OBJECT, false);
    if (t && r->ok) {
        size_t mark = enter_key(r, "origin");
        static const char *const okeys[] = {"schema", "table", "column", "type", "not_null", NULL};
        if (object_with_keys(r, t, okeys)) {
            c->src_schema = text(r, t, "schema", true, MAX_PG_NAME, TEXT_LINE);
            c->src_table = text(r, t, "table", true, MAX_PG_NAME, TEXT_LINE);
            c->src_column = text(r, t, "column", true, MAX_PG_NAME, TEXT_LINE);
            c->src_type = text(r, t, "type", true, 2 * MAX_PG_NAME + 1, TEXT_LINE);
            c->src_notnull = boolean(r, t, "not_null", true);
        }
        leave(r, mark);
    }
    if (!r->ok)
        return;
    type_ref(r, o, "type", c->text_fallback, c->text_fallback, &c->type_oid);
    check_type_name(r, c->type_oid, c->type_name);
}

static void read_query(reader *r, const json_t *o, an_query *q)
{
    static const char *const keys[] = {"name", "file",     "line",   "command", "doc",
                                       "sql",  "wire_sql", "params", "columns", NULL};
    if (!object_with_keys(r, o, keys))
        return;
    q->name = text(r, o, "name", true, MAX_C_NAME, TEXT_QUERY);
    q->file = text(r, o, "file", true, MAX_PATH_LEN, TEXT_LINE);
    q->line = (int)integer(r, o, "line", 1, 0x7fffffff);
    char *cmd = text(r, o, "command", true, 16, TEXT_LINE);
    if (cmd && !query_cmd_parse(cmd, &q->cmd))
        bad(r, "command", "unknown command \"%s\"", cmd);
    free(cmd);
    const json_t *doc = json_object_get(o, "doc");
    q->doc = doc ? text(r, o, "doc", true, (size_t)1 << 20, TEXT_MULTI) : xstrdup("");
    if (!q->doc)
        q->doc = xstrdup("");
    q->sql = text(r, o, "sql", true, (size_t)1 << 30, TEXT_MULTI);
    q->wire_sql = text(r, o, "wire_sql", false, (size_t)1 << 30, TEXT_MULTI);
    const json_t *ps = r->ok ? array(r, o, "params", MAX_PARAMS) : NULL;
    const json_t *cs = r->ok ? array(r, o, "columns", MAX_COLUMNS) : NULL;
    if (!r->ok)
        return;
    q->params = xcalloc(json_array_size(ps) + 1, sizeof *q->params);
    size_t mark = enter_key(r, "params");
    for (size_t i = 0; r->ok && i < json_array_size(ps); i++) {
        size_t m2 = enter_index(r, i);
        q->nparams = i + 1;
        read_param(r, json_array_get(ps, i), &q->params[i], i);
        for (size_t k = 0; r->ok && k < i; k++)
            if (strcmp(q->params[k].name, q->params[i].name) == 0)
                bad(r, "name", "parameter \"%s\" appears twice", q->params[i].name);
        leave(r, m2);
    }
    leave(r, mark);
    q->cols = xcalloc(json_array_size(cs) + 1, sizeof *q->cols);
    mark = enter_key(r, "columns");
    for (size_t i = 0; r->ok && i < json_array_size(cs); i++) {
        size_t m2 = enter_index(r, i);
        q->ncols = i + 1;
        read_column(r, json_array_get(cs, i), &q->cols[i]);
        leave(r, m2);
    }
    leave(r, mark);
}

static void read_queries(reader *r, const json_t *qs)
{
    analysis *a = r->a;
    size_t n = json_array_size(qs);
    a->queries = xcalloc(n + 1, sizeof *a->queries);
    a->alloc = n + 1;
    size_t mark = enter_key(r, "queries");
    for (size_t i = 0; r->ok && i < n; i++) {
        size_t m2 = enter_index(r, i);
        a->nqueries = i + 1;
        read_query(r, json_array_get(qs, i), &a->queries[i]);
        for (size_t k = 0; r->ok && k < i; k++)
            if (strcmp(a->queries[k].name, a->queries[i].name) == 0)
                bad(r, "name", "query \"%s\" appears twice", a->queries[i].name);
        leave(r, m2);
    }
    leave(r, mark);
}

analysis *analysis_from_json(const json_t *j, const char *origin, const char *json_path,
                             const type_map *maps, size_t nmaps, diag_list *dl)
{
    reader r = {origin, dl, true, STRBUF_INIT, NULL, maps, nmaps};
    strbuf_addstr(&r.path, json_path);
    r.a = xcalloc(1, sizeof *r.a);
    static const char *const keys[] = {"queries", "types", NULL};
    if (object_with_keys(&r, j, keys)) {
        const json_t *qs = array(&r, j, "queries", (size_t)1 << 24);
        const json_t *ts = r.ok ? array(&r, j, "types", (size_t)1 << 24) : NULL;
        if (r.ok)
            read_types(&r, ts);
        if (r.ok)
            read_queries(&r, qs);
    }
    strbuf_release(&r.path);
    if (!r.ok) {
        analysis_free(r.a);
        return NULL;
    }
    return r.a;
}
