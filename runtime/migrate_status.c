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

/* The state of an applied row; `m` is its file's migration, NULL when missing. */
static pgqc_migration_state row_state(const pgqc_migration *m, const mig_applied_row *row)
{
    if (!m)
        return PGQC_MIGRATION_MISSING_FILE;
    if (row->dirty)
        return PGQC_MIGRATION_DIRTY;
    if (strcmp(m->checksum, row->checksum) != 0)
        return PGQC_MIGRATION_MODIFIED;
    return PGQC_MIGRATION_APPLIED;
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
    st->state = row_state(m, row);
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

/*
 * The latest repair of each version, from pgqc_migration_repairs when it
 * exists and this user may read it (status stays usable without).
 */
static bool attach_repairs(PGconn *pg, pgqc_migration_status *items, size_t n,
                           pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    bool ok = mig_exec_ok(pg, "SELECT to_regclass('pgqc_migration_repairs') IS NOT NULL", &r);
    bool exists = ok && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    if (ok && exists) {
        PQclear(r);
        ok = mig_exec_ok(pg,
                         "SELECT DISTINCT ON (version) version, action, to_char(repaired_at AT "
                         "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
                         "pgqc_migration_repairs ORDER BY version, repaired_at DESC",
                         &r);
    }
    const char *state = ok || !r ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state && strcmp(state, "42501") == 0) {
        PQclear(r); /* a user who may read pgqc_migrations but not the log */
        return true;
    }
    if (!ok) {
        mig_add_server_error(res, NULL, NULL, 0, r, pg, "cannot read pgqc_migration_repairs: ");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        PQclear(r);
        return false;
    }
    for (int k = 0; exists && k < PQntuples(r); k++) {
        int64_t v = strtoll(PQgetvalue(r, k, 0), NULL, 10);
        for (size_t i = 0; i < n; i++) {
            if (items[i].version != v)
                continue;
            items[i].repair = mig_dup0(PQgetvalue(r, k, 1));
            items[i].repaired_at = mig_dup0(PQgetvalue(r, k, 2));
        }
    }
    PQclear(r);
    return true;
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
    if (*items && !attach_repairs(pg, *items, *n, res)) {
        pgqc_migrate_status_free(*items, *n);
        *items = NULL;
        *n = 0;
        return false;
    }
    return *items != NULL;
}

void pgqc_migrate_status_free(pgqc_migration_status *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].description);
        free(items[i].file);
        free(items[i].applied_at);
        free(items[i].repair);
        free(items[i].repaired_at);
    }
    free(items);
}

/* ---- repair -------------------------------------------------------------- */

static const char repairs_table_sql[] = "CREATE TABLE IF NOT EXISTS pgqc_migration_repairs (\n"
                                        "    version bigint NOT NULL,\n"
                                        "    action text NOT NULL,\n"
                                        "    repaired_at timestamptz NOT NULL DEFAULT now(),\n"
                                        "    checksum_before text,\n"
                                        "    checksum_after text\n"
                                        ")";

const char *pgqc_migration_repair_action(pgqc_migration_state state, pgqc_dirty_resolution dirty)
{
    switch (state) {
    case PGQC_MIGRATION_MODIFIED:
        return "checksum recorded";
    case PGQC_MIGRATION_MISSING_FILE:
        return "forgotten";
    case PGQC_MIGRATION_DIRTY:
        return dirty == PGQC_DIRTY_MARK_PENDING   ? "marked pending"
               : dirty == PGQC_DIRTY_MARK_APPLIED ? "marked applied"
                                                  : NULL;
    default:
        return NULL;
    }
}

/* A dirty migration needs the user's decision: without one, refuse. */
static bool check_dirty_resolved(const pgqc_migration_set *set, const mig_applied_row *rows,
                                 size_t nrows, pgqc_dirty_resolution dirty,
                                 pgqc_migrate_result *res)
{
    if (dirty != PGQC_DIRTY_UNRESOLVED)
        return true;
    bool ok = true;
    for (size_t i = 0; i < nrows; i++) {
        const pgqc_migration *m = mig_find_migration(set, rows[i].version);
        if (!m || !rows[i].dirty)
            continue;
        pgqc_migrate_error *e = mig_add_error(
            res, m->up_name,
            "migration %" PRId64 " is dirty: it failed part-way, and only you can tell whether "
            "its changes are now complete or absent; nothing was repaired",
            m->version);
        if (e)
            e->hint = mig_dup0(
                "inspect the database, then either finish the migration by hand and mark it "
                "applied (`pgqc migrate repair --mark-applied`), or undo what it did and mark it "
                "pending so `up` runs it again (`pgqc migrate repair --mark-pending`)");
        ok = false;
    }
    if (!ok)
        mig_set_failure(res, PGQC_MIGRATE_STATE_ERROR);
    return ok;
}

/*
 * Repair one row in state `state` (the row goes when its file is gone or it
 * is marked pending) and log it, inside repair's transaction.
 */
static bool repair_row(PGconn *pg, const pgqc_migration *m, const mig_applied_row *row,
                       pgqc_migration_state state, pgqc_dirty_resolution dirty,
                       pgqc_migrate_result *res)
{
    const char *action = pgqc_migration_repair_action(state, dirty);
    char ver[32];
    snprintf(ver, sizeof ver, "%" PRId64, row->version);
    bool drop = state == PGQC_MIGRATION_MISSING_FILE ||
                (state == PGQC_MIGRATION_DIRTY && dirty == PGQC_DIRTY_MARK_PENDING);
    const char *vals[4] = {ver, drop ? NULL : m->checksum, action, row->checksum};
    PGresult *r = drop ? PQexecParams(pg, "DELETE FROM pgqc_migrations WHERE version = $1", 1, NULL,
                                      vals, NULL, NULL, 0)
                       : PQexecParams(pg,
                                      "UPDATE pgqc_migrations SET checksum = $2, dirty = false "
                                      "WHERE version = $1",
                                      2, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (ok) {
        PQclear(r);
        const char *log[4] = {ver, action, row->checksum, vals[1]};
        r = PQexecParams(pg,
                         "INSERT INTO pgqc_migration_repairs (version, action, checksum_before, "
                         "checksum_after) VALUES ($1, $2, $3, $4)",
                         4, NULL, log, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    }
    if (!ok) {
        mig_add_server_error(res, m ? m->up_name : NULL, NULL, 0, r, pg,
                             "cannot repair pgqc_migrations: ");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

static bool exec_or_fail(PGconn *pg, const char *sql, const char *context, pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    bool ok = mig_exec_ok(pg, sql, &r);
    if (!ok) {
        mig_add_server_error(res, NULL, NULL, 0, r, pg, context);
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

/* Every change in one transaction, with its log entry; nothing on failure. */
static void repair_rows(PGconn *pg, const pgqc_migration_set *set, const mig_applied_row *rows,
                        size_t nrows, const pgqc_migrate_options *o, pgqc_migrate_result *res)
{
    if (!check_dirty_resolved(set, rows, nrows, o->dirty, res))
        return;
    bool in_tx = false;
    for (size_t i = 0; i < nrows; i++) {
        const pgqc_migration *m = mig_find_migration(set, rows[i].version);
        pgqc_migration_state state = row_state(m, &rows[i]);
        if (!pgqc_migration_repair_action(state, o->dirty))
            continue;
        if (!o->dry_run && !in_tx) {
            if (!exec_or_fail(pg, "BEGIN", "cannot start transaction: ", res))
                return;
            in_tx = true;
            if (!exec_or_fail(pg, repairs_table_sql,
                              "cannot create table pgqc_migration_repairs: ", res))
                break;
        }
        if (!o->dry_run && !repair_row(pg, m, &rows[i], state, o->dirty, res))
            break;
        res->versions[res->executed++] = rows[i].version;
    }
    if (in_tx && (!res->success || !exec_or_fail(pg, "COMMIT", "cannot commit repair: ", res))) {
        PQclear(PQexec(pg, "ROLLBACK"));
        res->executed = 0;
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
