/*
 * arena.c — the allocation arena behind decoded values that cannot point
 * into the libpq result (numeric as text, network addresses, bit strings,
 * arrays). One arena belongs to one row (:one, :iter) or one result
 * (:many); the generated _free function releases it in one call.
 */
#include "pgqc/types.h"

#include <stdlib.h>

struct pgqc_arena_chunk {
    struct pgqc_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

enum { ARENA_FIRST_CHUNK = 4096, ARENA_MAX_CHUNK = 1 << 20 };

/*
 * Chunks double from 4 KiB up to 1 MiB, so a large result needs few of them;
 * a request larger than the next chunk gets a chunk of its own size.
 */
void *pgqc_arena_alloc(pgqc_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct pgqc_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = c ? c->cap * 2 : ARENA_FIRST_CHUNK;
        if (cap > ARENA_MAX_CHUNK)
            cap = ARENA_MAX_CHUNK;
        if (cap < n)
            cap = n;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

void pgqc_arena_free(pgqc_arena *a)
{
    if (!a)
        return;
    while (a->head) {
        struct pgqc_arena_chunk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}
