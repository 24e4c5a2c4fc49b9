/*
 * migrate.c — the migration runner of libpgqc (contract in
 * include/pgqc/migrate.h): loading a migration set from a directory or from
 * embedded text, checksums, the tracking table, the advisory lock, and
 * applying pending migrations one transaction each.
 */
#include "pgqc/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

/* Advisory lock key: "pgqc" in ASCII, shared by every pgqc runner. */
#define PGQC_MIGRATE_LOCK_KEY INT64_C(0x70677163)

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS pgqc_migrations (\n"
    "    version bigint PRIMARY KEY,\n"
    "    description text NOT NULL,\n"
    "    checksum text NOT NULL,\n"
    "    applied_at timestamptz NOT NULL DEFAULT now(),\n"
    "    execution_ms double precision NOT NULL DEFAULT 0,\n"
    "    dirty boolean NOT NULL DEFAULT false,\n"
    "    no_transaction boolean NOT NULL DEFAULT false\n"
    ")";

/* ---- small helpers ------------------------------------------------------ */

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *dup0(const char *s)
{
    return s ? dupn(s, strlen(s)) : NULL;
}

static char *vfmt(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static pgqc_migrate_error *add_error(pgqc_migrate_result *res, const char *file, const char *fmt,
                                     ...) __attribute__((format(printf, 3, 4)));

static pgqc_migrate_error *add_error(pgqc_migrate_result *res, const char *file, const char *fmt,
                                     ...)
{
    pgqc_migrate_error *n = realloc(res->errors, (res->nerrors + 1) * sizeof *n);
    if (!n)
        return NULL;
    res->errors = n;
    pgqc_migrate_error *e = &n[res->nerrors++];
    memset(e, 0, sizeof *e);
    e->file = dup0(file);
    va_list ap;
    va_start(ap, fmt);
    e->message = vfmt(fmt, ap);
    va_end(ap);
    res->success = false;
    return e;
}

static void set_failure(pgqc_migrate_result *res, pgqc_migrate_failure f)
{
    res->success = false;
    if (res->failure == PGQC_MIGRATE_OK)
        res->failure = f;
}

void pgqc_migrate_result_free(pgqc_migrate_result *res)
{
    for (size_t i = 0; i < res->nerrors; i++) {
        free(res->errors[i].file);
        free(res->errors[i].message);
        free(res->errors[i].detail);
        free(res->errors[i].hint);
    }
    free(res->errors);
    free(res->versions);
    memset(res, 0, sizeof *res);
}

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

typedef enum { KIND_UP, KIND_DOWN, KIND_UP_ONLY } file_kind;

/*
 * "0001_create_users.up.sql" -> version 1, description "create_users", up.
 * Returns false (with a reason) for a .sql file that does not follow the
 * pattern.
 */
static bool parse_name(const char *name, int64_t *version, char **desc, file_kind *kind,
                       const char **why)
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
        *kind = KIND_UP;
        dlen = rest - 7;
    } else if (rest > 9 && strcmp(name + len - 9, ".down.sql") == 0) {
        *kind = KIND_DOWN;
        dlen = rest - 9;
    } else {
        *kind = KIND_UP_ONLY;
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
    *desc = dupn(p, dlen);
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
    file_kind kind;
    const char *why = NULL;
    if (!parse_name(name, &version, &desc, &kind, &why)) {
        add_error(res, path, "invalid migration file name: %s", why ? why : "out of memory");
        set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        return false;
    }
    char hex[65];
    char *norm = pgqc_migration_normalize(text, len, hex);
    if (!norm) {
        free(desc);
        add_error(res, path, "out of memory");
        set_failure(res, PGQC_MIGRATE_FILE_ERROR);
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
        add_error(res, path, "duplicate migration version %" PRId64 " (also used by \"%s\")",
                  version, m->up_name ? m->up_name : m->down_name);
        set_failure(res, PGQC_MIGRATE_FILE_ERROR);
        free(desc);
        free(norm);
        return false;
    } else {
        free(desc);
    }
    if (kind == KIND_DOWN) {
        if (m->down_sql) {
            add_error(res, path, "duplicate down migration for version %" PRId64, version);
            set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            free(norm);
            return false;
        }
        m->down_name = dup0(path);
        m->down_sql = norm;
        m->down_no_transaction = first_line_is(norm, "-- pgqc:no-transaction");
    } else {
        if (m->up_sql) {
            add_error(res, path, "duplicate migration version %" PRId64 " (also used by \"%s\")",
                      version, m->up_name);
            set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            free(norm);
            return false;
        }
        m->up_name = dup0(path);
        m->up_sql = norm;
        memcpy(m->checksum, hex, sizeof m->checksum);
        m->no_transaction = first_line_is(norm, "-- pgqc:no-transaction");
        if (kind == KIND_UP_ONLY)
            m->down_name = NULL;
    }
    return true;
}

static bool finish_set(pgqc_migration_set *set, pgqc_migrate_result *res)
{
    bool ok = res->nerrors == 0;
    for (size_t i = 0; i < set->count; i++) {
        if (!set->items[i].up_sql) {
            add_error(res, set->items[i].down_name,
                      "down migration has no up migration with version %" PRId64,
                      set->items[i].version);
            set_failure(res, PGQC_MIGRATE_FILE_ERROR);
            ok = false;
        }
    }
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
        add_error(res, dir, "cannot open migrations directory: %s", strerror(errno));
        set_failure(res, PGQC_MIGRATE_FILE_ERROR);
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
        names[nnames++] = dup0(de->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof *names, cmp_str);

    pgqc_migration_set *set = calloc(1, sizeof *set);
    set->dir = dup0(dir);
    for (size_t i = 0; i < nnames; i++) {
        size_t dl = strlen(dir);
        char *path = malloc(dl + strlen(names[i]) + 2);
        sprintf(path, "%s%s%s", dir, (dl && dir[dl - 1] == '/') ? "" : "/", names[i]);
        size_t len = 0;
        char *text = read_whole(path, &len);
        if (!text) {
            add_error(res, path, "cannot read migration: %s", strerror(errno));
            set_failure(res, PGQC_MIGRATE_FILE_ERROR);
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
    }
    free(set->items);
    free(set->dir);
    free(set);
}

/* ---- talking to the server ---------------------------------------------- */

/* Map PostgreSQL's 1-based character position in `sql` to line and column. */
static void position_to_line_col(const char *sql, long pos, int *line, int *col)
{
    int l = 1, c = 1;
    long chars = 0;
    for (const char *p = sql; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue; /* continuation byte: same character */
        if (++chars >= pos)
            break;
        if (*p == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Record a server error for `file`, mapping its position into `sql`. */
static void add_server_error(pgqc_migrate_result *res, const char *file, const char *sql,
                             const PGresult *r, PGconn *pg, const char *context)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(pg);
    pgqc_migrate_error *e = add_error(res, file, "%s%s", context ? context : "", msg);
    if (!e)
        return;
    /* libpq messages end in a newline; drop it. */
    size_t ml = e->message ? strlen(e->message) : 0;
    while (ml && e->message[ml - 1] == '\n')
        e->message[--ml] = '\0';
    if (!r)
        return;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state)
        snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state);
    e->detail = dup0(PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
    e->hint = dup0(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    if (pos && sql)
        position_to_line_col(sql, strtol(pos, NULL, 10), &e->line, &e->col);
}

static bool exec_ok(PGconn *pg, const char *sql, PGresult **out)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    if (out)
        *out = r;
    else
        PQclear(r);
    return ok;
}

static bool take_lock(PGconn *pg, int wait_ms, pgqc_migrate_result *res)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%" PRId64 ")", PGQC_MIGRATE_LOCK_KEY);
    double deadline = now_ms() + wait_ms;
    int pause = 20;
    for (;;) {
        PGresult *r = NULL;
        if (!exec_ok(pg, sql, &r)) {
            add_server_error(res, NULL, NULL, r, pg, "cannot take the migration lock: ");
            PQclear(r);
            set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        bool got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if (got)
            return true;
        if (now_ms() >= deadline) {
            add_error(res, NULL,
                      "timed out after %d ms waiting for the migration lock (another migration "
                      "runner is active)",
                      wait_ms);
            set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        sleep_ms(pause);
        if (pause < 200)
            pause *= 2;
    }
}

static void release_lock(PGconn *pg)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%" PRId64 ")", PGQC_MIGRATE_LOCK_KEY);
    PQclear(PQexec(pg, sql));
}

/* An applied row of pgqc_migrations. */
typedef struct applied_row {
    int64_t version;
    char checksum[65];
    bool dirty;
} applied_row;

static bool load_applied(PGconn *pg, applied_row **rows, size_t *n, pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    *rows = NULL;
    *n = 0;
    if (!exec_ok(pg, create_table_sql, &r)) {
        add_server_error(res, NULL, NULL, r, pg, "cannot create table pgqc_migrations: ");
        PQclear(r);
        set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    PQclear(r);
    if (!exec_ok(pg, "SELECT version, checksum, dirty FROM pgqc_migrations ORDER BY version",
                 &r)) {
        add_server_error(res, NULL, NULL, r, pg, "cannot read pgqc_migrations: ");
        PQclear(r);
        set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    int nt = PQntuples(r);
    *rows = calloc((size_t)nt + 1, sizeof **rows);
    for (int i = 0; i < nt; i++) {
        (*rows)[i].version = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        snprintf((*rows)[i].checksum, sizeof (*rows)[i].checksum, "%s", PQgetvalue(r, i, 1));
        (*rows)[i].dirty = strcmp(PQgetvalue(r, i, 2), "t") == 0;
    }
    *n = (size_t)nt;
    PQclear(r);
    return true;
}

static const applied_row *find_applied(const applied_row *rows, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].version == v)
            return &rows[i];
    return NULL;
}

/* Modified, missing or dirty migrations block every run. */
static bool check_state(const pgqc_migration_set *set, const applied_row *rows, size_t n,
                        pgqc_migrate_result *res)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const pgqc_migration *m = NULL;
        for (size_t j = 0; j < set->count; j++)
            if (set->items[j].version == rows[i].version)
                m = &set->items[j];
        if (!m) {
            add_error(res, set->dir,
                      "migration %" PRId64 " is applied but its file is missing (checksum %s)",
                      rows[i].version, rows[i].checksum);
            ok = false;
        } else if (rows[i].dirty) {
            pgqc_migrate_error *e =
                add_error(res, m->up_name,
                          "migration %" PRId64 " is dirty: a no-transaction migration failed "
                          "part-way and its effects are unknown",
                          m->version);
            if (e)
                e->hint = dup0("inspect the database, finish or undo the migration by hand, "
                               "then run `pgqc migrate repair`");
            ok = false;
        } else if (strcmp(m->checksum, rows[i].checksum) != 0) {
            pgqc_migrate_error *e = add_error(
                res, m->up_name,
                "migration %" PRId64 " was modified after it was applied (applied checksum %s, "
                "file checksum %s)",
                m->version, rows[i].checksum, m->checksum);
            if (e)
                e->hint = dup0("restore the applied file and add a new migration instead; if "
                               "the change is harmless, record it with `pgqc migrate repair`");
            ok = false;
        }
    }
    if (!ok)
        set_failure(res, PGQC_MIGRATE_STATE_ERROR);
    return ok;
}

static bool is_lock_timeout(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s && strcmp(s, "55P03") == 0;
}

/* Run `m` in one transaction with its tracking row. */
static bool apply_transactional(PGconn *pg, const pgqc_migration *m, const pgqc_migrate_options *o,
                                pgqc_migrate_result *res)
{
    int timeout = o->ddl_lock_timeout_ms > 0 ? o->ddl_lock_timeout_ms : 5000;
    int retries = o->ddl_retries == 0 ? 3 : (o->ddl_retries < 0 ? 0 : o->ddl_retries);
    for (int attempt = 0;; attempt++) {
        double t0 = now_ms();
        PGresult *r = NULL;
        char setup[96];
        snprintf(setup, sizeof setup, "BEGIN; SET LOCAL lock_timeout = %d", timeout);
        if (!exec_ok(pg, setup, &r)) {
            add_server_error(res, m->up_name, NULL, r, pg, "cannot start transaction: ");
            PQclear(r);
            PQclear(PQexec(pg, "ROLLBACK"));
            set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        PQclear(r);
        if (!exec_ok(pg, m->up_sql, &r)) {
            bool retry = is_lock_timeout(r) && attempt < retries;
            if (!retry)
                add_server_error(res, m->up_name, m->up_sql, r, pg, NULL);
            PQclear(r);
            PQclear(PQexec(pg, "ROLLBACK"));
            if (retry) {
                sleep_ms(100 << attempt);
                continue;
            }
            set_failure(res, PGQC_MIGRATE_SQL_ERROR);
            return false;
        }
        PQclear(r);
        char ver[32], ms[32];
        snprintf(ver, sizeof ver, "%" PRId64, m->version);
        snprintf(ms, sizeof ms, "%.3f", now_ms() - t0);
        const char *vals[4] = {ver, m->description, m->checksum, ms};
        r = PQexecParams(pg,
                         "INSERT INTO pgqc_migrations (version, description, checksum, "
                         "execution_ms) VALUES ($1, $2, $3, $4)",
                         4, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            add_server_error(res, m->up_name, NULL, r, pg, "cannot record migration: ");
            PQclear(r);
            PQclear(PQexec(pg, "ROLLBACK"));
            set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        PQclear(r);
        if (!exec_ok(pg, "COMMIT", &r)) {
            add_server_error(res, m->up_name, NULL, r, pg, "cannot commit migration: ");
            PQclear(r);
            set_failure(res, PGQC_MIGRATE_SQL_ERROR);
            return false;
        }
        PQclear(r);
        return true;
    }
}

/* Run a no-transaction migration: recorded dirty first, clean once it succeeded. */
static bool apply_no_transaction(PGconn *pg, const pgqc_migration *m, pgqc_migrate_result *res)
{
    char ver[32];
    snprintf(ver, sizeof ver, "%" PRId64, m->version);
    const char *vals[3] = {ver, m->description, m->checksum};
    PGresult *r = PQexecParams(pg,
                               "INSERT INTO pgqc_migrations (version, description, checksum, "
                               "dirty, no_transaction) VALUES ($1, $2, $3, true, true)",
                               3, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        add_server_error(res, m->up_name, NULL, r, pg, "cannot record migration: ");
        PQclear(r);
        set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    PQclear(r);
    double t0 = now_ms();
    if (!exec_ok(pg, m->up_sql, &r)) {
        add_server_error(res, m->up_name, m->up_sql, r, pg, NULL);
        PQclear(r);
        pgqc_migrate_error *e = &res->errors[res->nerrors - 1];
        if (!e->hint)
            e->hint = dup0("this no-transaction migration is now marked dirty: fix the "
                           "database by hand, then run `pgqc migrate repair`");
        set_failure(res, PGQC_MIGRATE_SQL_ERROR);
        return false;
    }
    PQclear(r);
    char ms[32];
    snprintf(ms, sizeof ms, "%.3f", now_ms() - t0);
    const char *vals2[2] = {ver, ms};
    r = PQexecParams(pg,
                     "UPDATE pgqc_migrations SET dirty = false, execution_ms = $2 "
                     "WHERE version = $1",
                     2, NULL, vals2, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        add_server_error(res, m->up_name, NULL, r, pg, "cannot record migration: ");
        set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

pgqc_migrate_result pgqc_migrate_up(PGconn *pg, const pgqc_migration_set *set,
                                    const pgqc_migrate_options *opts)
{
    pgqc_migrate_result res;
    memset(&res, 0, sizeof res);
    res.success = true;
    pgqc_migrate_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    double t0 = now_ms();
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        add_error(&res, NULL, "not connected to a database");
        set_failure(&res, PGQC_MIGRATE_DB_ERROR);
        return res;
    }
    if (!take_lock(pg, o.lock_wait_ms > 0 ? o.lock_wait_ms : 60000, &res))
        return res;
    applied_row *rows = NULL;
    size_t nrows = 0;
    if (load_applied(pg, &rows, &nrows, &res) && check_state(set, rows, nrows, &res)) {
        res.versions = calloc(set->count + 1, sizeof *res.versions);
        for (size_t i = 0; i < set->count; i++) {
            const pgqc_migration *m = &set->items[i];
            if (o.has_target && m->version > o.target)
                break;
            if (find_applied(rows, nrows, m->version))
                continue;
            if (o.on_migration)
                o.on_migration(m, true, o.ctx);
            if (o.dry_run) {
                res.versions[res.executed++] = m->version;
                continue;
            }
            bool ok = m->no_transaction ? apply_no_transaction(pg, m, &res)
                                        : apply_transactional(pg, m, &o, &res);
            if (!ok)
                break;
            res.versions[res.executed++] = m->version;
        }
    }
    free(rows);
    release_lock(pg);
    res.duration_ms = now_ms() - t0;
    return res;
}
