/*
 * fuzz_scalar.c — libFuzzer target for every binary decoder of a
 * top-level field: the scalar pgqc_dec_* of types.h and the text-producing
 * decoders of runtime/codec.c.
 *
 * Input: one byte choosing the type (index into fuzz_types.h, modulo its
 * size), then the field's bytes. The field is handed over exactly as libpq
 * would: `len` bytes in a heap block of len + 1 with a trailing NUL, so a
 * read past the NUL is caught by AddressSanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > INT_MAX)
        return 0;
    const fuzz_type *t = &fuzz_types[data[0] % FUZZ_NTYPES];
    char *v = fuzz_field(data + 1, size - 1);
    pgqc_arena arena = {0};
    t->decode(v, (int)(size - 1), &arena, true);
    pgqc_arena_free(&arena);
    free(v);
    return 0;
}
