/*
 * typemap.h — everything pgqc knows about one PostgreSQL type, in one
 * table row.
 *
 * Each row ties a built-in type (by OID, which is fixed for built-in types)
 * to its C representation: the C type of a non-null value, the pgqc_opt_*
 * wrapper of a nullable value (NULL for pointer-like types, whose SQL NULL
 * is a NULL pointer), the codec suffix naming the runtime's
 * pgqc_dec_<codec>/pgqc_enc_<codec> functions, and the parameter wire
 * format. The analyser uses it to accept or reject a type, the emitter to
 * write declarations and decode calls; the runtime implements the codecs.
 * Adding a type means adding a row here and its codec in
 * include/pgqc/types.h — never another switch.
 */
#ifndef PGQC_TYPEMAP_H
#define PGQC_TYPEMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned int pg_oid;

typedef enum c_repr {
    REPR_VALUE,  /* plain C value: nullable form is an opt struct */
    REPR_STRING, /* const char *: nullable form is a NULL pointer */
    REPR_BYTES,  /* pgqc_bytes: nullable form has data == NULL */
    REPR_ARRAY   /* pgqc_array_* view: nullable form has items == NULL */
} c_repr;

typedef struct type_info {
    pg_oid oid;
    const char *pg_name;  /* format_type() spelling: "bigint" */
    const char *c_type;   /* "int64_t" */
    const char *opt_type; /* "pgqc_opt_int64"; NULL for REPR_STRING / REPR_BYTES */
    const char *codec;    /* "int64": pgqc_dec_int64 / pgqc_enc_int64 */
    c_repr repr;
    int wire_size;    /* bytes of a binary parameter (REPR_VALUE), else 0 */
    int param_format; /* 1: binary; 0: text (sent as the string itself) */
    bool arena;       /* the decoder takes a pgqc_arena (its output needs memory) */
} type_info;

/*
 * Built-in types have the same OID in every database; user types (enums,
 * domains, arrays of them) get one at CREATE time, so generated code must not
 * rely on theirs.
 */
static inline bool pg_oid_is_stable(pg_oid oid)
{
    return oid < 16384; /* FirstNormalObjectId */
}

/* The row for built-in type `oid`, or NULL when pgqc has no mapping for it. */
const type_info *typemap_lookup(pg_oid oid);

/*
 * A user's mapping of a PostgreSQL type to a C type of their own
 * (`--map-type TYPE=CTYPE:DECODER[:ENCODER[:text]]`). The decoder is
 *   bool DECODER(const char *v, int len, CTYPE *out)
 * and receives the value in PostgreSQL's binary format; the encoder is
 *   const char *ENCODER(pgqc_arena *a, CTYPE v, int *len)
 * and returns the parameter in binary format (or text, with ":text"),
 * allocated from `a` (or static). Without an encoder the type can only be
 * read. TYPE is format_type()'s name ("numeric") or schema.name. The
 * shorthand `numeric=double` maps numeric to double with libpgqc's own
 * pgqc_dec_numeric_double / pgqc_enc_numeric_double.
 */
typedef struct type_map {
    char *pg_type;
    char *c_type;
    char *decoder;
    char *encoder;    /* NULL: read-only */
    bool text_params; /* the encoder produces text */
} type_map;

/* Parse a --map-type specification; false with a message in *err (malloc'ed). */
bool type_map_parse(const char *spec, type_map *out, char **err);
void type_map_free(type_map *m);

/*
 * The canonical specification of `m` (malloc'ed): TYPE=CTYPE:DECODER[:ENCODER[:text]],
 * which type_map_parse() reads back into an equal mapping. The lock file
 * records mappings in this form.
 */
char *type_map_spec(const type_map *m);

/* Do `a` and `b` map the same type the same way? */
bool type_map_equal(const type_map *a, const type_map *b);

/*
 * Is `name` acceptable for --include (written as `#include "name"`)? Not
 * empty, at most 4096 bytes, no control character, quote, apostrophe or
 * backslash, and no two slashes, slash-star or "??" (a trigraph): C leaves
 * those undefined or rewrites them there.
 */
bool include_header_ok(const char *name);

/* The mapping for a type named `name` (format_type) or `qualified` (schema.name), or NULL. */
const type_map *type_map_find(const type_map *maps, size_t n, const char *name,
                              const char *qualified);

/* Every row, for documentation and tests; `*n` receives the count. */
const type_info *typemap_all(unsigned *n);

#endif
