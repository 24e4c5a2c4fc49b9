/*
 * fuzz_input.h — shared helpers of the libFuzzer targets in fuzz/: turning
 * the fuzzer's bytes into a field exactly as libpq hands one to a decoder
 * (a buffer of `len` bytes followed by a NUL, allocated on its own so that
 * AddressSanitizer catches any read past it), and the element type OIDs the
 * targets choose from.
 *
 * Invariant: every buffer returned by fuzz_field() is a separate heap block
 * of exactly len + 1 bytes; the caller frees it.
 */
#ifndef PGQC_FUZZ_INPUT_H
#define PGQC_FUZZ_INPUT_H

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * A copy of `size` bytes with a NUL after them, as libpq guarantees for
 * every value (PQgetvalue): pgqc_dec_text relies on v[len] being readable.
 * Aborts when out of memory (the fuzzer limits input size anyway).
 */
static inline char *fuzz_field(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v)
        abort();
    if (size)
        memcpy(v, data, size);
    v[size] = '\0';
    return v;
}

/*
 * A copy of `size` bytes with nothing after them: array elements are not
 * NUL-terminated, so decoders of elements must not read v[len].
 */
static inline char *fuzz_exact(const char *data, size_t size)
{
    char *v = malloc(size); /* ASan: malloc(0) is a valid, unreadable block */
    if (!v)
        abort();
    if (size)
        memcpy(v, data, size);
    return v;
}

#endif
