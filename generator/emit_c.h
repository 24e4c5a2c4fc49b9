/*
 * emit_c.h — writing the C header and source for an analysis.
 *
 * The emitter never talks to the database: it turns an `analysis` (from
 * analyze.c or from a lock file) into the text of PREFIX.h and PREFIX.c,
 * deterministically, so the same analysis always gives the same bytes.
 * Shapes follow DESIGN.md "Generated C".
 */
#ifndef PGQC_EMIT_C_H
#define PGQC_EMIT_C_H

#include "analysis.h"
#include "diag.h"
#include "strbuf.h"
#include "typemap.h"

typedef struct emit_options {
    const char *prefix;      /* --name: prefix of every symbol and the file names */
    const char *header_name; /* how the source includes the header: "db.h" */
    const type_map *maps;    /* --map-type: user C types for PostgreSQL types */
    size_t nmaps;
    const char *const *includes; /* --include: headers declaring them */
    size_t nincludes;
} emit_options;

/*
 * Emit header and source text into `h` and `c`. Returns false (with
 * diagnostics) when a name cannot be made into a valid identifier.
 */
bool emit_c(const analysis *a, const emit_options *opt, strbuf *h, strbuf *c, diag_list *dl);

/* Is `s` a valid C identifier that is not a keyword? */
bool c_ident_ok(const char *s);

/* Make `name` a valid, non-reserved C identifier (malloc'ed). */
char *c_ident(const char *name);

/* `id`, or `id_2`, `id_3`, ... : the first not among `taken[0..n-1]` (malloc'ed). */
char *c_unique(char *const *taken, size_t n, const char *id);

#endif
