/*
 * migrate_int.h — internals shared by the files of libpgqc's migration
 * runner (migrate_set.c, migrate_common.c, migrate.c, migrate_status.c).
 * Not installed. Every function here reports problems into a
 * pgqc_migrate_result and never prints.
 */
#ifndef PGQC_MIGRATE_INT_H
#define PGQC_MIGRATE_INT_H

#include "pgqc/migrate.h"

#include <stdarg.h>

#define MIG_HIDDEN __attribute__((visibility("hidden")))

/* Advisory lock key: "pgqc" in ASCII, shared by every pgqc runner. */
#define PGQC_MIGRATE_LOCK_KEY INT64_C(0x70677163)

/* malloc'ed copies (NULL on OOM; mig_dup0(NULL) is NULL). */
MIG_HIDDEN char *mig_dupn(const char *s, size_t n);
MIG_HIDDEN char *mig_dup0(const char *s);
MIG_HIDDEN char *mig_vfmt(const char *fmt, va_list ap);

MIG_HIDDEN double mig_now_ms(void);
MIG_HIDDEN void mig_sleep_ms(int ms);

/* A result in the "success, nothing done yet" state. */
MIG_HIDDEN pgqc_migrate_result mig_result_init(void);

/* Append an error (marks the result failed); NULL only on OOM. */
MIG_HIDDEN pgqc_migrate_error *mig_add_error(pgqc_migrate_result *res, const char *file,
                                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set the failure class, keeping the first one set. */
MIG_HIDDEN void mig_set_failure(pgqc_migrate_result *res, pgqc_migrate_failure f);

/*
 * Map PostgreSQL's 1-based character position, counted from byte `base`
 * of `sql`, to a line and column of the whole of `sql`.
 */
MIG_HIDDEN void mig_position_to_line_col(const char *sql, size_t base, long pos, int *line,
                                         int *col);

/*
 * The line and column of the first token of the statement starting at byte
 * `base` of `sql` (white space and comments before it skipped).
 */
MIG_HIDDEN void mig_statement_line_col(const char *sql, size_t base, int *line, int *col);

/*
 * Record a server error for `file`: message, SQLSTATE, detail, hint, and
 * the position mapped into `sql` (the statement sent started at byte
 * `base`). `context` prefixes the message; `sql` may be NULL.
 */
MIG_HIDDEN void mig_add_server_error(pgqc_migrate_result *res, const char *file, const char *sql,
                                     size_t base, const PGresult *r, PGconn *pg,
                                     const char *context);

/* PQexec; true for a command/tuples/empty result. *out (if given) gets it. */
MIG_HIDDEN bool mig_exec_ok(PGconn *pg, const char *sql, PGresult **out);

/* Is this the SQLSTATE of a lock_timeout (55P03)? */
MIG_HIDDEN bool mig_is_lock_timeout(const PGresult *r);

/* Poll pg_try_advisory_lock for up to wait_ms; release on every path. */
MIG_HIDDEN bool mig_take_lock(PGconn *pg, int wait_ms, pgqc_migrate_result *res);
MIG_HIDDEN void mig_release_lock(PGconn *pg);
/* The same for another advisory lock key. */
MIG_HIDDEN bool mig_take_lock_key(PGconn *pg, int64_t key, int wait_ms, pgqc_migrate_result *res);
MIG_HIDDEN void mig_release_lock_key(PGconn *pg, int64_t key);

/* A row of pgqc_migrations. */
typedef struct mig_applied_row {
    int64_t version;
    char checksum[65];
    bool dirty;
    char description[128];
    char applied_at[40];
    double execution_ms;
} mig_applied_row;

/*
 * Read pgqc_migrations ordered by version. With `create`, the table is
 * created when missing; without, a missing table reads as no rows.
 */
MIG_HIDDEN bool mig_load_applied(PGconn *pg, bool create, mig_applied_row **rows, size_t *n,
                                 pgqc_migrate_result *res);

MIG_HIDDEN const mig_applied_row *mig_find_applied(const mig_applied_row *rows, size_t n,
                                                   int64_t v);
MIG_HIDDEN const pgqc_migration *mig_find_migration(const pgqc_migration_set *set, int64_t v);

/* Modified, missing or dirty migrations: errors in `res`, false. */
MIG_HIDDEN bool mig_check_state(const pgqc_migration_set *set, const mig_applied_row *rows,
                                size_t n, pgqc_migrate_result *res);

/* Take the lock and load + check the tracking table; false (lock released) on failure. */
MIG_HIDDEN bool mig_begin_run(PGconn *pg, const pgqc_migration_set *set,
                              const pgqc_migrate_options *o, mig_applied_row **rows, size_t *n,
                              pgqc_migrate_result *res);

#endif
