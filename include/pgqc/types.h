/*
 * types.h — the C types generated rows and parameters use, and the binary
 * wire decoders/encoders behind them.
 *
 * Nullability is visible in the type: a nullable value-typed column is a
 * pgqc_opt_<T> ({ bool valid; T value; }), so reading it as its non-null
 * type does not compile; nullable strings and byte strings are NULL
 * pointers. Decoders take a field's bytes and length exactly as libpq hands
 * them (PQgetvalue/PQgetlength) and never read past `len`: a wrong length is
 * reported (false), never trusted. Encoders write network byte order into a
 * caller-provided buffer of the size the type needs.
 *
 * Time types count from PostgreSQL's epoch, 2000-01-01 00:00:00 UTC.
 */
#ifndef PGQC_TYPES_H
#define PGQC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of a bytea value; `data` points into the result. */
typedef struct pgqc_bytes {
    const uint8_t *data; /* NULL for SQL NULL when the column is nullable */
    size_t len;
} pgqc_bytes;

/* A UUID as its 16 bytes, in network order. */
typedef struct pgqc_uuid {
    uint8_t bytes[16];
} pgqc_uuid;

/* timestamp with time zone: microseconds since 2000-01-01 00:00:00 UTC. */
typedef struct pgqc_timestamptz {
    int64_t usec;
} pgqc_timestamptz;

/* timestamp without time zone: microseconds since 2000-01-01 00:00:00 (no zone). */
typedef struct pgqc_timestamp {
    int64_t usec;
} pgqc_timestamp;

/* date: days since 2000-01-01. */
typedef struct pgqc_date {
    int32_t days;
} pgqc_date;

/* time without time zone: microseconds since midnight. */
typedef struct pgqc_time {
    int64_t usec;
} pgqc_time;

/* time with time zone: microseconds since midnight and the zone's offset in
 * seconds WEST of UTC (PostgreSQL's convention: UTC+02 is -7200). */
typedef struct pgqc_timetz {
    int64_t usec;
    int32_t zone;
} pgqc_timetz;

/* interval: PostgreSQL keeps months, days and microseconds apart. */
typedef struct pgqc_interval {
    int64_t usec;
    int32_t days;
    int32_t months;
} pgqc_interval;

/*
 * An arena for decoded values that need memory of their own (numeric as
 * text, arrays, ...). Zero-initialise; pgqc_arena_free() releases all.
 */
typedef struct pgqc_arena {
    struct pgqc_arena_chunk *head;
} pgqc_arena;

void *pgqc_arena_alloc(pgqc_arena *a, size_t n);
void pgqc_arena_free(pgqc_arena *a);

/* Seconds between 1970-01-01 (Unix) and 2000-01-01 (PostgreSQL) epochs. */
#define PGQC_EPOCH_OFFSET_SECS INT64_C(946684800)

#define PGQC_DEFINE_OPT(name, T)                                                                   \
    typedef struct pgqc_opt_##name {                                                               \
        bool valid; /* false: SQL NULL, `value` is zero */                                         \
        T value;                                                                                   \
    } pgqc_opt_##name;

PGQC_DEFINE_OPT(bool, bool)
PGQC_DEFINE_OPT(int16, int16_t)
PGQC_DEFINE_OPT(int32, int32_t)
PGQC_DEFINE_OPT(int64, int64_t)
PGQC_DEFINE_OPT(uint32, uint32_t)
PGQC_DEFINE_OPT(float, float)
PGQC_DEFINE_OPT(double, double)
PGQC_DEFINE_OPT(uuid, pgqc_uuid)
PGQC_DEFINE_OPT(timestamptz, pgqc_timestamptz)
PGQC_DEFINE_OPT(timestamp, pgqc_timestamp)
PGQC_DEFINE_OPT(date, pgqc_date)
PGQC_DEFINE_OPT(time, pgqc_time)
PGQC_DEFINE_OPT(timetz, pgqc_timetz)
PGQC_DEFINE_OPT(interval, pgqc_interval)

/*
 * One-dimensional arrays: a view of `count` items. Value-typed elements are
 * pgqc_opt_* (an element can be NULL: .valid false); string elements are
 * pointers (NULL for a NULL element). Decoded arrays live in the row's
 * arena; arrays passed as parameters are read during the call only.
 */
#define PGQC_DEFINE_ARRAY(name, T)                                                                 \
    typedef struct pgqc_array_##name {                                                             \
        const T *items;                                                                            \
        size_t count;                                                                              \
    } pgqc_array_##name;

PGQC_DEFINE_ARRAY(bool, pgqc_opt_bool)
PGQC_DEFINE_ARRAY(int16, pgqc_opt_int16)
PGQC_DEFINE_ARRAY(int32, pgqc_opt_int32)
PGQC_DEFINE_ARRAY(int64, pgqc_opt_int64)
PGQC_DEFINE_ARRAY(uint32, pgqc_opt_uint32)
PGQC_DEFINE_ARRAY(float, pgqc_opt_float)
PGQC_DEFINE_ARRAY(double, pgqc_opt_double)
PGQC_DEFINE_ARRAY(uuid, pgqc_opt_uuid)
PGQC_DEFINE_ARRAY(date, pgqc_opt_date)
PGQC_DEFINE_ARRAY(time, pgqc_opt_time)
PGQC_DEFINE_ARRAY(timetz, pgqc_opt_timetz)
PGQC_DEFINE_ARRAY(timestamp, pgqc_opt_timestamp)
PGQC_DEFINE_ARRAY(timestamptz, pgqc_opt_timestamptz)
PGQC_DEFINE_ARRAY(interval, pgqc_opt_interval)
PGQC_DEFINE_ARRAY(text, char *const)
PGQC_DEFINE_ARRAY(bytes, pgqc_bytes)

/* Reading a binary array value: pgqc_array_begin, then pgqc_array_next per element. */
typedef struct pgqc_array_reader {
    const char *p, *end;
    size_t count;
} pgqc_array_reader;

/*
 * Check the header of a binary array (at most one dimension, element type
 * `elem_oid`, or any element type when 0); on success r->count is the
 * number of elements.
 */
bool pgqc_array_begin(pgqc_array_reader *r, const char *v, int len, uint32_t elem_oid);

/* The next element: *elen is -1 for NULL. False when the value is malformed. */
bool pgqc_array_next(pgqc_array_reader *r, const char **ev, int *elen);

/* Reading a binary composite (record) value: pgqc_record_begin, then pgqc_record_next. */
typedef struct pgqc_record_reader {
    const char *p, *end;
    size_t count;
} pgqc_record_reader;

/* Check the header of a record with exactly `nattrs` attributes. */
bool pgqc_record_begin(pgqc_record_reader *r, const char *v, int len, size_t nattrs);

/* The next attribute: its type OID and value (*flen -1 for NULL); false when malformed. */
bool pgqc_record_next(pgqc_record_reader *r, uint32_t *oid, const char **fv, int *flen);

/* jsonb inside an array or record: its text (after the version byte), copied with a NUL. */
bool pgqc_dec_jsonb_copy(const char *v, int len, pgqc_arena *a, const char **out);

/* A copy of `len` bytes with a NUL added, from the arena (array elements are not terminated). */
bool pgqc_dec_text_copy(const char *v, int len, pgqc_arena *a, const char **out);

/*
 * Building a binary array parameter in an arena: pgqc_array_write_begin,
 * then pgqc_array_write_elem per element (NULL data for a NULL element),
 * then the buffer holds `*len` bytes. False when out of memory.
 */
typedef struct pgqc_array_writer {
    pgqc_arena *arena;
    char *buf;
    size_t len, cap;
    bool has_null;
} pgqc_array_writer;

bool pgqc_array_write_begin(pgqc_array_writer *w, pgqc_arena *a, uint32_t elem_oid, size_t count);
bool pgqc_array_write_elem(pgqc_array_writer *w, const char *data, int len);
/* Finish: the value to send and its length. */
const char *pgqc_array_write_end(pgqc_array_writer *w, int *len);

/*
 * A text-format array literal ("{\"a\",NULL}") of `n` strings (NULL items are
 * SQL NULL), in the arena; for element types whose OID is not fixed (enums),
 * which binary arrays cannot carry. NULL when out of memory.
 */
const char *pgqc_text_array_literal(pgqc_arena *a, const char *const *items, size_t n, int *len);

/* ---- network byte order helpers ---------------------------------------- */

static inline uint16_t pgqc_be16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)((u[0] << 8) | u[1]);
}

static inline uint32_t pgqc_be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return ((uint32_t)u[0] << 24) | ((uint32_t)u[1] << 16) | ((uint32_t)u[2] << 8) | u[3];
}

static inline uint64_t pgqc_be64(const char *p)
{
    return ((uint64_t)pgqc_be32(p) << 32) | pgqc_be32(p + 4);
}

static inline void pgqc_put_be16(char *p, uint16_t v)
{
    p[0] = (char)(v >> 8);
    p[1] = (char)v;
}

static inline void pgqc_put_be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24);
    p[1] = (char)(v >> 16);
    p[2] = (char)(v >> 8);
    p[3] = (char)v;
}

static inline void pgqc_put_be64(char *p, uint64_t v)
{
    pgqc_put_be32(p, (uint32_t)(v >> 32));
    pgqc_put_be32(p + 4, (uint32_t)v);
}

/* ---- decoders: (bytes, length) -> value; false on an impossible length ---- */

static inline bool pgqc_dec_bool(const char *v, int len, bool *out)
{
    if (len != 1)
        return false;
    *out = v[0] != 0;
    return true;
}

static inline bool pgqc_dec_int16(const char *v, int len, int16_t *out)
{
    if (len != 2)
        return false;
    *out = (int16_t)pgqc_be16(v);
    return true;
}

static inline bool pgqc_dec_int32(const char *v, int len, int32_t *out)
{
    if (len != 4)
        return false;
    *out = (int32_t)pgqc_be32(v);
    return true;
}

static inline bool pgqc_dec_int64(const char *v, int len, int64_t *out)
{
    if (len != 8)
        return false;
    *out = (int64_t)pgqc_be64(v);
    return true;
}

static inline bool pgqc_dec_uint32(const char *v, int len, uint32_t *out)
{
    if (len != 4)
        return false;
    *out = pgqc_be32(v);
    return true;
}

static inline bool pgqc_dec_float(const char *v, int len, float *out)
{
    if (len != 4)
        return false;
    uint32_t u = pgqc_be32(v);
    memcpy(out, &u, sizeof u);
    return true;
}

static inline bool pgqc_dec_double(const char *v, int len, double *out)
{
    if (len != 8)
        return false;
    uint64_t u = pgqc_be64(v);
    memcpy(out, &u, sizeof u);
    return true;
}

/* Text-like types: binary form is the bytes themselves; libpq NUL-terminates. */
static inline bool pgqc_dec_text(const char *v, int len, const char **out)
{
    if (len < 0 || v[len] != '\0')
        return false;
    *out = v;
    return true;
}

/* jsonb: a version byte (1) then the JSON text. */
static inline bool pgqc_dec_jsonb(const char *v, int len, const char **out)
{
    if (len < 1 || v[0] != 1 || v[len] != '\0')
        return false;
    *out = v + 1;
    return true;
}

static inline bool pgqc_dec_bytes(const char *v, int len, pgqc_bytes *out)
{
    if (len < 0)
        return false;
    out->data = (const uint8_t *)v;
    out->len = (size_t)len;
    return true;
}

static inline bool pgqc_dec_uuid(const char *v, int len, pgqc_uuid *out)
{
    if (len != 16)
        return false;
    memcpy(out->bytes, v, 16);
    return true;
}

static inline bool pgqc_dec_timestamptz(const char *v, int len, pgqc_timestamptz *out)
{
    return pgqc_dec_int64(v, len, &out->usec);
}

static inline bool pgqc_dec_timestamp(const char *v, int len, pgqc_timestamp *out)
{
    return pgqc_dec_int64(v, len, &out->usec);
}

static inline bool pgqc_dec_date(const char *v, int len, pgqc_date *out)
{
    return pgqc_dec_int32(v, len, &out->days);
}

static inline bool pgqc_dec_time(const char *v, int len, pgqc_time *out)
{
    return pgqc_dec_int64(v, len, &out->usec);
}

static inline bool pgqc_dec_timetz(const char *v, int len, pgqc_timetz *out)
{
    if (len != 12)
        return false;
    out->usec = (int64_t)pgqc_be64(v);
    out->zone = (int32_t)pgqc_be32(v + 8);
    return true;
}

static inline bool pgqc_dec_interval(const char *v, int len, pgqc_interval *out)
{
    if (len != 16)
        return false;
    out->usec = (int64_t)pgqc_be64(v);
    out->days = (int32_t)pgqc_be32(v + 8);
    out->months = (int32_t)pgqc_be32(v + 12);
    return true;
}

/*
 * numeric as double (`pgqc generate --map-type numeric=double`): the binary
 * numeric rounded to the nearest double (NaN and ±Infinity kept), and a
 * double sent as numeric text ("%.17g", so it round-trips exactly).
 */
bool pgqc_dec_numeric_double(const char *v, int len, double *out);
const char *pgqc_enc_numeric_double(pgqc_arena *a, double v, int *len);

/* Decoders to text that need memory from an arena (runtime/codec.c). */
bool pgqc_dec_numeric_text(const char *v, int len, pgqc_arena *a, const char **out);
bool pgqc_dec_inet_text(const char *v, int len, pgqc_arena *a, const char **out);
bool pgqc_dec_macaddr_text(const char *v, int len, pgqc_arena *a, const char **out);
bool pgqc_dec_bits_text(const char *v, int len, pgqc_arena *a, const char **out);

/* ---- encoders: value -> network bytes in `buf` (sized by the type) ---- */

static inline int pgqc_enc_bool(char *buf, bool v)
{
    buf[0] = v ? 1 : 0;
    return 1;
}

static inline int pgqc_enc_int16(char *buf, int16_t v)
{
    pgqc_put_be16(buf, (uint16_t)v);
    return 2;
}

static inline int pgqc_enc_int32(char *buf, int32_t v)
{
    pgqc_put_be32(buf, (uint32_t)v);
    return 4;
}

static inline int pgqc_enc_int64(char *buf, int64_t v)
{
    pgqc_put_be64(buf, (uint64_t)v);
    return 8;
}

static inline int pgqc_enc_uint32(char *buf, uint32_t v)
{
    pgqc_put_be32(buf, v);
    return 4;
}

static inline int pgqc_enc_float(char *buf, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    pgqc_put_be32(buf, u);
    return 4;
}

static inline int pgqc_enc_double(char *buf, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    pgqc_put_be64(buf, u);
    return 8;
}

static inline int pgqc_enc_uuid(char *buf, pgqc_uuid v)
{
    memcpy(buf, v.bytes, 16);
    return 16;
}

static inline int pgqc_enc_timestamptz(char *buf, pgqc_timestamptz v)
{
    return pgqc_enc_int64(buf, v.usec);
}

static inline int pgqc_enc_timestamp(char *buf, pgqc_timestamp v)
{
    return pgqc_enc_int64(buf, v.usec);
}

static inline int pgqc_enc_date(char *buf, pgqc_date v)
{
    return pgqc_enc_int32(buf, v.days);
}

static inline int pgqc_enc_time(char *buf, pgqc_time v)
{
    return pgqc_enc_int64(buf, v.usec);
}

static inline int pgqc_enc_timetz(char *buf, pgqc_timetz v)
{
    pgqc_put_be64(buf, (uint64_t)v.usec);
    pgqc_put_be32(buf + 8, (uint32_t)v.zone);
    return 12;
}

static inline int pgqc_enc_interval(char *buf, pgqc_interval v)
{
    pgqc_put_be64(buf, (uint64_t)v.usec);
    pgqc_put_be32(buf + 8, (uint32_t)v.days);
    pgqc_put_be32(buf + 12, (uint32_t)v.months);
    return 16;
}

#ifdef __cplusplus
}
#endif

#endif
