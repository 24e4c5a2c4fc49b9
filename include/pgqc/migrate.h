/*
 * migrate.h — libpgqc's migration runner, the same one `pgqc migrate` uses.
 *
 * A migration set is an ordered list of versioned SQL files: from a
 * directory (`NNNN_description.up.sql` + optional `.down.sql`, or up-only
 * `NNNN_description.sql`) or embedded in the program by
 * `pgqc generate --embed-migrations`. Applied migrations are recorded in the
 * table `pgqc_migrations` with the SHA-256 of the up file (normalised: a
 * UTF-8 BOM removed, CRLF read as LF, so a Windows checkout is not
 * "modified").
 *
 * Guarantees of pgqc_migrate_up():
 *   - the whole run holds a PostgreSQL advisory lock (taken by polling
 *     pg_try_advisory_lock, released on every path), so concurrent runners
 *     apply each migration exactly once;
 *   - each migration commits together with its tracking row, or not at all
 *     (except `-- pgqc:no-transaction` files, which are marked dirty when
 *     they fail part-way and block further runs until resolved);
 *   - an applied migration whose file changed or vanished stops the run
 *     before anything is applied;
 *   - the first failure stops the run; the error names the file, line and
 *     column PostgreSQL reported, with its message, detail and hint.
 *
 * Ownership: a pgqc_migration_set owns all its strings; a pgqc_migrate_result
 * owns its errors. Free each with its _free function.
 */
#ifndef PGQC_MIGRATE_H
#define PGQC_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pgqc_migration {
    int64_t version;
    char *description;      /* "create_users" */
    char *up_name;          /* file name (or embedded name) of the up script */
    char *up_sql;           /* normalised text of the up script */
    char *down_name;        /* NULL when the migration is up-only */
    char *down_sql;         /* NULL when the migration is up-only */
    bool no_transaction;    /* first line is `-- pgqc:no-transaction` */
    bool down_no_transaction;
    char checksum[65];      /* hex SHA-256 of up_sql */
} pgqc_migration;

typedef struct pgqc_migration_set {
    char *dir;              /* directory the files came from (NULL when embedded) */
    pgqc_migration *items;  /* sorted by version, versions unique */
    size_t count;
} pgqc_migration_set;

/* One problem, with a position when it comes from a file. */
typedef struct pgqc_migrate_error {
    char *file;             /* path shown to the user; NULL when not about one file */
    int line, col;          /* 1-based; 0 when unknown */
    char sqlstate[6];
    char *message;
    char *detail;           /* NULL when absent */
    char *hint;             /* NULL when absent */
} pgqc_migrate_error;

typedef enum pgqc_migrate_failure {
    PGQC_MIGRATE_OK = 0,
    PGQC_MIGRATE_FILE_ERROR,    /* a migration file is malformed (name, version, reading) */
    PGQC_MIGRATE_SQL_ERROR,     /* a migration failed on the server */
    PGQC_MIGRATE_STATE_ERROR,   /* modified / missing / dirty migrations block the run */
    PGQC_MIGRATE_DB_ERROR       /* connection, permissions, lock time-out */
} pgqc_migrate_failure;

typedef struct pgqc_migrate_result {
    bool success;
    pgqc_migrate_failure failure;
    size_t executed;            /* migration files executed by this call */
    int64_t *versions;          /* the versions executed, in order */
    double duration_ms;
    pgqc_migrate_error *errors;
    size_t nerrors;
} pgqc_migrate_result;

/* Options for pgqc_migrate_up / pgqc_migrate_down. Zero-initialise, then set. */
typedef struct pgqc_migrate_options {
    int64_t target;             /* up: stop after this version (0: all) */
    bool has_target;
    bool dry_run;               /* report the plan, change nothing */
    int lock_wait_ms;           /* wait for the advisory lock (0: 60000) */
    int ddl_lock_timeout_ms;    /* lock_timeout for each migration (0: 5000) */
    int ddl_retries;            /* retries after a lock time-out (55P03) (0: 3; <0: none) */
    /* Called before each migration runs (or would run, in a dry run). */
    void (*on_migration)(const pgqc_migration *m, bool up, void *ctx);
    void *ctx;
} pgqc_migrate_options;

/*
 * Read every migration in `dir`. Problems (unparseable names, duplicate
 * versions, a down without its up, unreadable files) are reported in `res`
 * and make the call fail; `*out` is then NULL.
 */
bool pgqc_migration_set_load_dir(const char *dir, pgqc_migration_set **out,
                                 pgqc_migrate_result *res);

/*
 * Build a set from embedded scripts: `n` entries of file name and text, as
 * emitted by `pgqc generate --embed-migrations`.
 */
bool pgqc_migration_set_from_memory(const char *const *names, const char *const *texts, size_t n,
                                    pgqc_migration_set **out, pgqc_migrate_result *res);

void pgqc_migration_set_free(pgqc_migration_set *set);

/* Apply pending migrations in order (see the guarantees above). */
pgqc_migrate_result pgqc_migrate_up(PGconn *pg, const pgqc_migration_set *set,
                                    const pgqc_migrate_options *opts);

void pgqc_migrate_result_free(pgqc_migrate_result *res);

/*
 * Normalise a script as the checksum sees it (BOM dropped, CRLF -> LF) and
 * compute its hex SHA-256. Returns a malloc'ed normalised copy, or NULL.
 */
char *pgqc_migration_normalize(const char *text, size_t len, char hex_out[65]);

#ifdef __cplusplus
}
#endif

#endif
