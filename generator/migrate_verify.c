/*
 * migrate_verify.c — `migrate verify` and the wiping half of
 * `migrate reset` (see migrate_verify.h); the schema snapshots it compares
 * are schema_snapshot.c's.
 */
#include "migrate_verify.h"
#include "strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Run one step: up to `target` (all when negative) or down `steps`
 * migrations (all when negative). Reports failures; true when it succeeded.
 */
static bool run_step(PGconn *pg, const pgqc_migration_set *set, bool up, int64_t target, int steps,
                     size_t *executed, diag_list *dl)
{
    pgqc_migrate_options o = {0};
    o.steps = steps;
    o.has_target = up && target >= 0;
    o.target = target;
    pgqc_migrate_result res = up ? pgqc_migrate_up(pg, set, &o) : pgqc_migrate_down(pg, set, &o);
    bool ok = res.success;
    if (!ok) {
        dbsource_report_migrate(&res, dl);
        diag_plain(dl, DIAG_ERROR, set->dir, "verify: migrate %s failed", up ? "up" : "down");
    }
    *executed = res.executed;
    pgqc_migrate_result_free(&res);
    return ok;
}

static bool all_have_down(const pgqc_migration_set *set, diag_list *dl)
{
    for (size_t i = 0; i < set->count; i++) {
        if (!set->items[i].down_sql) {
            diag *d = diag_plain(dl, DIAG_NOTE, set->items[i].up_name,
                                 "verify: up-only migration: down all and up again skipped");
            diag_set_hint(d, "add a .down.sql file to verify that it reverts cleanly");
            return false;
        }
    }
    return true;
}

/* After down all: nothing but pgqc_migrations may remain. */
static bool check_empty(PGconn *pg, diag_list *dl)
{
    schema_snapshot s;
    if (!schema_snapshot_take(pg, &s, dl))
        return false;
    bool ok = s.count == 0;
    if (!ok) {
        diag *d = diag_plain(
            dl, DIAG_ERROR, NULL, "verify: after migrating down, %zu object%s remain%s; first: %s",
            s.count, s.count == 1 ? "" : "s", s.count == 1 ? "s" : "", s.objects[0].line);
        diag_set_hint(d, "a .down.sql file does not undo everything its .up.sql creates");
    }
    schema_snapshot_free(&s);
    return ok;
}

/* At most this many differences are listed for one failing step. */
#define MAX_LISTED 20

/*
 * Compare `want` with the schema `pg` has now; on a difference, report an
 * error on `file` with `what`, every difference described with `a_where`
 * / `b_where`, and `hint`. True when they are equal.
 */
static bool check_same(PGconn *pg, const schema_snapshot *want, const char *file, const char *what,
                       const char *a_where, const char *b_where, const char *hint, diag_list *dl)
{
    schema_snapshot now;
    if (!schema_snapshot_take(pg, &now, dl))
        return false;
    schema_difference *diffs = NULL;
    size_t n = schema_compare(want, &now, &diffs);
    if (n) {
        strbuf list = STRBUF_INIT;
        for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
            char *line = schema_difference_describe(&diffs[i], a_where, b_where);
            strbuf_addf(&list, "\n    %s", line);
            free(line);
        }
        if (n > MAX_LISTED)
            strbuf_addf(&list, "\n    (and %zu more)", n - MAX_LISTED);
        diag *d = diag_plain(dl, DIAG_ERROR, file, "verify: %s; %zu difference%s:%s", what, n,
                             n == 1 ? "" : "s", list.buf);
        diag_set_hint(d, "%s", hint);
        strbuf_release(&list);
    }
    free(diffs);
    schema_snapshot_free(&now);
    return n == 0;
}

/*
 * Each migration N in turn: up N; if it has a down, down N must give back
 * the schema before up N, and up N again the schema after it. `*after`
 * gets the schema once every migration is applied.
 */
static bool verify_steps(PGconn *pg, const pgqc_migration_set *set, schema_snapshot *after,
                         size_t *applied, diag_list *dl)
{
    schema_snapshot before;
    *applied = 0;
    memset(after, 0, sizeof *after);
    if (!schema_snapshot_take(pg, &before, dl))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < set->count; i++) {
        const pgqc_migration *m = &set->items[i];
        size_t n = 0;
        ok = run_step(pg, set, true, m->version, 0, &n, dl) && schema_snapshot_take(pg, after, dl);
        if (!ok)
            break;
        *applied += n;
        if (m->down_sql) {
            char what[160], a_where[64], b_where[64];
            snprintf(what, sizeof what,
                     "after up %" PRId64 " and down %" PRId64
                     ", the schema differs from the one before up %" PRId64,
                     m->version, m->version, m->version);
            snprintf(a_where, sizeof a_where, "before up %" PRId64, m->version);
            snprintf(b_where, sizeof b_where, "after down %" PRId64, m->version);
            ok = run_step(pg, set, false, -1, 1, &n, dl) &&
                 check_same(pg, &before, m->down_name, what, a_where, b_where,
                            "this .down.sql file does not exactly undo its .up.sql file", dl);
            snprintf(what, sizeof what,
                     "after up %" PRId64 ", down and up again, the schema differs from the one "
                     "after the first up",
                     m->version);
            snprintf(a_where, sizeof a_where, "after the first up %" PRId64, m->version);
            snprintf(b_where, sizeof b_where, "after up %" PRId64 " again", m->version);
            ok = ok && run_step(pg, set, true, m->version, 0, &n, dl) &&
                 check_same(pg, after, m->up_name, what, a_where, b_where,
                            "this .up.sql file does not give the same schema when it runs again "
                            "after its .down.sql file",
                            dl);
        }
        schema_snapshot_free(&before);
        before = *after;
        memset(after, 0, sizeof *after);
    }
    *after = before;
    return ok;
}

bool verify_on(PGconn *pg, const pgqc_migration_set *set, verify_report *rep, diag_list *dl)
{
    memset(rep, 0, sizeof *rep);
    size_t n = 0;
    schema_snapshot a;
    bool ok = verify_steps(pg, set, &a, &rep->migrations, dl);
    rep->objects = a.count;
    ok = ok && run_step(pg, set, true, -1, 0, &n, dl);
    if (ok && n != 0) {
        diag_plain(dl, DIAG_ERROR, set->dir, "verify: a second `up` applied %zu migration%s", n,
                   n == 1 ? "" : "s");
        ok = false;
    }
    if (ok && all_have_down(set, dl)) {
        ok = run_step(pg, set, false, -1, -1, &n, dl) && check_empty(pg, dl) &&
             run_step(pg, set, true, -1, 0, &n, dl) &&
             check_same(pg, &a, set->dir,
                        "after down all and up all again, the schema differs from the one after "
                        "the first up",
                        "after the first up", "after down and up again",
                        "a .down.sql file does not exactly undo its .up.sql file", dl);
        rep->reverted = ok;
    }
    schema_snapshot_free(&a);
    return ok;
}

/* Create a fresh database on the server of `admin`; NULL with a diag. */
static char *create_scratch_db(PGconn *admin, diag_list *dl)
{
    char *name = xstrfmt("pgqc_verify_%ld_%ld", (long)getpid(), (long)time(NULL));
    char *sql = xstrfmt("CREATE DATABASE %s", name);
    PGresult *r = PQexec(admin, sql);
    free(sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "verify: cannot create a scratch database: %s",
                             PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
        diag_set_hint(d, "the user needs CREATEDB, or omit --database-url to use the embedded "
                         "throwaway server");
        PQclear(r);
        free(name);
        return NULL;
    }
    PQclear(r);
    return name;
}

static PGconn *connect_to_db(const char *conninfo, const char *dbname, diag_list *dl)
{
    const char *keys[] = {"dbname", "dbname", NULL};
    const char *vals[] = {conninfo, dbname, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(pg) == CONNECTION_OK) {
        PQclear(PQexec(pg, "SET client_min_messages = warning"));
        return pg;
    }
    diag_plain(dl, DIAG_ERROR, NULL, "verify: cannot connect to database %s: %s", dbname,
               PQerrorMessage(pg));
    PQfinish(pg);
    return NULL;
}

/* Verify in a scratch database on the server `url` names. */
static dbsrc_status verify_on_server(const char *url, const pgqc_migration_set *set,
                                     verify_report *rep, diag_list *dl)
{
    dbsrc_status why;
    PGconn *admin = dbsource_connect(url, &why, dl);
    if (!admin)
        return why;
    char *name = create_scratch_db(admin, dl);
    dbsrc_status st = DBSRC_MIGRATION;
    if (name) {
        PGconn *pg = connect_to_db(url, name, dl);
        if (pg && verify_on(pg, set, rep, dl))
            st = DBSRC_OK;
        PQfinish(pg);
        char *sql = xstrfmt("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
        PQclear(PQexec(admin, sql));
        free(sql);
        free(name);
    }
    PQfinish(admin);
    return st;
}

dbsrc_status verify_migrations(const char *url, const pgqc_migration_set *set, verify_report *rep,
                               diag_list *dl)
{
    url = dbsource_url(url);
    if (url)
        return verify_on_server(url, set, rep, dl);
    dbsource src;
    dbsrc_status st = dbsource_open(NULL, NULL, false, &src, dl);
    if (st != DBSRC_OK)
        return st;
    st = verify_on(src.pg, set, rep, dl) ? DBSRC_OK : DBSRC_MIGRATION;
    dbsource_close(&src);
    return st;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool database_is_throwaway(PGconn *pg, char **name)
{
    PGresult *r = PQexec(pg, "SELECT current_database(), COALESCE(shobj_description(oid, "
                             "'pg_database'), '') FROM pg_database WHERE datname = "
                             "current_database()");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    *name = xstrdup(ok ? PQgetvalue(r, 0, 0) : "?");
    bool throwaway = ok && (ends_with(*name, "_test") || ends_with(*name, "_dev") ||
                            ends_with(*name, "_tmp") || strncmp(*name, "pgqc_", 5) == 0 ||
                            strstr(PQgetvalue(r, 0, 1), "pgqc:throwaway") != NULL);
    PQclear(r);
    return throwaway;
}

static const char drop_sql[] =
    "DO $pgqc$ DECLARE s record; had_public boolean := false; BEGIN "
    "FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
    "'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE "
    "'pg\\_temp%' LOOP "
    "  IF s.nspname = 'public' THEN had_public := true; END IF; "
    "  EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname); "
    "END LOOP; "
    "IF had_public THEN CREATE SCHEMA public AUTHORIZATION pg_database_owner; "
    "  GRANT USAGE ON SCHEMA public TO PUBLIC; END IF; "
    "END $pgqc$";

bool database_drop_everything(PGconn *pg, diag_list *dl)
{
    PGresult *r = PQexec(pg, drop_sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        diag_plain(dl, DIAG_ERROR, NULL, "cannot drop the database's schemas: %s",
                   PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
    PQclear(r);
    return ok;
}
