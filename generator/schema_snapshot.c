/*
 * schema_snapshot.c — reading a schema out of the catalogs and comparing
 * two of them (see schema_snapshot.h). One query lists every object with
 * its identity, a one-line rendering and its properties as a JSON array of
 * [name, value] pairs (jansson reads it); comparing is a merge of the two
 * key-sorted lists.
 */
#include "schema_snapshot.h"
#include "strbuf.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The function body: SQL-standard bodies (PostgreSQL 14+) have no prosrc. */
static const char body_14[] = "CASE WHEN p.prosqlbody IS NOT NULL THEN "
                              "pg_get_function_sqlbody(p.oid) ELSE p.prosrc END";
static const char body_old[] = "p.prosrc";

/*
 * The snapshot query, in parts (ISO C limits a string literal's length);
 * NULL stands for the function body expression, which depends on the
 * server's version.
 */
static const char *const snapshot_parts[] = {
    /* the objects pgqc looks at: non-system schemas, no extension members */
    "WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname NOT IN "
    "  ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' "
    "  AND nspname NOT LIKE 'pg\\_temp%'), "
    "ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'), "
    "rel AS (SELECT c.*, n.nspname, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN "
    "  'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE "
    "  'table' END AS kind FROM pg_class c JOIN ns n ON n.oid = c.relnamespace "
    "  WHERE c.relname NOT IN ('pgqc_migrations', 'pgqc_migrations_pkey', "
    "  'pgqc_migration_repairs') AND NOT "
    "  EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)), "
    "typ AS (SELECT t.*, n.nspname FROM pg_type t JOIN ns n ON n.oid = t.typnamespace WHERE NOT "
    "  EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)) "
    "SELECT kind, nsp, parent, name, line, props::text FROM (",
    /* schemas */
    " SELECT 'schema' AS kind, nspname AS nsp, '' AS parent, nspname AS name, "
    "  'schema ' || nspname AS line, '[]'::jsonb AS props FROM ns WHERE nspname <> 'public'",
    /* tables, views, sequences */
    " UNION ALL SELECT kind, nspname, '', relname, format('%s %I.%I', kind, nspname, relname), "
    "  CASE WHEN relkind IN ('v','m') THEN jsonb_build_array(jsonb_build_array('definition', "
    "  pg_get_viewdef(oid))) WHEN relkind = 'S' THEN (SELECT jsonb_build_array("
    "  jsonb_build_array('definition', format('%s start %s increment %s minvalue %s maxvalue "
    "  %s%s', format_type(seqtypid, NULL), seqstart, seqincrement, seqmin, seqmax, CASE WHEN "
    "  seqcycle THEN ' cycle' ELSE '' END))) FROM pg_sequence WHERE seqrelid = rel.oid) "
    "  WHEN relkind = 'p' THEN jsonb_build_array(jsonb_build_array('partitioning', "
    "  pg_get_partkeydef(oid))) ELSE '[]'::jsonb END || CASE WHEN relispartition THEN "
    "  jsonb_build_array(jsonb_build_array('partition', pg_get_expr(relpartbound, oid))) ELSE "
    "  '[]'::jsonb END FROM rel WHERE relkind IN ('r','p','v','m','S','f')",
    /* columns of tables, views and composite types */
    " UNION ALL SELECT 'column', c.nspname, c.relname, a.attname, "
    "  format('column %I.%I.%I %s%s%s', c.nspname, c.relname, a.attname, "
    "  format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' "
    "  END, COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')), jsonb_build_array("
    "  jsonb_build_array('type', format_type(a.atttypid, a.atttypmod)), "
    "  jsonb_build_array('nullability', CASE WHEN a.attnotnull THEN 'not null' ELSE 'nullable' "
    "  END), jsonb_build_array('default', CASE WHEN a.attgenerated = '' THEN "
    "  pg_get_expr(d.adbin, d.adrelid) END), jsonb_build_array('generated', CASE WHEN "
    "  a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END), "
    "  jsonb_build_array('identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN "
    "  'by default' END), jsonb_build_array('collation', CASE WHEN a.attcollation <> (SELECT "
    "  typcollation FROM pg_type WHERE oid = a.atttypid) THEN (SELECT quote_ident(collname) "
    "  FROM pg_collation WHERE oid = a.attcollation) END)) "
    "  FROM pg_attribute a JOIN rel c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON "
    "  d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 AND NOT "
    "  a.attisdropped AND c.relkind IN ('r','p','v','m','f','c')",
    /* table constraints (NOT NULL is the column's nullability) */
    " UNION ALL SELECT 'constraint', c.nspname, c.relname, co.conname, format('constraint "
    "  %I.%I %I: %s', c.nspname, c.relname, co.conname, pg_get_constraintdef(co.oid)), "
    "  jsonb_build_array(jsonb_build_array('definition', pg_get_constraintdef(co.oid))) "
    "  FROM pg_constraint co JOIN rel c ON c.oid = co.conrelid WHERE co.contype <> 'n'",
    /* domain constraints */
    " UNION ALL SELECT 'domain constraint', t.nspname, t.typname, co.conname, "
    "  format('domain constraint %I.%I %I: %s', t.nspname, t.typname, co.conname, "
    "  pg_get_constraintdef(co.oid)), jsonb_build_array(jsonb_build_array('definition', "
    "  pg_get_constraintdef(co.oid))) FROM pg_constraint co JOIN typ t ON t.oid = co.contypid "
    "  WHERE co.contype <> 'n'",
    /* indexes not backing a constraint */
    " UNION ALL SELECT 'index', c.nspname, '', c.relname, format('index %I.%I: %s', "
    "  c.nspname, c.relname, pg_get_indexdef(c.oid)), jsonb_build_array(jsonb_build_array("
    "  'definition', pg_get_indexdef(c.oid))) FROM rel c JOIN pg_index i ON i.indexrelid = "
    "  c.oid WHERE c.relkind IN ('i','I') AND NOT EXISTS (SELECT 1 FROM pg_constraint co "
    "  WHERE co.conindid = c.oid AND co.conrelid = i.indrelid AND co.contype IN ('p','u','x'))",
    /* enums, domains, ranges, composite types */
    " UNION ALL SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'type' "
    "  END, t.nspname, '', t.typname, format('type %I.%I %s', t.nspname, t.typname, CASE "
    "  t.typtype WHEN 'e' THEN 'enum ' || l.labels WHEN 'd' THEN 'domain over ' || "
    "  format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' not null' ELSE "
    "  '' END || COALESCE(' default ' || t.typdefault, '') WHEN 'c' THEN 'composite' ELSE "
    "  'range' END), CASE t.typtype WHEN 'e' THEN jsonb_build_array(jsonb_build_array("
    "  'labels', l.labels)) WHEN 'd' THEN jsonb_build_array(jsonb_build_array('type', "
    "  format_type(t.typbasetype, t.typtypmod)), jsonb_build_array('nullability', CASE WHEN "
    "  t.typnotnull THEN 'not null' ELSE 'nullable' END), jsonb_build_array('default', "
    "  t.typdefault)) WHEN 'r' THEN jsonb_build_array(jsonb_build_array('subtype', (SELECT "
    "  format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = t.oid))) ELSE '[]'::jsonb "
    "  END FROM typ t, LATERAL (SELECT '(' || COALESCE(string_agg(quote_literal(enumlabel), "
    "  ', ' ORDER BY enumsortorder), '') || ')' AS labels FROM pg_enum WHERE enumtypid = "
    "  t.oid) l WHERE t.typtype IN ('e','d','r') OR (t.typtype = 'c' AND (SELECT relkind FROM "
    "  pg_class WHERE oid = t.typrelid) = 'c')",
    /* functions, procedures, aggregates */
    " UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' "
    "  WHEN 'w' THEN 'window function' ELSE 'function' END, n.nspname, '', format('%I(%s)', "
    "  p.proname, pg_get_function_identity_arguments(p.oid)), format('function %I.%I(%s) "
    "  returns %s: %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
    "  COALESCE(pg_get_function_result(p.oid), ''), md5(b.body)), jsonb_build_array("
    "  jsonb_build_array('result', pg_get_function_result(p.oid)), jsonb_build_array("
    "  'language', (SELECT lanname FROM pg_language WHERE oid = p.prolang)), "
    "  jsonb_build_array('volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' "
    "  THEN 'stable' ELSE 'volatile' END), jsonb_build_array('security', CASE WHEN "
    "  p.prosecdef THEN 'definer' ELSE 'invoker' END), jsonb_build_array('body', b.body)) "
    "  FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace, LATERAL (SELECT ",
    NULL,

    " AS body) b WHERE NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass AND "
    "  objid = p.oid)",
    /* triggers */
    " UNION ALL SELECT 'trigger', c.nspname, c.relname, t.tgname, format('trigger %I.%I: %s', "
    "  c.nspname, c.relname, pg_get_triggerdef(t.oid)), jsonb_build_array(jsonb_build_array("
    "  'definition', pg_get_triggerdef(t.oid))) FROM pg_trigger t JOIN rel c ON c.oid = "
    "  t.tgrelid WHERE NOT t.tgisinternal",
    /* extensions installed outside pg_catalog */
    " UNION ALL SELECT 'extension', n.nspname, '', e.extname, format('extension %I', "
    "  e.extname), jsonb_build_array(jsonb_build_array('version', e.extversion)) FROM "
    "  pg_extension e JOIN ns n ON n.oid = e.extnamespace"
    ") s",
};

static bool exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
}

static char *make_key(const char *kind, const char *schema, const char *parent, const char *name)
{
    /* \x1f (unit separator) sorts below every printable byte. */
    return xstrfmt("%s\x1f%s\x1f%s\x1f%s", kind, schema, parent, name);
}

/* Fill o->props from the JSON array of [name, value] pairs. */
static void parse_props(schema_object *o, const char *text)
{
    json_error_t err;
    json_t *arr = json_loads(text, 0, &err);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    o->props = xcalloc(n + 1, sizeof *o->props);
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(arr, i);
        const char *name = json_string_value(json_array_get(pair, 0));
        const char *value = json_string_value(json_array_get(pair, 1));
        if (!name)
            continue;
        o->props[o->nprops].name = xstrdup(name);
        o->props[o->nprops].value = value ? xstrdup(value) : NULL;
        o->nprops++;
    }
    json_decref(arr);
}

static int compare_objects(const void *x, const void *y)
{
    return strcmp(((const schema_object *)x)->key, ((const schema_object *)y)->key);
}

bool schema_snapshot_take(PGconn *pg, schema_snapshot *out, diag_list *dl)
{
    memset(out, 0, sizeof *out);
    strbuf sql = STRBUF_INIT;
    for (size_t i = 0; i < sizeof snapshot_parts / sizeof snapshot_parts[0]; i++)
        strbuf_addstr(&sql, snapshot_parts[i]               ? snapshot_parts[i]
                            : PQserverVersion(pg) >= 140000 ? body_14
                                                            : body_old);
    PGresult *r = NULL;
    if (exec_ok(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") &&
        exec_ok(pg, "SELECT set_config('search_path', 'public', true)"))
        r = PQexec(pg, sql.buf);
    strbuf_release(&sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        diag_plain(dl, DIAG_ERROR, NULL, "cannot read the schema: %s",
                   r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
        PQclear(r);
        exec_ok(pg, "ROLLBACK");
        return false;
    }
    out->count = (size_t)PQntuples(r);
    out->objects = xcalloc(out->count + 1, sizeof *out->objects);
    for (size_t i = 0; i < out->count; i++) {
        schema_object *o = &out->objects[i];
        o->kind = xstrdup(PQgetvalue(r, (int)i, 0));
        o->schema = xstrdup(PQgetvalue(r, (int)i, 1));
        o->parent = xstrdup(PQgetvalue(r, (int)i, 2));
        o->name = xstrdup(PQgetvalue(r, (int)i, 3));
        o->line = xstrdup(PQgetvalue(r, (int)i, 4));
        o->key = make_key(o->kind, o->schema, o->parent, o->name);
        parse_props(o, PQgetvalue(r, (int)i, 5));
    }
    PQclear(r);
    exec_ok(pg, "COMMIT");
    if (out->count > 1)
        qsort(out->objects, out->count, sizeof *out->objects, compare_objects);
    return true;
}

void schema_snapshot_free(schema_snapshot *s)
{
    for (size_t i = 0; i < s->count; i++) {
        schema_object *o = &s->objects[i];
        free(o->kind);
        free(o->schema);
        free(o->parent);
        free(o->name);
        free(o->key);
        free(o->line);
        for (size_t k = 0; k < o->nprops; k++) {
            free(o->props[k].name);
            free(o->props[k].value);
        }
        free(o->props);
    }
    free(s->objects);
    memset(s, 0, sizeof *s);
}

/* ---- comparing ----------------------------------------------------------- */

static bool same_value(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const schema_prop *find_prop(const schema_object *o, const char *name)
{
    for (size_t i = 0; i < o->nprops; i++)
        if (strcmp(o->props[i].name, name) == 0)
            return &o->props[i];
    return NULL;
}

static void add_diff(schema_difference **out, size_t *n, size_t *alloc, schema_difference d)
{
    ALLOC_GROW(*out, *n + 1, *alloc);
    (*out)[(*n)++] = d;
}

/* Differences in the properties of one object present on both sides. */
static void compare_props(const schema_object *a, const schema_object *b, schema_difference **out,
                          size_t *n, size_t *alloc)
{
    for (size_t i = 0; i < a->nprops; i++) {
        const schema_prop *pb = find_prop(b, a->props[i].name);
        const char *bv = pb ? pb->value : NULL;
        if (!same_value(a->props[i].value, bv))
            add_diff(
                out, n, alloc,
                (schema_difference){SCHEMA_CHANGED, a, b, a->props[i].name, a->props[i].value, bv});
    }
    for (size_t i = 0; i < b->nprops; i++)
        if (!find_prop(a, b->props[i].name) && b->props[i].value)
            add_diff(out, n, alloc,
                     (schema_difference){SCHEMA_CHANGED, a, b, b->props[i].name, NULL,
                                         b->props[i].value});
}

/* The object on the one side of `d`. */
static const schema_object *side_object(const schema_difference *d)
{
    return d->a ? d->a : d->b;
}

/*
 * Is `d` a part (column, constraint, trigger) of an object that is itself
 * only on the same side? Then the object's own difference says it all.
 */
static bool part_of_missing(const schema_difference *d, const schema_difference *all, size_t n)
{
    const schema_object *o = side_object(d);
    if (d->change == SCHEMA_CHANGED || !*o->parent)
        return false;
    for (size_t i = 0; i < n; i++) {
        const schema_object *p = side_object(&all[i]);
        if (all[i].change == d->change && !*p->parent && strcmp(p->kind, "index") != 0 &&
            strcmp(p->schema, o->schema) == 0 && strcmp(p->name, o->parent) == 0)
            return true;
    }
    return false;
}

size_t schema_compare(const schema_snapshot *a, const schema_snapshot *b, schema_difference **out)
{
    size_t n = 0, alloc = 0, i = 0, k = 0;
    *out = NULL;
    while (i < a->count || k < b->count) {
        int c = i == a->count   ? 1
                : k == b->count ? -1
                                : strcmp(a->objects[i].key, b->objects[k].key);
        if (c < 0) {
            add_diff(
                out, &n, &alloc,
                (schema_difference){SCHEMA_ONLY_IN_A, &a->objects[i++], NULL, NULL, NULL, NULL});
        } else if (c > 0) {
            add_diff(
                out, &n, &alloc,
                (schema_difference){SCHEMA_ONLY_IN_B, NULL, &b->objects[k++], NULL, NULL, NULL});
        } else {
            compare_props(&a->objects[i], &b->objects[k], out, &n, &alloc);
            i++, k++;
        }
    }
    size_t kept = 0;
    for (size_t d = 0; d < n; d++)
        if (!part_of_missing(&(*out)[d], *out, n))
            (*out)[kept++] = (*out)[d];
    return kept;
}

/* ---- describing ---------------------------------------------------------- */

/* "name", or "schema.name" when the schema is not public. */
static void add_qualified(strbuf *sb, const char *schema, const char *name)
{
    if (strcmp(schema, "public") != 0)
        strbuf_addf(sb, "%s.", schema);
    strbuf_addstr(sb, name);
}

char *schema_object_title(const schema_object *o)
{
    strbuf sb = STRBUF_INIT;
    if (strcmp(o->kind, "domain constraint") == 0) {
        strbuf_addf(&sb, "constraint %s on domain ", o->name);
        add_qualified(&sb, o->schema, o->parent);
    } else if (strcmp(o->kind, "constraint") == 0 || strcmp(o->kind, "trigger") == 0) {
        strbuf_addf(&sb, "%s %s on ", o->kind, o->name);
        add_qualified(&sb, o->schema, o->parent);
    } else if (strcmp(o->kind, "column") == 0) {
        strbuf_addstr(&sb, "column ");
        add_qualified(&sb, o->schema, o->parent);
        strbuf_addf(&sb, ".%s", o->name);
    } else if (strcmp(o->kind, "schema") == 0) {
        strbuf_addf(&sb, "schema %s", o->name);
    } else {
        strbuf_addf(&sb, "%s ", o->kind);
        add_qualified(&sb, o->schema, o->name);
    }
    return strbuf_detach(&sb, NULL);
}

/* A value as it reads in a sentence: nullability is its own word. */
static void add_value(strbuf *sb, const char *prop, const char *value)
{
    if (strcmp(prop, "nullability") == 0)
        strbuf_addstr(sb, value ? value : "nullable");
    else if (!value)
        strbuf_addf(sb, "no %s", prop);
    else
        strbuf_addstr(sb, value);
}

static bool is_long(const char *v)
{
    return v && (strchr(v, '\n') || strlen(v) > 60);
}

/* Line `n` (0-based) of `v`, trimmed, at most 200 bytes, into `sb`. */
static void add_line(strbuf *sb, const char *v, size_t n)
{
    if (!v) {
        strbuf_addstr(sb, "(none)");
        return;
    }
    while (n && (v = strchr(v, '\n')))
        v++, n--;
    if (!v) {
        strbuf_addstr(sb, "(end)");
        return;
    }
    while (*v == ' ' || *v == '\t')
        v++;
    size_t len = strcspn(v, "\n");
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
        len--;
    if (len > 200) {
        strbuf_add(sb, v, 200);
        strbuf_addstr(sb, "...");
    } else {
        strbuf_add(sb, v, len);
    }
}

/* The 0-based number of the first line where a and b differ. */
static size_t first_different_line(const char *a, const char *b)
{
    size_t line = 0;
    if (!a || !b)
        return 0;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++, b++;
    }
    return line;
}

char *schema_difference_describe(const schema_difference *d, const char *a_where,
                                 const char *b_where)
{
    const schema_object *o = d->a ? d->a : d->b;
    char *title = schema_object_title(o);
    strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s: ", title);
    free(title);
    if (d->change == SCHEMA_ONLY_IN_A) {
        strbuf_addf(&sb, "missing %s", b_where);
    } else if (d->change == SCHEMA_ONLY_IN_B) {
        strbuf_addf(&sb, "only %s", b_where);
    } else if (strcmp(d->prop, "body") == 0 || is_long(d->a_value) || is_long(d->b_value)) {
        size_t line = first_different_line(d->a_value, d->b_value);
        bool multi =
            (d->a_value && strchr(d->a_value, '\n')) || (d->b_value && strchr(d->b_value, '\n'));
        strbuf_addf(&sb, "%s differs", d->prop);
        if (multi)
            strbuf_addf(&sb, " from line %zu", line + 1);
        strbuf_addf(&sb, "\n    %s: ", a_where);
        add_line(&sb, d->a_value, line);
        strbuf_addf(&sb, "\n    %s: ", b_where);
        add_line(&sb, d->b_value, line);
    } else {
        if (strcmp(d->prop, "nullability") != 0)
            strbuf_addf(&sb, "%s ", d->prop);
        add_value(&sb, d->prop, d->a_value);
        strbuf_addf(&sb, " %s, ", a_where);
        add_value(&sb, d->prop, d->b_value);
        strbuf_addf(&sb, " %s", b_where);
    }
    return strbuf_detach(&sb, NULL);
}

char *schema_snapshot_diff(const schema_snapshot *a, const schema_snapshot *b, const char *a_name,
                           const char *b_name)
{
    schema_difference *diffs;
    size_t n = schema_compare(a, b, &diffs);
    char *s = NULL;
    if (n && diffs[0].change == SCHEMA_ONLY_IN_A) {
        s = xstrfmt("only %s: %s", a_name, diffs[0].a->line);
    } else if (n && diffs[0].change == SCHEMA_ONLY_IN_B) {
        s = xstrfmt("only %s: %s", b_name, diffs[0].b->line);
    } else if (n) {
        s = schema_difference_describe(&diffs[0], a_name, b_name);
    }
    free(diffs);
    return s;
}
