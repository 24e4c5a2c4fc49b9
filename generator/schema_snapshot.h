/*
 * schema_snapshot.h — what a database's schema is, as data, and how two
 * schemas differ. Used by `pgqc migrate verify` (the schema after the first
 * `up` must equal the one after down all and up again) and by
 * `pgqc schema diff` (a live database against the schema migrations/
 * produce).
 *
 * A snapshot is a list of schema objects, sorted by identity: schemas,
 * tables, views, materialized views, sequences, foreign tables, columns
 * (type, nullability, default, generated, identity, collation),
 * constraints, indexes (those backing a PRIMARY KEY / UNIQUE / EXCLUDE
 * constraint are covered by the constraint), enums (labels), domains (base
 * type, nullability, default; their constraints), composite and range
 * types, functions, procedures and aggregates (result, language,
 * volatility, security, body), triggers and extensions. Left out: the
 * system schemas (pg_catalog, information_schema, pg_toast*, pg_temp*),
 * objects that belong to an extension, and pgqc's own tables
 * (pgqc_migrations, pgqc_migration_repairs).
 * Ownership, privileges, comments and data are not part of a schema here.
 *
 * Catalog text (types, defaults, definitions) is read with search_path set
 * to public, so both sides of a comparison print names the same way.
 *
 * Memory: a snapshot owns every string in it; schema_snapshot_free() frees
 * them. A schema_difference borrows from the two snapshots it compares and
 * is valid while they are. Nothing here prints.
 */
#ifndef PGQC_SCHEMA_SNAPSHOT_H
#define PGQC_SCHEMA_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "diag.h"

/* One property of an object: "type" = "integer". `value` NULL: none. */
typedef struct schema_prop {
    char *name;
    char *value;
} schema_prop;

/* One object of a schema. */
typedef struct schema_object {
    char *kind;   /* "table", "column", "index", "enum", "function", ... */
    char *schema; /* the schema it lives in (for a schema: its own name) */
    char *parent; /* table / type / domain it belongs to; "" when none */
    char *name;   /* functions: name(argument types) */
    char *key;    /* identity: kind, schema, parent, name; the sort key */
    char *line;   /* the whole object on one line, for messages */
    schema_prop *props;
    size_t nprops;
} schema_object;

typedef struct schema_snapshot {
    schema_object *objects; /* sorted by key (byte order) */
    size_t count;
} schema_snapshot;

/*
 * Take a snapshot of the database `pg` is connected to, in one read-only
 * transaction (so `pg` must not be inside one). False with a diagnostic.
 */
bool schema_snapshot_take(PGconn *pg, schema_snapshot *out, diag_list *dl);
void schema_snapshot_free(schema_snapshot *s);

/* How an object differs between snapshot A and snapshot B. */
typedef enum schema_change {
    SCHEMA_ONLY_IN_A, /* e.g. in migrations, missing in the database */
    SCHEMA_ONLY_IN_B, /* e.g. only in the database */
    SCHEMA_CHANGED    /* in both, one property differs */
} schema_change;

typedef struct schema_difference {
    schema_change change;
    const schema_object *a, *b;    /* NULL on the side that lacks it */
    const char *prop;              /* SCHEMA_CHANGED: the property */
    const char *a_value, *b_value; /* SCHEMA_CHANGED: its values (NULL: none) */
} schema_difference;

/*
 * Compare two snapshots. Returns the number of differences and stores a
 * malloc'ed array of them (NULL when none) in *out, in key order; an object
 * whose properties differ gives one difference per property. The parts
 * (columns, constraints, triggers) of an object that is only on one side
 * are not listed: the object's own difference covers them.
 */
size_t schema_compare(const schema_snapshot *a, const schema_snapshot *b, schema_difference **out);

/*
 * How an object is named to a person, malloc'ed: "column users.age",
 * "index posts_author_id_idx", "constraint users_age_check on users",
 * "table audit.log" (the schema is named when it is not public).
 */
char *schema_object_title(const schema_object *o);

/*
 * One difference as a sentence, malloc'ed, with `a_where` / `b_where`
 * saying where each side comes from ("in migrations", "in the database"):
 *   "index posts_author_id_idx: missing in the database"
 *   "table audit_log: only in the database"
 *   "column users.age: type integer in migrations, bigint in the database"
 * Function bodies and long or multi-line values ("view active_users:
 * definition differs") are shown on indented lines below the sentence,
 * from the first line that differs.
 */
char *schema_difference_describe(const schema_difference *d, const char *a_where,
                                 const char *b_where);

/*
 * The first difference between two snapshots, as a malloc'ed sentence
 * ("only after the first up: ..."), or NULL when they are equal.
 */
char *schema_snapshot_diff(const schema_snapshot *a, const schema_snapshot *b, const char *a_name,
                           const char *b_name);

#endif
