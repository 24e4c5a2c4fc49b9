/*
 * test_maptype.c — `--map-type`: a PostgreSQL type read and written as the
 * user's own C type. numeric=double (built in) and a user mapping of the
 * geometric type point (which pgqc has no mapping for) to a struct with
 * the user's binary codec: generated, compiled strictly, and run against a
 * throwaway database; without a mapping the same type travels as text;
 * plus the errors for a bad specification and for a parameter whose mapped
 * type has no encoder; and the mappings recorded in the lock file, which
 * offline generation and check use.
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

static const char schema[] = "CREATE TABLE shapes (id int PRIMARY KEY, price numeric NOT NULL, "
                             "at point, tags numeric[]);\n";

static const char queries[] = "-- name: add_shape :exec\n"
                              "INSERT INTO shapes (id, price, at) VALUES (:id, :price, :at);\n"
                              "-- name: get_shape :one\n"
                              "SELECT price, at, tags FROM shapes WHERE id = :id;\n";

static const char header[] = "#include <stdbool.h>\n#include <pgqc/types.h>\n"
                             "typedef struct my_point { double x, y; } my_point;\n"
                             "bool my_point_dec(const char *v, int len, my_point *out);\n"
                             "const char *my_point_enc(pgqc_arena *a, my_point p, int *len);\n";

static const char codec[] =
    "#include \"mypoint.h\"\n"
    "bool my_point_dec(const char *v, int len, my_point *out)\n"
    "{\n    return pgqc_dec_double(v, 8, &out->x) && len == 16 && pgqc_dec_double(v + 8, 8, "
    "&out->y);\n}\n"
    "const char *my_point_enc(pgqc_arena *a, my_point p, int *len)\n"
    "{\n    char *b = pgqc_arena_alloc(a, 16);\n    if (!b)\n        return NULL;\n"
    "    pgqc_enc_double(b, p.x);\n    pgqc_enc_double(b + 8, p.y);\n    *len = 16;\n"
    "    return b;\n}\n";

static const char driver[] =
    "#include \"gen/db.h\"\n#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
    "int main(void)\n{\n"
    "    PGconn *pg = PQconnectdb(getenv(\"DATABASE_URL\"));\n"
    "    pgqc_conn *c = pgqc_conn_wrap(pg);\n"
    "    my_point p = {1.5, -2.25};\n"
    "    if (db_add_shape(c, 1, 12.125, &p) != PGQC_OK || db_add_shape(c, 2, NAN, NULL) != "
    "PGQC_OK)\n        return 1;\n"
    "    db_get_shape_row r;\n"
    "    if (db_get_shape(c, 1, &r) != PGQC_OK || r.price != 12.125 || !r.at.valid ||\n"
    "        r.at.value.x != 1.5 || r.at.value.y != -2.25 || r.tags.items)\n        return 2;\n"
    "    db_get_shape_row_free(&r);\n"
    "    if (db_get_shape(c, 2, &r) != PGQC_OK || !isnan(r.price) || r.at.valid)\n        return "
    "3;\n"
    "    db_get_shape_row_free(&r);\n"
    "    puts(\"maptype: ok\");\n    pgqc_conn_free(c);\n    PQfinish(pg);\n    return 0;\n}\n";

static char *project(void)
{
    char *dir = tu_mkdtemp();
    tu_write(dir, "migrations/0001_shapes.sql", schema);
    tu_write(dir, "queries/shapes.sql", queries);
    tu_write(dir, "mypoint.h", header);
    tu_write(dir, "mypoint.c", codec);
    tu_write(dir, "main.c", driver);
    return dir;
}

static int pgqc(const char *dir, char **out, const char *args)
{
    return tu_runf(out, "cd '%s' && env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' %s", dir,
                   dir, tu_pgqc(), args);
}

static void test_numeric_as_double_and_a_user_point_type_round_trip(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    int st = pgqc(dir, &out,
                  "generate --out gen --name db --map-type numeric=double "
                  "--map-type point=my_point:my_point_dec:my_point_enc --include ../mypoint.h");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    const char *root = getenv("PGQC_SOURCE_ROOT"), *build = getenv("PGQC_BUILD_ROOT");
    st = tu_runf(&out,
                 "cd '%s' && cc %s -std=c11 -Wall -Wextra -Wpedantic -Werror -I'%s/include' -I. "
                 "$(pkg-config --cflags libpq) gen/db.c mypoint.c main.c '%s/runtime/libpgqc.a' "
                 "$(pkg-config --libs libpq) -lcrypto -lm -o app && "
                 "env -u DATABASE_URL PGQC_CACHE_DIR='%s/cache' '%s' run -- ./app",
                 dir, tu_sanitize_flags(), root ? root : ".", build ? build : "build", dir,
                 tu_pgqc());
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "maptype: ok"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

static void test_without_a_mapping_the_type_travels_as_text(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    assert_int_equal(pgqc(dir, &out, "generate --out gen"), 0);
    free(out);
    assert_int_equal(tu_runf(&out, "cat '%s/gen/db.h'", dir), 0);
    assert_non_null(strstr(out, "const char *at;"));
    assert_non_null(strstr(out, "point as text"));
    assert_non_null(strstr(out, "$3 at: point in its text form"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

static void test_bad_specification_and_missing_encoder_are_reported(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    assert_int_equal(pgqc(dir, &out, "generate --out gen --map-type point"), 2);
    assert_non_null(strstr(out, "expected TYPE=CTYPE:DECODER"));
    free(out);
    /* What the lock would record must read back: no header that breaks out of its quotes,
     * no type mapped twice. */
    assert_int_equal(pgqc(dir, &out, "generate --out gen --include 'x.h\"\n#define free system'"),
                     2);
    assert_non_null(strstr(out, "not a header name"));
    free(out);
    assert_int_equal(pgqc(dir, &out,
                          "generate --out gen --map-type numeric=double --map-type "
                          "numeric=my_num:my_dec"),
                     2);
    assert_non_null(strstr(out, "--map-type: type numeric is mapped twice"));
    free(out);
    assert_int_equal(pgqc(dir, &out, "generate --out gen --map-type point=my_point:my_point_dec"),
                     1);
    assert_non_null(strstr(out, "mapped to my_point without an encoder"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

/*
 * The type mappings and headers of a run are recorded in the lock: offline
 * generation and check reproduce the same code without repeating them (it
 * once crashed on a NULL type), repeating them is fine, contradicting them
 * is a usage error.
 */
static void test_offline_and_check_use_the_mappings_recorded_in_the_lock(void **state)
{
    (void)state;
    char *dir = project(), *out = NULL;
    const char *maps = "--map-type numeric=double "
                       "--map-type point=my_point:my_point_dec:my_point_enc --include ../mypoint.h";
    char *args = NULL;
    assert_true(asprintf(&args, "generate --out gen --name db %s", maps) > 0);
    int st = pgqc(dir, &out, args);
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    free(args);
    assert_int_equal(tu_runf(&out, "cat '%s/pgqc.lock'", dir), 0);
    assert_non_null(strstr(out, "\"point=my_point:my_point_dec:my_point_enc\""));
    assert_non_null(strstr(out, "\"../mypoint.h\""));
    free(out);

    st = pgqc(dir, &out, "generate --offline --out offline --name db");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    assert_int_equal(
        tu_runf(&out, "cd '%s' && cmp gen/db.h offline/db.h && cmp gen/db.c offline/db.c", dir), 0);
    free(out);
    st = pgqc(dir, &out, "check --out gen --name db --reanalyze");
    if (st)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    assert_true(asprintf(&args, "check --out gen --name db %s", maps) > 0);
    assert_int_equal(pgqc(dir, &out, args), 0);
    free(out);
    free(args);

    assert_int_equal(pgqc(dir, &out,
                          "generate --offline --out offline --map-type "
                          "point=other_point:other_dec:other_enc"),
                     2);
    assert_non_null(strstr(out, "pgqc.lock: error: --map-type/--include differ from the ones the "
                                "lock file was generated with"));
    assert_non_null(strstr(out, "--map-type point=my_point:my_point_dec:my_point_enc"));
    free(out);
    assert_int_equal(pgqc(dir, &out, "check --out gen --include other.h"), 2);
    assert_non_null(strstr(out, "differ from the ones the lock file was generated with"));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_as_double_and_a_user_point_type_round_trip),
        cmocka_unit_test(test_without_a_mapping_the_type_travels_as_text),
        cmocka_unit_test(test_bad_specification_and_missing_encoder_are_reported),
        cmocka_unit_test(test_offline_and_check_use_the_mappings_recorded_in_the_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
