/*
 * test_lockread.c — the lock file as data, with no database: it holds no
 * OID a server assigned (the same analysis from two databases gives the
 * same bytes), reading it back rebuilds an analysis that emits the same
 * code, and the reader refuses every malformed or edited lock with an
 * error at the JSON path of the bad value, never a crash. The last tests
 * feed it every truncation and a few thousand random mutations of a valid
 * lock, so the sanitizer build exercises the reader the way the libFuzzer
 * target (fuzz/fuzz_lock.c) does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_json.h"
#include "emit_c.h"
#include "lockfile.h"
#include "strbuf.h"
#include "typemap.h"

/* ---- a hand-made analysis, as a server with user OIDs from `base` would give it ---- */

static an_param param(const char *name, int number, pg_oid oid, const char *type, bool fallback)
{
    an_param p = {0};
    p.name = xstrdup(name);
    p.number = number;
    p.type_oid = oid;
    p.type_name = xstrdup(type);
    p.text_fallback = fallback;
    return p;
}

static an_column column(const char *name, pg_oid oid, const char *type, bool nullable)
{
    an_column c = {0};
    c.name = xstrdup(name);
    c.type_oid = oid;
    c.type_name = xstrdup(type);
    c.nullable = nullable;
    if (nullable)
        c.nullable_reason = xstrdup("column has no NOT NULL");
    return c;
}

static an_type type(pg_oid oid, char kind, const char *schema, const char *typname,
                    const char *name, pg_oid base)
{
    an_type t = {0};
    t.oid = oid;
    t.kind = kind;
    t.schema = xstrdup(schema);
    t.typname = xstrdup(typname);
    t.name = xstrdup(name);
    t.base = base;
    return t;
}

/*
 * Two queries over an enum, an array of it, a domain, a composite, a type
 * mapped with --map-type (point) and an unmapped user type (travelling as
 * text). User types get OIDs base+1, base+2, ...; `gap` adds unrelated
 * OIDs between them, as a database with other objects would.
 */
static analysis *make_analysis(pg_oid base, pg_oid gap)
{
    pg_oid status = base + 1, status_arr = base + 2 + gap, posint = base + 3 + 2 * gap,
           address = base + 4 + 3 * gap, geometry = base + 99 + 4 * gap;
    analysis *a = xcalloc(1, sizeof *a);
    a->ntypes = a->types_alloc = 5;
    a->types = xcalloc(5, sizeof *a->types);
    a->types[0] = type(600, 'u', "pg_catalog", "point", "point", 0);
    a->types[1] = type(status, 'e', "public", "post_status", "post_status", 0);
    a->types[1].nlabels = 3;
    a->types[1].labels = xcalloc(3, sizeof(char *));
    a->types[1].labels[0] = xstrdup("draft");
    a->types[1].labels[1] = xstrdup("*/ evil");
    a->types[1].labels[2] = xstrdup("");
    a->types[2] = type(status_arr, 'A', "public", "_post_status", "post_status[]", status);
    a->types[3] = type(posint, 'd', "public", "posint", "posint", 23);
    a->types[4] = type(address, 'c', "shop", "address", "shop.address", 0);
    a->types[4].nattrs = 2;
    a->types[4].attr_names = xcalloc(2, sizeof(char *));
    a->types[4].attr_types = xcalloc(2, sizeof(pg_oid));
    a->types[4].attr_names[0] = xstrdup("street");
    a->types[4].attr_types[0] = 25;
    a->types[4].attr_names[1] = xstrdup("zip");
    a->types[4].attr_types[1] = posint;

    a->nqueries = a->alloc = 2;
    a->queries = xcalloc(2, sizeof *a->queries);
    an_query *q = &a->queries[0];
    q->name = xstrdup("get_post");
    q->file = xstrdup("queries/posts.sql");
    q->line = 3;
    q->cmd = CMD_ONE;
    q->doc = xstrdup("One post.\nBy id.");
    q->sql = xstrdup("SELECT id, status, tags, at, pos, addr FROM posts WHERE id = $1 AND status "
                     "= $2");
    q->nparams = 2;
    q->params = xcalloc(2, sizeof *q->params);
    q->params[0] = param("id", 1, 20, "bigint", false);
    q->params[1] = param("status", 2, status, "post_status", false);
    q->ncols = 6;
    q->cols = xcalloc(6, sizeof *q->cols);
    q->cols[0] = column("id", 20, "bigint", false);
    q->cols[0].source = xstrdup("public.posts.id");
    q->cols[0].src_schema = xstrdup("public");
    q->cols[0].src_table = xstrdup("posts");
    q->cols[0].src_column = xstrdup("id");
    q->cols[0].src_type = xstrdup("pg_catalog.int8");
    q->cols[0].src_notnull = true;
    q->cols[0].table_oid = base + 500; /* server-assigned, never in the lock */
    q->cols[0].table_attnum = 1;
    q->cols[1] = column("status", status, "post_status", false);
    q->cols[2] = column("tags", status_arr, "post_status[]", true);
    q->cols[3] = column("at", 600, "point", true);
    q->cols[4] = column("pos", posint, "posint", true);
    q->cols[5] = column("addr", address, "shop.address", true);

    q = &a->queries[1];
    q->name = xstrdup("near");
    q->file = xstrdup("queries/geo.sql");
    q->line = 1;
    q->cmd = CMD_MANY;
    q->doc = xstrdup("");
    q->sql = xstrdup("SELECT g FROM places WHERE g && $1");
    q->wire_sql = xstrdup("SELECT g::text FROM (SELECT g FROM places WHERE g && $1) pgqc_t");
    q->nparams = 1;
    q->params = xcalloc(1, sizeof *q->params);
    q->params[0] = param("p1", 1, geometry, "geometry", true);
    q->ncols = 1;
    q->cols = xcalloc(1, sizeof *q->cols);
    q->cols[0] = column("g", geometry, "geometry", true);
    q->cols[0].text_fallback = true;
    return a;
}

static type_map point_map;

static lock_options options(void)
{
    lock_options o = {&point_map, 1, NULL, 0};
    static const char *includes[] = {"my_point.h"};
    o.includes = includes;
    o.nincludes = 1;
    return o;
}

static int setup_group(void **state)
{
    (void)state;
    char *err = NULL;
    return type_map_parse("point=my_point:my_point_dec:my_point_enc", &point_map, &err) ? 0 : -1;
}

static int teardown_group(void **state)
{
    (void)state;
    type_map_free(&point_map);
    return 0;
}

/* The lock text of make_analysis(base, gap), canonicalised as generate does. */
static char *lock_of(pg_oid base, pg_oid gap)
{
    analysis *a = make_analysis(base, gap);
    analysis_canonical_oids(a);
    lock_options o = options();
    diag_list dl = DIAG_LIST_INIT;
    char *text = lockfile_text(a, &o, NULL, NULL, 0, &dl);
    assert_non_null(text);
    analysis_free(a);
    diag_list_free(&dl);
    return text;
}

static void render(const analysis *a, const lock_options *o, strbuf *h, strbuf *c)
{
    emit_options eo = {"db", "db.h", o->maps, o->nmaps, o->includes, o->nincludes};
    diag_list dl = DIAG_LIST_INIT;
    assert_true(emit_c(a, &eo, h, c, &dl));
    diag_list_free(&dl);
}

/* ---- OIDs ---------------------------------------------------------------------- */

static void test_canonical_oids_number_user_types_in_creation_order(void **state)
{
    (void)state;
    analysis *a = make_analysis(40000, 7);
    analysis_canonical_oids(a);
    assert_int_equal(a->types[0].oid, 600); /* built-in: kept */
    assert_int_equal(a->types[1].oid, AN_FIRST_USER_OID);
    assert_int_equal(a->types[2].oid, AN_FIRST_USER_OID + 1);
    assert_int_equal(a->types[2].base, AN_FIRST_USER_OID);
    assert_int_equal(a->types[3].base, 23);
    assert_int_equal(a->types[4].attr_types[1], AN_FIRST_USER_OID + 2);
    assert_int_equal(a->queries[0].params[1].type_oid, AN_FIRST_USER_OID);
    assert_int_equal(a->queries[0].cols[5].type_oid, AN_FIRST_USER_OID + 3);
    assert_int_equal(a->queries[1].params[0].type_oid, AN_UNRECORDED_OID);
    analysis_free(a);
}

static void test_lock_records_no_server_assigned_oid(void **state)
{
    (void)state;
    char *text = lock_of(40000, 7);
    assert_null(strstr(text, "40001"));
    assert_null(strstr(text, "40500"));
    assert_null(strstr(text, "16384"));
    assert_null(strstr(text, "4294967295"));
    assert_non_null(strstr(text, "\"type_ref\": {\n"));
    assert_non_null(strstr(text, "\"typname\": \"post_status\""));
    assert_non_null(strstr(text, "\"oid\": 600")); /* built-in OIDs are fixed: they stay */
    assert_non_null(strstr(text, "\"point=my_point:my_point_dec:my_point_enc\""));
    assert_non_null(strstr(text, "\"analysis_sha256\": \""));
    free(text);
}

static void test_same_schema_with_other_oids_gives_identical_lock(void **state)
{
    (void)state;
    /* Another cache state, and a database where unrelated objects came first. */
    char *a = lock_of(16400, 0), *b = lock_of(91000, 0), *c = lock_of(16400, 13);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    free(a);
    free(b);
    free(c);
}

/* ---- round trip ------------------------------------------------------------------- */

static void test_reading_the_lock_rebuilds_the_same_analysis_and_code(void **state)
{
    (void)state;
    analysis *a = make_analysis(52000, 3);
    analysis_canonical_oids(a);
    lock_options o = options();
    diag_list dl = DIAG_LIST_INIT;
    char *text = lockfile_text(a, &o, NULL, NULL, 0, &dl);
    lockfile *lf = lockfile_parse(text, strlen(text), "pgqc.lock", &dl);
    if (!lf)
        diag_list_print(&dl, stderr, false);
    assert_non_null(lf);
    assert_false(lf->edited);
    assert_int_equal(lf->opt.nmaps, 1);
    assert_true(type_map_equal(&lf->opt.maps[0], &point_map));
    assert_string_equal(lf->opt.includes[0], "my_point.h");
    /* the same lock again, byte for byte */
    char *again = lockfile_text(lf->analysis, &lf->opt, NULL, NULL, 0, &dl);
    assert_string_equal(text, again);
    /* and the same generated code as from the analysis it was written from */
    strbuf h1 = STRBUF_INIT, c1 = STRBUF_INIT, h2 = STRBUF_INIT, c2 = STRBUF_INIT;
    render(a, &o, &h1, &c1);
    render(lf->analysis, &lf->opt, &h2, &c2);
    assert_string_equal(h1.buf, h2.buf);
    assert_string_equal(c1.buf, c2.buf);
    strbuf_release(&h1);
    strbuf_release(&c1);
    strbuf_release(&h2);
    strbuf_release(&c2);
    free(again);
    free(text);
    lockfile_free(lf);
    analysis_free(a);
    diag_list_free(&dl);
}

/* ---- malformed locks ------------------------------------------------------------ */

/* Parse `j` (dumped as a lock); it must fail with one error containing `want`. */
static void expect_refused(json_t *j, const char *want)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    diag_list dl = DIAG_LIST_INIT;
    lockfile *lf = lockfile_parse(text, strlen(text), "pgqc.lock", &dl);
    if (lf || dl.errors != 1 || !strstr(dl.items[0].message, want)) {
        fprintf(stderr, "want an error containing: %s\n", want);
        diag_list_print(&dl, stderr, false);
    }
    assert_null(lf);
    assert_int_equal(dl.errors, 1);
    assert_string_equal(dl.items[0].file, "pgqc.lock");
    assert_non_null(strstr(dl.items[0].message, want));
    diag_list_free(&dl);
    free(text);
    json_decref(j);
}

static json_t *valid_tree(void)
{
    char *text = lock_of(30000, 0);
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    free(text);
    return j;
}

/* The object at a path like "analysis.queries.0.params.1" of `j`. */
static json_t *at(json_t *j, const char *path)
{
    char *copy = xstrdup(path), *save = NULL;
    for (char *tok = strtok_r(copy, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, strtoul(tok, NULL, 10)) : json_object_get(j, tok);
    free(copy);
    assert_non_null(j);
    return j;
}

static void set(const char *path, const char *key, json_t *value, const char *want)
{
    json_t *j = valid_tree();
    json_object_set_new(at(j, path), key, value);
    expect_refused(j, want);
}

static void test_refuses_bad_identifiers_with_their_json_path(void **state)
{
    (void)state;
    set("analysis.queries.0", "name", json_string("x; system(\"id\")"),
        "$.analysis.queries[0].name: is not a valid query name");
    set("analysis.queries.1.params.0", "name", json_string("1st"),
        "$.analysis.queries[1].params[0].name: is not a valid parameter name");
    set("analysis.queries.0.columns.2", "type", json_string("int x; /* */ system"),
        "$.analysis.queries[0].columns[2].type: \"int x; /* */ system\" is not the name of the "
        "type it references (\"post_status[]\")");
    set("analysis.types.1", "typname", json_string("bad\nname"),
        "$.analysis.types[1].typname: contains a control character");
    set("analysis.queries.0", "file", json_string(""), "$.analysis.queries[0].file: is empty");
    set("options", "include", json_pack("[s]", "x.h\"\n#define free system"),
        "$.options.include[0]: not a header name");
    static const char *const bad_headers[] = {"a?\?/b.h", "a?\?=b.h", "it's.h", "a//b.h",
                                              "a/*b.h",   "a\\b.h",   "??"};
    for (size_t i = 0; i < sizeof bad_headers / sizeof *bad_headers; i++)
        set("options", "include", json_pack("[s]", bad_headers[i]),
            "$.options.include[0]: not a header name");
    assert_true(include_header_ok("sub/dir/my-point_1.h"));
    assert_true(include_header_ok("a?b.h"));
    set("options", "map_type", json_pack("[s]", "point=my_point"),
        "$.options.map_type[0]: --map-type");
}

static void test_refuses_wrong_types_and_missing_members(void **state)
{
    (void)state;
    set("analysis.queries.0.columns.0", "nullable", json_string("no"),
        "$.analysis.queries[0].columns[0].nullable: expected a boolean");
    set("analysis.queries.0", "line", json_integer(-4),
        "$.analysis.queries[0].line: -4 is out of range");
    set("analysis.queries.0", "params", json_object(),
        "$.analysis.queries[0].params: expected an array");
    set("analysis.queries.0.params.1", "number", json_integer(7),
        "$.analysis.queries[0].params[1].number: parameter 2 is numbered $7");
    set("analysis.queries.0", "command", json_string("drop"),
        "$.analysis.queries[0].command: unknown command \"drop\"");
    set("analysis.queries.0", "surprise", json_true(),
        "$.analysis.queries[0]: unknown member \"surprise\"");
    set("", "format", json_integer(1), "not a pgqc lock file of format 2");
    set("", "analysis_sha256", json_string("xyz"), "$.analysis_sha256: expected 64");

    json_t *j = valid_tree();
    json_object_del(at(j, "analysis.queries.0"), "sql");
    expect_refused(j, "$.analysis.queries[0].sql: missing");
    j = valid_tree();
    json_object_del(j, "options");
    expect_refused(j, "$.options: missing");
    j = valid_tree();
    json_array_append(at(j, "analysis.queries"), at(j, "analysis.queries.0"));
    expect_refused(j, "$.analysis.queries[2].name: query \"get_post\" appears twice");
}

static void test_refuses_bad_types_and_references(void **state)
{
    (void)state;
    set("analysis.types.1", "kind", json_string("range"),
        "$.analysis.types[1].kind: unknown kind \"range\"");
    /* an array whose element type is unknown: once a NULL dereference in the emitter */
    json_t *j = valid_tree();
    json_object_del(at(j, "analysis.types.2"), "base_ref");
    json_object_set_new(at(j, "analysis.types.2"), "base_oid", json_integer(9999));
    expect_refused(j, "$.analysis.types[2].base_oid: type 9999 is neither a built-in type");
    j = valid_tree();
    json_object_del(at(j, "analysis.types.2"), "base_ref");
    json_object_set_new(at(j, "analysis.types.2"), "base_oid", json_integer(600));
    expect_refused(j, "$.analysis.types[2].base_oid: array post_status[]: its elements must be");
    set("analysis.types.2.base_ref", "typname", json_string("nothing"),
        "$.analysis.types[2].base_ref: type public.nothing is not in \"types\"");
    set("analysis.queries.0.params.1.type_ref", "schema", json_string("other"),
        "$.analysis.queries[0].params[1].type_ref: type other.post_status is not in");
    set("analysis.types.1", "oid", json_integer(20001), "$.analysis.types[1].oid: 20001 is out");
    /* a domain that is its own base */
    j = valid_tree();
    json_object_del(at(j, "analysis.types.3"), "base_oid");
    json_object_set_new(at(j, "analysis.types.3"), "base_ref",
                        json_pack("{s:s,s:s}", "schema", "public", "typname", "posint"));
    expect_refused(j, "its chain of base types does not end");
    /* a "mapped" type whose mapping is not recorded: once a segfault offline */
    set("options", "map_type", json_array(),
        "$.analysis.types[0].kind: type point is \"mapped\" but options.map_type has no mapping");
    /* a composite parameter must travel as text */
    j = valid_tree();
    json_object_set_new(at(j, "analysis.queries.0.params.1"), "type", json_string("shop.address"));
    json_object_set_new(at(j, "analysis.queries.0.params.1.type_ref"), "schema",
                        json_string("shop"));
    json_object_set_new(at(j, "analysis.queries.0.params.1.type_ref"), "typname",
                        json_string("address"));
    expect_refused(j, "a composite parameter must have \"text_fallback\": true");
}

static void test_refuses_huge_counts(void **state)
{
    (void)state;
    json_t *j = valid_tree();
    json_t *params = at(j, "analysis.queries.1.params");
    json_t *one = json_deep_copy(json_array_get(params, 0));
    for (int i = 1; i < 65536; i++)
        json_array_append(params, one);
    json_decref(one);
    expect_refused(j, "$.analysis.queries[1].params: has 65536 elements, more than the 65535");
    j = valid_tree();
    json_t *labels = at(j, "analysis.types.1.labels");
    for (int i = 0; i < 70000; i++)
        json_array_append_new(labels, json_string("x"));
    expect_refused(j, "$.analysis.types[1].labels: has 70003 elements");
}

static void test_an_edit_that_stays_well_formed_is_noticed_by_the_digest(void **state)
{
    (void)state;
    json_t *j = valid_tree();
    json_object_set_new(at(j, "analysis.queries.0.columns.2"), "nullable", json_false());
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    diag_list dl = DIAG_LIST_INIT;
    lockfile *lf = lockfile_parse(text, strlen(text), "pgqc.lock", &dl);
    assert_non_null(lf);
    assert_true(lf->edited);
    lockfile_free(lf);
    /* reformatting is not an edit: the digest is over the content, not the layout */
    json_object_set_new(at(j, "analysis.queries.0.columns.2"), "nullable", json_true());
    free(text);
    text = json_dumps(j, JSON_COMPACT);
    lf = lockfile_parse(text, strlen(text), "pgqc.lock", &dl);
    assert_non_null(lf);
    assert_false(lf->edited);
    assert_int_equal(dl.errors, 0);
    lockfile_free(lf);
    free(text);
    json_decref(j);
    diag_list_free(&dl);
}

/* ---- everything else: no crash ------------------------------------------------------ */

static void parse_and_emit(const char *text, size_t len)
{
    diag_list dl = DIAG_LIST_INIT;
    lockfile *lf = lockfile_parse(text, len, "pgqc.lock", &dl);
    if (lf) {
        strbuf h = STRBUF_INIT, c = STRBUF_INIT;
        emit_options eo = {"db",          "db.h",           lf->opt.maps,
                           lf->opt.nmaps, lf->opt.includes, lf->opt.nincludes};
        emit_c(lf->analysis, &eo, &h, &c, &dl);
        strbuf_release(&h);
        strbuf_release(&c);
    } else {
        assert_true(dl.errors >= 1);
    }
    lockfile_free(lf);
    diag_list_free(&dl);
}

static void test_every_truncation_is_refused_cleanly(void **state)
{
    (void)state;
    char *text = lock_of(30000, 0);
    size_t n = strlen(text);
    for (size_t len = 0; len + 1 < n; len++) {
        diag_list dl = DIAG_LIST_INIT;
        lockfile *lf = lockfile_parse(text, len, "pgqc.lock", &dl);
        assert_null(lf);
        assert_int_equal(dl.errors, 1);
        diag_list_free(&dl);
    }
    parse_and_emit(text, n);
    free(text);
}

static void test_random_mutations_never_crash(void **state)
{
    (void)state;
    char *text = lock_of(30000, 0);
    size_t n = strlen(text);
    static const char *const tokens[] = {"\"\"",  "null", "-1",       "4294967295",  "[]", "{}",
                                         "\"A\"", "1e9",  "true",     "\"\\u0001\"", ",",  "\"*/\"",
                                         "16384", "0",    "\"enum\"", "\"array\"",   "600"};
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char *buf = xmalloc(n + 64);
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, text, n + 1);
        size_t len = n;
        int edits = 1 + iter % 3;
        for (int e = 0; e < edits; e++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t pos = (size_t)(seed >> 33) % len;
            const char *tok = tokens[(seed >> 20) % (sizeof tokens / sizeof tokens[0])];
            size_t tl = strlen(tok), cut = (seed >> 8) % 8;
            if (pos + cut > len)
                cut = len - pos;
            if (len - cut + tl > n + 60)
                continue;
            memmove(buf + pos + tl, buf + pos + cut, len - pos - cut + 1);
            memcpy(buf + pos, tok, tl);
            len = len - cut + tl;
        }
        parse_and_emit(buf, len);
    }
    free(buf);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_oids_number_user_types_in_creation_order),
        cmocka_unit_test(test_lock_records_no_server_assigned_oid),
        cmocka_unit_test(test_same_schema_with_other_oids_gives_identical_lock),
        cmocka_unit_test(test_reading_the_lock_rebuilds_the_same_analysis_and_code),
        cmocka_unit_test(test_refuses_bad_identifiers_with_their_json_path),
        cmocka_unit_test(test_refuses_wrong_types_and_missing_members),
        cmocka_unit_test(test_refuses_bad_types_and_references),
        cmocka_unit_test(test_refuses_huge_counts),
        cmocka_unit_test(test_an_edit_that_stays_well_formed_is_noticed_by_the_digest),
        cmocka_unit_test(test_every_truncation_is_refused_cleanly),
        cmocka_unit_test(test_random_mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
