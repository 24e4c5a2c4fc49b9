/*
 * analyze.h — turning parsed query files into an `analysis` using the live
 * schema: every query is PREPAREd and described (pipelined, on one
 * connection), the catalog is loaded once, result columns are traced to
 * their source columns, types are checked against the type table and
 * nullability is inferred (nullability.h).
 *
 * Errors PostgreSQL reports are mapped back to file:line:col of the query
 * file; every failing query is reported in the same run.
 */
#ifndef PGQC_ANALYZE_H
#define PGQC_ANALYZE_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "analysis.h"
#include "diag.h"
#include "querysrc.h"

/*
 * Analyse every query of `files` over `pg`. Returns the analysis of the
 * queries that succeeded (never NULL); problems are appended to `dl`
 * (dl->errors > 0 means at least one query failed).
 */
analysis *analyze_queries(PGconn *pg, query_file *const *files, size_t nfiles, diag_list *dl);

/*
 * The same, accepting types pgqc has no mapping for when the user mapped
 * them (--map-type): they are recorded as user types of kind 'u'.
 */
analysis *analyze_queries_with(PGconn *pg, query_file *const *files, size_t nfiles,
                               const type_map *maps, size_t nmaps, diag_list *dl);

#endif
