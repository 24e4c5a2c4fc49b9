/*
 * pgtree.c — parsing SQL into libpg_query's protobuf tree and walking it
 * generically (see pgtree.h).
 */
#include "pgtree.h"
#include "strbuf.h"

#include <stdlib.h>

pgtree pgtree_parse(const char *sql)
{
    pgtree t = {NULL, NULL, -1};
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    if (r.error) {
        t.error = xstrdup(r.error->message);
        t.error_pos = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : -1;
    } else {
        t.tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len,
                                                (const uint8_t *)r.parse_tree.data);
        if (!t.tree)
            t.error = xstrdup("cannot decode the parse tree");
    }
    pg_query_free_protobuf_parse_result(r);
    return t;
}

void pgtree_free(pgtree *t)
{
    if (t->tree)
        pg_query__parse_result__free_unpacked(t->tree, NULL);
    free(t->error);
    t->tree = NULL;
    t->error = NULL;
}

const ProtobufCMessage *pgtree_node_msg(const PgQuery__Node *n)
{
    if (!n || n->node_case == PG_QUERY__NODE__NODE__NOT_SET)
        return NULL;
    /* Every member of the oneof is a message pointer at the same address. */
    return (const ProtobufCMessage *)n->alias;
}

void pgtree_walk(const ProtobufCMessage *msg, pgtree_visitor visit, void *ctx)
{
    if (!msg)
        return;
    if (!visit(msg, ctx))
        return;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)msg;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const ProtobufCMessage *const *arr =
                *(const ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                pgtree_walk(arr[k], visit, ctx);
        } else {
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
                uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
                if (which != f->id)
                    continue;
            }
            pgtree_walk(*(const ProtobufCMessage *const *)(base + f->offset), visit, ctx);
        }
    }
}
