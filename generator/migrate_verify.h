/*
 * migrate_verify.h — checking that a migration set reverts cleanly, and
 * wiping a database for `migrate reset`.
 *
 * A schema snapshot is a sorted list of text lines, one per object the
 * migrations can create (tables, columns with type / nullability /
 * default, constraints, indexes, views, sequences, types, enums, domains,
 * functions, triggers) outside the system schemas, leaving out
 * pgqc_migrations itself. Two snapshots are equal when the lists are.
 *
 * `verify` works in a throwaway database: the embedded server, or a fresh
 * database created on the --database-url server and dropped afterwards.
 * Problems are appended to a diag_list; nothing here prints.
 */
#ifndef PGQC_MIGRATE_VERIFY_H
#define PGQC_MIGRATE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>
#include <pgqc/migrate.h>

#include "dbsource.h"
#include "diag.h"

typedef struct schema_snapshot {
    char **lines; /* sorted; each malloc'ed */
    size_t count;
} schema_snapshot;

/* Take a snapshot of the database `pg` is connected to; false with a diag. */
bool schema_snapshot_take(PGconn *pg, schema_snapshot *out, diag_list *dl);
void schema_snapshot_free(schema_snapshot *s);

/*
 * The first difference between two snapshots, as a malloc'ed sentence
 * ("only after the first up: ..."), or NULL when they are equal.
 */
char *schema_snapshot_diff(const schema_snapshot *a, const schema_snapshot *b, const char *a_name,
                           const char *b_name);

/* What `verify` did, for the command's summary line. */
typedef struct verify_report {
    size_t migrations;
    bool reverted; /* false when an up-only migration made it skip down/up */
    size_t objects;
} verify_report;

/*
 * Run the verify sequence on `pg` (a throwaway database): up all, snapshot
 * A, a second up must do nothing, down all, only pgqc_migrations left, up
 * all, snapshot B == A. Returns true when every step passed.
 */
bool verify_on(PGconn *pg, const pgqc_migration_set *set, verify_report *rep, diag_list *dl);

/*
 * Verify in a throwaway database: the embedded server when `url` is NULL,
 * else a fresh database on that server, dropped afterwards.
 */
dbsrc_status verify_migrations(const char *url, const pgqc_migration_set *set, verify_report *rep,
                               diag_list *dl);

/*
 * Is the database throwaway? Its name ends in _test, _dev or _tmp, starts
 * with pgqc_, or its comment contains "pgqc:throwaway".
 */
bool database_is_throwaway(PGconn *pg, char **name);

/* Drop every non-system schema (CASCADE) and recreate an empty public. */
bool database_drop_everything(PGconn *pg, diag_list *dl);

#endif
