/*
 * typemap.c — the type table (see typemap.h). OIDs are PostgreSQL's fixed
 * built-in type OIDs (src/include/catalog/pg_type.dat).
 */
#include "typemap.h"

#include <stddef.h>

static const type_info types[] = {
    /* oid  pg_name                        c_type              opt_type                codec repr wire fmt */
    {16, "boolean", "bool", "pgqc_opt_bool", "bool", REPR_VALUE, 1, 1},
    {21, "smallint", "int16_t", "pgqc_opt_int16", "int16", REPR_VALUE, 2, 1},
    {23, "integer", "int32_t", "pgqc_opt_int32", "int32", REPR_VALUE, 4, 1},
    {20, "bigint", "int64_t", "pgqc_opt_int64", "int64", REPR_VALUE, 8, 1},
    {26, "oid", "uint32_t", "pgqc_opt_uint32", "uint32", REPR_VALUE, 4, 1},
    {700, "real", "float", "pgqc_opt_float", "float", REPR_VALUE, 4, 1},
    {701, "double precision", "double", "pgqc_opt_double", "double", REPR_VALUE, 8, 1},
    {25, "text", "const char *", NULL, "text", REPR_STRING, 0, 1},
    {1043, "character varying", "const char *", NULL, "text", REPR_STRING, 0, 1},
    {1042, "character", "const char *", NULL, "text", REPR_STRING, 0, 1},
    {19, "name", "const char *", NULL, "text", REPR_STRING, 0, 1},
    {114, "json", "const char *", NULL, "text", REPR_STRING, 0, 1},
    {3802, "jsonb", "const char *", NULL, "jsonb", REPR_STRING, 0, 0},
    {17, "bytea", "pgqc_bytes", NULL, "bytes", REPR_BYTES, 0, 1},
    {2950, "uuid", "pgqc_uuid", "pgqc_opt_uuid", "uuid", REPR_VALUE, 16, 1},
    {1082, "date", "pgqc_date", "pgqc_opt_date", "date", REPR_VALUE, 4, 1},
    {1114, "timestamp without time zone", "pgqc_timestamp", "pgqc_opt_timestamp", "timestamp",
     REPR_VALUE, 8, 1},
    {1184, "timestamp with time zone", "pgqc_timestamptz", "pgqc_opt_timestamptz", "timestamptz",
     REPR_VALUE, 8, 1},
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
