/*
 * fuzz_array.c — libFuzzer target for the binary array reader
 * (pgqc_array_begin / pgqc_array_next, runtime/array.c) and the element
 * decoders behind it, driven the way generated array decoders drive them.
 *
 * Input: one byte choosing the expected element type (index into
 * fuzz_types.h; values past the table mean "any element type", OID 0),
 * then the array value, handed over as libpq would (len + 1 bytes, NUL
 * last). Each element is copied into a heap block of exactly its length
 * (elements are not NUL-terminated) and decoded: strings with
 * pgqc_dec_text_copy, the rest with their own decoder. An array that was
 * read completely is then rebuilt with pgqc_array_writer and read back,
 * which must give the same elements.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_KEPT = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > INT_MAX)
        return 0;
    const fuzz_type *t = data[0] < FUZZ_NTYPES ? &fuzz_types[data[0]] : NULL;
    uint32_t oid = t ? t->oid : 0;
    int len = (int)(size - 1);
    char *v = fuzz_field(data + 1, size - 1);
    pgqc_arena arena = {0};
    pgqc_array_reader r;
    const char *ev[MAX_KEPT];
    int elen[MAX_KEPT];
    size_t kept = 0;
    bool complete = false;

    if (pgqc_array_begin(&r, v, len, oid)) {
        FUZZ_CHECK(r.count <= (size_t)len / 4);
        if (oid)
            FUZZ_CHECK(pgqc_be32(v + 8) == oid);
        size_t i = 0;
        for (; i < r.count; i++) {
            const char *e;
            int n;
            if (!pgqc_array_next(&r, &e, &n))
                break;
            FUZZ_CHECK(n == -1 ? e == NULL : (n >= 0 && e >= v && e + n <= v + len));
            if (i < MAX_KEPT)
                ev[i] = e, elen[i] = n, kept = i + 1;
            if (n < 0)
                continue;
            char *copy = fuzz_exact(e, (size_t)n);
            (t ? t->decode : fuzz_text)(copy, n, &arena, false);
            free(copy);
        }
        complete = i == r.count && r.p == r.end && r.count <= MAX_KEPT;
    }

    if (complete) {
        pgqc_array_writer w;
        FUZZ_CHECK(pgqc_array_write_begin(&w, &arena, pgqc_be32(v + 8), kept));
        for (size_t i = 0; i < kept; i++)
            FUZZ_CHECK(pgqc_array_write_elem(&w, ev[i], elen[i]));
        int wlen;
        const char *wv = pgqc_array_write_end(&w, &wlen);
        FUZZ_CHECK(wv != NULL);
        pgqc_array_reader r2;
        FUZZ_CHECK(pgqc_array_begin(&r2, wv, wlen, pgqc_be32(v + 8)));
        FUZZ_CHECK(r2.count == kept);
        for (size_t i = 0; i < kept; i++) {
            const char *e;
            int n;
            FUZZ_CHECK(pgqc_array_next(&r2, &e, &n));
            FUZZ_CHECK(n == elen[i]);
            FUZZ_CHECK(n < 0 || memcmp(e, ev[i], (size_t)n) == 0);
        }
        FUZZ_CHECK(r2.p == r2.end);
    }
    pgqc_arena_free(&arena);
    free(v);
    return 0;
}
