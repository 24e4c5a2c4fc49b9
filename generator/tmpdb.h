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
 * first, holds one end of a socket; when pgqc exits for any reason
 * (normally, on error, on SIGINT/SIGTERM, even on SIGKILL) the socket
 * closes and the watchdog stops the server and removes the directory. It
 * signals only the helpers pgqc started, and only while they live (pidfds).
 * tmpdb_stop() triggers the same and waits until it is done.
 *
 * The temp dir is $TMPDIR/pgqc-XXXXXX, or /tmp/pgqc-XXXXXX when $TMPDIR is
 * too long for a Unix socket path. initdb and the server run with a
 * minimal environment, never pgqc's (which may hold passwords).
 *
 * tmpdb_start_with() can instead run the server on a persistent data
 * directory (the cache, cache.h): then only the socket directory is
 * temporary, the watchdog stops the server with a fast (clean) shutdown,
 * never touches the data directory, and keeps `hold_fd` (the cache lock)
 * open until the server is gone, so the next user of the cluster cannot
 * start before this server has stopped.
 */
#ifndef PGQC_TMPDB_H
#define PGQC_TMPDB_H

#include <stdbool.h>
#include <sys/types.h>

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

/* How to start a server on a persistent data directory. */
typedef struct tmpdb_options {
    const char *bindir;  /* server binaries; NULL: tmpdb_find_bindir() */
    const char *datadir; /* used in place; NULL: a throwaway one (tmpdb_start) */
    bool initdb;         /* run initdb into datadir first (empty, owned by the server user) */
    int hold_fd;         /* kept open by the watchdog until the server is gone; -1: none */
} tmpdb_options;

/* Start a server as `opt` says; NULL with *err (malloc'ed) and *why on failure. */
tmpdb *tmpdb_start_with(const tmpdb_options *opt, char **err, tmpdb_failure *why);

/*
 * The user the server runs as: pgqc's own when not root, else "postgres"
 * (or "nobody"). *drop tells whether it differs from pgqc's. False with
 * *err when running as root and no such user exists.
 */
bool tmpdb_server_user(uid_t *uid, gid_t *gid, bool *drop, char **err);

/* libpq connection string for the server's "postgres" database. */
const char *tmpdb_conninfo(const tmpdb *db);

/* Connection string for database `dbname` on the server (malloc'ed). */
char *tmpdb_conninfo_for(const tmpdb *db, const char *dbname);

/* Stop the server, remove its directory, wait for both. NULL is fine. */
void tmpdb_stop(tmpdb *db);

/*
 * Tell the watchdog to stop the server and return at once: the watchdog
 * finishes the shutdown (and releases hold_fd) after pgqc has moved on or
 * exited. NULL is fine.
 */
void tmpdb_release(tmpdb *db);

#endif
