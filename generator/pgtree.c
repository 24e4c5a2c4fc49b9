/*
 * pgtree.c — parsing SQL into libpg_query's protobuf tree and walking it
 * generically (see pgtree.h).
 */
#include "pgtree.h"
#include "strbuf.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

pgtree pgtree_parse(const char *sql)
{
    pgtree t = {NULL, NULL, -1, ARENA_INIT};
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    if (r.error) {
        t.error = xstrdup(r.error->message);
        t.error_pos = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : -1;
    } else {
        ProtobufCAllocator al = arena_protobuf(&t.mem);
        t.tree = pg_query__parse_result__unpack(&al, r.parse_tree.len,
                                                (const uint8_t *)r.parse_tree.data);
        if (!t.tree)
            t.error = xstrdup("cannot decode the parse tree");
    }
    pg_query_free_protobuf_parse_result(r);
    return t;
}

void pgtree_free(pgtree *t)
{
    arena_free(&t->mem);
    free(t->error);
    t->tree = NULL;
    t->error = NULL;
}

/* ---- background parsing ---------------------------------------------------- */

/* Statements claimed at a time: enough to make locking rare, few enough to share. */
enum { POOL_CHUNK = 8, POOL_MAX_THREADS = 8, POOL_MIN_PER_THREAD = 64 };

typedef enum { TREE_PENDING, TREE_CLAIMED, TREE_DONE, TREE_TAKEN } tree_state;

struct pgtree_pool {
    const char *const *sqls;
    size_t n;
    pgtree *trees;
    tree_state *state;
    size_t next; /* first statement nobody has claimed */
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t done; /* broadcast when a claimed chunk is parsed */
    pthread_t *threads;
    unsigned nthreads;
};

/* Claim the next chunk under the lock: [*b, *e), false when none is left. */
static bool claim(pgtree_pool *p, size_t *b, size_t *e)
{
    if (p->stop || p->next >= p->n)
        return false;
    *b = p->next;
    *e = *b + POOL_CHUNK < p->n ? *b + POOL_CHUNK : p->n;
    for (size_t i = *b; i < *e; i++)
        p->state[i] = TREE_CLAIMED;
    p->next = *e;
    return true;
}

/* Parse a claimed chunk outside the lock, then publish it. Called with the lock held. */
static void parse_chunk(pgtree_pool *p, size_t b, size_t e)
{
    pthread_mutex_unlock(&p->mu);
    for (size_t i = b; i < e; i++)
        p->trees[i] = pgtree_parse(p->sqls[i]);
    pthread_mutex_lock(&p->mu);
    for (size_t i = b; i < e; i++)
        p->state[i] = TREE_DONE;
    pthread_cond_broadcast(&p->done);
}

static void *pool_worker(void *arg)
{
    pgtree_pool *p = arg;
    size_t b, e;
    pthread_mutex_lock(&p->mu);
    while (claim(p, &b, &e))
        parse_chunk(p, b, e);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

unsigned pgtree_pool_threads(size_t n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = n / POOL_MIN_PER_THREAD; /* small runs: threads cost more than they give */
    if (cpus < 2 || want == 0)
        return 0;
    /* One core stays with the caller (and the server, when it is local). */
    size_t t = (size_t)cpus - 1;
    if (t > want)
        t = want;
    return t > POOL_MAX_THREADS ? POOL_MAX_THREADS : (unsigned)t;
}

pgtree_pool *pgtree_pool_start(const char *const *sqls, size_t n, unsigned threads)
{
    pgtree_pool *p = xcalloc(1, sizeof *p);
    p->sqls = sqls;
    p->n = n;
    p->trees = xcalloc(n + 1, sizeof *p->trees);
    p->state = xcalloc(n + 1, sizeof *p->state);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->done, NULL);
    p->threads = xcalloc(threads + 1, sizeof *p->threads);
    for (unsigned i = 0; i < threads; i++)
        if (pthread_create(&p->threads[p->nthreads], NULL, pool_worker, p) == 0)
            p->nthreads++; /* a thread that cannot start leaves its work to the caller */
    return p;
}

pgtree pgtree_pool_take(pgtree_pool *p, size_t i)
{
    size_t b, e;
    pthread_mutex_lock(&p->mu);
    while (p->state[i] != TREE_DONE) {
        /* Rather than wait, parse the next chunk nobody has started (maybe i's own). */
        if (claim(p, &b, &e))
            parse_chunk(p, b, e);
        else
            pthread_cond_wait(&p->done, &p->mu);
    }
    p->state[i] = TREE_TAKEN;
    pgtree t = p->trees[i];
    pthread_mutex_unlock(&p->mu);
    return t;
}

void pgtree_pool_finish(pgtree_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    for (size_t i = 0; i < p->n; i++)
        if (p->state[i] == TREE_DONE)
            pgtree_free(&p->trees[i]);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p->state);
    free(p->trees);
    free(p);
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
