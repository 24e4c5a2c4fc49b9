/*
 * analyze.c — PREPARE and describe every query on the live schema, and
 * assemble the analysis (see analyze.h).
 *
 * Describes are pipelined: queries are sent in batches (Prepare, Describe,
 * Sync each), then the batch's answers are read. A Sync per query keeps one
 * query's error from aborting the rest of its batch; batching keeps both
 * socket buffers from filling up while neither side reads.
 */
#include "analyze.h"
#include "catalog.h"
#include "nullability.h"
#include "paramtypes.h"
#include "pgtree.h"
#include "strbuf.h"
#include "typemap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BATCH 64

typedef struct described {
    PGresult *prepare;  /* result of Prepare (error or COMMAND_OK) */
    PGresult *describe; /* result of Describe, NULL when Prepare failed */
} described;

static const char *type_name_of(const catalog *cat, pg_oid oid)
{
    const cat_type *t = catalog_type(cat, oid);
    return t ? t->name : "unknown";
}

/* Bytes to underline at `off`: an identifier (with dots), a quoted literal, or one char. */
static size_t token_span(const char *t)
{
    if (*t == '\'' || *t == '"') {
        size_t n = 1;
        while (t[n] && t[n] != *t && t[n] != '\n')
            n++;
        return t[n] == *t ? n + 1 : 1;
    }
    size_t n = 0;
    while (t[n] && (t[n] == '_' || t[n] == '.' || t[n] == '"' || (unsigned char)t[n] >= 0x80 ||
                    (t[n] >= '0' && t[n] <= '9') || ((t[n] | 0x20) >= 'a' && (t[n] | 0x20) <= 'z')))
        n++;
    return n ? n : 1;
}

/* The quoted name in a message like `relation "user_s" does not exist`. */
static char *quoted_name(const char *msg)
{
    const char *a = strchr(msg, '"');
    const char *b = a ? strchr(a + 1, '"') : NULL;
    if (!a || !b)
        return NULL;
    return xstrndup(a + 1, (size_t)(b - a - 1));
}

/* The catalog name closest to `name` (relations or columns), or NULL. */
static const char *nearest_name(const catalog *cat, const char *name, bool columns)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    size_t limit = strlen(name) <= 4 ? 1 : 2;
    for (size_t i = 0; i < cat->nrels; i++) {
        const cat_relation *r = &cat->rels[i];
        if (strcmp(r->nspname, "pg_catalog") == 0 || strcmp(r->nspname, "information_schema") == 0)
            continue;
        if (!columns) {
            size_t d = edit_distance(name, r->relname);
            if (d < bestd)
                bestd = d, best = r->relname;
            continue;
        }
        for (size_t c = 0; c < r->ncols; c++) {
            size_t d = edit_distance(name, cat->cols[r->first_col + c].attname);
            if (d < bestd)
                bestd = d, best = cat->cols[r->first_col + c].attname;
        }
    }
    return bestd <= limit && bestd > 0 ? best : NULL;
}

/* A "did you mean" hint: from PostgreSQL's own hint when it has one, else the catalog. */
/* `function lenght(text) does not exist`: the nearest function name, as a hint. */
static bool suggest_function(diag *d, const catalog *cat, const char *msg, const char *hint)
{
    const char *p = strncmp(msg, "function ", 9) == 0 ? msg + 9 : NULL;
    const char *paren = p ? strchr(p, '(') : NULL;
    if (!paren)
        return false;
    char *name = xstrndup(p, (size_t)(paren - p));
    const char *best = NULL;
    size_t bestd = (size_t)-1, limit = strlen(name) <= 4 ? 1 : 2;
    for (size_t i = 0; i < cat->nfuncs; i++) {
        size_t dist = edit_distance(name, cat->funcs[i]);
        if (dist < bestd)
            bestd = dist, best = cat->funcs[i];
    }
    bool found = best && bestd > 0 && bestd <= limit;
    if (found) {
        diag_set_hint(d, "did you mean \"%s\"?", best);
        if (hint && !d->detail)
            diag_set_detail(d, "%s", hint);
    }
    free(name);
    return found;
}

static void suggest(diag *d, const catalog *cat, const char *state, const char *msg,
                    const char *hint)
{
    if (state && cat && strcmp(state, "42883") == 0 && suggest_function(d, cat, msg, hint))
        return;
    const char *p = hint ? strstr(hint, "Perhaps you meant to reference the column \"") : NULL;
    if (p) {
        p += strlen("Perhaps you meant to reference the column \"");
        const char *dot = strchr(p, '.'), *end = strchr(p, '"');
        if (dot && end && dot < end)
            diag_set_hint(d, "did you mean \"%.*s\"?", (int)(end - dot - 1), dot + 1);
        else if (end)
            diag_set_hint(d, "did you mean \"%.*s\"?", (int)(end - p), p);
        return;
    }
    if (hint) {
        diag_set_hint(d, "%s", hint);
        return;
    }
    if (!state || !cat)
        return;
    bool col = strcmp(state, "42703") == 0, rel = strcmp(state, "42P01") == 0;
    if (!col && !rel)
        return;
    char *name = quoted_name(msg);
    if (!name && col) {
        /* `column u.emial does not exist`: take the part after the last dot. */
        const char *sp = strstr(msg, "column ");
        if (sp) {
            sp += 7;
            const char *e = strchr(sp, ' ');
            const char *dot = memchr(sp, '.', e ? (size_t)(e - sp) : strlen(sp));
            name = dot ? xstrndup(dot + 1, e ? (size_t)(e - dot - 1) : strlen(dot + 1)) : NULL;
        }
    }
    const char *best = name ? nearest_name(cat, name, col) : NULL;
    if (best)
        diag_set_hint(d, "did you mean \"%s\"?", best);
    free(name);
}

/*
 * Report a server error for query `q` at `position` (PostgreSQL's 1-based
 * character position in q->sql; 0 when there is none).
 */
static void report_server_error_at(diag_list *dl, const catalog *cat, const query_src *q,
                                   const PGresult *r, const char *fallback, long position)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = fallback;
    diag *d;
    if (position > 0) {
        size_t off = query_map_pg_position(q, position);
        d = diag_at(dl, DIAG_ERROR, q->file, q->text, off, token_span(q->text + off), "%s", msg);
    } else {
        d = diag_at(dl, DIAG_ERROR, q->file, q->text, q->sql_offset, 0, "%s (in query \"%s\")", msg,
                    q->name);
    }
    const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (detail)
        diag_set_detail(d, "%s", detail);
    suggest(d, cat, r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL, msg,
            r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL);
}

/* Report a server error for query `q`, at the position PostgreSQL gave. */
static void report_server_error(diag_list *dl, const catalog *cat, const query_src *q,
                                const PGresult *r, const char *fallback)
{
    const char *pos = r ? PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION) : NULL;
    report_server_error_at(dl, cat, q, r, fallback, pos ? strtol(pos, NULL, 10) : 0);
}

/* A query that returns rows, if perhaps no columns: SELECT, VALUES, TABLE (not DML). */
static bool returns_rows(const pgtree *t)
{
    return t->tree && t->tree->n_stmts == 1 &&
           t->tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
}

static bool is_select(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r' || *sql == '(')
        sql++;
    return strncasecmp(sql, "select", 6) == 0 || strncasecmp(sql, "with", 4) == 0 ||
           strncasecmp(sql, "values", 6) == 0 || strncasecmp(sql, "table", 5) == 0;
}

/*
 * Make sure type `oid` can be mapped to C, recording the user types it
 * needs (enums, domains, arrays) in `a`. On failure *why says what is not
 * supported.
 */
/* The user's --map-type mappings, for the run in progress. */
typedef struct mapping_set {
    const type_map *maps;
    size_t n;
} mapping_set;

/*
 * Can the emitter hold recorded type `oid` in an array: a built-in of the
 * type table or an enum, through domains (what the lock reader accepts)?
 */
static bool array_element_ok(const analysis *a, pg_oid oid)
{
    const an_type *t;
    for (int depth = 0; (t = analysis_type(a, oid)) != NULL && t->kind == 'd'; depth++) {
        if (depth > 32) /* deeper than anything real: a cycle */
            return false;
        oid = t->base;
    }
    return t ? t->kind == 'e' : typemap_lookup(oid) != NULL;
}

static bool resolve_type(const catalog *cat, analysis *a, const mapping_set *ms, pg_oid oid,
                         bool in_array, const char **why)
{
    if (typemap_lookup(oid))
        return true;
    if (analysis_type(a, oid)) {
        /* Recorded already, perhaps as something an array cannot hold (a composite
         * attribute, a --map-type type): the same rule as when it is new. */
        if (in_array && !array_element_ok(a, oid)) {
            *why = "arrays of this element type are not supported";
            return false;
        }
        return true;
    }
    const cat_type *t = catalog_type(cat, oid);
    if (!t) {
        *why = "unknown type";
        return false;
    }
    an_type rec = {0};
    rec.oid = oid;
    char *qualified = xstrfmt("%s.%s", t->nspname, t->typname);
    bool mapped = type_map_find(ms->maps, ms->n, t->name, qualified) != NULL;
    free(qualified);
    if (mapped && !in_array) {
        rec.kind = 'u';
    } else if (strcmp(t->typname, "citext") == 0 && t->typtype == 'b') {
        /* The citext extension's type travels exactly like text: map it as text. */
        rec.kind = 'd';
        rec.base = 25;
    } else if (t->typtype == 'c' && !in_array) {
        /* A composite whose every attribute maps becomes a generated struct. */
        const cat_relation *rel = catalog_relation(cat, t->relid);
        if (!rel) {
            *why = "composite type without attributes";
            return false;
        }
        for (size_t i = 0; i < rel->ncols; i++)
            if (!resolve_type(cat, a, ms, cat->cols[rel->first_col + i].type, false, why))
                return false;
        rec.kind = 'c';
        rec.nattrs = rel->ncols;
        rec.attr_names = xcalloc(rel->ncols + 1, sizeof(char *));
        rec.attr_types = xcalloc(rel->ncols + 1, sizeof(pg_oid));
        for (size_t i = 0; i < rel->ncols; i++) {
            rec.attr_names[i] = xstrdup(cat->cols[rel->first_col + i].attname);
            rec.attr_types[i] = cat->cols[rel->first_col + i].type;
        }
    } else if (t->typtype == 'e') {
        rec.kind = 'e';
    } else if (t->typtype == 'd') {
        rec.kind = 'd';
        rec.base = t->basetype;
        if (!resolve_type(cat, a, ms, t->basetype, in_array, why))
            return false;
    } else if (t->typcategory == 'A' && t->elem && !in_array) {
        rec.kind = 'A';
        rec.base = t->elem;
        if (!resolve_type(cat, a, ms, t->elem, true, why))
            return false;
    } else {
        *why = in_array ? "arrays of this element type are not supported"
                        : "no C mapping for this type";
        return false;
    }
    rec.name = xstrdup(t->name);
    rec.schema = xstrdup(t->nspname);
    rec.typname = xstrdup(t->typname);
    if (rec.kind == 'e') {
        rec.labels = xcalloc(t->nlabels + 1, sizeof(char *));
        for (size_t i = 0; i < t->nlabels; i++)
            rec.labels[i] = xstrdup(t->labels[i]);
        rec.nlabels = t->nlabels;
    }
    /* Keep the list sorted by oid: emission order must not depend on query order. */
    ALLOC_GROW(a->types, a->ntypes + 1, a->types_alloc);
    size_t pos = a->ntypes;
    while (pos > 0 && a->types[pos - 1].oid > oid) {
        a->types[pos] = a->types[pos - 1];
        pos--;
    }
    a->types[pos] = rec;
    a->ntypes++;
    return true;
}

/* Is `oid` (through domains) a composite? Composites are read as structs, sent as text. */
static bool is_composite(const analysis *a, pg_oid oid)
{
    const an_type *t = analysis_type(a, oid);
    while (t && t->kind == 'd')
        t = analysis_type(a, t->base);
    return t && t->kind == 'c';
}

/* Arrays are sent in binary: their elements must have a binary parameter form. */
static bool array_param_ok(const analysis *a, pg_oid oid)
{
    const an_type *t = analysis_type(a, oid);
    while (t && t->kind == 'd')
        t = analysis_type(a, t->base);
    if (!t || t->kind != 'A')
        return true;
    pg_oid elem = t->base;
    const an_type *et;
    while ((et = analysis_type(a, elem)) != NULL && et->kind == 'd')
        elem = et->base;
    const type_info *ti = typemap_lookup(elem);
    return !ti || ti->param_format == 1;
}

/*
 * The statement as sent when some columns have no C mapping: those are cast
 * to text around the original, which is otherwise untouched. A SELECT
 * becomes a subquery, anything else (INSERT/UPDATE/DELETE ... RETURNING) a
 * CTE, which keeps the RETURNING order. NULL when nothing falls back.
 */
static char *wrap_for_text(const an_query *q, const pgtree *t)
{
    bool any = false;
    for (size_t i = 0; i < q->ncols; i++)
        any = any || q->cols[i].text_fallback;
    if (!any)
        return NULL;
    strbuf cols = STRBUF_INIT, list = STRBUF_INIT;
    for (size_t i = 0; i < q->ncols; i++) {
        strbuf_addf(&list, "%spgqc_%zu", i ? ", " : "", i + 1);
        strbuf_addf(&cols, "%spgqc_%zu%s", i ? ", " : "", i + 1,
                    q->cols[i].text_fallback ? "::text" : "");
    }
    bool select = t->tree && t->tree->n_stmts == 1 &&
                  t->tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
    char *out = select ? xstrfmt("SELECT %s FROM (%s) AS pgqc_q(%s)", cols.buf, q->sql, list.buf)
                       : xstrfmt("WITH pgqc_q(%s) AS (%s) SELECT %s FROM pgqc_q", list.buf, q->sql,
                                 cols.buf);
    strbuf_release(&cols);
    strbuf_release(&list);
    return out;
}

/*
 * Check a wrapped statement on the server: it must prepare, and give text
 * where the original gave an unmapped type. False after a diagnostic.
 */
static bool check_wrapped(PGconn *pg, const query_src *src, const an_query *q, diag_list *dl)
{
    PGresult *r = PQprepare(pg, "", q->wire_sql, 0, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) {
        r = PQdescribePrepared(pg, "");
        ok = PQresultStatus(r) == PGRES_COMMAND_OK && (size_t)PQnfields(r) == q->ncols;
        for (size_t i = 0; ok && i < q->ncols; i++)
            ok = !q->cols[i].text_fallback || PQftype(r, (int)i) == 25;
        PQclear(r);
    }
    if (!ok) {
        diag *d = diag_at(dl, DIAG_ERROR, src->file, src->text, src->annot_offset, 0,
                          "query \"%s\" returns a type pgqc has no C mapping for, and this "
                          "statement cannot be read as text around it",
                          q->name);
        diag_set_hint(d, "cast the column in the query (e.g. col::text AS col), or map its type "
                         "with --map-type (see docs/types.md)");
    }
    return ok;
}

/*
 * Build the analysed query from a successful describe of `sql` (src->sql,
 * or that with casts added by paramtypes); false after a diagnostic.
 */
static bool build_query(const catalog *cat, analysis *a, const mapping_set *ms,
                        const query_src *src, const char *sql, const pgtree *tree,
                        const PGresult *desc, an_query *out, diag_list *dl)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    out->name = xstrdup(src->name);
    out->file = xstrdup(src->file);
    out->line = src->line;
    out->cmd = src->cmd;
    out->doc = xstrdup(src->doc);
    out->sql = xstrdup(sql);

    int np = PQnparams(desc);
    if ((size_t)np != src->nparams) {
        diag_at(dl, DIAG_ERROR, src->file, src->text, src->sql_offset, 0,
                "query \"%s\": the server sees %d parameters, pgqc found %zu", src->name, np,
                src->nparams);
        ok = false;
    }
    out->params = xcalloc(src->nparams + 1, sizeof *out->params);
    out->nparams = src->nparams;
    for (size_t i = 0; i < src->nparams; i++) {
        const query_param *qp = &src->params[i];
        an_param *p = &out->params[i];
        p->name = xstrdup(qp->name);
        p->number = qp->number;
        p->type_oid = (int)i < np ? PQparamtype(desc, (int)i) : 0;
        p->type_name = xstrdup(type_name_of(cat, p->type_oid));
        const char *why = NULL;
        /* No C mapping (or an array whose elements cannot travel in binary): the
         * parameter is a string in PostgreSQL's text form, which the server parses. */
        if (!resolve_type(cat, a, ms, p->type_oid, false, &why) ||
            !array_param_ok(a, p->type_oid) || is_composite(a, p->type_oid))
            p->text_fallback = true;
    }

    int nf = PQnfields(desc);
    out->cols = xcalloc((size_t)nf + 1, sizeof *out->cols);
    out->ncols = (size_t)nf;
    null_override *col_ovs = xcalloc((size_t)nf + 1, sizeof *col_ovs);
    for (int i = 0; i < nf; i++) {
        an_column *c = &out->cols[i];
        c->type_oid = PQftype(desc, i);
        c->type_name = xstrdup(type_name_of(cat, c->type_oid));
        c->table_oid = PQftable(desc, i);
        c->table_attnum = PQftablecol(desc, i);
        /* A trailing ? or ! is an override only in an alias, not in a column's real name. */
        const cat_column *traced =
            c->table_oid ? catalog_column(cat, c->table_oid, c->table_attnum) : NULL;
        if (traced && strcmp(traced->attname, PQfname(desc, i)) == 0)
            c->name = xstrdup(PQfname(desc, i));
        else
            c->name = nullability_strip_override(PQfname(desc, i), &col_ovs[i]);
        if (c->table_oid && c->table_attnum > 0) {
            const cat_relation *rel = catalog_relation(cat, c->table_oid);
            const cat_column *col = catalog_column(cat, c->table_oid, c->table_attnum);
            if (rel && col) {
                c->source = xstrfmt("%s.%s.%s", rel->nspname, rel->relname, col->attname);
                c->src_schema = xstrdup(rel->nspname);
                c->src_table = xstrdup(rel->relname);
                c->src_column = xstrdup(col->attname);
                /* schema.typname: unlike format_type(), independent of search_path. */
                const cat_type *ct = catalog_type(cat, col->type);
                c->src_type = ct ? xstrfmt("%s.%s", ct->nspname, ct->typname) : xstrdup("unknown");
                c->src_notnull = col->notnull;
            }
        }
        const char *why = NULL;
        /* No C mapping: read its text form (the query is wrapped, see wrap_for_text). */
        if (!resolve_type(cat, a, ms, c->type_oid, false, &why))
            c->text_fallback = true;
    }

    /* `SELECT FROM t WHERE ...` as :one or :many is an existence check (or a row count). */
    bool existence = nf == 0 && (src->cmd == CMD_ONE || src->cmd == CMD_MANY) && returns_rows(tree);
    if (query_cmd_returns_rows(src->cmd) && nf == 0 && !existence) {
        diag *d =
            diag_at(dl, DIAG_ERROR, src->file, src->text, src->annot_offset, strlen(src->name) + 9,
                    "query \"%s\" is :%s but its statement returns no columns", src->name,
                    query_cmd_name(src->cmd));
        diag_set_hint(d, returns_rows(tree)
                             ? "use :one for an existence check, or :many for a row count"
                             : "use :exec (or :execrows for the affected row count), or add "
                               "RETURNING");
        ok = false;
    } else if (!query_cmd_returns_rows(src->cmd) && nf > 0 && is_select(src->sql)) {
        diag *d = diag_at(dl, DIAG_WARNING, src->file, src->text, src->annot_offset, 0,
                          "query \"%s\" is :%s, so the rows its SELECT returns are discarded",
                          src->name, query_cmd_name(src->cmd));
        diag_set_hint(d, "use :one, :many or :iter to read them");
    }

    /* The user's overrides belong to the inference, which settles them first (nullability.h). */
    null_override *param_ovs = xcalloc(src->nparams + 1, sizeof *param_ovs);
    for (size_t i = 0; i < src->nparams; i++)
        param_ovs[i] = src->params[i].override;
    null_overrides ov = {param_ovs, col_ovs};
    nullability_infer_tree(cat, out, tree, &ov);
    free(param_ovs);
    free(col_ovs);
    out->wire_sql = wrap_for_text(out, tree);
    return ok;
}

static int cmp_query_name(const void *x, const void *y)
{
    const query_src *a = *(const query_src *const *)x, *b = *(const query_src *const *)y;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    /* Same name: the one defined first (file order, then line) comes first. */
    c = strcmp(a->file, b->file);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

/* Every query name appears once across all files (sorted, so O(n log n)). */
static void check_duplicate_names(const query_src **qs, size_t n, diag_list *dl)
{
    const query_src **sorted = xcalloc(n + 1, sizeof *sorted);
    memcpy(sorted, qs, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_query_name);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(sorted[i]->name, sorted[i - 1]->name) != 0)
            continue;
        const query_src *q = sorted[i];
        diag *d = diag_at(dl, DIAG_ERROR, q->file, q->text, q->annot_offset, 0,
                          "duplicate query name \"%s\"", q->name);
        size_t k = i - 1;
        while (k > 0 && strcmp(sorted[k - 1]->name, q->name) == 0)
            k--;
        diag_set_detail(d, "first defined at %s:%d", sorted[k]->file, sorted[k]->line);
    }
    free(sorted);
}

/* Collect the prepare/describe results of one query from the pipeline. */
static bool read_one(PGconn *pg, described *d)
{
    PGresult *r;
    d->prepare = PQgetResult(pg);
    while ((r = PQgetResult(pg)) != NULL) /* end of Prepare */
        PQclear(r);
    if (PQresultStatus(d->prepare) == PGRES_COMMAND_OK) {
        d->describe = PQgetResult(pg);
        while ((r = PQgetResult(pg)) != NULL)
            PQclear(r);
    } else {
        /* The Describe of this segment is skipped by the server. */
        r = PQgetResult(pg);
        if (r && PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
            PQclear(r);
            while ((r = PQgetResult(pg)) != NULL)
                PQclear(r);
        } else {
            PQclear(r);
        }
    }
    r = PQgetResult(pg); /* the Sync */
    bool ok = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    return ok;
}

/* Queue Prepare + Describe + Sync for statement `i` (named pgqc_<i>). */
static bool send_one(PGconn *pg, const char *sql, size_t i)
{
    char stmt[32];
    snprintf(stmt, sizeof stmt, "pgqc_%zu", i);
    return PQsendPrepare(pg, stmt, sql, 0, NULL) && PQsendDescribePrepared(pg, stmt) &&
           PQpipelineSync(pg);
}

/*
 * Add query `src` to `a` from its server answer and parse tree; false when
 * the server rejected it or it has problems (all reported in `dl`).
 */
static bool assemble(analysis *a, const mapping_set *ms, const catalog *cat, const query_src *src,
                     const char *sql, const pgtree *tree, const described *d, diag_list *dl)
{
    if (PQresultStatus(d->prepare) != PGRES_COMMAND_OK || !d->describe ||
        PQresultStatus(d->describe) != PGRES_COMMAND_OK) {
        const PGresult *bad =
            PQresultStatus(d->prepare) != PGRES_COMMAND_OK ? d->prepare : d->describe;
        report_server_error(dl, cat, src, bad, "the server rejected the query");
        return false;
    }
    ALLOC_GROW(a->queries, a->nqueries + 1, a->alloc);
    an_query *q = &a->queries[a->nqueries];
    if (!build_query(cat, a, ms, src, sql, tree, d->describe, q, dl)) {
        an_query_clear(q); /* not kept: its problems are in `dl` */
        return false;
    }
    a->nqueries++;
    return true;
}

/* A query with a parameter PostgreSQL could not type, kept for paramtypes_resolve(). */
typedef struct untyped_query {
    size_t index; /* in the flattened query list */
    pgtree tree;
    PGresult *error;
} untyped_query;

/*
 * Type the parameters PostgreSQL could not type in `src` (its PREPARE
 * answered `error`) and add the query to `a`; false after diagnostics.
 */
static bool type_and_assemble(PGconn *pg, analysis *a, const mapping_set *ms, const catalog *cat,
                              const query_src *src, const pgtree *tree, const PGresult *error,
                              diag_list *dl)
{
    paramtypes_result typed;
    bool ok = paramtypes_resolve(pg, cat, src, error, &typed, dl);
    if (ok) {
        described d = {typed.describe, typed.describe}; /* Prepare succeeded: same status */
        ok = assemble(a, ms, cat, src, typed.sql, tree, &d, dl);
    } else if (typed.error) {
        report_server_error_at(dl, cat, src, typed.error, "the server rejected the query",
                               typed.error_position);
    }
    paramtypes_result_clear(&typed);
    return ok;
}

typedef struct placed_query {
    size_t origin;
    an_query q;
    const query_src *src;
} placed_query;

static int cmp_origin(const void *x, const void *y)
{
    const placed_query *a = x, *b = y;
    return (a->origin > b->origin) - (a->origin < b->origin);
}

/* Put the queries of `a` (and srcs[], origin[] beside them) back in file order. */
static void restore_file_order(analysis *a, const query_src **srcs, size_t *origin)
{
    placed_query *p = xcalloc(a->nqueries + 1, sizeof *p);
    for (size_t i = 0; i < a->nqueries; i++)
        p[i] = (placed_query){origin[i], a->queries[i], srcs[i]};
    qsort(p, a->nqueries, sizeof *p, cmp_origin);
    for (size_t i = 0; i < a->nqueries; i++) {
        a->queries[i] = p[i].q;
        srcs[i] = p[i].src;
        origin[i] = p[i].origin;
    }
    free(p);
}

analysis *analyze_queries(PGconn *pg, query_file *const *files, size_t nfiles, diag_list *dl)
{
    return analyze_queries_with(pg, files, nfiles, NULL, 0, dl);
}

analysis *analyze_queries_with(PGconn *pg, query_file *const *files, size_t nfiles,
                               const type_map *maps, size_t nmaps, diag_list *dl)
{
    mapping_set ms = {maps, nmaps};
    analysis *a = xcalloc(1, sizeof *a);

    /* Flatten the queries that parsed. */
    const query_src **qs = NULL;
    size_t nq = 0, qalloc = 0;
    for (size_t f = 0; f < nfiles; f++)
        for (size_t i = 0; i < files[f]->nqueries; i++)
            if (files[f]->queries[i].sql) {
                ALLOC_GROW(qs, nq + 1, qalloc);
                qs[nq++] = &files[f]->queries[i];
            }
    if (!nq) {
        free(qs);
        return a;
    }
    check_duplicate_names(qs, nq, dl);

    catalog *cat = catalog_load(pg, dl);
    if (!cat) {
        free(qs);
        return a;
    }

    /*
     * Two batches in flight keep the server busy while the answers to the
     * previous one are read; the parse trees (for nullability) are built by
     * background threads meanwhile, and each query is assembled as soon as
     * its answer and its tree are both in, in file order.
     */
    const char **sqls = xcalloc(nq + 1, sizeof *sqls);
    for (size_t i = 0; i < nq; i++)
        sqls[i] = qs[i]->sql;
    pgtree_pool *pool = pgtree_pool_start(sqls, nq, pgtree_pool_threads(nq));
    const query_src **srcs = xcalloc(nq + 1, sizeof *srcs); /* where each kept query came from */
    size_t *origin = xcalloc(nq + 1, sizeof *origin);       /* and its index in qs */
    /* Queries with a parameter PostgreSQL could not type: handled after the pipeline. */
    untyped_query *untyped = NULL;
    size_t nuntyped = 0, untyped_alloc = 0;
    bool pipeline_ok = PQenterPipelineMode(pg) == 1;
    size_t sent = 0;
    for (size_t b = 0; pipeline_ok && b < nq; b += BATCH) {
        size_t e = b + BATCH < nq ? b + BATCH : nq;
        size_t ahead = e + BATCH < nq ? e + BATCH : nq;
        for (; sent < ahead && pipeline_ok; sent++)
            pipeline_ok = send_one(pg, qs[sent]->sql, sent);
        if (pipeline_ok && PQflush(pg) < 0)
            pipeline_ok = false;
        for (size_t i = b; i < e && pipeline_ok; i++) {
            described d = {NULL, NULL};
            pipeline_ok = read_one(pg, &d);
            pgtree tree = pgtree_pool_take(pool, i);
            if (pipeline_ok && paramtypes_untyped(d.prepare)) {
                ALLOC_GROW(untyped, nuntyped + 1, untyped_alloc);
                untyped[nuntyped++] = (untyped_query){i, tree, d.prepare};
                continue;
            }
            if (pipeline_ok && assemble(a, &ms, cat, qs[i], qs[i]->sql, &tree, &d, dl)) {
                srcs[a->nqueries - 1] = qs[i];
                origin[a->nqueries - 1] = i;
            }
            pgtree_free(&tree);
            PQclear(d.prepare);
            PQclear(d.describe);
        }
    }
    pgtree_pool_finish(pool);
    free(sqls);
    if (!pipeline_ok) {
        diag_plain(dl, DIAG_ERROR, NULL,
                   "lost the database connection while describing queries: %s", PQerrorMessage(pg));
        for (size_t i = 0; i < a->nqueries; i++)
            an_query_clear(&a->queries[i]);
        a->nqueries = 0;
    } else {
        PQexitPipelineMode(pg);
        PQclear(PQexec(pg, "DEALLOCATE ALL"));
    }
    for (size_t k = 0; k < nuntyped; k++) {
        untyped_query *u = &untyped[k];
        if (pipeline_ok &&
            type_and_assemble(pg, a, &ms, cat, qs[u->index], &u->tree, u->error, dl)) {
            srcs[a->nqueries - 1] = qs[u->index];
            origin[a->nqueries - 1] = u->index;
        }
        pgtree_free(&u->tree);
        PQclear(u->error);
    }
    if (nuntyped)
        restore_file_order(a, srcs, origin);
    free(untyped);
    free(origin);
    /* Statements read as text around unmapped columns: checked after the pipeline. */
    size_t kept = 0;
    for (size_t i = 0; i < a->nqueries; i++) {
        an_query *q = &a->queries[i];
        if (q->wire_sql && !check_wrapped(pg, srcs[i], q, dl)) {
            an_query_clear(q);
            continue;
        }
        a->queries[kept++] = *q;
    }
    a->nqueries = kept;
    free(srcs);
    free(qs);
    catalog_free(cat);
    return a;
}
