/*
 * catalog.c — loading the schema facts the analyser uses (see catalog.h).
 * Two round trips per run, whatever the number of queries: one for types,
 * one for relation columns.
 */
#include "catalog.h"
#include "pgtree.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static const char types_sql[] =
    "SELECT t.oid, format_type(t.oid, NULL), t.typname, n.nspname, t.typtype, t.typcategory, "
    "t.typelem, t.typbasetype, t.typnotnull, t.typrelid "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace ORDER BY t.oid";

static const char columns_sql[] =
    "SELECT c.oid, c.relname, n.nspname, c.relkind, a.attnum, a.attname, a.atttypid, "
    "a.attnotnull, CASE WHEN c.relkind IN ('v', 'm') AND a.attnum = 1 "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "THEN pg_get_viewdef(c.oid) END "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f', 'c') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "ORDER BY c.oid, a.attnum";

static pg_oid oid_at(const PGresult *r, int row, int col)
{
    return (pg_oid)strtoul(PQgetvalue(r, row, col), NULL, 10);
}

static bool query_ok(PGconn *pg, const char *sql, PGresult **out, diag_list *dl)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        diag_plain(dl, DIAG_ERROR, NULL, "cannot read the catalog: %s",
                   r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
        PQclear(r);
        return false;
    }
    *out = r;
    return true;
}

static int cmp_rel_name(const void *x, const void *y)
{
    const cat_relation *a = *(const cat_relation *const *)x, *b = *(const cat_relation *const *)y;
    int c = strcmp(a->relname, b->relname);
    return c ? c : strcmp(a->nspname, b->nspname);
}

/* Name lookups are per table reference in every query: index them. */
static void index_names(catalog *cat)
{
    cat->rels_by_name = xcalloc(cat->nrels + 1, sizeof *cat->rels_by_name);
    for (size_t i = 0; i < cat->nrels; i++)
        cat->rels_by_name[i] = &cat->rels[i];
    qsort(cat->rels_by_name, cat->nrels, sizeof *cat->rels_by_name, cmp_rel_name);
}

catalog *catalog_load(PGconn *pg, diag_list *dl)
{
    PGresult *r;
    if (!query_ok(pg, types_sql, &r, dl))
        return NULL;
    catalog *cat = xcalloc(1, sizeof *cat);
    int n = PQntuples(r);
    cat->types = xcalloc((size_t)n + 1, sizeof *cat->types);
    cat->ntypes = (size_t)n;
    for (int i = 0; i < n; i++) {
        cat_type *t = &cat->types[i];
        t->oid = oid_at(r, i, 0);
        t->name = xstrdup(PQgetvalue(r, i, 1));
        t->typname = xstrdup(PQgetvalue(r, i, 2));
        t->nspname = xstrdup(PQgetvalue(r, i, 3));
        t->typtype = PQgetvalue(r, i, 4)[0];
        t->typcategory = PQgetvalue(r, i, 5)[0];
        t->elem = oid_at(r, i, 6);
        t->basetype = oid_at(r, i, 7);
        t->domain_notnull = PQgetvalue(r, i, 8)[0] == 't';
        t->relid = oid_at(r, i, 9);
    }
    PQclear(r);

    if (!query_ok(pg, columns_sql, &r, dl)) {
        catalog_free(cat);
        return NULL;
    }
    n = PQntuples(r);
    cat->cols = xcalloc((size_t)n + 1, sizeof *cat->cols);
    size_t rels_alloc = 0;
    for (int i = 0; i < n; i++) {
        pg_oid relid = oid_at(r, i, 0);
        if (!cat->nrels || cat->rels[cat->nrels - 1].oid != relid) {
            ALLOC_GROW(cat->rels, cat->nrels + 1, rels_alloc);
            cat_relation *rel = &cat->rels[cat->nrels++];
            rel->oid = relid;
            rel->relname = xstrdup(PQgetvalue(r, i, 1));
            rel->nspname = xstrdup(PQgetvalue(r, i, 2));
            rel->relkind = PQgetvalue(r, i, 3)[0];
            rel->first_col = (size_t)i;
            rel->ncols = 0;
            rel->viewdef = PQgetisnull(r, i, 8) ? NULL : xstrdup(PQgetvalue(r, i, 8));
            rel->view_tree = NULL;
        }
        cat->rels[cat->nrels - 1].ncols++;
        cat_column *c = &cat->cols[i];
        c->relid = relid;
        c->attnum = atoi(PQgetvalue(r, i, 4));
        c->attname = xstrdup(PQgetvalue(r, i, 5));
        c->type = oid_at(r, i, 6);
        c->notnull = PQgetvalue(r, i, 7)[0] == 't';
    }
    cat->ncols = (size_t)n;
    PQclear(r);

    index_names(cat);

    if (!query_ok(pg, "SELECT enumtypid, enumlabel FROM pg_enum ORDER BY enumtypid, enumsortorder",
                  &r, dl)) {
        catalog_free(cat);
        return NULL;
    }
    n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        cat_type *t = (cat_type *)catalog_type(cat, oid_at(r, i, 0));
        if (!t)
            continue;
        t->labels = xrealloc(t->labels, (t->nlabels + 1) * sizeof *t->labels);
        t->labels[t->nlabels++] = xstrdup(PQgetvalue(r, i, 1));
    }
    PQclear(r);

    if (!query_ok(pg, "SELECT DISTINCT proname FROM pg_proc ORDER BY 1", &r, dl)) {
        catalog_free(cat);
        return NULL;
    }
    n = PQntuples(r);
    cat->funcs = xcalloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        cat->funcs[i] = xstrdup(PQgetvalue(r, i, 0));
    cat->nfuncs = (size_t)n;
    PQclear(r);

    if (!query_ok(pg, "SELECT unnest(current_schemas(false))", &r, dl)) {
        catalog_free(cat);
        return NULL;
    }
    n = PQntuples(r);
    cat->search_path = xcalloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++)
        cat->search_path[i] = xstrdup(PQgetvalue(r, i, 0));
    cat->nsearch = (size_t)n;
    PQclear(r);
    return cat;
}

void catalog_free(catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->ntypes; i++) {
        free(cat->types[i].name);
        free(cat->types[i].typname);
        free(cat->types[i].nspname);
        for (size_t k = 0; k < cat->types[i].nlabels; k++)
            free(cat->types[i].labels[k]);
        free(cat->types[i].labels);
    }
    free(cat->types);
    for (size_t i = 0; i < cat->nrels; i++) {
        free(cat->rels[i].relname);
        free(cat->rels[i].nspname);
        free(cat->rels[i].viewdef);
        if (cat->rels[i].view_tree)
            pgtree_free(cat->rels[i].view_tree);
        free(cat->rels[i].view_tree);
    }
    free(cat->rels);
    free((void *)cat->rels_by_name);
    for (size_t i = 0; i < cat->ncols; i++)
        free(cat->cols[i].attname);
    free(cat->cols);
    for (size_t i = 0; i < cat->nsearch; i++)
        free(cat->search_path[i]);
    free(cat->search_path);
    for (size_t i = 0; i < cat->nfuncs; i++)
        free(cat->funcs[i]);
    free(cat->funcs);
    free(cat);
}

const pgtree *catalog_view_tree(const catalog *cat, const cat_relation *rel)
{
    (void)cat;
    if (!rel->viewdef)
        return NULL;
    /* The one mutable part of a loaded catalog: a cache, filled on first use. */
    cat_relation *r = (cat_relation *)rel;
    if (!r->view_tree) {
        r->view_tree = xmalloc(sizeof *r->view_tree);
        *r->view_tree = pgtree_parse(r->viewdef);
    }
    return r->view_tree;
}

const cat_type *catalog_type(const catalog *cat, pg_oid oid)
{
    size_t lo = 0, hi = cat->ntypes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cat->types[mid].oid < oid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cat->ntypes && cat->types[lo].oid == oid ? &cat->types[lo] : NULL;
}

const cat_relation *catalog_relation(const catalog *cat, pg_oid relid)
{
    size_t lo = 0, hi = cat->nrels;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cat->rels[mid].oid < relid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cat->nrels && cat->rels[lo].oid == relid ? &cat->rels[lo] : NULL;
}

const cat_column *catalog_column(const catalog *cat, pg_oid relid, int attnum)
{
    const cat_relation *rel = catalog_relation(cat, relid);
    if (!rel)
        return NULL;
    for (size_t i = 0; i < rel->ncols; i++)
        if (cat->cols[rel->first_col + i].attnum == attnum)
            return &cat->cols[rel->first_col + i];
    return NULL;
}

const cat_relation *catalog_find_relation(const catalog *cat, const char *schema, const char *name)
{
    if (schema) {
        size_t lo = 0, hi = cat->nrels;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            const cat_relation *r = cat->rels_by_name[mid];
            int c = strcmp(r->relname, name);
            if (c < 0 || (c == 0 && strcmp(r->nspname, schema) < 0))
                lo = mid + 1;
            else
                hi = mid;
        }
        const cat_relation *r = lo < cat->nrels ? cat->rels_by_name[lo] : NULL;
        return r && strcmp(r->relname, name) == 0 && strcmp(r->nspname, schema) == 0 ? r : NULL;
    }
    /* pg_catalog is searched first unless the path names it. */
    const cat_relation *r = catalog_find_relation(cat, "pg_catalog", name);
    bool path_has_catalog = false;
    for (size_t s = 0; s < cat->nsearch; s++)
        if (strcmp(cat->search_path[s], "pg_catalog") == 0)
            path_has_catalog = true;
    if (r && !path_has_catalog)
        return r;
    for (size_t s = 0; s < cat->nsearch; s++) {
        r = catalog_find_relation(cat, cat->search_path[s], name);
        if (r)
            return r;
    }
    return NULL;
}

const cat_column *catalog_relation_column(const catalog *cat, const cat_relation *rel,
                                          const char *name)
{
    for (size_t i = 0; i < rel->ncols; i++)
        if (strcmp(cat->cols[rel->first_col + i].attname, name) == 0)
            return &cat->cols[rel->first_col + i];
    return NULL;
}

const cat_type *catalog_base_type(const catalog *cat, pg_oid oid)
{
    const cat_type *t = catalog_type(cat, oid);
    for (int depth = 0; t && t->typtype == 'd' && depth < 32; depth++)
        t = catalog_type(cat, t->basetype);
    return t;
}
