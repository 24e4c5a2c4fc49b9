/*
 * emit_names.h — every name of one generated PREFIX.h / PREFIX.c pair,
 * decided before a line is written.
 *
 * emit_names_plan() validates what the analysis and the options would put
 * into C (identifier shapes, lengths, --include, --map-type) and names
 * everything through one file-scope cname_table (cname.h), in a fixed
 * order so that names never depend on the order of emission:
 *   1. pgqc's own public names: the include guard, PREFIX_check_schema,
 *      and PREFIX_migrations (with its guard) of the embedded migrations;
 *   2. PREFIX_opt_CTYPE for each --map-type C type libpgqc lacks, and the
 *      user's own names in each mapping (type, tag, decoder, encoder);
 *   3. enums and composites in OID order, each with every name derived
 *      from it (_opt, _array, _to_string, ...), numbered _2, _3, ... when
 *      one is taken; then enum constants, unique across the file; then the
 *      codecs of arrays of built-in types;
 *   4. each query's public names (PREFIX_QUERY, _row, _rows, _row_free,
 *      _rows_free), in file order: a taken one is an error at the query's
 *      file:line, never a silent rename;
 *   5. the statics of the .c file (per query: _query, _decode, _run, ...;
 *      the schema check's tables), numbered when taken.
 *
 * Ownership: an emit_names owns every string and the table;
 * emit_names_free() releases them (also after a failed plan).
 */
#ifndef PGQC_EMIT_NAMES_H
#define PGQC_EMIT_NAMES_H

#include <stdbool.h>

#include "analysis.h"
#include "cname.h"
#include "diag.h"

struct emit_options;

typedef struct emit_names {
    cname_table *file;    /* every file-scope name of the pair */
    char *guard;          /* PREFIX_H_PGQC_GENERATED, upper case */
    char **type_names;    /* parallel to analysis.types: enum / composite C name, else NULL */
    char ***enum_consts;  /* parallel: an enum's constants (one placeholder for no labels) */
    char **query_fns;     /* parallel to analysis.queries: PREFIX_QUERY */
    char **query_statics; /* parallel: base of the query's statics (PREFIX_QUERY or ..._2) */
    char *schema_base;    /* base of PREFIX_schema_columns, _enums, _enumN */
} emit_names;

/* Validate and name; false (with diagnostics) when the pair cannot be written. */
bool emit_names_plan(emit_names *n, const analysis *a, const struct emit_options *opt,
                     diag_list *dl);

void emit_names_free(emit_names *n, const analysis *a);

/* The C name of enum or composite `t` (one of a->types), NULL when it has none. */
const char *user_type_c_name(const emit_names *n, const analysis *a, const an_type *t);

#endif
