/*
 * catalog.h — what the analyser needs to know about the live schema,
 * loaded once per run in two queries.
 *
 * Types: every row of pg_type with its format_type() name, kind, element
 * type (arrays), base type and NOT NULL flag (domains), enum labels and
 * composite attributes. Relations: every column of every table, view,
 * materialized view, partitioned or foreign table, with attnotnull.
 * Lookups are by OID (binary search over sorted arrays).
 *
 * Ownership: the catalog owns everything; catalog_free() releases it.
 */
#ifndef PGQC_CATALOG_H
#define PGQC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "diag.h"
#include "typemap.h"

typedef struct cat_type {
    pg_oid oid;
    char *name;       /* format_type(oid, NULL): "bigint", "text[]", "visit_status" */
    char *typname;    /* pg_type.typname */
    char *nspname;    /* schema */
    char typtype;     /* b base, c composite, d domain, e enum, p pseudo, r range, m multirange */
    char typcategory; /* A array, ... */
    pg_oid elem;      /* element type of an array, else 0 */
    pg_oid basetype;  /* base type of a domain, else 0 */
    bool domain_notnull;
    pg_oid relid;  /* composite: its pg_class row */
    char **labels; /* enum labels in sort order */
    size_t nlabels;
} cat_type;

typedef struct cat_column {
    pg_oid relid;
    int attnum;
    char *attname;
    pg_oid type;
    bool notnull;
} cat_column;

typedef struct cat_relation {
    pg_oid oid;
    char *relname;
    char *nspname;
    char relkind;     /* r table, v view, m materialized view, p partitioned, f foreign */
    size_t first_col; /* its columns: cols[first_col .. first_col + ncols - 1], by attnum */
    size_t ncols;
    char *viewdef;            /* views and materialized views: pg_get_viewdef(), else NULL */
    struct pgtree *view_tree; /* viewdef parsed, on first use (catalog_view_tree) */
} cat_relation;

typedef struct catalog {
    cat_type *types;
    size_t ntypes;
    cat_relation *rels;
    size_t nrels;
    const cat_relation **rels_by_name; /* every relation, sorted by relname, then nspname */
    cat_column *cols;
    size_t ncols;
    char **search_path; /* current_schemas(false), in order */
    size_t nsearch;
    char **funcs; /* distinct function names, for "did you mean" */
    size_t nfuncs;
} catalog;

/* Load the catalog over `pg`. On failure adds a diagnostic and returns NULL. */
catalog *catalog_load(PGconn *pg, diag_list *dl);

void catalog_free(catalog *cat);

const cat_type *catalog_type(const catalog *cat, pg_oid oid);

/*
 * The parse tree of a view's definition (NULL for other relations), parsed
 * once per run however many queries read the view. The catalog is
 * otherwise read-only; this cache makes it single-threaded: call it from
 * the thread that owns the catalog.
 */
const struct pgtree *catalog_view_tree(const catalog *cat, const cat_relation *rel);
const cat_relation *catalog_relation(const catalog *cat, pg_oid relid);
const cat_column *catalog_column(const catalog *cat, pg_oid relid, int attnum);

/*
 * Resolve a relation name as the server would: `schema` when given, else
 * the first schema of the search path that has it. NULL when not found.
 */
const cat_relation *catalog_find_relation(const catalog *cat, const char *schema, const char *name);

/* The column named `name` of `rel`, or NULL. */
const cat_column *catalog_relation_column(const catalog *cat, const cat_relation *rel,
                                          const char *name);

/* Follow domains down to the underlying base type (the type itself when not a domain). */
const cat_type *catalog_base_type(const catalog *cat, pg_oid oid);

#endif
