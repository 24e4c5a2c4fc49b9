/*
 * migrate_verify.c — schema snapshots, `migrate verify` and the wiping
 * half of `migrate reset` (see migrate_verify.h).
 */
#include "migrate_verify.h"
#include "strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char snapshot_sql[] =
    "WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname NOT IN "
    "  ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' "
    "  AND nspname NOT LIKE 'pg\\_temp%'), "
    "rel AS (SELECT c.*, n.nspname FROM pg_class c JOIN ns n ON n.oid = c.relnamespace "
    "  WHERE c.relname <> 'pgqc_migrations' AND c.relname <> 'pgqc_migrations_pkey') "
    "SELECT line FROM ("
    " SELECT 'schema ' || nspname AS line FROM ns WHERE nspname <> 'public'"
    " UNION ALL SELECT format('%s %I.%I', CASE relkind WHEN 'v' THEN 'view' WHEN 'm' THEN "
    "  'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' "
    "  ELSE 'table' END, nspname, relname) FROM rel WHERE relkind IN ('r','p','v','m','S','f')"
    " UNION ALL SELECT format('column %I.%I.%I %s%s%s', c.nspname, c.relname, a.attname, "
    "  format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' "
    "  END, COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')) "
    "  FROM pg_attribute a JOIN rel c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON "
    "  d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 AND NOT "
    "  a.attisdropped AND c.relkind IN ('r','p','v','m','f','c')"
    " UNION ALL SELECT format('constraint %I.%I %I: %s', c.nspname, c.relname, co.conname, "
    "  pg_get_constraintdef(co.oid)) FROM pg_constraint co JOIN rel c ON c.oid = co.conrelid"
    " UNION ALL SELECT format('domain constraint %I.%I %I: %s', n.nspname, t.typname, "
    "  co.conname, pg_get_constraintdef(co.oid)) FROM pg_constraint co JOIN pg_type t ON "
    "  t.oid = co.contypid JOIN ns n ON n.oid = t.typnamespace"
    " UNION ALL SELECT format('index %I.%I: %s', c.nspname, c.relname, "
    "  pg_get_indexdef(c.oid)) FROM rel c WHERE c.relkind IN ('i','I')"
    " UNION ALL SELECT format('view definition %I.%I: %s', nspname, relname, "
    "  pg_get_viewdef(oid)) FROM rel WHERE relkind IN ('v','m')"
    " UNION ALL SELECT format('type %I.%I %s', n.nspname, t.typname, CASE t.typtype "
    "  WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY "
    "  enumsortorder) FROM pg_enum WHERE enumtypid = t.oid) || ')' WHEN 'd' THEN "
    "  'domain over ' || format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull "
    "  THEN ' not null' ELSE '' END || COALESCE(' default ' || t.typdefault, '') "
    "  WHEN 'c' THEN 'composite' ELSE 'range' END) FROM pg_type t JOIN ns n ON "
    "  n.oid = t.typnamespace WHERE t.typtype IN ('e','d','r') OR (t.typtype = 'c' AND "
    "  (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')"
    " UNION ALL SELECT format('function %I.%I(%s) returns %s: %s', n.nspname, p.proname, "
    "  pg_get_function_identity_arguments(p.oid), "
    "  COALESCE(pg_get_function_result(p.oid), ''), md5(p.prosrc)) FROM pg_proc p JOIN ns n "
    "  ON n.oid = p.pronamespace"
    " UNION ALL SELECT format('trigger %I.%I: %s', c.nspname, c.relname, "
    "  pg_get_triggerdef(t.oid)) FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE "
    "  NOT t.tgisinternal"
    ") s ORDER BY line COLLATE \"C\"";

bool schema_snapshot_take(PGconn *pg, schema_snapshot *out, diag_list *dl)
{
    memset(out, 0, sizeof *out);
    PGresult *r = PQexec(pg, snapshot_sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        diag_plain(dl, DIAG_ERROR, NULL, "cannot read the schema: %s", PQresultErrorMessage(r));
        PQclear(r);
        return false;
    }
    out->count = (size_t)PQntuples(r);
    out->lines = xcalloc(out->count + 1, sizeof *out->lines);
    for (size_t i = 0; i < out->count; i++)
        out->lines[i] = xstrdup(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return true;
}

void schema_snapshot_free(schema_snapshot *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->lines[i]);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

char *schema_snapshot_diff(const schema_snapshot *a, const schema_snapshot *b, const char *a_name,
                           const char *b_name)
{
    size_t i = 0, k = 0;
    while (i < a->count && k < b->count && strcmp(a->lines[i], b->lines[k]) == 0)
        i++, k++;
    if (i == a->count && k == b->count)
        return NULL;
    int c = i == a->count ? 1 : (k == b->count ? -1 : strcmp(a->lines[i], b->lines[k]));
    if (c < 0)
        return xstrfmt("only %s: %s", a_name, a->lines[i]);
    return xstrfmt("only %s: %s", b_name, b->lines[k]);
}

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
        diag *d = diag_plain(dl, DIAG_ERROR, NULL,
                             "verify: after migrating down, %zu object%s remain%s; first: %s",
                             s.count, s.count == 1 ? "" : "s", s.count == 1 ? "s" : "", s.lines[0]);
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
