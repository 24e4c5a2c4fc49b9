/*
 * migrate_set.c — reading a migration set (contract in
 * include/pgqc/migrate.h): file names, the normalisation and checksum of
 * scripts, loading from a directory or from embedded text, and attaching
 * the statement split of no-transaction scripts.
 */
#include "migrate_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- checksums ----------------------------------------------------------- */

char *pgqc_migration_normalize(const char *text, size_t len, char hex_out[65])
{
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF) {
        text += 3;
        len -= 3;
    }
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        out[o++] = text[i];
    }
    out[o] = '\0';
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(out, o, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        free(out);
        return NULL;
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex_out + 2 * i, 3, "%02x", md[i]);
    return out;
}

/* ---- parsing file names ------------------------------------------------- */

/*
 * "0001_create_users.up.sql" -> version 1, description "create_users", up.
 * Returns false (with a reason) for a .sql file that does not follow the
 * pattern.
 */
bool pgqc_migration_parse_name(const char *name, int64_t *version, char **desc,
                               pgqc_file_kind *kind, const char **why)
{
    size_t len = strlen(name);
    const char *p = name;
    if (!isdigit((unsigned char)*p)) {
        *why = "name must start with a version number (NNNN_description.up.sql)";
        return false;
    }
    int64_t v = 0;
    while (isdigit((unsigned char)*p)) {
        if (v > (INT64_MAX - 9) / 10) {
            *why = "version number is too large";
            return false;
        }
        v = v * 10 + (*p++ - '0');
    }
    if (*p != '_') {
        *why = "version must be followed by '_' and a description (NNNN_description.up.sql)";
        return false;
    }
    p++;
    size_t rest = len - (size_t)(p - name);
    size_t dlen;
    if (rest > 7 && strcmp(name + len - 7, ".up.sql") == 0) {
        *kind = PGQC_FILE_UP;
        dlen = rest - 7;
    } else if (rest > 9 && strcmp(name + len - 9, ".down.sql") == 0) {
        *kind = PGQC_FILE_DOWN;
        dlen = rest - 9;
    } else {
        *kind = PGQC_FILE_UP_ONLY;
        dlen = rest - 4;
    }
    if (dlen == 0) {
        *why = "description is empty (NNNN_description.up.sql)";
        return false;
    }
    for (size_t i = 0; i < dlen; i++) {
        char c = p[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '_')) {
            *why = "description must be snake_case: lower-case letters, digits and '_'";
            return false;
        }
    }
    *version = v;
    *desc = mig_dupn(p, dlen);
    return *desc != NULL;
}

static bool first_line_is(const char *sql, const char *directive)
{
    while (*sql == ' ' || *sql == '\t')
        sql++;
    size_t n = strlen(directive);
    if (strncmp(sql, directive, n) != 0)
        return false;
    sql += n;
    while (*sql == ' ' || *sql == '\t')
        sql++;
    return *sql == '\n' || *sql == '\0';
}

static int cmp_migration(const void *a, const void *b)
{
    const pgqc_migration *x = a, *y = b;
    return x->version < y->version ? -1 : x->version > y->version;
}

static pgqc_migration *find_version(pgqc_migration_set *set, int64_t v)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].version == v)
            return &set->items[i];
    return NULL;
}

/* Add one named script to the set; `path` is how errors name it. */
static bool add_script(pgqc_migration_set *set, const char *name, const char *path,
                       const char *text, size_t len, pgqc_migrate_result *res)
{
    int64_t version;
    char *desc = NULL;
    pgqc_file_kind kind;
    const char *why = NULL;
    if (!pgqc_migration_parse_name(name, &version, &desc, &kind, &why)) {
        mig_add_error(res, path, "invalid migration file name: %s", why ? why : "out of memory");
        mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        return false;
    }
    char hex[65];
    char *norm = pgqc_migration_normalize(text, len, hex);
    if (!norm) {
        free(desc);
        mig_add_error(res, path, "out of memory");
        mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        return false;
    }
    pgqc_migration *m = find_version(set, version);
    if (!m) {
        pgqc_migration *n = realloc(set->items, (set->count + 1) * sizeof *n);
        if (!n) {
            free(desc);
            free(norm);
            return false;
        }
        set->items = n;
        m = &n[set->count++];
        memset(m, 0, sizeof *m);
        m->version = version;
        m->description = desc;
    } else if (strcmp(m->description, desc) != 0) {
        mig_add_error(res, path, "duplicate migration version %" PRId64 " (also used by \"%s\")",
                      version, m->up_name ? m->up_name : m->down_name);
        mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        free(desc);
        free(norm);
        return false;
    } else {
        free(desc);
    }
    if (kind == PGQC_FILE_DOWN) {
        if (m->down_sql) {
            mig_add_error(res, path, "duplicate down migration for version %" PRId64, version);
            mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            free(norm);
            return false;
        }
        m->down_name = mig_dup0(path);
        m->down_sql = norm;
        m->down_no_transaction = first_line_is(norm, "-- pgqc:no-transaction");
    } else {
        if (m->up_sql) {
            mig_add_error(res, path,
                          "duplicate migration version %" PRId64 " (also used by \"%s\")", version,
                          m->up_name);
            mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            free(norm);
            return false;
        }
        m->up_name = mig_dup0(path);
        m->up_sql = norm;
        memcpy(m->checksum, hex, sizeof m->checksum);
        m->no_transaction = first_line_is(norm, "-- pgqc:no-transaction");
        if (kind == PGQC_FILE_UP_ONLY)
            m->down_name = NULL;
    }
    return true;
}

static bool finish_set(pgqc_migration_set *set, pgqc_migrate_result *res)
{
    bool ok = res->nerrors == 0;
    for (size_t i = 0; i < set->count; i++) {
        if (!set->items[i].up_sql) {
            mig_add_error(res, set->items[i].down_name,
                          "down migration has no up migration with version %" PRId64,
                          set->items[i].version);
            mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            ok = false;
        }
    }
    if (set->count)
        qsort(set->items, set->count, sizeof *set->items, cmp_migration);
    return ok;
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool pgqc_migration_set_load_dir(const char *dir, pgqc_migration_set **out,
                                 pgqc_migrate_result *res)
{
    *out = NULL;
    memset(res, 0, sizeof *res);
    res->success = true;
    DIR *d = opendir(dir);
    if (!d) {
        mig_add_error(res, dir, "cannot open migrations directory: %s", strerror(errno));
        mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        return false;
    }
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 4 || strcmp(de->d_name + l - 4, ".sql") != 0)
            continue;
        char **nn = realloc(names, (nnames + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        names[nnames++] = mig_dup0(de->d_name);
    }
    closedir(d);
    if (nnames)
        qsort(names, nnames, sizeof *names, cmp_str);

    pgqc_migration_set *set = calloc(1, sizeof *set);
    set->dir = mig_dup0(dir);
    for (size_t i = 0; i < nnames; i++) {
        size_t dl = strlen(dir);
        char *path = malloc(dl + strlen(names[i]) + 2);
        sprintf(path, "%s%s%s", dir, (dl && dir[dl - 1] == '/') ? "" : "/", names[i]);
        size_t len = 0;
        char *text = read_whole(path, &len);
        if (!text) {
            mig_add_error(res, path, "cannot read migration: %s", strerror(errno));
            mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        } else {
            add_script(set, names[i], path, text, len, res);
            free(text);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    if (!finish_set(set, res)) {
        pgqc_migration_set_free(set);
        return false;
    }
    *out = set;
    return true;
}

bool pgqc_migration_set_from_memory(const char *const *names, const char *const *texts, size_t n,
                                    pgqc_migration_set **out, pgqc_migrate_result *res)
{
    *out = NULL;
    memset(res, 0, sizeof *res);
    res->success = true;
    pgqc_migration_set *set = calloc(1, sizeof *set);
    if (!set)
        return false;
    for (size_t i = 0; i < n; i++)
        add_script(set, names[i], names[i], texts[i], strlen(texts[i]), res);
    if (!finish_set(set, res)) {
        pgqc_migration_set_free(set);
        return false;
    }
    *out = set;
    return true;
}

void pgqc_migration_set_free(pgqc_migration_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        pgqc_migration *m = &set->items[i];
        free(m->description);
        free(m->up_name);
        free(m->up_sql);
        free(m->down_name);
        free(m->down_sql);
        free(m->up_stmts);
        free(m->down_stmts);
    }
    free(set->items);
    free(set->dir);
    free(set);
}
/* Split one script; false (error in `res`) when the splitter fails. */
static bool split_script(const char *file, const char *sql, pgqc_sql_splitter split, void *ctx,
                         pgqc_stmt_span **spans, size_t *n, pgqc_migrate_result *res)
{
    char *err = NULL;
    free(*spans);
    *spans = NULL;
    *n = 0;
    if (split(sql, spans, n, &err, ctx))
        return true;
    mig_add_error(res, file, "cannot split into statements: %s", err ? err : "unknown error");
    mig_set_failure(res, PGQC_MIGRATE_FILE_ERROR);
    free(err);
    return false;
}

bool pgqc_migration_set_split(pgqc_migration_set *set, pgqc_sql_splitter split, void *ctx,
                              pgqc_migrate_result *res)
{
    *res = mig_result_init();
    bool ok = true;
    for (size_t i = 0; i < set->count; i++) {
        pgqc_migration *m = &set->items[i];
        if (m->no_transaction)
            ok &=
                split_script(m->up_name, m->up_sql, split, ctx, &m->up_stmts, &m->n_up_stmts, res);
        if (m->down_sql && m->down_no_transaction)
            ok &= split_script(m->down_name, m->down_sql, split, ctx, &m->down_stmts,
                               &m->n_down_stmts, res);
    }
    return ok;
}
