/*
 * test_parsing.c — unit tests for the machinery under query analysis that
 * needs no database: parse trees unpacked into an arena, the background
 * parsing pool (any thread count, trees taken in any order or not at all,
 * the same trees as a plain parse), and the JSON writer whose text must be
 * byte for byte what jansson prints for the tree it builds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonout.h"
#include "pgtree.h"
#include "strbuf.h"

/* ---- arena ---------------------------------------------------------------- */

static void test_arena_aligns_zeroes_and_grows(void **state)
{
    (void)state;
    arena a = ARENA_INIT;
    char *prev = NULL;
    for (size_t i = 1; i < 5000; i++) {
        char *p = arena_alloc(&a, i % 97 + 1);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t k = 0; k < i % 97 + 1; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, i % 97 + 1);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    char *big = arena_alloc(&a, 3 << 20); /* larger than any block: a block of its own */
    big[(3 << 20) - 1] = 1;
    assert_string_equal(arena_fmt(&a, "%s-%d", "x", 42), "x-42");
    assert_string_equal(arena_strdup(&a, "abc"), "abc");
    arena_free(&a);
    assert_null(a.head);
    arena_free(&a); /* twice is harmless */
}

/* ---- parse trees and the pool -------------------------------------------- */

/* A statement per index: valid ones of several kinds, and some syntax errors. */
static char *statement(size_t i)
{
    switch (i % 5) {
    case 0:
        return strdup("SELECT a, b FROM t WHERE a = $1");
    case 1:
        return strdup("INSERT INTO t (a) VALUES ($1) RETURNING a");
    case 2:
        return strdup("SELECT FROM WHERE"); /* a syntax error */
    case 3:
        return strdup("WITH x AS (SELECT 1 AS n) SELECT n FROM x LEFT JOIN t ON true");
    default: {
        char buf[64];
        snprintf(buf, sizeof buf, "UPDATE t SET b = %zu WHERE a = $1", i);
        return strdup(buf);
    }
    }
}

/* The tree from the pool matches a plain parse of the same text. */
static void assert_same_tree(const pgtree *got, const char *sql)
{
    pgtree want = pgtree_parse(sql);
    if (want.tree) {
        assert_non_null(got->tree);
        assert_null(got->error);
        assert_int_equal(got->tree->n_stmts, want.tree->n_stmts);
        assert_int_equal(got->tree->stmts[0]->stmt->node_case,
                         want.tree->stmts[0]->stmt->node_case);
    } else {
        assert_null(got->tree);
        assert_string_equal(got->error, want.error);
        assert_int_equal(got->error_pos, want.error_pos);
    }
    pgtree_free(&want);
}

static void run_pool(size_t n, unsigned threads, bool reverse, size_t take_only)
{
    char **sqls = calloc(n + 1, sizeof *sqls);
    for (size_t i = 0; i < n; i++)
        sqls[i] = statement(i);
    pgtree_pool *p = pgtree_pool_start((const char *const *)sqls, n, threads);
    for (size_t k = 0; k < take_only; k++) {
        size_t i = reverse ? n - 1 - k : k;
        pgtree t = pgtree_pool_take(p, i);
        assert_same_tree(&t, sqls[i]);
        pgtree_free(&t);
    }
    pgtree_pool_finish(p); /* frees what was not taken */
    for (size_t i = 0; i < n; i++)
        free(sqls[i]);
    free(sqls);
}

static void test_pool_without_threads_parses_on_demand(void **state)
{
    (void)state;
    run_pool(50, 0, false, 50);
    run_pool(50, 0, true, 50);
}

static void test_pool_with_threads_gives_the_same_trees(void **state)
{
    (void)state;
    run_pool(1000, 1, false, 1000);
    run_pool(1000, 3, false, 1000);
    run_pool(1000, 3, true, 1000); /* the last first: the caller parses ahead of the threads */
}

static void test_pool_finish_frees_untaken_trees(void **state)
{
    (void)state;
    run_pool(500, 2, false, 10); /* the rest freed (or never parsed) by finish */
    run_pool(500, 2, false, 0);
    run_pool(0, 2, false, 0);
}

static void test_pool_thread_count_is_bounded(void **state)
{
    (void)state;
    assert_int_equal(pgtree_pool_threads(0), 0);
    assert_int_equal(pgtree_pool_threads(10), 0); /* too few statements to be worth a thread */
    assert_true(pgtree_pool_threads(1000000) <= 8);
}

/* ---- jsonout -------------------------------------------------------------- */

/* Write one value through `w`: nesting, empty containers, awkward strings. */
static void write_sample(jsonout *w, int variant)
{
    if (variant == 1) {
        jsonout_array(w);
        jsonout_end(w);
        return;
    }
    if (variant == 2) {
        jsonout_str(w, "top-level string");
        return;
    }
    jsonout_object(w);
    jsonout_key(w, "name");
    jsonout_str(w, "plain");
    jsonout_key(w, "escapes");
    jsonout_str(w, "quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f bell \a x\x1f");
    jsonout_key(w, "utf8");
    jsonout_str(w, "na\xc3\xafve \xe2\x82\xac \xf0\x9f\x90\x98");
    jsonout_key(w, "key with \"quotes\"");
    jsonout_int(w, -9223372036854775807LL - 1);
    jsonout_key(w, "big");
    jsonout_int(w, 4294967295LL);
    jsonout_key(w, "t");
    jsonout_bool(w, true);
    jsonout_key(w, "f");
    jsonout_bool(w, false);
    jsonout_key(w, "empty_object");
    jsonout_object(w);
    jsonout_end(w);
    jsonout_key(w, "empty_array");
    jsonout_array(w);
    jsonout_end(w);
    jsonout_key(w, "nested");
    jsonout_array(w);
    for (int i = 0; i < 3; i++) {
        jsonout_object(w);
        jsonout_key(w, "i");
        jsonout_int(w, i);
        jsonout_key(w, "list");
        jsonout_array(w);
        for (int k = 0; k < i; k++)
            jsonout_str(w, "x");
        jsonout_end(w);
        jsonout_end(w);
    }
    jsonout_array(w);
    jsonout_array(w);
    jsonout_end(w);
    jsonout_end(w);
    jsonout_end(w);
    jsonout_key(w, "z_last_but_inserted_last");
    jsonout_str(w, "");
    jsonout_end(w);
}

static void test_jsonout_text_is_what_jansson_prints(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        jsonout w;
        jsonout_tree(&w);
        write_sample(&w, variant);
        json_t *tree = jsonout_tree_take(&w);
        assert_non_null(tree);
        char *want = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        assert_non_null(want);

        strbuf got = STRBUF_INIT;
        jsonout_text(&w, &got);
        write_sample(&w, variant);
        assert_string_equal(got.buf, want);

        /* and the text reads back as the same value */
        json_error_t err;
        json_t *back = json_loads(got.buf, JSON_DECODE_ANY, &err);
        assert_non_null(back);
        assert_true(json_equal(back, tree));
        json_decref(back);
        strbuf_release(&got);
        free(want);
        json_decref(tree);
    }
}

static void test_jsonout_tree_keeps_insertion_order(void **state)
{
    (void)state;
    jsonout w;
    jsonout_tree(&w);
    write_sample(&w, 0);
    json_t *tree = jsonout_tree_take(&w);
    const char *first = json_object_iter_key(json_object_iter(tree));
    assert_non_null(first);
    char *s = json_dumps(tree, JSON_PRESERVE_ORDER);
    assert_non_null(strstr(s, "{\"name\": \"plain\""));
    free(s);
    assert_null(jsonout_tree_take(&w)); /* taken once */
    json_decref(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_aligns_zeroes_and_grows),
        cmocka_unit_test(test_pool_without_threads_parses_on_demand),
        cmocka_unit_test(test_pool_with_threads_gives_the_same_trees),
        cmocka_unit_test(test_pool_finish_frees_untaken_trees),
        cmocka_unit_test(test_pool_thread_count_is_bounded),
        cmocka_unit_test(test_jsonout_text_is_what_jansson_prints),
        cmocka_unit_test(test_jsonout_tree_keeps_insertion_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
