/*
 * migrate_verify.h — checking that a migration set reverts cleanly, and
 * wiping a database for `migrate reset`.
 *
 * A schema snapshot (schema_snapshot.h) lists every object the migrations
 * can create; `verify` compares them around each migration's up and down,
 * and around a full down all / up all round trip.
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
#include "schema_snapshot.h"

/* What `verify` did, for the command's summary line. */
typedef struct verify_report {
    size_t migrations;
    bool reverted; /* false when an up-only migration made it skip down/up */
    size_t objects;
} verify_report;

/*
 * Run the verify sequence on `pg` (a throwaway database). Step by step, for
 * each migration N in order: up N; when N has a down, down N must give
 * back the schema before up N, and up N again the schema after the first
 * up N. The first step that fails stops verify, reported on its file with
 * every object that differs. Then, on the whole set (snapshot A = all
 * applied): a second up must do nothing, down all must leave only
 * pgqc_migrations, up all again must give A. Returns true when every step
 * passed.
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
