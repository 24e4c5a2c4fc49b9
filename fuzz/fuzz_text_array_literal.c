/*
 * fuzz_text_array_literal.c — libFuzzer target for pgqc_text_array_literal
 * (runtime/array.c), the text-format array parameter used for enum arrays.
 *
 * Input: the items, separated by NUL bytes; an item consisting of the
 * single byte 0x01 stands for SQL NULL. The literal built from them must
 * report its true length, and parsing it back with PostgreSQL's rules for
 * quoted elements (a small reference parser below) must give the same
 * items, so no string can break out of its quotes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse item `want` back out of the literal at *p; abort when it differs. */
static void expect_item(const char **p, const char *want)
{
    const char *s = *p;
    if (!want) {
        FUZZ_CHECK(strncmp(s, "NULL", 4) == 0);
        *p = s + 4;
        return;
    }
    FUZZ_CHECK(*s++ == '"');
    const char *w = want;
    while (*s != '"') {
        FUZZ_CHECK(*s != '\0');
        if (*s == '\\')
            s++;
        FUZZ_CHECK(*s == *w);
        s++, w++;
    }
    FUZZ_CHECK(*w == '\0');
    *p = s + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_field(data, size); /* NUL-separated items, NUL-terminated */
    size_t n = 0;
    for (size_t i = 0; i <= size; i++)
        n += buf[i] == '\0';
    const char **items = malloc(n * sizeof *items);
    if (!items)
        abort();
    const char *q = buf;
    for (size_t i = 0; i < n; i++) {
        items[i] = strcmp(q, "\x01") ? q : NULL;
        q += strlen(q) + 1;
    }
    if (size == 0) /* the empty input stands for no items at all */
        n = 0;

    pgqc_arena arena = {0};
    int len = -1;
    const char *lit = pgqc_text_array_literal(&arena, items, n, &len);
    FUZZ_CHECK(lit != NULL);
    FUZZ_CHECK(len >= 2 && (size_t)len == strlen(lit));
    const char *p = lit;
    FUZZ_CHECK(*p++ == '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            FUZZ_CHECK(*p++ == ',');
        expect_item(&p, items[i]);
    }
    FUZZ_CHECK(*p++ == '}' && *p == '\0');

    pgqc_arena_free(&arena);
    free(items);
    free(buf);
    return 0;
}
