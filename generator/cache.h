/*
 * cache.h — the on-disk cache that makes warm embedded runs fast.
 *
 * initdb costs ~1 s and copying a data directory is no cheaper, so the
 * cache keeps one initialised cluster per server and reuses it in place;
 * inside it, one template database per migration set already holds the
 * migrated schema. A warm run only starts the server on the cached
 * cluster (tmpdb_start_with) and connects to the template.
 *
 * Layout (ROOT is $PGQC_CACHE_DIR, else $XDG_CACHE_HOME/pgqc, else
 * ~/.cache/pgqc):
 *
 *   ROOT/cluster-KEY/             one per server: KEY hashes the bindir, the
 *                                 postgres binary's identity and the server user
 *     lock                        flock'ed exclusively by the pgqc using the entry
 *     server                      the bindir the entry was made for
 *     data/                       the cluster
 *     cluster.ok                  marker, written (atomically) after initdb succeeded
 *     template-HASH.ok            marker, written after database pgqc_tpl_HASH was
 *                                 fully migrated; its mtime is the last use
 *
 * Invariants: a marker is written last and checked first, so a half-built
 * entry (pgqc killed during initdb or a migration) is never used — it is
 * removed and rebuilt. Everything in an entry is read or changed only by the
 * process holding its lock; the lock is also held by the tmpdb watchdog
 * until the server on the cluster has stopped, so two servers never run on
 * one data directory.
 *
 * Ownership: a cache_entry owns its strings and the lock descriptor;
 * cache_close() releases both. Nothing here prints: failures return false
 * with a malloc'ed message in *err.
 */
#ifndef PGQC_CACHE_H
#define PGQC_CACHE_H

#include <stdbool.h>

#include <pgqc/migrate.h>

typedef struct cache_entry {
    char *dir;     /* ROOT/cluster-KEY */
    char *datadir; /* ROOT/cluster-KEY/data */
    int lockfd;    /* open on ROOT/cluster-KEY/lock, flock'ed; -1 when closed */
} cache_entry;

/* How many template databases a cluster keeps (least recently used go first). */
#define CACHE_KEEP_TEMPLATES 4

/*
 * The cache root from the environment (see above), malloc'ed; NULL with
 * *err when neither PGQC_CACHE_DIR, XDG_CACHE_HOME nor HOME is set.
 */
char *cache_root(char **err);

/*
 * Open and lock the entry for the server in `bindir` under `root`,
 * creating directories as needed (usable by the server user). Waits up to
 * `wait_ms` for another pgqc to release the entry; *waited tells whether it
 * had to. False with *err when the cache cannot be used.
 */
bool cache_open(const char *root, const char *bindir, int wait_ms, cache_entry *ce, bool *waited,
                char **err);

/*
 * Remove the entries under `root` made for the same `bindir` as `ce` but
 * for other binaries (the server was upgraded: their key changed), unless
 * another pgqc holds them. Returns how many were removed.
 */
size_t cache_prune_superseded(const char *root, const char *bindir, const cache_entry *ce);

/* Release the lock (the watchdog may still hold it) and free the entry. */
void cache_close(cache_entry *ce);

/* Is the cluster complete (its marker present and valid)? */
bool cache_cluster_ready(const cache_entry *ce);

/* Record that initdb into datadir succeeded. */
bool cache_mark_cluster(const cache_entry *ce, char **err);

/* Remove the cluster and every marker, so the next start runs initdb. */
void cache_forget_cluster(const cache_entry *ce);

/*
 * The migration set's identity: hex SHA-256 (first 16 digits) of every
 * version, checksum and transaction mode, in order.
 */
void cache_migration_hash(const pgqc_migration_set *set, char out[17]);

/* The template database name for `hash`: "pgqc_tpl_HASH" (malloc'ed). */
char *cache_template_name(const char *hash);

/* Is the template for `hash` complete? Also marks it as just used. */
bool cache_template_ready(const cache_entry *ce, const char *hash);

/* Record that the template for `hash` is complete. */
bool cache_mark_template(const cache_entry *ce, const char *hash, char **err);

/* Forget the template for `hash` (its marker; the caller drops the database). */
void cache_forget_template(const cache_entry *ce, const char *hash);

/*
 * Hashes of the complete templates beyond the `keep` most recently used,
 * oldest first (malloc'ed array of malloc'ed strings; *n entries).
 */
char **cache_stale_templates(const cache_entry *ce, int keep, size_t *n);

#endif
