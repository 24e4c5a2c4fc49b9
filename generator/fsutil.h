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
#include <sys/types.h>

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

/* One output of fs_write_outputs(). */
typedef struct fs_output {
    const char *path;
    const char *data;
    size_t len;
    bool changed; /* set: the file was (re)written */
} fs_output;

/*
 * Write several files as one: each changed one is first written in full to
 * a temp file beside it and fsync'ed; only when all of them are on disk
 * are they renamed over their targets. A failure (a full disk: "no space
 * left on device") removes the temp files and leaves every target as it
 * was. Unchanged files are not touched.
 */
bool fs_write_outputs(fs_output *outs, size_t n, char **err);

/*
 * Can files be created in directory `path` (created if missing)? False
 * with *err naming the path when it exists but is not a directory, when
 * the parent it would be created in is not a directory, or when either is
 * not writable.
 */
bool fs_check_output_dir(const char *path, char **err);

/* Is `path` a directory / a regular file? */
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);

/*
 * The `.sql` files under `path` (a directory, searched non-recursively, or a
 * single file), sorted by name, appended to *files (caller frees each and
 * the array).
 */
bool fs_list_sql(const char *path, char ***files, size_t *n, char **err);

/*
 * fs_list_sql(), but a directory is searched recursively: every `.sql`
 * file below it, hidden files and directories (".name") skipped, each
 * directory read once even through symlinks, sorted by path (strcmp), so
 * the order does not depend on the file system.
 */
bool fs_list_sql_tree(const char *path, char ***files, size_t *n, char **err);

/*
 * Remove `path` and everything below it (no error when it does not exist).
 * Symbolic links inside are removed, never followed (see fs_remove_tree_at);
 * a link at `path` itself is removed too. True when `path` is gone.
 */
bool fs_remove_tree(const char *path);

/*
 * Remove `name` in the directory open as `dirfd`, and everything below it,
 * without ever following a symbolic link: every step is relative to a
 * directory descriptor (openat with O_NOFOLLOW, fstatat, unlinkat), so a
 * link planted in the tree — even while it is being removed — is removed
 * as a link. True when `name` is gone (or never existed).
 */
bool fs_remove_tree_at(int dirfd, const char *name);

/*
 * Open directory `name` in `dirfd` (AT_FDCWD: relative to the current
 * directory) for use as a directory descriptor, refusing a symbolic link
 * (O_NOFOLLOW); -1 with errno (ELOOP for a link, ENOTDIR) on failure.
 */
int fs_open_dir_at(int dirfd, const char *name);

/*
 * Read regular file `name` in `dirfd`, at most `max` bytes, refusing a
 * symbolic link, a FIFO or a device (so a planted one can neither redirect
 * nor block the read). NUL-terminated; NULL with *err.
 */
char *fs_read_at(int dirfd, const char *name, size_t max, size_t *len, char **err);

/*
 * Write `data` to `name` in `dirfd` atomically with `mode`: a new temp file
 * (O_CREAT | O_EXCL | O_NOFOLLOW) in the same directory, fsync'ed, renamed
 * over `name` (which replaces a link, never writes through one).
 */
bool fs_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                 char **err);

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
 * Unlink the temp files being written, if any: called from the SIGINT and
 * SIGTERM handlers (async-signal-safe).
 */
void fs_cleanup_pending_temp(void);

#endif
