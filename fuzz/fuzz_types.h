/*
 * fuzz_types.h — one row per PostgreSQL type the runtime decodes in binary
 * format: its OID and a function that decodes a field with the runtime's
 * decoder the way generated code calls it, then checks what came out.
 * Shared by fuzz_scalar.c (top-level fields) and fuzz_array.c (array
 * elements).
 *
 * A check that fails calls abort(), which libFuzzer reports as a crash:
 * accepted fixed-width values must re-encode to the very bytes they came
 * from, and text produced by the arena decoders must be a well-formed,
 * NUL-terminated string of the shape PostgreSQL's own output has.
 * Decoders that reject a value (return false) are fine: rejecting is what
 * they are for.
 */
#ifndef PGQC_FUZZ_TYPES_H
#define PGQC_FUZZ_TYPES_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgqc/types.h"

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* `terminated`: v[len] is readable (a top-level field from libpq), not an array element. */
typedef void (*fuzz_decode_fn)(const char *v, int len, pgqc_arena *a, bool terminated);

typedef struct fuzz_type {
    uint32_t oid;
    const char *name;
    fuzz_decode_fn decode;
} fuzz_type;

/* Fixed-width values: accepted bytes re-encode to themselves. */
#define FUZZ_FIXED(T, dec, enc, width)                                                             \
    static void fuzz_##dec(const char *v, int len, pgqc_arena *a, bool terminated)                 \
    {                                                                                              \
        (void)a;                                                                                   \
        (void)terminated;                                                                          \
        T x;                                                                                       \
        if (!pgqc_dec_##dec(v, len, &x))                                                           \
            return;                                                                                \
        FUZZ_CHECK(len == (width));                                                                \
        char buf[16];                                                                              \
        FUZZ_CHECK(pgqc_enc_##enc(buf, x) == (width));                                             \
        FUZZ_CHECK(memcmp(buf, v, (size_t)(width)) == 0);                                          \
    }

FUZZ_FIXED(int16_t, int16, int16, 2)
FUZZ_FIXED(int32_t, int32, int32, 4)
FUZZ_FIXED(int64_t, int64, int64, 8)
FUZZ_FIXED(uint32_t, uint32, uint32, 4)
FUZZ_FIXED(float, float, float, 4)
FUZZ_FIXED(double, double, double, 8)
FUZZ_FIXED(pgqc_uuid, uuid, uuid, 16)
FUZZ_FIXED(pgqc_timestamptz, timestamptz, timestamptz, 8)
FUZZ_FIXED(pgqc_timestamp, timestamp, timestamp, 8)
FUZZ_FIXED(pgqc_date, date, date, 4)
FUZZ_FIXED(pgqc_time, time, time, 8)
FUZZ_FIXED(pgqc_timetz, timetz, timetz, 12)
FUZZ_FIXED(pgqc_interval, interval, interval, 16)

static void fuzz_bool(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)a;
    (void)terminated;
    bool b;
    if (!pgqc_dec_bool(v, len, &b))
        return;
    FUZZ_CHECK(len == 1 && b == (v[0] != 0));
}

static void fuzz_bytes(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)a;
    (void)terminated;
    pgqc_bytes b;
    if (!pgqc_dec_bytes(v, len, &b))
        return;
    FUZZ_CHECK(b.len == (size_t)len && (const char *)b.data == v);
}

/* Strings: pgqc_dec_text/jsonb on a field, pgqc_dec_text_copy on an element. */
static void fuzz_text(const char *v, int len, pgqc_arena *a, bool terminated)
{
    const char *s;
    if (terminated) {
        if (pgqc_dec_text(v, len, &s))
            FUZZ_CHECK(s == v && s[len] == '\0');
        return;
    }
    if (!pgqc_dec_text_copy(v, len, a, &s))
        return;
    FUZZ_CHECK(len >= 0 && s[len] == '\0' && memcmp(s, v, (size_t)len) == 0);
}

static void fuzz_jsonb(const char *v, int len, pgqc_arena *a, bool terminated)
{
    const char *s;
    if (!terminated) {
        fuzz_text(v, len, a, terminated);
        return;
    }
    if (pgqc_dec_jsonb(v, len, &s))
        FUZZ_CHECK(len >= 1 && s == v + 1 && s[len - 1] == '\0');
}

/* numeric: NaN, ±Infinity, or -?digits(.digits)? with exactly dscale fraction digits. */
static void fuzz_numeric(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)terminated;
    const char *s;
    if (!pgqc_dec_numeric_text(v, len, a, &s))
        return;
    if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
        return;
    const char *p = s + (*s == '-');
    FUZZ_CHECK(isdigit((unsigned char)*p));
    while (isdigit((unsigned char)*p))
        p++;
    int dscale = (int16_t)pgqc_be16(v + 6);
    if (*p == '.') {
        const char *frac = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        FUZZ_CHECK(p - frac == dscale && dscale > 0);
    } else {
        FUZZ_CHECK(dscale == 0);
    }
    FUZZ_CHECK(*p == '\0');
}

/* inet/cidr: hex digits, dots, colons and an optional /prefix ("::" up to
 * a 45-character IPv4-mapped IPv6 address with "/128"). */
static void fuzz_inet(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)terminated;
    const char *s;
    if (!pgqc_dec_inet_text(v, len, a, &s))
        return;
    size_t n = strlen(s);
    FUZZ_CHECK(n >= 2 && n <= 49);
    FUZZ_CHECK(strspn(s, "0123456789abcdef.:/") == n);
}

static void fuzz_macaddr(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)terminated;
    const char *s;
    if (!pgqc_dec_macaddr_text(v, len, a, &s))
        return;
    FUZZ_CHECK(strlen(s) == 3 * (size_t)len - 1);
    FUZZ_CHECK(strspn(s, "0123456789abcdef:") == 3 * (size_t)len - 1);
}

static void fuzz_bits(const char *v, int len, pgqc_arena *a, bool terminated)
{
    (void)terminated;
    const char *s;
    if (!pgqc_dec_bits_text(v, len, a, &s))
        return;
    size_t nbits = pgqc_be32(v);
    FUZZ_CHECK(strlen(s) == nbits && strspn(s, "01") == nbits);
}

static const fuzz_type fuzz_types[] = {
    {16, "bool", fuzz_bool},
    {21, "int2", fuzz_int16},
    {23, "int4", fuzz_int32},
    {20, "int8", fuzz_int64},
    {26, "oid", fuzz_uint32},
    {700, "float4", fuzz_float},
    {701, "float8", fuzz_double},
    {2950, "uuid", fuzz_uuid},
    {1184, "timestamptz", fuzz_timestamptz},
    {1114, "timestamp", fuzz_timestamp},
    {1082, "date", fuzz_date},
    {1083, "time", fuzz_time},
    {1266, "timetz", fuzz_timetz},
    {1186, "interval", fuzz_interval},
    {17, "bytea", fuzz_bytes},
    {25, "text", fuzz_text},
    {3802, "jsonb", fuzz_jsonb},
    {1700, "numeric", fuzz_numeric},
    {869, "inet", fuzz_inet},
    {650, "cidr", fuzz_inet},
    {829, "macaddr", fuzz_macaddr},
    {774, "macaddr8", fuzz_macaddr},
    {1560, "bit", fuzz_bits},
    {1562, "varbit", fuzz_bits},
};

#define FUZZ_NTYPES (sizeof fuzz_types / sizeof fuzz_types[0])

#endif
