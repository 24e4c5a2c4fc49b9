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
#include "cname.h"
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
 * Emit header and source text into `h` and `c`. Every identifier is named
 * through one cname_table (cname.h) and every string from the analysis or
 * the options is escaped there. Returns false (with diagnostics, at the
 * query's file:line where there is one) when a name cannot be given
 * without a clash, or an option cannot be written into C safely; then the
 * output must not be used.
 */
bool emit_c(const analysis *a, const emit_options *opt, strbuf *h, strbuf *c, diag_list *dl);

#endif
