/*
 * stmt_name.h — the prepared-statement name of a generated query.
 *
 * Generated code prepares each query under a name that identifies the exact
 * statement: the query's C function name (for people reading
 * pg_prepared_statements or server logs) followed by a short hash of what
 * the server is asked to prepare — the SQL as sent and the parameter types.
 * Another module, or an older build of the same program behind a pooler,
 * that uses the same function name for different SQL therefore gets a
 * different statement name, never this one.
 *
 * The name depends only on the analysis (never on the database or the
 * clock), so `generate --offline` reproduces it byte for byte.
 */
#ifndef PGQC_STMT_NAME_H
#define PGQC_STMT_NAME_H

#include "analysis.h"

/*
 * PostgreSQL compares prepared-statement names on their first NAMEDATALEN-1
 * (63) bytes only: a longer name silently collides with any other sharing
 * those bytes. Names are kept within that length, hash included.
 */
#define STMT_NAME_MAX 63

/* Hex digits of SHA-256 kept in the name (96 bits). */
#define STMT_NAME_HASH_HEX 24

/*
 * Write into `out` the statement name of `q` emitted as function `fn` (a C
 * identifier): `fn`, cut to fit, then '_' and STMT_NAME_HASH_HEX lowercase
 * hex digits of SHA-256 over the wire SQL (wire_sql, else sql), and after
 * it, for each parameter, a NUL byte and the parameter's type name. SQL and
 * type names never contain NUL, so the encoding is unambiguous. The result
 * is at most STMT_NAME_MAX bytes of [A-Za-z0-9_]. Returns false only when
 * libcrypto fails.
 */
bool stmt_name(const char *fn, const an_query *q, char out[STMT_NAME_MAX + 1]);

#endif
