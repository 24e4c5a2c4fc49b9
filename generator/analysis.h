/*
 * analysis.h — the result of analysing every query: a plain data
 * structure, the one thing the emitter, `describe --json` and the lock file
 * consume. It holds copies of everything it needs (no pointers into query
 * files, the catalog or libpq), so it can also be rebuilt from a lock file
 * with no database at all.
 *
 * Ownership: an `analysis` owns all its strings and arrays;
 * analysis_free() releases them.
 */
#ifndef PGQC_ANALYSIS_H
#define PGQC_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "querysrc.h"
#include "typemap.h"

/*
 * A type that is not a built-in row of the type table but that the queries
 * use: an enum (with its labels), a domain (mapped as its base type) or a
 * one-dimensional array (of a built-in, enum or domain element type).
 */
typedef struct an_type {
    pg_oid oid;
    char kind;  /* 'e' enum, 'd' domain, 'A' array, 'u' mapped by --map-type, 'c' composite */
    char *name; /* format_type() name */
    char *schema;
    char *typname;
    pg_oid base;   /* domain: base type; array: element type */
    char **labels; /* enum labels in sort order */
    size_t nlabels;
    char **attr_names;  /* composite: attribute names, in order */
    pg_oid *attr_types; /* composite: attribute type OIDs */
    size_t nattrs;
} an_type;

typedef struct an_param {
    char *name; /* C-level name: as written, or "p<n>" for $n */
    int number; /* $n */
    pg_oid type_oid;
    char *type_name; /* format_type() name */
    bool nullable;
    char *nullable_reason; /* why nullable (or why forced), NULL when non-null by default */
    bool text_fallback;    /* no C mapping: passed as text for the server to parse */
} an_param;

typedef struct an_column {
    char *name; /* result column name, override suffix stripped */
    pg_oid type_oid;
    char *type_name; /* format_type() name */
    bool nullable;
    char *nullable_reason; /* why it can be NULL; or "overridden: ..." */
    bool text_fallback;    /* no C mapping: cast to text on the wire (see wire_sql) */
    pg_oid table_oid;      /* source table (PQftable), 0 when computed */
    int table_attnum;      /* source column number (PQftablecol), 0 when computed */
    char *source;          /* "schema.table.column" when traced, else NULL */
    /* The traced table column as the catalog had it (for PREFIX_check_schema). */
    char *src_schema, *src_table, *src_column;
    char *src_type; /* schema.typname of the column's declared type */
    bool src_notnull;
} an_column;

typedef struct an_query {
    char *name;
    char *file;
    int line;
    query_cmd cmd;
    char *doc;      /* doc comment ("" when none) */
    char *sql;      /* rewritten SQL with $n parameters */
    char *wire_sql; /* what is sent when columns fall back to text, else NULL */
    an_param *params;
    size_t nparams;
    an_column *cols;
    size_t ncols;
} an_query;

typedef struct analysis {
    an_query *queries;
    size_t nqueries, alloc;
    an_type *types; /* types the queries use that the type table lacks, sorted by oid */
    size_t ntypes, types_alloc;
} analysis;

/*
 * OIDs in an analysis. Built-in types keep their fixed OIDs (below 16384,
 * pg_oid_is_stable()). The OIDs the server assigned to user types differ
 * between databases migrated from the same files, so once an analysis is
 * complete, analysis_canonical_oids() renumbers them: the i-th user type
 * recorded in `types` (in the server's OID order, which is the order the
 * migrations created them in) becomes AN_FIRST_USER_OID + i, and a user
 * type that is referenced but not recorded (a parameter or column that
 * travels as text) becomes AN_UNRECORDED_OID. After that the analysis,
 * the lock file and the generated code are a pure function of the sources
 * and options; reading a lock (which records names, never these numbers)
 * rebuilds the same OIDs.
 */
#define AN_FIRST_USER_OID 16384u
#define AN_UNRECORDED_OID 0xFFFFFFFFu

/* Renumber user type OIDs as described above (types must be sorted by OID). */
void analysis_canonical_oids(analysis *a);

/* The user type with `oid`, or NULL (built-in types are in the type table). */
const an_type *analysis_type(const analysis *a, pg_oid oid);

/* Free everything `q` owns (not `q` itself) and zero it. */
void an_query_clear(an_query *q);

void analysis_free(analysis *a);

#endif
