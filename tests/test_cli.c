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
#include <stdbool.h>
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

/*
 * A URL libpq cannot parse is a configuration error (exit 2) for every
 * command that takes one, given as a flag or through DATABASE_URL, and it
 * is not quoted; a parseable URL whose server is down stays exit 3.
 */
static void test_unparseable_url_exits_2_without_echoing_it(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    tu_write(f->dir, "seeds/1.sql", "SELECT 1;\n");
    static const char *const bad[] = {
        "p%sZq9s3cr3tXY",          "mysql://u:s3cr3t@h/db", "postgresql://u:s3cr3t@[::1/db",
        "bogus=1 password=s3cr3t", "host=127.0.0.1 s3cr3t",
    };
    static const char *const cmds[] = {"migrate status", "migrate up",  "migrate verify",
                                       "seed",           "schema diff", "describe"};
    for (size_t u = 0; u < sizeof bad / sizeof bad[0]; u++)
        for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
            char *out;
            int st = tu_runf(&out,
                             "cd '%s' && env -u DATABASE_URL TMPDIR='%s' '%s' %s "
                             "--database-url '%s'",
                             f->dir, f->tmpdir, tu_pgqc(), cmds[c], bad[u]);
            if (st != 2 || strstr(out, "s3cr3t") || !strstr(out, "invalid database URL (not shown"))
                fail_msg("%s with %s: exit %d\n%s", cmds[c], bad[u], st, out);
            free(out);
            st = tu_runf(&out, "cd '%s' && DATABASE_URL='%s' TMPDIR='%s' '%s' %s", f->dir, bad[u],
                         f->tmpdir, tu_pgqc(), cmds[c]);
            if (st != 2 || strstr(out, "s3cr3t"))
                fail_msg("DATABASE_URL=%s %s: exit %d\n%s", bad[u], cmds[c], st, out);
            free(out);
        }
    char *out;
    assert_int_equal(pgqc(f, &out,
                          "migrate status --database-url "
                          "'postgresql://127.0.0.1:1/app?connect_timeout=2'"),
                     3);
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

/* ---- no password is ever printed ------------------------------------------- */

#define SECRET "s3cr3tpw"

/* URLs and conninfo strings that carry SECRET, well-formed or not; none reaches a server. */
static const char *const secret_urls[] = {
    "postgresql://alice:" SECRET "@127.0.0.1:1/app?connect_timeout=2",
    "postgresql://alice:" SECRET "@[::1/app",
    "mysql://alice:" SECRET "@127.0.0.1/app",
    "postgresql://alice:p%zz" SECRET "@127.0.0.1:1/app",
    "postgresql://alice:s3cr%33tpw@127.0.0.1:99999/app",
    "postgresql://alice@corp:" SECRET "@127.0.0.1:1/app",
    "postgresql://127.0.0.1:1/app?password=" SECRET "&sslmode=bogus",
    "host=127.0.0.1 port=1 user=alice password=" SECRET " connect_timeout=2",
    "host=127.0.0.1 port=abc password=" SECRET,
    "host=127.0.0.1 password='" SECRET,
    "dbname=postgresql://alice:" SECRET "@[::1/app host=127.0.0.1 port=1",
    "p%sZq9" SECRET "XY",                     /* a password pasted alone */
    "host=127.0.0.1 port=1 " SECRET "-stray", /* a stray word */
    "host=127.0.0.1 pass" SECRET "=1",        /* an unknown key */
};

/* Every command that takes --database-url (run: through DATABASE_URL). */
static const char *const url_commands[] = {
    "generate --out out", "describe",
    "describe --json",    "check --out out",
    "migrate up",         "migrate down",
    "migrate status",     "migrate status --json",
    "migrate repair",     "migrate reset --force",
    "migrate verify",     "seed",
    "schema diff",        "schema diff --json",
};

/* `s` quoted for the shell: '...' with each ' as '\'' (malloc'ed). */
static char *shq(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = malloc(n), *w = q;
    *w++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(w, "'\\''", 4);
            w += 4;
        } else {
            *w++ = *p;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return q;
}

static void assert_no_secret(const char *out, const char *what)
{
    if (strstr(out, SECRET) || strstr(out, "s3cr%33"))
        fail_msg("password printed by %s:\n%s", what, out);
}

static void test_no_password_is_printed_by_any_command_for_any_url(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    tu_write(f->dir, "seeds/1.sql", "SELECT 1;\n");
    for (size_t u = 0; u < sizeof secret_urls / sizeof secret_urls[0]; u++) {
        char *url = shq(secret_urls[u]);
        for (size_t c = 0; c < sizeof url_commands / sizeof url_commands[0]; c++) {
            char *out, *what = NULL;
            if (asprintf(&what, "pgqc %s --database-url %s", url_commands[c], url) < 0)
                fail();
            int st = tu_runf(&out,
                             "cd '%s' && env -u DATABASE_URL TMPDIR='%s' '%s' %s "
                             "--database-url %s",
                             f->dir, f->tmpdir, tu_pgqc(), url_commands[c], url);
            assert_no_secret(out, what);
            if ((st != 2 && st != 3) || !strstr(out, "pgqc"))
                fail_msg("%s: exit %d\n%s", what, st, out);
            free(out);
            /* The same through DATABASE_URL, and as an option before the
             * command, for a command of each kind (the paths are shared). */
            if (c % 4 == 0) {
                st = tu_runf(&out, "cd '%s' && DATABASE_URL=%s TMPDIR='%s' '%s' %s", f->dir, url,
                             f->tmpdir, tu_pgqc(), url_commands[c]);
                assert_no_secret(out, what);
                if ((st != 2 && st != 3) || !strstr(out, "pgqc"))
                    fail_msg("DATABASE_URL %s: exit %d\n%s", what, st, out);
                free(out);
            }
            if (c % 4 == 1) {
                st = tu_runf(&out,
                             "cd '%s' && env -u DATABASE_URL TMPDIR='%s' '%s' --database-url=%s "
                             "%s",
                             f->dir, f->tmpdir, tu_pgqc(), url, url_commands[c]);
                assert_no_secret(out, what);
                if ((st != 2 && st != 3) || !strstr(out, "pgqc"))
                    fail_msg("before the command: %s: exit %d\n%s", what, st, out);
                free(out);
            }
            free(what);
        }
        /* A URL given where no option takes it is echoed redacted. (A
         * bare word there cannot be told from a mistyped argument: only
         * --database-url and DATABASE_URL mark one as a secret.) */
        char *out;
        assert_int_equal(
            tu_runf(&out, "cd '%s' && '%s' generate --out out %s", f->dir, tu_pgqc(), url), 2);
        if (strstr(secret_urls[u], "://") || strstr(secret_urls[u], "password"))
            assert_no_secret(out, "a stray argument");
        free(out);
        tu_runf(&out, "cd '%s' && DATABASE_URL=%s TMPDIR='%s' '%s' run -- true", f->dir, url,
                f->tmpdir, tu_pgqc());
        assert_no_secret(out, "run with DATABASE_URL");
        free(out);
        free(url);
    }
}

/*
 * With a database that accepts the URL (the embedded one trusts local
 * connections, so a password in the URL is simply unused): schema diff's
 * header, status --json, --verbose and check print no password. The outer
 * `pgqc run` gets a cache directory of its own: it holds its cache entry
 * while the inner commands use theirs.
 */
static void test_no_password_is_printed_on_success_paths(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    char *out;
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL TMPDIR='%s' "
                     "PGQC_CACHE_DIR=\"$PGQC_CACHE_DIR-outer\" INNER_CACHE=\"$PGQC_CACHE_DIR\" "
                     "'%s' run -- sh -c 'export PGQC_CACHE_DIR=\"$INNER_CACHE\"; "
                     "case \"$DATABASE_URL\" in "
                     "*://*\\?*) u=\"$DATABASE_URL&password=" SECRET "\";; "
                     "*://*) u=\"$DATABASE_URL?password=" SECRET "\";; "
                     "*) u=\"$DATABASE_URL password=" SECRET "\";; esac; "
                     "P=\"$0\"; "
                     "\"$P\" schema diff --database-url \"$u\"; "
                     "\"$P\" schema diff --json --database-url \"$u\"; "
                     "\"$P\" migrate status --json --database-url \"$u\"; "
                     "\"$P\" --database-url \"$u\" --verbose generate --out out; "
                     "\"$P\" check --out out --database-url \"$u\"; "
                     "echo done' '%s'",
                     f->dir, f->tmpdir, tu_pgqc(), tu_pgqc());
    assert_no_secret(out, "a reachable database");
    if (st != 0 || !strstr(out, "done") || !strstr(out, "password=***"))
        fail_msg("exit %d:\n%s", st, out);
    free(out);
}

/* ---- strings from the database are printed without terminal escapes ----- */

static void test_terminal_escapes_from_the_database_are_neutralised(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_t.sql", "CREATE TABLE t (id int);\n");
    /* The server's message quotes the column name, escapes included. */
    tu_write(f->dir, "queries/q.sql",
             "-- name: q :one\nSELECT \"x\033[2J\033]0;owned\007\" FROM t;\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --out out"), 1);
    assert_non_null(strstr(out, "does not exist"));
    assert_non_null(strstr(out, "\\x1b[2J"));
    assert_null(strchr(out, '\033'));
    assert_null(strchr(out, '\007'));
    free(out);
    /* describe prints column names from the database. */
    tu_write(f->dir, "migrations/0002_e.sql", "CREATE TABLE e (\"c\033[31m\" int);\n");
    tu_write(f->dir, "queries/q.sql", "-- name: q :one\nSELECT * FROM e;\n");
    assert_int_equal(pgqc(f, &out, "describe"), 0);
    assert_non_null(strstr(out, "c\\x1b[31m"));
    assert_null(strchr(out, '\033'));
    free(out);
    /* A table named with escapes, found by schema diff in a live database. */
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL TMPDIR='%s' "
                     "PGQC_CACHE_DIR=\"$PGQC_CACHE_DIR-outer\" INNER_CACHE=\"$PGQC_CACHE_DIR\" "
                     "'%s' run -- sh -c 'export PGQC_CACHE_DIR=\"$INNER_CACHE\"; psql -q "
                     "\"$DATABASE_URL\" -c \"CREATE TABLE \\\"evil$(printf "
                     "\"\\033[31m\\r\")\\\" ()\" && \"$0\" schema diff' '%s'",
                     f->dir, f->tmpdir, tu_pgqc(), tu_pgqc());
    if (st != 1 || !strstr(out, "only in the database") || strchr(out, '\033') || strchr(out, '\r'))
        fail_msg("exit %d:\n%s", st, out);
    free(out);
}

/* ---- output paths ------------------------------------------------------------ */

static void test_out_that_is_a_file_or_unwritable_is_a_usage_error_naming_it(void **state)
{
    fixture *f = *state;
    copy_demo(f);
    tu_write(f->dir, "afile", "not a directory\n");
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --out afile"), 2);
    assert_non_null(strstr(out, "afile exists and is not a directory"));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out afile/gen"), 2);
    assert_non_null(strstr(out, "afile is not a directory"));
    free(out);
    /* Unwritable: read-only for everyone when root can mount, else by mode. */
    bool mounted =
        geteuid() == 0 &&
        tu_runf(NULL, "cd '%s' && mkdir ro && mount -t tmpfs -o ro,size=64k tmpfs ro", f->dir) == 0;
    if (!mounted) {
        if (geteuid() == 0) {
            tu_runf(NULL, "rmdir '%s/ro'", f->dir);
            return; /* root ignores modes: nothing honest to test without a mount */
        }
        assert_int_equal(tu_runf(NULL, "cd '%s' && mkdir -p ro && chmod 0555 ro", f->dir), 0);
    }
    assert_int_equal(pgqc(f, &out, "generate --out ro"), 2);
    assert_non_null(strstr(out, "directory ro is not writable"));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out ro/gen"), 2);
    assert_non_null(strstr(out, "cannot create ro/gen"));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out gen --lock ro/pgqc.lock"), 2);
    assert_non_null(strstr(out, "ro/pgqc.lock"));
    free(out);
    tu_runf(NULL, "cd '%s' && (umount ro 2>/dev/null; chmod 0755 ro)", f->dir);
}

/*
 * A full disk (a small tmpfs, so only as root): exit 1 saying "no space
 * left", and the previous generated files and lock stay byte for byte.
 */
static void test_full_disk_is_exit_1_and_keeps_the_previous_files(void **state)
{
    fixture *f = *state;
    if (geteuid() != 0 ||
        tu_runf(NULL, "cd '%s' && mkdir full && mount -t tmpfs -o size=256k tmpfs full", f->dir) !=
            0) {
        fprintf(stderr, "skipped: needs root to mount a small tmpfs\n");
        return;
    }
    copy_demo(f);
    char *out;
    int st = pgqc(f, &out, "generate --out full/gen --lock full/pgqc.lock --depfile full/gen/db.d");
    if (st != 0)
        fail_msg("%s", out);
    free(out);
    char *before, *after;
    assert_int_equal(
        tu_runf(&before, "cd '%s/full' && cat gen/db.h gen/db.c gen/db.d pgqc.lock", f->dir), 0);
    /* Fill the disk, then change a query so that every output changes. */
    tu_runf(NULL, "cd '%s' && head -c 1000000 /dev/zero > full/filler", f->dir);
    tu_runf(NULL,
            "cd '%s' && printf -- '-- name: extra :one\\nSELECT 1 AS x;\\n' >> "
            "queries/users.sql",
            f->dir);
    assert_int_equal(pgqc(f, &out,
                          "generate --out full/gen --lock full/pgqc.lock "
                          "--depfile full/gen/db.d"),
                     1);
    assert_non_null(strstr(out, "no space left"));
    free(out);
    assert_int_equal(
        tu_runf(&after, "cd '%s/full' && cat gen/db.h gen/db.c gen/db.d pgqc.lock", f->dir), 0);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* No temp file is left behind. */
    assert_int_equal(tu_runf(&out, "cd '%s/full' && ls -A gen . | grep -c tmp", f->dir), 1);
    free(out);
    assert_no_cluster_left(f);
    tu_runf(NULL, "umount '%s/full'", f->dir);
}

/* ---- one command line, consistently ------------------------------------------ */

static void test_options_before_the_command_apply_to_it(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "db/migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
    tu_write(f->dir, "db/queries/q.sql", "-- name: q :one\nSELECT id FROM a;\n");
    char *out;
    int st = pgqc(f, &out,
                  "--migrations db/migrations --queries db/queries generate --out out --lock "
                  "out/pgqc.lock");
    if (st != 0)
        fail_msg("%s", out);
    free(out);
    assert_int_equal(tu_runf(NULL, "test -f '%s/out/db.h'", f->dir), 0);
    assert_int_equal(pgqc(f, &out, "--migrations db/migrations migrate lint"), 0);
    free(out);
    assert_int_equal(pgqc(f, &out, "--migrations db/migrations run -- true"), 0);
    free(out);
    assert_int_equal(pgqc(f, &out, "--migratons db/migrations run -- true"), 2);
    assert_non_null(strstr(out, "did you mean \"--migrations\""));
    free(out);
    /* Between migrate (or schema) and its subcommand, as before the command. */
    st = pgqc(f, &out, "migrate --migrations db/migrations lint");
    if (st != 0)
        fail_msg("%s", out);
    free(out);
    st = pgqc(f, &out,
              "--migrations db/migrations migrate --migrations=db/migrations lint --strict");
    if (st != 0)
        fail_msg("%s", out);
    free(out);
    assert_int_equal(pgqc(f, &out,
                          "migrate --migrations db/migrations --database-url "
                          "'postgresql://127.0.0.1:1/app?connect_timeout=2' status"),
                     3);
    assert_non_null(strstr(out, "cannot connect to the database"));
    free(out);
    assert_int_equal(
        pgqc(f, &out, "schema --migrations db/migrations --database-url 'p%sZq9s3cr3t' diff"), 2);
    assert_non_null(strstr(out, "invalid database URL"));
    assert_null(strstr(out, "s3cr3t"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate --migratons db/migrations lint"), 2);
    assert_non_null(strstr(out, "did you mean \"--migrations\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate --json status"), 2);
    assert_non_null(strstr(out, "option \"--json\" must come after the subcommand"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate --migrations db/migrations"), 2);
    assert_non_null(strstr(out, "a subcommand is required"));
    free(out);
}

static void test_mistyped_options_get_a_did_you_mean(void **state)
{
    fixture *f = *state;
    char *out;
    assert_int_equal(pgqc(f, &out, "generate --ouut x"), 2);
    assert_non_null(strstr(out, "unknown option \"--ouut\" (did you mean \"--out\"?)"));
    free(out);
    assert_int_equal(pgqc(f, &out, "describe --jsno"), 2);
    assert_non_null(strstr(out, "did you mean \"--json\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate up --dryrun"), 2);
    assert_non_null(strstr(out, "did you mean \"--dry-run\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "schema diff --jsn"), 2);
    assert_non_null(strstr(out, "did you mean \"--json\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --out"), 2);
    assert_non_null(strstr(out, "option \"--out\" needs a value"));
    free(out);
    assert_int_equal(pgqc(f, &out, "describe --json=yes"), 2);
    assert_non_null(strstr(out, "option \"--json\" takes no value"));
    free(out);
    /* An option of another command is refused, not silently ignored. */
    assert_int_equal(pgqc(f, &out, "migrate up --queries q"), 2);
    assert_non_null(strstr(out, "option \"--queries\" is not used by `pgqc migrate up`"));
    free(out);
    assert_int_equal(pgqc(f, &out, "--queries q run -- true"), 2);
    assert_non_null(strstr(out, "not used by `pgqc run`"));
    free(out);
    /* Commands that only read migration files take no database. */
    const char *file_only[] = {"migrate new x", "migrate lint", "migrate embed --out o"};
    for (size_t i = 0; i < sizeof file_only / sizeof *file_only; i++) {
        char *args = NULL;
        assert_true(asprintf(&args, "%s --database-url postgresql://u:s3cr3t@h/db", file_only[i]) >
                    0);
        assert_int_equal(pgqc(f, &out, args), 2);
        assert_non_null(strstr(out, "option \"--database-url\" is not used by"));
        assert_null(strstr(out, "s3cr3t"));
        free(out);
        free(args);
    }
    assert_int_equal(pgqc(f, &out, "migrate statsu"), 2);
    assert_non_null(strstr(out, "unknown migrate command \"statsu\" (did you mean \"status\"?)"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate verfy --migrations m"), 2);
    assert_non_null(strstr(out, "did you mean \"verify\""));
    free(out);
    assert_int_equal(pgqc(f, &out, "schema dif"), 2);
    assert_non_null(strstr(out, "unknown subcommand \"dif\" (did you mean \"diff\"?)"));
    free(out);
    assert_int_equal(pgqc(f, &out, "migrate frobnicate"), 2);
    assert_null(strstr(out, "did you mean"));
    free(out);
    assert_int_equal(pgqc(f, &out, "generate --completely-unrelated"), 2);
    assert_non_null(strstr(out, "unknown option \"--completely-unrelated\""));
    assert_null(strstr(out, "did you mean"));
    free(out);
}

static void test_help_lists_every_command_and_subcommand(void **state)
{
    fixture *f = *state;
    char *out;
    assert_int_equal(pgqc(f, &out, "--help"), 0);
    const char *words[] = {"generate", "describe", "check", "migrate", "embed",
                           "seed",     "schema",   "run",   "help"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strstr(out, words[i]))
            fail_msg("--help does not mention %s:\n%s", words[i], out);
    free(out);
}

static void test_queries_in_sub_directories_are_read_in_path_order(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "migrations/0001_a.sql", "CREATE TABLE a (id int);\n");
    tu_write(f->dir, "queries/z.sql", "-- name: top :one\nSELECT 1 AS x;\n");
    tu_write(f->dir, "queries/users/b.sql", "-- name: nested :one\nSELECT 2 AS x;\n");
    tu_write(f->dir, "queries/users/admin/c.sql", "-- name: deeper :one\nSELECT 3 AS x;\n");
    tu_write(f->dir, "queries/.drafts/d.sql", "not sql at all\n"); /* hidden: skipped */
    assert_int_equal(tu_runf(NULL, "ln -s .. '%s/queries/users/loop'", f->dir), 0);
    char *out;
    int st = pgqc(f, &out, "describe --queries queries --queries queries/users/b.sql");
    if (st != 0)
        fail_msg("%s", out);
    char *a = strstr(out, "queries/users/admin/c.sql"), *b = strstr(out, "queries/users/b.sql"),
         *z = strstr(out, "queries/z.sql");
    assert_true(a && b && z && a < b && b < z);        /* sorted by path */
    assert_null(strstr(b + 1, "queries/users/b.sql")); /* named twice, read once */
    free(out);
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
        cmocka_unit_test_setup_teardown(test_unparseable_url_exits_2_without_echoing_it, setup,
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
        cmocka_unit_test_setup_teardown(test_no_password_is_printed_by_any_command_for_any_url,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_password_is_printed_on_success_paths, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_terminal_escapes_from_the_database_are_neutralised,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_out_that_is_a_file_or_unwritable_is_a_usage_error_naming_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_is_exit_1_and_keeps_the_previous_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_before_the_command_apply_to_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mistyped_options_get_a_did_you_mean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_lists_every_command_and_subcommand, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_queries_in_sub_directories_are_read_in_path_order,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
