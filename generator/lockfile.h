/*
 * lockfile.h — pgqc.lock: what `pgqc generate` knew when it last ran.
 *
 * A stable, sorted, diff-friendly JSON file holding the pgqc version, a
 * SHA-256 fingerprint of every migration and query file read, and the full
 * analysis of every query (what `pgqc describe --json` prints, plus the user
 * types). It lets `generate --offline` emit byte-identical code with no
 * database and no server binaries, and `pgqc check` tell CI exactly what is
 * stale. A change in a query's types shows up as a line-level diff of it.
 *
 * The lock is a pure function of the sources and options: it records no
 * OID the server assigned (see analysis_json.h), so it is byte-identical
 * whichever database or cache state produced it. It is also untrusted
 * input when read back: it is validated strictly, and a digest of its
 * analysis tells `check` and `generate --offline` that it was edited.
 *
 * Nothing here prints: problems are diagnostics.
 */
#ifndef PGQC_LOCKFILE_H
#define PGQC_LOCKFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "diag.h"
#include "typemap.h"

/*
 * The lock file format this pgqc reads and writes. Format 2: user types
 * are referenced by name, never by the OID a server assigned; the type
 * mappings and headers of the generating run are recorded ("options"); and
 * "analysis_sha256" is the digest of the analysis and options.
 */
#define LOCKFILE_FORMAT 2

/* The code-generation options a lock records: --map-type and --include. */
typedef struct lock_options {
    type_map *maps;
    size_t nmaps;
    const char **includes;
    size_t nincludes;
} lock_options;

/* A lock file, read and validated. */
typedef struct lockfile {
    json_t *json;       /* the whole document (its "files" are compared with the sources) */
    analysis *analysis; /* rebuilt from "analysis", with canonical OIDs */
    lock_options opt;
    bool edited; /* analysis and options do not match "analysis_sha256" */
} lockfile;

/* Why lockfile_load() gave NULL. */
typedef enum lock_failure { LOCK_MISSING = 1, LOCK_MALFORMED } lock_failure;

/* Where the lock file goes by default: pgqc.lock beside the migrations directory. */
char *lockfile_default_path(const char *migrations_dir);

/*
 * The lock file's text for `a` (canonical OIDs, see analysis.h) generated
 * with options `opt`, fingerprinting each input file `paths[i]` under the
 * name `keys[i]` (its path relative to the lock file): keys sorted,
 * two-space indent, final newline, exactly as jansson prints the same
 * document with JSON_SORT_KEYS (caller frees). Printed directly, not built
 * as a tree, which for 10,000 queries would cost more than the rest of
 * writing the lock. NULL with a diagnostic when a file cannot be read.
 */
char *lockfile_text(const analysis *a, const lock_options *opt, char *const *paths,
                    char *const *keys, size_t npaths, diag_list *dl);

/*
 * Read and validate the lock file at `path` (see analysis_from_json() for
 * how strictly). NULL with a diagnostic naming `path` (and the JSON path
 * of the bad value), and *why saying whether it is missing or malformed.
 */
lockfile *lockfile_load(const char *path, diag_list *dl, lock_failure *why);

/* The same for the lock text `text` of `len` bytes, reported as `origin`. */
lockfile *lockfile_parse(const char *text, size_t len, const char *origin, diag_list *dl);

void lockfile_free(lockfile *lf);

/* SHA-256 (hex) of the lock form of `a` and `opt`, as "analysis_sha256" records it. */
void lockfile_digest(const analysis *a, const lock_options *opt, char hex[65]);

/*
 * Compare the lock's fingerprints with the input files `paths[i]` (recorded
 * as `keys[i]`): one diagnostic (severity `sev`) per file changed, added or
 * removed since the lock was written. Returns the number of stale files.
 */
size_t lockfile_check_sources(const lockfile *lf, const char *lock_path, char *const *paths,
                              char *const *keys, size_t npaths, diag_severity sev, diag_list *dl);

/* SHA-256 of a file's bytes as 64 hex digits in `hex`; false with *err on failure. */
bool file_sha256(const char *path, char hex[65], char **err);

#endif
