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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
