/*
 * driver.c — runs the code generated from tests/golden/codegen (awkward
 * names, keywords, enums in two schemas, arrays) against a migrated
 * database ($DATABASE_URL) and checks what comes back. Built and run by
 * tests/test_codegen.c; exits non-zero on the first mismatch.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "driver: %s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond,   \
                    pgqc_conn_error(c)->message);                                                  \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static int rows_seen;

static pgqc_status count_row(const db_by_keywords_row *row, void *ctx)
{
    (void)ctx;
    rows_seen++;
    return row->register_ ? PGQC_OK : PGQC_ERROR;
}

int main(void)
{
    PGconn *pg = PQconnectdb(getenv("DATABASE_URL"));
    pgqc_conn *c = pgqc_conn_wrap(pg);
    CHECK(PQstatus(pg) == CONNECTION_OK);
    PGresult *r = PQexec(pg, "INSERT INTO \"Orders\" (\"Order Id\", \"int\", \"default\", "
                             "\"register\", \"ñame\", state, tags) VALUES "
                             "(1, 7, 'd', true, 'x', 'in progress', '{a,NULL}');"
                             "INSERT INTO billing.invoices VALUES (10, 1, 'paid', NULL, 12.50)");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);

    db_get_order_row o;
    CHECK(db_get_order(c, 1, &o) == PGQC_OK);
    CHECK(o.Order_Id == 1 && o.int_ == 7 && strcmp(o.default_, "d") == 0 && o.register_);
    CHECK(strcmp(o.ame, "x") == 0 && !o.c2fa.valid && o.state == DB_ORDER_STATUS_IN_PROGRESS);
    CHECK(o.tags.count == 2 && strcmp(o.tags.items[0], "a") == 0 && o.tags.items[1] == NULL);
    db_get_order_row_free(&o);

    db_order_with_invoice_rows rows;
    CHECK(db_order_with_invoice(c, DB_ORDER_STATUS_IN_PROGRESS, DB_BILLING_STATUS_PAID, &rows) ==
          PGQC_OK);
    CHECK(rows.count == 1 && rows.rows[0].id == 10 && rows.rows[0].id_2 == 10);
    CHECK(rows.rows[0].column == 2 && rows.rows[0].count == 1);
    db_order_with_invoice_rows_free(&rows);

    CHECK(db_by_keywords(c, 7, "d", count_row, NULL) == PGQC_OK && rows_seen == 1);

    int64_t affected = 0;
    CHECK(db_params_named_like_arguments(c, "new", 1, 7, &affected) == PGQC_OK && affected == 1);

    const pgqc_opt_int64 ids[] = {{true, 10}};
    db_status live = DB_STATUS_LIVE;
    CHECK(db_set_states(c, DB_BILLING_STATUS_OPEN, &live, (pgqc_array_int64){ids, 1}) == PGQC_OK);

    db_sql_with_strings_row s;
    CHECK(db_sql_with_strings(c, &s) == PGQC_OK);
    CHECK(strcmp(s.s, "a \"quoted\" \\ string */\t?\?=") == 0);
    db_sql_with_strings_row_free(&s);

    pgqc_conn_free(c);
    PQfinish(pg);
    puts("driver: ok");
    return 0;
}
