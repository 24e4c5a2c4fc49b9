/*
 * migrate_status.c — looking at and mending the tracking table (contract
 * in include/pgqc/migrate.h): `status` (read-only), `repair` (the
 * deliberate way out of modified / missing / dirty), and running seed
 * scripts once every migration is applied.
 */
#include "migrate_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pgqc_migration_state_name(pgqc_migration_state s)
{
    switch (s) {
    case PGQC_MIGRATION_PENDING:
        return "pending";
    case PGQC_MIGRATION_APPLIED:
        return "applied";
    case PGQC_MIGRATION_MODIFIED:
        return "modified";
    case PGQC_MIGRATION_MISSING_FILE:
        return "missing-file";
    case PGQC_MIGRATION_DIRTY:
        return "dirty";
    }
    return "unknown";
}

static void fill_status(pgqc_migration_status *st, const pgqc_migration *m,
                        const mig_applied_row *row)
{
    memset(st, 0, sizeof *st);
    st->version = m ? m->version : row->version;
    st->description = mig_dup0(m ? m->description : row->description);
    if (m) {
        st->file = mig_dup0(m->up_name);
        memcpy(st->checksum, m->checksum, sizeof st->checksum);
        st->has_down = m->down_sql != NULL;
    }
    if (!row) {
        st->state = PGQC_MIGRATION_PENDING;
        return;
    }
    memcpy(st->applied_checksum, row->checksum, sizeof st->applied_checksum);
    st->applied_at = mig_dup0(row->applied_at);
    st->execution_ms = row->execution_ms;
    if (!m)
        st->state = PGQC_MIGRATION_MISSING_FILE;
    else if (row->dirty)
        st->state = PGQC_MIGRATION_DIRTY;
    else if (strcmp(m->checksum, row->checksum) != 0)
        st->state = PGQC_MIGRATION_MODIFIED;
    else
        st->state = PGQC_MIGRATION_APPLIED;
}

/* Merge the files (sorted) and the rows (sorted) by version. */
static size_t merge_status(const pgqc_migration_set *set, const mig_applied_row *rows, size_t nrows,
                           pgqc_migration_status *out)
{
    size_t i = 0, k = 0, n = 0;
    while (i < set->count || k < nrows) {
        const pgqc_migration *m = i < set->count ? &set->items[i] : NULL;
        const mig_applied_row *r = k < nrows ? &rows[k] : NULL;
        if (m && r && m->version == r->version) {
            fill_status(&out[n++], m, r);
            i++, k++;
        } else if (m && (!r || m->version < r->version)) {
            fill_status(&out[n++], m, NULL);
            i++;
        } else {
            fill_status(&out[n++], NULL, r);
            k++;
        }
    }
    return n;
}

bool pgqc_migrate_status(PGconn *pg, const pgqc_migration_set *set, pgqc_migration_status **items,
                         size_t *n, pgqc_migrate_result *res)
{
    *res = mig_result_init();
    *items = NULL;
    *n = 0;
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        mig_add_error(res, NULL, "not connected to a database");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        return false;
    }
    mig_applied_row *rows = NULL;
    size_t nrows = 0;
    if (!mig_load_applied(pg, false, &rows, &nrows, res)) {
        free(rows);
        return false;
    }
    *items = calloc(set->count + nrows + 1, sizeof **items);
    if (*items)
        *n = merge_status(set, rows, nrows, *items);
    free(rows);
    return *items != NULL;
}

void pgqc_migrate_status_free(pgqc_migration_status *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].description);
        free(items[i].file);
        free(items[i].applied_at);
    }
    free(items);
}

/* ---- repair -------------------------------------------------------------- */

/* The change repair makes to one row; NULL when the row is fine. */
static const char *repair_sql(const pgqc_migration *m, const mig_applied_row *row)
{
    if (!m)
        return "DELETE FROM pgqc_migrations WHERE version = $1";
    if (row->dirty || strcmp(m->checksum, row->checksum) != 0)
        return "UPDATE pgqc_migrations SET checksum = $2, dirty = false WHERE version = $1";
    return NULL;
}

static bool repair_row(PGconn *pg, const pgqc_migration *m, const mig_applied_row *row,
                       const char *sql, pgqc_migrate_result *res)
{
    char ver[32];
    snprintf(ver, sizeof ver, "%" PRId64, row->version);
    const char *vals[2] = {ver, m ? m->checksum : ""};
    PGresult *r = PQexecParams(pg, sql, m ? 2 : 1, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        mig_add_server_error(res, m ? m->up_name : NULL, NULL, 0, r, pg,
                             "cannot repair pgqc_migrations: ");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

static void repair_rows(PGconn *pg, const pgqc_migration_set *set, const mig_applied_row *rows,
                        size_t nrows, const pgqc_migrate_options *o, pgqc_migrate_result *res)
{
    for (size_t i = 0; i < nrows; i++) {
        const pgqc_migration *m = mig_find_migration(set, rows[i].version);
        const char *sql = repair_sql(m, &rows[i]);
        if (!sql)
            continue;
        if (!o->dry_run && !repair_row(pg, m, &rows[i], sql, res))
            return;
        res->versions[res->executed++] = rows[i].version;
    }
}

pgqc_migrate_result pgqc_migrate_repair(PGconn *pg, const pgqc_migration_set *set,
                                        const pgqc_migrate_options *opts)
{
    pgqc_migrate_result res = mig_result_init();
    pgqc_migrate_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    double t0 = mig_now_ms();
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        mig_add_error(&res, NULL, "not connected to a database");
        mig_set_failure(&res, PGQC_MIGRATE_DB_ERROR);
        return res;
    }
    if (!mig_take_lock(pg, o.lock_wait_ms > 0 ? o.lock_wait_ms : 60000, &res))
        return res;
    mig_applied_row *rows = NULL;
    size_t nrows = 0;
    if (mig_load_applied(pg, false, &rows, &nrows, &res)) {
        res.versions = calloc(nrows + 1, sizeof *res.versions);
        if (res.versions)
            repair_rows(pg, set, rows, nrows, &o, &res);
    }
    free(rows);
    mig_release_lock(pg);
    res.duration_ms = mig_now_ms() - t0;
    return res;
}

/* ---- seed ---------------------------------------------------------------- */

/* Seeds need the schema the migrations describe: nothing pending or wrong. */
static bool check_fully_migrated(PGconn *pg, const pgqc_migration_set *set,
                                 pgqc_migrate_result *res)
{
    pgqc_migration_status *st = NULL;
    size_t n = 0;
    pgqc_migrate_result sres;
    bool ok = pgqc_migrate_status(pg, set, &st, &n, &sres);
    size_t pending = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (st[i].state == PGQC_MIGRATION_PENDING)
            pending++;
        else if (st[i].state != PGQC_MIGRATION_APPLIED)
            ok = false;
    }
    if (!ok || pending) {
        pgqc_migrate_error *e = mig_add_error(
            res, set->dir, "the database is not fully migrated (%zu pending%s): not seeding",
            pending, ok ? "" : ", others modified, missing or dirty");
        if (e)
            e->hint = mig_dup0("run `pgqc migrate up` (see `pgqc migrate status`) first");
        mig_set_failure(res, PGQC_MIGRATE_STATE_ERROR);
        ok = false;
    }
    pgqc_migrate_status_free(st, n);
    pgqc_migrate_result_free(&sres);
    return ok;
}

static bool run_seeds(PGconn *pg, const char *const *names, const char *const *texts, size_t n,
                      pgqc_migrate_result *res)
{
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        char *sql = pgqc_migration_normalize(texts[i], strlen(texts[i]), hex);
        PGresult *r = NULL;
        bool ok = sql && mig_exec_ok(pg, sql, &r);
        if (!ok) {
            mig_add_server_error(res, names[i], sql, 0, r, pg, NULL);
            mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
        }
        PQclear(r);
        free(sql);
        if (!ok)
            return false;
        res->executed++;
    }
    return true;
}

pgqc_migrate_result pgqc_seed(PGconn *pg, const pgqc_migration_set *set, const char *const *names,
                              const char *const *texts, size_t n)
{
    pgqc_migrate_result res = mig_result_init();
    double t0 = mig_now_ms();
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        mig_add_error(&res, NULL, "not connected to a database");
        mig_set_failure(&res, PGQC_MIGRATE_DB_ERROR);
        return res;
    }
    if (!check_fully_migrated(pg, set, &res))
        return res;
    PGresult *r = NULL;
    if (!mig_exec_ok(pg, "BEGIN", &r)) {
        mig_add_server_error(&res, NULL, NULL, 0, r, pg, "cannot start transaction: ");
        mig_set_failure(&res, PGQC_MIGRATE_DB_ERROR);
        PQclear(r);
        return res;
    }
    PQclear(r);
    bool ok;
    if (run_seeds(pg, names, texts, n, &res)) {
        ok = mig_exec_ok(pg, "COMMIT", &r);
        if (!ok) {
            mig_add_server_error(&res, NULL, NULL, 0, r, pg, "cannot commit seeds: ");
            mig_set_failure(&res, PGQC_MIGRATE_SQL_ERROR);
        }
        PQclear(r);
    } else {
        PQclear(PQexec(pg, "ROLLBACK"));
        res.executed = 0;
    }
    res.duration_ms = mig_now_ms() - t0;
    return res;
}
