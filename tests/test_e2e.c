/*
 * test_e2e.c — the generated demo code (examples/, generated at build time
 * from migrations/ and queries/ by the embedded default) running against a
 * real, freshly migrated PostgreSQL: values come back equal, NULLs come back
 * as NULL pointers / invalid opts, every command works, and runtime
 * failures (constraint violations, schema drift, unexpected NULLs,
 * forgotten statements) become statuses, never garbage.
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

#include "db.h"
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
    char *err = NULL;
    tmpdb_failure why;
    server = tmpdb_start(&err, &why);
    if (!server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err);
        return -1;
    }
    pg = PQconnectdb(tmpdb_conninfo(server));
    if (PQstatus(pg) != CONNECTION_OK)
        return -1;
    const char *root = getenv("PGQC_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/migrations", root ? root : ".");
    pgqc_migration_set *set;
    pgqc_migrate_result res;
    if (!pgqc_migration_set_load_dir(dir, &set, &res))
        return -1;
    pgqc_migrate_result_free(&res);
    res = pgqc_migrate_up(pg, set, NULL);
    bool ok = res.success && res.executed == set->count;
    pgqc_migrate_result_free(&res);
    pgqc_migration_set_free(set);
    conn = pgqc_conn_wrap(pg);
    return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    pgqc_conn_free(conn);
    PQfinish(pg);
    tmpdb_stop(server);
    return 0;
}

static void test_one_returns_values_and_nulls(void **state)
{
    (void)state;
    db_create_user_row a, b;
    int32_t age = 41;
    assert_int_equal(db_create_user(conn, "a@example.com", "Ann \xc3\xa9", &age, &a), PGQC_OK);
    assert_true(a.id > 0);
    assert_string_equal(a.email, "a@example.com");
    assert_string_equal(a.display_name, "Ann \xc3\xa9");
    assert_true(a.age.valid);
    assert_int_equal(a.age.value, 41);
    assert_true(a.created_at.usec > 0);

    assert_int_equal(db_create_user(conn, "b@example.com", NULL, NULL, &b), PGQC_OK);
    assert_null(b.display_name);
    assert_false(b.age.valid);

    db_get_user_row g;
    assert_int_equal(db_get_user(conn, a.id, &g), PGQC_OK);
    assert_int_equal(g.id, a.id);
    assert_string_equal(g.display_name, "Ann \xc3\xa9");
    assert_int_equal(g.created_at.usec, a.created_at.usec);
    db_get_user_row_free(&g);
    db_create_user_row_free(&a);
    db_create_user_row_free(&b);
}

static void test_one_without_a_row_is_no_rows(void **state)
{
    (void)state;
    db_get_user_row g;
    assert_int_equal(db_get_user(conn, -1, &g), PGQC_NO_ROWS);
    db_get_user_row_free(&g); /* harmless after NO_ROWS */
}

static void test_many_returns_every_row_in_order(void **state)
{
    (void)state;
    db_list_users_rows rows;
    assert_int_equal(db_list_users(conn, &rows), PGQC_OK);
    assert_int_equal(rows.count, 2);
    assert_string_equal(rows.rows[0].email, "a@example.com");
    assert_true(rows.rows[0].age.valid);
    assert_string_equal(rows.rows[1].email, "b@example.com");
    assert_null(rows.rows[1].display_name);
    assert_false(rows.rows[1].age.valid);
    db_list_users_rows_free(&rows);
    assert_null(rows.rows);
}

static void test_left_join_null_side_comes_back_null(void **state)
{
    (void)state;
    db_get_user_row u;
    db_list_users_rows all;
    assert_int_equal(db_list_users(conn, &all), PGQC_OK);
    int64_t author = all.rows[0].id;
    db_list_users_rows_free(&all);
    float score = 2.5f;
    db_create_post_row p1, p2;
    assert_int_equal(db_create_post(conn, &author, "with author", "b", &score, true, &p1), PGQC_OK);
    assert_int_equal(db_create_post(conn, NULL, "orphan", "", NULL, true, &p2), PGQC_OK);
    db_posts_with_author_rows rows;
    assert_int_equal(db_posts_with_author(conn, true, 10, &rows), PGQC_OK);
    assert_int_equal(rows.count, 2);
    assert_string_equal(rows.rows[0].author_email, "a@example.com");
    assert_true(rows.rows[0].score.valid);
    assert_true(rows.rows[0].score.value == 2.5f);
    assert_null(rows.rows[1].author_email);
    assert_false(rows.rows[1].score.valid);
    db_posts_with_author_rows_free(&rows);
    db_create_post_row_free(&p1);
    db_create_post_row_free(&p2);
    (void)u;
}

static pgqc_status count_rows(const db_scan_posts_row *row, void *ctx)
{
    (void)row;
    (*(int *)ctx)++;
    return PGQC_OK;
}

static pgqc_status stop_after_first(const db_scan_posts_row *row, void *ctx)
{
    (void)row;
    (*(int *)ctx)++;
    return PGQC_NO_ROWS; /* any status but PGQC_OK stops the scan */
}

static void test_iter_streams_and_stops_when_the_callback_says_so(void **state)
{
    (void)state;
    int n = 0;
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(db_scan_posts(conn, stop_after_first, &n), PGQC_NO_ROWS);
    assert_int_equal(n, 1);
    /* The connection is usable right after an early stop. */
    db_count_posts_row c;
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK);
    assert_int_equal(c.n, 2);
    db_count_posts_row_free(&c);
}

static void test_execrows_reports_affected_rows(void **state)
{
    (void)state;
    db_list_users_rows all;
    assert_int_equal(db_list_users(conn, &all), PGQC_OK);
    int64_t id = all.rows[1].id;
    db_list_users_rows_free(&all);
    int64_t affected = -1;
    assert_int_equal(db_rename_user(conn, "Bee", id, &affected), PGQC_OK);
    assert_int_equal(affected, 1);
    assert_int_equal(db_rename_user(conn, NULL, -5, &affected), PGQC_OK);
    assert_int_equal(affected, 0);
}

static void test_constraint_violation_is_an_error_with_sqlstate_and_constraint(void **state)
{
    (void)state;
    db_create_user_row r;
    assert_int_equal(db_create_user(conn, "a@example.com", NULL, NULL, &r), PGQC_ERROR);
    const pgqc_error *e = pgqc_conn_error(conn);
    assert_string_equal(e->sqlstate, "23505");
    assert_string_equal(e->constraint, "users_email_key");
    assert_string_equal(e->query, "create_user");
    assert_non_null(strstr(e->message, "duplicate key"));
}

static void test_forgotten_statements_are_prepared_again(void **state)
{
    (void)state;
    int n = 0;
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_OK); /* prepared now */
    exec_sql("DISCARD ALL");
    db_count_posts_row c;
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK);
    db_count_posts_row_free(&c);
    /* :iter too, since no row had reached the callback yet. */
    n = 0;
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_OK);
    assert_int_equal(n, 2);
}

/* :iter reports the server's SQLSTATE like every other command. */
static void test_iter_failure_carries_the_servers_sqlstate(void **state)
{
    (void)state;
    int n = 0;
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_OK); /* prepared now */
    assert_int_equal(pgqc_begin(conn), PGQC_OK);
    exec_sql("DEALLOCATE ALL"); /* inside a transaction no retry is possible */
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_ERROR);
    assert_string_equal(pgqc_conn_error(conn)->sqlstate, "26000");
    assert_string_equal(pgqc_conn_error(conn)->query, "scan_posts");
    assert_non_null(strstr(pgqc_conn_error(conn)->message, "does not exist"));
    assert_int_equal(pgqc_rollback(conn), PGQC_OK);
    assert_int_equal(db_scan_posts(conn, count_rows, &n), PGQC_OK);
}

/* A statement the server does not know means a new session: no cached one is trusted. */
static void test_one_forgotten_statement_forgets_the_whole_cache(void **state)
{
    (void)state;
    db_count_posts_row c;
    db_list_users_rows rows;
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK);
    db_count_posts_row_free(&c);
    assert_int_equal(db_list_users(conn, &rows), PGQC_OK);
    db_list_users_rows_free(&rows);
    exec_sql("DEALLOCATE ALL");
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK); /* 26000, prepared again, retried */
    db_count_posts_row_free(&c);
    /* list_users was forgotten with it: inside a transaction (where a 26000 would
     * abort everything) it is prepared afresh instead of failing. */
    assert_int_equal(pgqc_begin(conn), PGQC_OK);
    assert_int_equal(db_list_users(conn, &rows), PGQC_OK);
    db_list_users_rows_free(&rows);
    assert_int_equal(pgqc_commit(conn), PGQC_OK);
}

/* A second wrapper of a PGconn meets the first one's statements inside a transaction. */
static void test_statements_of_an_earlier_wrapper_are_adopted_inside_a_transaction(void **state)
{
    (void)state;
    PGconn *pg2 = PQconnectdb(tmpdb_conninfo(server));
    assert_int_equal(PQstatus(pg2), CONNECTION_OK);
    pgqc_conn *first = pgqc_conn_wrap(pg2);
    db_count_posts_row c;
    assert_int_equal(db_count_posts(first, &c), PGQC_OK);
    db_count_posts_row_free(&c);
    pgqc_conn_free(first);
    pgqc_conn *second = pgqc_conn_wrap(pg2);
    assert_int_equal(pgqc_begin(second), PGQC_OK);
    /* A PREPARE failing on the taken name would abort the transaction: none is sent. */
    assert_int_equal(db_count_posts(second, &c), PGQC_OK);
    db_count_posts_row_free(&c);
    assert_int_equal(db_count_posts(second, &c), PGQC_OK);
    db_count_posts_row_free(&c);
    assert_int_equal(pgqc_commit(second), PGQC_OK);
    pgqc_conn_free(second);
    PQfinish(pg2);
}

/* One call of each command, on connection `c`. */
static pgqc_status call_one(pgqc_conn *c)
{
    db_count_posts_row row;
    pgqc_status s = db_count_posts(c, &row);
    if (s == PGQC_OK)
        db_count_posts_row_free(&row);
    return s;
}

static pgqc_status call_many(pgqc_conn *c)
{
    db_list_users_rows rows;
    pgqc_status s = db_list_users(c, &rows);
    if (s == PGQC_OK)
        db_list_users_rows_free(&rows);
    return s;
}

static pgqc_status call_iter(pgqc_conn *c)
{
    int n = 0;
    return db_scan_posts(c, count_rows, &n);
}

static pgqc_status call_exec(pgqc_conn *c)
{
    return db_delete_user(c, -1);
}

static pgqc_status call_execrows(pgqc_conn *c)
{
    int64_t affected;
    return db_rename_user(c, "nobody", -1, &affected);
}

static pgqc_status (*const every_command[])(pgqc_conn *) = {call_one, call_many, call_iter,
                                                            call_exec, call_execrows};

/* The failure recorded on `c` is a lost connection, told in one line, not "out of memory". */
static void assert_connection_lost(pgqc_conn *c, pgqc_status s)
{
    const pgqc_error *e = pgqc_conn_error(c);
    assert_int_equal(s, PGQC_ERROR);
    assert_int_equal(e->status, PGQC_ERROR);
    assert_true(*e->message);
    assert_null(strchr(e->message, '\n'));
    assert_null(strstr(e->message, "out of memory"));
    assert_null(strstr(e->message, "FATAL"));
    /* The server's own code when it said why (57P01: terminated), else connection_failure. */
    if (strcmp(e->sqlstate, "57P01") != 0)
        assert_string_equal(e->sqlstate, "08006");
}

static void test_a_lost_connection_is_an_error_with_libpqs_message(void **state)
{
    (void)state;
    for (int unnamed = 0; unnamed < 2; unnamed++) {
        for (size_t i = 0; i < sizeof every_command / sizeof every_command[0]; i++) {
            PGconn *pg2 = PQconnectdb(tmpdb_conninfo(server));
            assert_int_equal(PQstatus(pg2), CONNECTION_OK);
            pgqc_conn *c2 = pgqc_conn_wrap(pg2);
            pgqc_conn_set_unnamed_statements(c2, unnamed);
            assert_int_equal(every_command[i](c2), PGQC_OK);
            char sql[64];
            snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d, 10000)", PQbackendPID(pg2));
            exec_sql(sql);
            /* The server went away while the connection was idle... */
            assert_connection_lost(c2, every_command[i](c2));
            /* ...and later calls are told there is no connection at all. */
            assert_connection_lost(c2, every_command[i](c2));
            assert_string_equal(pgqc_conn_error(c2)->message, "no connection to the server");
            /* After PQreset the runtime notices the new session by itself: inside a
             * transaction a stale cache would give 26000 and abort it. */
            PQreset(pg2);
            assert_int_equal(PQstatus(pg2), CONNECTION_OK);
            assert_int_equal(pgqc_begin(c2), PGQC_OK);
            assert_int_equal(every_command[i](c2), PGQC_OK);
            assert_int_equal(pgqc_commit(c2), PGQC_OK);
            pgqc_conn_free(c2);
            PQfinish(pg2);
        }
    }
}

static void test_a_reset_connection_is_noticed_without_forget_statements(void **state)
{
    (void)state;
    PGconn *pg2 = PQconnectdb(tmpdb_conninfo(server));
    assert_int_equal(PQstatus(pg2), CONNECTION_OK);
    pgqc_conn *c2 = pgqc_conn_wrap(pg2);
    for (size_t i = 0; i < sizeof every_command / sizeof every_command[0]; i++)
        assert_int_equal(every_command[i](c2), PGQC_OK);
    PQreset(pg2); /* a healthy connection, reset: every statement is gone */
    assert_int_equal(PQstatus(pg2), CONNECTION_OK);
    assert_int_equal(pgqc_begin(c2), PGQC_OK);
    for (size_t i = 0; i < sizeof every_command / sizeof every_command[0]; i++)
        assert_int_equal(every_command[i](c2), PGQC_OK);
    assert_int_equal(pgqc_commit(c2), PGQC_OK);
    pgqc_conn_free(c2);
    PQfinish(pg2);
}

/* libpq returning no result is not "out of memory" unless it ran out of memory. */
static void test_a_call_libpq_refuses_is_an_error_not_nomem(void **state)
{
    (void)state;
    PGconn *pg2 = PQconnectdb(tmpdb_conninfo(server));
    assert_int_equal(PQstatus(pg2), CONNECTION_OK);
    pgqc_conn *c2 = pgqc_conn_wrap(pg2);
    assert_int_equal(call_one(c2), PGQC_OK);
    assert_true(PQenterPipelineMode(pg2));
    for (size_t i = 0; i < sizeof every_command / sizeof every_command[0]; i++) {
        assert_int_equal(every_command[i](c2), PGQC_ERROR);
        if (every_command[i] == call_iter)
            continue; /* libpq queues the send; it refuses single-row mode */
        assert_non_null(strstr(pgqc_conn_error(c2)->message, "pipeline mode"));
        assert_string_equal(pgqc_conn_error(c2)->sqlstate, "");
    }
    pgqc_conn_free(c2);
    PQfinish(pg2);
}

static pgqc_status begin_inside_scan(const db_scan_posts_row *row, void *ctx)
{
    (void)row;
    *(pgqc_status *)ctx = pgqc_begin(conn);
    return PGQC_OK;
}

static void test_transaction_helpers_refuse_to_run_inside_a_scan(void **state)
{
    (void)state;
    pgqc_status inner = PGQC_OK;
    assert_int_equal(db_scan_posts(conn, begin_inside_scan, &inner), PGQC_OK);
    assert_int_equal(inner, PGQC_MISUSE);
}

static void test_null_output_pointers_are_misuse_not_a_crash(void **state)
{
    (void)state;
    assert_int_equal(db_list_users(conn, NULL), PGQC_MISUSE);
    assert_int_equal(db_scan_posts(conn, NULL, NULL), PGQC_MISUSE);
    assert_int_equal(db_get_user(NULL, 1, NULL), PGQC_MISUSE);
}

static void test_unnamed_statements_work_without_the_cache(void **state)
{
    (void)state;
    pgqc_conn_set_unnamed_statements(conn, true);
    db_list_users_rows rows;
    assert_int_equal(db_list_users(conn, &rows), PGQC_OK);
    assert_int_equal(rows.count, 2);
    db_list_users_rows_free(&rows);
    pgqc_conn_set_unnamed_statements(conn, false);
}

/* Back from unnamed mode, no cached statement is trusted: it may have been replaced meanwhile. */
static void test_leaving_unnamed_mode_forgets_the_cache(void **state)
{
    (void)state;
    db_count_posts_row c;
    exec_sql("DEALLOCATE ALL");
    pgqc_conn_forget_statements(conn);
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK);
    int64_t real = c.n;
    db_count_posts_row_free(&c);
    assert_true(real != 4242);
    PGresult *r = PQexec(pg, "SELECT name FROM pg_prepared_statements");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    char *name = PQescapeIdentifier(pg, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
    PQclear(r);
    pgqc_conn_set_unnamed_statements(conn, true);
    /* What a pooler's server or other code may do while the runtime looks away. */
    exec_sql("DEALLOCATE ALL");
    char sql[256];
    snprintf(sql, sizeof sql, "PREPARE %s AS SELECT 4242::bigint AS n", name);
    exec_sql(sql);
    PQfreemem(name);
    pgqc_conn_set_unnamed_statements(conn, false);
    /* Found taken with other text, replaced: the real count, not 4242. */
    assert_int_equal(db_count_posts(conn, &c), PGQC_OK);
    assert_true(c.n == real);
    db_count_posts_row_free(&c);
}

static void test_check_schema_accepts_the_schema_it_was_generated_for(void **state)
{
    (void)state;
    assert_int_equal(db_check_schema(conn), PGQC_OK);
}

static void test_unexpected_null_is_reported_with_the_column(void **state)
{
    (void)state;
    exec_sql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL");
    /* check_schema sees the drift at start-up, before any query runs into it. */
    assert_int_equal(db_check_schema(conn), PGQC_SCHEMA_MISMATCH);
    assert_non_null(
        strstr(pgqc_conn_error(conn)->message, "column public.users.email is no longer NOT NULL"));
    exec_sql("INSERT INTO users (email) VALUES (NULL)");
    db_list_users_rows rows;
    assert_int_equal(db_list_users(conn, &rows), PGQC_UNEXPECTED_NULL);
    assert_string_equal(pgqc_conn_error(conn)->column, "email");
    assert_null(rows.rows);
    exec_sql("DELETE FROM users WHERE email IS NULL");
}

static void test_column_type_drift_is_a_schema_mismatch(void **state)
{
    (void)state;
    exec_sql("ALTER TABLE users ALTER COLUMN age TYPE bigint");
    assert_int_equal(db_check_schema(conn), PGQC_SCHEMA_MISMATCH);
    db_list_users_rows rows;
    assert_int_equal(db_list_users(conn, &rows), PGQC_SCHEMA_MISMATCH);
    assert_string_equal(pgqc_conn_error(conn)->column, "age");
    assert_string_equal(pgqc_status_string(PGQC_SCHEMA_MISMATCH), "PGQC_SCHEMA_MISMATCH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_returns_values_and_nulls),
        cmocka_unit_test(test_one_without_a_row_is_no_rows),
        cmocka_unit_test(test_many_returns_every_row_in_order),
        cmocka_unit_test(test_left_join_null_side_comes_back_null),
        cmocka_unit_test(test_iter_streams_and_stops_when_the_callback_says_so),
        cmocka_unit_test(test_execrows_reports_affected_rows),
        cmocka_unit_test(test_constraint_violation_is_an_error_with_sqlstate_and_constraint),
        cmocka_unit_test(test_forgotten_statements_are_prepared_again),
        cmocka_unit_test(test_iter_failure_carries_the_servers_sqlstate),
        cmocka_unit_test(test_one_forgotten_statement_forgets_the_whole_cache),
        cmocka_unit_test(test_statements_of_an_earlier_wrapper_are_adopted_inside_a_transaction),
        cmocka_unit_test(test_a_lost_connection_is_an_error_with_libpqs_message),
        cmocka_unit_test(test_a_reset_connection_is_noticed_without_forget_statements),
        cmocka_unit_test(test_a_call_libpq_refuses_is_an_error_not_nomem),
        cmocka_unit_test(test_transaction_helpers_refuse_to_run_inside_a_scan),
        cmocka_unit_test(test_null_output_pointers_are_misuse_not_a_crash),
        cmocka_unit_test(test_unnamed_statements_work_without_the_cache),
        cmocka_unit_test(test_leaving_unnamed_mode_forgets_the_cache),
        cmocka_unit_test(test_check_schema_accepts_the_schema_it_was_generated_for),
        /* These change the schema: keep them last. */
        cmocka_unit_test(test_unexpected_null_is_reported_with_the_column),
        cmocka_unit_test(test_column_type_drift_is_a_schema_mismatch),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
