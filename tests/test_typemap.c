/*
 * test_typemap.c — unit tests for the type table: every row is complete
 * and consistent, OIDs are unique, and the runtime codecs it names behave
 * (round trip, length checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <pgqc/types.h>

#include "typemap.h"

static void test_rows_are_complete_and_oids_unique(void **state)
{
    (void)state;
    unsigned n;
    const type_info *t = typemap_all(&n);
    assert_true(n >= 16);
    for (unsigned i = 0; i < n; i++) {
        assert_true(t[i].oid > 0);
        assert_non_null(t[i].pg_name);
        assert_non_null(t[i].c_type);
        assert_non_null(t[i].codec);
        if (t[i].repr == REPR_VALUE) {
            assert_non_null(t[i].opt_type);
            assert_true(t[i].wire_size > 0);
        } else {
            assert_null(t[i].opt_type);
        }
        for (unsigned j = i + 1; j < n; j++)
            assert_int_not_equal(t[i].oid, t[j].oid);
        assert_ptr_equal(typemap_lookup(t[i].oid), &t[i]);
    }
}

static void test_bigint_maps_to_int64_and_unknown_oid_has_no_row(void **state)
{
    (void)state;
    const type_info *t = typemap_lookup(20);
    assert_string_equal(t->pg_name, "bigint");
    assert_string_equal(t->c_type, "int64_t");
    assert_string_equal(t->opt_type, "pgqc_opt_int64");
    assert_null(typemap_lookup(600)); /* point: no mapping */
}

static void test_integer_codecs_round_trip_extremes(void **state)
{
    (void)state;
    char buf[8];
    int64_t v64;
    int32_t v32;
    int16_t v16;
    assert_int_equal(pgqc_enc_int64(buf, INT64_MIN), 8);
    assert_true(pgqc_dec_int64(buf, 8, &v64));
    assert_true(v64 == INT64_MIN);
    pgqc_enc_int32(buf, -2);
    assert_true(pgqc_dec_int32(buf, 4, &v32));
    assert_int_equal(v32, -2);
    pgqc_enc_int16(buf, INT16_MAX);
    assert_true(pgqc_dec_int16(buf, 2, &v16));
    assert_int_equal(v16, INT16_MAX);
}

static void test_float_codecs_keep_nan_and_infinity(void **state)
{
    (void)state;
    char buf[8];
    double d;
    float f;
    pgqc_enc_double(buf, -INFINITY);
    assert_true(pgqc_dec_double(buf, 8, &d));
    assert_true(isinf(d) && d < 0);
    pgqc_enc_float(buf, NAN);
    assert_true(pgqc_dec_float(buf, 4, &f));
    assert_true(isnan(f));
}

static void test_decoders_reject_wrong_lengths(void **state)
{
    (void)state;
    char buf[17] = {0};
    int64_t v64;
    int32_t v32;
    bool b;
    pgqc_uuid u;
    const char *s;
    assert_false(pgqc_dec_int64(buf, 4, &v64));
    assert_false(pgqc_dec_int32(buf, 8, &v32));
    assert_false(pgqc_dec_bool(buf, 0, &b));
    assert_false(pgqc_dec_uuid(buf, 15, &u));
    buf[3] = 'x'; /* text must be NUL-terminated at len, as libpq guarantees */
    assert_false(pgqc_dec_text(buf, 3, &s));
    buf[0] = 2; /* unknown jsonb version */
    buf[3] = 0;
    assert_false(pgqc_dec_jsonb(buf, 3, &s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_complete_and_oids_unique),
        cmocka_unit_test(test_bigint_maps_to_int64_and_unknown_oid_has_no_row),
        cmocka_unit_test(test_integer_codecs_round_trip_extremes),
        cmocka_unit_test(test_float_codecs_keep_nan_and_infinity),
        cmocka_unit_test(test_decoders_reject_wrong_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
