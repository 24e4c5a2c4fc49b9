/*
 * test_codegen.c — golden tests of generated code. For each golden project
 * (tests/golden/codegen: awkward names, keywords, enums in two schemas,
 * arrays, every command; tests/types: every mapped type) `pgqc generate`
 * must produce exactly the checked-in expected files, which must compile
 * warning-free with gcc and clang (-std=c11 -Wall -Wextra -Wpedantic
 * -Werror) and as C++17; the awkward set is also linked with a driver and
 * run against a throwaway database.
 *
 * Regenerate the expected files after an intended change with
 *   PGQC_UPDATE_GOLDEN=1 meson test -C build codegen
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

/* Generate `project` (relative to the source root) into a scratch copy; returns the scratch dir. */
static char *generate(const char *project, const char *name)
{
    const char *root = env_or("PGQC_SOURCE_ROOT", ".");
    char *dir = tu_mkdtemp(), *out = NULL;
    assert_int_equal(tu_runf(NULL, "cp -r '%s/%s/migrations' '%s/%s/queries' '%s/'", root, project,
                             root, project, dir),
                     0);
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' generate "
                     "--out out --name %s",
                     dir, dir, tu_pgqc(), name);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    return dir;
}

/* Compare (or with PGQC_UPDATE_GOLDEN, rewrite) one generated file with its golden copy. */
static void compare_golden(const char *dir, const char *golden_dir, const char *file)
{
    const char *root = env_or("PGQC_SOURCE_ROOT", ".");
    if (getenv("PGQC_UPDATE_GOLDEN"))
        assert_int_equal(tu_runf(NULL, "mkdir -p '%s/%s' && cp '%s/out/%s' '%s/%s/%s'", root,
                                 golden_dir, dir, file, root, golden_dir, file),
                         0);
    char *diff = NULL;
    int st = tu_runf(&diff, "diff -u '%s/%s/%s' '%s/out/%s'", root, golden_dir, file, dir, file);
    if (st)
        fprintf(stderr,
                "%s differs from the golden copy (PGQC_UPDATE_GOLDEN=1 to accept):\n%.4000s", file,
                diff);
    assert_int_equal(st, 0);
    free(diff);
}

static void compile_strict(const char *dir, const char *name)
{
    const char *root = env_or("PGQC_SOURCE_ROOT", ".");
    const char *cmds[] = {"gcc -std=c11", "clang -std=c11", "g++ -std=c++17 -x c++ -fsyntax-only",
                          "clang++ -std=c++17 -x c++ -fsyntax-only"};
    for (size_t i = 0; i < 4; i++) {
        char *out = NULL;
        bool cxx = i >= 2;
        int st = tu_runf(&out,
                         "cd '%s' && %s -Wall -Wextra -Wpedantic -Werror -I'%s/include' "
                         "$(pkg-config --cflags libpq) %s",
                         dir, cmds[i], root,
                         cxx ? (strcmp(name, "db") == 0 ? "out/db.h" : "out/ty.h")
                             : (strcmp(name, "db") == 0 ? "-c out/db.c -o out/db.o"
                                                        : "-c out/ty.c -o out/ty.o"));
        if (st)
            fprintf(stderr, "%s:\n%s", cmds[i], out);
        assert_int_equal(st, 0);
        free(out);
    }
}

static void test_awkward_names_match_golden_compile_and_run(void **state)
{
    (void)state;
    char *dir = generate("tests/golden/codegen", "db");
    compare_golden(dir, "tests/golden/codegen/expected", "db.h");
    compare_golden(dir, "tests/golden/codegen/expected", "db.c");
    compile_strict(dir, "db");
    const char *root = env_or("PGQC_SOURCE_ROOT", "."), *build = env_or("PGQC_BUILD_ROOT", "build");
    char *out = NULL;
    int st =
        tu_runf(&out,
                "cd '%s' && cc %s -std=c11 -Wall -Wextra -Wpedantic -Werror -I'%s/include' -Iout "
                "$(pkg-config --cflags libpq) out/db.c '%s/tests/golden/codegen/driver.c' "
                "'%s/runtime/libpgqc.a' $(pkg-config --libs libpq) -lcrypto -o drv && "
                "env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' run -- ./drv",
                dir, tu_sanitize_flags(), root, root, build, dir, tu_pgqc());
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "driver: ok"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

static void test_every_type_matches_golden_and_compiles(void **state)
{
    (void)state;
    char *dir = generate("tests/types", "ty");
    compare_golden(dir, "tests/golden/types", "ty.h");
    compare_golden(dir, "tests/golden/types", "ty.c");
    compile_strict(dir, "ty");
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_awkward_names_match_golden_compile_and_run),
        cmocka_unit_test(test_every_type_matches_golden_and_compiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
