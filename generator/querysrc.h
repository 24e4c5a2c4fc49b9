/*
 * querysrc.h — reading annotated query files.
 *
 * A query file holds statements each introduced by an annotation
 *
 *     -- name: get_user :one
 *     -- Doc comment lines follow the annotation.
 *     SELECT ... WHERE id = :id;
 *
 * This stage splits a file into queries with libpg_query's scanner (so
 * strings, comments, casts and array slices are never mistaken for
 * parameters), collects the doc comment, finds the parameters (`:name`,
 * `@name`, `$n`, with optional `?` / `!` nullability overrides), and rewrites
 * named parameters to `$n`. A position map ties every byte of the rewritten
 * SQL back to the file, so errors PostgreSQL reports later point at the
 * original file, line and column.
 *
 * The text must be UTF-8 (a leading byte order mark is skipped) without NUL
 * bytes, and a statement has at most QUERY_MAX_PARAMS parameters; anything
 * else is a diagnostic at its position, never something sent to the server.
 *
 * Ownership: a query_file owns its path, text and queries; query_file_free()
 * releases everything. Queries keep pointers to their file's path and text.
 */
#ifndef PGQC_QUERYSRC_H
#define PGQC_QUERYSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

typedef enum query_cmd { CMD_ONE, CMD_MANY, CMD_ITER, CMD_EXEC, CMD_EXECROWS } query_cmd;

/* "one", "many", ... */
const char *query_cmd_name(query_cmd c);

/* The command named `name` ("one", "many", ...); false when there is none. */
bool query_cmd_parse(const char *name, query_cmd *out);

/* Whether the command returns rows (so the statement must return columns). */
bool query_cmd_returns_rows(query_cmd c);

typedef enum null_override {
    NULL_INFER = 0,
    NULL_FORCE_NULLABLE,
    NULL_FORCE_NOT_NULL
} null_override;

typedef struct query_param {
    char *name; /* as written ("id"), or "p<n>" for a positional $n */
    int number; /* its $n in the rewritten SQL, 1-based */
    null_override override;
    size_t offset; /* first appearance: byte offset in the file */
    size_t length; /* length of that appearance in bytes */
} query_param;

/* One replaced span: rewritten SQL bytes [out, out+out_len) came from file bytes [in, in+in_len).
 */
typedef struct pos_span {
    size_t out, out_len;
    size_t in, in_len;
} pos_span;

typedef struct query_src {
    char *name;
    query_cmd cmd;
    const char *file;    /* path (owned by the query_file) */
    const char *text;    /* whole file text (owned by the query_file) */
    size_t annot_offset; /* byte offset of the `-- name:` comment */
    int line;            /* line of the annotation */
    char *doc;           /* doc comment, lines joined with '\n'; "" when none */
    size_t sql_offset;   /* byte offset of the statement in the file */
    size_t sql_len;      /* its length in the file */
    char *sql;           /* rewritten statement with $n parameters, no trailing ";"; NULL when
                          * its parameters could not be read (reported, not analysed) */
    pos_span *spans;     /* replacements in order of `out` */
    size_t nspans, spans_alloc;
    query_param *params; /* ordered by number */
    size_t nparams, params_alloc;
} query_src;

typedef struct query_file {
    char *path;
    char *text;
    size_t *line_starts; /* byte offset where each line starts */
    size_t nlines;
    query_src *queries;
    size_t nqueries, alloc;
} query_file;

/* The most parameters one statement can have: the protocol counts them in 16 bits. */
#define QUERY_MAX_PARAMS 65535

/*
 * Split `text` (the content of `path`) into queries. Problems are appended
 * to `dl`; the function returns false when it found any error, but the
 * queries it could read are still returned in `*out` so a later stage can
 * report their problems in the same run. `text` is copied.
 */
bool query_file_parse(const char *path, const char *text, query_file **out, diag_list *dl);

/*
 * The same for the `len` bytes of a file as read from disk. A UTF-8 byte
 * order mark at the start is skipped. A NUL byte, or bytes that are not
 * UTF-8, are an error at their line and column, and the file yields no
 * queries (PostgreSQL would refuse the text anyway, with a less useful
 * position).
 */
bool query_file_parse_bytes(const char *path, const char *text, size_t len, query_file **out,
                            diag_list *dl);

void query_file_free(query_file *f);

/* The 1-based line of byte `offset` in the file. */
int query_file_line(const query_file *f, size_t offset);

/*
 * Map a byte offset in `q->sql` back to a byte offset in the file text.
 * Offsets inside a replaced parameter map to the start of what was written.
 */
size_t query_map_offset(const query_src *q, size_t sql_offset);

/*
 * PostgreSQL reports positions as 1-based character counts; convert one
 * for `q->sql` into a byte offset of the file.
 */
size_t query_map_pg_position(const query_src *q, long position);

#endif
