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
#include <unistd.h>

#include "analysis_json.h"
#include "arena.h"
#include "jsonout.h"
#include "lockfile.h"
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

/*
 * Each sample written as text (in insertion or sorted key order) equals
 * jansson's printing of the tree the same calls build, and reads back as
 * that tree.
 */
static void check_text_against_jansson(bool sorted)
{
    for (int variant = 0; variant < 3; variant++) {
        jsonout w;
        jsonout_tree(&w);
        write_sample(&w, variant);
        json_t *tree = jsonout_tree_take(&w);
        assert_non_null(tree);
        size_t order = sorted ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER;
        char *want = json_dumps(tree, JSON_INDENT(2) | order | JSON_ENCODE_ANY);
        assert_non_null(want);

        strbuf got = STRBUF_INIT;
        if (sorted)
            jsonout_text_sorted(&w, &got);
        else
            jsonout_text(&w, &got);
        write_sample(&w, variant);
        jsonout_release(&w);
        assert_string_equal(got.buf, want);

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

static void test_jsonout_text_is_what_jansson_prints(void **state)
{
    (void)state;
    check_text_against_jansson(false);
}

static void test_jsonout_sorted_text_is_what_jansson_prints_with_sorted_keys(void **state)
{
    (void)state;
    check_text_against_jansson(true);
}

/* The lock printed directly is what jansson prints for the same document. */
static void test_lock_text_is_the_rendered_lock_tree(void **state)
{
    (void)state;
    static const char analysis_text[] =
        "{\"queries\": [{\"name\": \"get_user\", \"file\": \"queries/u.sql\", \"line\": 1,"
        " \"command\": \"one\", \"doc\": \"Gets one.\\nBy id.\", \"sql\": \"SELECT id, name "
        "FROM users WHERE id = $1\", \"params\": [{\"name\": \"id\", \"number\": 1, \"type\": "
        "\"bigint\", \"type_oid\": 20, \"nullable\": false}], \"columns\": [{\"name\": \"id\","
        " \"type\": \"bigint\", \"type_oid\": 20, \"nullable\": false, \"source\": "
        "\"public.users.id\"}, {\"name\": \"name\", \"type\": \"text\", \"type_oid\": 25, "
        "\"nullable\": true, \"nullable_reason\": \"column users.name has no NOT NULL\"}]}],"
        " \"types\": [{\"kind\": \"enum\", \"name\": \"mood\", \"schema\": "
        "\"public\", \"typname\": \"mood\", \"labels\": [\"sad\", \"ok\"]}]}";
    json_error_t err;
    json_t *j = json_loads(analysis_text, 0, &err);
    assert_non_null(j);
    diag_list dl = DIAG_LIST_INIT;
    analysis *a = analysis_from_json(j, "test", "$.analysis", NULL, 0, &dl);
    if (!a)
        diag_list_print(&dl, stderr, false);
    assert_non_null(a);
    char dir[] = "/tmp/pgqc-test-lock-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s/b.sql", dir);
    snprintf(p2, sizeof p2, "%s/a.sql", dir);
    FILE *f = fopen(p1, "w");
    fputs("SELECT 1;\n", f);
    fclose(f);
    f = fopen(p2, "w");
    fputs("SELECT 2;\n", f);
    fclose(f);
    char *paths[] = {p1, p2}, *keys[] = {"queries/b.sql", "migrations/0001_a.sql"};

    lock_options opt = {0};
    char *got = lockfile_text(a, &opt, paths, keys, 2, &dl);
    assert_non_null(got);
    assert_int_equal(dl.errors, 0);
    /* jansson reads it back as the lock of `a`, and prints it with the same bytes */
    json_t *lock = json_loads(got, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(lock);
    char *dumped = json_dumps(lock, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *want = malloc(strlen(dumped) + 2);
    sprintf(want, "%s\n", dumped);
    assert_string_equal(got, want);
    assert_int_equal(json_integer_value(json_object_get(lock, "format")), LOCKFILE_FORMAT);
    const json_t *files = json_object_get(lock, "files");
    assert_int_equal(json_object_size(files), 2);
    assert_int_equal(strlen(json_string_value(json_object_get(files, "queries/b.sql"))), 64);
    assert_int_equal(strlen(json_string_value(json_object_get(files, "migrations/0001_a.sql"))),
                     64);
    json_t *tree = analysis_to_json(a, ANALYSIS_LOCK);
    assert_true(json_equal(json_object_get(lock, "analysis"), tree));

    /* an unreadable source: NULL and a diagnostic */
    char *missing[] = {p1, "/nonexistent/x.sql"};
    assert_null(lockfile_text(a, &opt, missing, keys, 2, &dl));
    assert_int_equal(dl.errors, 1);

    free(got);
    free(want);
    free(dumped);
    json_decref(tree);
    json_decref(lock);
    json_decref(j);
    analysis_free(a);
    diag_list_free(&dl);
    remove(p1);
    remove(p2);
    rmdir(dir);
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
        cmocka_unit_test(test_jsonout_sorted_text_is_what_jansson_prints_with_sorted_keys),
        cmocka_unit_test(test_lock_text_is_the_rendered_lock_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
