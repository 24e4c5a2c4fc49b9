/*
 * test_cli.c — integration tests of the `pgqc` command as a user runs it:
 * generate with the embedded default database, the generated code compiled
 * warning-free by gcc and clang (and its header by a C++17 compiler), exit
 * statuses and messages for bad input, and cleanup of the throwaway
 * cluster on every exit path (errors, SIGINT, SIGTERM).
 *
 * Each test gets its own TMPDIR, so "no cluster left behind" is checked by
 * counting what is left in it and which processes still mention it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    char *dir;    /* scratch project: migrations/, queries/, out/ */
    char *tmpdir; /* TMPDIR for pgqc: must be empty afterwards */
} fixture;

static const char *src_root(void)
{
    const char *s = getenv("PGQC_SOURCE_ROOT");
    return s ? s : ".";
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    f->tmpdir = tu_mkdtemp();
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

/* Copy the demo project's migrations and queries into the fixture. */
static void copy_demo(const fixture *f)
{
    assert_int_equal(
        tu_runf(NULL, "cp -r '%s/migrations' '%s/queries' '%s/'", src_root(), src_root(), f->dir),
        0);
}

/* Run pgqc in the fixture directory with its private TMPDIR and no DATABASE_URL. */
static int pgqc(const fixture *f, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL TMPDIR='%s' '%s' %s", f->dir, f->tmpdir,
                   tu_pgqc(), args);
}

static void assert_no_cluster_left(const fixture *f)
{
    /* The watchdog finishes right after pgqc exits; allow it a moment. */
    for (int i = 0;
         i < 100 && (tu_count_entries(f->tmpdir) > 0 || tu_count_processes(f->tmpdir) > 0); i++)
        usleep(50000);
    assert_int_equal(tu_count_entries(f->tmpdir), 0);
    assert_int_equal(tu_count_processes(f->tmpdir), 0);
}

static void test_generate_with_embedded_database_writes_code_and_depfile(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    char *out;
    int st = pgqc(f, &out, "generate --out out --name db --depfile out/db.d");
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *dep;
    assert_int_equal(tu_runf(&dep, "cat '%s/out/db.d'", f->dir), 0);
    assert_non_null(strstr(dep, "out/db.c out/db.h:"));
    assert_non_null(strstr(dep, "queries/users.sql"));
    assert_non_null(strstr(dep, "migrations/0001_create_users.up.sql"));
    free(dep);
    assert_no_cluster_left(f);
}

static void test_generated_code_compiles_warning_free_with_gcc_clang_and_cxx(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    assert_int_equal(pgqc(f, NULL, "generate --out out --name db"), 0);
    const char *compilers[] = {"gcc -std=c11", "clang -std=c11"};
    for (size_t i = 0; i < 2; i++) {
        char *out;
        int st = tu_runf(&out,
                         "cd '%s' && %s -Wall -Wextra -Wpedantic -Werror -I'%s/include' "
                         "$(pkg-config --cflags libpq) -c out/db.c -o out/db.o",
                         f->dir, compilers[i], src_root());
        if (st != 0)
            fprintf(stderr, "%s:\n%s", compilers[i], out);
        assert_int_equal(st, 0);
        free(out);
    }
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && for cxx in g++ clang++; do $cxx -std=c++17 -Wall -Wextra "
                     "-Wpedantic -Werror -I'%s/include' $(pkg-config --cflags libpq) -x c++ "
                     "-fsyntax-only out/db.h || exit 1; done",
                     f->dir, src_root());
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
}

static void test_unchanged_output_is_not_rewritten(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    assert_int_equal(pgqc(f, NULL, "generate --out out --name db"), 0);
    char *path = NULL;
    assert_true(asprintf(&path, "%s/out/db.c", f->dir) > 0);
    struct stat a, b;
    assert_int_equal(stat(path, &a), 0);
    sleep(1);
    assert_int_equal(pgqc(f, NULL, "generate --out out --name db"), 0);
    assert_int_equal(stat(path, &b), 0);
    assert_true(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
    free(path);
}

static void test_help_and_version(void **state)
{
    fixture *f = *state;
    char *out;
    assert_int_equal(pgqc(f, &out, "--help"), 0);
    assert_non_null(strstr(out, "generate"));
    assert_non_null(strstr(out, "--database-url"));
    free(out);
    assert_int_equal(pgqc(f, &out, "--version"), 0);
    assert_non_null(strstr(out, "pgqc 0."));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --help"), 0);
    assert_non_null(strstr(out, "--depfile"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate up --help"), 0);
    assert_non_null(strstr(out, "--dry-run"));
    free(out);
}

static void test_usage_errors_exit_2(void **state)
{
    fixture *f = *state;
    char *out;
    assert_int_equal(pgqc(f, &out, "generat"), 2);
    assert_non_null(strstr(out, "did you mean \"generate\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out x --bogus"), 2);
    free(out);
    assert_int_equal(pgqc(f, &out, "generate"), 2);
    assert_non_null(strstr(out, "--out DIR is required"));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out out"), 2);
    assert_non_null(strstr(out, "migrations directory \"migrations\" not found"));
    free(out);
    tu_write(f->dir, "migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
    assert_int_equal(pgqc(f, &out, "generate --out out --queries nowhere"), 2);
    assert_non_null(strstr(out, "nowhere"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate up"), 2);
    assert_non_null(strstr(out, "--database-url"));
    free(out);
}

static void test_query_without_annotation_exits_1_with_position(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
    tu_write(f->dir, "queries/q.sql", "-- a comment\nSELECT id FROM a;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --out out"), 1);
    assert_non_null(
        strstr(out, "queries/q.sql:2:1: error: statement has no `-- name:` annotation"));
    free(out);
    assert_no_cluster_left(f);
}

static void test_unknown_column_is_reported_at_file_line_col_with_caret(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_users.sql",
             "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n");
    tu_write(f->dir, "queries/users.sql",
             "-- name: get_user :one\nSELECT id, emial FROM users WHERE id = :id;\n"
             "-- name: other :one\nSELECT nope FROM nowhere;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --out out"), 1);
    assert_non_null(strstr(out, "queries/users.sql:2:12: error: column \"emial\" does not exist\n"
                                "    2 | SELECT id, emial FROM users WHERE id = :id;\n"
                                "      |            ^~~~~\n"));
    /* Every failing query is reported in one run. */
    assert_non_null(
        strstr(out, "queries/users.sql:4:18: error: relation \"nowhere\" does not exist"));
    free(out);
    assert_no_cluster_left(f);
}

static void test_unreachable_database_exits_3_without_password(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    char *out;
    assert_int_equal(pgqc(f, &out,
                          "generate --out out --database-url "
                          "'postgresql://alice:s3cr3t-pw@127.0.0.1:1/app?connect_timeout=2'"),
                     3);
    assert_non_null(strstr(out, "cannot connect to the database"));
    assert_null(strstr(out, "s3cr3t-pw"));
    free(out);
}

static void test_missing_server_binaries_exit_3_and_say_what_to_install(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL PGQC_PG_BINDIR=/nonexistent TMPDIR='%s' "
                     "'%s' generate --out out",
                     f->dir, f->tmpdir, tu_pgqc());
    assert_int_equal(st, 3);
    assert_non_null(strstr(out, "postgresql-15"));
    assert_non_null(strstr(out, "--database-url"));
    free(out);
}

static void test_failed_analysis_keeps_previous_output_and_removes_cluster(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    assert_int_equal(pgqc(f, NULL, "generate --out out --name db"), 0);
    char *before;
    assert_int_equal(tu_runf(&before, "cat '%s/out/db.c' '%s/out/db.h'", f->dir, f->dir), 0);
    tu_write(f->dir, "queries/broken.sql", "-- name: broken :one\nSELECT missing FROM users;\n");
    assert_int_equal(pgqc(f, NULL, "generate --out out --name db"), 1);
    char *after;
    assert_int_equal(tu_runf(&after, "cat '%s/out/db.c' '%s/out/db.h'", f->dir, f->dir), 0);
    assert_string_equal(before, after);
    assert_int_equal(tu_runf(NULL, "ls '%s/out' | grep -c tmp", f->dir), 1); /* no temp files */
    free(before);
    free(after);
    assert_no_cluster_left(f);
}

/* Start generate on a migration that sleeps, signal pgqc mid-way, check cleanup. */
static void signal_during_generate(fixture *f, int sig)
{
    tu_write(f->dir, "migrations/0001_slow.sql", "SELECT pg_sleep(30);\n");
    tu_write(f->dir, "queries/q.sql", "-- name: one :one\nSELECT 1 AS x;\n");
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(f->dir) != 0)
            _exit(99);
        setenv("TMPDIR", f->tmpdir, 1);
        unsetenv("DATABASE_URL");
        execl(tu_pgqc(), "pgqc", "generate", "--out", "out", (char *)NULL);
        _exit(98);
    }
    /* Wait until the server is up (its socket exists) and the migration runs. */
    int up = 0;
    for (int i = 0; i < 300 && !up; i++) {
        up = tu_runf(NULL, "ls '%s'/pgqc-*/sock/.s.PGSQL.5432 >/dev/null 2>&1", f->tmpdir) == 0;
        usleep(50000);
    }
    assert_true(up);
    usleep(500000);
    assert_true(tu_count_processes(f->tmpdir) > 0);
    kill(pid, sig);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == sig);
    assert_no_cluster_left(f);
}

static void test_sigint_during_generate_removes_cluster(void **state)
{
    signal_during_generate(*state, SIGINT);
}

static void test_sigterm_during_generate_removes_cluster(void **state)
{
    signal_during_generate(*state, SIGTERM);
}

static void test_failing_migration_is_reported_at_file_line_col(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_ok.sql", "CREATE TABLE a (id int);\n");
    tu_write(f->dir, "migrations/0002_bad.sql",
             "CREATE TABLE b (id int);\n\nALTER TABLE b ADD COLUMN x nonexistent_type;\n");
    tu_write(f->dir, "queries/q.sql", "-- name: one :one\nSELECT 1 AS x;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --out out"), 1);
    assert_non_null(strstr(out, "migrations/0002_bad.sql:3:28: error: type \"nonexistent_type\" "
                                "does not exist"));
    free(out);
    assert_no_cluster_left(f);
}

/*
 * Golden diagnostics: the exact text for the common mistakes. Regenerate
 * with `PGQC_UPDATE_GOLDEN=1 meson test -C build cli` after an intended change.
 */
static void test_diagnostics_match_the_golden_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(tu_runf(NULL,
                             "cp -r '%s/tests/golden/diagnostics/migrations' "
                             "'%s/tests/golden/diagnostics/queries' '%s/'",
                             src_root(), src_root(), f->dir),
                     0);
    char *out;
    assert_int_equal(tu_runf(&out,
                             "cd '%s' && env -u DATABASE_URL NO_COLOR=1 TMPDIR='%s' '%s' "
                             "generate --out out",
                             f->dir, f->tmpdir, tu_pgqc()),
                     1);
    char *golden_path = NULL;
    if (asprintf(&golden_path, "%s/tests/golden/diagnostics/expected.txt", src_root()) < 0)
        fail();
    if (getenv("PGQC_UPDATE_GOLDEN")) {
        FILE *g = fopen(golden_path, "w");
        assert_non_null(g);
        fputs(out, g);
        fclose(g);
    }
    char *expected;
    assert_int_equal(tu_runf(&expected, "cat '%s'", golden_path), 0);
    if (strcmp(out, expected) != 0)
        fprintf(stderr, "--- expected\n%s--- got\n%s", expected, out);
    assert_string_equal(out, expected);
    free(out);
    free(expected);
    free(golden_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_generate_with_embedded_database_writes_code_and_depfile, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_generated_code_compiles_warning_free_with_gcc_clang_and_cxx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_output_is_not_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_without_annotation_exits_1_with_position, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_column_is_reported_at_file_line_col_with_caret,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_database_exits_3_without_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_server_binaries_exit_3_and_say_what_to_install,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_failed_analysis_keeps_previous_output_and_removes_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_during_generate_removes_cluster, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_during_generate_removes_cluster, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failing_migration_is_reported_at_file_line_col, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_diagnostics_match_the_golden_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
