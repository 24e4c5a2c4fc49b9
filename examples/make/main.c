/*
 * main.c — the program of the meson, make and CMake examples: stores two notes
 * through the code pgqc generated from queries/notes.sql and prints them
 * back. Run it against a throwaway, migrated database with
 * `pgqc run -- ./notes` (which sets DATABASE_URL).
 */
#include "db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* Print the error of a failed call and exit. */
static void check(pgqc_conn *c, pgqc_status s, const char *what)
{
    if (s == PGQC_OK)
        return;
    fprintf(stderr, "notes: %s failed: %s: %s\n", what, pgqc_status_string(s),
            pgqc_conn_error(c)->message);
    exit(1);
}

int main(void)
{
    const char *url = getenv("DATABASE_URL");
    if (!url) {
        fprintf(stderr, "notes: set DATABASE_URL (or run: pgqc run -- ./notes)\n");
        return 2;
    }
    PGconn *pg = PQconnectdb(url);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "notes: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return 3;
    }
    pgqc_conn *c = pgqc_conn_wrap(pg);

    /* A nullable parameter is a pointer: NULL means SQL NULL. */
    db_add_note_row a, b;
    check(c, db_add_note(c, "buy milk", "errand", &a), "add note");
    check(c, db_add_note(c, "read DESIGN.md", NULL, &b), "add note");
    db_add_note_row_free(&a);
    db_add_note_row_free(&b);

    /* A nullable text column is a pointer that may be NULL. */
    db_list_notes_rows notes;
    check(c, db_list_notes(c, &notes), "list notes");
    for (size_t i = 0; i < notes.count; i++)
        printf("note %" PRId64 ": %s [%s]\n", notes.rows[i].id, notes.rows[i].body,
               notes.rows[i].tag ? notes.rows[i].tag : "untagged");
    db_list_notes_rows_free(&notes);

    pgqc_conn_free(c);
    PQfinish(pg);
    return 0;
}
