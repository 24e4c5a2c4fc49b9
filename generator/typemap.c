/*
 * typemap.c — the type table (see typemap.h). OIDs are PostgreSQL's fixed
 * built-in type OIDs (src/include/catalog/pg_type.dat).
 */
#include "typemap.h"

#include <stddef.h>

static const type_info types[] = {
    /* oid  pg_name                        c_type              opt_type                codec repr wire fmt */
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
    {1266, "time with time zone", "pgqc_timetz", "pgqc_opt_timetz", "timetz", REPR_VALUE, 12, 1, false},
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
