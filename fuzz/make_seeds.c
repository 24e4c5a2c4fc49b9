/*
 * make_seeds.c — writes the seed corpus of the fuzz targets: valid binary
 * encodings of every decoded type (made with the pgqc_enc_* encoders and
 * pgqc_array_writer, plus hand-built numeric/inet/macaddr/bit values as
 * PostgreSQL sends them), so the fuzzers start from the interesting shapes
 * instead of from nothing.
 *
 * Usage: make_seeds DIR — creates DIR/scalar, DIR/array and
 * DIR/text_array_literal (the directories must not exist yet or be
 * writable) and fills them. The checked-in fuzz/corpus/ was made this way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_types.h"

static const char *root;
static int seq;

static void write_file(const char *sub, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/seed-%03d", root, sub, seq++);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static int type_index(uint32_t oid)
{
    for (size_t i = 0; i < FUZZ_NTYPES; i++)
        if (fuzz_types[i].oid == oid)
            return (int)i;
    abort();
}

/* A scalar seed: the type selector, then the value's bytes. */
static void scalar(uint32_t oid, const char *v, size_t len)
{
    char buf[256];
    buf[0] = (char)type_index(oid);
    memcpy(buf + 1, v, len);
    write_file("scalar", buf, len + 1);
}

/* An array seed of `n` elements of one value (every other one NULL when `nulls`). */
static void array(uint32_t oid, const char *v, int len, size_t n, bool nulls)
{
    pgqc_arena a = {0};
    pgqc_array_writer w;
    if (!pgqc_array_write_begin(&w, &a, oid, n))
        abort();
    for (size_t i = 0; i < n; i++)
        if (!pgqc_array_write_elem(&w, nulls && i % 2 ? NULL : v, len))
            abort();
    int alen;
    const char *av = pgqc_array_write_end(&w, &alen);
    char *buf = malloc((size_t)alen + 1);
    buf[0] = (char)type_index(oid);
    memcpy(buf + 1, av, (size_t)alen);
    write_file("array", buf, (size_t)alen + 1);
    free(buf);
    pgqc_arena_free(&a);
}

static void both(uint32_t oid, const char *v, size_t len)
{
    scalar(oid, v, len);
    array(oid, v, (int)len, 3, true);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    char b[64];

    both(16, b, (size_t)pgqc_enc_bool(b, true));
    both(21, b, (size_t)pgqc_enc_int16(b, -2));
    both(23, b, (size_t)pgqc_enc_int32(b, INT32_MIN));
    both(20, b, (size_t)pgqc_enc_int64(b, INT64_MAX));
    both(26, b, (size_t)pgqc_enc_uint32(b, 1259));
    both(700, b, (size_t)pgqc_enc_float(b, 1.5f));
    both(701, b, (size_t)pgqc_enc_double(b, -0.25));
    pgqc_uuid u = {{0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55,
                    0x44, 0x00, 0x00}};
    both(2950, b, (size_t)pgqc_enc_uuid(b, u));
    both(1184, b, (size_t)pgqc_enc_timestamptz(b, (pgqc_timestamptz){767795696789012}));
    both(1114, b, (size_t)pgqc_enc_timestamp(b, (pgqc_timestamp){INT64_MIN}));
    both(1082, b, (size_t)pgqc_enc_date(b, (pgqc_date){-730120}));
    both(1083, b, (size_t)pgqc_enc_time(b, (pgqc_time){45296789012}));
    both(1266, b, (size_t)pgqc_enc_timetz(b, (pgqc_timetz){45296789012, -7200}));
    both(1186, b, (size_t)pgqc_enc_interval(b, (pgqc_interval){3723000004, 5, 14}));
    both(17, "\x00\xff\x01", 3);
    both(25, "hello, \xc3\xa9t\xc3\xa9", 11);
    both(3802, "\x01{\"a\": [1, null]}", 17);

    /* numeric 12345.678 (ndigits 3, weight 1, sign +, dscale 3): 1 2345 6780 */
    static const char num[] = "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c";
    both(1700, num, 14);
    static const char negnum[] = "\x00\x01\xff\xfe\x40\x00\x00\x0a\x00\x07"; /* -0.00000007 */
    both(1700, negnum, 10);
    both(1700, "\x00\x00\x00\x00\xc0\x00\x00\x00", 8); /* NaN */
    both(1700, "\x00\x00\x00\x00\xf0\x00\x00\x00", 8); /* -Infinity */
    both(869, "\x02\x20\x00\x04\xc0\xa8\x00\x01", 8);  /* 192.168.0.1 */
    both(650, "\x03\x40\x01\x10\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
         20); /* 2001:db8::/64 */
    both(829, "\x08\x00\x2b\x01\x02\x03", 6);
    both(774, "\x08\x00\x2b\x01\x02\x03\x04\x05", 8);
    both(1560, "\x00\x00\x00\x0a\xa5\x40", 6); /* B'1010010101' */
    both(1562, "\x00\x00\x00\x00", 4);         /* B'' */

    array(23, NULL, 0, 0, false); /* '{}'::int4[] */
    array(25, "x", 1, 40, false);

    /* text_array_literal: NUL-separated items, "\x01" for NULL. */
    static const char lit1[] = "a\0\x01\0say \"hi\"\0back\\slash\0";
    write_file("text_array_literal", lit1, sizeof lit1 - 1);
    write_file("text_array_literal", "NULL\0\0{,}", 9);
    return 0;
}
