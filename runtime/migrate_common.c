/*
 * migrate_common.c — the pieces every migration command of libpgqc shares
 * (see migrate_int.h): results and errors, mapping server error positions
 * back to file lines, the advisory lock and the tracking table.
 */
#include "migrate_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char create_table_sql[] = "CREATE TABLE IF NOT EXISTS pgqc_migrations (\n"
                                       "    version bigint PRIMARY KEY,\n"
                                       "    description text NOT NULL,\n"
                                       "    checksum text NOT NULL,\n"
                                       "    applied_at timestamptz NOT NULL DEFAULT now(),\n"
                                       "    execution_ms double precision NOT NULL DEFAULT 0,\n"
                                       "    dirty boolean NOT NULL DEFAULT false,\n"
                                       "    no_transaction boolean NOT NULL DEFAULT false\n"
                                       ")";

char *mig_dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *mig_dup0(const char *s)
{
    return s ? mig_dupn(s, strlen(s)) : NULL;
}

char *mig_vfmt(const char *fmt, va_list ap)
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

double mig_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void mig_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

pgqc_migrate_error *mig_add_error(pgqc_migrate_result *res, const char *file, const char *fmt, ...)
{
    pgqc_migrate_error *n = realloc(res->errors, (res->nerrors + 1) * sizeof *n);
    if (!n)
        return NULL;
    res->errors = n;
    pgqc_migrate_error *e = &n[res->nerrors++];
    memset(e, 0, sizeof *e);
    e->file = mig_dup0(file);
    va_list ap;
    va_start(ap, fmt);
    e->message = mig_vfmt(fmt, ap);
    va_end(ap);
    res->success = false;
    return e;
}

void mig_set_failure(pgqc_migrate_result *res, pgqc_migrate_failure f)
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

/* ---- talking to the server ---------------------------------------------- */

void mig_position_to_line_col(const char *sql, size_t base, long pos, int *line, int *col)
{
    int l = 1, c = 1;
    long chars = 0;
    for (size_t i = 0; i < base && sql[i]; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80)
            pos++; /* characters before the statement */
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

void mig_statement_line_col(const char *sql, size_t base, int *line, int *col)
{
    const char *p = sql + base;
    for (;;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            /* block comments nest in PostgreSQL */
            int depth = 0;
            do {
                if (p[0] == '/' && p[1] == '*')
                    depth++, p += 2;
                else if (p[0] == '*' && p[1] == '/')
                    depth--, p += 2;
                else
                    p++;
            } while (depth > 0 && *p);
        } else {
            break;
        }
    }
    if (!*p)
        p = sql + base;
    mig_position_to_line_col(sql, (size_t)(p - sql), 1, line, col);
}

/* Record a server error for `file`, mapping its position into `sql`. */
void mig_add_server_error(pgqc_migrate_result *res, const char *file, const char *sql, size_t base,
                          const PGresult *r, PGconn *pg, const char *context)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(pg);
    pgqc_migrate_error *e = mig_add_error(res, file, "%s%s", context ? context : "", msg);
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
    e->detail = mig_dup0(PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
    e->hint = mig_dup0(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    if (pos && sql)
        mig_position_to_line_col(sql, base, strtol(pos, NULL, 10), &e->line, &e->col);
}

bool mig_exec_ok(PGconn *pg, const char *sql, PGresult **out)
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

bool mig_take_lock(PGconn *pg, int wait_ms, pgqc_migrate_result *res)
{
    return mig_take_lock_key(pg, PGQC_MIGRATE_LOCK_KEY, wait_ms, res);
}

bool mig_take_lock_key(PGconn *pg, int64_t key, int wait_ms, pgqc_migrate_result *res)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%" PRId64 ")", key);
    double deadline = mig_now_ms() + wait_ms;
    int pause = 20;
    for (;;) {
        PGresult *r = NULL;
        if (!mig_exec_ok(pg, sql, &r)) {
            mig_add_server_error(res, NULL, NULL, 0, r, pg, "cannot take the migration lock: ");
            PQclear(r);
            mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        bool got = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        if (got)
            return true;
        if (mig_now_ms() >= deadline) {
            mig_add_error(res, NULL,
                          "timed out after %d ms waiting for the migration lock (another migration "
                          "runner is active)",
                          wait_ms);
            mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
            return false;
        }
        mig_sleep_ms(pause);
        if (pause < 200)
            pause *= 2;
    }
}

void mig_release_lock(PGconn *pg)
{
    mig_release_lock_key(pg, PGQC_MIGRATE_LOCK_KEY);
}

void mig_release_lock_key(PGconn *pg, int64_t key)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%" PRId64 ")", key);
    PQclear(PQexec(pg, sql));
}

static bool table_exists(PGconn *pg, bool *exists, pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    if (!mig_exec_ok(pg, "SELECT to_regclass('pgqc_migrations') IS NOT NULL", &r)) {
        mig_add_server_error(res, NULL, NULL, 0, r, pg, "cannot look for pgqc_migrations: ");
        PQclear(r);
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    *exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return true;
}

/* Create the table only when missing, so a read-only user can still read it. */
static bool ensure_table(PGconn *pg, bool create, bool *exists, pgqc_migrate_result *res)
{
    if (!table_exists(pg, exists, res))
        return false;
    if (*exists || !create)
        return true;
    PGresult *r = NULL;
    if (!mig_exec_ok(pg, create_table_sql, &r)) {
        mig_add_server_error(res, NULL, NULL, 0, r, pg, "cannot create table pgqc_migrations: ");
        PQclear(r);
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    PQclear(r);
    *exists = true;
    return true;
}

static void read_row(const PGresult *r, int i, mig_applied_row *row)
{
    row->version = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    snprintf(row->checksum, sizeof row->checksum, "%s", PQgetvalue(r, i, 1));
    row->dirty = strcmp(PQgetvalue(r, i, 2), "t") == 0;
    snprintf(row->description, sizeof row->description, "%s", PQgetvalue(r, i, 3));
    snprintf(row->applied_at, sizeof row->applied_at, "%s", PQgetvalue(r, i, 4));
    row->execution_ms = strtod(PQgetvalue(r, i, 5), NULL);
}

bool mig_load_applied(PGconn *pg, bool create, mig_applied_row **rows, size_t *n,
                      pgqc_migrate_result *res)
{
    *rows = calloc(1, sizeof **rows);
    *n = 0;
    bool exists = false;
    if (!ensure_table(pg, create, &exists, res))
        return false;
    if (!exists)
        return true;
    PGresult *r = NULL;
    if (!mig_exec_ok(pg,
                     "SELECT version, checksum, dirty, description, "
                     "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                     "execution_ms FROM pgqc_migrations ORDER BY version",
                     &r)) {
        mig_add_server_error(res, NULL, NULL, 0, r, pg, "cannot read pgqc_migrations: ");
        PQclear(r);
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    int nt = PQntuples(r);
    free(*rows);
    *rows = calloc((size_t)nt + 1, sizeof **rows);
    for (int i = 0; i < nt; i++)
        read_row(r, i, &(*rows)[i]);
    *n = (size_t)nt;
    PQclear(r);
    return true;
}

const mig_applied_row *mig_find_applied(const mig_applied_row *rows, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].version == v)
            return &rows[i];
    return NULL;
}

/* Modified, missing or dirty migrations block every run. */
bool mig_check_state(const pgqc_migration_set *set, const mig_applied_row *rows, size_t n,
                     pgqc_migrate_result *res)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const pgqc_migration *m = mig_find_migration(set, rows[i].version);
        if (!m) {
            pgqc_migrate_error *e = mig_add_error(
                res, set->dir,
                "migration %" PRId64 " (%s) is applied but its file is missing (applied "
                "checksum %s, no file checksum)",
                rows[i].version, rows[i].description, rows[i].checksum);
            if (e)
                e->hint = mig_dup0("restore the file from version control; if it was removed "
                                   "on purpose, forget it with `pgqc migrate repair`");
            ok = false;
        } else if (rows[i].dirty) {
            pgqc_migrate_error *e =
                mig_add_error(res, m->up_name,
                              "migration %" PRId64 " is dirty: a no-transaction migration failed "
                              "part-way and its effects are unknown",
                              m->version);
            if (e)
                e->hint =
                    mig_dup0("inspect the database; finish the migration by hand and run "
                             "`pgqc migrate repair --mark-applied`, or undo it by hand and "
                             "run `pgqc migrate repair --mark-pending` so `up` runs it again");
            ok = false;
        } else if (strcmp(m->checksum, rows[i].checksum) != 0) {
            pgqc_migrate_error *e = mig_add_error(
                res, m->up_name,
                "migration %" PRId64 " was modified after it was applied (applied checksum %s, "
                "file checksum %s)",
                m->version, rows[i].checksum, m->checksum);
            if (e)
                e->hint = mig_dup0("restore the applied file and add a new migration instead; if "
                                   "the change is harmless, record it with `pgqc migrate repair`");
            ok = false;
        }
    }
    if (!ok)
        mig_set_failure(res, PGQC_MIGRATE_STATE_ERROR);
    return ok;
}

bool mig_is_lock_timeout(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s && strcmp(s, "55P03") == 0;
}

/* Run `m` in one transaction with its tracking row. */
const pgqc_migration *mig_find_migration(const pgqc_migration_set *set, int64_t v)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].version == v)
            return &set->items[i];
    return NULL;
}

pgqc_migrate_result mig_result_init(void)
{
    pgqc_migrate_result res;
    memset(&res, 0, sizeof res);
    res.success = true;
    return res;
}

bool mig_begin_run(PGconn *pg, const pgqc_migration_set *set, const pgqc_migrate_options *o,
                   mig_applied_row **rows, size_t *n, pgqc_migrate_result *res)
{
    *rows = NULL;
    *n = 0;
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        mig_add_error(res, NULL, "not connected to a database");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    if (!mig_take_lock(pg, o->lock_wait_ms > 0 ? o->lock_wait_ms : 60000, res))
        return false;
    if (mig_load_applied(pg, !o->dry_run, rows, n, res) && mig_check_state(set, *rows, *n, res))
        return true;
    free(*rows);
    *rows = NULL;
    mig_release_lock(pg);
    return false;
}
