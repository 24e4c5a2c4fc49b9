/*
 * pgtree.h — libpg_query parse trees for the rest of the generator.
 *
 * Wraps pg_query_parse_protobuf + pg_query__parse_result__unpack so callers
 * get the protobuf-c tree (pg_query.pb-c.h types) and free it with one
 * call, plus a generic pre-order walker over every message in a tree
 * (driven by protobuf-c's descriptors, so it needs no per-node switch).
 */
#ifndef PGQC_PGTREE_H
#define PGQC_PGTREE_H

#include <stdbool.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

typedef struct pgtree {
    PgQuery__ParseResult *tree; /* NULL when parsing failed */
    char *error;                /* parser message when it failed, else NULL */
    int error_pos;              /* 0-based byte offset of the error, -1 when unknown */
} pgtree;

/* Parse `sql`; on failure tree is NULL and error/error_pos are set. */
pgtree pgtree_parse(const char *sql);

void pgtree_free(pgtree *t);

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
