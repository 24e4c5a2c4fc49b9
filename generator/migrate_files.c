/*
 * migrate_files.c — splitting no-transaction scripts with libpg_query and
 * creating new migration files (see migrate_files.h).
 */
#include "migrate_files.h"
#include "fsutil.h"
#include "strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pg_query.h>

bool migrate_split_sql(const char *sql, pgqc_stmt_span **spans, size_t *n, char **err, void *ctx)
{
    (void)ctx;
    PgQuerySplitResult r = pg_query_split_with_parser(sql);
    if (r.error) {
        *err = xstrfmt("%s (at byte %d)", r.error->message, r.error->cursorpos);
        pg_query_free_split_result(r);
        return false;
    }
    *spans = xcalloc((size_t)r.n_stmts + 1, sizeof **spans);
    *n = (size_t)r.n_stmts;
    for (int i = 0; i < r.n_stmts; i++) {
        (*spans)[i].offset = (size_t)r.stmts[i]->stmt_location;
        (*spans)[i].length = (size_t)r.stmts[i]->stmt_len;
        if (r.stmts[i]->stmt_len == 0) /* the last statement runs to the end */
            (*spans)[i].length = strlen(sql) - (size_t)r.stmts[i]->stmt_location;
    }
    pg_query_free_split_result(r);
    return true;
}

bool migrate_load_set(const char *dir, pgqc_migration_set **out, pgqc_migrate_result *res)
{
    if (!pgqc_migration_set_load_dir(dir, out, res))
        return false;
    pgqc_migrate_result_free(res);
    if (pgqc_migration_set_split(*out, migrate_split_sql, NULL, res))
        return true;
    pgqc_migration_set_free(*out);
    *out = NULL;
    return false;
}

bool migrate_name_ok(const char *name)
{
    if (!islower((unsigned char)name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

/* Highest version in `dir` and the digit count its names use. */
static void scan_versions(const char *dir, int64_t *highest, int *width)
{
    *highest = 0;
    *width = 4;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t v;
        char *desc = NULL;
        pgqc_file_kind kind;
        const char *why;
        if (!pgqc_migration_parse_name(de->d_name, &v, &desc, &kind, &why))
            continue;
        free(desc);
        if (v >= *highest) {
            *highest = v;
            *width = (int)strspn(de->d_name, "0123456789");
        }
    }
    closedir(d);
}

/* Create `path` with `text`, refusing to overwrite. */
static bool create_new(const char *path, const char *text, char **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        *err = xstrfmt("cannot create %s: %s", path, strerror(errno));
        return false;
    }
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    ok &= close(fd) == 0;
    if (!ok)
        *err = xstrfmt("cannot write %s: %s", path, strerror(errno));
    return ok;
}

bool migrate_new_files(const char *dir, const char *name, char **up_path, char **down_path,
                       char **err)
{
    *up_path = *down_path = NULL;
    if (!migrate_name_ok(name)) {
        *err = xstrfmt("migration name \"%s\" is not snake_case (lower-case letters, digits "
                       "and '_', starting with a letter)",
                       name);
        return false;
    }
    if (!fs_mkdirs(dir, false, err))
        return false;
    int64_t highest;
    int width;
    scan_versions(dir, &highest, &width);
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    *up_path = xstrfmt("%s%s%0*" PRId64 "_%s.up.sql", dir, sep, width, highest + 1, name);
    *down_path = xstrfmt("%s%s%0*" PRId64 "_%s.down.sql", dir, sep, width, highest + 1, name);
    char *up_text = xstrfmt("-- %s: write the change here.\n", name);
    char *down_text = xstrfmt("-- %s: undo exactly what the .up.sql file does.\n", name);
    bool ok = create_new(*up_path, up_text, err);
    if (ok && !create_new(*down_path, down_text, err)) {
        unlink(*up_path); /* ours: created just above */
        ok = false;
    }
    free(up_text);
    free(down_text);
    return ok;
}
