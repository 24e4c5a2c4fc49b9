/*
 * test_migrate.c — integration tests of the migration runner as users run
 * it (`pgqc migrate ...`, `pgqc seed`) against a real PostgreSQL: one
 * throwaway server (generator/tmpdb.h) for the whole file, a fresh
 * database and a scratch migrations directory for each test.
 *
 * Covers the reliability promises of DESIGN.md "Migrations": concurrent
 * runners apply each version once, a failing migration is named by
 * file:line:col and leaves earlier ones applied, edited / missing / dirty
 * migrations stop the run, a CRLF checkout is not "modified", down/up
 * round trips, verify (each step and the whole set), lint, new, reset and
 * seed; what a migration may not do (transaction control, touching
 * pgqc_migrations), repair's explicit choices and their log, status
 * output, per-command help.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgqc/migrate.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"
#include "tmpdb.h"

static tmpdb *server;
static PGconn *admin;
static int db_counter;

/* One test's world: a database and a directory holding migrations/. */
typedef struct fixture {
    char *dir;
    char *dbname;
    char *url;
    PGconn *pg;
} fixture;

static int group_setup(void **state)
{
    (void)state;
    char *err = NULL;
    tmpdb_failure why;
    server = tmpdb_start(&err, &why);
    if (!server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err);
        return -1;
    }
    admin = PQconnectdb(tmpdb_conninfo(server));
    return PQstatus(admin) == CONNECTION_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    PQfinish(admin);
    tmpdb_stop(server);
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    if (asprintf(&f->dbname, "m%d_test", ++db_counter) < 0)
        return -1;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->dbname);
    PGresult *r = PQexec(admin, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    f->url = tmpdb_conninfo_for(server, f->dbname);
    f->pg = PQconnectdb(f->url);
    *state = f;
    return ok && PQstatus(f->pg) == CONNECTION_OK ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    PQfinish(f->pg);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->dbname);
    free(f->url);
    free(f);
    return 0;
}

/* Run `pgqc ARGS --database-url URL` in the fixture directory. */
static int pgqc(const fixture *f, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL '%s' %s --database-url '%s'", f->dir,
                   tu_pgqc(), args, f->url);
}

/* The first value of a query's first row (caller frees), "" when none. */
static char *query1(const fixture *f, const char *sql)
{
    PGresult *r = PQexec(f->pg, sql);
    char *v =
        strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return v;
}

static void assert_query(const fixture *f, const char *sql, const char *expected)
{
    char *v = query1(f, sql);
    if (strcmp(v, expected) != 0)
        fprintf(stderr, "%s\n  gave \"%s\", expected \"%s\"\n", sql, v, expected);
    assert_string_equal(v, expected);
    free(v);
}

/* Check a command's exit status and (unless NULL) that its output has `needle`. */
static void assert_output(int status, int expected, char **outp, const char *needle)
{
    char *out = outp ? *outp : NULL;
    if (status != expected || (needle && !strstr(out, needle)))
        fprintf(stderr, "exit %d (expected %d), output:\n%s\n", status, expected,
                out ? out : "(not captured)");
    assert_int_equal(status, expected);
    if (needle)
        assert_non_null(strstr(out, needle));
    free(out);
}

#define APPLIED_VERSIONS                                                                           \
    "SELECT string_agg(version::text, ',' ORDER BY version) FROM pgqc_migrations"

static void write_three(const fixture *f)
{
    tu_write(f->dir, "migrations/0001_users.up.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY);\n");
    tu_write(f->dir, "migrations/0001_users.down.sql", "DROP TABLE users;\n");
    tu_write(f->dir, "migrations/0002_posts.up.sql",
             "CREATE TABLE posts (id bigint PRIMARY KEY,\n"
             "    author bigint NOT NULL REFERENCES users);\n"
             "CREATE TYPE mood AS ENUM ('happy', 'sad');\n");
    tu_write(f->dir, "migrations/0002_posts.down.sql", "DROP TABLE posts;\nDROP TYPE mood;\n");
    tu_write(f->dir, "migrations/0003_age.up.sql",
             "ALTER TABLE users ADD COLUMN age int CHECK (age >= 0);\n");
    tu_write(f->dir, "migrations/0003_age.down.sql", "ALTER TABLE users DROP COLUMN age;\n");
}

/* ---- up ---------------------------------------------------------------------- */

static void test_eight_concurrent_runners_apply_each_version_once(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_slow.up.sql",
             "SELECT pg_sleep(0.3);\nCREATE TABLE slow (id int);\n");
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && for i in 1 2 3 4 5 6 7 8; do ('%s' migrate up --database-url "
                     "'%s' > out.$i 2>&1; echo $? > st.$i) & done; wait; cat st.* | sort -u; "
                     "cat out.*",
                     f->dir, tu_pgqc(), f->url);
    assert_int_equal(st, 0);
    if (strncmp(out, "0\n", 2) != 0 || strstr(out, "already exists") || strstr(out, "error"))
        fprintf(stderr, "%s\n", out);
    assert_true(strncmp(out, "0\nr", 3) == 0 || strncmp(out, "0\na", 3) == 0 ||
                strncmp(out, "0\nn", 3) == 0); /* every status is 0 */
    assert_null(strstr(out, "already exists"));
    assert_null(strstr(out, "error"));
    free(out);
    assert_query(f, "SELECT count(*) || '/' || count(DISTINCT version) FROM pgqc_migrations",
                 "4/4");
}

static void test_failing_migration_names_file_line_col_and_keeps_earlier(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_ok.up.sql", "CREATE TABLE ok (id int);\n");
    tu_write(f->dir, "migrations/0002_bad.up.sql",
             "CREATE TABLE half (id int);\n\nSELECT id FROM nope;\n");
    tu_write(f->dir, "migrations/0003_later.up.sql", "CREATE TABLE later (id int);\n");
    char *out;
    int st = pgqc(f, &out, "migrate up");
    assert_non_null(strstr(out, "relation \"nope\" does not exist"));
    assert_output(st, 1, &out, "migrations/0002_bad.up.sql:3:16: error:");
    assert_query(f, APPLIED_VERSIONS, "1");
    assert_query(f, "SELECT to_regclass('ok') IS NOT NULL", "t");
    assert_query(f, "SELECT to_regclass('half') IS NULL AND to_regclass('later') IS NULL", "t");
}

static void test_edited_applied_migration_is_refused_until_repaired(void **state)
{
    fixture *f = *state;
    write_three(f);
    assert_output(pgqc(f, NULL, "migrate up --to 2"), 0, NULL, NULL);
    tu_write(f->dir, "migrations/0001_users.up.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY); -- edited\n");
    char *out;
    int st = pgqc(f, &out, "migrate up");
    assert_non_null(strstr(out, "applied checksum"));
    assert_non_null(strstr(out, "file checksum"));
    assert_output(st, 1, &out, "0001_users.up.sql: error: migration 1 was modified");
    assert_query(f, APPLIED_VERSIONS, "1,2");
    st = pgqc(f, &out, "migrate status");
    assert_output(st, 1, &out, "modified");
    assert_output(pgqc(f, &out, "migrate repair"), 0, &out,
                  "repaired version 1: checksum recorded");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    assert_query(f, APPLIED_VERSIONS, "1,2,3");
}

static void test_missing_file_is_reported_and_blocks_up(void **state)
{
    fixture *f = *state;
    write_three(f);
    assert_output(pgqc(f, NULL, "migrate up --to 2"), 0, NULL, NULL);
    char *out;
    tu_runf(NULL, "rm '%s/migrations/0002_posts.up.sql' '%s/migrations/0002_posts.down.sql'",
            f->dir, f->dir);
    int st = pgqc(f, &out, "migrate up");
    assert_output(st, 1, &out, "migration 2 (posts) is applied but its file is missing");
    st = pgqc(f, &out, "migrate status --json");
    assert_output(st, 1, &out, "\"state\": \"missing-file\"");
    assert_query(f, APPLIED_VERSIONS, "1,2");
}

static void test_dirty_no_transaction_migration_blocks_until_repaired(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_index.up.sql",
             "-- pgqc:no-transaction\n"
             "CREATE INDEX CONCURRENTLY users_age ON users (age);\n"
             "SELECT no_such_column FROM users;\n");
    char *out;
    int st = pgqc(f, &out, "migrate up");
    assert_non_null(strstr(out, "marked dirty"));
    assert_output(st, 1, &out, "0004_index.up.sql:3:8: error: column \"no_such_column\"");
    assert_query(f, "SELECT dirty FROM pgqc_migrations WHERE version = 4", "t");
    assert_query(f, "SELECT to_regclass('users_age') IS NOT NULL", "t");
    st = pgqc(f, &out, "migrate status");
    assert_output(st, 1, &out, "dirty");
    st = pgqc(f, &out, "migrate up");
    assert_output(st, 1, &out, "migration 4 is dirty");
    /* the index was built by hand: the user says so */
    assert_output(pgqc(f, &out, "migrate repair --mark-applied"), 0, &out,
                  "repaired version 4: marked applied");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "nothing to apply");
    assert_query(f, "SELECT dirty FROM pgqc_migrations WHERE version = 4", "f");
    assert_output(pgqc(f, &out, "migrate status"), 0, &out, "(repair: marked applied at 20");
}

static void test_crlf_and_bom_checkout_is_not_modified(void **state)
{
    fixture *f = *state;
    write_three(f);
    assert_output(pgqc(f, NULL, "migrate up"), 0, NULL, NULL);
    tu_write(f->dir, "migrations/0002_posts.up.sql",
             "\xEF\xBB\xBF"
             "CREATE TABLE posts (id bigint PRIMARY KEY,\r\n"
             "    author bigint NOT NULL REFERENCES users);\r\n"
             "CREATE TYPE mood AS ENUM ('happy', 'sad');\r\n");
    char *out;
    assert_output(pgqc(f, &out, "migrate status"), 0, &out, "applied");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "nothing to apply");
}

/* A BOM is not a column, in `up`'s own and the server's errors, and is not shown. */
static void test_bom_file_errors_point_at_the_right_column(void **state)
{
    fixture *f = *state;
    char *out;
    tu_write(f->dir, "migrations/0001_z.up.sql",
             "\xEF\xBB\xBF"
             "CREATE TABLE z(i int); COMMIT;\n");
    int st = pgqc(f, &out, "migrate up");
    assert_null(strstr(out, "\xEF\xBB\xBF"));
    assert_non_null(strstr(out, "1 | CREATE TABLE z(i int); COMMIT;\n"));
    assert_output(st, 1, &out, "0001_z.up.sql:1:24: error: COMMIT");
    st = tu_runf(&out, "cd '%s' && '%s' migrate lint", f->dir, tu_pgqc());
    assert_output(st, 1, &out, "0001_z.up.sql:1:24: error: [transaction-control]");
    /* server positions, on line 1 and after CRLF line ends */
    tu_write(f->dir, "migrations/0001_z.up.sql",
             "\xEF\xBB\xBF"
             "SELECT nope FROM pg_class;\r\n");
    st = pgqc(f, &out, "migrate up");
    assert_null(strstr(out, "\xEF\xBB\xBF"));
    assert_output(st, 1, &out, "0001_z.up.sql:1:8: error: column \"nope\" does not exist");
    tu_write(f->dir, "migrations/0001_z.up.sql",
             "\xEF\xBB\xBF"
             "CREATE TABLE z(i int);\r\n  SELECT é, nope FROM z;\r\n");
    st = pgqc(f, &out, "migrate up");
    assert_non_null(strstr(out, "2 |   SELECT é, nope FROM z;\n"));
    assert_output(st, 1, &out, "0001_z.up.sql:2:10: error: column \"é\" does not exist");
    /* the same statements without a BOM: the same positions */
    tu_write(f->dir, "migrations/0001_z.up.sql", "SELECT nope FROM pg_class;\n");
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "0001_z.up.sql:1:8: error:");
    assert_query(f, "SELECT to_regclass('z') IS NULL", "t");
}

static void test_killed_runner_leaves_table_iff_row_and_rerun_completes(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_long.up.sql",
             "CREATE TABLE long_one (id int);\nSELECT pg_sleep(2);\n");
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && ('%s' migrate up --database-url '%s' > run.log 2>&1 & "
                     "pid=$!; sleep 0.7; kill -9 $pid; wait $pid; echo killed $?)",
                     f->dir, tu_pgqc(), f->url);
    assert_output(st, 0, &out, "killed 137");
    assert_query(f,
                 "SELECT (to_regclass('long_one') IS NULL) = (to_regclass('pgqc_migrations') IS "
                 "NULL OR NOT EXISTS (SELECT FROM pgqc_migrations))",
                 "t");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    assert_query(f, "SELECT to_regclass('long_one') IS NOT NULL", "t");
    assert_query(f, APPLIED_VERSIONS, "1");
}

static void test_read_only_user_gets_a_clear_error(void **state)
{
    fixture *f = *state;
    write_three(f);
    assert_output(pgqc(f, NULL, "migrate up --to 1"), 0, NULL, NULL);
    PQclear(PQexec(admin, "DO $$ BEGIN CREATE ROLE reader LOGIN; EXCEPTION WHEN "
                          "duplicate_object THEN NULL; END $$"));
    PQclear(PQexec(f->pg, "GRANT SELECT ON pgqc_migrations TO reader"));
    char *out;
    int st = tu_runf(&out, "cd '%s' && '%s' migrate up --database-url '%s user=reader'", f->dir,
                     tu_pgqc(), f->url);
    assert_output(st, 1, &out,
                  "0002_posts.up.sql:1:14: error: permission denied for schema public");
    st = tu_runf(&out, "cd '%s' && '%s' migrate status --database-url '%s user=reader'", f->dir,
                 tu_pgqc(), f->url);
    assert_output(st, 0, &out, "pending");
    /* a repair log the reader may not read does not break status */
    tu_write(f->dir, "migrations/0001_users.up.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY); -- edited\n");
    assert_output(pgqc(f, &out, "migrate repair"), 0, &out, "checksum recorded");
    st = tu_runf(&out, "cd '%s' && '%s' migrate status --database-url '%s user=reader'", f->dir,
                 tu_pgqc(), f->url);
    assert_output(st, 0, &out, "pending");
    assert_query(f, APPLIED_VERSIONS, "1");
}

/* ---- what a migration may not do, and where its errors are ------------------- */

static void test_transaction_control_is_refused_before_anything_runs(void **state)
{
    fixture *f = *state;
    static const char *const cases[][2] = {
        {"COMMIT;", "COMMIT in a migration"},
        {"END;", "COMMIT in a migration"},
        {"ROLLBACK;", "ROLLBACK in a migration"},
        {"ABORT;", "ROLLBACK in a migration"},
        {"BEGIN;", "BEGIN in a migration"},
        {"START TRANSACTION;", "START TRANSACTION"},
        {"PREPARE TRANSACTION 'x';", "PREPARE TRANSACTION"},
    };
    tu_write(f->dir, "migrations/0001_ok.up.sql", "CREATE TABLE ok (id int);\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256], *out;
        snprintf(text, sizeof text, "CREATE TABLE t2 (id int);\n\n  %s -- done\n", cases[i][0]);
        tu_write(f->dir, "migrations/0002_tx.up.sql", text);
        int st = pgqc(f, &out, "migrate up");
        assert_non_null(strstr(out, "pgqc:no-transaction"));
        assert_non_null(strstr(out, cases[i][1]));
        assert_output(st, 1, &out, "migrations/0002_tx.up.sql:3:3: error:");
        st = tu_runf(&out, "cd '%s' && '%s' migrate lint", f->dir, tu_pgqc());
        assert_output(st, 1, &out, "0002_tx.up.sql:3:3: error: [transaction-control]");
        /* nothing ran: not even migration 1 or the tracking table */
        assert_query(
            f, "SELECT to_regclass('ok') IS NULL AND to_regclass('pgqc_migrations') IS NULL", "t");
    }
    /* savepoints stay inside the transaction; a down file is checked too */
    tu_write(f->dir, "migrations/0002_tx.up.sql",
             "SAVEPOINT a;\nCREATE TABLE t2 (id int);\nRELEASE SAVEPOINT a;\n");
    tu_write(f->dir, "migrations/0002_tx.down.sql", "DROP TABLE t2;\nCOMMIT;\n");
    char *out;
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "0002_tx.down.sql:2:1: error: COMMIT");
    tu_write(f->dir, "migrations/0002_tx.down.sql", "DROP TABLE t2;\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 2 migrations");
    /* outside a transaction, transaction control is the file's own business */
    tu_write(f->dir, "migrations/0003_own.up.sql",
             "-- pgqc:no-transaction\nBEGIN;\nCREATE TABLE t3 (id int);\nCOMMIT;\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    assert_query(f, APPLIED_VERSIONS, "1,2,3");
}

static void test_migration_changing_the_tracking_table_exits_1(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_ok.up.sql", "CREATE TABLE ok (id int);\n");
    tu_write(f->dir, "migrations/0002_bad.up.sql",
             "CREATE TABLE x (id int);\nALTER TABLE pgqc_migrations DROP COLUMN dirty;\n");
    char *out;
    int st = pgqc(f, &out, "migrate up");
    assert_output(st, 1, &out, "0002_bad.up.sql:2:1: error: a migration must not alter");
    assert_query(f, "SELECT to_regclass('ok') IS NULL", "t");
    static const char *const statements[] = {"DROP TABLE x, public.pgqc_migrations;",
                                             "TRUNCATE pgqc_migrations;",
                                             "ALTER TABLE pgqc_migrations RENAME TO old;"};
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        tu_write(f->dir, "migrations/0002_bad.up.sql", statements[i]);
        assert_output(pgqc(f, &out, "migrate up"), 1, &out, "0002_bad.up.sql:1:1: error:");
    }
    /* hidden from the parser: caught when recording, still exit 1, rolled back */
    tu_write(f->dir, "migrations/0002_bad.up.sql",
             "CREATE TABLE x (id int);\n"
             "DO $$ BEGIN EXECUTE 'DROP TABLE pgqc_migrations'; END $$;\n");
    st = pgqc(f, &out, "migrate up");
    assert_non_null(strstr(out, "must not drop, rename or alter pgqc_migrations"));
    assert_output(st, 1, &out, "0002_bad.up.sql: error: cannot record migration 2");
    assert_query(f, APPLIED_VERSIONS, "1");
    assert_query(f, "SELECT to_regclass('x') IS NULL", "t");
}

/* Statements refused on a tracking table at file:line:col, by `up` and by `lint`. */
static void assert_tracking_refused(const fixture *f, const char *const *statements, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[512], *out;
        snprintf(text, sizeof text, "CREATE TABLE z (i int);\n  %s\n", statements[i]);
        tu_write(f->dir, "migrations/0002_z.up.sql", text);
        int st = pgqc(f, &out, "migrate up");
        if (!strstr(out, "0002_z.up.sql:2:3: error: a migration must not"))
            fail_msg("%s: %s", statements[i], out);
        assert_output(st, 1, &out, "0002_z.up.sql:2:3: error:");
        st = tu_runf(&out, "cd '%s' && '%s' migrate lint", f->dir, tu_pgqc());
        assert_output(st, 1, &out, "0002_z.up.sql:2:3: error: [tracking-table]");
        assert_query(f, APPLIED_VERSIONS, "1");
        assert_query(f, "SELECT to_regclass('z') IS NULL", "t");
    }
}

static void test_triggers_rules_policies_on_tracking_tables_are_refused(void **state)
{
    fixture *f = *state;
    char *out;
    tu_write(f->dir, "migrations/0001_y.up.sql", "CREATE TABLE y (i int);\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    static const char *const statements[] = {
        "CREATE TRIGGER t BEFORE INSERT ON pgqc_migrations FOR EACH ROW EXECUTE FUNCTION f();",
        "CREATE TRIGGER t AFTER DELETE ON public.\"pgqc_migrations\" EXECUTE FUNCTION f();",
        "CREATE RULE r AS ON INSERT TO pgqc_migrations DO INSTEAD NOTHING;",
        "CREATE OR REPLACE RULE r AS ON DELETE TO PGQC_MIGRATIONS DO INSTEAD NOTHING;",
        "CREATE POLICY p ON pgqc_migrations USING (false);",
        "ALTER POLICY p ON pgqc_migrations USING (true);",
        "CREATE TRIGGER t BEFORE INSERT ON pgqc_migration_repairs EXECUTE FUNCTION f();",
        "CREATE RULE r AS ON INSERT TO pgqc_migration_repairs DO INSTEAD NOTHING;",
        "ALTER TABLE pgqc_migration_repairs ADD COLUMN x int;",
    };
    assert_tracking_refused(f, statements, sizeof statements / sizeof statements[0]);
    /* the same on another table is the migration's own business */
    tu_write(f->dir, "migrations/0002_z.up.sql",
             "CREATE TABLE z (i int);\nCREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS "
             "$$BEGIN RETURN NULL; END$$;\nCREATE TRIGGER t BEFORE INSERT ON z FOR EACH ROW "
             "EXECUTE FUNCTION tf();\nCREATE RULE r AS ON DELETE TO z DO INSTEAD NOTHING;\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
}

static void test_writing_to_tracking_tables_is_refused(void **state)
{
    fixture *f = *state;
    char *out;
    tu_write(f->dir, "migrations/0001_y.up.sql", "CREATE TABLE y (i int);\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    static const char *const statements[] = {
        "DELETE FROM pgqc_migrations;",
        "UPDATE pgqc_migrations SET checksum = 'x';",
        "UPDATE public.pgqc_migrations AS m SET dirty = true WHERE m.version = 1;",
        "INSERT INTO pgqc_migrations (version, description, checksum) VALUES (9, 'x', 'y');",
        "MERGE INTO pgqc_migrations m USING y ON m.version = y.i WHEN MATCHED THEN DELETE;",
        "WITH d AS (DELETE FROM pgqc_migrations RETURNING 1) SELECT count(*) FROM d;",
        "EXPLAIN ANALYZE DELETE FROM pgqc_migrations;",
        "PREPARE p AS DELETE FROM pgqc_migrations;",
        "CREATE RULE r AS ON INSERT TO y DO ALSO DELETE FROM pgqc_migrations;",
        "COPY pgqc_migrations FROM '/dev/null';",
        "DELETE FROM pgqc_migration_repairs;",
        "DELETE FROM U&\"pgqc\\005fmigrations\";",
    };
    assert_tracking_refused(f, statements, sizeof statements / sizeof statements[0]);
    /* reading it is fine */
    tu_write(f->dir, "migrations/0002_z.up.sql",
             "CREATE TABLE z AS SELECT version FROM pgqc_migrations;\n"
             "COPY pgqc_migrations TO STDOUT;\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
}

/*
 * A trigger or rule on pgqc_migrations, hidden from pgqc's parser, that
 * swallows the tracking INSERT, UPDATE or DELETE: the migration is an
 * error, not a success without its row.
 */
static void test_swallowed_tracking_row_is_an_error(void **state)
{
    fixture *f = *state;
    char *out;
    tu_write(f->dir, "migrations/0001_y.up.sql", "CREATE TABLE y (i int);\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    static const char *const hidden[] = {
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN RETURN NULL; "
        "END$f$;\nDO $$ BEGIN EXECUTE 'CREATE TRIGGER t BEFORE INSERT OR UPDATE ON '"
        " || 'pgqc_migrations FOR EACH ROW EXECUTE FUNCTION tf()'; END $$;\n",
        "DO $$ BEGIN EXECUTE 'CREATE RULE r AS ON INSERT TO ' || 'pgqc_migrations DO INSTEAD "
        "NOTHING'; END $$;\n",
    };
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "CREATE TABLE z (i int);\n%s", hidden[i]);
        tu_write(f->dir, "migrations/0002_z.up.sql", text);
        int st = pgqc(f, &out, "migrate up");
        assert_non_null(strstr(out, "changed 0 rows instead of 1"));
        assert_output(st, 1, &out, "0002_z.up.sql: error: cannot record migration 2");
        assert_query(f, APPLIED_VERSIONS, "1");
        assert_query(f, "SELECT to_regclass('z') IS NULL", "t");
    }
    /* no-transaction: the UPDATE that marks it clean is swallowed, it stays dirty */
    tu_write(f->dir, "migrations/0002_z.up.sql",
             "-- pgqc:no-transaction\n"
             "DO $$ BEGIN EXECUTE 'CREATE RULE r AS ON UPDATE TO ' || 'pgqc_migrations DO "
             "INSTEAD NOTHING'; END $$;\n");
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "cannot record migration 2");
    assert_query(f, "SELECT dirty FROM pgqc_migrations WHERE version = 2", "t");
    PGresult *r = PQexec(
        f->pg, "DROP RULE r ON pgqc_migrations; DELETE FROM pgqc_migrations WHERE version = 2");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    /* down: the DELETE of the row is swallowed; rolled back, still applied */
    tu_write(f->dir, "migrations/0002_z.up.sql", "CREATE TABLE z (i int);\n");
    tu_write(f->dir, "migrations/0002_z.down.sql",
             "DROP TABLE z;\nDO $$ BEGIN EXECUTE 'CREATE RULE r AS ON DELETE TO ' || "
             "'pgqc_migrations DO INSTEAD NOTHING'; END $$;\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    int st = pgqc(f, &out, "migrate down");
    assert_non_null(strstr(out, "changed 0 rows instead of 1"));
    assert_output(st, 1, &out, "0002_z.down.sql: error: cannot record migration 2");
    assert_query(f, APPLIED_VERSIONS, "1,2");
    assert_query(f, "SELECT to_regclass('z') IS NOT NULL", "t");
}

static void test_server_errors_name_the_failing_statement(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_dup.up.sql",
             "CREATE TABLE u (id int PRIMARY KEY);\n"
             "INSERT INTO u VALUES (1);\n"
             "/* again */ -- twice\n"
             "  INSERT INTO u VALUES (1);\n");
    char *out;
    int st = pgqc(f, &out, "migrate up");
    assert_output(st, 1, &out,
                  "0001_dup.up.sql:4:3: error: duplicate key value violates unique constraint");
    assert_query(f, "SELECT to_regclass('u') IS NULL", "t");
    tu_write(f->dir, "migrations/0001_dup.up.sql", "CREATE TABLE u (id int PRIMARY KEY);\n");
    tu_write(f->dir, "migrations/0002_cic.up.sql",
             "CREATE TABLE v (id int);\n\n   CREATE INDEX CONCURRENTLY v_id ON v (id);\n");
    st = pgqc(f, &out, "migrate up");
    assert_output(st, 1, &out, "0002_cic.up.sql:3:4: error: CREATE INDEX CONCURRENTLY cannot run");
    assert_query(f, APPLIED_VERSIONS, "1");
    assert_query(f, "SELECT to_regclass('v') IS NULL", "t");
    /* COPY from the client has no data here: an error, not a hang */
    tu_write(f->dir, "migrations/0002_cic.up.sql",
             "CREATE TABLE v (id int);\nCOPY v FROM STDIN;\nSELECT 1;\n");
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "0002_cic.up.sql:2:1: error:");
    /* a position the server gives still points into the right statement */
    tu_write(f->dir, "migrations/0002_cic.up.sql",
             "CREATE TABLE v (id int);\nINSERT INTO v VALUES (1);\nSELECT nope FROM v;\n");
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "0002_cic.up.sql:3:8: error: column");
}

static void test_generate_names_each_pending_migration(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "queries/users.sql",
             "-- name: count_users :one\nSELECT count(*) AS n FROM users;\n");
    assert_output(pgqc(f, NULL, "migrate up --to 1"), 0, NULL, NULL);
    char *out;
    int st = pgqc(f, &out, "generate --out gen");
    assert_non_null(strstr(out, "2 pending migrations"));
    assert_non_null(strstr(out, "migrations/0002_posts.up.sql: note: pending: migration 2"));
    assert_output(st, 1, &out, "migrations/0003_age.up.sql: note: pending: migration 3");
}

static void test_repair_of_a_dirty_migration_is_the_users_choice(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_index.up.sql",
             "-- pgqc:no-transaction\nCREATE INDEX CONCURRENTLY users_age ON users (agee);\n");
    char *out;
    assert_output(pgqc(f, &out, "migrate up"), 1, &out, "marked dirty");
    assert_query(f, "SELECT to_regclass('users_age') IS NULL", "t"); /* never built */
    /* no choice: both are printed, nothing changes */
    tu_write(f->dir, "migrations/0001_users.up.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY);\n"
             "-- edited comment\n");
    int st = pgqc(f, &out, "migrate repair");
    assert_non_null(strstr(out, "--mark-applied"));
    assert_non_null(strstr(out, "--mark-pending"));
    assert_output(st, 1, &out, "migration 4 is dirty");
    assert_query(f,
                 "SELECT string_agg(version || ':' || dirty, ',' ORDER BY version) FROM "
                 "pgqc_migrations",
                 "1:false,2:false,3:false,4:true");
    assert_query(f, "SELECT to_regclass('pgqc_migration_repairs') IS NULL", "t");
    assert_output(pgqc(f, &out, "migrate repair --mark-applied --mark-pending"), 2, &out,
                  "not both");
    assert_output(pgqc(f, &out, "migrate repair --mark-pending --dry-run"), 0, &out,
                  "would repair version 4: marked pending");
    assert_query(f, "SELECT dirty FROM pgqc_migrations WHERE version = 4", "t");
    /* back to pending, in one transaction with the checksum of 1 */
    st = pgqc(f, &out, "migrate repair --mark-pending");
    assert_non_null(strstr(out, "repaired version 1: checksum recorded"));
    assert_output(st, 0, &out, "repaired version 4: marked pending");
    assert_query(f, APPLIED_VERSIONS, "1,2,3");
    st = pgqc(f, &out, "migrate status");
    assert_non_null(strstr(out, "(repair: checksum recorded at 20"));
    assert_non_null(strstr(out, "\n4        pending  "));
    assert_output(st, 0, &out, "0004_index.up.sql  (repair: marked pending at 20");
    st = pgqc(f, &out, "migrate status --json");
    assert_output(st, 0, &out,
                  "\"repair\": {\n        \"action\": \"marked pending\",\n        \"at\": \"20");
    /* fixed, `up` runs it again */
    tu_write(f->dir, "migrations/0004_index.up.sql",
             "-- pgqc:no-transaction\nCREATE INDEX CONCURRENTLY users_age ON users (age);\n");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 1 migration");
    assert_query(f, "SELECT to_regclass('users_age') IS NOT NULL", "t");
    assert_query(f,
                 "SELECT string_agg(version || ':' || action, ',' ORDER BY version) FROM "
                 "pgqc_migration_repairs",
                 "1:checksum recorded,4:marked pending");
    /* pgqc's own tables are not part of the schema */
    assert_output(pgqc(f, &out, "schema diff"), 0, &out, NULL);
}

static void test_status_json_numbers_and_subcommand_help(void **state)
{
    fixture *f = *state;
    write_three(f);
    PQclear(PQexec(f->pg, "CREATE TABLE pgqc_migrations (version bigint PRIMARY KEY, description "
                          "text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL "
                          "DEFAULT now(), execution_ms double precision NOT NULL DEFAULT 0, dirty "
                          "boolean NOT NULL DEFAULT false, no_transaction boolean NOT NULL "
                          "DEFAULT false)"));
    assert_output(pgqc(f, NULL, "migrate up"), 0, NULL, NULL);
    PQclear(PQexec(f->pg, "UPDATE pgqc_migrations SET execution_ms = 3.679 WHERE version = 1"));
    char *out;
    int st = pgqc(f, &out, "migrate status --json");
    assert_non_null(strstr(out, "\"execution_ms\": 3.679,"));
    for (const char *p = out; (p = strstr(p, "\"execution_ms\": ")); p++) {
        const char *num = p + strlen("\"execution_ms\": ");
        size_t digits = strspn(num, "0123456789.");
        const char *dot = memchr(num, '.', digits);
        assert_true(!dot || digits - (size_t)(dot - num) - 1 <= 3);
    }
    assert_output(st, 0, &out, "\"repair\": null");
    static const char *const helps[][2] = {
        {"migrate repair --help", "--mark-pending"},
        {"migrate up --help", "Usage: pgqc migrate up [--to V]"},
        {"migrate status --help", "Usage: pgqc migrate status [--json]"},
        {"migrate help verify", "Usage: pgqc migrate verify"},
        {"seed --help", "seed never uses the embedded throwaway"},
    };
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        st = tu_runf(&out, "'%s' %s", tu_pgqc(), helps[i][0]);
        assert_null(strstr(out, "COMMAND"));
        assert_null(strstr(out, "else an\n"));
        assert_output(st, 0, &out, helps[i][1]);
    }
    /* seed refuses to run without a database, as its help says */
    st = tu_runf(&out, "cd '%s' && env -u DATABASE_URL '%s' seed", f->dir, tu_pgqc());
    assert_output(st, 2, &out, "no database");
}

/* ---- down ---------------------------------------------------------------------- */

static void test_down_then_up_round_trips(void **state)
{
    fixture *f = *state;
    write_three(f);
    char *out;
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 3 migrations");
    assert_output(pgqc(f, &out, "migrate down --steps 2"), 0, &out, "reverted 2 migrations");
    assert_query(f, APPLIED_VERSIONS, "1");
    assert_query(f, "SELECT to_regclass('posts') IS NULL", "t");
    assert_output(pgqc(f, &out, "migrate down --to 0 --dry-run"), 0, &out,
                  "would revert 1 migration");
    assert_query(f, APPLIED_VERSIONS, "1");
    assert_output(pgqc(f, &out, "migrate up"), 0, &out, "applied 2 migrations");
    assert_query(f, APPLIED_VERSIONS, "1,2,3");
}

static void test_down_refuses_up_only_migration_before_changing_anything(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_base.sql", "CREATE TABLE base (id int);\n");
    tu_write(f->dir, "migrations/0002_more.up.sql", "CREATE TABLE more (id int);\n");
    tu_write(f->dir, "migrations/0002_more.down.sql", "DROP TABLE more;\n");
    assert_output(pgqc(f, NULL, "migrate up"), 0, NULL, NULL);
    char *out;
    int st = pgqc(f, &out, "migrate down --steps 2");
    assert_output(st, 1, &out, "migration 1 is up-only");
    assert_query(f, APPLIED_VERSIONS, "1,2");
    assert_query(f, "SELECT to_regclass('more') IS NOT NULL", "t");
}

/* ---- verify, lint, new, reset, seed ------------------------------------------ */

static void test_verify_passes_a_set_that_reverts_cleanly(void **state)
{
    fixture *f = *state;
    write_three(f);
    char *out;
    int st = tu_runf(&out, "cd '%s' && env -u DATABASE_URL '%s' migrate verify", f->dir, tu_pgqc());
    assert_output(st, 0, &out, "down all, up again: identical schema");
}

static void test_verify_fails_a_down_that_does_not_fully_revert(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0002_posts.down.sql", "DROP TABLE posts;\n");
    char *out;
    int st = pgqc(f, &out, "migrate verify");
    assert_output(st, 1, &out, "enum mood: only after down 2");
    assert_query(f, "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgqc_verify%'", "0");
}

static void test_verify_fails_an_incomplete_down_hidden_by_down_all(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_email.up.sql", "ALTER TABLE users ADD COLUMN email text;\n");
    tu_write(f->dir, "migrations/0004_email.down.sql", "SELECT 1; -- forgot the column\n");
    tu_write(f->dir, "migrations/0005_tags.up.sql", "CREATE TABLE tags (id int);\n");
    tu_write(f->dir, "migrations/0005_tags.down.sql", "DROP TABLE tags;\n");
    char *out;
    int st = pgqc(f, &out, "migrate verify");
    assert_non_null(strstr(out, "0004_email.down.sql: error: verify: after up 4 and down 4"));
    assert_null(strstr(out, "0005_tags"));
    assert_output(st, 1, &out, "column users.email: only after down 4");
    /* a down that fails outright stops verify at its step */
    tu_write(f->dir, "migrations/0004_email.down.sql", "ALTER TABLE users DROP COLUMN nope;\n");
    st = pgqc(f, &out, "migrate verify");
    assert_non_null(strstr(out, "0004_email.down.sql:1:1: error: column \"nope\""));
    assert_output(st, 1, &out, "verify: migrate down failed");
    /* fixed, it passes; an up-only migration skips its own step, not the others */
    tu_write(f->dir, "migrations/0004_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
    assert_output(pgqc(f, &out, "migrate verify"), 0, &out, "identical schema");
    tu_write(f->dir, "migrations/0002_posts.down.sql", "DROP TABLE posts;\n");
    tu_write(f->dir, "migrations/0006_seed.sql", "INSERT INTO tags VALUES (1);\n");
    assert_output(pgqc(f, &out, "migrate verify"), 1, &out, "enum mood: only after down 2");
}

static void test_lint_reports_rules_with_positions_and_allow_comments(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_risky.up.sql",
             "CREATE TABLE fresh (id int);\n"
             "CREATE INDEX fresh_id ON fresh (id);\n"
             "ALTER TABLE users ADD COLUMN email text NOT NULL;\n"
             "-- pgqc:allow require-concurrent-index-creation\n"
             "CREATE INDEX users_age ON users (age);\n"
             "ALTER TABLE posts ADD CONSTRAINT p CHECK (id > 0);\n");
    tu_write(f->dir, "migrations/0005_cic.up.sql", "CREATE INDEX CONCURRENTLY a ON users (id);\n");
    tu_write(f->dir, "migrations/0006_Bad.up.sql", "SELECT 1;\n");
    tu_write(f->dir, "migrations/0007_typo.up.sql", "CREATE TABLE t (id int,);\n");
    char *out;
    int st = tu_runf(&out, "cd '%s' && '%s' migrate lint", f->dir, tu_pgqc());
    assert_non_null(
        strstr(out, "migrations/0004_risky.up.sql:3:1: error: [adding-required-field]"));
    assert_non_null(strstr(out, "0004_risky.up.sql:6:1: warning: [constraint-missing-not-valid]"));
    assert_null(strstr(out, "0004_risky.up.sql:2:")); /* a table new in the same file */
    assert_null(strstr(out, "0004_risky.up.sql:5:")); /* allowed */
    assert_non_null(strstr(out, "0005_cic.up.sql:1:1: error: [ban-concurrent-index-creation"));
    assert_non_null(strstr(out, "0006_Bad.up.sql: error: [naming]"));
    assert_output(st, 1, &out, "0007_typo.up.sql:1:24: error: [syntax-error]");
}

static void test_lint_warnings_fail_only_with_strict(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_wider.up.sql",
             "ALTER TABLE users ALTER COLUMN age TYPE bigint;\n");
    char *out;
    assert_output(tu_runf(&out, "cd '%s' && '%s' migrate lint", f->dir, tu_pgqc()), 0, &out,
                  "[changing-column-type]");
    assert_output(tu_runf(&out, "cd '%s' && '%s' migrate lint --strict", f->dir, tu_pgqc()), 1,
                  &out, "--strict");
}

static void test_new_follows_existing_width_and_refuses_bad_names(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/007_seven.sql", "SELECT 1;\n");
    char *out;
    assert_output(tu_runf(&out, "cd '%s' && '%s' migrate new add_things", f->dir, tu_pgqc()), 0,
                  &out, "migrations/008_add_things.down.sql");
    assert_int_equal(tu_runf(NULL, "test -f '%s/migrations/008_add_things.up.sql'", f->dir), 0);
    assert_output(tu_runf(&out, "cd '%s' && '%s' migrate new AddThings", f->dir, tu_pgqc()), 2,
                  &out, "not snake_case");
}

static void test_reset_refuses_non_throwaway_and_seed_rolls_back(void **state)
{
    fixture *f = *state;
    write_three(f);
    PQclear(PQexec(admin, "CREATE DATABASE precious"));
    char *precious = tmpdb_conninfo_for(server, "precious");
    char *out;
    int st = tu_runf(&out, "cd '%s' && '%s' migrate reset --database-url '%s'", f->dir, tu_pgqc(),
                     precious);
    assert_output(st, 1, &out, "refusing to reset database \"precious\"");
    free(precious);
    tu_write(f->dir, "seeds/01_users.sql", "INSERT INTO users (id) VALUES (1);\n");
    assert_output(pgqc(f, &out, "seed"), 1, &out, "not fully migrated");
    assert_output(pgqc(f, &out, "migrate reset --seed"), 0, &out, "seeded 1 file");
    assert_query(f, "SELECT count(*) FROM users", "1");
    tu_write(f->dir, "seeds/02_posts.sql",
             "INSERT INTO posts VALUES (1, 1);\nINSERT INTO x VALUES (1);\n");
    assert_output(pgqc(f, &out, "migrate reset --seed"), 1, &out, "seeds/02_posts.sql:2:13: error");
    assert_query(f, "SELECT count(*) FROM users", "0");
}

static const char self_migrating_app[] =
    "#include \"app_migrations.h\"\n"
    "#include <stdio.h>\n"
    "int main(int argc, char **argv)\n"
    "{\n"
    "    (void)argc;\n"
    "    PGconn *pg = PQconnectdb(argv[1]);\n"
    "    pgqc_migration_set *set;\n"
    "    pgqc_migrate_result res;\n"
    "    if (!app_migrations(&set, &res))\n"
    "        return 2;\n"
    "    pgqc_migrate_result_free(&res);\n"
    "    res = pgqc_migrate_up(pg, set, NULL);\n"
    "    printf(\"success=%d executed=%zu\\n\", res.success, res.executed);\n"
    "    pgqc_migrate_result_free(&res);\n"
    "    pgqc_migration_set_free(set);\n"
    "    PQfinish(pg);\n"
    "    return 0;\n"
    "}\n";

static void test_embedded_migrations_let_an_application_migrate_itself(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0004_index.up.sql",
             "-- pgqc:no-transaction\n"
             "CREATE INDEX CONCURRENTLY users_age ON users (age);\n"
             "CREATE INDEX CONCURRENTLY posts_author ON posts (author);\n");
    tu_write(f->dir, "app/main.c", self_migrating_app);
    char *out;
    assert_output(
        tu_runf(&out, "cd '%s' && '%s' migrate embed --out app --name app", f->dir, tu_pgqc()), 0,
        &out, "app/app_migrations.c");
    /* libpgqc sits in the build tree next to the pgqc under test; a sanitizer
     * build's libpgqc needs the app built with the same sanitizers. */
    int st = tu_runf(&out,
                     "cd '%s' && b=$(dirname $(dirname '%s')) && san=$(nm -D "
                     "$b/runtime/libpgqc.so 2>/dev/null | grep -q __asan && echo "
                     "-fsanitize=address,undefined); cc $san -std=c11 -Wall -Wextra -Wpedantic "
                     "-Werror -I'%s/include' $(pkg-config --cflags libpq) app/main.c "
                     "app/app_migrations.c -L$b/runtime -lpgqc $(pkg-config --libs libpq) -o "
                     "app/app && LD_LIBRARY_PATH=$b/runtime ./app/app '%s'",
                     f->dir, tu_pgqc(),
                     getenv("PGQC_SOURCE_ROOT") ? getenv("PGQC_SOURCE_ROOT") : ".", f->url);
    assert_output(st, 0, &out, "success=1 executed=4");
    assert_query(f, APPLIED_VERSIONS, "1,2,3,4");
    assert_query(f, "SELECT to_regclass('posts_author') IS NOT NULL", "t");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static pgqc_migration_set *load_fixture_set(const fixture *f)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/migrations", f->dir);
    pgqc_migration_set *set = NULL;
    pgqc_migrate_result res;
    assert_true(pgqc_migration_set_load_dir(dir, &set, &res));
    pgqc_migrate_result_free(&res);
    return set;
}

/* In a child: make a clone, check it is migrated, drop it; exit status says how it went. */
static int clone_in_child(const pgqc_migration_set *set)
{
    char name[64];
    pgqc_migrate_result res;
    PGconn *pg = pgqc_testdb_create(tmpdb_conninfo(server), set, name, &res);
    PGresult *r = pg ? PQexec(pg, "SELECT count(*) FROM pgqc_migrations") : NULL;
    int ok = r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "3") == 0;
    PQclear(r);
    PQfinish(pg);
    pgqc_migrate_result_free(&res);
    ok = ok && pgqc_testdb_drop(tmpdb_conninfo(server), name, &res);
    pgqc_migrate_result_free(&res);
    return ok ? 0 : 1;
}

/* Without pgqc's parser (a set loaded by libpgqc alone), a COMMIT is still caught. */
static void test_runtime_alone_detects_a_script_ending_its_transaction(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_a.up.sql",
             "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n");
    pgqc_migration_set *set = load_fixture_set(f);
    pgqc_migrate_result res = pgqc_migrate_up(f->pg, set, NULL);
    assert_false(res.success);
    assert_int_equal(res.failure, PGQC_MIGRATE_SQL_ERROR);
    assert_true(res.nerrors >= 1);
    assert_non_null(strstr(res.errors[0].message, "ended the transaction"));
    assert_non_null(strstr(res.errors[0].hint, "pgqc:no-transaction"));
    pgqc_migrate_result_free(&res);
    pgqc_migration_set_free(set);
    assert_query(f, "SELECT count(*) FROM pgqc_migrations", "0");
}

static void test_template_clones_are_built_once_and_independent(void **state)
{
    fixture *f = *state;
    write_three(f);
    tu_write(f->dir, "migrations/0003_age.down.sql", "ALTER TABLE users DROP COLUMN age; -- t\n");
    pgqc_migration_set *set = load_fixture_set(f);
    pid_t kids[4];
    for (int i = 0; i < 4; i++)
        if ((kids[i] = fork()) == 0)
            _exit(clone_in_child(set));
    for (int i = 0; i < 4; i++) {
        int st = -1;
        waitpid(kids[i], &st, 0);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    PGresult *r = PQexec(admin, "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgqc\\_t%'");
    assert_string_equal(PQgetvalue(r, 0, 0), "1"); /* one template, every clone dropped */
    PQclear(r);
    char a[64], b[64];
    pgqc_migrate_result res;
    double t0 = now_ms();
    PGconn *pa = pgqc_testdb_create(tmpdb_conninfo(server), set, a, &res);
    double clone_ms = now_ms() - t0;
    pgqc_migrate_result_free(&res);
    PGconn *pb = pgqc_testdb_create(tmpdb_conninfo(server), set, b, &res);
    pgqc_migrate_result_free(&res);
    assert_non_null(pa);
    assert_non_null(pb);
    PQclear(PQexec(pa, "INSERT INTO users (id) VALUES (1)"));
    r = PQexec(pb, "SELECT count(*) FROM users");
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
    t0 = now_ms();
    res = pgqc_migrate_up(f->pg, set, NULL);
    double scratch_ms = now_ms() - t0;
    assert_true(res.success);
    pgqc_migrate_result_free(&res);
    fprintf(stderr, "template clone %.1f ms, migrating from scratch %.1f ms\n", clone_ms,
            scratch_ms);
    PQfinish(pa);
    PQfinish(pb);
    assert_true(pgqc_testdb_drop(tmpdb_conninfo(server), a, &res));
    pgqc_migrate_result_free(&res);
    assert_true(pgqc_testdb_drop(tmpdb_conninfo(server), b, &res));
    pgqc_migrate_result_free(&res);
    pgqc_migration_set_free(set);
}

static void test_unreachable_server_exits_3_without_the_password(void **state)
{
    fixture *f = *state;
    write_three(f);
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && '%s' migrate up --database-url "
                     "'postgresql://u:s3cretpw@127.0.0.1:1/db?connect_timeout=2'",
                     f->dir, tu_pgqc());
    assert_null(strstr(out, "s3cretpw"));
    assert_output(st, 3, &out, "cannot connect");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_eight_concurrent_runners_apply_each_version_once),
        T(test_failing_migration_names_file_line_col_and_keeps_earlier),
        T(test_edited_applied_migration_is_refused_until_repaired),
        T(test_missing_file_is_reported_and_blocks_up),
        T(test_dirty_no_transaction_migration_blocks_until_repaired),
        T(test_crlf_and_bom_checkout_is_not_modified),
        T(test_bom_file_errors_point_at_the_right_column),
        T(test_killed_runner_leaves_table_iff_row_and_rerun_completes),
        T(test_read_only_user_gets_a_clear_error),
        T(test_transaction_control_is_refused_before_anything_runs),
        T(test_migration_changing_the_tracking_table_exits_1),
        T(test_triggers_rules_policies_on_tracking_tables_are_refused),
        T(test_writing_to_tracking_tables_is_refused),
        T(test_swallowed_tracking_row_is_an_error),
        T(test_server_errors_name_the_failing_statement),
        T(test_generate_names_each_pending_migration),
        T(test_repair_of_a_dirty_migration_is_the_users_choice),
        T(test_status_json_numbers_and_subcommand_help),
        T(test_down_then_up_round_trips),
        T(test_down_refuses_up_only_migration_before_changing_anything),
        T(test_verify_passes_a_set_that_reverts_cleanly),
        T(test_verify_fails_a_down_that_does_not_fully_revert),
        T(test_verify_fails_an_incomplete_down_hidden_by_down_all),
        T(test_lint_reports_rules_with_positions_and_allow_comments),
        T(test_lint_warnings_fail_only_with_strict),
        T(test_new_follows_existing_width_and_refuses_bad_names),
        T(test_reset_refuses_non_throwaway_and_seed_rolls_back),
        T(test_embedded_migrations_let_an_application_migrate_itself),
        T(test_runtime_alone_detects_a_script_ending_its_transaction),
        T(test_template_clones_are_built_once_and_independent),
        T(test_unreachable_server_exits_3_without_the_password),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
