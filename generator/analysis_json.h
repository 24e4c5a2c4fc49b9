/*
 * analysis_json.h — the analysis as JSON (jansson), as printed by
 * `pgqc describe --json` and stored in the lock file.
 *
 * Stable core (DESIGN.md "Analysis"): queries[] with name, file, line,
 * command, sql, params[] {name, type, nullable}, columns[] {name, type,
 * nullable}; pgqc adds oids, nullable_reason and source.
 */
#ifndef PGQC_ANALYSIS_JSON_H
#define PGQC_ANALYSIS_JSON_H

#include <jansson.h>

#include "analysis.h"

/* A new JSON object for `a` (caller json_decref()s it). */
json_t *analysis_to_json(const analysis *a);

#endif
