/*
 * driver.c — runs the code generated from tests/names (names that clash
 * with each other, with libc, the runtime and C syntax; text too long for
 * a string literal) against a migrated database ($DATABASE_URL). Built and
 * run by tests/test_names.c; exits non-zero on the first mismatch.
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

int main(void)
{
    PGconn *pg = PQconnectdb(getenv("DATABASE_URL"));
    pgqc_conn *c = pgqc_conn_wrap(pg);
    CHECK(PQstatus(pg) == CONNECTION_OK);

    /* db_list's own statics (db_list_run, ...) gave way to the query list_run. */
    db_list_rows l;
    CHECK(db_list(c, &l) == PGQC_OK && l.count == 1 && l.rows[0].id == 1);
    db_list_rows_free(&l);
    db_list_run_rows lr;
    CHECK(db_list_run(c, &lr) == PGQC_OK && lr.count == 1 && lr.rows[0].id == 2);
    db_list_run_rows_free(&lr);

    /* Fields named like macros and the row's internal members. */
    db_list_decode_row d;
    CHECK(db_list_decode(c, &d) == PGQC_OK);
    CHECK(d.pgqc_result == 1 && d.errno_ == 1 && d.linux_ == 1 && d.EOF_ == 1 && d.a_b == 1);
    db_list_decode_row_free(&d);

    /* Parameters named strlen, db_list_run, c, out, pgqc_s, free. */
    db_by_len_row b;
    CHECK(db_by_len(c, 1, 1, 1, 1, 1, 1, &b) == PGQC_OK && b.id == 1);
    db_by_len_row_free(&b);

    /* Enum constants that collided are numbered; labels with comment and
     * trigraph characters round-trip. */
    db_enums_row e;
    CHECK(db_enums(c, &e) == PGQC_OK);
    CHECK(e.p.valid && e.p.value == DB_PRIORITY_LEVEL_HIGH);
    CHECK(e.pl.valid && e.pl.value == DB_PRIORITY_LEVEL_HIGH_2);
    CHECK(!e.n.valid);
    CHECK(e.a.valid && e.a.value == DB_ACCEPT &&
          strcmp(db_accept_to_string(e.a.value), "*/*") == 0);
    CHECK(strcmp(db_accept_to_string(DB_ACCEPT_TEXT), "text/*") == 0);
    CHECK(strcmp(db_accept_to_string(DB_ACCEPT_END), "end?"
                                                     "?/") == 0);
    CHECK(strcmp(db_accept_to_string(DB_ACCEPT_BACK), "back\\") == 0);
    CHECK(strcmp(db_accept_to_string(DB_ACCEPT_NEW_LINE), "new\nline") == 0);
    CHECK(db_nothing_to_string(DB_NOTHING_NO_LABELS) == NULL);
    db_nothing nothing;
    CHECK(!db_nothing_from_string("", &nothing));
    CHECK(e.x.valid && e.y.valid);
    db_enums_row_free(&e);

    db_priority_level_high_row ph;
    CHECK(db_priority_level_high(c, &ph) == PGQC_OK);
    CHECK(ph.p == DB_PRIORITY_LOW && ph.pl == DB_PRIORITY_LEVEL_HIGH_2);
    db_priority_level_high_row_free(&ph);

    /* numeric at PostgreSQL's limits: weight 16,385 and scale 16,383. */
    db_big_numeric_row n;
    CHECK(db_big_numeric(c, &n) == PGQC_OK);
    CHECK(strlen(n.big) == 65541 && n.big[0] == '1' && strspn(n.big + 1, "0") == 65540);
    CHECK(strlen(n.tiny) == 16386 && strncmp(n.tiny, "-0.000", 6) == 0 && n.tiny[16385] == '1');
    db_big_numeric_row_free(&n);

    /* SQL longer than a string literal may be. */
    db_long_sql_row ls;
    CHECK(db_long_sql(c, &ls) == PGQC_OK && ls.n == 100000);
    db_long_sql_row_free(&ls);

    /* If a type name had become code, this would be system("touch pwned"). */
    pgqc_conn_free(c);
    PQfinish(pg);
    printf("driver: ok\n");
    return 0;
}
