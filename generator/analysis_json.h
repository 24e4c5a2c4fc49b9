/*
 * analysis_json.h — the analysis as JSON (jansson), as printed by
 * `pgqc describe --json` and stored in the lock file.
 *
 * Stable core (DESIGN.md "Analysis"): queries[] with name, file, line,
 * command, sql, params[] {name, type, nullable}, columns[] {name, type,
 * nullable}; pgqc adds oids, nullable_reason, source, the doc comment and
 * the user types (enums with labels, domains, arrays) the queries use —
 * everything the emitter needs, so code can be generated from it offline.
 */
#ifndef PGQC_ANALYSIS_JSON_H
#define PGQC_ANALYSIS_JSON_H

#include <jansson.h>

#include "analysis.h"

#include "diag.h"
#include "jsonout.h"
#include "strbuf.h"

/* A new JSON object for `a` (caller json_decref()s it). */
json_t *analysis_to_json(const analysis *a);

/*
 * Append to `out` exactly what json_dumps(analysis_to_json(a),
 * JSON_INDENT(2) | JSON_PRESERVE_ORDER) gives (no final newline), printed
 * directly: fast and small for tens of thousands of queries.
 */
void analysis_write_json(strbuf *out, const analysis *a);

/* Write `a` through `w` (the value analysis_to_json builds). */
void analysis_write(jsonout *w, const analysis *a);

/*
 * Rebuild an analysis from what analysis_to_json() produced (e.g. the
 * "analysis" of a lock file). Malformed input is reported in `dl` against
 * `origin` (the file it came from) and gives NULL.
 */
analysis *analysis_from_json(const json_t *j, const char *origin, diag_list *dl);

#endif
