/*
 * test_patterns.c — query patterns docs/queries.md documents, end to end:
 * code generated at build time from tests/patterns/ (compiled here with
 * -Werror), run against a throwaway database migrated from the same files.
 *
 *   - optional filters, `(:name? IS NULL OR display_name = :name)`, whose
 *     parameter PostgreSQL cannot type at its first use: pgqc types it from
 *     the other use, and NULL matches every row while a value filters;
 *   - existence checks, `SELECT FROM todos WHERE id = :id`: :one reports
 *     PGQC_OK or PGQC_NO_ROWS, :many the number of rows;
 *   - a parameter nothing types: the diagnostic is at the parameter and
 *     names the cast to add.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgqc/migrate.h>

#include "nullcase.h"
#include "pt.h"
#include "querysrc.h"
#include "strbuf.h"
#include "tmpdb.h"

static tmpdb *server;
static PGconn *pg;
static pgqc_conn *conn;

static void exec_sql(const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

static int group_setup(void **state)
{
    (void)state;
    if (!nullcase_start(&server, &pg))
        return -1;
    const char *root = getenv("PGQC_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/patterns/migrations", root ? root : ".");
    pgqc_migration_set *set;
    pgqc_migrate_result res;
    if (!pgqc_migration_set_load_dir(dir, &set, &res))
        return -1;
    pgqc_migrate_result_free(&res);
    res = pgqc_migrate_up(pg, set, NULL);
    bool ok = res.success && res.executed == set->count;
    pgqc_migrate_result_free(&res);
    pgqc_migration_set_free(set);
    if (!ok)
        return -1;
    exec_sql("INSERT INTO users VALUES (1, 'ann@example.com', 'Ann'), "
             "(2, 'bob@example.com', NULL), (3, 'cy@example.com', 'Cy')");
    exec_sql("INSERT INTO todos VALUES (10, 'write', false, 'high'), (11, 'read', true, 'low'), "
             "(12, 'rest', false, NULL), (13, 'write', false, 'low')");
    conn = pgqc_conn_wrap(pg);
    return conn ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    pgqc_conn_free(conn);
    nullcase_stop(server, pg);
    return 0;
}

/* The ids `res` returned, as "1,3". */
#define IDS(res, buf)                                                                              \
    do {                                                                                           \
        buf[0] = '\0';                                                                             \
        for (size_t i_ = 0; i_ < (res).count; i_++)                                                \
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%lld", i_ ? "," : "",         \
                     (long long)(res).rows[i_].id);                                                \
    } while (0)

static void check_optional_filter(void)
{
    char ids[128];
    pt_find_users_rows all, one, none;
    assert_int_equal(pt_find_users(conn, NULL, &all), PGQC_OK);
    IDS(all, ids);
    assert_string_equal(ids, "1,2,3");
    assert_string_equal(all.rows[1].email, "bob@example.com");
    pt_find_users_rows_free(&all);

    assert_int_equal(pt_find_users(conn, "Cy", &one), PGQC_OK);
    IDS(one, ids);
    assert_string_equal(ids, "3");
    pt_find_users_rows_free(&one);

    assert_int_equal(pt_find_users(conn, "Nobody", &none), PGQC_OK);
    assert_int_equal(none.count, 0);
    pt_find_users_rows_free(&none);
}

static void test_optional_filter_null_matches_every_row_a_value_filters(void **state)
{
    (void)state;
    check_optional_filter();
}

static void test_optional_filter_works_with_unnamed_statements(void **state)
{
    (void)state;
    pgqc_conn_set_unnamed_statements(conn, true);
    check_optional_filter();
    pgqc_conn_set_unnamed_statements(conn, false);
}

static void test_optional_filter_on_an_enum(void **state)
{
    (void)state;
    char ids[128];
    pt_todos_by_priority_rows r;
    assert_int_equal(pt_todos_by_priority(conn, NULL, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "10,11,12,13");
    pt_todos_by_priority_rows_free(&r);
    pt_priority low = PT_PRIORITY_LOW;
    assert_int_equal(pt_todos_by_priority(conn, &low, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "11,13");
    pt_todos_by_priority_rows_free(&r);
}

static void test_two_optional_filters_combine(void **state)
{
    (void)state;
    char ids[128];
    pt_todos_matching_rows r;
    bool done = false;
    assert_int_equal(pt_todos_matching(conn, NULL, NULL, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "10,11,12,13");
    pt_todos_matching_rows_free(&r);
    assert_int_equal(pt_todos_matching(conn, "write", NULL, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "10,13");
    pt_todos_matching_rows_free(&r);
    assert_int_equal(pt_todos_matching(conn, "", &done, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "10,12,13");
    pt_todos_matching_rows_free(&r);
    done = true;
    assert_int_equal(pt_todos_matching(conn, "read", &done, &r), PGQC_OK);
    IDS(r, ids);
    assert_string_equal(ids, "11");
    pt_todos_matching_rows_free(&r);
}

static void test_existence_check_one_is_ok_or_no_rows(void **state)
{
    (void)state;
    assert_int_equal(pt_todo_exists(conn, 10), PGQC_OK);
    assert_int_equal(pt_todo_exists(conn, 99), PGQC_NO_ROWS);
    assert_int_equal(pt_todo_exists(NULL, 10), PGQC_MISUSE);
}

static void test_existence_check_many_counts_rows(void **state)
{
    (void)state;
    size_t n = 99;
    assert_int_equal(pt_count_open_todos(conn, NULL, &n), PGQC_OK);
    assert_int_equal(n, 3);
    pt_priority high = PT_PRIORITY_HIGH, low = PT_PRIORITY_LOW;
    assert_int_equal(pt_count_open_todos(conn, &high, &n), PGQC_OK);
    assert_int_equal(n, 1);
    exec_sql("UPDATE todos SET done = true WHERE prio = 'high'");
    assert_int_equal(pt_count_open_todos(conn, &high, &n), PGQC_OK);
    assert_int_equal(n, 0);
    exec_sql("UPDATE todos SET done = false WHERE prio = 'high'");
    assert_int_equal(pt_count_open_todos(conn, &low, &n), PGQC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(pt_count_open_todos(conn, NULL, NULL), PGQC_MISUSE);
}

/* Analyse one annotated query on the test database; the diagnostics text, or NULL. */
static char *diagnostics_of(const char *query, analysis **a)
{
    char *err = NULL;
    *a = nullcase_analyze(pg, "patterns", query, &err);
    return err;
}

static void test_analysis_casts_the_untyped_use_and_keeps_the_parameter_nullable(void **state)
{
    (void)state;
    analysis *a;
    char *err =
        diagnostics_of("-- name: q :many\n"
                       "SELECT id FROM users WHERE (:name? IS NULL OR display_name = :name)",
                       &a);
    if (err)
        fail_msg("%s", err);
    const an_query *q = &a->queries[0];
    assert_string_equal(q->sql,
                        "SELECT id FROM users WHERE (($1::text) IS NULL OR display_name = $1)");
    assert_int_equal(q->nparams, 1);
    assert_string_equal(q->params[0].type_name, "text");
    assert_true(q->params[0].nullable);
    analysis_free(a);
}

static void test_parameter_nothing_types_gets_a_cast_hint_at_its_position(void **state)
{
    (void)state;
    analysis *a;
    char *err = diagnostics_of("-- name: q :many\n"
                               "SELECT id FROM users\n"
                               "WHERE :flag? IS NULL OR coalesce(:other, :other) IS NULL",
                               &a);
    assert_null(a);
    assert_non_null(err);
    if (!strstr(err, "patterns.sql:3:7: error: could not determine data type of parameter $1") ||
        !strstr(err, "hint: nothing else in the statement gives :flag a type") ||
        !strstr(err, ":flag?::text"))
        fail_msg("unexpected diagnostics:\n%s", err);
    free(err);

    /* Positional parameters get the same, written as they are. */
    err = diagnostics_of("-- name: q :one\nSELECT $1 IS NULL AS x", &a);
    assert_null(a);
    if (!err || !strstr(err, "patterns.sql:2:8:") || !strstr(err, "$1::text"))
        fail_msg("unexpected diagnostics:\n%s", err ? err : "(none)");
    free(err);
}

/* The typed statement's other errors keep their own position in the file. */
static void test_other_errors_after_typing_point_into_the_file(void **state)
{
    (void)state;
    analysis *a;
    char *err = diagnostics_of("-- name: q :many\n"
                               "SELECT id FROM users WHERE (:n? IS NULL OR display_name = :n) "
                               "AND emial = 'x'",
                               &a);
    assert_null(a);
    if (!err || !strstr(err, "patterns.sql:2:67: error: column \"emial\" does not exist"))
        fail_msg("unexpected diagnostics:\n%s", err ? err : "(none)");
    free(err);
}

/* Over the protocol's 65,535 parameters: a diagnostic naming the limit, nothing sent. */
static void test_too_many_parameters_are_refused_before_the_server_sees_them(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "-- name: wide :many\nSELECT id FROM users WHERE id IN (\n");
    for (size_t i = 0; i <= QUERY_MAX_PARAMS; i++)
        strbuf_addf(&sb, "%s:p%zu\n", i ? ", " : "", i);
    strbuf_addstr(&sb, ")");
    analysis *a;
    char *err = diagnostics_of(sb.buf, &a);
    assert_null(a);
    if (!err || !strstr(err, "patterns.sql:65538:3: error: query \"wide\" has more than 65535 "
                             "parameters"))
        fail_msg("unexpected diagnostics:\n%.2000s", err ? err : "(none)");
    free(err);
    strbuf_release(&sb);
    /* The connection is still in step. */
    PGresult *r = PQexec(pg, "SELECT 1");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optional_filter_null_matches_every_row_a_value_filters),
        cmocka_unit_test(test_optional_filter_works_with_unnamed_statements),
        cmocka_unit_test(test_optional_filter_on_an_enum),
        cmocka_unit_test(test_two_optional_filters_combine),
        cmocka_unit_test(test_existence_check_one_is_ok_or_no_rows),
        cmocka_unit_test(test_existence_check_many_counts_rows),
        cmocka_unit_test(test_analysis_casts_the_untyped_use_and_keeps_the_parameter_nullable),
        cmocka_unit_test(test_parameter_nothing_types_gets_a_cast_hint_at_its_position),
        cmocka_unit_test(test_other_errors_after_typing_point_into_the_file),
        cmocka_unit_test(test_too_many_parameters_are_refused_before_the_server_sees_them),
    };
    return cmocka_run_group_tests_name("patterns", tests, group_setup, group_teardown);
}
