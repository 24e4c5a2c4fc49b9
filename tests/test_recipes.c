/*
 * test_recipes.c — the build-system recipes of examples/meson/,
 * examples/make/ and examples/cmake/, built the way a user builds them:
 * pgqc and libpgqc are installed (`meson install --destdir`) into a private
 * prefix that PATH and PKG_CONFIG_PATH point to (not LD_LIBRARY_PATH: the
 * rpath pgqc.pc adds must find libpgqc), the recipe is copied to a scratch
 * directory and built with meson, with make, with CMake + Ninja and with
 * CMake + Unix Makefiles, and the program runs under `pgqc run`. Then the
 * incremental behaviour: touching a query or migration regenerates, editing
 * a query regenerates and rebuilds, and a build right after any of these
 * does nothing.
 *
 * Arguments: the meson build directory (to install from). Environment:
 * PGQC_SOURCE_ROOT (where examples/ is), as in tests/meson.build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *build_root;

/* The installation's scratch root: every test's directories live inside
 * it, so the group teardown removes them even after a failed assertion. */
static const char *scratch_root;

/* The private prefix everything is installed into, shared by all tests
 * (installing takes a fraction of a second; the cache of the embedded
 * database inside it makes every generate after the first one warm). */
typedef struct install {
    char *dir;    /* scratch root: inst/ (the destdir), cache/, tmp/ */
    char *prefix; /* dir/inst/usr/local, or wherever meson's prefix is */
} install;

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

/* Print a command's output when an assertion about it is about to fail. */
static void show(const char *what, const char *out)
{
    fprintf(stderr, "---- %s ----\n%s\n----\n", what, out ? out : "(none)");
}

static int install_setup(void **state)
{
    install *in = calloc(1, sizeof *in);
    in->dir = tu_mkdtemp();
    char *out = NULL;
    int st = tu_runf(&out, "meson install -C '%s' --no-rebuild --quiet --destdir '%s/inst'",
                     build_root, in->dir);
    if (st != 0) {
        show("meson install", out);
        free(out);
        return -1;
    }
    free(out);
    /* The .pc file names meson's configured prefix; point it into the
     * destdir, as if pgqc had been configured with that prefix. */
    if (tu_runf(&out, "cd '%s/inst' && find . -name pgqc.pc", in->dir) != 0 || !*out) {
        show("find pgqc.pc", out);
        free(out);
        return -1;
    }
    out[strcspn(out, "\n")] = '\0';
    char *pc = xasprintf("%s/inst/%s", in->dir, out + 2);
    free(out);
    out = NULL;
    char *pcdir = strdup(pc);
    *strrchr(pcdir, '/') = '\0';
    /* prefix=/usr/local -> prefix=DIR/inst/usr/local */
    if (tu_runf(&out, "sed -n 's|^prefix=||p' '%s'", pc) != 0) {
        free(out);
        return -1;
    }
    out[strcspn(out, "\n")] = '\0';
    in->prefix = xasprintf("%s/inst%s", in->dir, out);
    free(out);
    if (tu_runf(NULL, "sed -i 's|^prefix=.*|prefix=%s|' '%s'", in->prefix, pc) != 0)
        return -1;

    char *path =
        xasprintf("%s/bin:%s", in->prefix, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    setenv("PKG_CONFIG_PATH", pcdir, 1);
    /* No LD_LIBRARY_PATH: pgqc.pc's rpath must be enough for the programs. */
    unsetenv("LD_LIBRARY_PATH");
    char *cache = xasprintf("%s/cache", in->dir);
    setenv("PGQC_CACHE_DIR", cache, 1);
    unsetenv("DATABASE_URL");
    unsetenv("MAKEFLAGS"); /* the recipes' own make, not meson's */
    unsetenv("MFLAGS");
    setenv("NO_COLOR", "1", 1);
    free(path);
    free(cache);
    free(pcdir);
    free(pc);
    scratch_root = in->dir;
    *state = in;
    return 0;
}

static int install_teardown(void **state)
{
    install *in = *state;
    tu_rmtree(in->dir);
    free(in->dir);
    free(in->prefix);
    free(in);
    return 0;
}

/* A fresh directory inside the scratch root (caller removes it). */
static char *scratch_dir(void)
{
    char *dir = xasprintf("%s/work-XXXXXX", scratch_root);
    if (!mkdtemp(dir))
        abort();
    return dir;
}

/* Copy examples/NAME to a fresh scratch directory (caller removes it). */
static char *copy_recipe(const char *name)
{
    char *dir = scratch_dir();
    const char *root = getenv("PGQC_SOURCE_ROOT");
    assert_int_equal(tu_runf(NULL, "cp -r '%s/examples/%s/.' '%s/'", root ? root : ".", name, dir),
                     0);
    return dir;
}

/* Run `cmd` in `dir`; assert it succeeds; return its output. */
static char *ok_in(const char *dir, const char *cmd)
{
    char *out = NULL;
    int st = tu_runf(&out, "cd '%s' && %s", dir, cmd);
    if (st != 0)
        show(cmd, out);
    assert_int_equal(st, 0);
    return out;
}

static void assert_has(const char *what, const char *out, const char *needle)
{
    bool found = strstr(out, needle) != NULL;
    if (!found) {
        fprintf(stderr, "expected \"%s\" in the output of %s\n", needle, what);
        show(what, out);
    }
    assert_true(found);
}

static void assert_lacks(const char *what, const char *out, const char *needle)
{
    bool found = strstr(out, needle) != NULL;
    if (found) {
        fprintf(stderr, "did not expect \"%s\" in the output of %s\n", needle, what);
        show(what, out);
    }
    assert_false(found);
}

/* The program the recipes build, run against a throwaway database. */
static void assert_notes_run(const char *dir, const char *exe)
{
    char *cmd = xasprintf("pgqc run -- %s", exe);
    char *out = ok_in(dir, cmd);
    assert_has(cmd, out, "note 1: buy milk [errand]");
    assert_has(cmd, out, "note 2: read DESIGN.md [untagged]");
    free(out);
    free(cmd);
}

/* A new query in the existing file: the generated header changes. */
static void add_count_query(const char *dir)
{
    assert_int_equal(tu_runf(NULL,
                             "printf '\\n-- name: count_notes :one\\nSELECT count(*) AS n FROM "
                             "notes;\\n' >> '%s/queries/notes.sql'",
                             dir),
                     0);
}

/* make: generate, compile, link; a touch regenerates and (make has no
 * restat) rebuilds; the next build does nothing. */
static void test_make_recipe_rebuilds_when_a_query_or_migration_changes_and_only_then(void **state)
{
    (void)state;
    char *dir = copy_recipe("make");
    char *out = ok_in(dir, "make CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("make", out, "pgqc generate");
    assert_has("make", out, "-o notes");
    free(out);
    assert_notes_run(dir, "./notes");

    out = ok_in(dir, "make CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("second make", out, "Nothing to be done");
    free(out);
    free(ok_in(dir, "make -q CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\""));

    out = ok_in(
        dir,
        "touch queries/notes.sql && make CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("make after touching a query", out, "pgqc generate");
    assert_has("make after touching a query", out, "-o notes");
    free(out);
    out = ok_in(dir, "make CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("make after that", out, "Nothing to be done");
    free(out);

    add_count_query(dir);
    out = ok_in(dir, "make CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("make after editing a query", out, "pgqc generate");
    assert_has("make after editing a query", out, "-o notes");
    free(out);
    out = ok_in(dir, "grep -c count_notes gen/db.h");
    free(out);
    free(ok_in(dir, "make -q CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\""));

    out = ok_in(dir, "touch migrations/0001_create_notes.up.sql && make CFLAGS=\"-O0 -Werror "
                     "$PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\"");
    assert_has("make after touching a migration", out, "pgqc generate");
    free(out);
    free(ok_in(dir, "make -q CFLAGS=\"-O0 -Werror $PGQC_SAN\" LDFLAGS=\"$PGQC_SAN\""));
    assert_notes_run(dir, "./notes");

    tu_rmtree(dir);
    free(dir);
}

/* CMake with one generator: configure, build, run, then the incremental
 * checks. Ninja restats the custom command, so a touch with unchanged
 * output regenerates without recompiling; Unix Makefiles rebuild. */
static void check_cmake_recipe(const char *generator, bool ninja)
{
    char *src = copy_recipe("cmake");
    char *bld = scratch_dir();
    char *cmd = xasprintf("cmake -S . -B '%s' -G '%s' -DCMAKE_C_FLAGS=\"-O0 -Werror $PGQC_SAN\" "
                          "-DCMAKE_EXE_LINKER_FLAGS=\"$PGQC_SAN\"",
                          bld, generator);
    free(ok_in(src, cmd));
    free(cmd);
    char *build = xasprintf("cmake --build '%s'", bld);
    char *dry = xasprintf("ninja -C '%s' -n", bld);

    char *out = ok_in(src, build);
    assert_has("first build", out, "pgqc: generating db.c and db.h");
    assert_has("first build", out, "Linking C executable notes");
    free(out);
    char *exe = xasprintf("'%s/notes'", bld);
    assert_notes_run(src, exe);

    out = ok_in(src, build);
    assert_lacks("second build", out, "generating");
    assert_lacks("second build", out, "Building");
    assert_lacks("second build", out, "Linking");
    free(out);
    if (ninja) {
        out = ok_in(src, dry);
        assert_has("ninja -n", out, "no work to do");
        free(out);
    }

    out = ok_in(src, "touch queries/notes.sql");
    free(out);
    out = ok_in(src, build);
    assert_has("build after touching a query", out, "pgqc: generating db.c and db.h");
    if (ninja)
        assert_lacks("build after touching a query", out, "Building");
    else
        assert_has("build after touching a query", out, "Linking C executable notes");
    free(out);
    out = ok_in(src, build);
    assert_lacks("build after that", out, "generating");
    assert_lacks("build after that", out, "Linking");
    free(out);

    add_count_query(src);
    out = ok_in(src, build);
    assert_has("build after editing a query", out, "pgqc: generating db.c and db.h");
    assert_has("build after editing a query", out, "Building C object");
    assert_has("build after editing a query", out, "Linking C executable notes");
    free(out);
    if (ninja) {
        out = ok_in(src, dry);
        assert_has("ninja -n", out, "no work to do");
        free(out);
    }

    out = ok_in(src, "touch migrations/0001_create_notes.up.sql");
    free(out);
    out = ok_in(src, build);
    assert_has("build after touching a migration", out, "pgqc: generating db.c and db.h");
    free(out);
    out = ok_in(src, build);
    assert_lacks("build after that", out, "generating");
    assert_lacks("build after that", out, "Linking");
    free(out);
    assert_notes_run(src, exe);

    free(exe);
    free(dry);
    free(build);
    tu_rmtree(bld);
    tu_rmtree(src);
    free(bld);
    free(src);
}

static void test_cmake_ninja_recipe_regenerates_and_rebuilds_only_when_needed(void **state)
{
    (void)state;
    check_cmake_recipe("Ninja", true);
}

static void test_cmake_makefiles_recipe_regenerates_and_rebuilds_only_when_needed(void **state)
{
    (void)state;
    check_cmake_recipe("Unix Makefiles", false);
}

/* meson (examples/meson, README's snippet): as for CMake with Ninja. */
static void test_meson_recipe_regenerates_and_rebuilds_only_when_needed(void **state)
{
    (void)state;
    char *src = copy_recipe("meson");
    char *out = ok_in(src, "meson setup b -Dc_args=\"-Werror $PGQC_SAN\" "
                           "-Dc_link_args=\"$PGQC_SAN\"");
    free(out);
    out = ok_in(src, "meson compile -C b");
    assert_has("first build", out, "Generating");
    assert_has("first build", out, "Linking target notes");
    free(out);
    assert_notes_run(src, "b/notes");
    out = ok_in(src, "ninja -C b -n");
    assert_has("ninja -n", out, "no work to do");
    free(out);
    /* Nothing written into the source tree. */
    free(ok_in(src, "test ! -e pgqc.lock && test ! -e migrations/pgqc.lock"));

    free(ok_in(src, "touch queries/notes.sql"));
    out = ok_in(src, "meson compile -C b");
    assert_has("build after touching a query", out, "Generating");
    free(out);
    out = ok_in(src, "ninja -C b -n");
    assert_has("ninja -n", out, "no work to do");
    free(out);

    add_count_query(src);
    out = ok_in(src, "meson compile -C b");
    assert_has("build after editing a query", out, "Generating");
    assert_has("build after editing a query", out, "Linking target notes");
    free(out);
    free(ok_in(src, "grep -c count_notes b/db.h"));
    assert_notes_run(src, "b/notes");
    tu_rmtree(src);
    free(src);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MESON_BUILD_DIR\n", argv[0]);
        return 2;
    }
    build_root = argv[1];
    /* A sanitizer build's libpgqc needs programs built with the same sanitizers. */
    setenv("PGQC_BUILD_ROOT", build_root, 1);
    setenv("PGQC_SAN", tu_sanitize_flags(), 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meson_recipe_regenerates_and_rebuilds_only_when_needed),
        cmocka_unit_test(test_make_recipe_rebuilds_when_a_query_or_migration_changes_and_only_then),
        cmocka_unit_test(test_cmake_ninja_recipe_regenerates_and_rebuilds_only_when_needed),
        cmocka_unit_test(test_cmake_makefiles_recipe_regenerates_and_rebuilds_only_when_needed),
    };
    return cmocka_run_group_tests(tests, install_setup, install_teardown);
}
