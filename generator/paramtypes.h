/*
 * paramtypes.h — parameters PostgreSQL cannot type on their own.
 *
 * PostgreSQL types a parameter from the first place it is used. Where that
 * place says nothing (`:name? IS NULL`, `coalesce(:a, :b)`), PREPARE fails
 * with "could not determine data type of parameter $n",
 * even when another use of the same parameter (`display_name = :name`)
 * fixes its type. This stage runs only on that failing path, one query at
 * a time, after the pipelined describes:
 *
 *   1. the untyped use PostgreSQL points at is replaced by a bare NULL and
 *      the statement prepared again, repeating for every untyped use it
 *      reports, until it prepares; the parameter's type is then what its
 *      other uses gave it;
 *   2. each untyped use becomes `($n::type)` in the SQL that is prepared,
 *      described and sent at run time, so the generated code needs no
 *      parameter types of its own (and works in unnamed-statement mode).
 *
 * When no other use types a parameter, the diagnostic sits at the
 * parameter's file:line:col and says which cast to write.
 *
 * Uses the connection's unnamed statement; the connection must be out of
 * pipeline mode.
 */
#ifndef PGQC_PARAMTYPES_H
#define PGQC_PARAMTYPES_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "catalog.h"
#include "diag.h"
#include "querysrc.h"

/* Whether a failed PREPARE is "could not determine data type of parameter $n". */
bool paramtypes_untyped(const PGresult *prepare_error);

/* What paramtypes_resolve() found; release with paramtypes_result_clear(). */
typedef struct paramtypes_result {
    char *sql;          /* the SQL to use instead of src->sql, with its casts */
    PGresult *describe; /* its description */
    /* Or, when the typed statement fails for another reason: */
    PGresult *error;     /* the server's answer, for the caller to report */
    long error_position; /* its position in src->sql (1-based characters), 0 if none */
} paramtypes_result;

/*
 * Type the parameters of `src` that PostgreSQL could not type
 * (`prepare_error` is that answer). True with out->sql and
 * out->describe set. False either with out->error set (the statement,
 * typed, has another problem: the caller reports it), or after
 * diagnostics in `dl` (out->error NULL).
 */
bool paramtypes_resolve(PGconn *pg, const catalog *cat, const query_src *src,
                        const PGresult *prepare_error, paramtypes_result *out, diag_list *dl);

void paramtypes_result_clear(paramtypes_result *r);

#endif
