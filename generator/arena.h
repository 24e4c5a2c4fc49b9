/*
 * arena.h — bump allocation freed in one go.
 *
 * For memory whose lifetime is one unit of work (one nullability inference,
 * one parse tree, one scan): allocations are carved from blocks that grow
 * geometrically, nothing is freed one by one, and arena_free() releases
 * every block. It is the runtime's pgqc_arena, except that allocation
 * failure aborts, as xmalloc does.
 *
 * arena_protobuf() adapts an arena to protobuf-c's allocator interface, so
 * an unpacked libpg_query message (tens of thousands of small structs for a
 * large statement) costs a few block allocations instead of one malloc and
 * one free per struct.
 */
#ifndef PGQC_ARENA_H
#define PGQC_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include <pgqc/types.h>

/* libpgqc's arena (include/pgqc/types.h), with allocation failure fatal. */
typedef pgqc_arena arena;

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL                                                                                       \
    }

/* `n` zeroed bytes, aligned for any type. */
void *arena_alloc(arena *a, size_t n);
/* `n` bytes, aligned for any type, not cleared. */
void *arena_alloc_raw(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_fmt(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Release every block; the arena is then empty and can be used again. */
void arena_free(arena *a);

/* A protobuf-c allocator drawing from `a` (its free is a no-op). */
ProtobufCAllocator arena_protobuf(arena *a);

#endif
