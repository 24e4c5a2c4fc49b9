/*
 * test_lock.c — pgqc.lock, `generate --offline` and `pgqc check`, as CI
 * uses them: the lock is written beside the migrations with paths relative
 * to it, offline generation needs no PostgreSQL and emits byte-identical
 * code, and every kind of staleness (query changed, migration added, lock
 * missing, generated file edited by hand, query broken by a migration) makes
 * `check` fail naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    char *dir;
    char *tmpdir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    f->tmpdir = tu_mkdtemp();
    const char *root = getenv("PGQC_SOURCE_ROOT");
    if (tu_runf(NULL, "cp -r '%s/migrations' '%s/queries' '%s/'", root ? root : ".",
                root ? root : ".", f->dir) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    tu_rmtree(f->tmpdir);
    free(f->dir);
    free(f->tmpdir);
    free(f);
    return 0;
}

/* Run pgqc in the project with no DATABASE_URL and a private cache. */
static int pgqc(const fixture *f, char **out, const char *env, const char *args)
{
    return tu_runf(
        out,
        "cd '%s' && env -u DATABASE_URL NO_COLOR=1 TMPDIR='%s' PGQC_CACHE_DIR='%s/cache' "
        "%s '%s' %s",
        f->dir, f->tmpdir, f->tmpdir, env, tu_pgqc(), args);
}

static char *slurp(const fixture *f, const char *name)
{
    char *out;
    if (tu_runf(&out, "cat '%s/%s'", f->dir, name) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static void test_generate_writes_a_sorted_lock_with_relative_paths(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    char *lock = slurp(f, "pgqc.lock");
    assert_non_null(lock);
    assert_non_null(strstr(lock, "\"format\": 2"));
    assert_non_null(strstr(lock, "\"migrations/0001_create_users.up.sql\": \""));
    assert_non_null(strstr(lock, "\"queries/users.sql\": \""));
    assert_non_null(strstr(lock, "\"file\": \"queries/users.sql\""));
    /* Keys are sorted: "analysis" < "files" < "format" < "pgqc_version". */
    assert_true(strstr(lock, "\"analysis\"") < strstr(lock, "\"files\""));
    assert_true(strstr(lock, "\"files\"") < strstr(lock, "\"pgqc_version\""));
    /* Generating again with absolute paths gives the same lock and code. */
    char *args = NULL;
    assert_true(asprintf(&args,
                         "generate --out gen --name db --migrations '%s/migrations' --queries "
                         "'%s/queries'",
                         f->dir, f->dir) > 0);
    char *code = slurp(f, "gen/db.h");
    assert_int_equal(pgqc(f, NULL, "", args), 0);
    char *lock2 = slurp(f, "pgqc.lock"), *code2 = slurp(f, "gen/db.h");
    assert_string_equal(lock, lock2);
    assert_string_equal(code, code2);
    free(args);
    free(lock);
    free(lock2);
    free(code);
    free(code2);
}

static void test_offline_needs_no_server_and_emits_identical_code(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    char *h = slurp(f, "gen/db.h"), *c = slurp(f, "gen/db.c");
    char *out;
    int st = pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent",
                  "generate --offline --out offline --name db --depfile offline/db.d");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *h2 = slurp(f, "offline/db.h"), *c2 = slurp(f, "offline/db.c");
    assert_string_equal(h, h2);
    assert_string_equal(c, c2);
    char *dep = slurp(f, "offline/db.d");
    assert_non_null(strstr(dep, "pgqc.lock"));
    free(dep);
    free(h);
    free(c);
    free(h2);
    free(c2);
}

static void test_offline_refuses_a_stale_lock_naming_the_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    tu_write(f->dir, "migrations/0099_add_bio.up.sql", "ALTER TABLE users ADD COLUMN bio text;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "generate --offline --out gen"),
                     1);
    assert_non_null(strstr(out, "migrations/0099_add_bio.up.sql: error: file is not in pgqc.lock"));
    assert_non_null(strstr(out, "refusing to emit code from it offline"));
    free(out);
}

static void test_check_passes_when_everything_agrees(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    char *out;
    int st = pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "check --out gen --name db");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
}

static void test_check_names_a_changed_query_and_the_fix(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    assert_int_equal(tu_runf(NULL,
                             "echo '-- name: extra :one' >> '%s/queries/users.sql' && "
                             "echo 'SELECT 1 AS one;' >> '%s/queries/users.sql'",
                             f->dir, f->dir),
                     0);
    char *out;
    assert_int_equal(pgqc(f, &out, "", "check --out gen --name db"), 1);
    assert_non_null(
        strstr(out, "queries/users.sql: error: file changed since pgqc.lock was written"));
    assert_non_null(strstr(out, "run `pgqc generate --out gen --name db`"));
    free(out);
}

static void test_check_catches_a_hand_edited_generated_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    assert_int_equal(tu_runf(NULL, "echo '/* tweak */' >> '%s/gen/db.c'", f->dir), 0);
    char *out;
    assert_int_equal(pgqc(f, &out, "", "check --out gen --name db"), 1);
    assert_non_null(strstr(out, "gen/db.c: error: generated file does not match the lock file"));
    free(out);
}

static void test_check_without_a_lock_file_fails(void **state)
{
    fixture *f = *state;
    char *out;
    assert_int_equal(pgqc(f, &out, "", "check"), 1);
    assert_non_null(strstr(out, "pgqc.lock: error: lock file not found"));
    free(out);
}

static void test_check_reanalyzes_and_reports_a_query_a_migration_broke(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    tu_write(f->dir, "migrations/0099_drop_age.up.sql", "ALTER TABLE users DROP COLUMN age;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "", "check --out gen --name db --reanalyze"), 1);
    assert_non_null(
        strstr(out, "migrations/0099_drop_age.up.sql: error: file is not in pgqc.lock"));
    assert_non_null(strstr(out, "queries/users.sql:9:33: error: column \"age\" does not exist"));
    assert_non_null(strstr(out, "4 stale items"));
    free(out);
}

static void test_check_reanalyzes_and_reports_a_changed_nullability(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    tu_write(f->dir, "migrations/0099_age_required.up.sql",
             "UPDATE users SET age = 0 WHERE age IS NULL;\n"
             "ALTER TABLE users ALTER COLUMN age SET NOT NULL;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "", "check --reanalyze"), 1);
    assert_non_null(strstr(out, "the analysis of query \"get_user\" changed"));
    free(out);
}

/*
 * The lock is a pure function of the sources: the same bytes from a fresh
 * cache (the fixture's), from a cache whose cluster built another project's
 * types first, and from a --database-url database that had unrelated
 * types and tables before the migrations ran (all three give the user's
 * types other OIDs). `check --reanalyze` with yet another cache agrees.
 */
static void test_lock_is_identical_across_cache_states_and_databases(void **state)
{
    fixture *f = *state;
    char *out;
    int st = pgqc(f, &out, "", "generate --out gen --name db");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *lock = slurp(f, "pgqc.lock"), *code = slurp(f, "gen/db.c");
    /* Only built-in OIDs, which are the same in every database. */
    for (const char *p = strstr(lock, "oid\": "); p; p = strstr(p + 1, "oid\": "))
        assert_true(strtoul(p + 6, NULL, 10) < 16384);

    /* A cache whose cluster first made another project's types. */
    tu_write(f->dir, "junk/migrations/0001_junk.sql",
             "CREATE TYPE junk_mood AS ENUM ('a', 'b');\n"
             "CREATE TYPE junk_pair AS (x int, y text);\n"
             "CREATE TABLE junk_t (id int PRIMARY KEY, m junk_mood, p junk_pair);\n");
    tu_write(f->dir, "junk/queries/junk.sql", "-- name: junk :many\nSELECT id, m FROM junk_t;\n");
    st = pgqc(f, &out, "PGQC_CACHE_DIR=\"$PWD/polluted\"",
              "generate --migrations junk/migrations --queries junk/queries --out junk/gen");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    st = pgqc(f, &out, "PGQC_CACHE_DIR=\"$PWD/polluted\"",
              "generate --out gen2 --name db --lock polluted.lock");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *lock2 = slurp(f, "polluted.lock"), *code2 = slurp(f, "gen2/db.c");
    assert_string_equal(lock, lock2);
    assert_string_equal(code, code2);

    /* A database that had unrelated objects before the migrations. */
    tu_write(f->dir, "unrelated.sql",
             "CREATE TYPE other_mood AS ENUM ('x');\n"
             "CREATE DOMAIN other_int AS int;\n"
             "CREATE TYPE other_pair AS (a int);\n"
             "CREATE TABLE other_t (id int, m other_mood, p other_pair);\n");
    tu_write(f->dir, "other.sh",
             "set -e\n"
             "psql \"$DATABASE_URL\" -qAt -c 'CREATE DATABASE other_db'\n"
             "OTHER=$(psql \"$DATABASE_URL\" -qAt -c \"SELECT format('postgresql://%s@/other_db"
             "?host=%s&port=%s', current_user, split_part(current_setting("
             "'unix_socket_directories'), ',', 1), current_setting('port'))\")\n"
             "psql \"$OTHER\" -qAt -f unrelated.sql\n"
             "\"$PGQC\" migrate up --database-url \"$OTHER\" >/dev/null\n"
             "\"$PGQC\" generate --database-url \"$OTHER\" --out gen3 --name db "
             "--lock other.lock\n");
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "run -- env PGQC='%s' sh other.sh", tu_pgqc()) > 0);
    st = pgqc(f, &out, "", cmd);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    free(cmd);
    char *lock3 = slurp(f, "other.lock"), *code3 = slurp(f, "gen3/db.c");
    assert_string_equal(lock, lock3);
    assert_string_equal(code, code3);

    /* A fresh clone with a fresh cache: the CI gate passes. */
    st = pgqc(f, &out, "PGQC_CACHE_DIR=\"$PWD/fresh\"", "check --reanalyze --out gen --name db");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    free(lock);
    free(lock2);
    free(lock3);
    free(code);
    free(code2);
    free(code3);
}

/* Write `lock` with `from` (found at `at`) replaced by `to` back to pgqc.lock. */
static void write_lock_replacing(const fixture *f, const char *lock, const char *at,
                                 const char *from, const char *to)
{
    size_t head = (size_t)(at - lock), n = strlen(lock) - head - strlen(from);
    char *edited = malloc(head + strlen(to) + n + 1);
    memcpy(edited, lock, head);
    strcpy(edited + head, to);
    strcat(edited, at + strlen(from));
    tu_write(f->dir, "pgqc.lock", edited);
    free(edited);
}

/* Replace the first `from` in the project's pgqc.lock with `to`. */
static void edit_lock(const fixture *f, const char *from, const char *to)
{
    char *lock = slurp(f, "pgqc.lock");
    char *at = strstr(lock, from);
    assert_non_null(at);
    write_lock_replacing(f, lock, at, from, to);
    free(lock);
}

/*
 * A composite with an array-of-composite attribute: what generate writes,
 * offline generation and check read back (arrays hold only built-ins and
 * enums, in the writer as in the reader, whatever order the types come in).
 */
static void test_the_lock_of_arrays_of_composites_round_trips(void **state)
{
    fixture *f = *state;
    char *out;
    tu_write(f->dir, "nest/migrations/0001_nest.sql",
             "CREATE TYPE pair AS (a int);\n"
             "CREATE TYPE nest AS (p pair, ps pair[]);\n"
             "CREATE TYPE nest2 AS (ps pair[], p pair);\n"
             "CREATE TABLE t (n nest, n2 nest2);\n");
    tu_write(f->dir, "nest/queries/q.sql",
             "-- name: q1 :many\nSELECT n FROM t;\n"
             "-- name: q2 :many\nSELECT n2, (n).p, (n).ps FROM t;\n"
             "-- name: q3 :one\nSELECT ARRAY[ROW(1)::pair] AS arr;\n");
    static const char *const steps[] = {
        "generate --migrations nest/migrations --queries nest/queries --out nest/gen --name db "
        "--lock nest/pgqc.lock",
        "generate --offline --migrations nest/migrations --queries nest/queries --out nest/gen2 "
        "--name db --lock nest/pgqc.lock",
        "check --migrations nest/migrations --queries nest/queries --out nest/gen --name db "
        "--lock nest/pgqc.lock",
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        int st = pgqc(f, &out, "", steps[i]);
        if (st)
            fprintf(stderr, "%s: %s", steps[i], out);
        assert_int_equal(st, 0);
        free(out);
    }
    char *lock = slurp(f, "nest/pgqc.lock"), *code = slurp(f, "nest/gen/db.c"),
         *code2 = slurp(f, "nest/gen2/db.c");
    assert_non_null(lock);
    assert_null(strstr(lock, "\"_pair\""));
    assert_string_equal(code, code2);
    free(lock);
    free(code);
    free(code2);
}

static void test_a_hand_edited_type_is_refused_by_offline_and_check(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    edit_lock(f, "\"type\": \"bigint\"",
              "\"type\": \"int x; */ int main(void) { system(\\\"id\\\"); } /*\"");
    char *out;
    assert_int_equal(pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "check --out gen --name db"), 2);
    assert_non_null(strstr(out, "pgqc.lock: error: malformed lock file: $.analysis.queries["));
    assert_non_null(strstr(out, "is not the name of the type it references (\"bigint\")"));
    free(out);
    assert_int_equal(
        pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "generate --offline --out offline"), 2);
    assert_non_null(strstr(out, "pgqc.lock: error: malformed lock file"));
    free(out);
    assert_int_equal(tu_runf(NULL, "test ! -e '%s/offline/db.c'", f->dir), 0);
}

static void test_a_well_formed_edit_is_stale_for_check_and_refused_offline(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "", "generate --out gen --name db"), 0);
    /* Valid JSON, valid analysis, but not what generate wrote: a column made non-null. */
    edit_lock(f, "\"nullable\": true", "\"nullable\": false");
    char *out;
    assert_int_equal(pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "check --out gen --name db"), 1);
    assert_non_null(strstr(out, "pgqc.lock: error: the lock file was edited: its analysis does not "
                                "match its \"analysis_sha256\""));
    assert_non_null(strstr(out, "1 stale item"));
    free(out);
    assert_int_equal(
        pgqc(f, &out, "PGQC_PG_BINDIR=/nonexistent", "generate --offline --out offline"), 2);
    assert_non_null(strstr(out, "refusing to emit code from it offline"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_generate_writes_a_sorted_lock_with_relative_paths,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_offline_needs_no_server_and_emits_identical_code,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_offline_refuses_a_stale_lock_naming_the_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_passes_when_everything_agrees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_names_a_changed_query_and_the_fix, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_catches_a_hand_edited_generated_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_without_a_lock_file_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_reanalyzes_and_reports_a_query_a_migration_broke,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_reanalyzes_and_reports_a_changed_nullability,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_is_identical_across_cache_states_and_databases,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_lock_of_arrays_of_composites_round_trips, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_hand_edited_type_is_refused_by_offline_and_check,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_well_formed_edit_is_stale_for_check_and_refused_offline, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
