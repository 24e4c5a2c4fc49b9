/*
 * test_run.c — `pgqc run -- CMD`: CMD gets a real postgresql:// URL of a
 * migrated throwaway database in DATABASE_URL (whatever DATABASE_URL said
 * before), --database-url is refused, SIGTERM / SIGINT / SIGHUP sent to
 * pgqc reach CMD, pgqc waits for CMD, exits with its status and only then
 * removes the database: no server and no temp dir are left behind.
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
#include <time.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    char *dir;    /* scratch project: migrations/, scripts */
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
    assert_int_equal(tu_runf(NULL, "cp -r '%s/migrations' '%s/'", src_root(), f->dir), 0);
    *state = f;
    return 0;
}

static void wait_until_clean(const fixture *f)
{
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

static void assert_nothing_left(const fixture *f)
{
    wait_until_clean(f);
    assert_int_equal(tu_count_entries(f->tmpdir), 0);
    assert_int_equal(tu_count_processes(f->tmpdir), 0);
}

static int pgqc(const fixture *f, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && TMPDIR='%s' PGQC_CACHE_DIR='%s' '%s' %s", f->dir, f->tmpdir,
                   f->cache, tu_pgqc(), args);
}

/* DATABASE_URL is a postgresql:// URL (socket directory percent-encoded) that works. */
static void url_is_a_real_url(fixture *f, const char *args)
{
    tu_write(f->dir, "url.sh",
             "echo \"url=$DATABASE_URL\"\n"
             "psql \"$DATABASE_URL\" -Atc \"SELECT 'users:' || count(*) FROM users\"\n");
    char *out = NULL;
    char *cmd = NULL;
    assert_true(asprintf(&cmd, "run %s -- sh url.sh", args) > 0);
    /* A DATABASE_URL in pgqc's environment is not used, nor passed on. */
    int st = tu_runf(&out,
                     "cd '%s' && DATABASE_URL=postgresql://nobody@nowhere.invalid/x TMPDIR='%s' "
                     "PGQC_CACHE_DIR='%s' '%s' %s",
                     f->dir, f->tmpdir, f->cache, tu_pgqc(), cmd);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    const char *url = strstr(out, "url=postgresql://pgqc@%2F");
    assert_non_null(url);
    /* Only the URL's own punctuation: no spaces, no raw '/' in the host. */
    const char *end = strchr(url, '\n');
    assert_non_null(end);
    assert_null(memchr(url, ' ', (size_t)(end - url)));
    assert_non_null(strstr(url, "%2Fsock:5432/"));
    assert_non_null(strstr(out, "users:0"));
    free(out);
    free(cmd);
    assert_nothing_left(f);
}

static void test_run_sets_a_postgresql_url_cached(void **state)
{
    url_is_a_real_url(*state, "");
}

static void test_run_sets_a_postgresql_url_throwaway(void **state)
{
    url_is_a_real_url(*state, "--no-cache");
}

static void test_run_refuses_database_url(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    int st = pgqc(f, &out, "run --database-url postgresql://u@h/d -- touch ran");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "--database-url is not accepted"));
    free(out);
    assert_int_equal(tu_runf(NULL, "test ! -e '%s/ran'", f->dir), 0);
}

static void test_run_exits_with_the_command_status(void **state)
{
    fixture *f = *state;
    assert_int_equal(pgqc(f, NULL, "run -- sh -c 'exit 7'"), 7);
    assert_nothing_left(f);
}

/*
 * Send `sig` to pgqc while CMD runs: CMD must get it (its trap writes a
 * file and exits 5), pgqc must wait for it, exit 5 and clean up.
 */
static void signal_is_forwarded(fixture *f, int sig, const char *name, const char *args)
{
    char *script = NULL;
    assert_true(asprintf(&script,
                         "trap 'echo got > got-%s; exit 5' %s\n"
                         "touch ready\n"
                         "i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
                         "exit 9\n",
                         name, name) > 0);
    tu_write(f->dir, "trap.sh", script);
    free(script);
    tu_runf(NULL, "rm -f '%s/ready'", f->dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(f->dir) != 0)
            _exit(99);
        setenv("TMPDIR", f->tmpdir, 1);
        setenv("PGQC_CACHE_DIR", f->cache, 1);
        /* Not from a terminal: pgqc is the only one to pass the signal on. */
        setsid();
        if (*args)
            execl(tu_pgqc(), "pgqc", "run", args, "--", "sh", "trap.sh", (char *)NULL);
        else
            execl(tu_pgqc(), "pgqc", "run", "--", "sh", "trap.sh", (char *)NULL);
        _exit(98);
    }
    int ready = 0;
    for (int i = 0; i < 600 && !ready; i++) {
        ready = tu_runf(NULL, "test -e '%s/ready'", f->dir) == 0;
        usleep(50000);
    }
    assert_true(ready);
    time_t t0 = time(NULL);
    kill(pid, sig);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 5);
    assert_true(time(NULL) - t0 < 20);
    assert_int_equal(tu_runf(NULL, "grep -q got '%s/got-%s'", f->dir, name), 0);
    assert_nothing_left(f);
}

static void test_run_forwards_sigterm(void **state)
{
    signal_is_forwarded(*state, SIGTERM, "TERM", "");
}

static void test_run_forwards_sigint(void **state)
{
    signal_is_forwarded(*state, SIGINT, "INT", "");
}

static void test_run_forwards_sighup_without_cache(void **state)
{
    signal_is_forwarded(*state, SIGHUP, "HUP", "--no-cache");
}

/* A command killed by the forwarded signal: pgqc exits 128 + the signal. */
static void test_run_command_killed_by_forwarded_signal(void **state)
{
    fixture *f = *state;
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(f->dir) != 0)
            _exit(99);
        setenv("TMPDIR", f->tmpdir, 1);
        setenv("PGQC_CACHE_DIR", f->cache, 1);
        setsid();
        execl(tu_pgqc(), "pgqc", "run", "--", "sh", "-c", "touch ready; exec sleep 31",
              (char *)NULL);
        _exit(98);
    }
    int ready = 0;
    for (int i = 0; i < 600 && !ready; i++) {
        ready = tu_runf(NULL, "test -e '%s/ready'", f->dir) == 0;
        usleep(50000);
    }
    assert_true(ready);
    usleep(200000); /* let sh exec sleep */
    kill(pid, SIGTERM);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 128 + SIGTERM);
    /* The cached server's watchdog (a fork of pgqc: its command line names
     * the command too) may take a moment to finish after pgqc. */
    assert_nothing_left(f);
    for (int i = 0; i < 100 && tu_count_processes("sleep 31") > 0; i++)
        usleep(50000);
    assert_int_equal(tu_count_processes("sleep 31"), 0);
    assert_nothing_left(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_sets_a_postgresql_url_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_sets_a_postgresql_url_throwaway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_refuses_database_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_exits_with_the_command_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_forwards_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_forwards_sigint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_forwards_sighup_without_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_command_killed_by_forwarded_signal, setup,
                                        teardown),
    };
    if (getenv("PGQC_TEST_FILTER"))
        cmocka_set_test_filter(getenv("PGQC_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
