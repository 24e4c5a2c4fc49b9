/*
 * tmpdb.h — the embedded throwaway PostgreSQL server.
 *
 * tmpdb_start() creates a private temporary directory (0700), runs initdb
 * into it (trust auth, UTF8, C locale, no fsync), and starts a postmaster
 * listening only on a Unix socket inside that directory. When running as
 * root it runs initdb and the server as an unprivileged user ("postgres"
 * if it exists, else "nobody"), since PostgreSQL refuses to run as root.
 *
 * Cleanup is guaranteed on every exit path: a watchdog process, started
 * first, holds the read end of a pipe; when pgqc exits for any reason
 * (normally, on error, on SIGINT/SIGTERM, even on SIGKILL) the pipe closes
 * and the watchdog stops the server and removes the directory.
 * tmpdb_stop() triggers the same and waits until it is done.
 */
#ifndef PGQC_TMPDB_H
#define PGQC_TMPDB_H

#include <stdbool.h>

typedef struct tmpdb tmpdb;

typedef enum tmpdb_failure {
    TMPDB_OK = 0,
    TMPDB_NO_BINARIES, /* no initdb/postgres found */
    TMPDB_FAILED       /* found but could not initialise or start */
} tmpdb_failure;

/*
 * Find the server binaries: $PGQC_PG_BINDIR, else `pg_config --bindir`,
 * else the newest /usr/lib/postgresql/N/bin. Returns a malloc'ed directory,
 * or NULL with a message in *err saying where it looked.
 */
char *tmpdb_find_bindir(char **err);

/* Start a throwaway server; NULL with *err (malloc'ed) and *why on failure. */
tmpdb *tmpdb_start(char **err, tmpdb_failure *why);

/* libpq connection string for the server's "postgres" database. */
const char *tmpdb_conninfo(const tmpdb *db);

/* Connection string for database `dbname` on the server (malloc'ed). */
char *tmpdb_conninfo_for(const tmpdb *db, const char *dbname);

/* Stop the server, remove its directory, wait for both. NULL is fine. */
void tmpdb_stop(tmpdb *db);

#endif
