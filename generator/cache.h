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
 * ~/.cache/pgqc — for root /var/cache/pgqc, since root's home is private
 * and the server user must reach the cluster):
 *
 *   ROOT/                    pgqc's user, not writable by others (root: 0711)
 *     cluster-KEY/           one per server, pgqc's user (root: 0711); KEY
 *                            hashes the layout and fingerprint version, the
 *                            bindir, the postgres binary's identity and the
 *                            server user
 *       lock                 flock'ed exclusively by the pgqc using the entry
 *       server               the bindir the entry was made for
 *       cluster.ok           marker, written after initdb succeeded, with the
 *                            schema fingerprint of a fresh database
 *       template-HASH.ok     marker, written after database pgqc_tpl_HASH was
 *                            fully migrated, with its schema fingerprint; its
 *                            mtime is the last use
 *       data/                the cluster: the only part the server user owns
 *
 * Trust: everything pgqc relies on (lock, markers) is in directories that
 * only pgqc's user can write; the server user owns data/ alone and can
 * change what is in it, so a template is reused only while its schema
 * fingerprint (computed by the caller) matches its marker. ROOT and every
 * directory above it must be owned by root or pgqc's user and not writable
 * by others (a sticky world-writable directory such as /tmp is fine, and so
 * is group write for the user's own private group), or
 * the cache is refused (CACHE_UNSAFE): anyone who could write there could
 * replace a cache directory with a link. Every file of the cache is opened
 * relative to a verified directory descriptor without following links, and
 * removed without following links (fs_remove_tree_at).
 *
 * Invariants: a marker is written last and checked first, so a half-built
 * entry (pgqc killed during initdb or a migration) is never used — it is
 * removed and rebuilt. Everything in an entry is read or changed only by the
 * process holding its lock; the lock is also held by the tmpdb watchdog
 * until the server on the cluster has stopped, so two servers never run on
 * one data directory.
 *
 * Ownership: a cache_entry owns its strings and descriptors; cache_close()
 * releases them. Nothing here prints: failures return false (or a
 * cache_status) with a malloc'ed message in *err.
 */
#ifndef PGQC_CACHE_H
#define PGQC_CACHE_H

#include <stdbool.h>

#include <pgqc/migrate.h>

typedef struct cache_entry {
    char *dir;     /* ROOT/cluster-KEY */
    char *datadir; /* ROOT/cluster-KEY/data */
    int rootfd;    /* open on ROOT (verified); -1 when closed */
    int dirfd;     /* open on dir (verified); -1 when closed */
    int lockfd;    /* open on dir/lock, flock'ed; -1 when closed */
} cache_entry;

/* Why the cache could not be opened. */
typedef enum cache_status {
    CACHE_OK = 0,
    CACHE_UNUSABLE, /* cannot be used here (not creatable, unreachable): fall back */
    CACHE_UNSAFE    /* someone else could change it: refuse, the user must act */
} cache_status;

/* How many template databases a cluster keeps (least recently used go first). */
#define CACHE_KEEP_TEMPLATES 4

/* Longest schema fingerprint a marker records (hex digits). */
#define CACHE_FINGERPRINT_MAX 64

/*
 * What the schema fingerprint covers (dbsource.c): part of the entry key,
 * so pgqc builds that compute it differently use different entries of a
 * shared cache instead of taking each other's markers for tampering.
 * Bump it whenever the fingerprint query changes.
 */
#define CACHE_FINGERPRINT_VERSION 3

/*
 * The cache root from the environment (see above), malloc'ed; NULL with
 * *err when neither PGQC_CACHE_DIR, XDG_CACHE_HOME nor HOME is set.
 */
char *cache_root(char **err);

/*
 * Open and lock the entry for the server in `bindir` under `root`,
 * creating directories as needed, after checking that nobody but pgqc's
 * user (and root) can change them. Waits up to `wait_ms` for another pgqc
 * to release the entry; *waited tells whether it had to. On failure *err
 * says why and, for CACHE_UNSAFE, *hint what to do (both malloc'ed).
 */
cache_status cache_open(const char *root, const char *bindir, int wait_ms, cache_entry *ce,
                        bool *waited, char **err, char **hint);

/*
 * Remove the entries beside `ce` (in its cache root) made for the same `bindir` but
 * for other binaries (the server was upgraded: their key changed) or by an
 * older layout, unless another pgqc holds them. Returns how many were removed.
 */
size_t cache_prune_superseded(const char *bindir, const cache_entry *ce);

/* Release the lock (the watchdog may still hold it) and free the entry. */
void cache_close(cache_entry *ce);

/*
 * Is the cluster complete (its marker present and valid, PG_VERSION
 * there)? When it is and `baseline` is not NULL, *baseline receives the
 * fingerprint recorded with it (malloc'ed).
 */
bool cache_cluster_ready(const cache_entry *ce, char **baseline);

/* Record that initdb into datadir succeeded; `baseline`: a fresh database's fingerprint. */
bool cache_mark_cluster(const cache_entry *ce, const char *baseline, char **err);

/* Remove the cluster's marker only: the next run (holding the lock) rebuilds it. */
void cache_distrust_cluster(const cache_entry *ce);

/*
 * Remove the cluster and every marker, and leave an empty data directory
 * owned by the server user, ready for initdb.
 */
bool cache_forget_cluster(const cache_entry *ce, char **err);

/*
 * The migration set's identity: hex SHA-256 (first 16 digits) of every
 * version, checksum and transaction mode, in order.
 */
void cache_migration_hash(const pgqc_migration_set *set, char out[17]);

/* The template database name for `hash`: "pgqc_tpl_HASH" (malloc'ed). */
char *cache_template_name(const char *hash);

/*
 * Is the template for `hash` complete? Also marks it as just used. When it
 * is and `fingerprint` is not NULL, *fingerprint receives the schema
 * fingerprint recorded when it was built (malloc'ed).
 */
bool cache_template_ready(const cache_entry *ce, const char *hash, char **fingerprint);

/* Record that the template for `hash` is complete, with its schema fingerprint. */
bool cache_mark_template(const cache_entry *ce, const char *hash, const char *fingerprint,
                         char **err);

/* Forget the template for `hash` (its marker; the caller drops the database). */
void cache_forget_template(const cache_entry *ce, const char *hash);

/*
 * Hashes of the complete templates beyond the `keep` most recently used,
 * oldest first (malloc'ed array of malloc'ed strings; *n entries).
 */
char **cache_stale_templates(const cache_entry *ce, int keep, size_t *n);

#endif
