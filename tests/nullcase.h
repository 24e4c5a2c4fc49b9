/*
 * nullcase.h — running one case of nullability_cases.h: a throwaway server
 * shared by a whole test program, the case's own schema (so cases never
 * collide), and the analysis of its query through the real pipeline
 * (query_file_parse + analyze_queries). Used by test_nullability.c and
 * test_soundness.c.
 *
 * The cases themselves (nullability_cases.h) stay with the test programs:
 * these functions take plain strings.
 *
 * Ownership: strings handed back through `err` are malloc'ed and the caller
 * frees them; an analysis is freed with analysis_free().
 */
#ifndef PGQC_NULLCASE_H
#define PGQC_NULLCASE_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "analysis.h"
#include "tmpdb.h"

/* Start a throwaway server and connect to it; false with a message on stderr. */
bool nullcase_start(tmpdb **server, PGconn **pg);

/* Close the connection and stop the server. */
void nullcase_stop(tmpdb *server, PGconn *pg);

/*
 * Create the schema "nc_<index>" for case number `index`, put it first on
 * the search_path of `pg` and run the case's DDL `schema_sql` there. False
 * with *err on failure.
 */
bool nullcase_create_schema(PGconn *pg, size_t index, const char *schema_sql, char **err);

/*
 * Parse and analyse the annotated `query` of case `name` on `pg` (whose
 * search_path is the case's schema). Returns an analysis holding exactly
 * one query, or NULL with the diagnostics in *err.
 */
analysis *nullcase_analyze(PGconn *pg, const char *name, const char *query, char **err);

#endif
