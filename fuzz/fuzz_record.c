/*
 * fuzz_record.c — libFuzzer target for the binary composite (record)
 * reader (pgqc_record_begin / pgqc_record_next, runtime/array.c) and the
 * copying decoders generated composite decoders use on its attributes
 * (pgqc_dec_text_copy, pgqc_dec_jsonb_copy).
 *
 * Input: one byte giving the expected attribute count, then the record
 * value, handed over as libpq would (len + 1 bytes, NUL last). Each
 * attribute is copied into a heap block of exactly its length (attributes
 * are not NUL-terminated) before it is decoded.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pgqc/types.h>

#include "fuzz_input.h"
#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > INT_MAX)
        return 0;
    size_t nattrs = data[0];
    char *v = fuzz_field(data + 1, size - 1);
    pgqc_arena arena = {0};
    pgqc_record_reader r;
    if (pgqc_record_begin(&r, v, (int)(size - 1), nattrs)) {
        for (size_t i = 0; i < nattrs; i++) {
            uint32_t oid;
            const char *fv;
            int flen;
            if (!pgqc_record_next(&r, &oid, &fv, &flen))
                break;
            FUZZ_CHECK(flen >= -1);
            if (flen < 0)
                continue;
            FUZZ_CHECK(fv >= v && fv + flen <= v + size - 1);
            char *copy = malloc(flen ? (size_t)flen : 1);
            memcpy(copy, fv, (size_t)flen);
            const char *text;
            if (pgqc_dec_text_copy(copy, flen, &arena, &text))
                FUZZ_CHECK(strlen(text) <= (size_t)flen);
            if (pgqc_dec_jsonb_copy(copy, flen, &arena, &text))
                FUZZ_CHECK(flen >= 1 && strlen(text) <= (size_t)flen - 1);
            free(copy);
        }
    }
    pgqc_arena_free(&arena);
    free(v);
    return 0;
}
