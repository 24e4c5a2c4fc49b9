/*
 * array.c — reading and writing PostgreSQL's binary array format for
 * one-dimensional arrays, and reading its composite (record) format (used by
 * generated decoders and encoders). Every
 * read is bounds-checked against the value's length: a malformed array
 * makes the reader return false, never read out of bounds.
 *
 * Layout: int32 ndim, int32 has_null, uint32 element type; per dimension
 * int32 size, int32 lower bound; then per element int32 length (-1: NULL)
 * and that many bytes.
 */
#include "pgqc/types.h"

#include <stdlib.h>
#include <string.h>

bool pgqc_array_begin(pgqc_array_reader *r, const char *v, int len, uint32_t elem_oid)
{
    if (len < 12)
        return false;
    int32_t ndim = (int32_t)pgqc_be32(v);
    uint32_t has_null = pgqc_be32(v + 4);
    uint32_t elem = pgqc_be32(v + 8);
    if (has_null > 1 || (elem_oid && elem != elem_oid) || ndim < 0 || ndim > 1)
        return false;
    r->p = v + 12;
    r->end = v + len;
    r->count = 0;
    if (ndim == 1) {
        if (len < 20)
            return false;
        int32_t n = (int32_t)pgqc_be32(v + 12);
        /* Each element takes at least its 4-byte length. */
        if (n < 0 || (size_t)n > (size_t)(len - 20) / 4)
            return false;
        r->count = (size_t)n;
        r->p = v + 20;
    }
    return true;
}

bool pgqc_array_next(pgqc_array_reader *r, const char **ev, int *elen)
{
    if (r->end - r->p < 4)
        return false;
    int32_t n = (int32_t)pgqc_be32(r->p);
    r->p += 4;
    if (n == -1) {
        *ev = NULL;
        *elen = -1;
        return true;
    }
    if (n < 0 || r->end - r->p < n)
        return false;
    *ev = r->p;
    *elen = n;
    r->p += n;
    return true;
}

bool pgqc_dec_text_copy(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len < 0)
        return false;
    char *s = pgqc_arena_alloc(a, (size_t)len + 1);
    if (!s)
        return false;
    memcpy(s, v, (size_t)len);
    s[len] = '\0';
    *out = s;
    return true;
}

static bool reserve(pgqc_array_writer *w, size_t more)
{
    if (w->len + more <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap * 2 : 64;
    while (cap < w->len + more)
        cap *= 2;
    char *nb = pgqc_arena_alloc(w->arena, cap);
    if (!nb)
        return false;
    if (w->len)
        memcpy(nb, w->buf, w->len);
    w->buf = nb;
    w->cap = cap;
    return true;
}

bool pgqc_array_write_begin(pgqc_array_writer *w, pgqc_arena *a, uint32_t elem_oid, size_t count)
{
    memset(w, 0, sizeof *w);
    w->arena = a;
    if (count > INT32_MAX || !reserve(w, 20))
        return false;
    pgqc_put_be32(w->buf, count ? 1 : 0);
    pgqc_put_be32(w->buf + 4, 0); /* has_null, patched at the end */
    pgqc_put_be32(w->buf + 8, elem_oid);
    w->len = 12;
    if (count) {
        pgqc_put_be32(w->buf + 12, (uint32_t)count);
        pgqc_put_be32(w->buf + 16, 1);
        w->len = 20;
    }
    return true;
}

bool pgqc_array_write_elem(pgqc_array_writer *w, const char *data, int len)
{
    if (!reserve(w, 4 + (data && len > 0 ? (size_t)len : 0)))
        return false;
    if (!data) {
        pgqc_put_be32(w->buf + w->len, (uint32_t)-1);
        w->len += 4;
        w->has_null = true;
        return true;
    }
    pgqc_put_be32(w->buf + w->len, (uint32_t)len);
    memcpy(w->buf + w->len + 4, data, (size_t)len);
    w->len += 4 + (size_t)len;
    return true;
}

const char *pgqc_text_array_literal(pgqc_arena *a, const char *const *items, size_t n, int *len)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += items[i] ? 2 * strlen(items[i]) + 3 : 5;
    char *s = pgqc_arena_alloc(a, cap), *p = s;
    if (!s || cap > INT32_MAX)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        if (!items[i]) {
            memcpy(p, "NULL", 4);
            p += 4;
            continue;
        }
        *p++ = '"';
        for (const char *q = items[i]; *q; q++) {
            if (*q == '"' || *q == '\\')
                *p++ = '\\';
            *p++ = *q;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    *len = (int)(p - s);
    return s;
}

const char *pgqc_array_write_end(pgqc_array_writer *w, int *len)
{
    if (!w->buf || w->len > INT32_MAX)
        return NULL;
    pgqc_put_be32(w->buf + 4, w->has_null ? 1 : 0);
    *len = (int)w->len;
    return w->buf;
}

bool pgqc_record_begin(pgqc_record_reader *r, const char *v, int len, size_t nattrs)
{
    if (len < 4)
        return false;
    int32_t n = (int32_t)pgqc_be32(v);
    if (n < 0 || (size_t)n != nattrs)
        return false;
    r->p = v + 4;
    r->end = v + len;
    r->count = (size_t)n;
    return true;
}

bool pgqc_record_next(pgqc_record_reader *r, uint32_t *oid, const char **fv, int *flen)
{
    if (r->end - r->p < 8)
        return false;
    *oid = pgqc_be32(r->p);
    int32_t n = (int32_t)pgqc_be32(r->p + 4);
    r->p += 8;
    if (n == -1) {
        *fv = NULL;
        *flen = -1;
        return true;
    }
    if (n < 0 || r->end - r->p < n)
        return false;
    *fv = r->p;
    *flen = n;
    r->p += n;
    return true;
}

bool pgqc_dec_jsonb_copy(const char *v, int len, pgqc_arena *a, const char **out)
{
    if (len < 1 || v[0] != 1)
        return false;
    return pgqc_dec_text_copy(v + 1, len - 1, a, out);
}
