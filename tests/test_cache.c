/*
 * test_cache.c — integration tests of the embedded database's cache
 * (generator/cache.h): a warm run reuses the cached cluster and template,
 * parallel runs on a fresh cache agree, a damaged entry is rebuilt, a
 * killed run leaves the cache usable, --no-cache and an unusable cache
 * fall back to a throwaway server, as root the entry is root's and only the
 * cluster the server user's, and SIGINT, SIGTERM or SIGKILL of pgqc
 * mid-run leaves neither a server nor a temp dir behind, and a usable cache.
 *
 * Every test has its own PGQC_CACHE_DIR (never the user's cache) and its
 * own TMPDIR, which must be empty afterwards: the cached cluster lives in
 * the cache, but its socket directory and logs are temporary. What pgqc
 * reused or built is read from its --verbose lines ("pgqc: cache: ...").
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
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    char *dir;    /* scratch project: migrations/, queries/, out/ */
    char *tmpdir; /* TMPDIR for pgqc: must be empty afterwards */
    char *cache;  /* PGQC_CACHE_DIR */
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
    f->cache = tu_mkdtemp();
    assert_int_equal(
        tu_runf(NULL, "cp -r '%s/migrations' '%s/queries' '%s/'", src_root(), src_root(), f->dir),
        0);
    *state = f;
    return 0;
}

static void wait_until_clean(const fixture *f)
{
    /* A cached server stops just after pgqc exits; allow it a moment. */
    for (int i = 0;
         i < 100 && (tu_count_entries(f->tmpdir) > 0 || tu_count_processes(f->tmpdir) > 0); i++)
        usleep(50000);
}

static int teardown(void **state)
{
    fixture *f = *state;
    wait_until_clean(f);
    tu_rmtree(f->dir);
    tu_rmtree(f->tmpdir);
    tu_rmtree(f->cache);
    free(f->dir);
    free(f->tmpdir);
    free(f->cache);
    free(f);
    return 0;
}

/* Run pgqc in the project with the fixture's TMPDIR and cache. */
static int pgqc(const fixture *f, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL TMPDIR='%s' PGQC_CACHE_DIR='%s' '%s' %s",
                   f->dir, f->tmpdir, f->cache, tu_pgqc(), args);
}

/* generate --verbose must succeed; returns its output. */
static char *generate_ok(const fixture *f, const char *outdir)
{
    char *args = NULL, *out = NULL;
    assert_true(asprintf(&args, "generate --verbose --out %s --name db", outdir) > 0);
    int st = pgqc(f, &out, args);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(args);
    return out;
}

static void assert_no_cluster_left(const fixture *f)
{
    wait_until_clean(f);
    assert_int_equal(tu_count_entries(f->tmpdir), 0);
    assert_int_equal(tu_count_processes(f->tmpdir), 0);
    assert_int_equal(tu_count_processes(f->cache), 0);
}

static int count_matching(const char *dir, const char *glob)
{
    char *out = NULL;
    tu_runf(&out, "ls -d '%s'/%s 2>/dev/null | wc -l", dir, glob);
    int n = atoi(out);
    free(out);
    return n;
}

static void test_second_run_reuses_cached_cluster_and_template(void **state)
{
    fixture *f = *state;
    char *cold = generate_ok(f, "out1");
    assert_non_null(strstr(cold, "pgqc: cache: initialised the cluster"));
    assert_non_null(strstr(cold, "pgqc: cache: built the template database"));
    assert_no_cluster_left(f);
    char *warm = generate_ok(f, "out2");
    assert_non_null(strstr(warm, "pgqc: cache: reusing the cluster"));
    assert_non_null(strstr(warm, "pgqc: cache: reusing the template database"));
    assert_null(strstr(warm, "initialised"));
    assert_null(strstr(warm, "built"));
    assert_int_equal(
        tu_runf(NULL, "cd '%s' && cmp out1/db.c out2/db.c && cmp out1/db.h out2/db.h", f->dir), 0);
    assert_int_equal(count_matching(f->cache, "cluster-*/cluster.ok"), 1);
    assert_int_equal(count_matching(f->cache, "cluster-*/template-*.ok"), 1);
    assert_no_cluster_left(f);
    free(cold);
    free(warm);
}

static void test_parallel_generates_on_fresh_cache_both_succeed_with_same_output(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    int st =
        tu_runf(&out,
                "cd '%s' || exit 9; export TMPDIR='%s' PGQC_CACHE_DIR='%s'; unset DATABASE_URL; "
                "('%s' generate --verbose --out a > a.log 2>&1; echo $? > a.st) & "
                "('%s' generate --verbose --out b > b.log 2>&1; echo $? > b.st) & wait; "
                "cat a.st b.st a.log b.log",
                f->dir, f->tmpdir, f->cache, tu_pgqc(), tu_pgqc());
    assert_int_equal(st, 0);
    assert_true(strncmp(out, "0\n0\n", 4) == 0);
    /* Exactly one of them built the cluster; the other waited and reused it. */
    const char *first = strstr(out, "initialised the cluster");
    assert_non_null(first);
    assert_null(strstr(first + 1, "initialised the cluster"));
    assert_non_null(strstr(out, "reusing the cluster"));
    assert_int_equal(tu_runf(NULL, "cd '%s' && cmp a/db.c b/db.c && cmp a/db.h b/db.h", f->dir), 0);
    assert_int_equal(count_matching(f->cache, "cluster-*"), 1);
    assert_no_cluster_left(f);
    free(out);
    char *warm = generate_ok(f, "c");
    assert_non_null(strstr(warm, "reusing the template database"));
    free(warm);
}

static void test_damaged_cluster_is_rebuilt_not_used(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    /* A cluster whose control file is garbage does not start: rebuilt. */
    assert_int_equal(tu_runf(NULL,
                             "for c in '%s'/cluster-*/data/global/pg_control; do "
                             "head -c 8192 /dev/urandom > \"$c\"; done",
                             f->cache),
                     0);
    char *out = generate_ok(f, "out");
    assert_non_null(strstr(out, "did not start; rebuilding it"));
    assert_non_null(strstr(out, "initialised the cluster"));
    assert_non_null(strstr(out, "built the template database"));
    free(out);
    assert_no_cluster_left(f);
    /* A missing marker (initdb interrupted) means: not initialised. */
    assert_int_equal(tu_runf(NULL, "rm '%s'/cluster-*/cluster.ok", f->cache), 0);
    out = generate_ok(f, "out");
    assert_non_null(strstr(out, "initialised the cluster"));
    free(out);
    assert_no_cluster_left(f);
    out = generate_ok(f, "out");
    assert_non_null(strstr(out, "reusing the cluster"));
    assert_non_null(strstr(out, "reusing the template database"));
    free(out);
}

static void test_damaged_template_marker_rebuilds_the_template(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    assert_int_equal(tu_runf(NULL,
                             "for m in '%s'/cluster-*/template-*.ok; do "
                             "printf half > \"$m\"; done",
                             f->cache),
                     0);
    char *out = generate_ok(f, "out");
    assert_non_null(strstr(out, "reusing the cluster"));
    assert_non_null(strstr(out, "built the template database"));
    free(out);
    assert_no_cluster_left(f);
}

static void test_changed_migration_builds_a_new_template(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    tu_write(f->dir, "migrations/0099_tags.up.sql", "CREATE TABLE tags (name text PRIMARY KEY);\n");
    tu_write(f->dir, "queries/tags.sql", "-- name: list_tags :many\nSELECT name FROM tags;\n");
    char *out = generate_ok(f, "out");
    assert_non_null(strstr(out, "reusing the cluster"));
    assert_non_null(strstr(out, "built the template database"));
    free(out);
    assert_int_equal(tu_runf(NULL, "grep -q list_tags '%s/out/db.h'", f->dir), 0);
    assert_int_equal(count_matching(f->cache, "cluster-*/template-*.ok"), 2);
    assert_no_cluster_left(f);
}

static void test_cluster_of_an_upgraded_server_is_removed(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    /* An entry for the same bindir under another key: the server binary was
     * replaced (a package upgrade). Force a cold run, which removes it. */
    assert_int_equal(tu_runf(NULL,
                             "cd '%s' && rm cluster-*/cluster.ok && "
                             "mkdir -p cluster-000000000000/data && "
                             "cp cluster-*/server cluster-000000000000/ && "
                             "touch cluster-000000000000/lock cluster-000000000000/cluster.ok",
                             f->cache),
                     0);
    char *out = generate_ok(f, "out");
    assert_non_null(strstr(out, "initialised the cluster"));
    assert_non_null(strstr(out, "removed 1 cluster of an earlier build of the server"));
    free(out);
    assert_int_equal(count_matching(f->cache, "cluster-*"), 1);
    assert_no_cluster_left(f);
}

static void test_no_cache_leaves_nothing_in_the_cache_dir(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    int st = pgqc(f, &out, "generate --no-cache --verbose --out out");
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "cache: not used (--no-cache)"));
    free(out);
    assert_int_equal(tu_count_entries(f->cache), 0);
    assert_no_cluster_left(f);
}

static void test_unusable_cache_dir_falls_back_to_a_throwaway_server(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL TMPDIR='%s' PGQC_CACHE_DIR=/proc/pgqc-cache "
                     "'%s' generate --verbose --out out",
                     f->dir, f->tmpdir, tu_pgqc());
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "using a throwaway server"));
    free(out);
    assert_int_equal(tu_runf(NULL, "test -s '%s/out/db.c'", f->dir), 0);
    assert_no_cluster_left(f);
}

/*
 * As root: the cache works (the entry is root's, 0711; only data/ is the
 * server user's), and a cache root the server user cannot reach (below a
 * private directory, like root's home) makes pgqc say so and use a
 * throwaway server.
 */
static void test_root_cache_layout_and_unreachable_root(void **state)
{
    if (geteuid() != 0)
        skip();
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    char *out = NULL;
    assert_int_equal(
        tu_runf(&out, "cd '%s' && stat -c '%%U %%a' . cluster-* cluster-*/data", f->cache), 0);
    assert_true(strncmp(out, "root 7", 6) == 0);
    assert_non_null(strstr(out, "\nroot 711\n"));
    assert_non_null(strstr(out, " 700\n"));
    assert_null(strstr(out, "root 700\n"));
    free(out);
    assert_int_equal(tu_runf(NULL, "mkdir -m 0700 '%s/private'", f->cache), 0);
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL TMPDIR='%s' PGQC_CACHE_DIR='%s/private/c' "
                     "'%s' generate --verbose --out out",
                     f->dir, f->tmpdir, f->cache, tu_pgqc());
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "cannot reach the cache"));
    assert_non_null(strstr(out, "using a throwaway server"));
    free(out);
    assert_no_cluster_left(f);
}

/* Kill pgqc with `sig` while it builds a template; the cache must stay usable. */
static void signal_during_cached_run(fixture *f, int sig)
{
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    /* A migration that takes long: pgqc is killed while building its template. */
    tu_write(f->dir, "migrations/0099_slow.sql", "SELECT pg_sleep(30);\n");
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(f->dir) != 0)
            _exit(99);
        setenv("TMPDIR", f->tmpdir, 1);
        setenv("PGQC_CACHE_DIR", f->cache, 1);
        unsetenv("DATABASE_URL");
        execl(tu_pgqc(), "pgqc", "generate", "--out", "out", (char *)NULL);
        _exit(98);
    }
    int up = 0;
    for (int i = 0; i < 300 && !up; i++) {
        up = tu_runf(NULL, "ls '%s'/pgqc-*/sock/.s.PGSQL.5432 >/dev/null 2>&1", f->tmpdir) == 0;
        usleep(50000);
    }
    assert_true(up);
    usleep(500000);
    kill(pid, sig);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == sig);
    assert_no_cluster_left(f);
    /* The half-built template was never marked complete. */
    assert_int_equal(count_matching(f->cache, "cluster-*/template-*.ok"), 1);
    tu_runf(NULL, "rm '%s/migrations/0099_slow.sql'", f->dir);
    char *out = generate_ok(f, "out");
    if (!strstr(out, "reusing the template database"))
        fprintf(stderr, "after signal %d:\n%s", sig, out);
    assert_non_null(strstr(out, "reusing the cluster"));
    assert_non_null(strstr(out, "reusing the template database"));
    free(out);
    assert_no_cluster_left(f);
}

static void test_sigterm_during_cached_run_leaves_cache_usable(void **state)
{
    signal_during_cached_run(*state, SIGTERM);
}

static void test_sigint_during_cached_run_leaves_cache_usable(void **state)
{
    signal_during_cached_run(*state, SIGINT);
}

static void test_sigkill_during_cached_run_leaves_cache_usable(void **state)
{
    signal_during_cached_run(*state, SIGKILL);
}

static void test_run_gets_a_writable_copy_of_the_template(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, "out"));
    assert_no_cluster_left(f);
    char *out = NULL;
    tu_write(f->dir, "insert.sql",
             "INSERT INTO users (email) VALUES ('a@example.com');\nSELECT current_database();\n");
    int st = pgqc(f, &out, "run --verbose -- sh -c 'psql \"$DATABASE_URL\" -qAt -f insert.sql'");
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "reusing the template database"));
    assert_non_null(strstr(out, "pgqc_run_"));
    free(out);
    assert_no_cluster_left(f);
    /* The template itself was not written to: a copy was. */
    out = generate_ok(f, "out");
    assert_non_null(strstr(out, "reusing the template database"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_second_run_reuses_cached_cluster_and_template, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_parallel_generates_on_fresh_cache_both_succeed_with_same_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_cluster_is_rebuilt_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_template_marker_rebuilds_the_template, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_changed_migration_builds_a_new_template, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cluster_of_an_upgraded_server_is_removed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_cache_leaves_nothing_in_the_cache_dir, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unusable_cache_dir_falls_back_to_a_throwaway_server,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_cache_layout_and_unreachable_root, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_during_cached_run_leaves_cache_usable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigint_during_cached_run_leaves_cache_usable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_during_cached_run_leaves_cache_usable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_run_gets_a_writable_copy_of_the_template, setup,
                                        teardown),
    };
    if (getenv("PGQC_TEST_FILTER"))
        cmocka_set_test_filter(getenv("PGQC_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
