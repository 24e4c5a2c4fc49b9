/*
 * convert.c — the conversions declared in include/pgqc/convert.h: date/time
 * values to and from time_t, struct timespec and ISO 8601 text, and uuids
 * to and from their text form.
 *
 * All calendar arithmetic is on 64-bit day numbers in the proleptic
 * Gregorian calendar (as PostgreSQL's date2j/j2date), so every int64
 * timestamp and int32 date has a text form; the parsers check their
 * results against PostgreSQL's ranges. Nothing here allocates: formatting
 * goes through a local buffer that is copied out only when it fits.
 */
#include "pgqc/convert.h"

#include <stdio.h>
#include <string.h>

#define USECS_PER_SEC  INT64_C(1000000)
#define USECS_PER_MIN  (60 * USECS_PER_SEC)
#define USECS_PER_HOUR (60 * USECS_PER_MIN)
#define USECS_PER_DAY  (24 * USECS_PER_HOUR)

/* PostgreSQL's ranges (datatype/timestamp.h): 4714-11-24 BC up to, not
 * including, 294277-01-01 (timestamps) and 5874898-01-01 (dates). */
#define MIN_TIMESTAMP INT64_C(-211813488000000000)
#define END_TIMESTAMP INT64_C(9223371331200000000)
#define MIN_DATE      (-2451545)
#define END_DATE      2145031949

/* Days from 1970-01-01 to 2000-01-01. */
#define EPOCH_DAYS 10957

/* Largest UTC offset of a timetz, in seconds (PostgreSQL's TZDISP_LIMIT). */
#define MAX_ZONE_SECS (16 * 3600)

/* ---- calendar ------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    /* Not a - floor_div(a, b) * b: that product overflows near INT64_MIN. */
    int64_t r = a % b;
    return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days since 2000-01-01 of y-m-d (H. Hinnant's days_from_civil); |y| < 2^40. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - EPOCH_DAYS;
}

/* The date of day `z` since 2000-01-01 (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468 + EPOCH_DAYS;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ---- formatting ------------------------------------------------------------ */

/* Copy `len` bytes of `s` and a NUL into buf when they fit; "" otherwise. */
static bool emit(const char *s, int len, char *buf, size_t size)
{
    if (len < 0 || (size_t)len >= size) {
        if (size)
            buf[0] = '\0';
        return false;
    }
    memcpy(buf, s, (size_t)len + 1);
    return true;
}

/* Appends ".ffffff" without trailing zeros (nothing for 0); 0 <= usec < 1e6. */
static int put_fraction(char *p, int64_t usec)
{
    if (usec == 0)
        return 0;
    int digits = 6;
    while (usec % 10 == 0)
        usec /= 10, digits--;
    return sprintf(p, ".%0*lld", digits, (long long)usec);
}

/* "YYYY-MM-DD" with ISO 8601 astronomical years (sign for < 0 and > 9999). */
static int put_date(char *p, int64_t days)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    const char *sign = y < 0 ? "-" : y > 9999 ? "+" : "";
    return sprintf(p, "%s%04lld-%02d-%02d", sign, (long long)(y < 0 ? -y : y), m, d);
}

/* "HH:MM:SS[.ffffff]" for 0 <= usec <= 24h. */
static int put_time(char *p, int64_t usec)
{
    int n = sprintf(p, "%02d:%02d:%02d", (int)(usec / USECS_PER_HOUR),
                    (int)(usec / USECS_PER_MIN % 60), (int)(usec / USECS_PER_SEC % 60));
    return n + put_fraction(p + n, usec % USECS_PER_SEC);
}

static bool format_timestamp(int64_t usec, bool utc, char *buf, size_t size)
{
    char tmp[64];
    int n;
    if (usec == PGQC_TIMESTAMP_INFINITY) {
        n = sprintf(tmp, "infinity");
    } else if (usec == PGQC_TIMESTAMP_NEG_INFINITY) {
        n = sprintf(tmp, "-infinity");
    } else {
        n = put_date(tmp, floor_div(usec, USECS_PER_DAY));
        tmp[n++] = 'T';
        n += put_time(tmp + n, floor_mod(usec, USECS_PER_DAY));
        if (utc)
            tmp[n++] = 'Z', tmp[n] = '\0';
    }
    return emit(tmp, n, buf, size);
}

/* ---- parsing ------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly `n` decimal digits at *p into *out. */
static bool fixed_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit((*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* 1..max decimal digits into *out (no sign); max <= 18 so it cannot overflow. */
static bool some_digits(const char **p, int max, int64_t *out, int *count)
{
    int64_t v = 0;
    int n = 0;
    while (is_digit(**p)) {
        if (++n > max)
            return false;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    if (count)
        *count = n;
    return n > 0;
}

/* ".f" with 1-6 digits as microseconds; nothing there gives 0. */
static bool fraction(const char **p, int64_t *usec)
{
    *usec = 0;
    if (**p != '.')
        return true;
    ++*p;
    int64_t f;
    int n;
    if (!some_digits(p, 6, &f, &n))
        return false;
    while (n++ < 6)
        f *= 10;
    *usec = f;
    return true;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

/* +1 for "infinity"/"+infinity", -1 for "-infinity", 0 otherwise. */
static int infinity_sign(const char *s)
{
    if (ieq(s, "infinity") || ieq(s, "+infinity"))
        return 1;
    if (ieq(s, "-infinity"))
        return -1;
    return 0;
}

/* A calendar date as written (year still to be adjusted for " BC"). */
typedef struct ymd {
    int64_t year;
    int month, day;
    bool signed_year;
} ymd;

static bool parse_ymd(const char **p, ymd *out)
{
    int sign = 1;
    out->signed_year = **p == '+' || **p == '-';
    if (out->signed_year)
        sign = *(*p)++ == '-' ? -1 : 1;
    int n;
    if (!some_digits(p, 9, &out->year, &n) || n < 4)
        return false;
    out->year *= sign;
    if (*(*p)++ != '-' || !fixed_digits(p, 2, &out->month) || *(*p)++ != '-' ||
        !fixed_digits(p, 2, &out->day))
        return false;
    return out->month >= 1 && out->month <= 12;
}

/* " BC" at *p turns the year into its astronomical number; then the day is checked. */
static bool finish_ymd(const char **p, ymd *v, int64_t *days)
{
    if (strncmp(*p, " BC", 3) == 0 || strncmp(*p, " bc", 3) == 0) {
        if (v->signed_year || v->year < 1)
            return false;
        v->year = 1 - v->year;
        *p += 3;
    }
    if (v->day < 1 || v->day > days_in_month(v->year, v->month))
        return false;
    *days = days_from_civil(v->year, v->month, v->day);
    return true;
}

/* "HH:MM[:SS[.f]]" up to 24:00:00 (a leap second 60 counts as the next one, as in PostgreSQL). */
static bool parse_time_of_day(const char **p, int64_t *usec)
{
    int h, m, s = 0;
    int64_t f = 0;
    if (!fixed_digits(p, 2, &h) || *(*p)++ != ':' || !fixed_digits(p, 2, &m))
        return false;
    if (**p == ':') {
        ++*p;
        if (!fixed_digits(p, 2, &s) || !fraction(p, &f))
            return false;
    }
    if (h > 24 || m > 59 || s > 60)
        return false;
    *usec = h * USECS_PER_HOUR + m * USECS_PER_MIN + s * USECS_PER_SEC + f;
    return *usec <= USECS_PER_DAY;
}

/* "Z" or ±HH, ±HHMM, ±HH:MM, ±HHMMSS, ±HH:MM:SS: seconds EAST of UTC. False when there is none. */
static bool parse_offset(const char **p, int32_t *east)
{
    if (**p == 'Z' || **p == 'z') {
        ++*p;
        *east = 0;
        return true;
    }
    if (**p != '+' && **p != '-')
        return false;
    int sign = *(*p)++ == '-' ? -1 : 1;
    int h, m = 0, s = 0;
    if (!fixed_digits(p, 2, &h))
        return false;
    bool colon = **p == ':';
    if (colon || is_digit(**p)) {
        *p += colon;
        if (!fixed_digits(p, 2, &m))
            return false;
        if (colon ? **p == ':' : is_digit(**p)) {
            *p += colon;
            if (!fixed_digits(p, 2, &s))
                return false;
        }
    }
    if (h > 15 || m > 59 || s > 59)
        return false;
    *east = sign * (h * 3600 + m * 60 + s);
    return true;
}

/* date 'T' time [offset] [" BC"] into microseconds since 2000-01-01 (UTC when zoned). */
static bool parse_timestamp(const char *s, bool zoned, int64_t *out)
{
    int inf = infinity_sign(s);
    if (inf) {
        *out = inf > 0 ? PGQC_TIMESTAMP_INFINITY : PGQC_TIMESTAMP_NEG_INFINITY;
        return true;
    }
    const char *p = s;
    ymd v;
    int64_t tod, days;
    int32_t east = 0;
    if (!parse_ymd(&p, &v))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!parse_time_of_day(&p, &tod))
        return false;
    if (zoned && !parse_offset(&p, &east))
        return false;
    if (!finish_ymd(&p, &v, &days) || *p != '\0')
        return false;
    /* Out of range long before it could overflow: |year| < 1e9. */
    if (days < MIN_DATE - 1 || days > END_TIMESTAMP / USECS_PER_DAY + 1)
        return false;
    int64_t usec = days * USECS_PER_DAY + tod - east * USECS_PER_SEC;
    if (usec < MIN_TIMESTAMP || usec >= END_TIMESTAMP)
        return false;
    *out = usec;
    return true;
}

/* ---- timestamptz / timestamp -------------------------------------------------- */

static bool usec_from_seconds(int64_t sec, int64_t usec_part, int64_t *out)
{
    int64_t v;
    if (__builtin_sub_overflow(sec, PGQC_EPOCH_OFFSET_SECS, &v) ||
        __builtin_mul_overflow(v, USECS_PER_SEC, &v) || __builtin_add_overflow(v, usec_part, &v))
        return false;
    if (v < MIN_TIMESTAMP || v >= END_TIMESTAMP)
        return false;
    *out = v;
    return true;
}

static bool usec_to_seconds(int64_t usec, int64_t *sec, int64_t *usec_part)
{
    if (usec == PGQC_TIMESTAMP_INFINITY || usec == PGQC_TIMESTAMP_NEG_INFINITY)
        return false;
    int64_t s = floor_div(usec, USECS_PER_SEC) + PGQC_EPOCH_OFFSET_SECS;
    if ((time_t)s != s) /* a 32-bit time_t */
        return false;
    *sec = s;
    *usec_part = floor_mod(usec, USECS_PER_SEC);
    return true;
}

static bool from_timespec(const struct timespec *ts, int64_t *out)
{
    if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
        return false;
    return usec_from_seconds((int64_t)ts->tv_sec, ts->tv_nsec / 1000, out);
}

static bool to_timespec(int64_t usec, struct timespec *out)
{
    int64_t sec, frac;
    if (!usec_to_seconds(usec, &sec, &frac))
        return false;
    out->tv_sec = (time_t)sec;
    out->tv_nsec = (long)(frac * 1000);
    return true;
}

static bool to_time_t(int64_t usec, time_t *out)
{
    int64_t sec, frac;
    if (!usec_to_seconds(usec, &sec, &frac))
        return false;
    *out = (time_t)sec;
    return true;
}

bool pgqc_timestamptz_from_timespec(const struct timespec *ts, pgqc_timestamptz *out)
{
    return from_timespec(ts, &out->usec);
}

bool pgqc_timestamptz_to_timespec(pgqc_timestamptz t, struct timespec *out)
{
    return to_timespec(t.usec, out);
}

bool pgqc_timestamptz_from_time_t(time_t t, pgqc_timestamptz *out)
{
    return usec_from_seconds((int64_t)t, 0, &out->usec);
}

bool pgqc_timestamptz_to_time_t(pgqc_timestamptz t, time_t *out)
{
    return to_time_t(t.usec, out);
}

bool pgqc_timestamptz_format(pgqc_timestamptz t, char *buf, size_t size)
{
    return format_timestamp(t.usec, true, buf, size);
}

bool pgqc_timestamptz_parse(const char *s, pgqc_timestamptz *out)
{
    return parse_timestamp(s, true, &out->usec);
}

bool pgqc_timestamp_from_timespec(const struct timespec *ts, pgqc_timestamp *out)
{
    return from_timespec(ts, &out->usec);
}

bool pgqc_timestamp_to_timespec(pgqc_timestamp t, struct timespec *out)
{
    return to_timespec(t.usec, out);
}

bool pgqc_timestamp_from_time_t(time_t t, pgqc_timestamp *out)
{
    return usec_from_seconds((int64_t)t, 0, &out->usec);
}

bool pgqc_timestamp_to_time_t(pgqc_timestamp t, time_t *out)
{
    return to_time_t(t.usec, out);
}

bool pgqc_timestamp_format(pgqc_timestamp t, char *buf, size_t size)
{
    return format_timestamp(t.usec, false, buf, size);
}

bool pgqc_timestamp_parse(const char *s, pgqc_timestamp *out)
{
    return parse_timestamp(s, false, &out->usec);
}

/* ---- date ---------------------------------------------------------------- */

bool pgqc_date_from_ymd(int32_t year, int month, int day, pgqc_date *out)
{
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return false;
    int64_t days = days_from_civil(year, month, day);
    if (days < MIN_DATE || days >= END_DATE)
        return false;
    out->days = (int32_t)days;
    return true;
}

bool pgqc_date_to_ymd(pgqc_date d, int32_t *year, int *month, int *day)
{
    if (d.days == PGQC_DATE_INFINITY || d.days == PGQC_DATE_NEG_INFINITY)
        return false;
    int64_t y;
    int m, dd;
    civil_from_days(d.days, &y, &m, &dd);
    if (year)
        *year = (int32_t)y;
    if (month)
        *month = m;
    if (day)
        *day = dd;
    return true;
}

bool pgqc_date_from_time_t(time_t t, pgqc_date *out)
{
    int64_t days = floor_div((int64_t)t, 86400) - EPOCH_DAYS;
    if (days < MIN_DATE || days >= END_DATE)
        return false;
    out->days = (int32_t)days;
    return true;
}

bool pgqc_date_to_time_t(pgqc_date d, time_t *out)
{
    if (d.days == PGQC_DATE_INFINITY || d.days == PGQC_DATE_NEG_INFINITY)
        return false;
    int64_t s = ((int64_t)d.days + EPOCH_DAYS) * 86400;
    if ((time_t)s != s)
        return false;
    *out = (time_t)s;
    return true;
}

bool pgqc_date_format(pgqc_date d, char *buf, size_t size)
{
    char tmp[32];
    int n;
    if (d.days == PGQC_DATE_INFINITY)
        n = sprintf(tmp, "infinity");
    else if (d.days == PGQC_DATE_NEG_INFINITY)
        n = sprintf(tmp, "-infinity");
    else
        n = put_date(tmp, d.days);
    return emit(tmp, n, buf, size);
}

bool pgqc_date_parse(const char *s, pgqc_date *out)
{
    int inf = infinity_sign(s);
    if (inf) {
        out->days = inf > 0 ? PGQC_DATE_INFINITY : PGQC_DATE_NEG_INFINITY;
        return true;
    }
    const char *p = s;
    ymd v;
    int64_t days;
    if (!parse_ymd(&p, &v) || !finish_ymd(&p, &v, &days) || *p != '\0')
        return false;
    if (days < MIN_DATE || days >= END_DATE)
        return false;
    out->days = (int32_t)days;
    return true;
}

/* ---- time / timetz --------------------------------------------------------------- */

bool pgqc_time_format(pgqc_time t, char *buf, size_t size)
{
    char tmp[32];
    if (t.usec < 0 || t.usec > USECS_PER_DAY)
        return emit("", -1, buf, size);
    return emit(tmp, put_time(tmp, t.usec), buf, size);
}

bool pgqc_time_parse(const char *s, pgqc_time *out)
{
    int64_t usec;
    if (!parse_time_of_day(&s, &usec) || *s != '\0')
        return false;
    out->usec = usec;
    return true;
}

bool pgqc_timetz_format(pgqc_timetz t, char *buf, size_t size)
{
    char tmp[48];
    if (t.usec < 0 || t.usec > USECS_PER_DAY || t.zone < -MAX_ZONE_SECS || t.zone > MAX_ZONE_SECS)
        return emit("", -1, buf, size);
    int n = put_time(tmp, t.usec);
    if (t.zone == 0) {
        tmp[n++] = 'Z', tmp[n] = '\0';
    } else {
        int east = -t.zone, a = east < 0 ? -east : east;
        n += sprintf(tmp + n, "%c%02d:%02d", east < 0 ? '-' : '+', a / 3600, a / 60 % 60);
        if (a % 60)
            n += sprintf(tmp + n, ":%02d", a % 60);
    }
    return emit(tmp, n, buf, size);
}

bool pgqc_timetz_parse(const char *s, pgqc_timetz *out)
{
    int64_t usec;
    int32_t east;
    if (!parse_time_of_day(&s, &usec) || !parse_offset(&s, &east) || *s != '\0')
        return false;
    out->usec = usec;
    out->zone = -east;
    return true;
}

/* ---- interval ---------------------------------------------------------------- */

/* "%lld<unit>" unless v is 0, as PostgreSQL's AddISO8601IntPart. */
static int put_part(char *p, int64_t v, char unit)
{
    return v ? sprintf(p, "%lld%c", (long long)v, unit) : 0;
}

bool pgqc_interval_format(pgqc_interval iv, char *buf, size_t size)
{
    char tmp[96];
    int n = 0;
    if (iv.usec == INT64_MAX && iv.days == INT32_MAX && iv.months == INT32_MAX)
        return emit("infinity", 8, buf, size);
    if (iv.usec == INT64_MIN && iv.days == INT32_MIN && iv.months == INT32_MIN)
        return emit("-infinity", 9, buf, size);
    if (iv.usec == 0 && iv.days == 0 && iv.months == 0)
        return emit("PT0S", 4, buf, size);
    /* Each part truncates toward zero, so all time parts share the sign of usec. */
    int64_t hours = iv.usec / USECS_PER_HOUR, rest = iv.usec % USECS_PER_HOUR;
    int64_t mins = rest / USECS_PER_MIN, usec = rest % USECS_PER_MIN;
    tmp[n++] = 'P';
    n += put_part(tmp + n, iv.months / 12, 'Y');
    n += put_part(tmp + n, iv.months % 12, 'M');
    n += put_part(tmp + n, iv.days, 'D');
    if (iv.usec != 0)
        tmp[n++] = 'T';
    n += put_part(tmp + n, hours, 'H');
    n += put_part(tmp + n, mins, 'M');
    if (usec != 0) {
        int64_t a = usec < 0 ? -usec : usec;
        n += sprintf(tmp + n, "%s%lld", usec < 0 ? "-" : "", (long long)(a / USECS_PER_SEC));
        n += put_fraction(tmp + n, a % USECS_PER_SEC);
        tmp[n++] = 'S';
    }
    tmp[n] = '\0';
    return emit(tmp, n, buf, size);
}

/* One "[+-]digits[.f]" number: *whole with its sign, *frac_usec signed alike. */
static bool interval_number(const char **p, bool allow_fraction, int64_t *whole, int64_t *frac_usec)
{
    int sign = 1;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    int64_t w = 0, f = 0;
    if (!some_digits(p, 18, &w, NULL))
        return false;
    if (**p == '.') {
        if (!allow_fraction || !fraction(p, &f))
            return false;
    }
    *whole = sign * w;
    *frac_usec = sign * f;
    return true;
}

bool pgqc_interval_parse(const char *s, pgqc_interval *out)
{
    int inf = infinity_sign(s);
    if (inf) {
        out->usec = inf > 0 ? INT64_MAX : INT64_MIN;
        out->days = inf > 0 ? INT32_MAX : INT32_MIN;
        out->months = inf > 0 ? INT32_MAX : INT32_MIN;
        return true;
    }
    const char *p = s;
    if (*p++ != 'P')
        return false;
    static const char date_units[] = "YMWD", time_units[] = "HMS";
    int64_t months = 0, days = 0, usec = 0;
    int fields = 0;
    const char *next = date_units;
    bool in_time = false;
    while (*p) {
        if (*p == 'T' && !in_time) {
            in_time = true;
            next = time_units;
            p++;
            if (!*p)
                return false; /* "PT" or "P1DT": a T with nothing after it */
            continue;
        }
        int64_t w, f, v;
        if (!interval_number(&p, in_time, &w, &f))
            return false;
        const char *u = *p ? strchr(next, *p) : NULL;
        if (!u)
            return false;
        p++;
        next = u + 1; /* units in order, each at most once */
        fields++;
        if (!in_time && f != 0)
            return false;
        enum { YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS };
        int unit = in_time ? HOURS + (int)(u - time_units) : YEARS + (int)(u - date_units);
        bool ovf = false;
        switch (unit) {
        case YEARS:
            ovf = __builtin_mul_overflow(w, 12, &v) || __builtin_add_overflow(months, v, &months);
            break;
        case MONTHS:
            ovf = __builtin_add_overflow(months, w, &months);
            break;
        case WEEKS:
            ovf = __builtin_mul_overflow(w, 7, &v) || __builtin_add_overflow(days, v, &days);
            break;
        case DAYS:
            ovf = __builtin_add_overflow(days, w, &days);
            break;
        case HOURS:
            ovf = __builtin_mul_overflow(w, USECS_PER_HOUR, &v) ||
                  __builtin_add_overflow(usec, v, &usec);
            break;
        case MINUTES:
            ovf = __builtin_mul_overflow(w, USECS_PER_MIN, &v) ||
                  __builtin_add_overflow(usec, v, &usec);
            break;
        default: /* SECONDS */
            ovf = __builtin_mul_overflow(w, USECS_PER_SEC, &v) ||
                  __builtin_add_overflow(v, f, &v) || __builtin_add_overflow(usec, v, &usec);
            break;
        }
        if (ovf || months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX)
            return false;
    }
    if (fields == 0)
        return false;
    out->usec = usec;
    out->days = (int32_t)days;
    out->months = (int32_t)months;
    return true;
}

/* ---- uuid ---------------------------------------------------------------------- */

bool pgqc_uuid_format(pgqc_uuid u, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    if (size < PGQC_UUID_TEXT_SIZE)
        return emit("", -1, buf, size);
    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[u.bytes[i] >> 4];
        *p++ = hex[u.bytes[i] & 15];
    }
    *p = '\0';
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool pgqc_uuid_parse(const char *s, pgqc_uuid *out)
{
    pgqc_uuid u;
    bool braces = *s == '{';
    s += braces;
    for (int i = 0; i < 16; i++) {
        int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);
        if (lo < 0)
            return false;
        u.bytes[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        /* As uuid_in: a hyphen may follow any group of four digits. */
        if (*s == '-' && i % 2 == 1 && i < 15)
            s++;
    }
    if (braces && *s++ != '}')
        return false;
    if (*s != '\0')
        return false;
    *out = u;
    return true;
}
