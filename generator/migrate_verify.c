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

/* Run up (or down all) and report failures; true when it succeeded. */
static bool run_step(PGconn *pg, const pgqc_migration_set *set, bool up, size_t *executed,
                     diag_list *dl)
{
    pgqc_migrate_options o = {0};
    o.steps = -1;
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
                                 "verify: up-only migration: down and up-again steps skipped");
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

/* Up all again: snapshot B must equal A. */
static bool check_up_again(PGconn *pg, const pgqc_migration_set *set, const schema_snapshot *a,
                           diag_list *dl)
{
    size_t n;
    schema_snapshot b;
    if (!run_step(pg, set, true, &n, dl) || !schema_snapshot_take(pg, &b, dl))
        return false;
    char *diff = schema_snapshot_diff(a, &b, "after the first up", "after down and up again");
    if (diff) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "verify: the schema differs: %s", diff);
        diag_set_hint(d, "a .down.sql file does not exactly undo its .up.sql file");
    }
    free(diff);
    schema_snapshot_free(&b);
    return diff == NULL;
}

bool verify_on(PGconn *pg, const pgqc_migration_set *set, verify_report *rep, diag_list *dl)
{
    memset(rep, 0, sizeof *rep);
    size_t n = 0;
    schema_snapshot a;
    if (!run_step(pg, set, true, &n, dl) || !schema_snapshot_take(pg, &a, dl))
        return false;
    rep->migrations = n;
    rep->objects = a.count;
    bool ok = run_step(pg, set, true, &n, dl);
    if (ok && n != 0) {
        diag_plain(dl, DIAG_ERROR, set->dir, "verify: a second `up` applied %zu migration%s", n,
                   n == 1 ? "" : "s");
        ok = false;
    }
    if (ok && all_have_down(set, dl)) {
        ok = run_step(pg, set, false, &n, dl) && check_empty(pg, dl) &&
             check_up_again(pg, set, &a, dl);
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
    PGconn *admin = dbsource_connect(url, dl);
    if (!admin)
        return DBSRC_UNREACHABLE;
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
