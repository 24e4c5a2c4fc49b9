/*
 * test_convert.c — the conversions of include/pgqc/convert.h: date/time
 * values to and from time_t, struct timespec and ISO 8601 text, intervals
 * as ISO 8601 durations, uuids as text.
 *
 * Run without arguments (suite 'unit') it checks known values, round trips
 * of pseudo-random values, leap years, times before 2000, the infinities,
 * buffers that are too small and rejected input. Run with
 * --against-postgres (suite 'integration') it starts a throwaway server
 * and compares the formatting and parsing of a few hundred random values
 * per type with PostgreSQL's own text output (TimeZone UTC, DateStyle ISO,
 * IntervalStyle iso_8601), and has PostgreSQL read back what we write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <pgqc/convert.h>

#include "tmpdb.h"

#define USEC INT64_C(1000000)
#define DAY  (86400 * USEC)

/* PostgreSQL's timestamp range, as convert.h documents it. */
#define MIN_TS INT64_C(-211813488000000000)
#define END_TS INT64_C(9223371331200000000)
#define MIN_DT (-2451545)
#define END_DT 2145031949

/* ---- deterministic pseudo-random values (splitmix64) ---------------------- */

static uint64_t rng_state = 0x5eed;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
    /* Unsigned arithmetic: hi - lo may not fit in int64_t. */
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    return (int64_t)((uint64_t)lo + rnd() % span);
}

/* A timestamp in PostgreSQL's range; every fourth one a whole second, every
 * fourth one within a few years of 2000 (where most data lives). */
static int64_t rnd_timestamp(int i)
{
    int64_t v =
        i % 4 == 1 ? rnd_range(-100 * 365 * DAY, 100 * 365 * DAY) : rnd_range(MIN_TS, END_TS);
    if (i % 4 == 2)
        v -= ((v % USEC) + USEC) % USEC;
    return v;
}

static pgqc_interval rnd_interval(int i)
{
    pgqc_interval iv;
    if (i % 3 == 0) { /* anything */
        iv.usec = (int64_t)rnd();
        iv.days = (int32_t)rnd();
        iv.months = (int32_t)rnd();
    } else { /* everyday sizes, mixed signs */
        iv.usec = rnd_range(-1000 * 3600 * USEC, 1000 * 3600 * USEC);
        iv.days = (int32_t)rnd_range(-400, 400);
        iv.months = (int32_t)rnd_range(-300, 300);
        if (i % 3 == 2)
            iv.usec -= iv.usec % USEC;
    }
    return iv;
}

/* ---- timestamptz ----------------------------------------------------------- */

static void assert_tstz_text(int64_t usec, const char *want)
{
    char buf[PGQC_TIMESTAMPTZ_TEXT_SIZE];
    assert_true(pgqc_timestamptz_format((pgqc_timestamptz){usec}, buf, sizeof buf));
    assert_string_equal(buf, want);
    pgqc_timestamptz back = {0};
    assert_true(pgqc_timestamptz_parse(want, &back));
    assert_true(back.usec == usec);
}

static void test_timestamptz_formats_as_iso8601_utc(void **state)
{
    (void)state;
    assert_tstz_text(0, "2000-01-01T00:00:00Z");
    assert_tstz_text(INT64_C(767882096789012), "2024-05-01T12:34:56.789012Z");
    assert_tstz_text(INT64_C(767882096500000), "2024-05-01T12:34:56.5Z");
    assert_tstz_text(-10957 * DAY, "1970-01-01T00:00:00Z");
}

static void test_timestamptz_before_2000_counts_backwards(void **state)
{
    (void)state;
    assert_tstz_text(-1, "1999-12-31T23:59:59.999999Z");
    assert_tstz_text(-DAY, "1999-12-31T00:00:00Z");
    assert_tstz_text(-730119 * DAY, "0001-01-01T00:00:00Z");
    assert_tstz_text(-730119 * DAY - 1, "0000-12-31T23:59:59.999999Z"); /* 1 BC */
    assert_tstz_text(MIN_TS, "-4713-11-24T00:00:00Z");                  /* 4714 BC */
    assert_tstz_text(END_TS - 1, "+294276-12-31T23:59:59.999999Z");
}

static void test_timestamptz_infinity(void **state)
{
    (void)state;
    assert_tstz_text(INT64_MAX, "infinity");
    assert_tstz_text(INT64_MIN, "-infinity");
    pgqc_timestamptz t;
    assert_true(pgqc_timestamptz_parse("+Infinity", &t) && t.usec == INT64_MAX);
    struct timespec ts;
    time_t tt;
    assert_false(pgqc_timestamptz_to_timespec((pgqc_timestamptz){INT64_MAX}, &ts));
    assert_false(pgqc_timestamptz_to_time_t((pgqc_timestamptz){INT64_MIN}, &tt));
}

static void test_timestamptz_parse_applies_offsets(void **state)
{
    (void)state;
    const int64_t want = INT64_C(767882096789012); /* 2024-05-01T12:34:56.789012Z */
    const char *same[] = {
        "2024-05-01T12:34:56.789012Z",      "2024-05-01 12:34:56.789012+00",
        "2024-05-01t12:34:56.789012z",      "2024-05-01T14:34:56.789012+02:00",
        "2024-05-01T14:34:56.789012+0200",  "2024-05-01T14:34:56.789012+02",
        "2024-05-01T07:04:56.789012-05:30", "2024-05-01T07:04:41.789012-05:30:15",
        "2024-05-01T23:34:56.789012+11",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        pgqc_timestamptz t = {0};
        if (!pgqc_timestamptz_parse(same[i], &t) || t.usec != want)
            fail_msg("%s: got %lld", same[i], (long long)t.usec);
    }
    pgqc_timestamptz t;
    assert_true(pgqc_timestamptz_parse("2024-05-01T12:34Z", &t));
    assert_true(t.usec == want - 56789012);
    assert_true(pgqc_timestamptz_parse("2024-04-30T24:00:00Z", &t));
    assert_true(t.usec == want - (12 * 3600 + 34 * 60) * USEC - 56789012);
    assert_true(pgqc_timestamptz_parse("0044-03-15 00:00:00+00 BC", &t));
    char buf[PGQC_TIMESTAMPTZ_TEXT_SIZE];
    assert_true(pgqc_timestamptz_format(t, buf, sizeof buf));
    assert_string_equal(buf, "-0043-03-15T00:00:00Z");
}

static void test_timestamptz_parse_rejects_garbage(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "garbage",
        "2024-05-01",                      /* no time */
        "2024-05-01T12:34:56",             /* no offset: local time is ambiguous */
        "2024-05-01T12:34:56.789012Zjunk", /* trailing characters */
        "2024-05-01T12:34:56.1234567Z",    /* would need rounding */
        "2024-05-01T12:34:56.Z",
        "2024-13-01T00:00:00Z",
        "2024-00-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-05-01T24:00:01Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:34:61Z",
        "2024-05-01T12:34:56+16:00",
        "2024-05-01T12:34:56+02:",
        "2024-5-01T12:34:56Z",
        "24-05-01T12:34:56Z",
        "2024-05-01X12:34:56Z",
        "-0043-03-15T00:00:00Z BC",   /* signed year and BC */
        "0000-01-01T00:00:00Z BC",    /* there is no year 0 BC */
        "4714-11-23T23:59:59Z BC",    /* before PostgreSQL's range */
        "294277-01-01T00:00:00Z",     /* after it */
        "9999999999-01-01T00:00:00Z", /* far after it */
        "infinityx",
        " 2024-05-01T12:34:56Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pgqc_timestamptz t = {42};
        if (pgqc_timestamptz_parse(bad[i], &t))
            fail_msg("accepted %s as %lld", bad[i], (long long)t.usec);
        assert_true(t.usec == 42);
    }
}

static void test_timestamptz_round_trips_through_text(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        int64_t v = rnd_timestamp(i);
        char buf[PGQC_TIMESTAMPTZ_TEXT_SIZE];
        pgqc_timestamptz back;
        assert_true(pgqc_timestamptz_format((pgqc_timestamptz){v}, buf, sizeof buf));
        if (!pgqc_timestamptz_parse(buf, &back) || back.usec != v)
            fail_msg("%lld -> %s does not parse back", (long long)v, buf);
    }
}

static void test_timestamptz_timespec_and_time_t(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 946684800, .tv_nsec = 999};
    pgqc_timestamptz t;
    assert_true(pgqc_timestamptz_from_timespec(&ts, &t) && t.usec == 0); /* ns truncated */
    ts.tv_sec = 946684799, ts.tv_nsec = 999999999;
    assert_true(pgqc_timestamptz_from_timespec(&ts, &t) && t.usec == -1);
    assert_true(pgqc_timestamptz_to_timespec((pgqc_timestamptz){-1}, &ts));
    assert_true(ts.tv_sec == 946684799 && ts.tv_nsec == 999999000);
    time_t tt;
    assert_true(pgqc_timestamptz_to_time_t((pgqc_timestamptz){-1}, &tt) && tt == 946684799);
    assert_true(pgqc_timestamptz_to_time_t((pgqc_timestamptz){1}, &tt) && tt == 946684800);
    assert_true(pgqc_timestamptz_from_time_t(0, &t) && t.usec == -10957 * DAY);
    assert_true(pgqc_timestamptz_from_time_t(-1, &t) && t.usec == -10957 * DAY - USEC);

    ts.tv_nsec = -1;
    assert_false(pgqc_timestamptz_from_timespec(&ts, &t));
    ts.tv_nsec = 1000000000;
    assert_false(pgqc_timestamptz_from_timespec(&ts, &t));
    if (sizeof(time_t) == 8) {
        assert_false(pgqc_timestamptz_from_time_t((time_t)INT64_MAX, &t));
        assert_false(pgqc_timestamptz_from_time_t((time_t)INT64_MIN, &t));
        /* 294277-01-01T00:00:00Z is the first instant past PostgreSQL's range. */
        assert_false(pgqc_timestamptz_from_time_t((time_t)INT64_C(9224318016000), &t));
        assert_true(pgqc_timestamptz_from_time_t((time_t)INT64_C(9224318015999), &t));
        assert_true(t.usec == END_TS - USEC);
        assert_false(pgqc_timestamptz_from_time_t((time_t)INT64_C(-210866803200) - 1, &t));
        assert_true(pgqc_timestamptz_from_time_t((time_t)INT64_C(-210866803200), &t));
        assert_true(t.usec == MIN_TS);
    }

    for (int i = 0; i < 20000; i++) {
        int64_t v = rnd_timestamp(i);
        pgqc_timestamptz back;
        assert_true(pgqc_timestamptz_to_timespec((pgqc_timestamptz){v}, &ts));
        assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000 && ts.tv_nsec % 1000 == 0);
        assert_true(pgqc_timestamptz_from_timespec(&ts, &back) && back.usec == v);
        assert_true(pgqc_timestamptz_to_time_t((pgqc_timestamptz){v}, &tt) && tt == ts.tv_sec);
    }
}

/* ---- timestamp ------------------------------------------------------------------ */

static void test_timestamp_has_no_zone(void **state)
{
    (void)state;
    char buf[PGQC_TIMESTAMP_TEXT_SIZE];
    pgqc_timestamp t;
    assert_true(pgqc_timestamp_format((pgqc_timestamp){INT64_C(767882096789012)}, buf, sizeof buf));
    assert_string_equal(buf, "2024-05-01T12:34:56.789012");
    assert_true(pgqc_timestamp_parse("2024-05-01 12:34:56.789012", &t));
    assert_true(t.usec == INT64_C(767882096789012));
    assert_false(pgqc_timestamp_parse("2024-05-01T12:34:56.789012Z", &t));
    assert_false(pgqc_timestamp_parse("2024-05-01T12:34:56+02:00", &t));
    assert_true(pgqc_timestamp_parse("-infinity", &t) && t.usec == INT64_MIN);
    assert_true(pgqc_timestamp_format(t, buf, sizeof buf));
    assert_string_equal(buf, "-infinity");

    struct timespec ts;
    time_t tt;
    assert_true(pgqc_timestamp_to_timespec((pgqc_timestamp){USEC + 5}, &ts));
    assert_true(ts.tv_sec == 946684801 && ts.tv_nsec == 5000);
    assert_true(pgqc_timestamp_from_timespec(&ts, &t) && t.usec == USEC + 5);
    assert_true(pgqc_timestamp_to_time_t(t, &tt) && tt == 946684801);
    assert_true(pgqc_timestamp_from_time_t(tt, &t) && t.usec == USEC);

    for (int i = 0; i < 5000; i++) {
        int64_t v = rnd_timestamp(i);
        assert_true(pgqc_timestamp_format((pgqc_timestamp){v}, buf, sizeof buf));
        if (!pgqc_timestamp_parse(buf, &t) || t.usec != v)
            fail_msg("%lld -> %s does not parse back", (long long)v, buf);
    }
}

/* ---- date ------------------------------------------------------------------------- */

static void assert_date_text(int32_t days, const char *want)
{
    char buf[PGQC_DATE_TEXT_SIZE];
    assert_true(pgqc_date_format((pgqc_date){days}, buf, sizeof buf));
    assert_string_equal(buf, want);
    pgqc_date back = {0};
    assert_true(pgqc_date_parse(want, &back));
    assert_int_equal(back.days, days);
}

static void test_date_formats_and_parses(void **state)
{
    (void)state;
    assert_date_text(0, "2000-01-01");
    assert_date_text(-1, "1999-12-31");
    assert_date_text(-10957, "1970-01-01");
    assert_date_text(-730119, "0001-01-01");
    assert_date_text(-730120, "0000-12-31");
    assert_date_text(MIN_DT, "-4713-11-24");
    assert_date_text(END_DT - 1, "+5874897-12-31");
    assert_date_text(2921939, "9999-12-31");
    assert_date_text(2921940, "+10000-01-01");
    assert_date_text(INT32_MAX, "infinity");
    assert_date_text(INT32_MIN, "-infinity");
    pgqc_date d;
    assert_true(pgqc_date_parse("0001-12-31 BC", &d) && d.days == -730120);
    assert_true(pgqc_date_parse("10000-01-01", &d) && d.days == 2921940);
}

static void test_date_leap_years(void **state)
{
    (void)state;
    pgqc_date d, next;
    assert_true(pgqc_date_parse("2000-02-29", &d));  /* divisible by 400 */
    assert_true(pgqc_date_parse("2024-02-29", &d));  /* by 4 */
    assert_false(pgqc_date_parse("1900-02-29", &d)); /* by 100, not 400 */
    assert_false(pgqc_date_parse("2100-02-29", &d));
    assert_false(pgqc_date_parse("2023-02-29", &d));
    assert_true(pgqc_date_parse("0000-02-29", &d)); /* 1 BC was a leap year */
    assert_true(pgqc_date_parse("-0004-02-29", &d));
    assert_true(pgqc_date_parse("2024-02-28", &d) && pgqc_date_parse("2024-03-01", &next));
    assert_int_equal(next.days - d.days, 2);
    assert_true(pgqc_date_parse("2023-02-28", &d) && pgqc_date_parse("2023-03-01", &next));
    assert_int_equal(next.days - d.days, 1);
    /* 400 years are always 146097 days. */
    assert_true(pgqc_date_parse("1600-03-01", &d) && pgqc_date_parse("2000-03-01", &next));
    assert_int_equal(next.days - d.days, 146097);
}

static void test_date_ymd_and_time_t(void **state)
{
    (void)state;
    pgqc_date d;
    int32_t y;
    int m, day;
    assert_true(pgqc_date_from_ymd(2024, 2, 29, &d));
    assert_true(pgqc_date_to_ymd(d, &y, &m, &day));
    assert_true(y == 2024 && m == 2 && day == 29);
    assert_false(pgqc_date_from_ymd(2023, 2, 29, &d));
    assert_false(pgqc_date_from_ymd(2023, 13, 1, &d));
    assert_false(pgqc_date_from_ymd(2023, 1, 0, &d));
    assert_false(pgqc_date_from_ymd(-4713, 11, 23, &d));
    assert_false(pgqc_date_to_ymd((pgqc_date){INT32_MAX}, &y, &m, &day));

    time_t t;
    assert_true(pgqc_date_to_time_t((pgqc_date){0}, &t) && t == 946684800);
    assert_true(pgqc_date_from_time_t(946684799, &d) && d.days == -1);
    assert_true(pgqc_date_from_time_t(-1, &d) && d.days == -10958);
    assert_false(pgqc_date_to_time_t((pgqc_date){INT32_MIN}, &t));

    for (int i = 0; i < 20000; i++) {
        int32_t v = (int32_t)rnd_range(MIN_DT, END_DT);
        char buf[PGQC_DATE_TEXT_SIZE];
        assert_true(pgqc_date_format((pgqc_date){v}, buf, sizeof buf));
        assert_true(pgqc_date_parse(buf, &d) && d.days == v);
        assert_true(pgqc_date_to_ymd(d, &y, &m, &day));
        assert_true(pgqc_date_from_ymd(y, m, day, &d) && d.days == v);
    }
}

static void test_date_parse_rejects_garbage(void **state)
{
    (void)state;
    const char *bad[] = {
        "",           "2024-05",     "2024-05-01T00:00:00", "2024/05/01",    "2024-05-32",
        "2024-04-31", "-4713-11-23", "+5874898-01-01",      "0000-01-01 BC", "2024-05-01 AD",
        "2024-05-01 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pgqc_date d = {42};
        if (pgqc_date_parse(bad[i], &d))
            fail_msg("accepted %s as %d", bad[i], d.days);
        assert_int_equal(d.days, 42);
    }
}

/* ---- time, timetz ------------------------------------------------------------------ */

static void test_time_formats_and_parses(void **state)
{
    (void)state;
    char buf[PGQC_TIME_TEXT_SIZE];
    pgqc_time t;
    assert_true(pgqc_time_format((pgqc_time){0}, buf, sizeof buf));
    assert_string_equal(buf, "00:00:00");
    assert_true(pgqc_time_format((pgqc_time){86400 * USEC - 1}, buf, sizeof buf));
    assert_string_equal(buf, "23:59:59.999999");
    assert_true(pgqc_time_format((pgqc_time){86400 * USEC}, buf, sizeof buf));
    assert_string_equal(buf, "24:00:00");
    assert_false(pgqc_time_format((pgqc_time){86400 * USEC + 1}, buf, sizeof buf));
    assert_false(pgqc_time_format((pgqc_time){-1}, buf, sizeof buf));
    assert_true(pgqc_time_parse("12:34", &t) && t.usec == (12 * 3600 + 34 * 60) * USEC);
    assert_true(pgqc_time_parse("12:34:56.5", &t));
    assert_true(t.usec == (12 * 3600 + 34 * 60 + 56) * USEC + 500000);
    const char *bad[] = {"",      "12",      "12:34:56Z",       "24:00:00.000001",
                         "25:00", "1:02:03", "12:34:56.1234567"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (pgqc_time_parse(bad[i], &t))
            fail_msg("accepted %s", bad[i]);
    for (int i = 0; i < 10000; i++) {
        int64_t v = rnd_range(0, 86400 * USEC + 1);
        assert_true(pgqc_time_format((pgqc_time){v}, buf, sizeof buf));
        assert_true(pgqc_time_parse(buf, &t) && t.usec == v);
    }
}

static void test_timetz_offset_is_east_in_text_west_in_value(void **state)
{
    (void)state;
    char buf[PGQC_TIMETZ_TEXT_SIZE];
    pgqc_timetz t;
    assert_true(pgqc_timetz_format((pgqc_timetz){USEC, -7200}, buf, sizeof buf));
    assert_string_equal(buf, "00:00:01+02:00");
    assert_true(pgqc_timetz_format((pgqc_timetz){USEC, 5 * 3600 + 30 * 60 + 15}, buf, sizeof buf));
    assert_string_equal(buf, "00:00:01-05:30:15");
    assert_true(pgqc_timetz_format((pgqc_timetz){USEC, 0}, buf, sizeof buf));
    assert_string_equal(buf, "00:00:01Z");
    assert_true(pgqc_timetz_parse("12:00:00+02", &t) && t.zone == -7200);
    assert_true(t.usec == 12 * 3600 * USEC);
    assert_false(pgqc_timetz_parse("12:00:00", &t));
    assert_false(pgqc_timetz_format((pgqc_timetz){0, 16 * 3600 + 1}, buf, sizeof buf));
    for (int i = 0; i < 10000; i++) {
        pgqc_timetz v = {rnd_range(0, 86400 * USEC + 1), (int32_t)rnd_range(-57599, 57600)};
        assert_true(pgqc_timetz_format(v, buf, sizeof buf));
        assert_true(pgqc_timetz_parse(buf, &t) && t.usec == v.usec && t.zone == v.zone);
    }
}

/* ---- interval ------------------------------------------------------------------------ */

static void assert_interval_text(pgqc_interval iv, const char *want)
{
    char buf[PGQC_INTERVAL_TEXT_SIZE];
    assert_true(pgqc_interval_format(iv, buf, sizeof buf));
    assert_string_equal(buf, want);
    pgqc_interval back = {0, 0, 0};
    assert_true(pgqc_interval_parse(want, &back));
    assert_true(back.usec == iv.usec && back.days == iv.days && back.months == iv.months);
}

static void test_interval_formats_like_iso_8601_intervalstyle(void **state)
{
    (void)state;
    assert_interval_text((pgqc_interval){0, 0, 0}, "PT0S");
    assert_interval_text((pgqc_interval){(4 * 3600 + 5 * 60 + 6) * USEC + 500000, 3, 14},
                         "P1Y2M3DT4H5M6.5S");
    assert_interval_text((pgqc_interval){-(4 * 3600 + 5 * 60 + 6) * USEC - 500000, 3, -14},
                         "P-1Y-2M3DT-4H-5M-6.5S");
    assert_interval_text((pgqc_interval){-500000, 0, 0}, "PT-0.5S");
    assert_interval_text((pgqc_interval){0, 0, 12}, "P1Y");
    assert_interval_text((pgqc_interval){60 * USEC, 0, 0}, "PT1M");
    assert_interval_text((pgqc_interval){0, -1, 1}, "P1M-1D");
    assert_interval_text((pgqc_interval){INT64_MAX, INT32_MAX, INT32_MAX}, "infinity");
    assert_interval_text((pgqc_interval){INT64_MIN, INT32_MIN, INT32_MIN}, "-infinity");
    assert_interval_text((pgqc_interval){INT64_MIN, INT32_MIN, INT32_MAX},
                         "P178956970Y7M-2147483648DT-2562047788H-54.775808S");
    pgqc_interval iv;
    assert_true(pgqc_interval_parse("P2W", &iv) && iv.days == 14);
    assert_true(pgqc_interval_parse("PT1H-60M", &iv) && iv.usec == 0);
    assert_true(pgqc_interval_parse("P+1Y", &iv) && iv.months == 12);
}

static void test_interval_parse_rejects_garbage(void **state)
{
    (void)state;
    const char *bad[] = {"",      "P",           "PT",    "P1DT",          "1D",
                         "P1.5Y", "P1D2Y",       "P1Y1Y", "PT1S2M",        "P1H",
                         "PT1D",  "P1",          "P1YT",  "PT1.1234567S",  "P 1D",
                         "P1D ",  "P-D",         "PT.5S", "P99999999999Y", "PT9999999999999999H",
                         "p1d",   "P2147483648D"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pgqc_interval iv = {1, 2, 3};
        if (pgqc_interval_parse(bad[i], &iv))
            fail_msg("accepted %s", bad[i]);
        assert_true(iv.usec == 1 && iv.days == 2 && iv.months == 3);
    }
}

static void test_interval_round_trips_through_text(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        pgqc_interval v = rnd_interval(i), back;
        char buf[PGQC_INTERVAL_TEXT_SIZE];
        assert_true(pgqc_interval_format(v, buf, sizeof buf));
        if (!pgqc_interval_parse(buf, &back) || back.usec != v.usec || back.days != v.days ||
            back.months != v.months)
            fail_msg("%s does not parse back", buf);
    }
}

/* ---- uuid --------------------------------------------------------------------------- */

static void test_uuid_formats_and_parses(void **state)
{
    (void)state;
    const pgqc_uuid want = {{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9,
                             0xbd, 0x38, 0x0a, 0x11}};
    char buf[PGQC_UUID_TEXT_SIZE];
    assert_true(pgqc_uuid_format(want, buf, sizeof buf));
    assert_string_equal(buf, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    const char *good[] = {
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",   "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
        "{A0eebc999c0b4ef8bb6d6bb9bd380a11}",     "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        pgqc_uuid u;
        if (!pgqc_uuid_parse(good[i], &u) || memcmp(u.bytes, want.bytes, 16) != 0)
            fail_msg("%s", good[i]);
    }
    const char *bad[] = {
        "",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",   /* short */
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", /* long */
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-", /* trailing hyphen */
        "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11",  /* hyphen inside a group */
        "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", /* two hyphens */
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", /* unclosed brace */
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", /* closing brace only */
        "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  /* not hex */
        " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", /* space */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pgqc_uuid u = want;
        u.bytes[0] = 7;
        if (pgqc_uuid_parse(bad[i], &u))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(u.bytes[0], 7);
    }
    for (int i = 0; i < 1000; i++) {
        pgqc_uuid u, back;
        uint64_t a = rnd(), b = rnd();
        memcpy(u.bytes, &a, 8);
        memcpy(u.bytes + 8, &b, 8);
        assert_true(pgqc_uuid_format(u, buf, sizeof buf));
        assert_int_equal(strlen(buf), 36);
        assert_true(pgqc_uuid_parse(buf, &back) && memcmp(u.bytes, back.bytes, 16) == 0);
    }
}

/* ---- buffers --------------------------------------------------------------------------- */

static void test_small_buffers_are_refused_not_overrun(void **state)
{
    (void)state;
    char buf[64];
    const char *full = "2024-05-01T12:34:56.789012Z";
    size_t n = strlen(full);
    for (size_t size = 0; size <= n + 1; size++) {
        memset(buf, 'x', sizeof buf);
        bool ok = pgqc_timestamptz_format((pgqc_timestamptz){INT64_C(767882096789012)}, buf, size);
        assert_true(ok == (size == n + 1));
        if (size)
            assert_string_equal(buf, ok ? full : "");
        assert_int_equal(buf[size], 'x'); /* nothing written past `size` */
    }
    memset(buf, 'x', sizeof buf);
    assert_false(pgqc_uuid_format((pgqc_uuid){{0}}, buf, 36));
    assert_string_equal(buf, "");
    assert_false(pgqc_date_format((pgqc_date){0}, buf, 10));
    assert_false(pgqc_time_format((pgqc_time){0}, buf, 8));
    assert_false(pgqc_interval_format((pgqc_interval){0, 0, 0}, buf, 4));
    assert_true(pgqc_interval_format((pgqc_interval){0, 0, 0}, buf, 5));
    assert_false(pgqc_timetz_format((pgqc_timetz){0, 0}, buf, 9));
    assert_false(pgqc_timestamp_format((pgqc_timestamp){INT64_MAX}, buf, 8));
}

/* The longest texts fit the documented sizes. */
static void test_text_size_constants_suffice(void **state)
{
    (void)state;
    char buf[128];
    const int64_t ts[] = {INT64_MIN + 1, INT64_MAX - 1, -INT64_C(9223372036854775) * 1000 - 1};
    for (size_t i = 0; i < 3; i++) {
        assert_true(pgqc_timestamptz_format((pgqc_timestamptz){ts[i]}, buf, sizeof buf));
        assert_true(strlen(buf) < PGQC_TIMESTAMPTZ_TEXT_SIZE);
        assert_true(pgqc_timestamp_format((pgqc_timestamp){ts[i]}, buf, sizeof buf));
        assert_true(strlen(buf) < PGQC_TIMESTAMP_TEXT_SIZE);
    }
    const int32_t ds[] = {INT32_MIN + 1, INT32_MAX - 1};
    for (size_t i = 0; i < 2; i++) {
        assert_true(pgqc_date_format((pgqc_date){ds[i]}, buf, sizeof buf));
        assert_true(strlen(buf) < PGQC_DATE_TEXT_SIZE);
    }
    assert_true(pgqc_timetz_format((pgqc_timetz){86400 * USEC - 1, 57599}, buf, sizeof buf));
    assert_true(strlen(buf) < PGQC_TIMETZ_TEXT_SIZE);
    assert_true(pgqc_interval_format((pgqc_interval){INT64_MIN + 1, INT32_MIN, INT32_MIN}, buf,
                                     sizeof buf));
    assert_true(strlen(buf) < PGQC_INTERVAL_TEXT_SIZE);
}

/* ---- against PostgreSQL ---------------------------------------------------------------- */

static tmpdb *server;
static PGconn *pg;

/* PostgreSQL's text of a binary value of type `oid` (SELECT $1::text). */
static void pg_text(uint32_t oid, const char *bytes, int len, char *out, size_t size)
{
    Oid types[1] = {oid};
    const char *values[1] = {bytes};
    int lengths[1] = {len}, formats[1] = {1};
    PGresult *r = PQexecParams(pg, "SELECT $1::text", 1, types, values, lengths, formats, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s", PQresultErrorMessage(r));
    snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

/* PostgreSQL reading our text as type `type` and returning its binary value. */
static void pg_read(const char *text, const char *cast, char *out, int len)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT $1::%s", cast);
    const char *values[1] = {text};
    PGresult *r = PQexecParams(pg, sql, 1, NULL, values, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", text, PQresultErrorMessage(r));
    assert_int_equal(PQgetlength(r, 0, 0), len);
    memcpy(out, PQgetvalue(r, 0, 0), (size_t)len);
    PQclear(r);
}

/*
 * PostgreSQL's ISO output as our ISO 8601: 'T' for ' ', "Z" for "+00",
 * astronomical years for " BC" ones, '+' before years past 9999.
 */
static void pg_to_iso(const char *pg_out, char *out, size_t size)
{
    char s[64];
    snprintf(s, sizeof s, "%s", pg_out);
    if (s[0] < '0' || s[0] > '9') { /* infinity, -infinity */
        snprintf(out, size, "%s", s);
        return;
    }
    size_t n = strlen(s);
    bool bc = n > 3 && strcmp(s + n - 3, " BC") == 0;
    if (bc)
        s[n -= 3] = '\0';
    if (n > 3 && strcmp(s + n - 3, "+00") == 0)
        strcpy(s + n - 3, "Z");
    char *sp = strchr(s, ' ');
    if (sp)
        *sp = 'T';
    long long year = strtoll(s, NULL, 10);
    const char *rest = strchr(s, '-');
    if (bc)
        year = 1 - year;
    snprintf(out, size, "%s%04lld%s",
             year < 0      ? "-"
             : year > 9999 ? "+"
                           : "",
             year < 0 ? -year : year, rest);
}

static int pg_setup(void **state)
{
    (void)state;
    char *err = NULL;
    tmpdb_failure why;
    server = tmpdb_start(&err, &why);
    if (!server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err);
        free(err);
        return -1;
    }
    pg = PQconnectdb(tmpdb_conninfo(server));
    if (PQstatus(pg) != CONNECTION_OK)
        return -1;
    PQclear(PQexec(pg, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; "
                       "SET IntervalStyle = 'iso_8601'"));
    return 0;
}

static int pg_teardown(void **state)
{
    (void)state;
    PQfinish(pg);
    tmpdb_stop(server);
    return 0;
}

enum { PG_VALUES = 300 };

static void test_timestamps_match_postgres(void **state)
{
    (void)state;
    for (int i = 0; i < PG_VALUES; i++) {
        const int64_t fixed[] = {INT64_MAX, INT64_MIN, MIN_TS, END_TS - 1, -730119 * DAY - 1};
        int64_t v = i < 5 ? fixed[i] : rnd_timestamp(i);
        char bin[8], pgs[64], want[64], ours[64];
        pgqc_enc_int64(bin, v);
        for (int zoned = 0; zoned <= 1; zoned++) {
            pg_text(zoned ? 1184 : 1114, bin, 8, pgs, sizeof pgs);
            pg_to_iso(pgs, want, sizeof want);
            int64_t back;
            if (zoned) {
                pgqc_timestamptz t;
                assert_true(pgqc_timestamptz_format((pgqc_timestamptz){v}, ours, sizeof ours));
                assert_true(pgqc_timestamptz_parse(pgs, &t));
                back = t.usec;
            } else {
                pgqc_timestamp t;
                assert_true(pgqc_timestamp_format((pgqc_timestamp){v}, ours, sizeof ours));
                assert_true(pgqc_timestamp_parse(pgs, &t));
                back = t.usec;
            }
            if (strcmp(ours, want) != 0 || back != v)
                fail_msg("%lld: postgres %s, we %s / %lld", (long long)v, pgs, ours,
                         (long long)back);
            /* PostgreSQL reads our text back (it has no astronomical years). */
            if (ours[0] >= '0' && ours[0] <= '9' && strncmp(ours, "0000", 4) != 0) {
                char got[8];
                pg_read(ours, zoned ? "timestamptz" : "timestamp", got, 8);
                assert_true((int64_t)pgqc_be64(got) == v);
            }
        }
    }
}

static void test_dates_match_postgres(void **state)
{
    (void)state;
    for (int i = 0; i < PG_VALUES; i++) {
        const int32_t fixed[] = {INT32_MAX, INT32_MIN, MIN_DT, END_DT - 1, -730120, 2921940};
        int32_t v = i < 6   ? fixed[i]
                    : i % 2 ? (int32_t)rnd_range(MIN_DT, END_DT)
                            : (int32_t)rnd_range(-800000, 800000);
        char bin[4], pgs[64], want[64], ours[64];
        pgqc_enc_int32(bin, v);
        pg_text(1082, bin, 4, pgs, sizeof pgs);
        pg_to_iso(pgs, want, sizeof want);
        pgqc_date d;
        assert_true(pgqc_date_format((pgqc_date){v}, ours, sizeof ours));
        assert_true(pgqc_date_parse(pgs, &d));
        if (strcmp(ours, want) != 0 || d.days != v)
            fail_msg("%d: postgres %s, we %s / %d", v, pgs, ours, d.days);
    }
}

static void test_times_match_postgres(void **state)
{
    (void)state;
    for (int i = 0; i < PG_VALUES; i++) {
        int64_t v = i == 0 ? 86400 * USEC : rnd_range(0, 86400 * USEC);
        if (i % 3 == 1)
            v -= v % USEC;
        int32_t zone = (int32_t)rnd_range(-57599, 57600);
        if (i % 3 == 2)
            zone -= zone % 900;
        char bin[12], pgs[64], ours[64];
        pgqc_enc_int64(bin, v);
        pg_text(1083, bin, 8, pgs, sizeof pgs);
        pgqc_time t;
        assert_true(pgqc_time_format((pgqc_time){v}, ours, sizeof ours));
        assert_string_equal(ours, pgs);
        assert_true(pgqc_time_parse(pgs, &t) && t.usec == v);

        pgqc_timetz tz;
        pgqc_enc_timetz(bin, (pgqc_timetz){v, zone});
        pg_text(1266, bin, 12, pgs, sizeof pgs);
        if (!pgqc_timetz_parse(pgs, &tz) || tz.usec != v || tz.zone != zone)
            fail_msg("%s", pgs);
        assert_true(pgqc_timetz_format((pgqc_timetz){v, zone}, ours, sizeof ours));
        pg_read(ours, "timetz", bin, 12);
        assert_true((int64_t)pgqc_be64(bin) == v && (int32_t)pgqc_be32(bin + 8) == zone);
    }
}

static void test_intervals_match_postgres(void **state)
{
    (void)state;
    for (int i = 0; i < PG_VALUES; i++) {
        pgqc_interval v = rnd_interval(i), back;
        char bin[16], pgs[96], ours[96];
        pgqc_enc_interval(bin, v);
        pg_text(1186, bin, 16, pgs, sizeof pgs);
        assert_true(pgqc_interval_format(v, ours, sizeof ours));
        if (strcmp(ours, pgs) != 0)
            fail_msg("postgres %s, we %s", pgs, ours);
        assert_true(pgqc_interval_parse(pgs, &back));
        assert_true(back.usec == v.usec && back.days == v.days && back.months == v.months);
        if (i % 3) { /* PostgreSQL's interval_in overflows on extreme hour counts */
            pg_read(ours, "interval", bin, 16);
            pgqc_interval got;
            assert_true(pgqc_dec_interval(bin, 16, &got));
            assert_true(got.usec == v.usec && got.days == v.days && got.months == v.months);
        }
    }
}

static void test_uuids_match_postgres(void **state)
{
    (void)state;
    for (int i = 0; i < PG_VALUES; i++) {
        pgqc_uuid u, back;
        uint64_t a = rnd(), b = rnd();
        memcpy(u.bytes, &a, 8);
        memcpy(u.bytes + 8, &b, 8);
        char pgs[64], ours[PGQC_UUID_TEXT_SIZE];
        pg_text(2950, (const char *)u.bytes, 16, pgs, sizeof pgs);
        assert_true(pgqc_uuid_format(u, ours, sizeof ours));
        assert_string_equal(ours, pgs);
        assert_true(pgqc_uuid_parse(pgs, &back) && memcmp(u.bytes, back.bytes, 16) == 0);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--against-postgres") == 0) {
        const struct CMUnitTest pg_tests[] = {
            cmocka_unit_test(test_timestamps_match_postgres),
            cmocka_unit_test(test_dates_match_postgres),
            cmocka_unit_test(test_times_match_postgres),
            cmocka_unit_test(test_intervals_match_postgres),
            cmocka_unit_test(test_uuids_match_postgres),
        };
        return cmocka_run_group_tests(pg_tests, pg_setup, pg_teardown);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamptz_formats_as_iso8601_utc),
        cmocka_unit_test(test_timestamptz_before_2000_counts_backwards),
        cmocka_unit_test(test_timestamptz_infinity),
        cmocka_unit_test(test_timestamptz_parse_applies_offsets),
        cmocka_unit_test(test_timestamptz_parse_rejects_garbage),
        cmocka_unit_test(test_timestamptz_round_trips_through_text),
        cmocka_unit_test(test_timestamptz_timespec_and_time_t),
        cmocka_unit_test(test_timestamp_has_no_zone),
        cmocka_unit_test(test_date_formats_and_parses),
        cmocka_unit_test(test_date_leap_years),
        cmocka_unit_test(test_date_ymd_and_time_t),
        cmocka_unit_test(test_date_parse_rejects_garbage),
        cmocka_unit_test(test_time_formats_and_parses),
        cmocka_unit_test(test_timetz_offset_is_east_in_text_west_in_value),
        cmocka_unit_test(test_interval_formats_like_iso_8601_intervalstyle),
        cmocka_unit_test(test_interval_parse_rejects_garbage),
        cmocka_unit_test(test_interval_round_trips_through_text),
        cmocka_unit_test(test_uuid_formats_and_parses),
        cmocka_unit_test(test_small_buffers_are_refused_not_overrun),
        cmocka_unit_test(test_text_size_constants_suffice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
