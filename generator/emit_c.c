/*
 * emit_c.c — generating PREFIX.h / PREFIX.c from an analysis (see emit_c.h).
 *
 * Naming rules (documented in docs/generated-api.md):
 *   - functions: PREFIX_QUERY; row struct PREFIX_QUERY_row; :many result
 *     PREFIX_QUERY_rows; statement names "PREFIX_QUERY";
 *   - fields and parameters: the column / parameter name with every
 *     character outside [A-Za-z0-9_] replaced by '_', runs of '_' collapsed,
 *     a leading digit prefixed with "col_"/"arg_"-style "_", C keywords and
 *     reserved names suffixed with '_', "?column?" and other empty results
 *     named "column"; a repeated name gets "_2", "_3", ... in order;
 *   - generated locals are prefixed pgqc_ so they cannot collide with a
 *     parameter.
 */
#include "emit_c.h"
#include "typemap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool",
    "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    /* C++ keywords, since the header is usable from C++ */
    "and", "and_eq", "asm", "bitand", "bitor", "bool", "catch", "class", "compl", "concept",
    "consteval", "constexpr", "constinit", "const_cast", "co_await", "co_return", "co_yield",
    "decltype", "delete", "dynamic_cast", "explicit", "export", "false", "friend", "mutable",
    "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq",
    "private", "protected", "public", "reinterpret_cast", "requires", "static_assert",
    "static_cast", "template", "this", "thread_local", "throw", "true", "try", "typeid",
    "typename", "using", "virtual", "wchar_t", "xor", "xor_eq", "alignas", "alignof",
    "char8_t", "char16_t", "char32_t",
    /* macros from the headers generated code includes */
    "NULL", "errno", "assert", "offsetof", "stdin", "stdout", "stderr", "EOF",
};

static bool is_keyword(const char *s)
{
    for (size_t i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
        if (strcmp(s, c_keywords[i]) == 0)
            return true;
    /* Reserved: _Upper and double underscore anywhere. */
    return (s[0] == '_' && isupper((unsigned char)s[1])) || strstr(s, "__") != NULL;
}

bool c_ident_ok(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return !is_keyword(s);
}

char *c_ident(const char *name)
{
    strbuf sb = STRBUF_INIT;
    for (const char *p = name; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch) && ch < 0x80)
            strbuf_addch(&sb, ch);
        else if (sb.len && sb.buf[sb.len - 1] != '_')
            strbuf_addch(&sb, '_');
    }
    while (sb.len && sb.buf[sb.len - 1] == '_')
        strbuf_setlen(&sb, sb.len - 1);
    if (!sb.len)
        strbuf_addstr(&sb, "column");
    if (isdigit((unsigned char)sb.buf[0])) {
        strbuf tmp = STRBUF_INIT;
        strbuf_addf(&tmp, "c%s", sb.buf);
        strbuf_release(&sb);
        sb = tmp;
    }
    if (is_keyword(sb.buf))
        strbuf_addch(&sb, '_');
    return strbuf_detach(&sb, NULL);
}

/* Names unique within one scope: repeated ones get _2, _3, ... */
typedef struct name_set {
    char **names;
    size_t n, alloc;
} name_set;

static char *unique_name(name_set *ns, const char *wanted)
{
    char *base = c_ident(wanted);
    char *name = xstrdup(base);
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < ns->n; i++)
            if (strcmp(ns->names[i], name) == 0)
                taken = true;
        if (!taken)
            break;
        free(name);
        name = xstrfmt("%s_%d", base, k);
    }
    free(base);
    ALLOC_GROW(ns->names, ns->n + 1, ns->alloc);
    ns->names[ns->n++] = name;
    return name;
}

static void name_set_free(name_set *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->names[i]);
    free(ns->names);
}

/* Per-query emission state. */
typedef struct qctx {
    const an_query *q;
    const char *prefix;
    char *fn;          /* PREFIX_query */
    char **fields;     /* C names of columns */
    char **params;     /* C names of parameters */
    name_set fset, pset;
} qctx;

static const type_info *type_of(pg_oid oid)
{
    return typemap_lookup(oid);
}

/* Write `text` into a C comment safely (no premature close). */
static void add_comment_text(strbuf *sb, const char *text, const char *indent)
{
    strbuf_addstr(sb, indent);
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            while (sb->len && sb->buf[sb->len - 1] == ' ')
                strbuf_setlen(sb, sb->len - 1);
            strbuf_addch(sb, '\n');
            strbuf_addstr(sb, indent);
        } else if (*p == '*' && p[1] == '/') {
            strbuf_addstr(sb, "* ");
        } else if (*p == '/' && p[1] == '*') {
            strbuf_addstr(sb, "/ ");
        } else if (*p != '\r') {
            strbuf_addch(sb, *p);
        }
    }
    while (sb->len && sb->buf[sb->len - 1] == ' ')
        strbuf_setlen(sb, sb->len - 1);
    strbuf_addch(sb, '\n');
}

static void field_decl(strbuf *h, const an_column *col, const char *fname)
{
    const type_info *t = type_of(col->type_oid);
    const char *ctype = (col->nullable && t->opt_type) ? t->opt_type : t->c_type;
    size_t start = h->len;
    strbuf_addf(h, "    %s%s%s;", ctype, ctype[strlen(ctype) - 1] == '*' ? "" : " ", fname);
    size_t w = h->len - start;
    if (w < 40)
        strbuf_addchars(h, ' ', 40 - w);
    else
        strbuf_addch(h, ' ');
    strbuf_addf(h, "/* %s, %s", col->type_name, col->nullable ? "nullable" : "not null");
    if (col->nullable && t->repr == REPR_STRING)
        strbuf_addstr(h, ": NULL when SQL NULL");
    else if (col->nullable && t->repr == REPR_BYTES)
        strbuf_addstr(h, ": .data NULL when SQL NULL");
    strbuf_addstr(h, " */\n");
}

/* The C declaration of parameter `p` named `name`. */
static void param_decl(strbuf *sb, const an_param *p, const char *name)
{
    const type_info *t = type_of(p->type_oid);
    if (t->repr == REPR_VALUE && p->nullable)
        strbuf_addf(sb, "const %s *%s", t->c_type, name);
    else if (t->repr == REPR_STRING)
        strbuf_addf(sb, "const char *%s", name);
    else
        strbuf_addf(sb, "%s %s", t->c_type, name);
}

static void signature(strbuf *sb, const qctx *x, bool decl)
{
    const an_query *q = x->q;
    (void)decl;
    strbuf_addf(sb, "pgqc_status %s(pgqc_conn *c", x->fn);
    for (size_t i = 0; i < q->nparams; i++) {
        strbuf_addstr(sb, ", ");
        param_decl(sb, &q->params[i], x->params[i]);
    }
    switch (q->cmd) {
    case CMD_ONE: strbuf_addf(sb, ", %s_row *out)", x->fn); break;
    case CMD_MANY: strbuf_addf(sb, ", %s_rows *out)", x->fn); break;
    case CMD_ITER:
        strbuf_addf(sb, ",\n    pgqc_status (*each)(const %s_row *row, void *ctx), void *ctx)",
                    x->fn);
        break;
    case CMD_EXEC: strbuf_addch(sb, ')'); break;
    case CMD_EXECROWS: strbuf_addstr(sb, ", int64_t *affected)"); break;
    }
}

static void emit_header_query(strbuf *h, const qctx *x)
{
    const an_query *q = x->q;
    strbuf_addf(h, "/*\n * %s (:%s) - %s:%d\n", q->name, query_cmd_name(q->cmd), q->file,
                q->line);
    if (*q->doc) {
        strbuf_addstr(h, " *\n");
        add_comment_text(h, q->doc, " * ");
    }
    strbuf_addstr(h, " *\n");
    add_comment_text(h, q->sql, " *     ");
    for (size_t i = 0; i < q->nparams; i++) {
        const an_param *p = &q->params[i];
        if (i == 0)
            strbuf_addstr(h, " *\n");
        strbuf_addf(h, " * $%d %s: %s, %s", p->number, x->params[i], p->type_name,
                    p->nullable ? "nullable" : "not null");
        if (p->nullable)
            strbuf_addstr(h, type_of(p->type_oid)->repr == REPR_VALUE ? " (NULL pointer: SQL NULL)"
                                                                     : " (NULL: SQL NULL)");
        strbuf_addch(h, '\n');
    }
    strbuf_addstr(h, " */\n");

    if (query_cmd_returns_rows(q->cmd)) {
        strbuf_addf(h, "typedef struct %s_row {\n", x->fn);
        for (size_t i = 0; i < q->ncols; i++)
            field_decl(h, &q->cols[i], x->fields[i]);
        if (q->cmd == CMD_ONE)
            strbuf_addstr(h, "    PGresult *pgqc_result_;                 /* owns the row's memory "
                             "(internal) */\n");
        strbuf_addf(h, "} %s_row;\n\n", x->fn);
    }
    if (q->cmd == CMD_MANY) {
        strbuf_addf(h,
                    "typedef struct %s_rows {\n"
                    "    %s_row *rows;                /* rows[0 .. count-1] */\n"
                    "    size_t count;\n"
                    "    PGresult *pgqc_result_;      /* owns the rows' memory (internal) */\n"
                    "} %s_rows;\n\n",
                    x->fn, x->fn, x->fn);
    }
    switch (q->cmd) {
    case CMD_ONE:
        strbuf_addstr(h, "/* PGQC_OK: *out holds the first row (free with _row_free);\n"
                         "   PGQC_NO_ROWS: no row, nothing to free. */\n");
        break;
    case CMD_MANY:
        strbuf_addstr(h, "/* PGQC_OK: out->rows[0 .. out->count-1] (free with _rows_free). */\n");
        break;
    case CMD_ITER:
        strbuf_addstr(h, "/* Streams rows to `each` (valid only during the call). A status other\n"
                         "   than PGQC_OK from `each` stops the scan and is returned. */\n");
        break;
    case CMD_EXECROWS:
        strbuf_addstr(h, "/* *affected receives the number of rows the statement affected. */\n");
        break;
    case CMD_EXEC: break;
    }
    signature(h, x, true);
    strbuf_addstr(h, ";\n");
    if (q->cmd == CMD_ONE)
        strbuf_addf(h, "void %s_row_free(%s_row *row);\n", x->fn, x->fn);
    else if (q->cmd == CMD_MANY)
        strbuf_addf(h, "void %s_rows_free(%s_rows *rows);\n", x->fn, x->fn);
    strbuf_addch(h, '\n');
}

static void emit_descriptor(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    if (q->nparams) {
        strbuf_addf(c, "static const Oid %s_param_types[] = {", x->fn);
        for (size_t i = 0; i < q->nparams; i++)
            strbuf_addf(c, "%s%u", i ? ", " : "", q->params[i].type_oid);
        strbuf_addf(c, "};\nstatic const int %s_param_formats[] = {", x->fn);
        for (size_t i = 0; i < q->nparams; i++)
            strbuf_addf(c, "%s%d", i ? ", " : "", type_of(q->params[i].type_oid)->param_format);
        strbuf_addstr(c, "};\n");
    }
    if (q->ncols) {
        strbuf_addf(c, "static const Oid %s_col_types[] = {", x->fn);
        for (size_t i = 0; i < q->ncols; i++)
            strbuf_addf(c, "%s%u", i ? ", " : "", q->cols[i].type_oid);
        strbuf_addf(c, "};\nstatic const char *const %s_col_names[] = {", x->fn);
        for (size_t i = 0; i < q->ncols; i++) {
            strbuf_addstr(c, i ? ", \"" : "\"");
            strbuf_add_c_escaped(c, q->cols[i].name, strlen(q->cols[i].name));
            strbuf_addch(c, '"');
        }
        strbuf_addstr(c, "};\n");
    }
    strbuf_addf(c, "static const pgqc_query %s_query = {\n    \"", x->fn);
    strbuf_add_c_escaped(c, q->name, strlen(q->name));
    strbuf_addf(c, "\",\n    \"%s\",\n", x->fn);
    /* The SQL, one source line per SQL line. */
    const char *s = q->sql;
    strbuf_addstr(c, "    \"");
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            strbuf_addstr(c, "\\n\"\n    \"");
        } else {
            strbuf_add_c_escaped(c, p, 1);
        }
    }
    strbuf_addstr(c, "\",\n");
    if (q->nparams)
        strbuf_addf(c, "    %zu, %s_param_types, %s_param_formats,\n", q->nparams, x->fn, x->fn);
    else
        strbuf_addstr(c, "    0, NULL, NULL,\n");
    if (q->ncols)
        strbuf_addf(c, "    %zu, %s_col_types, %s_col_names,\n", q->ncols, x->fn, x->fn);
    else
        strbuf_addstr(c, "    0, NULL, NULL,\n");
    strbuf_addstr(c, "};\n\n");
}

static void emit_decoder(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    strbuf_addf(c,
                "static pgqc_status %s_decode(pgqc_conn *c, const PGresult *res, int i, %s_row "
                "*row)\n{\n",
                x->fn, x->fn);
    for (size_t k = 0; k < q->ncols; k++) {
        const an_column *col = &q->cols[k];
        const type_info *t = type_of(col->type_oid);
        const char *f = x->fields[k];
        strbuf_addf(c, "    /* %s: %s, %s */\n", f, col->type_name,
                    col->nullable ? "nullable" : "not null");
        if (!col->nullable) {
            strbuf_addf(c,
                        "    if (PQgetisnull(res, i, %zu))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, "
                        "PGQC_UNEXPECTED_NULL);\n"
                        "    if (!pgqc_dec_%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, %zu), "
                        "&row->%s))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        k, x->fn, k, t->codec, k, k, f, x->fn, k);
        } else if (t->opt_type) {
            strbuf_addf(c,
                        "    row->%s.valid = !PQgetisnull(res, i, %zu);\n"
                        "    if (!row->%s.valid)\n"
                        "        memset(&row->%s.value, 0, sizeof row->%s.value);\n"
                        "    else if (!pgqc_dec_%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, "
                        "%zu), &row->%s.value))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        f, k, f, f, f, t->codec, k, k, f, x->fn, k);
        } else {
            strbuf_addf(c,
                        "    if (PQgetisnull(res, i, %zu))\n"
                        "        memset(&row->%s, 0, sizeof row->%s);\n"
                        "    else if (!pgqc_dec_%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, "
                        "%zu), &row->%s))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        k, f, f, t->codec, k, k, f, x->fn, k);
        }
    }
    strbuf_addstr(c, "    return PGQC_OK;\n}\n\n");
}

/* Declare and fill pgqc_values / pgqc_lengths; NULL names when no parameters. */
static void emit_params(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    if (!q->nparams)
        return;
    for (size_t i = 0; i < q->nparams; i++) {
        const type_info *t = type_of(q->params[i].type_oid);
        if (t->repr == REPR_VALUE)
            strbuf_addf(c, "    char pgqc_buf%zu[%d];\n", i, t->wire_size);
    }
    strbuf_addf(c, "    const char *pgqc_values[%zu];\n    int pgqc_lengths[%zu];\n",
                q->nparams, q->nparams);
    for (size_t i = 0; i < q->nparams; i++) {
        const an_param *p = &q->params[i];
        const type_info *t = type_of(p->type_oid);
        const char *n = x->params[i];
        switch (t->repr) {
        case REPR_VALUE:
            if (p->nullable)
                strbuf_addf(c,
                            "    pgqc_lengths[%zu] = %s ? pgqc_enc_%s(pgqc_buf%zu, *%s) : 0;\n"
                            "    pgqc_values[%zu] = %s ? pgqc_buf%zu : NULL;\n",
                            i, n, t->codec, i, n, i, n, i);
            else
                strbuf_addf(c,
                            "    pgqc_lengths[%zu] = pgqc_enc_%s(pgqc_buf%zu, %s);\n"
                            "    pgqc_values[%zu] = pgqc_buf%zu;\n",
                            i, t->codec, i, n, i, i);
            break;
        case REPR_STRING:
            strbuf_addf(c,
                        "    pgqc_values[%zu] = %s;\n"
                        "    pgqc_lengths[%zu] = %s ? (int)strlen(%s) : 0;\n",
                        i, n, i, n, n);
            break;
        case REPR_BYTES:
            strbuf_addf(c,
                        "    pgqc_values[%zu] = (const char *)%s.data;\n"
                        "    pgqc_lengths[%zu] = (int)%s.len;\n",
                        i, n, i, n);
            break;
        }
    }
}

static void emit_function(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    const char *vals = q->nparams ? "pgqc_values, pgqc_lengths" : "NULL, NULL";
    if (query_cmd_returns_rows(q->cmd))
        emit_decoder(c, x);
    signature(c, x, false);
    strbuf_addstr(c, "\n{\n");
    emit_params(c, x);
    strbuf_addstr(c, "    PGresult *pgqc_res;\n    pgqc_status pgqc_s;\n");
    switch (q->cmd) {
    case CMD_ONE:
        strbuf_addf(c,
                    "    memset(out, 0, sizeof *out);\n"
                    "    pgqc_s = pgqc_exec(c, &%s_query, %s, &pgqc_res);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "    if (PQntuples(pgqc_res) == 0) {\n"
                    "        PQclear(pgqc_res);\n"
                    "        return PGQC_NO_ROWS;\n"
                    "    }\n"
                    "    pgqc_s = %s_decode(c, pgqc_res, 0, out);\n"
                    "    if (pgqc_s != PGQC_OK) {\n"
                    "        PQclear(pgqc_res);\n"
                    "        memset(out, 0, sizeof *out);\n"
                    "        return pgqc_s;\n"
                    "    }\n"
                    "    out->pgqc_result_ = pgqc_res;\n"
                    "    return PGQC_OK;\n}\n\n",
                    x->fn, vals, x->fn);
        strbuf_addf(c,
                    "void %s_row_free(%s_row *row)\n{\n"
                    "    if (!row)\n        return;\n"
                    "    PQclear(row->pgqc_result_);\n"
                    "    memset(row, 0, sizeof *row);\n}\n\n",
                    x->fn, x->fn);
        break;
    case CMD_MANY:
        strbuf_addf(c,
                    "    memset(out, 0, sizeof *out);\n"
                    "    pgqc_s = pgqc_exec(c, &%s_query, %s, &pgqc_res);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "    int pgqc_n = PQntuples(pgqc_res);\n"
                    "    if (pgqc_n > 0) {\n"
                    "        out->rows = (%s_row *)malloc((size_t)pgqc_n * sizeof *out->rows);\n"
                    "        if (!out->rows) {\n"
                    "            PQclear(pgqc_res);\n"
                    "            return pgqc_fail(c, &%s_query, PGQC_NOMEM, \"out of memory\");\n"
                    "        }\n"
                    "    }\n"
                    "    for (int pgqc_i = 0; pgqc_i < pgqc_n; pgqc_i++) {\n"
                    "        pgqc_s = %s_decode(c, pgqc_res, pgqc_i, &out->rows[pgqc_i]);\n"
                    "        if (pgqc_s != PGQC_OK) {\n"
                    "            free(out->rows);\n"
                    "            PQclear(pgqc_res);\n"
                    "            memset(out, 0, sizeof *out);\n"
                    "            return pgqc_s;\n"
                    "        }\n"
                    "    }\n"
                    "    out->count = (size_t)pgqc_n;\n"
                    "    out->pgqc_result_ = pgqc_res;\n"
                    "    return PGQC_OK;\n}\n\n",
                    x->fn, vals, x->fn, x->fn, x->fn);
        strbuf_addf(c,
                    "void %s_rows_free(%s_rows *rows)\n{\n"
                    "    if (!rows)\n        return;\n"
                    "    free(rows->rows);\n"
                    "    PQclear(rows->pgqc_result_);\n"
                    "    memset(rows, 0, sizeof *rows);\n}\n\n",
                    x->fn, x->fn);
        break;
    case CMD_ITER:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_send(c, &%s_query, %s);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "    for (;;) {\n"
                    "        %s_row pgqc_row;\n"
                    "        pgqc_s = pgqc_next(c, &%s_query, &pgqc_res);\n"
                    "        if (pgqc_s == PGQC_NO_ROWS)\n"
                    "            return PGQC_OK;\n"
                    "        if (pgqc_s != PGQC_OK)\n"
                    "            return pgqc_s;\n"
                    "        pgqc_s = %s_decode(c, pgqc_res, 0, &pgqc_row);\n"
                    "        if (pgqc_s == PGQC_OK)\n"
                    "            pgqc_s = each(&pgqc_row, ctx);\n"
                    "        PQclear(pgqc_res);\n"
                    "        if (pgqc_s != PGQC_OK) {\n"
                    "            pgqc_finish(c);\n"
                    "            return pgqc_s;\n"
                    "        }\n"
                    "    }\n}\n\n",
                    x->fn, vals, x->fn, x->fn, x->fn);
        break;
    case CMD_EXEC:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_exec(c, &%s_query, %s, &pgqc_res);\n"
                    "    PQclear(pgqc_res);\n"
                    "    return pgqc_s;\n}\n\n",
                    x->fn, vals);
        break;
    case CMD_EXECROWS:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_exec(c, &%s_query, %s, &pgqc_res);\n"
                    "    if (pgqc_s == PGQC_OK && affected)\n"
                    "        *affected = pgqc_affected_rows(pgqc_res);\n"
                    "    PQclear(pgqc_res);\n"
                    "    return pgqc_s;\n}\n\n",
                    x->fn, vals);
        break;
    }
}

static void qctx_init(qctx *x, const an_query *q, const char *prefix)
{
    memset(x, 0, sizeof *x);
    x->q = q;
    x->prefix = prefix;
    x->fn = xstrfmt("%s_%s", prefix, q->name);
    x->fields = xcalloc(q->ncols + 1, sizeof(char *));
    for (size_t i = 0; i < q->ncols; i++)
        x->fields[i] = unique_name(&x->fset, q->cols[i].name);
    /* Parameter names must not collide with the function's own arguments. */
    static const char *const reserved[] = {"c", "out", "each", "ctx", "affected"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        ALLOC_GROW(x->pset.names, x->pset.n + 1, x->pset.alloc);
        x->pset.names[x->pset.n++] = xstrdup(reserved[i]);
    }
    x->params = xcalloc(q->nparams + 1, sizeof(char *));
    for (size_t i = 0; i < q->nparams; i++)
        x->params[i] = unique_name(&x->pset, q->params[i].name);
}

static void qctx_free(qctx *x)
{
    free(x->fn);
    free(x->fields); /* names are owned by the name sets */
    free(x->params);
    name_set_free(&x->fset);
    name_set_free(&x->pset);
}

bool emit_c(const analysis *a, const emit_options *opt, strbuf *h, strbuf *c, diag_list *dl)
{
    if (!c_ident_ok(opt->prefix)) {
        diag_plain(dl, DIAG_ERROR, NULL,
                   "--name \"%s\" is not a valid C identifier (letters, digits, '_')",
                   opt->prefix);
        return false;
    }
    char *guard = xstrfmt("%s_H_PGQC_GENERATED", opt->prefix);
    for (char *p = guard; *p; p++)
        *p = (char)toupper((unsigned char)*p);

    strbuf_addf(h,
                "/*\n * %s.h - generated by pgqc " PGQC_VERSION_STRING ". DO NOT EDIT.\n"
                " *\n"
                " * Regenerate with `pgqc generate`. Every function runs its query as a\n"
                " * prepared statement with binary parameters and results; rows point into\n"
                " * the libpq result and stay valid until their _free call.\n */\n"
                "#ifndef %s\n#define %s\n\n"
                "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n"
                "#include <pgqc/pgqc.h>\n\n"
                "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
                opt->prefix, guard, guard);
    strbuf_addf(c,
                "/*\n * %s.c - generated by pgqc " PGQC_VERSION_STRING ". DO NOT EDIT.\n */\n"
                "#include \"%s\"\n\n#include <stdlib.h>\n#include <string.h>\n\n",
                opt->prefix, opt->header_name);

    for (size_t i = 0; i < a->nqueries; i++) {
        qctx x;
        qctx_init(&x, &a->queries[i], opt->prefix);
        emit_header_query(h, &x);
        emit_descriptor(c, &x);
        emit_function(c, &x);
        qctx_free(&x);
    }
    strbuf_addf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n", guard);
    /* Drop the blank line before EOF in the source. */
    while (c->len > 1 && c->buf[c->len - 1] == '\n' && c->buf[c->len - 2] == '\n')
        strbuf_setlen(c, c->len - 1);
    free(guard);
    return true;
}
