/*
 * test_schema_diff.c — integration tests of `pgqc schema diff`, the
 * schema-drift guard: one throwaway server (generator/tmpdb.h) for the
 * whole file; each test gets a fresh database migrated with
 * `pgqc migrate up --database-url` from a scratch project, changes it by
 * hand the way someone might in production, and checks that
 * `pgqc schema diff` names the change (exit 1), compared with the
 * embedded database the same migrations produce. Also: no difference
 * (exit 0), --json, an unreachable database (exit 3, no password shown)
 * and usage errors (exit 2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpdb.h"

static tmpdb *server;
static PGconn *admin;
static int db_counter;

/* The project's migrations: one of every kind of object schema diff compares. */
static const char migration_up[] =
    "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
    "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);\n"
    "CREATE TABLE users (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    email text NOT NULL UNIQUE,\n"
    "    age integer CHECK (age >= 0),\n"
    "    mood mood,\n"
    "    created_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE TABLE posts (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    author_id bigint REFERENCES users (id),\n"
    "    title text NOT NULL,\n"
    "    published boolean NOT NULL DEFAULT false,\n"
    "    likes positive_int\n"
    ");\n"
    "CREATE INDEX posts_author_id_idx ON posts (author_id);\n"
    "CREATE VIEW published_posts AS SELECT id, title FROM posts WHERE published;\n"
    "CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql STABLE\n"
    "    AS $$ SELECT count(*) FROM users $$;\n";

static const char migration_down[] = "DROP FUNCTION user_count();\n"
                                     "DROP VIEW published_posts;\n"
                                     "DROP TABLE posts;\n"
                                     "DROP TABLE users;\n"
                                     "DROP DOMAIN positive_int;\n"
                                     "DROP TYPE mood;\n";

/* One test's world: a migrated database and a project directory. */
typedef struct fixture {
    char *dir;
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

/* Run `pgqc ARGS` in the fixture directory, without DATABASE_URL. */
static int pgqc(const fixture *f, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL '%s' %s", f->dir, tu_pgqc(), args);
}

/* Run `pgqc schema diff EXTRA --database-url URL`. */
static int schema_diff(const fixture *f, char **out, const char *extra)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL '%s' schema diff %s --database-url '%s'",
                   f->dir, tu_pgqc(), extra, f->url);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    tu_write(f->dir, "migrations/0001_base.up.sql", migration_up);
    tu_write(f->dir, "migrations/0001_base.down.sql", migration_down);
    char name[64], sql[128];
    snprintf(name, sizeof name, "sd%d_test", ++db_counter);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(admin, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    f->url = tmpdb_conninfo_for(server, name);
    f->pg = PQconnectdb(f->url);
    *state = f;
    if (!ok || PQstatus(f->pg) != CONNECTION_OK)
        return -1;
    char *out = NULL, *args = NULL;
    if (asprintf(&args, "migrate up --database-url '%s'", f->url) < 0)
        return -1;
    int st = pgqc(f, &out, args);
    if (st != 0)
        fprintf(stderr, "migrate up: exit %d\n%s\n", st, out);
    free(args);
    free(out);
    return st == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    PQfinish(f->pg);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->url);
    free(f);
    return 0;
}

static void exec_sql(const fixture *f, const char *sql)
{
    PGresult *r = PQexec(f->pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

static void assert_output(int status, int expected, char **outp, const char *needle)
{
    char *out = *outp;
    if (status != expected || (needle && !strstr(out, needle)))
        fprintf(stderr, "exit %d (expected %d), output:\n%s\n", status, expected, out);
    assert_int_equal(status, expected);
    if (needle)
        assert_non_null(strstr(out, needle));
    free(out);
    *outp = NULL;
}

/* Change the database with `sql`; schema diff must exit 1 and say `needle`. */
static void assert_drift(void **state, const char *sql, const char *needle)
{
    fixture *f = *state;
    exec_sql(f, sql);
    char *out;
    int st = schema_diff(f, &out, "");
    assert_output(st, 1, &out, needle);
}

/* ---- no drift ------------------------------------------------------------------- */

static void test_freshly_migrated_database_has_no_differences(void **state)
{
    fixture *f = *state;
    char *out;
    int st = schema_diff(f, &out, "");
    assert_output(st, 0, &out, "no differences");
}

/* ---- each kind of drift is named --------------------------------------------------- */

static void test_added_column_is_only_in_the_database(void **state)
{
    assert_drift(state, "ALTER TABLE users ADD COLUMN nickname text",
                 "column users.nickname: only in the database");
}

static void test_changed_column_type_is_reported_with_both_types(void **state)
{
    assert_drift(state, "ALTER TABLE users ALTER COLUMN age TYPE bigint",
                 "column users.age: type integer in migrations, bigint in the database");
}

static void test_dropped_not_null_is_reported(void **state)
{
    assert_drift(state, "ALTER TABLE posts ALTER COLUMN title DROP NOT NULL",
                 "column posts.title: not null in migrations, nullable in the database");
}

static void test_changed_default_is_reported(void **state)
{
    assert_drift(state, "ALTER TABLE posts ALTER COLUMN published SET DEFAULT true",
                 "column posts.published: default false in migrations, true in the database");
}

static void test_dropped_default_is_reported(void **state)
{
    assert_drift(state, "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT",
                 "column users.created_at: default now() in migrations, no default in the "
                 "database");
}

static void test_dropped_index_is_missing_in_the_database(void **state)
{
    assert_drift(state, "DROP INDEX posts_author_id_idx",
                 "index posts_author_id_idx: missing in the database");
}

static void test_added_table_is_reported_once_not_per_column(void **state)
{
    fixture *f = *state;
    exec_sql(f, "CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz)");
    char *out;
    int st = schema_diff(f, &out, "");
    assert_non_null(strstr(out, "table audit_log: only in the database"));
    assert_null(strstr(out, "column audit_log"));
    assert_output(st, 1, &out, "1 difference between migrations/ and the database");
}

static void test_table_in_another_schema_names_the_schema(void **state)
{
    fixture *f = *state;
    exec_sql(f, "CREATE SCHEMA audit");
    exec_sql(f, "CREATE TABLE audit.log (id bigint)");
    char *out;
    int st = schema_diff(f, &out, "");
    assert_non_null(strstr(out, "schema audit: only in the database"));
    assert_output(st, 1, &out, "table audit.log: only in the database");
}

static void test_added_enum_label_is_reported_with_both_label_lists(void **state)
{
    assert_drift(state, "ALTER TYPE mood ADD VALUE 'meh'",
                 "enum mood: labels ('happy', 'sad') in migrations, ('happy', 'sad', 'meh') in "
                 "the database");
}

static void test_changed_view_definition_is_reported(void **state)
{
    assert_drift(state,
                 "CREATE OR REPLACE VIEW published_posts AS SELECT id, title FROM posts WHERE "
                 "published AND author_id IS NOT NULL",
                 "view published_posts: definition differs");
}

static void test_dropped_check_constraint_is_missing_in_the_database(void **state)
{
    assert_drift(state, "ALTER TABLE users DROP CONSTRAINT users_age_check",
                 "constraint users_age_check on users: missing in the database");
}

static void test_dropped_domain_constraint_is_reported(void **state)
{
    assert_drift(state, "ALTER DOMAIN positive_int DROP CONSTRAINT positive_int_check",
                 "constraint positive_int_check on domain positive_int: missing in the database");
}

static void test_changed_function_body_is_reported(void **state)
{
    assert_drift(state,
                 "CREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE sql STABLE "
                 "AS $$ SELECT count(*) FROM users WHERE age > 0 $$",
                 "function user_count(): body differs");
}

/* ---- output and exit statuses ------------------------------------------------------ */

static void test_json_output_lists_property_and_both_values(void **state)
{
    fixture *f = *state;
    exec_sql(f, "ALTER TABLE users ALTER COLUMN age TYPE bigint");
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL '%s' schema diff --json --database-url '%s' "
                     "2>/dev/null",
                     f->dir, tu_pgqc(), f->url);
    assert_int_equal(st, 1);
    json_error_t err;
    json_t *root = json_loads(out, 0, &err);
    if (!root)
        fprintf(stderr, "not JSON (%s):\n%s\n", err.text, out);
    assert_non_null(root);
    json_t *diffs = json_object_get(root, "differences");
    assert_int_equal(json_array_size(diffs), 1);
    json_t *d = json_array_get(diffs, 0);
    assert_string_equal(json_string_value(json_object_get(d, "change")), "changed");
    assert_string_equal(json_string_value(json_object_get(d, "kind")), "column");
    assert_string_equal(json_string_value(json_object_get(d, "parent")), "users");
    assert_string_equal(json_string_value(json_object_get(d, "name")), "age");
    assert_string_equal(json_string_value(json_object_get(d, "property")), "type");
    assert_string_equal(json_string_value(json_object_get(d, "migrations")), "integer");
    assert_string_equal(json_string_value(json_object_get(d, "database")), "bigint");
    json_decref(root);
    free(out);
}

static void test_unreachable_database_exits_3_without_the_password(void **state)
{
    fixture *f = *state;
    char *out;
    int st = pgqc(f, &out, "schema diff --database-url 'postgresql://u:sekret@127.0.0.1:1/x'");
    assert_null(strstr(out, "sekret"));
    assert_output(st, 3, &out, "cannot connect to the database");
}

static void test_missing_url_and_unknown_subcommand_are_usage_errors(void **state)
{
    fixture *f = *state;
    char *out;
    assert_output(pgqc(f, &out, "schema diff"), 2, &out, "--database-url");
    assert_output(pgqc(f, &out, "schema frob"), 2, &out, "unknown subcommand");
    assert_output(pgqc(f, &out, "schema diff --database-url x --bogus"), 2, &out,
                  "unknown option \"--bogus\"");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_freshly_migrated_database_has_no_differences),
        T(test_added_column_is_only_in_the_database),
        T(test_changed_column_type_is_reported_with_both_types),
        T(test_dropped_not_null_is_reported),
        T(test_changed_default_is_reported),
        T(test_dropped_default_is_reported),
        T(test_dropped_index_is_missing_in_the_database),
        T(test_added_table_is_reported_once_not_per_column),
        T(test_table_in_another_schema_names_the_schema),
        T(test_added_enum_label_is_reported_with_both_label_lists),
        T(test_changed_view_definition_is_reported),
        T(test_dropped_check_constraint_is_missing_in_the_database),
        T(test_dropped_domain_constraint_is_reported),
        T(test_changed_function_body_is_reported),
        T(test_json_output_lists_property_and_both_values),
        T(test_unreachable_database_exits_3_without_the_password),
        T(test_missing_url_and_unknown_subcommand_are_usage_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
