/*
 * typemap.c — the type table (see typemap.h). OIDs are PostgreSQL's fixed
 * built-in type OIDs (src/include/catalog/pg_type.dat).
 */
#include "typemap.h"

#include "strbuf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const type_info types[] = {
    /* oid  pg_name                        c_type              opt_type                codec repr
       wire fmt */
    {16, "boolean", "bool", "pgqc_opt_bool", "bool", REPR_VALUE, 1, 1, false},
    {21, "smallint", "int16_t", "pgqc_opt_int16", "int16", REPR_VALUE, 2, 1, false},
    {23, "integer", "int32_t", "pgqc_opt_int32", "int32", REPR_VALUE, 4, 1, false},
    {20, "bigint", "int64_t", "pgqc_opt_int64", "int64", REPR_VALUE, 8, 1, false},
    {26, "oid", "uint32_t", "pgqc_opt_uint32", "uint32", REPR_VALUE, 4, 1, false},
    {700, "real", "float", "pgqc_opt_float", "float", REPR_VALUE, 4, 1, false},
    {701, "double precision", "double", "pgqc_opt_double", "double", REPR_VALUE, 8, 1, false},
    {25, "text", "const char *", NULL, "text", REPR_STRING, 0, 1, false},
    {1043, "character varying", "const char *", NULL, "text", REPR_STRING, 0, 1, false},
    {1042, "character", "const char *", NULL, "text", REPR_STRING, 0, 1, false},
    {19, "name", "const char *", NULL, "text", REPR_STRING, 0, 1, false},
    {114, "json", "const char *", NULL, "text", REPR_STRING, 0, 1, false},
    {3802, "jsonb", "const char *", NULL, "jsonb", REPR_STRING, 0, 0, false},
    {17, "bytea", "pgqc_bytes", NULL, "bytes", REPR_BYTES, 0, 1, false},
    {2950, "uuid", "pgqc_uuid", "pgqc_opt_uuid", "uuid", REPR_VALUE, 16, 1, false},
    {1082, "date", "pgqc_date", "pgqc_opt_date", "date", REPR_VALUE, 4, 1, false},
    {1114, "timestamp without time zone", "pgqc_timestamp", "pgqc_opt_timestamp", "timestamp",
     REPR_VALUE, 8, 1, false},
    {1184, "timestamp with time zone", "pgqc_timestamptz", "pgqc_opt_timestamptz", "timestamptz",
     REPR_VALUE, 8, 1, false},
    {1083, "time without time zone", "pgqc_time", "pgqc_opt_time", "time", REPR_VALUE, 8, 1, false},
    {1266, "time with time zone", "pgqc_timetz", "pgqc_opt_timetz", "timetz", REPR_VALUE, 12, 1,
     false},
    {1186, "interval", "pgqc_interval", "pgqc_opt_interval", "interval", REPR_VALUE, 16, 1, false},
    /* money: its binary form is the amount in the currency's smallest unit (cents). */
    {790, "money", "int64_t", "pgqc_opt_int64", "int64", REPR_VALUE, 8, 1, false},
    /* Exact or textual types: decoded from binary to their text form (arena memory),
     * sent as text. */
    {1700, "numeric", "const char *", NULL, "numeric_text", REPR_STRING, 0, 0, true},
    {869, "inet", "const char *", NULL, "inet_text", REPR_STRING, 0, 0, true},
    {650, "cidr", "const char *", NULL, "inet_text", REPR_STRING, 0, 0, true},
    {829, "macaddr", "const char *", NULL, "macaddr_text", REPR_STRING, 0, 0, true},
    {774, "macaddr8", "const char *", NULL, "macaddr_text", REPR_STRING, 0, 0, true},
    {1560, "bit", "const char *", NULL, "bits_text", REPR_STRING, 0, 0, true},
    {1562, "bit varying", "const char *", NULL, "bits_text", REPR_STRING, 0, 0, true},
    {142, "xml", "const char *", NULL, "text", REPR_STRING, 0, 0, false},
    {18, "\"char\"", "const char *", NULL, "text", REPR_STRING, 0, 0, false},
};

const type_info *typemap_lookup(pg_oid oid)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].oid == oid)
            return &types[i];
    return NULL;
}

const type_info *typemap_all(unsigned *n)
{
    *n = (unsigned)(sizeof types / sizeof types[0]);
    return types;
}

static bool c_name_ok(const char *s, bool allow_spaces)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' ||
              (allow_spaces && (*p == ' ' || *p == '*'))))
            return false;
    return true;
}

bool type_map_parse(const char *spec, type_map *out, char **err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        *err = xstrfmt("--map-type \"%s\": expected TYPE=CTYPE:DECODER[:ENCODER[:text]] or "
                       "numeric=double",
                       spec);
        return false;
    }
    out->pg_type = xstrndup(spec, (size_t)(eq - spec));
    for (const char *p = out->pg_type; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            *err = xstrfmt("--map-type: the type name contains a control character");
            type_map_free(out);
            return false;
        }
    const char *rhs = eq + 1;
    if (strcmp(out->pg_type, "numeric") == 0 && strcmp(rhs, "double") == 0) {
        out->c_type = xstrdup("double");
        out->decoder = xstrdup("pgqc_dec_numeric_double");
        out->encoder = xstrdup("pgqc_enc_numeric_double");
        out->text_params = true;
        return true;
    }
    char *parts[4] = {NULL, NULL, NULL, NULL};
    size_t n = 0;
    char *copy = xstrdup(rhs), *save = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok && n < 4; tok = strtok_r(NULL, ":", &save))
        parts[n++] = tok;
    bool ok = n >= 2 && c_name_ok(parts[0], true) && c_name_ok(parts[1], false) &&
              (n < 3 || c_name_ok(parts[2], false)) && (n < 4 || strcmp(parts[3], "text") == 0);
    if (ok) {
        out->c_type = xstrdup(parts[0]);
        out->decoder = xstrdup(parts[1]);
        out->encoder = n >= 3 ? xstrdup(parts[2]) : NULL;
        out->text_params = n == 4;
    } else {
        *err = xstrfmt("--map-type \"%s\": expected TYPE=CTYPE:DECODER[:ENCODER[:text]] with C "
                       "identifiers (or numeric=double)",
                       spec);
        type_map_free(out);
    }
    free(copy);
    return ok;
}

char *type_map_spec(const type_map *m)
{
    if (!m->encoder)
        return xstrfmt("%s=%s:%s", m->pg_type, m->c_type, m->decoder);
    return xstrfmt("%s=%s:%s:%s%s", m->pg_type, m->c_type, m->decoder, m->encoder,
                   m->text_params ? ":text" : "");
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool type_map_equal(const type_map *a, const type_map *b)
{
    return same_str(a->pg_type, b->pg_type) && same_str(a->c_type, b->c_type) &&
           same_str(a->decoder, b->decoder) && same_str(a->encoder, b->encoder) &&
           a->text_params == b->text_params;
}

bool include_header_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 4096)
        return false;
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
            return false;
        /* Undefined in a "q-char-sequence" (C11 6.4.7): a quote, two slashes, slash-star; and a
         * trigraph (??/ is a backslash) is translated before the header name
         * is formed, or warned about under -Wtrigraphs. */
        if (*p == '\'' || (p[0] == '/' && (p[1] == '/' || p[1] == '*')) ||
            (p[0] == '?' && p[1] == '?'))
            return false;
    }
    return true;
}

void type_map_free(type_map *m)
{
    free(m->pg_type);
    free(m->c_type);
    free(m->decoder);
    free(m->encoder);
    memset(m, 0, sizeof *m);
}

const type_map *type_map_find(const type_map *maps, size_t n, const char *name,
                              const char *qualified)
{
    for (size_t i = 0; i < n; i++)
        if ((name && strcmp(maps[i].pg_type, name) == 0) ||
            (qualified && strcmp(maps[i].pg_type, qualified) == 0))
            return &maps[i];
    return NULL;
}
