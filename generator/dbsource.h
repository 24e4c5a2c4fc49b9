/*
 * dbsource.h — getting the database a command works on.
 *
 * Either the server the user named (--database-url / DATABASE_URL), used
 * as it is — pgqc never changes it here, and a database with pending or
 * modified migrations is an error, since its schema would not match the
 * files — or, with neither given, the embedded default: a server with
 * every migration applied. The embedded default uses the cache (cache.h)
 * when it can: the cached cluster, started in place, and the template
 * database of this migration set, built on first use; a caller that only
 * reads (analysis PREPAREs, it never executes) gets the template itself,
 * others a fresh copy of it. When the cache is disabled (--no-cache) or
 * unusable it falls back to a throwaway server (tmpdb.h) as before. What it
 * did can be described, one line each, in a caller's strbuf (`--verbose`).
 *
 * Failures are reported as diagnostics with an exit class: DBSRC_CONFIG
 * (exit 2), DBSRC_UNREACHABLE (exit 3), DBSRC_MIGRATION (exit 1).
 */
#ifndef PGQC_DBSOURCE_H
#define PGQC_DBSOURCE_H

#include <libpq-fe.h>
#include <pgqc/migrate.h>

#include "cache.h"
#include "diag.h"
#include "strbuf.h"
#include "tmpdb.h"

typedef enum dbsrc_status {
    DBSRC_OK = 0,
    DBSRC_MIGRATION,  /* migrations failed / pending / modified: exit 1 */
    DBSRC_CONFIG,     /* bad configuration: exit 2 */
    DBSRC_UNREACHABLE /* cannot connect or start a server: exit 3 */
} dbsrc_status;

typedef struct dbsource {
    PGconn *pg;
    tmpdb *embedded;   /* NULL when using the user's server */
    char *conninfo;    /* embedded: connection string of pg's database */
    cache_entry cache; /* embedded and cached: the locked cache entry (lockfd -1 otherwise) */
    char *scratch_db;  /* cached, not read-only: the copy made for this run, dropped on close */
    strbuf *log;       /* from dbsource_options (not owned); NULL: no log */
} dbsource;

/* Choices for dbsource_open_with(). Zero-initialise, then set. */
typedef struct dbsource_options {
    bool no_cache;  /* embedded: always a throwaway server (--no-cache) */
    bool read_only; /* the caller never writes: the cached template may be used directly */
    strbuf *log;    /* when set: receives what the embedded default did, one line each */
} dbsource_options;

/*
 * Open the database for a command. `url` is the --database-url value or
 * NULL (then DATABASE_URL, then the embedded default). With the embedded
 * default, `set` is applied first. With a user's server and
 * `require_migrated`, pending or modified migrations are an error.
 */
dbsrc_status dbsource_open(const char *url, const pgqc_migration_set *set, bool require_migrated,
                           dbsource *out, diag_list *dl);

/* dbsource_open() with options (dbsource_open uses all defaults). */
dbsrc_status dbsource_open_with(const char *url, const pgqc_migration_set *set,
                                bool require_migrated, const dbsource_options *opt, dbsource *out,
                                diag_list *dl);

/*
 * Connect to `conninfo`; on failure a diagnostic (password never shown) and,
 * when `why` is not NULL, *why = DBSRC_CONFIG for a string libpq cannot
 * parse (exit 2) or DBSRC_UNREACHABLE for a server it cannot reach (exit 3).
 */
PGconn *dbsource_connect(const char *conninfo, dbsrc_status *why, diag_list *dl);

/*
 * Close the connection and stop the embedded server, if any. A cached
 * server is only asked to stop: its watchdog completes the shutdown and
 * then unlocks the cache entry, so pgqc need not wait for it.
 */
void dbsource_close(dbsource *src);

/* The URL to use: `url` when given, else $DATABASE_URL, else NULL. */
const char *dbsource_url(const char *url);

/* `conninfo`, as written, with every password replaced by "***" (redact.h; malloc'ed). */
char *dbsource_redact(const char *conninfo);

/* Turn migration runner errors into diagnostics. */
void dbsource_report_migrate(const pgqc_migrate_result *res, diag_list *dl);

#endif
