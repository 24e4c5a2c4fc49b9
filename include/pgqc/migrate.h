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
 *     column PostgreSQL reported (or, when it reports none and the set was
 *     split, the start of the failing statement), with its message, detail
 *     and hint;
 *   - a transactional script that ends its transaction (COMMIT, ROLLBACK)
 *     fails instead of being recorded (`pgqc` refuses such a file before
 *     anything runs; libpgqc, having no parser, notices afterwards).
 *
 * pgqc_migrate_down() reverts newest first, each down script with the
 * deletion of its tracking row in one transaction, under the same lock; it
 * refuses, before changing anything, when a migration to revert has no down
 * script. pgqc_migrate_status() reads the state without changing anything;
 * pgqc_migrate_repair() is the deliberate way out of "modified", "missing
 * file" and "dirty" after a human reviewed the database (for "dirty", the
 * human says whether the migration is now applied or pending).
 *
 * `-- pgqc:no-transaction` scripts with several statements must be split
 * (pgqc_migration_set_split) so each statement runs on its own: PostgreSQL
 * runs a multi-statement string as one implicit transaction, which
 * CREATE INDEX CONCURRENTLY refuses. libpgqc has no SQL parser; `pgqc`
 * splits with libpg_query, and embedded sets carry the split it computed.
 * A transactional script always runs as one string; when `pgqc` loaded the
 * set, its split (up_stmts / down_stmts) only serves to name the statement
 * that failed.
 *
 * Ownership: a pgqc_migration_set owns all its strings; a pgqc_migrate_result
 * owns its errors. Free each with its _free function. Nothing here prints.
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

/* One statement of a script: `length` bytes starting at byte `offset`. */
typedef struct pgqc_stmt_span {
    size_t offset;
    size_t length;
} pgqc_stmt_span;

typedef struct pgqc_migration {
    int64_t version;
    char *description;   /* "create_users" */
    char *up_name;       /* file name (or embedded name) of the up script */
    char *up_sql;        /* normalised text of the up script */
    char *down_name;     /* NULL when the migration is up-only */
    char *down_sql;      /* NULL when the migration is up-only */
    bool no_transaction; /* first line is `-- pgqc:no-transaction` */
    bool down_no_transaction;
    char checksum[65]; /* hex SHA-256 of up_sql */
    /* Statements of a script (byte ranges of up_sql / down_sql). A
     * no-transaction script runs them one by one (NULL: as one string); a
     * transactional one always runs as one string, and its split, when
     * present, names the statement that failed. */
    pgqc_stmt_span *up_stmts;
    size_t n_up_stmts;
    pgqc_stmt_span *down_stmts;
    size_t n_down_stmts;
} pgqc_migration;

typedef struct pgqc_migration_set {
    char *dir;             /* directory the files came from (NULL when embedded) */
    pgqc_migration *items; /* sorted by version, versions unique */
    size_t count;
} pgqc_migration_set;

/* One problem, with a position when it comes from a file. */
typedef struct pgqc_migrate_error {
    char *file;    /* path shown to the user; NULL when not about one file */
    int line, col; /* 1-based; 0 when unknown */
    char sqlstate[6];
    char *message;
    char *detail; /* NULL when absent */
    char *hint;   /* NULL when absent */
} pgqc_migrate_error;

typedef enum pgqc_migrate_failure {
    PGQC_MIGRATE_OK = 0,
    PGQC_MIGRATE_FILE_ERROR,  /* a migration file is malformed (name, version, reading) */
    PGQC_MIGRATE_SQL_ERROR,   /* a migration failed on the server */
    PGQC_MIGRATE_STATE_ERROR, /* modified / missing / dirty migrations block the run */
    PGQC_MIGRATE_DB_ERROR     /* connection, permissions, lock time-out */
} pgqc_migrate_failure;

typedef struct pgqc_migrate_result {
    bool success;
    pgqc_migrate_failure failure;
    size_t executed;   /* migration files executed by this call */
    int64_t *versions; /* the versions executed, in order */
    double duration_ms;
    pgqc_migrate_error *errors;
    size_t nerrors;
} pgqc_migrate_result;

/*
 * What pgqc_migrate_repair() does with a dirty migration (a no-transaction
 * script that failed part-way): the person who inspected the database
 * decides.
 */
typedef enum pgqc_dirty_resolution {
    PGQC_DIRTY_UNRESOLVED = 0, /* refuse: report the choices, change nothing */
    PGQC_DIRTY_MARK_APPLIED,   /* its changes are complete (finished by hand) */
    PGQC_DIRTY_MARK_PENDING    /* its changes are absent (undone by hand): `up` runs it again */
} pgqc_dirty_resolution;

/* Options for pgqc_migrate_up / _down / _repair. Zero-initialise, then set. */
typedef struct pgqc_migrate_options {
    int64_t target; /* up: stop after this version; down: keep this
                       version and older applied */
    bool has_target;
    int steps;               /* down without target: how many to revert
                                (0: 1; <0: all) */
    bool dry_run;            /* report the plan, change nothing */
    int lock_wait_ms;        /* wait for the advisory lock (0: 60000) */
    int ddl_lock_timeout_ms; /* lock_timeout for each migration (0: 5000) */
    int ddl_retries;         /* retries after a lock time-out (55P03) (0: 3; <0: none) */
    /* Called before each migration runs (or would run, in a dry run). */
    void (*on_migration)(const pgqc_migration *m, bool up, void *ctx);
    void *ctx;
    pgqc_dirty_resolution dirty; /* repair: what to do with dirty migrations */
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

/*
 * Split a script into statements: fill *spans (malloc'ed, ownership passes
 * to the set) and *n, or return false with a malloc'ed message in *err.
 */
typedef bool (*pgqc_sql_splitter)(const char *sql, pgqc_stmt_span **spans, size_t *n, char **err,
                                  void *ctx);

/*
 * Split every no-transaction script of `set` with `split`. Failures are
 * reported in `res` (FILE_ERROR, naming the file).
 */
bool pgqc_migration_set_split(pgqc_migration_set *set, pgqc_sql_splitter split, void *ctx,
                              pgqc_migrate_result *res);

/*
 * Parse a migration file name: "0001_create_users.up.sql" gives version 1,
 * description "create_users" (malloc'ed) and kind PGQC_FILE_UP. Returns
 * false with a static reason in *why when the name breaks the pattern.
 */
typedef enum pgqc_file_kind { PGQC_FILE_UP, PGQC_FILE_DOWN, PGQC_FILE_UP_ONLY } pgqc_file_kind;
bool pgqc_migration_parse_name(const char *name, int64_t *version, char **description,
                               pgqc_file_kind *kind, const char **why);

/* Apply pending migrations in order (see the guarantees above). */
pgqc_migrate_result pgqc_migrate_up(PGconn *pg, const pgqc_migration_set *set,
                                    const pgqc_migrate_options *opts);

/*
 * Revert applied migrations newest first: those above opts->target when
 * has_target, else the newest opts->steps (0: one; negative: all). Stops at
 * the first failure (that migration stays applied).
 */
pgqc_migrate_result pgqc_migrate_down(PGconn *pg, const pgqc_migration_set *set,
                                      const pgqc_migrate_options *opts);

/*
 * After a human reviewed the database: record the file checksum of every
 * applied migration whose file changed, resolve dirty migrations as
 * opts->dirty says, and forget tracking rows whose file is gone, all in one
 * transaction. With a dirty migration and no opts->dirty, it changes
 * nothing and fails (STATE_ERROR) with an error per dirty migration that
 * names both choices. Each change is logged in the table
 * pgqc_migration_repairs (version, action, repaired_at, checksum_before,
 * checksum_after; created on first use), which status reads. `versions`
 * lists what changed; opts->dry_run changes nothing.
 */
pgqc_migrate_result pgqc_migrate_repair(PGconn *pg, const pgqc_migration_set *set,
                                        const pgqc_migrate_options *opts);

void pgqc_migrate_result_free(pgqc_migrate_result *res);

typedef enum pgqc_migration_state {
    PGQC_MIGRATION_PENDING,
    PGQC_MIGRATION_APPLIED,
    PGQC_MIGRATION_MODIFIED,     /* applied, but the file's checksum differs */
    PGQC_MIGRATION_MISSING_FILE, /* applied, but no file has its version */
    PGQC_MIGRATION_DIRTY         /* a no-transaction migration failed part-way */
} pgqc_migration_state;

/* "pending", "applied", "modified", "missing-file", "dirty". */
const char *pgqc_migration_state_name(pgqc_migration_state s);

/*
 * What pgqc_migrate_repair() does to a migration in `state`, as logged in
 * pgqc_migration_repairs and shown by status: "checksum recorded"
 * (modified), "forgotten" (missing-file), "marked applied" / "marked
 * pending" (dirty, as `dirty` says); NULL when repair leaves it alone.
 */
const char *pgqc_migration_repair_action(pgqc_migration_state state, pgqc_dirty_resolution dirty);

/* One line of `pgqc migrate status`. */
typedef struct pgqc_migration_status {
    int64_t version;
    pgqc_migration_state state;
    char *description;
    char *file;                /* up script; NULL when missing */
    char checksum[65];         /* of the file; "" when missing */
    char applied_checksum[65]; /* as recorded; "" when pending */
    char *applied_at;          /* UTC, ISO 8601; NULL when pending */
    double execution_ms;       /* 0 when pending */
    bool has_down;
    /* The latest change `repair` made to this version ("checksum recorded",
     * "marked applied", "marked pending", "forgotten") and when (UTC, ISO
     * 8601); NULL when never repaired. */
    char *repair;
    char *repaired_at;
} pgqc_migration_status;

/*
 * Every version in the files or the tracking table, in order. Reads only:
 * a database without pgqc_migrations has everything pending.
 */
bool pgqc_migrate_status(PGconn *pg, const pgqc_migration_set *set, pgqc_migration_status **items,
                         size_t *n, pgqc_migrate_result *res);

void pgqc_migrate_status_free(pgqc_migration_status *items, size_t n);

/*
 * Run seed scripts (`n` names and texts) in order, all in one transaction,
 * after checking that every migration of `set` is applied and unmodified.
 * A failure rolls back every seed and names the file, line and column.
 */
pgqc_migrate_result pgqc_seed(PGconn *pg, const pgqc_migration_set *set, const char *const *names,
                              const char *const *texts, size_t n);

/*
 * Normalise a script as the checksum sees it (BOM dropped, CRLF -> LF) and
 * compute its hex SHA-256. Returns a malloc'ed normalised copy, or NULL.
 */
char *pgqc_migration_normalize(const char *text, size_t len, char hex_out[65]);

/*
 * Test databases from a template, the pattern that makes database tests
 * fast. `admin_conninfo` names any database on the server (e.g.
 * "dbname=postgres"); the user needs CREATEDB.
 *
 * The first call for a migration set builds the template database
 * "pgqc_tpl_<hash>" (the hash covers every script of the set) by migrating
 * a scratch database and renaming it into place — under an advisory lock,
 * so parallel test processes build it once and never see half of it. Every
 * call then creates a fresh clone with CREATE DATABASE ... TEMPLATE and
 * returns a connection to it; its name is copied to `dbname` (64 bytes).
 * Drop the clone with pgqc_testdb_drop() once the connection is closed.
 */
PGconn *pgqc_testdb_create(const char *admin_conninfo, const pgqc_migration_set *set,
                           char dbname[64], pgqc_migrate_result *res);

bool pgqc_testdb_drop(const char *admin_conninfo, const char *dbname, pgqc_migrate_result *res);

#ifdef __cplusplus
}
#endif

#endif
