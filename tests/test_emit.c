/*
 * test_emit.c — the emitter on its own: analyses built by hand (no
 * database), emitted with emit_c(), and the result either compiled with
 * gcc and clang under -std=c11 -Wall -Wextra -Wpedantic -Werror or refused
 * with a diagnostic at the query's file:line. Never both: a refused
 * analysis writes nothing usable, an accepted one always compiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cname.h"
#include "emit_c.h"
#include "emit_names.h"

static char **strv(size_t n, ...)
{
    char **v = xcalloc(n + 1, sizeof(char *));
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    return v;
}

static void add_enum(analysis *a, pg_oid oid, const char *name, size_t nlabels, char **labels)
{
    ALLOC_GROW(a->types, a->ntypes + 1, a->types_alloc);
    an_type *t = &a->types[a->ntypes++];
    memset(t, 0, sizeof *t);
    t->oid = oid;
    t->kind = 'e';
    t->name = xstrdup(name);
    t->schema = xstrdup("public");
    t->typname = xstrdup(name);
    t->labels = labels;
    t->nlabels = nlabels;
}

/* A query returning one column of type `oid` (an int4 when 23), with one int4 parameter or none. */
static void add_query(analysis *a, const char *name, query_cmd cmd, int line, pg_oid oid,
                      const char *type_name, const char *param)
{
    ALLOC_GROW(a->queries, a->nqueries + 1, a->alloc);
    an_query *q = &a->queries[a->nqueries++];
    memset(q, 0, sizeof *q);
    q->name = xstrdup(name);
    q->file = xstrdup("queries/q.sql");
    q->line = line;
    q->cmd = cmd;
    q->doc = xstrdup("A doc line ending in a trigraph ?\?/\nand */ a comment end.");
    q->sql = xstrdup("SELECT x FROM t WHERE '*/' <> $1");
    if (param) {
        q->params = xcalloc(1, sizeof *q->params);
        q->nparams = 1;
        q->params[0].name = xstrdup(param);
        q->params[0].number = 1;
        q->params[0].type_oid = 23;
        q->params[0].type_name = xstrdup("integer");
    }
    if (query_cmd_returns_rows(cmd)) {
        q->cols = xcalloc(1, sizeof *q->cols);
        q->ncols = 1;
        q->cols[0].name = xstrdup("x */ y");
        q->cols[0].type_oid = oid;
        q->cols[0].type_name = xstrdup(type_name);
        q->cols[0].nullable = true;
    }
}

/* Emit `a` with prefix db; on success compile the pair strictly. Returns the diagnostics' text. */
static char *emit_and_compile(const analysis *a, bool *ok)
{
    emit_options opt = {"db", "db.h", NULL, 0, NULL, 0};
    strbuf h = STRBUF_INIT, c = STRBUF_INIT;
    diag_list dl = DIAG_LIST_INIT;
    *ok = emit_c(a, &opt, &h, &c, &dl);
    char *msgs = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&msgs, &len);
    diag_list_print(&dl, m, false);
    fclose(m);
    if (*ok) {
        char dir[] = "/tmp/pgqc-emit-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[256];
        snprintf(path, sizeof path, "%s/db.h", dir);
        FILE *f = fopen(path, "w");
        fwrite(h.buf, 1, h.len, f);
        fclose(f);
        snprintf(path, sizeof path, "%s/db.c", dir);
        f = fopen(path, "w");
        fwrite(c.buf, 1, c.len, f);
        fclose(f);
        const char *root = getenv("PGQC_SOURCE_ROOT") ? getenv("PGQC_SOURCE_ROOT") : ".";
        /* The source as C11 with gcc and clang, the header also as C++17. */
        const char *compilers[] = {"gcc -std=c11 -c db.c -o db.o", "clang -std=c11 -c db.c -o db.o",
                                   "g++ -std=c++17 -x c++ -fsyntax-only db.h"};
        for (size_t i = 0; i < 3; i++) {
            char cmd[1024];
            snprintf(cmd, sizeof cmd,
                     "cd %s && %s -Wall -Wextra -Wpedantic -Werror -I'%s/include' "
                     "$(pkg-config --cflags libpq)",
                     dir, compilers[i], root);
            assert_int_equal(system(cmd), 0);
        }
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
    }
    strbuf_release(&h);
    strbuf_release(&c);
    diag_list_free(&dl);
    return msgs;
}

static void test_statics_and_enum_constants_give_way(void **state)
{
    (void)state;
    analysis *a = xcalloc(1, sizeof *a);
    add_enum(a, 16400, "priority", 2, strv(2, "level_high", "low"));
    add_enum(a, 16401, "priority_level", 1, strv(1, "high"));
    add_enum(a, 16402, "nothing", 0, strv(0));
    add_enum(a, 16403, "accept", 3, strv(3, "text/*", "*/*", "x?\?/"));
    add_query(a, "list", CMD_MANY, 1, 16400, "priority", "strlen");
    add_query(a, "list_run", CMD_MANY, 4, 16401, "priority_level", "db_list_run");
    add_query(a, "list_decode", CMD_ONE, 7, 16402, "nothing", "free");
    add_query(a, "accepts", CMD_ITER, 10, 16403, "accept", "c");
    bool ok;
    char *msgs = emit_and_compile(a, &ok);
    if (!ok)
        fprintf(stderr, "%s", msgs);
    assert_true(ok);
    free(msgs);
    analysis_free(a);
}

static void test_public_clashes_are_errors_at_the_query(void **state)
{
    (void)state;
    analysis *a = xcalloc(1, sizeof *a);
    add_enum(a, 16400, "get_e_row", 1, strv(1, "a"));
    add_query(a, "check_schema", CMD_ONE, 1, 23, "integer", NULL);
    add_query(a, "get_e", CMD_ONE, 4, 16400, "get_e_row", NULL);
    add_query(a, "x", CMD_ONE, 7, 23, "integer", NULL);
    add_query(a, "x_row", CMD_EXEC, 10, 23, "integer", NULL);
    add_query(a, "bad name(void); int y", CMD_EXEC, 13, 23, "integer", NULL);
    add_query(a, "migrations", CMD_EXEC, 16, 23, "integer", NULL);
    bool ok;
    char *msgs = emit_and_compile(a, &ok);
    assert_false(ok);
    assert_non_null(strstr(msgs, "queries/q.sql:1:1: error: query \"check_schema\""));
    assert_non_null(strstr(msgs, "queries/q.sql:4:1: error: query \"get_e\""));
    assert_non_null(strstr(msgs, "queries/q.sql:10:1: error: query \"x_row\""));
    assert_non_null(strstr(msgs, "queries/q.sql:13:1: error:"));
    assert_non_null(strstr(msgs, "queries/q.sql:16:1: error: query \"migrations\": its generated "
                                 "name db_migrations is already used by the embedded migrations"));
    assert_null(strstr(msgs, "q.sql:7:")); /* the first of a clashing pair keeps its name */
    free(msgs);
    analysis_free(a);
}

static void test_a_type_without_a_mapping_here_is_refused_not_decoded_as_text(void **state)
{
    (void)state;
    analysis *a = xcalloc(1, sizeof *a);
    /* point was mapped by --map-type when the lock was written; not now. */
    ALLOC_GROW(a->types, a->ntypes + 2, a->types_alloc);
    an_type *t = &a->types[a->ntypes++];
    memset(t, 0, sizeof *t);
    t->oid = 600;
    t->kind = 'u';
    t->name = xstrdup("point");
    t->schema = xstrdup("pg_catalog");
    t->typname = xstrdup("point");
    /* An array whose element type the analysis does not describe (an edited lock). */
    t = &a->types[a->ntypes++];
    memset(t, 0, sizeof *t);
    t->oid = 99999;
    t->kind = 'A';
    t->base = 99998;
    t->name = xstrdup("mystery[]");
    t->schema = xstrdup("public");
    t->typname = xstrdup("_mystery");
    add_query(a, "at", CMD_ONE, 1, 600, "point", NULL);
    add_query(a, "arr", CMD_ONE, 4, 99999, "mystery[]", NULL);
    bool ok;
    char *msgs = emit_and_compile(a, &ok);
    assert_false(ok);
    assert_non_null(strstr(msgs, "queries/q.sql:1:1: error: query \"at\": column \"x */ y\" has "
                                 "type point, which has no C mapping here"));
    assert_non_null(strstr(msgs, "queries/q.sql:4:1: error: query \"arr\""));
    free(msgs);
    analysis_free(a);
}

static void test_user_types_give_way_to_the_users_mapped_names(void **state)
{
    (void)state;
    analysis *a = xcalloc(1, sizeof *a);
    add_enum(a, 16400, "point", 1, strv(1, "a"));
    type_map map = {(char *)"point", (char *)"struct db_point", (char *)"db_point_dec", NULL,
                    false};
    emit_options opt = {"db", "db.h", &map, 1, NULL, 0};
    emit_names n;
    diag_list dl = DIAG_LIST_INIT;
    assert_true(emit_names_plan(&n, a, &opt, &dl));
    assert_string_equal(user_type_c_name(&n, a, &a->types[0]), "db_point_2");
    emit_names_free(&n, a);
    diag_list_free(&dl);
    analysis_free(a);
}

static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* A name built from words that collide in C and characters that do not belong in one. */
static char *random_name(uint32_t *seed)
{
    static const char *const words[] = {
        "int",    "free",  "strlen", "errno", "list", "run",    "row",   "rows",   "opt",
        "decode", "query", "c",      "out",   "EOF",  "NULL",   "pgqc",  "PGQC",   "db",
        "*/",     "/*",    "?\?/",   "\\",    "\n",   " ",      "_",     "__",     "2",
        "high",   "level", "labels", "dec",   "to",   "string", "check", "schema", "\xc3\xa9"};
    strbuf sb = STRBUF_INIT;
    size_t n = 1 + next_random(seed) % 4;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_addch(&sb, "_ */"[next_random(seed) % 4]);
        strbuf_addstr(&sb, words[next_random(seed) % (sizeof words / sizeof words[0])]);
    }
    return strbuf_detach(&sb, NULL);
}

static void test_random_hostile_names_always_compile(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int round = 0; round < 3; round++) {
        analysis *a = xcalloc(1, sizeof *a);
        for (pg_oid oid = 16400; oid < 16440; oid++) {
            size_t nl = next_random(&seed) % 4;
            char **labels = xcalloc(nl + 1, sizeof(char *));
            for (size_t k = 0; k < nl; k++)
                labels[k] = random_name(&seed);
            char *name = random_name(&seed);
            add_enum(a, oid, name, nl, labels);
            free(name);
        }
        for (int i = 0; i < 40; i++) {
            /* Query names are identifiers (querysrc checks them), unique here by a suffix
             * no other name has, so every clash left is one pgqc must resolve itself. */
            char *raw = random_name(&seed), *param = random_name(&seed);
            char *id = c_ident(raw);
            char *qname = xstrfmt("%s_q%d", id, i);
            pg_oid oid = 16400 + next_random(&seed) % 40;
            add_query(a, qname, (query_cmd)(next_random(&seed) % 5), 1 + 3 * i, oid,
                      a->types[oid - 16400].name, param);
            an_query *q = &a->queries[a->nqueries - 1];
            if (q->cols) {
                free(q->cols[0].name);
                q->cols[0].name = random_name(&seed);
            }
            free(raw);
            free(id);
            free(qname);
            free(param);
        }
        bool ok;
        char *msgs = emit_and_compile(a, &ok); /* compiled with gcc and clang when ok */
        if (!ok)
            fprintf(stderr, "%s", msgs);
        assert_true(ok);
        free(msgs);
        analysis_free(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statics_and_enum_constants_give_way),
        cmocka_unit_test(test_public_clashes_are_errors_at_the_query),
        cmocka_unit_test(test_a_type_without_a_mapping_here_is_refused_not_decoded_as_text),
        cmocka_unit_test(test_user_types_give_way_to_the_users_mapped_names),
        cmocka_unit_test(test_random_hostile_names_always_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
