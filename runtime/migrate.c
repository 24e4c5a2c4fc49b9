/*
 * migrate.c — applying and reverting migrations (contract in
 * include/pgqc/migrate.h): one transaction per migration together with its
 * tracking row, no-transaction scripts tracked through a dirty flag, all
 * under the advisory lock taken by mig_begin_run().
 */
#include "migrate_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One direction of one migration: the script and how it is tracked. */
typedef struct script {
    const pgqc_migration *m;
    bool up;
    const char *file;
    const char *sql;
    const pgqc_stmt_span *stmts;
    size_t nstmts;
} script;

static script script_of(const pgqc_migration *m, bool up)
{
    script s = {m,
                up,
                up ? m->up_name : m->down_name,
                up ? m->up_sql : m->down_sql,
                up ? m->up_stmts : m->down_stmts,
                up ? m->n_up_stmts : m->n_down_stmts};
    return s;
}

static bool script_no_transaction(const script *s)
{
    return s->up ? s->m->no_transaction : s->m->down_no_transaction;
}

/* Where a script failed: the server's result and the statement that failed. */
typedef struct failure {
    PGresult *r;      /* NULL: libpq's own error (PQerrorMessage) */
    size_t sent_base; /* byte offset in the script of the text sent (positions count from it) */
    size_t stmt;      /* byte offset of the failing statement */
    bool stmt_known;  /* the script was split, so `stmt` names the statement */
    bool reported;    /* the error is already in the result */
} failure;

static bool result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/*
 * Read every result of a query sent with PQsendQuery: one per statement.
 * Returns the first error result (NULL when none) and counts the
 * statements that completed before it in *done. A COPY from or to the
 * client is ended (it has no data here), which makes it fail.
 */
static PGresult *collect_results(PGconn *pg, size_t *done)
{
    PGresult *err = NULL, *r;
    *done = 0;
    while ((r = PQgetResult(pg)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COPY_IN) {
            PQputCopyEnd(pg, "a migration cannot read COPY data from the client");
        } else if (st == PGRES_COPY_OUT) {
            char *buf = NULL;
            while (PQgetCopyData(pg, &buf, 0) > 0)
                PQfreemem(buf);
        } else if (st == PGRES_COPY_BOTH) {
            PQclear(r);
            break;
        }
        if (result_ok(r) && !err)
            (*done)++;
        else if (!result_ok(r) && !err && st != PGRES_COPY_IN && st != PGRES_COPY_OUT) {
            err = r;
            continue;
        }
        PQclear(r);
    }
    return err;
}

/*
 * Run a transactional script as one query string (one round trip). When it
 * fails, the results that completed before the error tell which statement
 * of the split (if any) failed. A script that ended the runner's
 * transaction (a COMMIT or ROLLBACK pgqc's parser could not flag, e.g. in
 * a set loaded without it) fails too.
 */
static bool run_whole(PGconn *pg, const script *s, failure *f, pgqc_migrate_result *res)
{
    memset(f, 0, sizeof *f);
    if (!PQsendQuery(pg, s->sql))
        return false;
    size_t done = 0;
    f->r = collect_results(pg, &done);
    if (f->r || PQstatus(pg) != CONNECTION_OK) {
        f->stmt_known = s->stmts && done < s->nstmts;
        f->stmt = f->stmt_known ? s->stmts[done].offset : 0;
        return false;
    }
    if (PQtransactionStatus(pg) == PQTRANS_INTRANS)
        return true;
    pgqc_migrate_error *e = mig_add_error(
        res, s->file,
        "the migration ended the transaction pgqc runs it in (COMMIT or ROLLBACK in the "
        "script): its effects and its row in pgqc_migrations no longer commit together");
    if (e)
        e->hint = mig_dup0("check the database by hand; remove the transaction control, or start "
                           "the file with `-- pgqc:no-transaction`");
    mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
    f->reported = true;
    return false;
}

/* Run a no-transaction script, statement by statement when it was split. */
static bool run_split(PGconn *pg, const script *s, failure *f)
{
    memset(f, 0, sizeof *f);
    size_t n = s->stmts ? s->nstmts : 1;
    for (size_t i = 0; i < n; i++) {
        size_t off = s->stmts ? s->stmts[i].offset : 0;
        char *one = s->stmts ? mig_dupn(s->sql + off, s->stmts[i].length) : NULL;
        PGresult *r = NULL;
        bool ok = (one || !s->stmts) && mig_exec_ok(pg, one ? one : s->sql, &r);
        free(one);
        if (!ok) {
            f->r = r;
            f->sent_base = f->stmt = off;
            f->stmt_known = s->stmts != NULL;
            return false;
        }
        PQclear(r);
    }
    return true;
}

/*
 * Record the server error of a failed script, at the server's position or,
 * when it gave none, at the start of the failing statement.
 */
static void add_script_error(pgqc_migrate_result *res, const script *s, const failure *f,
                             PGconn *pg)
{
    if (f->reported)
        return;
    mig_add_server_error(res, s->file, s->sql, f->sent_base, f->r, pg, NULL);
    pgqc_migrate_error *e = res->nerrors ? &res->errors[res->nerrors - 1] : NULL;
    if (e && e->line == 0 && f->stmt_known)
        mig_statement_line_col(s->sql, f->stmt, &e->line, &e->col);
}

/*
 * Run a parameterised tracking statement, which must change exactly one
 * row (a trigger or rule can make it change none); error in `res` on
 * failure. The
 * table was read under the lock before the migration ran, so while the
 * connection is good a failure here means the migration itself dropped,
 * renamed or altered pgqc_migrations: a migration error, not a database one.
 */
static bool track(PGconn *pg, const script *s, const char *sql, int n, const char *const *vals,
                  pgqc_migrate_result *res)
{
    PGresult *r = PQexecParams(pg, sql, n, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (ok && strcmp(PQcmdTuples(r), "1") != 0) {
        /* A trigger or rule the migration put on the table swallowed the change. */
        pgqc_migrate_error *e = mig_add_error(
            res, s->file,
            "cannot record migration %" PRId64 " in pgqc_migrations after running it: the "
            "tracking statement changed %s rows instead of 1",
            s->m->version, *PQcmdTuples(r) ? PQcmdTuples(r) : "no");
        if (e)
            e->hint = mig_dup0(
                script_no_transaction(s)
                    ? "a migration must not put a trigger, rule or policy on pgqc_migrations; "
                      "this no-transaction migration ran, so check the database by hand"
                    : "a migration must not put a trigger, rule or policy on pgqc_migrations; "
                      "the migration was rolled back");
        mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
        PQclear(r);
        return false;
    }
    if (!ok && PQstatus(pg) == CONNECTION_OK) {
        char ctx[160];
        snprintf(ctx, sizeof ctx,
                 "cannot record migration %" PRId64 " in pgqc_migrations after running it: ",
                 s->m->version);
        mig_add_server_error(res, s->file, NULL, 0, r, pg, ctx);
        pgqc_migrate_error *e = &res->errors[res->nerrors - 1];
        free(e->hint);
        e->hint = mig_dup0(script_no_transaction(s)
                               ? "a migration must not drop, rename or alter pgqc_migrations, "
                                 "where pgqc records what is applied; this no-transaction "
                                 "migration ran, so check the database by hand"
                               : "a migration must not drop, rename or alter pgqc_migrations, "
                                 "where pgqc records what is applied; the migration was rolled "
                                 "back");
        mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
    } else if (!ok) {
        mig_add_server_error(res, s->file, NULL, 0, r, pg, "cannot record migration: ");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

/* Inside the transaction, after the script: insert or delete the row. */
static bool record_in_transaction(PGconn *pg, const script *s, double ms, pgqc_migrate_result *res)
{
    char ver[32], msbuf[32];
    snprintf(ver, sizeof ver, "%" PRId64, s->m->version);
    snprintf(msbuf, sizeof msbuf, "%.3f", ms);
    if (!s->up) {
        const char *vals[1] = {ver};
        return track(pg, s, "DELETE FROM pgqc_migrations WHERE version = $1", 1, vals, res);
    }
    const char *vals[4] = {ver, s->m->description, s->m->checksum, msbuf};
    return track(pg, s,
                 "INSERT INTO pgqc_migrations (version, description, checksum, execution_ms) "
                 "VALUES ($1, $2, $3, $4)",
                 4, vals, res);
}

static bool begin_with_timeout(PGconn *pg, const script *s, int timeout, pgqc_migrate_result *res)
{
    char setup[96];
    snprintf(setup, sizeof setup, "BEGIN; SET LOCAL lock_timeout = %d", timeout);
    PGresult *r = NULL;
    if (mig_exec_ok(pg, setup, &r)) {
        PQclear(r);
        return true;
    }
    mig_add_server_error(res, s->file, NULL, 0, r, pg, "cannot start transaction: ");
    PQclear(r);
    PQclear(PQexec(pg, "ROLLBACK"));
    mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    return false;
}

static bool commit(PGconn *pg, const script *s, pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    bool ok = mig_exec_ok(pg, "COMMIT", &r);
    if (!ok) {
        mig_add_server_error(res, s->file, NULL, 0, r, pg, "cannot commit migration: ");
        mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
    }
    PQclear(r);
    return ok;
}

/* Run `s` in one transaction with its tracking change; retry lock time-outs. */
static bool run_transactional(PGconn *pg, const script *s, const pgqc_migrate_options *o,
                              pgqc_migrate_result *res)
{
    int timeout = o->ddl_lock_timeout_ms > 0 ? o->ddl_lock_timeout_ms : 5000;
    int retries = o->ddl_retries == 0 ? 3 : (o->ddl_retries < 0 ? 0 : o->ddl_retries);
    for (int attempt = 0;; attempt++) {
        double t0 = mig_now_ms();
        if (!begin_with_timeout(pg, s, timeout, res))
            return false;
        failure f;
        if (!run_whole(pg, s, &f, res)) {
            bool retry = mig_is_lock_timeout(f.r) && attempt < retries;
            if (!retry)
                add_script_error(res, s, &f, pg);
            PQclear(f.r);
            if (PQtransactionStatus(pg) != PQTRANS_IDLE) /* not when the script ended it */
                PQclear(PQexec(pg, "ROLLBACK"));
            if (retry) {
                mig_sleep_ms(100 << attempt);
                continue;
            }
            mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
            return false;
        }
        if (!record_in_transaction(pg, s, mig_now_ms() - t0, res)) {
            PQclear(PQexec(pg, "ROLLBACK"));
            return false;
        }
        return commit(pg, s, res);
    }
}

/* Before a no-transaction script: its row exists and is dirty. */
static bool mark_dirty(PGconn *pg, const script *s, pgqc_migrate_result *res)
{
    char ver[32];
    snprintf(ver, sizeof ver, "%" PRId64, s->m->version);
    if (!s->up) {
        const char *vals[1] = {ver};
        return track(pg, s, "UPDATE pgqc_migrations SET dirty = true WHERE version = $1", 1, vals,
                     res);
    }
    const char *vals[3] = {ver, s->m->description, s->m->checksum};
    return track(pg, s,
                 "INSERT INTO pgqc_migrations (version, description, checksum, dirty, "
                 "no_transaction) VALUES ($1, $2, $3, true, true)",
                 3, vals, res);
}

/* After a no-transaction script succeeded: clean row (up) or no row (down). */
static bool mark_done(PGconn *pg, const script *s, double ms, pgqc_migrate_result *res)
{
    char ver[32], msbuf[32];
    snprintf(ver, sizeof ver, "%" PRId64, s->m->version);
    snprintf(msbuf, sizeof msbuf, "%.3f", ms);
    if (!s->up) {
        const char *vals[1] = {ver};
        return track(pg, s, "DELETE FROM pgqc_migrations WHERE version = $1", 1, vals, res);
    }
    const char *vals[2] = {ver, msbuf};
    return track(pg, s,
                 "UPDATE pgqc_migrations SET dirty = false, execution_ms = $2 WHERE version = $1",
                 2, vals, res);
}

/* Session-level lock_timeout for a no-transaction script (0: back to default). */
static void set_session_lock_timeout(PGconn *pg, int ms)
{
    char sql[64];
    snprintf(sql, sizeof sql, ms ? "SET lock_timeout = %d" : "RESET lock_timeout", ms);
    PQclear(PQexec(pg, sql));
}

/*
 * Run a no-transaction script: recorded dirty first, resolved once it
 * succeeded. Lock time-outs are not retried: earlier statements may have
 * taken effect.
 */
static bool run_no_transaction(PGconn *pg, const script *s, const pgqc_migrate_options *o,
                               pgqc_migrate_result *res)
{
    if (!mark_dirty(pg, s, res))
        return false;
    double t0 = mig_now_ms();
    failure f;
    set_session_lock_timeout(pg, o->ddl_lock_timeout_ms > 0 ? o->ddl_lock_timeout_ms : 5000);
    bool ok = run_split(pg, s, &f);
    set_session_lock_timeout(pg, 0);
    if (!ok) {
        add_script_error(res, s, &f, pg);
        PQclear(f.r);
        pgqc_migrate_error *e = &res->errors[res->nerrors - 1];
        if (!e->hint)
            e->hint = mig_dup0("this no-transaction migration is now marked dirty: finish or "
                               "undo it by hand, then run `pgqc migrate repair --mark-applied` "
                               "or `--mark-pending`");
        mig_set_failure(res, PGQC_MIGRATE_SQL_ERROR);
        return false;
    }
    return mark_done(pg, s, mig_now_ms() - t0, res);
}

static bool run_one(PGconn *pg, const pgqc_migration *m, bool up, const pgqc_migrate_options *o,
                    pgqc_migrate_result *res)
{
    script s = script_of(m, up);
    if (o->on_migration)
        o->on_migration(m, up, o->ctx);
    if (o->dry_run)
        return true;
    return script_no_transaction(&s) ? run_no_transaction(pg, &s, o, res)
                                     : run_transactional(pg, &s, o, res);
}

static pgqc_migrate_options options_or_default(const pgqc_migrate_options *opts)
{
    pgqc_migrate_options o;
    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof o);
    return o;
}

pgqc_migrate_result pgqc_migrate_up(PGconn *pg, const pgqc_migration_set *set,
                                    const pgqc_migrate_options *opts)
{
    pgqc_migrate_result res = mig_result_init();
    pgqc_migrate_options o = options_or_default(opts);
    double t0 = mig_now_ms();
    mig_applied_row *rows = NULL;
    size_t nrows = 0;
    if (!mig_begin_run(pg, set, &o, &rows, &nrows, &res))
        return res;
    res.versions = calloc(set->count + 1, sizeof *res.versions);
    for (size_t i = 0; i < set->count && res.versions; i++) {
        const pgqc_migration *m = &set->items[i];
        if (o.has_target && m->version > o.target)
            break;
        if (mig_find_applied(rows, nrows, m->version))
            continue;
        if (!run_one(pg, m, true, &o, &res))
            break;
        res.versions[res.executed++] = m->version;
    }
    free(rows);
    mig_release_lock(pg);
    res.duration_ms = mig_now_ms() - t0;
    return res;
}

/* The applied versions to revert, newest first, in *plan (count *n). */
static void plan_down(const mig_applied_row *rows, size_t nrows, const pgqc_migrate_options *o,
                      int64_t *plan, size_t *n)
{
    size_t want = o->steps < 0 ? nrows : (o->steps == 0 ? 1 : (size_t)o->steps);
    *n = 0;
    for (size_t i = nrows; i-- > 0;) {
        if (o->has_target ? rows[i].version <= o->target : *n >= want)
            break;
        plan[(*n)++] = rows[i].version;
    }
}

/* Every planned migration needs a down script: refuse before changing anything. */
static bool check_down_scripts(const pgqc_migration_set *set, const int64_t *plan, size_t n,
                               pgqc_migrate_result *res)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const pgqc_migration *m = mig_find_migration(set, plan[i]);
        if (m && m->down_sql)
            continue;
        pgqc_migrate_error *e = mig_add_error(
            res, m ? m->up_name : set->dir,
            "migration %" PRId64 " is up-only (no .down.sql file): it cannot be reverted, so "
            "nothing was reverted",
            plan[i]);
        if (e)
            e->hint = mig_dup0("choose a target above it (--to), or write a new migration that "
                               "undoes it");
        ok = false;
    }
    if (!ok)
        mig_set_failure(res, PGQC_MIGRATE_STATE_ERROR);
    return ok;
}

pgqc_migrate_result pgqc_migrate_down(PGconn *pg, const pgqc_migration_set *set,
                                      const pgqc_migrate_options *opts)
{
    pgqc_migrate_result res = mig_result_init();
    pgqc_migrate_options o = options_or_default(opts);
    double t0 = mig_now_ms();
    mig_applied_row *rows = NULL;
    size_t nrows = 0;
    if (!mig_begin_run(pg, set, &o, &rows, &nrows, &res))
        return res;
    res.versions = calloc(nrows + 1, sizeof *res.versions);
    size_t n = 0;
    if (res.versions) {
        plan_down(rows, nrows, &o, res.versions, &n);
        if (check_down_scripts(set, res.versions, n, &res)) {
            for (size_t i = 0; i < n; i++) {
                if (!run_one(pg, mig_find_migration(set, res.versions[i]), false, &o, &res))
                    break;
                res.executed++;
            }
        }
    }
    free(rows);
    mig_release_lock(pg);
    res.duration_ms = mig_now_ms() - t0;
    return res;
}
