/*
 * codec.c — binary decoders that produce text (numeric, inet/cidr,
 * macaddr, bit strings) and so need memory of their own, taken from a
 * pgqc_arena. Like every decoder they check lengths against the bytes
 * they were given and never read past them; a malformed value returns
 * false.
 */
#include "pgqc/types.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

bool pgqc_dec_numeric_text(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len < 8)
        return false;
    int ndigits = (int16_t)pgqc_be16(v);
    int weight = (int16_t)pgqc_be16(v + 2);
    unsigned sign = pgqc_be16(v + 4);
    int dscale = (int16_t)pgqc_be16(v + 6);
    if (ndigits < 0 || len != 8 + 2 * ndigits || dscale < 0 || dscale > 16383)
        return false;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        *out = sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity";
        return true;
    }
    if (sign != 0x0000 && sign != 0x4000)
        return false;
    /* Any int16 weight is valid, as in PostgreSQL's numeric_recv(): values
     * carry up to 131,072 digits before the point (weight up to 32,767). */
    const char *d = v + 8;
    for (int i = 0; i < ndigits; i++)
        if (pgqc_be16(d + 2 * i) > 9999)
            return false;
    /* Integer part: (weight + 1) base-10000 digits, fraction: dscale decimal digits. */
    size_t cap = 2 + (size_t)(weight >= 0 ? weight + 1 : 1) * 4 + 1 + (size_t)dscale + 4 + 1;
    char *s = pgqc_arena_alloc(a, cap), *p = s;
    if (!s)
        return false;
    if (sign == 0x4000)
        *p++ = '-';
    if (weight < 0) {
        *p++ = '0';
    } else {
        for (int i = 0; i <= weight; i++) {
            unsigned dig = i < ndigits ? pgqc_be16(d + 2 * i) : 0;
            p += sprintf(p, i == 0 ? "%u" : "%04u", dig);
        }
    }
    if (dscale > 0) {
        *p++ = '.';
        char *frac = p;
        for (int i = weight + 1; p - frac < dscale; i++) {
            unsigned dig = (i >= 0 && i < ndigits) ? pgqc_be16(d + 2 * i) : 0;
            p += sprintf(p, "%04u", dig);
        }
        p = frac + dscale;
    }
    *p = '\0';
    *out = s;
    return true;
}

bool pgqc_dec_inet_text(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len < 4)
        return false;
    unsigned family = (unsigned char)v[0], bits = (unsigned char)v[1];
    unsigned is_cidr = (unsigned char)v[2], nb = (unsigned char)v[3];
    int af;
    unsigned maxbits;
    if (family == 2 && nb == 4) {
        af = AF_INET;
        maxbits = 32;
    } else if (family == 3 && nb == 16) {
        af = AF_INET6;
        maxbits = 128;
    } else {
        return false;
    }
    if (len != 4 + (int)nb || bits > maxbits || is_cidr > 1)
        return false;
    unsigned char addr[16] = {0};
    memcpy(addr, v + 4, nb);
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(af, addr, buf, sizeof buf))
        return false;
    enum { OUT = INET6_ADDRSTRLEN + 8 + 4 };
    char *s = pgqc_arena_alloc(a, OUT);
    if (!s)
        return false;
    /* inet hides the prefix of a host address; cidr always shows it. */
    if (is_cidr || bits != maxbits)
        snprintf(s, OUT, "%s/%u", buf, bits);
    else
        snprintf(s, OUT, "%s", buf);
    *out = s;
    return true;
}

bool pgqc_dec_macaddr_text(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len != 6 && len != 8)
        return false;
    char *s = pgqc_arena_alloc(a, 3 * (size_t)len);
    if (!s)
        return false;
    char *p = s;
    for (int i = 0; i < len; i++)
        p += sprintf(p, i ? ":%02x" : "%02x", (unsigned char)v[i]);
    *out = s;
    return true;
}

bool pgqc_dec_bits_text(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len < 4)
        return false;
    int32_t nbits = (int32_t)pgqc_be32(v);
    if (nbits < 0 || (int64_t)len - 4 != ((int64_t)nbits + 7) / 8)
        return false;
    char *s = pgqc_arena_alloc(a, (size_t)nbits + 1);
    if (!s)
        return false;
    for (int32_t i = 0; i < nbits; i++)
        s[i] = ((unsigned char)v[4 + i / 8] >> (7 - i % 8)) & 1 ? '1' : '0';
    s[nbits] = '\0';
    *out = s;
    return true;
}

bool pgqc_dec_numeric_double(const char *v, int len, double *out)
{
    if (len < 8)
        return false;
    int ndigits = (int16_t)pgqc_be16(v);
    int weight = (int16_t)pgqc_be16(v + 2);
    unsigned sign = pgqc_be16(v + 4);
    if (ndigits < 0 || len != 8 + 2 * ndigits)
        return false;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        *out = sign == 0xC000 ? NAN : sign == 0xD000 ? INFINITY : -INFINITY;
        return true;
    }
    if (sign != 0x0000 && sign != 0x4000)
        return false;
    /* The leading base-10000 digits as a decimal mantissa, then strtod rounds correctly. */
    char buf[64];
    int n = 0, used = ndigits < 8 ? ndigits : 8;
    buf[n++] = sign == 0x4000 ? '-' : '+';
    buf[n++] = '0';
    buf[n++] = '.';
    for (int i = 0; i < used; i++) {
        unsigned d = pgqc_be16(v + 8 + 2 * i);
        if (d > 9999)
            return false;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%04u", d);
    }
    if (used == 0)
        buf[n++] = '0';
    snprintf(buf + n, sizeof buf - (size_t)n, "e%d", 4 * (weight + 1));
    errno = 0;
    double d = strtod(buf, NULL);
    /* A finite numeric beyond double's range is an error, not a silent infinity. */
    if (errno == ERANGE && isinf(d))
        return false;
    *out = d;
    return true;
}

const char *pgqc_enc_numeric_double(pgqc_arena *a, double v, int *len)
{
    char *s = pgqc_arena_alloc(a, 32);
    if (!s)
        return NULL;
    if (isnan(v))
        *len = snprintf(s, 32, "NaN");
    else if (isinf(v))
        *len = snprintf(s, 32, v > 0 ? "Infinity" : "-Infinity");
    else
        *len = snprintf(s, 32, "%.17g", v);
    return s;
}
