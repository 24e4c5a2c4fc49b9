/*
 * emit_types.h — how each PostgreSQL type of an analysis appears in
 * generated C, and the code generated for user types.
 *
 * ctype_resolve() is the single place the emitter asks "what C type, which
 * decoder, which encoder" for a type OID: built-in types come from the type
 * table (typemap.h), domains resolve to their base type, enums become
 * generated C enums (PREFIX_name, with _to_string / _from_string),
 * composites generated structs (PREFIX_name, read from binary, sent as
 * text), and
 * one-dimensional arrays become pgqc_array_* views (or PREFIX_name_array
 * for enum elements) with generated binary codecs, and a type the user
 * mapped with --map-type becomes their C type with their codec. User types'
 * C names come from the plan in emit_names.h; a type the analysis does not
 * describe consistently (an edited lock) falls back to its text form rather
 * than to a NULL name.
 */
#ifndef PGQC_EMIT_TYPES_H
#define PGQC_EMIT_TYPES_H

#include <stdbool.h>

#include "analysis.h"
#include "strbuf.h"
#include "typemap.h"

struct emit_options;

typedef struct emit_names emit_names; /* emit_names.h */

typedef struct ctype {
    c_repr repr;
    bool is_enum;
    bool is_user;      /* mapped by --map-type */
    bool is_composite; /* a generated struct */
    char *c_type;      /* "int64_t", "const char *", "db_mood", "pgqc_array_int32" */
    char *opt_type;    /* nullable value form, NULL when nullable is a NULL pointer */
    char *dec;         /* decoder function name */
    bool dec_arena;    /* decoder takes a pgqc_arena * before the output */
    char *enc;         /* value encoder: pgqc_enc_x (VALUE), PREFIX_x_to_string (enum),
                          PREFIX_enc_array_N (arrays); NULL for strings and bytes */
    int wire_size;     /* bytes the VALUE encoder writes */
    int param_format;  /* 1 binary, 0 text */
    bool unmapped;     /* no C mapping known here (an inconsistent analysis): text stand-in */
} ctype;

/* Resolve `oid` (a built-in type or a type recorded in `a`). */
void ctype_resolve(const analysis *a, const struct emit_options *opt, const emit_names *names,
                   pg_oid oid, ctype *out);
void ctype_free(ctype *t);

/* Follow domains (at most 32 deep) to the type that decides the C mapping. */
pg_oid ctype_strip_domains(const analysis *a, pg_oid oid);

/* Typedefs and prototypes for the enums and enum arrays the queries use. */
void emit_user_types_header(strbuf *h, const analysis *a, const struct emit_options *opt,
                            const emit_names *names);

/* Enum string conversions and decoders, and the array codecs. */
void emit_user_types_source(strbuf *c, const analysis *a, const struct emit_options *opt,
                            const emit_names *names);

#endif
