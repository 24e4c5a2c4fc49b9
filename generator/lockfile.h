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
 * Nothing here prints: problems are diagnostics.
 */
#ifndef PGQC_LOCKFILE_H
#define PGQC_LOCKFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "diag.h"

/* The lock file format this pgqc reads and writes. */
#define LOCKFILE_FORMAT 1

/* Where the lock file goes by default: pgqc.lock beside the migrations directory. */
char *lockfile_default_path(const char *migrations_dir);

/*
 * The lock file's text for `a`, fingerprinting each input file `paths[i]`
 * under the name `keys[i]` (its path relative to the lock file): keys
 * sorted, two-space indent, final newline, exactly as jansson prints the
 * same document with JSON_SORT_KEYS (caller frees). Printed directly, not
 * built as a tree, which for 10,000 queries would cost more than the rest
 * of writing the lock. NULL with a diagnostic when a file cannot be read.
 */
char *lockfile_text(const analysis *a, char *const *paths, char *const *keys, size_t npaths,
                    diag_list *dl);

/* Read and validate a lock file; NULL with a diagnostic. */
json_t *lockfile_read(const char *path, diag_list *dl);

/*
 * Compare the lock's fingerprints with the input files `paths[i]` (recorded
 * as `keys[i]`): one diagnostic (severity `sev`) per file changed, added or
 * removed since the lock was written. Returns the number of stale files.
 */
size_t lockfile_check_sources(const json_t *lock, const char *lock_path, char *const *paths,
                              char *const *keys, size_t npaths, diag_severity sev, diag_list *dl);

/* The analysis stored in the lock (NULL with a diagnostic when malformed). */
analysis *lockfile_analysis(const json_t *lock, const char *lock_path, diag_list *dl);

/* SHA-256 of a file's bytes as 64 hex digits in `hex`; false with *err on failure. */
bool file_sha256(const char *path, char hex[65], char **err);

#endif
