/*
 * convert.h — conversions of pgqc's date/time and uuid value types to and
 * from the C library's types (time_t, struct timespec) and text (ISO 8601,
 * canonical uuid form).
 *
 * Every function is exact to the microsecond (PostgreSQL's resolution),
 * works on caller-provided memory only (it never allocates) and reports
 * failure with `false`, never by writing garbage: a value that does not fit
 * the target type, a buffer that is too small (the buffer then holds ""),
 * or text that is not a valid value. The PGQC_*_TEXT_SIZE constants are
 * buffer sizes (terminating NUL included) that always suffice.
 *
 * Text formats (what _format writes; _parse accepts it and more, as noted):
 *
 *   timestamptz  2024-05-01T12:34:56.789012Z   always UTC
 *   timestamp    2024-05-01T12:34:56.789012    no zone
 *   date         2024-05-01
 *   time         12:34:56.789012
 *   timetz       12:34:56.789012+02:00         "Z" for UTC
 *   interval     P1Y2M3DT4H5M6.5S              PostgreSQL's iso_8601 IntervalStyle
 *   uuid         a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
 *
 * Fractional seconds are written like PostgreSQL writes them: trailing
 * zeros dropped, no fraction at all for whole seconds. Years follow ISO
 * 8601's astronomical numbering: 0000 is 1 BC, -0043 is 44 BC, and years
 * past 9999 carry a sign (+10000-01-01). Timestamps and dates equal to
 * PostgreSQL's infinities (INT64_MAX/INT64_MIN, INT32_MAX/INT32_MIN)
 * format as "infinity" and "-infinity".
 *
 * Parsing accepts, besides the format above: ' ' (or 't') instead of 'T';
 * UTC offsets "+02", "+0200", "+02:00", "-05:30:15" or "Z"; PostgreSQL's
 * " BC" suffix (with a positive year); years without the '+'; 1 to 6
 * fraction digits (more would need rounding and is refused); "24:00:00";
 * "infinity", "+infinity", "-infinity" in any case. A timestamptz needs an
 * offset (without one the text would mean "local time", which is
 * ambiguous); a timestamp must not have one. Parsed values must lie in
 * PostgreSQL's range: timestamps from 4714-11-24 BC 00:00 UTC to before
 * 294277-01-01, dates from 4714-11-24 BC to before 5874898-01-01, times
 * from 00:00:00 to 24:00:00, timetz offsets up to ±15:59:59.
 *
 * time_t/timespec conversions read a timestamp (without zone) as UTC, like
 * timegm(3); a time_t always counts from 1970-01-01 UTC.
 */
#ifndef PGQC_CONVERT_H
#define PGQC_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pgqc/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Buffer sizes, NUL included, that any value's text fits in. */
#define PGQC_TIMESTAMPTZ_TEXT_SIZE 40
#define PGQC_TIMESTAMP_TEXT_SIZE   40
#define PGQC_DATE_TEXT_SIZE        24
#define PGQC_TIME_TEXT_SIZE        16
#define PGQC_TIMETZ_TEXT_SIZE      32
#define PGQC_INTERVAL_TEXT_SIZE    64
#define PGQC_UUID_TEXT_SIZE        37

/* PostgreSQL's infinite timestamps and dates. */
#define PGQC_TIMESTAMP_INFINITY     INT64_MAX
#define PGQC_TIMESTAMP_NEG_INFINITY INT64_MIN
#define PGQC_DATE_INFINITY          INT32_MAX
#define PGQC_DATE_NEG_INFINITY      INT32_MIN

/* ---- timestamptz ---------------------------------------------------- */

/*
 * The instant `ts` (seconds since 1970-01-01 UTC and nanoseconds,
 * 0 <= tv_nsec < 1000000000) as a timestamptz. Nanoseconds are truncated
 * to microseconds (tv_nsec is never negative, so this rounds toward the
 * past). False when tv_nsec is out of range or the instant lies outside
 * PostgreSQL's timestamp range.
 */
bool pgqc_timestamptz_from_timespec(const struct timespec *ts, pgqc_timestamptz *out);

/*
 * The instant `t` as a struct timespec (exact: tv_nsec is a multiple of
 * 1000, tv_sec rounds toward the past so tv_nsec is never negative). False
 * for ±infinity and for values a time_t cannot hold.
 */
bool pgqc_timestamptz_to_timespec(pgqc_timestamptz t, struct timespec *out);

/* The instant `t` (seconds since 1970-01-01 UTC) as a timestamptz; false
 * when outside PostgreSQL's timestamp range. */
bool pgqc_timestamptz_from_time_t(time_t t, pgqc_timestamptz *out);

/*
 * The whole second containing `t` as a time_t (fractions are dropped
 * toward the past, so 1999-12-31T23:59:59.5Z gives ...59). False for
 * ±infinity and values a time_t cannot hold.
 */
bool pgqc_timestamptz_to_time_t(pgqc_timestamptz t, time_t *out);

/*
 * Writes `t` as ISO 8601 in UTC ("2024-05-01T12:34:56.789012Z"), or
 * "infinity"/"-infinity", into `buf` of `size` bytes
 * (PGQC_TIMESTAMPTZ_TEXT_SIZE always suffices). False when it does not
 * fit.
 */
bool pgqc_timestamptz_format(pgqc_timestamptz t, char *buf, size_t size);

/*
 * Parses an ISO 8601 timestamp with a UTC offset ("Z", "+02:00", ...; see
 * the top of this header for everything accepted) into `*out`. False, with
 * `*out` untouched, for anything else: garbage, trailing characters,
 * impossible dates (2023-02-29), a missing offset, values outside
 * PostgreSQL's range.
 */
bool pgqc_timestamptz_parse(const char *s, pgqc_timestamptz *out);

/* ---- timestamp (without time zone) ------------------------------------- */

/* As pgqc_timestamptz_from_timespec, the wall-clock time read as UTC. */
bool pgqc_timestamp_from_timespec(const struct timespec *ts, pgqc_timestamp *out);

/* As pgqc_timestamptz_to_timespec, the wall-clock time read as UTC. */
bool pgqc_timestamp_to_timespec(pgqc_timestamp t, struct timespec *out);

/* As pgqc_timestamptz_from_time_t, the wall-clock time read as UTC. */
bool pgqc_timestamp_from_time_t(time_t t, pgqc_timestamp *out);

/* As pgqc_timestamptz_to_time_t, the wall-clock time read as UTC. */
bool pgqc_timestamp_to_time_t(pgqc_timestamp t, time_t *out);

/*
 * Writes `t` as ISO 8601 without a zone ("2024-05-01T12:34:56.789012"), or
 * "infinity"/"-infinity"; false when it does not fit in `size` bytes
 * (PGQC_TIMESTAMP_TEXT_SIZE always suffices).
 */
bool pgqc_timestamp_format(pgqc_timestamp t, char *buf, size_t size);

/*
 * Parses an ISO 8601 date and time without a UTC offset into `*out`; false
 * for garbage, an offset, impossible dates or values outside PostgreSQL's
 * range (`*out` is then untouched).
 */
bool pgqc_timestamp_parse(const char *s, pgqc_timestamp *out);

/* ---- date ------------------------------------------------------------------ */

/*
 * The proleptic Gregorian date `year`-`month`-`day` (astronomical year: 0
 * is 1 BC) as a pgqc_date; false for impossible dates and dates outside
 * PostgreSQL's range.
 */
bool pgqc_date_from_ymd(int32_t year, int month, int day, pgqc_date *out);

/* The year (astronomical), month (1-12) and day (1-31) of `d`; false for
 * ±infinity. Any pointer may be NULL. */
bool pgqc_date_to_ymd(pgqc_date d, int32_t *year, int *month, int *day);

/* The UTC day containing the instant `t` (seconds since 1970-01-01 UTC);
 * false when outside PostgreSQL's date range. */
bool pgqc_date_from_time_t(time_t t, pgqc_date *out);

/* Midnight UTC at the start of `d` as a time_t; false for ±infinity and
 * dates a time_t cannot hold. */
bool pgqc_date_to_time_t(pgqc_date d, time_t *out);

/*
 * Writes `d` as "YYYY-MM-DD" (astronomical years, see the top of this
 * header), or "infinity"/"-infinity"; false when it does not fit in `size`
 * bytes (PGQC_DATE_TEXT_SIZE always suffices).
 */
bool pgqc_date_format(pgqc_date d, char *buf, size_t size);

/* Parses "YYYY-MM-DD" (signed or " BC" years too) or ±infinity into
 * `*out`; false for anything else or a date outside PostgreSQL's range. */
bool pgqc_date_parse(const char *s, pgqc_date *out);

/* ---- time, timetz ---------------------------------------------------------- */

/*
 * Writes `t` as "HH:MM:SS[.ffffff]"; false when it does not fit in `size`
 * bytes (PGQC_TIME_TEXT_SIZE always suffices) or `t` is outside
 * 00:00:00..24:00:00.
 */
bool pgqc_time_format(pgqc_time t, char *buf, size_t size);

/* Parses "HH:MM[:SS[.ffffff]]" (up to 24:00:00) into `*out`; false for
 * anything else, including an offset. */
bool pgqc_time_parse(const char *s, pgqc_time *out);

/*
 * Writes `t` as "HH:MM:SS[.ffffff]" and its offset east of UTC ("+02:00",
 * "-05:30:15", "Z" for 0; remember pgqc_timetz.zone counts seconds WEST).
 * False when it does not fit in `size` bytes (PGQC_TIMETZ_TEXT_SIZE always
 * suffices) or either part is out of range.
 */
bool pgqc_timetz_format(pgqc_timetz t, char *buf, size_t size);

/* Parses a time followed by a UTC offset (required) into `*out`; false for
 * anything else. */
bool pgqc_timetz_parse(const char *s, pgqc_timetz *out);

/* ---- interval -------------------------------------------------------------- */

/*
 * Writes `iv` as an ISO 8601 duration exactly as PostgreSQL does with
 * IntervalStyle iso_8601: "P1Y2M3DT4H5M6.5S", zero fields left out, each
 * field with its own sign ("P-1Y-2M3DT-4H-5M-6.5S"), "PT0S" for zero;
 * PostgreSQL 17's infinite intervals (all fields at their maximum or all
 * at their minimum) as "infinity"/"-infinity". False when it does not fit
 * in `size` bytes (PGQC_INTERVAL_TEXT_SIZE always suffices).
 */
bool pgqc_interval_format(pgqc_interval iv, char *buf, size_t size);

/*
 * Parses an ISO 8601 duration "P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]", each
 * n an optionally signed integer (a fraction of up to 6 digits is allowed
 * on seconds only), fields in that order, at least one present; or
 * ±infinity. Years and months go to .months, weeks and days to .days,
 * the rest to .usec. False for anything else or on overflow.
 */
bool pgqc_interval_parse(const char *s, pgqc_interval *out);

/* ---- uuid ------------------------------------------------------------------ */

/*
 * Writes `u` in canonical form, 36 lower-case characters and a NUL
 * ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"); false when `size` is below
 * PGQC_UUID_TEXT_SIZE.
 */
bool pgqc_uuid_format(pgqc_uuid u, char *buf, size_t size);

/*
 * Parses a uuid as PostgreSQL's uuid_in does: 32 hex digits of either
 * case, an optional '-' after any group of four, optionally enclosed in
 * braces ("{A0EEBC99-9C0B...}", "a0eebc999c0b4ef8bb6d6bb9bd380a11").
 * False for anything else.
 */
bool pgqc_uuid_parse(const char *s, pgqc_uuid *out);

#ifdef __cplusplus
}
#endif

#endif
