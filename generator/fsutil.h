/*
 * fsutil.h — the file-system chores of the generator: reading whole files,
 * writing output atomically (temp file + rename, and not at all when the
 * content is unchanged so ninja/make see no new timestamp), listing .sql
 * files, and removing a directory tree.
 *
 * Errors are returned as a malloc'ed message in `*err` (caller frees);
 * nothing here prints.
 */
#ifndef PGQC_FSUTIL_H
#define PGQC_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Read all of `path`; NUL-terminated; NULL with *err on failure. */
char *fs_read_file(const char *path, size_t *len, char **err);

/*
 * Read all of `path`, NUL bytes included (*len is the byte count; a NUL is
 * appended). For callers that report a NUL byte with its position
 * themselves; fs_read_file() refuses such a file outright.
 */
char *fs_read_bytes(const char *path, size_t *len, char **err);

/*
 * Write `data` to `path` atomically: a temp file in the same directory,
 * fsync'ed and renamed over `path`. When the file already holds exactly
 * `data`, nothing is written and *changed is false.
 */
bool fs_write_if_changed(const char *path, const char *data, size_t len, bool *changed, char **err);

/* Is `path` a directory / a regular file? */
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);

/*
 * The `.sql` files under `path` (a directory, searched non-recursively, or a
 * single file), sorted by name, appended to *files (caller frees each and
 * the array).
 */
bool fs_list_sql(const char *path, char ***files, size_t *n, char **err);

/* Remove `path` and everything below it (no error when it does not exist). */
bool fs_remove_tree(const char *path);

/* Create `path` and missing parents with mode 0755 (0700 when private). */
bool fs_mkdirs(const char *path, bool private_dir, char **err);

/*
 * `path` relative to directory `base` (both resolved with realpath, so
 * "queries/a.sql" and "/abs/proj/queries/a.sql" give the same answer);
 * `path` itself when either cannot be resolved. Malloc'ed.
 */
char *fs_relpath(const char *base, const char *path);

/* The directory part of `path` ("." when it has none), malloc'ed. */
char *fs_dirname(const char *path);

/*
 * Remember a temp file to unlink if the process is killed by SIGINT/SIGTERM
 * while it exists (async-signal-safe cleanup); NULL clears it.
 */
void fs_set_pending_temp(const char *path);

/* Unlink the pending temp file, if any (called from signal handlers). */
void fs_cleanup_pending_temp(void);

#endif
