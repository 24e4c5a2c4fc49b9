/*
 * analysis_json.h — the analysis as JSON (jansson), as printed by
 * `pgqc describe --json` and stored in the lock file.
 *
 * Stable core (DESIGN.md "Analysis"): queries[] with name, file, line,
 * command, sql, params[] {name, type, nullable}, columns[] {name, type,
 * nullable}; pgqc adds type references, nullable_reason, source, the doc
 * comment and the user types (enums with labels, domains, arrays,
 * composites, mapped types) the queries use — everything the emitter
 * needs, so code can be generated from it offline.
 *
 * Two forms, which differ only in how a type is referenced:
 *   - ANALYSIS_DESCRIBE (`describe --json`): every reference is an OID as
 *     the server has it ("type_oid", "base_oid", a type's "oid");
 *   - ANALYSIS_LOCK (pgqc.lock): only built-in types (OID below 16384,
 *     the same in every database) are referenced by OID; a user type is
 *     referenced by name, "type_ref"/"base_ref": {"schema", "typname"},
 *     and has no "oid". The lock thus holds nothing the server assigns,
 *     and stays byte-identical across databases migrated from the same
 *     files. `types` lists user types in creation order.
 */
#ifndef PGQC_ANALYSIS_JSON_H
#define PGQC_ANALYSIS_JSON_H

#include <jansson.h>

#include "analysis.h"

#include "diag.h"
#include "jsonout.h"
#include "strbuf.h"
#include "typemap.h"

typedef enum analysis_form { ANALYSIS_DESCRIBE, ANALYSIS_LOCK } analysis_form;

/* A new JSON object for `a` (caller json_decref()s it). */
json_t *analysis_to_json(const analysis *a, analysis_form form);

/*
 * Append to `out` exactly what json_dumps(analysis_to_json(a,
 * ANALYSIS_DESCRIBE), JSON_INDENT(2) | JSON_PRESERVE_ORDER) gives (no final
 * newline), printed directly: fast and small for tens of thousands of
 * queries.
 */
void analysis_write_json(strbuf *out, const analysis *a);

/* Write `a` through `w` in `form`. */
void analysis_write(jsonout *w, const analysis *a, analysis_form form);

/*
 * Rebuild an analysis from its lock form `j` (the "analysis" of a lock
 * file), validating it as strictly as what the server sends: every
 * identifier, type reference, kind, count, command and boolean, and that
 * every type the queries use resolves to something the emitter can map.
 * User types get the canonical OIDs (analysis.h), so the result equals the
 * canonical analysis the lock was written from. `maps` are the type
 * mappings recorded with it (every "mapped" type must have one).
 *
 * The first problem is reported in `dl` against `origin` (the lock file's
 * path) with the JSON path of the bad value under `json_path` (for example
 * "$.analysis.queries[2].params[0].name"), and gives NULL.
 */
analysis *analysis_from_json(const json_t *j, const char *origin, const char *json_path,
                             const type_map *maps, size_t nmaps, diag_list *dl);

#endif
