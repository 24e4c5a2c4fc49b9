/*
 * arena.c — bump allocation freed in one go (see arena.h).
 */
#include "arena.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *arena_alloc_raw(arena *a, size_t n)
{
    void *p = pgqc_arena_alloc(a, n);
    if (!p)
        die_oom();
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc_raw(a, n + 1);
    memcpy(p, s, n + 1);
    return p;
}

char *arena_fmt(arena *a, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    char *p = arena_strdup(a, sb.buf);
    strbuf_release(&sb);
    return p;
}

void arena_free(arena *a)
{
    pgqc_arena_free(a);
}

static void *pb_alloc(void *data, size_t size)
{
    return arena_alloc_raw(data, size ? size : 1);
}

static void pb_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

ProtobufCAllocator arena_protobuf(arena *a)
{
    ProtobufCAllocator al = {pb_alloc, pb_free, a};
    return al;
}
