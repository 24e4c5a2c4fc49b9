/*
 * fuzz_convert.c — libFuzzer target for the text parsers of
 * include/pgqc/convert.h (timestamps, dates, times, intervals, uuids).
 *
 * Input: one byte choosing the parser, then the text (NUL-terminated by the
 * harness, in a heap block of exactly len + 1 bytes so AddressSanitizer
 * sees any read past it). Whatever a parser accepts must format (into a
 * buffer of the documented size) and parse back to the same value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgqc/convert.h"

#include "fuzz_input.h"
#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = fuzz_field(data + 1, size - 1);
    char buf[PGQC_INTERVAL_TEXT_SIZE];
    switch (data[0] % 7) {
    case 0: {
        pgqc_timestamptz a, b;
        if (pgqc_timestamptz_parse(s, &a)) {
            FUZZ_CHECK(pgqc_timestamptz_format(a, buf, PGQC_TIMESTAMPTZ_TEXT_SIZE));
            FUZZ_CHECK(pgqc_timestamptz_parse(buf, &b) && a.usec == b.usec);
        }
        break;
    }
    case 1: {
        pgqc_timestamp a, b;
        if (pgqc_timestamp_parse(s, &a)) {
            FUZZ_CHECK(pgqc_timestamp_format(a, buf, PGQC_TIMESTAMP_TEXT_SIZE));
            FUZZ_CHECK(pgqc_timestamp_parse(buf, &b) && a.usec == b.usec);
        }
        break;
    }
    case 2: {
        pgqc_date a, b;
        if (pgqc_date_parse(s, &a)) {
            FUZZ_CHECK(pgqc_date_format(a, buf, PGQC_DATE_TEXT_SIZE));
            FUZZ_CHECK(pgqc_date_parse(buf, &b) && a.days == b.days);
        }
        break;
    }
    case 3: {
        pgqc_time a, b;
        if (pgqc_time_parse(s, &a)) {
            FUZZ_CHECK(pgqc_time_format(a, buf, PGQC_TIME_TEXT_SIZE));
            FUZZ_CHECK(pgqc_time_parse(buf, &b) && a.usec == b.usec);
        }
        break;
    }
    case 4: {
        pgqc_timetz a, b;
        if (pgqc_timetz_parse(s, &a)) {
            FUZZ_CHECK(pgqc_timetz_format(a, buf, PGQC_TIMETZ_TEXT_SIZE));
            FUZZ_CHECK(pgqc_timetz_parse(buf, &b) && a.usec == b.usec && a.zone == b.zone);
        }
        break;
    }
    case 5: {
        pgqc_interval a, b;
        if (pgqc_interval_parse(s, &a)) {
            FUZZ_CHECK(pgqc_interval_format(a, buf, PGQC_INTERVAL_TEXT_SIZE));
            FUZZ_CHECK(pgqc_interval_parse(buf, &b));
            FUZZ_CHECK(a.usec == b.usec && a.days == b.days && a.months == b.months);
        }
        break;
    }
    default: {
        pgqc_uuid a, b;
        if (pgqc_uuid_parse(s, &a)) {
            FUZZ_CHECK(pgqc_uuid_format(a, buf, PGQC_UUID_TEXT_SIZE));
            FUZZ_CHECK(pgqc_uuid_parse(buf, &b) && memcmp(a.bytes, b.bytes, 16) == 0);
        }
        break;
    }
    }
    free(s);
    return 0;
}
