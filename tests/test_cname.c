/*
 * test_cname.c — unit tests of the gate between strings and generated C
 * (generator/cname.c), and of the runtime's own checks of what it decodes:
 * the result format in check_shape (runtime/conn.c, included here to reach
 * the static function) and numeric values at PostgreSQL's limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/conn.c"
#include "cname.h"
#include "pgqc/types.h"

static char *comment(const char *text)
{
    strbuf sb = STRBUF_INIT;
    cname_comment_inline(&sb, text);
    return strbuf_detach(&sb, NULL);
}

static void test_comment_text_cannot_close_or_splice_the_comment(void **state)
{
    (void)state;
    char *s = comment("a */ b /* c ?\?/ d\\\ne\x01 \xff \xe2\x80\xae ok \xc3\xa9");
    assert_null(strstr(s, "*/"));
    assert_null(strstr(s, "/*"));
    assert_null(strstr(s, "?\?/"));
    assert_null(strchr(s, '\n'));
    assert_null(strchr(s, '\x01'));
    assert_null(strstr(s, "\xe2\x80\xae")); /* a bidi override is shown, not kept */
    assert_non_null(strstr(s, "\\u202E"));
    assert_non_null(strstr(s, "\\xff"));
    assert_non_null(strstr(s, "\xc3\xa9")); /* well-formed UTF-8 stays readable */
    free(s);
    /* A line ending in a backslash would splice the next line into it. */
    strbuf sb = STRBUF_INIT;
    cname_comment(&sb, "C:\\dir\\\nnext", " * ");
    assert_string_equal(sb.buf, " * C:\\dir\\x5c\n * next\n");
    strbuf_release(&sb);
}

static void test_literals_escape_quotes_trigraphs_and_bytes(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    cname_literal(&sb, "\"?\?/\\\n\x7f\xc3"
                       "1");
    assert_string_equal(sb.buf, "\"\\\"?\\?/\\\\\\n\\177\\3031\"");
    strbuf_release(&sb);
}

static void test_long_strings_become_arrays(void **state)
{
    (void)state;
    char *big = malloc(5000);
    memset(big, '\'', 4999);
    big[4999] = '\0';
    strbuf sb = STRBUF_INIT;
    cname_string_array(&sb, "x_sql", "short\ntext");
    assert_string_equal(sb.buf, "static const char x_sql[] =\n    \"short\\n\"\n    \"text\";\n");
    strbuf_reset(&sb);
    cname_string_array(&sb, "x_sql", big);
    assert_non_null(strstr(sb.buf, "static const char x_sql[] = {\n    '\\'', '\\'',"));
    assert_non_null(strstr(sb.buf, "0};\n"));
    assert_null(strchr(sb.buf, '"'));
    strbuf_release(&sb);
    free(big);
}

static void test_names_clash_with_keywords_libraries_and_each_other(void **state)
{
    (void)state;
    cname_table *file = cname_table_new(CNAME_FILE, NULL);
    assert_true(cname_claim(file, "db_list_run", "query list_run"));
    assert_false(cname_claim(file, "db_list_run", "query list"));
    assert_string_equal(cname_problem(file, "db_list_run"), "query list_run");
    assert_non_null(cname_problem(file, "int64_t"));
    assert_non_null(cname_problem(file, "pgqc_exec"));
    assert_non_null(cname_problem(file, "PGQC_OK"));
    assert_non_null(cname_problem(file, "CONNECTION_OK"));
    assert_non_null(cname_problem(file, "strange_fn")); /* str + lower-case: libc's */
    assert_non_null(cname_problem(file, "a__b"));
    const char *fam[] = {"_opt"};
    char *e = cname_claim_family(file, "db_list", fam, 1, "enum list");
    assert_string_equal(e, "db_list"); /* db_list and db_list_opt were free */
    free(e);
    e = cname_claim_family(file, "db_list", fam, 1, "enum list, again");
    assert_string_equal(e, "db_list_2");
    free(e);

    cname_table *params = cname_table_new(CNAME_PARAMS, file);
    char *p = cname_local(params, "strlen", "param");
    assert_string_equal(p, "strlen_");
    free(p);
    p = cname_local(params, "db_list_run", "param");
    assert_string_equal(p, "db_list_run_2");
    free(p);
    p = cname_local(params, "int", "param");
    assert_string_equal(p, "int_");
    free(p);
    p = cname_local(params, "int", "param");
    assert_string_equal(p, "int_2");
    free(p);
    cname_table_free(params);

    cname_table *fields = cname_table_new(CNAME_FIELDS, NULL);
    p = cname_local(fields, "free", "column"); /* a member may be named like a function */
    assert_string_equal(p, "free");
    free(p);
    p = cname_local(fields, "stdin", "column"); /* but not like an object-like macro */
    assert_string_equal(p, "stdin_");
    free(p);
    cname_table_free(fields);
    cname_table_free(file);

    assert_true(cname_prefix_ok("db"));
    assert_false(cname_prefix_ok("pgqc"));
    assert_false(cname_prefix_ok("PGQC_app"));
    assert_false(cname_prefix_ok("string"));
    assert_false(cname_prefix_ok("_db"));
    assert_false(cname_prefix_ok("int"));
}

/* xorshift: the same "random" strings on every run. */
static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Undo cname_literal_body's escapes (the subset it writes). */
static size_t unescape_literal(const char *s, char *out)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        if (*p >= '0' && *p <= '7') {
            out[n++] = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
            p += 2;
        } else {
            out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
        }
    }
    return n;
}

static void test_random_text_never_escapes_its_comment_or_literal(void **state)
{
    (void)state;
    /* Bytes that matter to C's lexer, weighted towards trouble. */
    static const char alphabet[] = "*/?\\\"'\n\r\t =(!<>-)a#\x01\x7f\x80\xc3\xa9\xe2\x80\xae";
    uint32_t seed = 0x9e3779b9u;
    char in[64], back[64];
    for (int round = 0; round < 100000; round++) {
        size_t len = next_random(&seed) % 40;
        for (size_t i = 0; i < len; i++)
            in[i] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
        in[len] = '\0';

        strbuf sb = STRBUF_INIT;
        cname_comment(&sb, in, " * ");
        for (size_t i = 0; i < sb.len; i++) {
            unsigned char ch = (unsigned char)sb.buf[i];
            assert_false(ch == '*' && sb.buf[i + 1] == '/');
            assert_false(ch == '/' && sb.buf[i + 1] == '*');
            assert_false(ch == '\\' && (sb.buf[i + 1] == '\n' || sb.buf[i + 1] == '\0'));
            assert_false(ch == '?' && sb.buf[i + 1] == '?' && sb.buf[i + 2] &&
                         strchr("=(/)'<!>-", sb.buf[i + 2]));
            assert_true(ch == '\n' || ch == '\t' || ch >= 0x20);
            assert_true(ch != 0x7f);
        }
        strbuf_reset(&sb);
        cname_literal_body(&sb, in, len);
        for (size_t i = 0; i < sb.len; i++) {
            unsigned char ch = (unsigned char)sb.buf[i];
            assert_true(ch >= 0x20 && ch < 0x7f);
            assert_false(ch == '?' && sb.buf[i + 1] == '?');
            if (ch == '\\')
                i++; /* the escaped character */
            else
                assert_true(ch != '"');
        }
        assert_int_equal(unescape_literal(sb.buf, back), len);
        assert_memory_equal(back, in, len);
        strbuf_release(&sb);
    }
}

/* A binary numeric: ndigits, weight, sign, dscale, then base-10000 digits. */
static int numeric(char *buf, int ndigits, int weight, unsigned sign, int dscale,
                   const uint16_t *digits)
{
    uint16_t head[4] = {(uint16_t)ndigits, (uint16_t)weight, (uint16_t)sign, (uint16_t)dscale};
    for (int i = 0; i < 4; i++) {
        buf[2 * i] = (char)(head[i] >> 8);
        buf[2 * i + 1] = (char)(head[i] & 0xff);
    }
    for (int i = 0; i < ndigits; i++) {
        buf[8 + 2 * i] = (char)(digits[i] >> 8);
        buf[9 + 2 * i] = (char)(digits[i] & 0xff);
    }
    return 8 + 2 * ndigits;
}

static void test_numeric_decodes_the_full_range_of_postgresql(void **state)
{
    (void)state;
    char v[64];
    uint16_t one = 1;
    pgqc_arena a = {0};
    const char *s;
    /* 1e65540: weight 16,385 (over the old limit of 16,384). */
    int len = numeric(v, 1, 16385, 0, 0, &one);
    assert_true(pgqc_dec_numeric_text(v, len, &a, &s));
    assert_int_equal(strlen(s), 65541);
    assert_int_equal(s[0], '1');
    assert_int_equal(strspn(s + 1, "0"), 65540);
    /* The largest weight the format carries. */
    len = numeric(v, 1, 32767, 0x4000, 0, &one);
    assert_true(pgqc_dec_numeric_text(v, len, &a, &s));
    assert_int_equal(strlen(s), 1 + 1 + 4 * 32767);
    /* An invalid scale is still refused. */
    len = numeric(v, 1, 0, 0, 16384, &one);
    assert_false(pgqc_dec_numeric_text(v, len, &a, &s));
    pgqc_arena_free(&a);
    /* As double: beyond its range is an error, not infinity. */
    double d;
    len = numeric(v, 1, 16385, 0, 0, &one);
    assert_false(pgqc_dec_numeric_double(v, len, &d));
    len = numeric(v, 1, 2, 0, 0, &one);
    assert_true(pgqc_dec_numeric_double(v, len, &d));
    assert_true(d == 1e8);
}

static void test_a_text_format_result_is_a_schema_mismatch(void **state)
{
    (void)state;
    static const Oid types[] = {23};
    static const char *const names[] = {"n"};
    pgqc_query q = {"q", "q", "SELECT 1 AS n", 0, NULL, NULL, 1, types, names};
    struct pgqc_conn conn;
    memset(&conn, 0, sizeof conn);
    for (int format = 0; format < 2; format++) {
        PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
        PGresAttDesc col = {(char *)"n", 0, 0, format, 23, 4, -1};
        assert_true(PQsetResultAttrs(r, 1, &col));
        pgqc_status s = check_shape(&conn, &q, r);
        assert_int_equal(s, format ? PGQC_OK : PGQC_SCHEMA_MISMATCH);
        if (!format)
            assert_non_null(strstr(conn.err.message, "text format"));
        PQclear(r);
    }
    error_clear(&conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comment_text_cannot_close_or_splice_the_comment),
        cmocka_unit_test(test_literals_escape_quotes_trigraphs_and_bytes),
        cmocka_unit_test(test_long_strings_become_arrays),
        cmocka_unit_test(test_random_text_never_escapes_its_comment_or_literal),
        cmocka_unit_test(test_names_clash_with_keywords_libraries_and_each_other),
        cmocka_unit_test(test_numeric_decodes_the_full_range_of_postgresql),
        cmocka_unit_test(test_a_text_format_result_is_a_schema_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
