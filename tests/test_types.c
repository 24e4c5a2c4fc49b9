/*
 * test_types.c — every type pgqc maps makes a round trip: values go in
 * through generated parameters and come back equal through generated rows,
 * including NULLs, empty values and extremes (INT64_MIN, NaN, ±infinity
 * timestamps, non-ASCII text, a 1 MB bytea, arrays with NULL elements,
 * enums in two schemas, domains). The code under test is generated at build
 * time from tests/types/ (see tests/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgqc/migrate.h>

#include "tmpdb.h"
#include "ty.h"

static tmpdb *server;
static PGconn *pg;
static pgqc_conn *conn;

static int group_setup(void **state)
{
    (void)state;
    char *err = NULL;
    tmpdb_failure why;
    server = tmpdb_start(&err, &why);
    if (!server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err);
        return -1;
    }
    pg = PQconnectdb(tmpdb_conninfo(server));
    /* Shift the OIDs the migrations' types get, so they differ from the ones seen when the
     * code was generated: generated code must not depend on user type OIDs. */
    PQclear(PQexec(pg, "CREATE TYPE oid_shift AS ENUM ('x'); CREATE TABLE oid_shift_t (a int)"));
    const char *root = getenv("PGQC_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/types/migrations", root ? root : ".");
    pgqc_migration_set *set;
    pgqc_migrate_result res;
    if (!pgqc_migration_set_load_dir(dir, &set, &res))
        return -1;
    pgqc_migrate_result_free(&res);
    res = pgqc_migrate_up(pg, set, NULL);
    bool ok = res.success;
    pgqc_migrate_result_free(&res);
    pgqc_migration_set_free(set);
    conn = pgqc_conn_wrap(pg);
    return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    pgqc_conn_free(conn);
    PQfinish(pg);
    tmpdb_stop(server);
    return 0;
}

/* A row with every column NULL (the parameters that allow it are all NULL). */
static void insert_null_row(ty_insert_everything_row *ins)
{
    pgqc_bytes nobytes = {NULL, 0};
    assert_int_equal(ty_insert_everything(conn, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, nobytes, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, NULL, (pgqc_array_int32){NULL, 0},
                                          (pgqc_array_text){NULL, 0}, (ty_mood_array){NULL, 0},
                                          (pgqc_array_timestamptz){NULL, 0}, ins),
                     PGQC_OK);
}

static void test_every_type_round_trips_with_extremes(void **state)
{
    (void)state;
    bool b = true;
    int16_t i2 = INT16_MIN;
    int32_t i4 = INT32_MAX;
    int64_t i8 = INT64_MIN;
    float f4 = -INFINITY;
    double f8 = NAN;
    pgqc_uuid u = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}};
    pgqc_date d = {-36524}; /* 1900-01-01 */
    pgqc_time tm = {INT64_C(86399999999)};
    pgqc_timetz tmtz = {INT64_C(3600000000), -3600};
    pgqc_timestamp ts = {INT64_MAX};     /* infinity */
    pgqc_timestamptz tstz = {INT64_MIN}; /* -infinity */
    pgqc_interval iv = {5000000, -3, 14};
    int64_t money = 12345;
    uint32_t o = 4000000000u;
    ty_mood md = TY_MOOD_VERY_HAPPY;
    ty_other_mood omd = TY_OTHER_MOOD_CALM;
    int32_t pos = 7;
    const pgqc_opt_int32 ints_v[] = {{true, 1}, {false, 0}, {true, -3}};
    const char *const texts_v[] = {"a", NULL, ""};
    const ty_mood_opt moods_v[] = {{true, TY_MOOD_SAD}, {false, TY_MOOD_SAD}};
    const pgqc_opt_timestamptz stamps_v[] = {{true, {0}}};
    static uint8_t blob[3] = {0, 255, 10};
    pgqc_bytes by = {blob, sizeof blob};

    ty_insert_everything_row ins;
    assert_int_equal(ty_insert_everything(
                         conn, &b, &i2, &i4, &i8, &f4, &f8, "-12345678901234567890.000123",
                         "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93", "", "ab", by, &u, &d, &tm, &tmtz,
                         &ts, &tstz, &iv, "{\"a\": [1, 2]}", "{\"k\": 1}", "192.168.0.1",
                         "10.0.0.0/8", "08:00:2b:01:02:03", "10110", &money, &o, &md, &omd, &pos,
                         (pgqc_array_int32){ints_v, 3}, (pgqc_array_text){texts_v, 3},
                         (ty_mood_array){moods_v, 2}, (pgqc_array_timestamptz){stamps_v, 1}, &ins),
                     PGQC_OK);

    ty_get_everything_row r;
    assert_int_equal(ty_get_everything(conn, ins.id, &r), PGQC_OK);
    assert_true(r.b.valid && r.b.value);
    assert_int_equal(r.i2.value, INT16_MIN);
    assert_int_equal(r.i4.value, INT32_MAX);
    assert_true(r.i8.value == INT64_MIN);
    assert_true(isinf(r.f4.value) && r.f4.value < 0);
    assert_true(isnan(r.f8.value));
    assert_string_equal(r.num, "-12345678901234567890.000123");
    assert_string_equal(r.t, "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93");
    assert_string_equal(r.vc, "");
    assert_string_equal(r.ch, "ab "); /* char(3) pads */
    assert_int_equal(r.by.len, 3);
    assert_memory_equal(r.by.data, blob, 3);
    assert_memory_equal(r.u.value.bytes, u.bytes, 16);
    assert_int_equal(r.d.value.days, -36524);
    assert_true(r.tm.value.usec == tm.usec);
    assert_true(r.tmtz.value.usec == tmtz.usec && r.tmtz.value.zone == -3600);
    assert_true(r.ts.value.usec == INT64_MAX);
    assert_true(r.tstz.value.usec == INT64_MIN);
    assert_true(r.iv.value.usec == 5000000 && r.iv.value.days == -3 && r.iv.value.months == 14);
    assert_string_equal(r.js, "{\"a\": [1, 2]}");
    assert_string_equal(r.jsb, "{\"k\": 1}");
    assert_string_equal(r.ip, "192.168.0.1");
    assert_string_equal(r.net, "10.0.0.0/8");
    assert_string_equal(r.mac, "08:00:2b:01:02:03");
    assert_string_equal(r.bits, "10110");
    assert_true(r.m.value == 12345);
    assert_true(r.o.value == 4000000000u);
    assert_int_equal(r.md.value, TY_MOOD_VERY_HAPPY);
    assert_string_equal(ty_mood_to_string(r.md.value), "very happy");
    assert_int_equal(r.omd.value, TY_OTHER_MOOD_CALM);
    assert_int_equal(r.pos.value, 7);
    assert_int_equal(r.ints.count, 3);
    assert_true(r.ints.items[0].valid && r.ints.items[0].value == 1);
    assert_false(r.ints.items[1].valid);
    assert_int_equal(r.ints.items[2].value, -3);
    assert_int_equal(r.texts.count, 3);
    assert_string_equal(r.texts.items[0], "a");
    assert_null(r.texts.items[1]);
    assert_string_equal(r.texts.items[2], "");
    assert_int_equal(r.moods.count, 2);
    assert_int_equal(r.moods.items[0].value, TY_MOOD_SAD);
    assert_false(r.moods.items[1].valid);
    assert_int_equal(r.stamps.count, 1);
    assert_true(r.stamps.items[0].valid && r.stamps.items[0].value.usec == 0);
    assert_null(r.nums.items); /* not set yet: SQL NULL */
    ty_get_everything_row_free(&r);
    ty_insert_everything_row_free(&ins);
}

static void test_all_nulls_come_back_null(void **state)
{
    (void)state;
    ty_insert_everything_row ins;
    insert_null_row(&ins);
    ty_get_everything_row r;
    assert_int_equal(ty_get_everything(conn, ins.id, &r), PGQC_OK);
    assert_false(r.b.valid || r.i2.valid || r.i4.valid || r.i8.valid || r.f4.valid || r.f8.valid ||
                 r.u.valid || r.d.valid || r.tm.valid || r.tmtz.valid || r.ts.valid ||
                 r.tstz.valid || r.iv.valid || r.m.valid || r.o.valid || r.md.valid ||
                 r.omd.valid || r.pos.valid);
    assert_null(r.num);
    assert_null(r.t);
    assert_null(r.by.data);
    assert_null(r.jsb);
    assert_null(r.ip);
    assert_null(r.bits);
    assert_null(r.ints.items);
    assert_null(r.texts.items);
    assert_null(r.moods.items);
    ty_get_everything_row_free(&r);
    ty_insert_everything_row_free(&ins);
}

static void test_numeric_array_and_empty_array(void **state)
{
    (void)state;
    ty_insert_everything_row ins;
    pgqc_bytes nobytes = {NULL, 0};
    assert_int_equal(ty_insert_everything(conn, NULL, NULL, NULL, NULL, NULL, NULL, "0.00", NULL,
                                          NULL, NULL, nobytes, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, NULL, (pgqc_array_int32){NULL, 0},
                                          (pgqc_array_text){NULL, 0}, (ty_mood_array){NULL, 0},
                                          (pgqc_array_timestamptz){NULL, 0}, &ins),
                     PGQC_OK);
    const char *const nums[] = {"1.50", "-2", NULL, "NaN", "100000000.00000001"};
    assert_int_equal(ty_set_numbers(conn, (pgqc_array_text){nums, 5}, ins.id), PGQC_OK);
    ty_get_everything_row r;
    assert_int_equal(ty_get_everything(conn, ins.id, &r), PGQC_OK);
    assert_string_equal(r.num, "0.00");
    assert_int_equal(r.nums.count, 5);
    assert_string_equal(r.nums.items[0], "1.50");
    assert_string_equal(r.nums.items[1], "-2");
    assert_null(r.nums.items[2]);
    assert_string_equal(r.nums.items[3], "NaN");
    assert_string_equal(r.nums.items[4], "100000000.00000001");
    ty_get_everything_row_free(&r);
    /* An empty (not NULL) array stays empty: items non-NULL, count 0. (The parameter is
     * nullable, since it is written to a nullable column: items NULL would be SQL NULL.) */
    assert_int_equal(ty_set_numbers(conn, (pgqc_array_text){nums, 0}, ins.id), PGQC_OK);
    assert_int_equal(ty_get_everything(conn, ins.id, &r), PGQC_OK);
    assert_non_null(r.nums.items);
    assert_int_equal(r.nums.count, 0);
    ty_get_everything_row_free(&r);
    ty_insert_everything_row_free(&ins);
}

static void test_enum_group_by_and_string_conversions(void **state)
{
    (void)state;
    ty_all_moods_rows rows;
    assert_int_equal(ty_all_moods(conn, &rows), PGQC_OK);
    assert_int_equal(rows.count, 1);
    assert_int_equal(rows.rows[0].md, TY_MOOD_VERY_HAPPY);
    assert_int_equal(rows.rows[0].n, 1);
    ty_all_moods_rows_free(&rows);
    ty_mood m;
    assert_true(ty_mood_from_string("ok", &m));
    assert_int_equal(m, TY_MOOD_OK);
    assert_false(ty_mood_from_string("OK", &m));
    assert_null(ty_mood_to_string((ty_mood)42));
}

static void test_one_megabyte_bytea_round_trips(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    uint8_t *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    ty_big_bytea_row r;
    assert_int_equal(ty_big_bytea(conn, (pgqc_bytes){data, n}, &r), PGQC_OK);
    assert_int_equal(r.data.len, n);
    assert_memory_equal(r.data.data, data, n);
    assert_int_equal(r.len, (int32_t)n);
    ty_big_bytea_row_free(&r);
    free(data);
}

static void test_invalid_enum_parameter_is_misuse(void **state)
{
    (void)state;
    ty_mood bad = (ty_mood)99;
    ty_insert_everything_row ins;
    pgqc_bytes nobytes = {NULL, 0};
    assert_int_equal(ty_insert_everything(conn, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, nobytes, NULL, NULL, NULL, NULL, NULL, NULL,
                                          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                          &bad, NULL, NULL, (pgqc_array_int32){NULL, 0},
                                          (pgqc_array_text){NULL, 0}, (ty_mood_array){NULL, 0},
                                          (pgqc_array_timestamptz){NULL, 0}, &ins),
                     PGQC_MISUSE);
    assert_non_null(strstr(pgqc_conn_error(conn)->message, "md"));
}

static void test_citext_is_text_compared_case_insensitively(void **state)
{
    (void)state;
    ty_insert_everything_row ins;
    insert_null_row(&ins);
    ty_set_ci_row set;
    assert_int_equal(ty_set_ci(conn, "Ada@Example.COM", ins.id, &set), PGQC_OK);
    assert_string_equal(set.ci, "Ada@Example.COM");
    ty_set_ci_row_free(&set);
    ty_find_ci_rows found;
    assert_int_equal(ty_find_ci(conn, "ada@example.com", &found), PGQC_OK);
    assert_int_equal(found.count, 1);
    assert_true(found.rows[0].id == ins.id);
    ty_find_ci_rows_free(&found);
    ty_insert_everything_row_free(&ins);
}

static void test_types_without_c_mapping_travel_as_text(void **state)
{
    (void)state;
    ty_insert_everything_row ins;
    insert_null_row(&ins);
    ty_set_range_row set;
    assert_int_equal(ty_set_range(conn, "[1,5)", "(7,\"x y\")", ins.id, &set), PGQC_OK);
    assert_true(set.id == ins.id);
    assert_string_equal(set.rng, "[1,5)");
    /* pair is a composite: a generated struct with nullable attributes. */
    assert_true(set.pr.valid && set.pr.value.a.valid && set.pr.value.a.value == 7);
    assert_string_equal(set.pr.value.b, "x y");
    ty_set_range_row_free(&set);
    ty_get_everything_row r;
    assert_int_equal(ty_get_everything(conn, ins.id, &r), PGQC_OK);
    assert_string_equal(r.rng, "[1,5)");
    assert_null(r.tsv);
    assert_true(r.id == ins.id); /* the other columns are unaffected */
    ty_get_everything_row_free(&r);
    ty_insert_everything_row_free(&ins);
}

static void test_nested_composites_with_arrays_and_enums_read_as_structs(void **state)
{
    (void)state;
    ty_insert_everything_row ins;
    insert_null_row(&ins);
    ty_set_nested_row r;
    assert_int_equal(ty_set_nested(conn,
                                   "(\"(1,\"\"a b\"\")\",\"{x,NULL}\",happy,\"2000-01-01 "
                                   "00:00:01+00\")",
                                   ins.id, &r),
                     PGQC_OK);
    assert_true(r.nst.valid);
    const ty_nested *n = &r.nst.value;
    assert_true(n->p.valid && n->p.value.a.value == 1);
    assert_string_equal(n->p.value.b, "a b");
    assert_int_equal(n->tags.count, 2);
    assert_string_equal(n->tags.items[0], "x");
    assert_null(n->tags.items[1]);
    assert_true(n->m.valid && n->m.value == TY_MOOD_HAPPY);
    assert_true(n->at.valid && n->at.value.usec == 1000000);
    ty_set_nested_row_free(&r);
    /* NULL attributes and a NULL composite. */
    assert_int_equal(ty_set_nested(conn, "(,,,)", ins.id, &r), PGQC_OK);
    assert_true(r.nst.valid && !r.nst.value.p.valid && !r.nst.value.tags.items &&
                !r.nst.value.m.valid);
    ty_set_nested_row_free(&r);
    assert_int_equal(ty_set_nested(conn, NULL, ins.id, &r), PGQC_OK);
    assert_false(r.nst.valid);
    ty_set_nested_row_free(&r);
    ty_insert_everything_row_free(&ins);
}

static void test_jsonb_array_elements_are_json_text(void **state)
{
    (void)state;
    ty_jsonb_array_row r;
    assert_int_equal(ty_jsonb_array(conn, &r), PGQC_OK);
    assert_int_equal(r.docs.count, 3);
    assert_string_equal(r.docs.items[0], "{\"a\": 1}");
    assert_null(r.docs.items[1]);
    assert_string_equal(r.docs.items[2], "[]");
    ty_jsonb_array_row_free(&r);
}

static void test_check_schema_follows_enum_labels(void **state)
{
    (void)state;
    assert_int_equal(ty_check_schema(conn), PGQC_OK);
    PGresult *r = PQexec(pg, "ALTER TYPE other.mood ADD VALUE 'sleepy'");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    assert_int_equal(ty_check_schema(conn), PGQC_SCHEMA_MISMATCH);
    assert_non_null(strstr(pgqc_conn_error(conn)->message, "enum other.mood"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type_round_trips_with_extremes),
        cmocka_unit_test(test_all_nulls_come_back_null),
        cmocka_unit_test(test_numeric_array_and_empty_array),
        cmocka_unit_test(test_enum_group_by_and_string_conversions),
        cmocka_unit_test(test_one_megabyte_bytea_round_trips),
        cmocka_unit_test(test_invalid_enum_parameter_is_misuse),
        cmocka_unit_test(test_citext_is_text_compared_case_insensitively),
        cmocka_unit_test(test_types_without_c_mapping_travel_as_text),
        cmocka_unit_test(test_nested_composites_with_arrays_and_enums_read_as_structs),
        cmocka_unit_test(test_jsonb_array_elements_are_json_text),
        cmocka_unit_test(test_check_schema_follows_enum_labels),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
