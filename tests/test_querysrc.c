/*
 * test_querysrc.c — unit tests for reading annotated query files:
 * annotations, doc comments, parameters (and everything that is not a
 * parameter), rewriting to $n, and the position map back to the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "querysrc.h"
#include "strbuf.h"

static query_file *parse_ok(const char *text)
{
    diag_list dl = DIAG_LIST_INIT;
    query_file *f = NULL;
    bool ok = query_file_parse("q.sql", text, &f, &dl);
    if (!ok || dl.errors)
        diag_list_print(&dl, stderr, false);
    assert_true(ok);
    assert_int_equal(dl.errors, 0);
    diag_list_free(&dl);
    return f;
}

/* Parse text expected to fail; return the first error message (static copy). */
static const char *parse_error(const char *text, char *hint_out, size_t hint_len, int *line,
                               int *col)
{
    static char msg[512];
    diag_list dl = DIAG_LIST_INIT;
    query_file *f = NULL;
    assert_false(query_file_parse("q.sql", text, &f, &dl));
    assert_true(dl.errors > 0);
    const diag *d = NULL;
    for (size_t i = 0; i < dl.nr && !d; i++)
        if (dl.items[i].severity == DIAG_ERROR)
            d = &dl.items[i];
    snprintf(msg, sizeof msg, "%s", d->message);
    if (hint_out)
        snprintf(hint_out, hint_len, "%s", d->hint ? d->hint : "");
    if (line)
        *line = d->line;
    if (col)
        *col = d->col;
    diag_list_free(&dl);
    query_file_free(f);
    return msg;
}

static void test_annotation_name_command_and_doc(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: get_user :one\n"
                             "-- Returns one user.\n"
                             "-- Second line.\n"
                             "SELECT id FROM users WHERE id = :id;\n");
    assert_int_equal(f->nqueries, 1);
    const query_src *q = &f->queries[0];
    assert_string_equal(q->name, "get_user");
    assert_int_equal(q->cmd, CMD_ONE);
    assert_int_equal(q->line, 1);
    assert_string_equal(q->doc, "Returns one user.\nSecond line.");
    assert_string_equal(q->sql, "SELECT id FROM users WHERE id = $1");
    assert_int_equal(q->nparams, 1);
    assert_string_equal(q->params[0].name, "id");
    query_file_free(f);
}

static void test_every_command_is_recognised(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: a :one\nSELECT 1;\n-- name: b :many\nSELECT 1;\n"
                             "-- name: c :iter\nSELECT 1;\n-- name: d :exec\nSELECT 1;\n"
                             "-- name: e :execrows\nSELECT 1;\n");
    assert_int_equal(f->nqueries, 5);
    assert_int_equal(f->queries[0].cmd, CMD_ONE);
    assert_int_equal(f->queries[1].cmd, CMD_MANY);
    assert_int_equal(f->queries[2].cmd, CMD_ITER);
    assert_int_equal(f->queries[3].cmd, CMD_EXEC);
    assert_int_equal(f->queries[4].cmd, CMD_EXECROWS);
    assert_int_equal(f->queries[4].line, 9);
    query_file_free(f);
}

static void test_same_named_parameter_twice_is_one_parameter(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: q :many\n"
                             "SELECT * FROM t WHERE a = :x OR b = :y OR c = :x;");
    const query_src *q = &f->queries[0];
    assert_string_equal(q->sql, "SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1");
    assert_int_equal(q->nparams, 2);
    assert_string_equal(q->params[0].name, "x");
    assert_string_equal(q->params[1].name, "y");
    query_file_free(f);
}

static void test_at_sign_and_keyword_names_are_parameters(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: q :many\nSELECT * FROM t WHERE a = @name LIMIT :limit;");
    const query_src *q = &f->queries[0];
    assert_string_equal(q->sql, "SELECT * FROM t WHERE a = $1 LIMIT $2");
    assert_string_equal(q->params[1].name, "limit");
    query_file_free(f);
}

static void test_positional_parameters_are_kept(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: q :many\nSELECT * FROM t WHERE b = $2 AND a = $1;");
    const query_src *q = &f->queries[0];
    assert_string_equal(q->sql, "SELECT * FROM t WHERE b = $2 AND a = $1");
    assert_int_equal(q->nparams, 2);
    assert_int_equal(q->params[0].number, 1);
    assert_string_equal(q->params[0].name, "p1");
    query_file_free(f);
}

static void test_non_parameters_are_left_alone(void **state)
{
    (void)state;
    const char *sql =
        "SELECT x::int, arr[1:2], arr[lo:hi], ':nope', E'\\':nope', $$ :nope $$, $t$:no$t$, "
        "j ? 'k', j @> '{}', j ?| array['a'], \":quoted\" /* :c */ -- :line\n"
        "FROM t";
    char *text = malloc(strlen(sql) + 64);
    sprintf(text, "-- name: q :many\n%s;", sql);
    query_file *f = parse_ok(text);
    const query_src *q = &f->queries[0];
    assert_int_equal(q->nparams, 0);
    assert_string_equal(q->sql, sql);
    query_file_free(f);
    free(text);
}

static void test_nullability_overrides_on_parameters(void **state)
{
    (void)state;
    query_file *f = parse_ok("-- name: q :exec\nUPDATE t SET a = :a?, b = :b! WHERE id = :id;");
    const query_src *q = &f->queries[0];
    assert_string_equal(q->sql, "UPDATE t SET a = $1, b = $2 WHERE id = $3");
    assert_int_equal(q->params[0].override, NULL_FORCE_NULLABLE);
    assert_int_equal(q->params[1].override, NULL_FORCE_NOT_NULL);
    assert_int_equal(q->params[2].override, NULL_INFER);
    query_file_free(f);
}

static void test_position_map_points_back_into_the_file(void **state)
{
    (void)state;
    const char *text = "-- name: q :one\nSELECT a FROM t WHERE id = :identifier AND zz = 1;";
    query_file *f = parse_ok(text);
    const query_src *q = &f->queries[0];
    /* "zz" in the rewritten SQL maps to "zz" in the file. */
    const char *in_sql = strstr(q->sql, "zz");
    size_t off = query_map_offset(q, (size_t)(in_sql - q->sql));
    assert_int_equal(off, (size_t)(strstr(text, "zz") - text));
    /* Inside "$1" maps to the start of ":identifier". */
    off = query_map_offset(q, (size_t)(strstr(q->sql, "$1") - q->sql) + 1);
    assert_int_equal(off, (size_t)(strstr(text, ":identifier") - text));
    /* PostgreSQL's 1-based character position of "zz". */
    off = query_map_pg_position(q, (long)(in_sql - q->sql) + 1);
    assert_int_equal(off, (size_t)(strstr(text, "zz") - text));
    query_file_free(f);
}

static void test_unknown_command_suggests_the_nearest(void **state)
{
    (void)state;
    char hint[256];
    int line, col;
    const char *msg = parse_error("-- name: q :mnay\nSELECT 1;", hint, sizeof hint, &line, &col);
    assert_string_equal(msg, "unknown query command \":mnay\"");
    assert_non_null(strstr(hint, "did you mean \":many\"?"));
    assert_int_equal(line, 1);
    assert_int_equal(col, 12);
}

static void test_sqlc_only_command_names_the_alternative(void **state)
{
    (void)state;
    char hint[256];
    parse_error("-- name: q :execresult\nDELETE FROM t;", hint, sizeof hint, NULL, NULL);
    assert_non_null(strstr(hint, ":execrows"));
}

static void test_statement_without_annotation_is_an_error(void **state)
{
    (void)state;
    int line, col;
    const char *msg = parse_error("-- just a comment\n\nSELECT 1;\n", NULL, 0, &line, &col);
    assert_string_equal(msg, "statement has no `-- name:` annotation");
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
}

static void test_two_statements_under_one_annotation_is_an_error(void **state)
{
    (void)state;
    int line;
    const char *msg =
        parse_error("-- name: q :exec\nDELETE FROM a;\nDELETE FROM b;\n", NULL, 0, &line, NULL);
    assert_non_null(strstr(msg, "a second statement under the annotation of query \"q\""));
    assert_int_equal(line, 3);
}

static void test_annotation_without_statement_is_an_error(void **state)
{
    (void)state;
    const char *msg =
        parse_error("-- name: q :exec\n-- name: r :exec\nSELECT 1;", NULL, 0, NULL, NULL);
    assert_non_null(strstr(msg, "has no statement"));
}

static void test_malformed_annotations_are_errors(void **state)
{
    (void)state;
    assert_non_null(
        strstr(parse_error("-- name: q\nSELECT 1;", NULL, 0, NULL, NULL), "missing command"));
    assert_non_null(strstr(parse_error("-- name: 9q :one\nSELECT 1;", NULL, 0, NULL, NULL),
                           "invalid query name"));
    assert_non_null(strstr(parse_error("-- name: q :one extra\nSELECT 1;", NULL, 0, NULL, NULL),
                           "unexpected text"));
}

static void test_mixing_named_and_positional_is_an_error(void **state)
{
    (void)state;
    assert_non_null(
        strstr(parse_error("-- name: q :one\nSELECT $1, :a;", NULL, 0, NULL, NULL), "mixes named"));
}

static void test_gap_in_positional_parameters_is_an_error(void **state)
{
    (void)state;
    assert_non_null(
        strstr(parse_error("-- name: q :one\nSELECT $1, $3;", NULL, 0, NULL, NULL), "$2"));
}

static void test_unterminated_string_reports_position(void **state)
{
    (void)state;
    int line;
    parse_error("-- name: q :one\nSELECT 'abc;\n", NULL, 0, &line, NULL);
    assert_int_equal(line, 2);
}

/* ---- large files: scanned in pieces on several cores ----------------------- */

/* `n` queries, q0..q{n-1}, each with a named parameter; `semi`: end each with ';'. */
static char *big_file(size_t n, bool semi, const char *middle)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (middle && i == n / 2)
            strbuf_addstr(&sb, middle);
        strbuf_addf(&sb,
                    "-- name: q%zu :many\n-- doc %zu\nSELECT id, 'it''s; -- not a comment' AS s\n"
                    "FROM t WHERE id > :min_id AND note = 'x' -- trailing\n  LIMIT %zu%s\n\n",
                    i, i, i, semi ? ";" : "");
    }
    return strbuf_detach(&sb, NULL);
}

/* Every query where a one-piece scan would put it: name, line, SQL, parameter. */
static void assert_big_file_queries(const query_file *f, size_t n, int extra_lines)
{
    assert_int_equal(f->nqueries, n);
    for (size_t i = 0; i < n; i++) {
        const query_src *q = &f->queries[i];
        char name[32], sql[160];
        snprintf(name, sizeof name, "q%zu", i);
        assert_string_equal(q->name, name);
        assert_int_equal(q->line, (int)(1 + 6 * i) + (i >= n / 2 ? extra_lines : 0));
        snprintf(sql, sizeof sql,
                 "SELECT id, 'it''s; -- not a comment' AS s\n"
                 "FROM t WHERE id > $1 AND note = 'x' -- trailing\n  LIMIT %zu",
                 i);
        assert_string_equal(q->sql, sql);
        assert_int_equal(q->nparams, 1);
        assert_string_equal(q->params[0].name, "min_id");
        /* offsets point into the whole file */
        assert_memory_equal(f->text + q->annot_offset, "-- name: ", 9);
        assert_memory_equal(f->text + q->sql_offset, "SELECT id", 9);
    }
}

static void test_large_file_scanned_in_pieces_matches_one_scan(void **state)
{
    (void)state;
    char *text = big_file(3000, true, NULL); /* ~400 KB: several pieces */
    assert_true(strlen(text) > 4 * 64 * 1024);
    query_file *f = parse_ok(text);
    assert_big_file_queries(f, 3000, 0);
    query_file_free(f);
    free(text);
}

static void test_large_file_without_semicolons_falls_back_to_one_scan(void **state)
{
    (void)state;
    char *text = big_file(3000, false, NULL);
    query_file *f = parse_ok(text);
    assert_big_file_queries(f, 3000, 0);
    query_file_free(f);
    free(text);
}

static void test_large_file_cut_inside_a_string_is_not_an_annotation(void **state)
{
    (void)state;
    /* A dollar-quoted string full of lines that look like annotations, long
     * enough that a cut lands inside it. */
    strbuf mid = STRBUF_INIT;
    strbuf_addstr(&mid, "-- name: body :one\nSELECT $$\n");
    for (int i = 0; i < 20000; i++)
        strbuf_addf(&mid, "-- name: fake%d :one\n", i);
    strbuf_addstr(&mid, "$$ AS body;\n\n");
    char *text = big_file(1000, true, mid.buf);
    query_file *f = parse_ok(text);
    assert_int_equal(f->nqueries, 1001);
    const query_src *body = &f->queries[500];
    assert_string_equal(body->name, "body");
    assert_int_equal(body->nparams, 0);
    assert_string_equal(f->queries[501].name, "q500");
    assert_int_equal(f->queries[501].line, 1 + 6 * 500 + 20000 + 4);
    query_file_free(f);
    strbuf_release(&mid);
    free(text);
}

static void test_large_file_error_position_is_in_the_whole_file(void **state)
{
    (void)state;
    char *good = big_file(3000, true, NULL);
    strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, good);
    strbuf_addstr(&sb, "-- name: broken :one\nSELECT 'unterminated\n");
    int line = 0, col = 0;
    const char *msg = parse_error(sb.buf, NULL, 0, &line, &col);
    assert_non_null(strstr(msg, "unterminated quoted string"));
    assert_int_equal(line, 6 * 3000 + 2);
    assert_int_equal(col, 8);
    strbuf_release(&sb);
    free(good);
}

/* ---- file encoding and limits ---------------------------------------------- */

/* Parse `len` bytes expected to fail; the first error, its line and column. */
static const diag *bytes_error(const char *text, size_t len, diag_list *dl)
{
    query_file *f = NULL;
    assert_false(query_file_parse_bytes("q.sql", text, len, &f, dl));
    query_file_free(f);
    for (size_t i = 0; i < dl->nr; i++)
        if (dl->items[i].severity == DIAG_ERROR)
            return &dl->items[i];
    fail_msg("no error reported");
    return NULL;
}

static void test_byte_order_mark_is_ignored(void **state)
{
    (void)state;
    query_file *f = parse_ok("\xEF\xBB\xBF-- name: get_one :one\nSELECT 1 AS one;\n");
    assert_int_equal(f->nqueries, 1);
    assert_string_equal(f->queries[0].name, "get_one");
    assert_int_equal(f->queries[0].line, 1);
    assert_string_equal(f->queries[0].sql, "SELECT 1 AS one");
    query_file_free(f);
    /* Columns on the first line do not count the mark. */
    int line = 0, col = 0;
    parse_error("\xEF\xBB\xBF-- name: q :mnay\nSELECT 1;\n", NULL, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 12);
}

/* Every byte (sequence) that is not UTF-8 is reported at its own line and column. */
static void test_invalid_utf8_is_reported_at_its_byte(void **state)
{
    (void)state;
    static const struct {
        const char *bytes; /* placed after "SELECT 'é" on line 4 */
        const char *what;
    } bad[] = {
        {"\xFF", "0xFF"},
        {"\x80", "stray continuation byte"},
        {"\xC0\xAF", "overlong"},
        {"\xE0\x80\xAF", "overlong, 3 bytes"},
        {"\xED\xA0\x80", "surrogate"},
        {"\xF4\x90\x80\x80", "above U+10FFFF"},
        {"\xE2\x82", "truncated"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text =
            xstrfmt("-- name: a :one\nSELECT 1;\n\n-- name: b :one\nSELECT 'é%s';\n", bad[i].bytes);
        /* the query line is line 5: "SELECT 'é" is 9 characters, the bad byte the 10th */
        diag_list dl = DIAG_LIST_INIT;
        const diag *d = bytes_error(text, strlen(text), &dl);
        if (d->line != 5 || d->col != 10 || !strstr(d->message, "UTF-8"))
            fail_msg("%s: got %d:%d %s", bad[i].what, d->line, d->col, d->message);
        /* The source line shown is valid text: the bad bytes became '?'. */
        assert_non_null(d->source);
        assert_non_null(strstr(d->source, "SELECT 'é?"));
        diag_list_free(&dl);
        free(text);
    }
    /* Well-formed multi-byte text of every length is accepted. */
    query_file *f = parse_ok("-- name: a :one\nSELECT 'é € 𝄞 \xF4\x8F\xBF\xBF' AS s;\n");
    query_file_free(f);
}

static void test_nul_byte_is_reported_with_its_line(void **state)
{
    (void)state;
    static const char text[] = "-- name: a :one\nSELECT 1;\n-- name: b :one\nSELECT 'x\0y';\n";
    diag_list dl = DIAG_LIST_INIT;
    const diag *d = bytes_error(text, sizeof text - 1, &dl);
    assert_int_equal(d->line, 4);
    assert_int_equal(d->col, 10);
    assert_non_null(strstr(d->message, "NUL"));
    diag_list_free(&dl);
}

/* `count` distinct named parameters in one statement. */
static char *many_params(size_t count)
{
    strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "-- name: wide :exec\nSELECT\n");
    for (size_t i = 0; i < count; i++)
        strbuf_addf(&sb, "%s:p%zu\n", i ? ", " : "", i);
    strbuf_addstr(&sb, ";\n");
    return strbuf_detach(&sb, NULL);
}

static void test_more_than_65535_parameters_is_an_error_naming_the_limit(void **state)
{
    (void)state;
    char *text = many_params(QUERY_MAX_PARAMS);
    query_file *f = parse_ok(text);
    assert_int_equal(f->queries[0].nparams, 65535);
    query_file_free(f);
    free(text);

    text = many_params(QUERY_MAX_PARAMS + 1);
    /* The query stays in the file's list, without SQL: nothing is sent for it. */
    diag_list dl = DIAG_LIST_INIT;
    assert_false(query_file_parse("q.sql", text, &f, &dl));
    assert_int_equal(f->nqueries, 1);
    assert_null(f->queries[0].sql);
    query_file_free(f);
    diag_list_free(&dl);
    int line = 0, col = 0;
    const char *msg = parse_error(text, NULL, 0, &line, &col);
    assert_non_null(strstr(msg, "65535"));
    assert_int_equal(line, 3 + 65535); /* the 65,536th parameter's line */
    free(text);

    msg = parse_error("-- name: q :one\nSELECT $65536;\n", NULL, 0, &line, &col);
    assert_non_null(strstr(msg, "65535"));
    assert_int_equal(line, 2);
    assert_int_equal(col, 8);
    msg = parse_error("-- name: q :one\nSELECT $99999999999999999999999;\n", NULL, 0, &line, &col);
    assert_non_null(strstr(msg, "65535"));
    msg = parse_error("-- name: q :one\nSELECT $0;\n", NULL, 0, &line, &col);
    assert_string_equal(msg, "there is no parameter $0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotation_name_command_and_doc),
        cmocka_unit_test(test_every_command_is_recognised),
        cmocka_unit_test(test_same_named_parameter_twice_is_one_parameter),
        cmocka_unit_test(test_at_sign_and_keyword_names_are_parameters),
        cmocka_unit_test(test_positional_parameters_are_kept),
        cmocka_unit_test(test_non_parameters_are_left_alone),
        cmocka_unit_test(test_nullability_overrides_on_parameters),
        cmocka_unit_test(test_position_map_points_back_into_the_file),
        cmocka_unit_test(test_unknown_command_suggests_the_nearest),
        cmocka_unit_test(test_sqlc_only_command_names_the_alternative),
        cmocka_unit_test(test_statement_without_annotation_is_an_error),
        cmocka_unit_test(test_two_statements_under_one_annotation_is_an_error),
        cmocka_unit_test(test_annotation_without_statement_is_an_error),
        cmocka_unit_test(test_malformed_annotations_are_errors),
        cmocka_unit_test(test_mixing_named_and_positional_is_an_error),
        cmocka_unit_test(test_gap_in_positional_parameters_is_an_error),
        cmocka_unit_test(test_unterminated_string_reports_position),
        cmocka_unit_test(test_large_file_scanned_in_pieces_matches_one_scan),
        cmocka_unit_test(test_large_file_without_semicolons_falls_back_to_one_scan),
        cmocka_unit_test(test_large_file_cut_inside_a_string_is_not_an_annotation),
        cmocka_unit_test(test_large_file_error_position_is_in_the_whole_file),
        cmocka_unit_test(test_byte_order_mark_is_ignored),
        cmocka_unit_test(test_invalid_utf8_is_reported_at_its_byte),
        cmocka_unit_test(test_nul_byte_is_reported_with_its_line),
        cmocka_unit_test(test_more_than_65535_parameters_is_an_error_naming_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
