/*
 * test_names.c — generated names and hostile strings.
 *
 * If `pgqc generate` exits 0, its output compiles under -std=c11 -Wall
 * -Wextra -Wpedantic -Werror with gcc and clang, whatever the names: queries
 * whose functions would collide with each other's statics, parameters named
 * like libc functions, enum constants that collide across enums, an empty
 * enum, SQL and migrations longer than a string literal may be. A clash that
 * cannot be resolved is a diagnostic at the query's file:line, exit 1.
 *
 * Names from every source are data, never code: a migration, a live
 * database given with --database-url, a path and an edited pgqc.lock each
 * carry comment terminators, trigraphs and a #define; the output must
 * compile, and no injected code may run or be defined.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v ? v : fallback;
}

static const char *src_root(void)
{
    return env_or("PGQC_SOURCE_ROOT", ".");
}

/* Compile `files` in `dir` with gcc and clang, strictly; returns nothing, fails the test. */
static void compile_strict(const char *dir, const char *files)
{
    const char *compilers[] = {"gcc", "clang"};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL;
        int st = tu_runf(&out,
                         "cd '%s' && %s -std=c11 -Wall -Wextra -Wpedantic -Werror -I'%s/include' "
                         "$(pkg-config --cflags libpq) -c %s",
                         dir, compilers[i], src_root(), files);
        if (st)
            fprintf(stderr, "%s:\n%.8000s", compilers[i], out);
        assert_int_equal(st, 0);
        free(out);
    }
}

/* No symbol an injected payload would define, in the objects of `dir`, and no marker file. */
static void assert_nothing_injected(const char *dir)
{
    char *out = NULL;
    assert_int_equal(
        tu_runf(&out, "cd '%s' && nm *.o | awk '{print $NF}' | grep -E '^(injected|f$)' || true",
                dir),
        0);
    assert_string_equal(out, "");
    free(out);
    char *pwned = NULL;
    assert_int_equal(tu_runf(&pwned, "find '%s' -name pwned", dir), 0);
    assert_string_equal(pwned, "");
    free(pwned);
}

/* queries/long.sql: a 100,000-character query and a 1,000-parameter INSERT. */
static void write_long_queries(const char *dir)
{
    size_t cap = 200000;
    char *sql = malloc(cap);
    assert_non_null(sql);
    size_t n = (size_t)snprintf(sql, cap, "-- name: long_sql :one\nSELECT length('");
    memset(sql + n, 'x', 100000);
    n += 100000;
    n += (size_t)snprintf(
        sql + n, cap - n,
        "') AS n;\n\n-- name: wide_insert :execrows\nINSERT INTO wide (v) VALUES ");
    for (int i = 1; i <= 1000; i++)
        n += (size_t)snprintf(sql + n, cap - n, "%s(:v%d)", i > 1 ? ", " : "", i);
    snprintf(sql + n, cap - n, ";\n");
    tu_write(dir, "queries/long.sql", sql);
    free(sql);
}

static char *project(void)
{
    char *dir = tu_mkdtemp();
    assert_int_equal(tu_runf(NULL,
                             "cp -r '%s/tests/names/migrations' '%s/tests/names/queries' '%s/'",
                             src_root(), src_root(), dir),
                     0);
    write_long_queries(dir);
    return dir;
}

static int generate(const char *dir, const char *args, char **out)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' generate %s",
                   dir, dir, tu_pgqc(), args);
}

static void test_clashing_names_compile_with_gcc_and_clang_and_run(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    int st = generate(dir, "--out out --name db", &out);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *gen = NULL;
    assert_true(asprintf(&gen, "%s/out", dir) > 0);
    compile_strict(gen, "db.c");
    /* Long SQL became an array, short SQL stayed a readable literal. */
    assert_int_equal(
        tu_runf(NULL, "grep -q 'static const char db_long_sql_sql\\[\\] = {' '%s/db.c'", gen), 0);
    assert_int_equal(tu_runf(NULL, "grep -q '\"SELECT id FROM t ORDER BY id\",' '%s/db.c'", gen),
                     0);

    const char *build = env_or("PGQC_BUILD_ROOT", "build");
    st = tu_runf(&out,
                 "cd '%s' && cc %s -std=c11 -Wall -Wextra -Wpedantic -Werror -I'%s/include' -Iout "
                 "$(pkg-config --cflags libpq) out/db.c '%s/tests/names/driver.c' "
                 "'%s/runtime/libpgqc.a' $(pkg-config --libs libpq) -lcrypto -o drv && "
                 "env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' run -- ./drv",
                 dir, tu_sanitize_flags(), src_root(), src_root(), build, dir, tu_pgqc());
    if (st)
        fprintf(stderr, "%.8000s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "driver: ok"));
    free(out);
    assert_nothing_injected(gen);
    free(gen);
    tu_rmtree(dir);
    free(dir);
}

static void test_unresolvable_clashes_are_errors_at_the_query(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *out = NULL;
    tu_write(dir, "migrations/0001_e.up.sql", "CREATE TYPE get_e_row AS ENUM ('a');\n");
    tu_write(dir, "queries/q.sql",
             "-- name: check_schema :one\nSELECT 1 AS x;\n\n"
             "-- name: get_e :one\nSELECT 'a'::get_e_row AS e;\n\n"
             "-- name: fine :one\nSELECT 2 AS y;\n");
    int st = generate(dir, "--out out --name db", &out);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "queries/q.sql:1:1: error: query \"check_schema\""));
    assert_non_null(strstr(out, "db_check_schema"));
    assert_non_null(strstr(out, "queries/q.sql:4:1: error: query \"get_e\""));
    assert_non_null(strstr(out, "enum \"get_e_row\""));
    free(out);
    /* Nothing was written. */
    assert_int_equal(tu_runf(NULL, "test ! -e '%s/out/db.h'", dir), 0);
    /* A prefix in the runtime's namespace is a usage error. */
    st = generate(dir, "--out out --name pgqc_app", &out);
    assert_int_equal(st, 2);
    free(out);
    tu_rmtree(dir);
    free(dir);
}

static void test_a_hostile_path_stays_in_its_comment(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *out = NULL;
    const char *qdir = "dir*/int f(void){return 0;}/*";
    tu_write(dir, "migrations/0001_t.up.sql", "CREATE TABLE t (id int);\n");
    char *qfile = NULL;
    assert_true(asprintf(&qfile, "%s/q.sql", qdir) > 0);
    tu_write(dir, qfile, "-- name: ids :many\nSELECT id FROM t;\n");
    char *args = NULL;
    assert_true(asprintf(&args, "--queries '%s' --out out --name db", qdir) > 0);
    int st = generate(dir, args, &out);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *gen = NULL;
    assert_true(asprintf(&gen, "%s/out", dir) > 0);
    compile_strict(gen, "db.c");
    assert_nothing_injected(gen);
    free(gen);
    free(args);
    free(qfile);
    tu_rmtree(dir);
    free(dir);
}

static void test_hostile_names_from_a_live_database(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *out = NULL;
    tu_write(dir, "migrations/0001_t.up.sql", "CREATE TABLE base (id int);\n");
    /* Objects the migrations do not know: made directly in the database. */
    tu_write(dir, "hostile.sql",
             "CREATE TYPE \"x */\n#define pgqc_conn_free(c) system(\"\"touch pwned\"\") /*\" "
             "AS ENUM ('*/ int injected_label; /*', 'a?\?/');\n"
             "CREATE TABLE \"t */ int injected_t; /*\" (\"c */ int injected_c; /*\" "
             "\"x */\n#define pgqc_conn_free(c) system(\"\"touch pwned\"\") /*\" NOT NULL);\n");
    tu_write(dir, "live/q.sql",
             "-- name: hostile :many\nSELECT * FROM \"t */ int injected_t; /*\";\n");
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' run -- sh -c "
                     "'psql -q -v ON_ERROR_STOP=1 \"$DATABASE_URL\" -f hostile.sql && "
                     "\"$0\" generate --database-url \"$DATABASE_URL\" --queries live --out out "
                     "--name live --lock out/live.lock' '%s'",
                     dir, dir, tu_pgqc(), tu_pgqc());
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *gen = NULL;
    assert_true(asprintf(&gen, "%s/out", dir) > 0);
    compile_strict(gen, "live.c");
    assert_nothing_injected(gen);
    free(gen);
    tu_rmtree(dir);
    free(dir);
}

static void test_an_edited_lock_never_becomes_code(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    int st = generate(dir, "--out out --name db --lock db.lock", &out);
    assert_int_equal(st, 0);
    free(out);
    /* A label and a type's names edited by hand, one with a newline and a #define. */
    assert_int_equal(
        tu_runf(NULL,
                "cd '%s' && cp db.lock db.orig && "
                "sed -i -e 's|\"level_high\",|\"level_high */ int injected_label; /*\",|' "
                "-e 's|\"name\": \"priority_level\"|\"name\": \"p */ int injected_t; "
                "/*\\\\n#define pgqc_conn_free(c) system(\\\\\"touch pwned\\\\\")\"|' "
                "-e 's|\"typname\": \"priority_level\"|\"typname\": \"p */ int injected_n; "
                "/*\"|' db.lock && grep -q injected_t db.lock",
                dir),
        0);
    st = generate(dir, "--offline --out out2 --name db --lock db.lock", &out);
    if (st == 0) {
        /* Accepted: then it must be safe, compiled output. */
        char *gen = NULL;
        assert_true(asprintf(&gen, "%s/out2", dir) > 0);
        compile_strict(gen, "db.c");
        assert_nothing_injected(gen);
        free(gen);
    } else {
        /* Refused: with a clear error, and nothing written. */
        assert_non_null(strstr(out, "error"));
        assert_int_equal(tu_runf(NULL, "test ! -e '%s/out2/db.c'", dir), 0);
    }
    free(out);
    /* A query name is an identifier: code in its place is refused. */
    assert_int_equal(tu_runf(NULL,
                             "cd '%s' && sed -e 's|\"name\": \"list_run\"|\"name\": "
                             "\"list_run(void); int injected_q; void x\"|' db.orig > db.lock && "
                             "grep -q injected_q db.lock",
                             dir),
                     0);
    st = generate(dir, "--offline --out out3 --name db --lock db.lock", &out);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "error"));
    assert_int_equal(tu_runf(NULL, "test ! -e '%s/out3/db.c'", dir), 0);
    free(out);
    tu_rmtree(dir);
    free(dir);
}

static void test_migrate_embed_of_a_long_migration_compiles_and_loads(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), *out = NULL;
    const char *mdir = "mig*/int f(void){return 0;}/*";
    /* A migration of about 40 KB, with a trigraph on every line. */
    size_t cap = 64000, n = 0;
    char *sql = malloc(cap);
    assert_non_null(sql);
    n += (size_t)snprintf(sql + n, cap - n, "CREATE TABLE big (id int);\n");
    for (int i = 0; i < 600; i++)
        n += (size_t)snprintf(sql + n, cap - n, "INSERT INTO big VALUES (%d); -- pad ?\?/\n", i);
    char *path = NULL;
    assert_true(asprintf(&path, "%s/0001_big.up.sql", mdir) > 0);
    tu_write(dir, path, sql);
    free(path);
    assert_true(asprintf(&path, "%s/0001_big.down.sql", mdir) > 0);
    tu_write(dir, path, "DROP TABLE big;\n");
    free(path);
    tu_write(dir, "main.c",
             "#include \"app_migrations.h\"\n#include <stdio.h>\n#include <string.h>\n"
             "int main(void)\n{\n    pgqc_migration_set *set = NULL;\n"
             "    pgqc_migrate_result res;\n    memset(&res, 0, sizeof res);\n"
             "    if (!app_migrations(&set, &res) || set->count != 1 ||\n"
             "        strlen(set->items[0].up_sql) < 20000 || !strstr(set->items[0].up_sql, "
             "\"(599); -- pad ?\\?/\"))\n"
             "        return 1;\n    pgqc_migration_set_free(set);\n"
             "    puts(\"embed: ok\");\n    return 0;\n}\n");
    int st = tu_runf(&out, "cd '%s' && '%s' migrate embed --migrations '%s' --out gen --name app",
                     dir, tu_pgqc(), mdir);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char *gen = NULL;
    assert_true(asprintf(&gen, "%s/gen", dir) > 0);
    compile_strict(gen, "app_migrations.c");
    assert_nothing_injected(gen);
    const char *build = env_or("PGQC_BUILD_ROOT", "build");
    st = tu_runf(&out,
                 "cd '%s' && cc %s -std=c11 -Wall -Wextra -Wpedantic -Werror -I'%s/include' -Igen "
                 "$(pkg-config --cflags libpq) main.c gen/app_migrations.c "
                 "'%s/runtime/libpgqc.a' $(pkg-config --libs libpq) -lcrypto -o emb && ./emb",
                 dir, tu_sanitize_flags(), src_root(), build);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "embed: ok"));
    free(out);
    free(gen);
    free(sql);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clashing_names_compile_with_gcc_and_clang_and_run),
        cmocka_unit_test(test_unresolvable_clashes_are_errors_at_the_query),
        cmocka_unit_test(test_a_hostile_path_stays_in_its_comment),
        cmocka_unit_test(test_hostile_names_from_a_live_database),
        cmocka_unit_test(test_an_edited_lock_never_becomes_code),
        cmocka_unit_test(test_migrate_embed_of_a_long_migration_compiles_and_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
