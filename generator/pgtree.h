/*
 * pgtree.h — libpg_query parse trees for the rest of the generator.
 *
 * Wraps pg_query_parse_protobuf + pg_query__parse_result__unpack so callers
 * get the protobuf-c tree (pg_query.pb-c.h types) and free it with one
 * call (the tree is unpacked into an arena: no malloc per node), plus a generic pre-order walker
 * over every message in a tree (driven by protobuf-c's descriptors, so it needs no per-node
 * switch).
 */
#ifndef PGQC_PGTREE_H
#define PGQC_PGTREE_H

#include <stdbool.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "arena.h"

typedef struct pgtree {
    PgQuery__ParseResult *tree; /* NULL when parsing failed; lives in `mem` */
    char *error;                /* parser message when it failed, else NULL */
    int error_pos;              /* 0-based byte offset of the error, -1 when unknown */
    arena mem;                  /* the unpacked tree's memory */
} pgtree;

/* Parse `sql`; on failure tree is NULL and error/error_pos are set. */
pgtree pgtree_parse(const char *sql);

void pgtree_free(pgtree *t);

/*
 * Parsing many statements in the background. libpg_query is thread-safe
 * (its memory contexts are thread-local) and most of a parse is packing and
 * unpacking protobuf on the client, so while the server prepares one batch
 * the trees of the next are built on the other cores. The caller takes the
 * trees in any order; while the one it asks for is not ready it parses the
 * next statements nobody has started, so it never idles while work is left
 * and the pool also works with no threads at all.
 */
typedef struct pgtree_pool pgtree_pool;

/*
 * Start parsing sqls[0 .. n-1] (which must outlive the pool) on up to
 * `threads` extra threads (0: everything is parsed by pgtree_pool_take).
 */
pgtree_pool *pgtree_pool_start(const char *const *sqls, size_t n, unsigned threads);

/* The tree of sqls[i], which the caller now owns (pgtree_free); once per i. */
pgtree pgtree_pool_take(pgtree_pool *p, size_t i);

/* Stop the threads and free every tree that was not taken. */
void pgtree_pool_finish(pgtree_pool *p);

/* Extra threads worth starting for `n` statements on this machine. */
unsigned pgtree_pool_threads(size_t n);

/*
 * Visit `msg` and every message below it, depth first. The visitor returns
 * false to skip the children of the message it was given.
 */
typedef bool (*pgtree_visitor)(const ProtobufCMessage *msg, void *ctx);
void pgtree_walk(const ProtobufCMessage *msg, pgtree_visitor visit, void *ctx);

/* The message a Node wraps (NULL for an empty Node). */
const ProtobufCMessage *pgtree_node_msg(const PgQuery__Node *n);

/* Is message `m` of the given protobuf-c type? e.g. PGTREE_IS(m, join_expr) */
#define PGTREE_IS(m, type) ((m) && (m)->descriptor == &pg_query__##type##__descriptor)

#endif
