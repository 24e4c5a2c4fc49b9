/*
 * emit_c.c — generating PREFIX.h / PREFIX.c from an analysis (see emit_c.h).
 *
 * Naming rules (documented in docs/generated-api.md):
 *   - functions: PREFIX_QUERY; row struct PREFIX_QUERY_row; :many result
 *     PREFIX_QUERY_rows; statement names "PREFIX_QUERY_<hash>" (stmt_name.h);
 *   - fields and parameters: the column / parameter name with every run of
 *     characters outside ASCII [A-Za-z0-9] replaced by one '_' (leading and
 *     trailing ones dropped, so "ñame" gives "ame" and "__x" gives "x"), a
 *     leading digit prefixed with "c" ("2fa" -> "c2fa"), C and C++ keywords
 *     and reserved names suffixed with '_', an empty result (e.g.
 *     "?column?") named "column"; a repeated name gets "_2", "_3", ... in
 *     order;
 *   - parameters named like the function's own arguments (c, out, each,
 *     ctx, affected) get "_2"; parameters starting with "pgqc_" (the prefix
 *     of generated locals) get a "p_" prefix.
 */
#include "emit_c.h"
#include "emit_types.h"
#include "stmt_name.h"
#include "typemap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const c_keywords[] = {
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    /* C++ keywords, since the header is usable from C++ */
    "and",
    "and_eq",
    "asm",
    "bitand",
    "bitor",
    "bool",
    "catch",
    "class",
    "compl",
    "concept",
    "consteval",
    "constexpr",
    "constinit",
    "const_cast",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "delete",
    "dynamic_cast",
    "explicit",
    "export",
    "false",
    "friend",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "reinterpret_cast",
    "requires",
    "static_assert",
    "static_cast",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typeid",
    "typename",
    "using",
    "virtual",
    "wchar_t",
    "xor",
    "xor_eq",
    "alignas",
    "alignof",
    "char8_t",
    "char16_t",
    "char32_t",
    /* macros from the headers generated code includes */
    "NULL",
    "errno",
    "assert",
    "offsetof",
    "stdin",
    "stdout",
    "stderr",
    "EOF",
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

char *c_unique(char *const *taken, size_t n, const char *id)
{
    char *name = xstrdup(id);
    for (int k = 2;; k++) {
        bool used = false;
        for (size_t i = 0; i < n && !used; i++)
            used = strcmp(taken[i], name) == 0;
        if (!used)
            return name;
        free(name);
        name = xstrfmt("%s_%d", id, k);
    }
}

static char *unique_name(name_set *ns, const char *wanted)
{
    char *base = c_ident(wanted);
    char *name = c_unique(ns->names, ns->n, base);
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
    char *fn;         /* PREFIX_query */
    char **fields;    /* C names of columns */
    char **params;    /* C names of parameters */
    ctype *ccols;     /* C mapping of each column */
    ctype *cparams;   /* C mapping of each parameter */
    bool arena;       /* some column's decoder needs a pgqc_arena */
    bool param_arena; /* some parameter's encoder needs one (arrays) */
    name_set fset, pset;
} qctx;

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

/* text: what columns and parameters without a C mapping travel as. */
#define TEXT_OID 25

static const char *null_note(c_repr r)
{
    switch (r) {
    case REPR_STRING:
        return ": NULL when SQL NULL";
    case REPR_BYTES:
        return ": .data NULL when SQL NULL";
    case REPR_ARRAY:
        return ": .items NULL when SQL NULL";
    default:
        return "";
    }
}

static void field_decl(strbuf *h, const an_column *col, const ctype *t, const char *fname)
{
    const char *ct = (col->nullable && t->opt_type) ? t->opt_type : t->c_type;
    size_t start = h->len;
    strbuf_addf(h, "    %s%s%s;", ct, ct[strlen(ct) - 1] == '*' ? "" : " ", fname);
    size_t w = h->len - start;
    if (w < 40)
        strbuf_addchars(h, ' ', 40 - w);
    else
        strbuf_addch(h, ' ');
    strbuf_addf(h, "/* %s%s, %s%s */\n", col->type_name, col->text_fallback ? " as text" : "",
                col->nullable ? "nullable" : "not null", col->nullable ? null_note(t->repr) : "");
}

/* The C declaration of parameter `p` named `name`. */
static void param_decl(strbuf *sb, const an_param *p, const ctype *t, const char *name)
{
    if (t->repr == REPR_VALUE && p->nullable)
        strbuf_addf(sb, "const %s *%s", t->c_type, name);
    else if (t->repr == REPR_STRING)
        strbuf_addf(sb, "const char *%s", name);
    else
        strbuf_addf(sb, "%s %s", t->c_type, name);
}

/*
 * A :one or :many whose statement returns no columns (`SELECT FROM t WHERE
 * ...`): an existence check. :one reports PGQC_OK or PGQC_NO_ROWS, :many
 * the number of rows; neither has a row type.
 */
static bool is_existence_check(const an_query *q)
{
    return (q->cmd == CMD_ONE || q->cmd == CMD_MANY) && q->ncols == 0;
}

/* Arguments after the parameters, as declared and as passed on, each after `sep`. */
static void out_args(strbuf *sb, const qctx *x, bool declare, const char *sep)
{
    if (is_existence_check(x->q)) {
        if (x->q->cmd == CMD_MANY)
            strbuf_addf(sb, declare ? "%ssize_t *count" : "%scount", sep);
        return;
    }
    switch (x->q->cmd) {
    case CMD_ONE:
        strbuf_addf(sb, declare ? "%s%s_row *out" : "%sout", sep, x->fn);
        break;
    case CMD_MANY:
        strbuf_addf(sb, declare ? "%s%s_rows *out" : "%sout", sep, x->fn);
        break;
    case CMD_ITER:
        if (declare)
            strbuf_addf(sb, "%spgqc_status (*each)(const %s_row *row, void *ctx)%svoid *ctx", sep,
                        x->fn, sep);
        else
            strbuf_addf(sb, "%seach%sctx", sep, sep);
        break;
    case CMD_EXEC:
        break;
    case CMD_EXECROWS:
        strbuf_addf(sb, declare ? "%sint64_t *affected" : "%saffected", sep);
        break;
    }
}

/* The prototype; one argument per line when it does not fit in 100 columns. */
static void signature(strbuf *sb, const qctx *x)
{
    const an_query *q = x->q;
    for (int wrap = 0; wrap < 2; wrap++) {
        size_t start = sb->len;
        const char *sep = wrap ? ",\n    " : ", ";
        strbuf_addf(sb, "pgqc_status %s(%spgqc_conn *c", x->fn, wrap ? "\n    " : "");
        for (size_t i = 0; i < q->nparams; i++) {
            strbuf_addstr(sb, sep);
            param_decl(sb, &q->params[i], &x->cparams[i], x->params[i]);
        }
        out_args(sb, x, true, sep);
        strbuf_addch(sb, ')');
        if (wrap || sb->len - start <= 100)
            return;
        strbuf_setlen(sb, start);
    }
}

static void emit_header_query(strbuf *h, const qctx *x)
{
    const an_query *q = x->q;
    strbuf_addf(h, "/*\n * %s (:%s) - %s:%d\n", q->name, query_cmd_name(q->cmd), q->file, q->line);
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
        strbuf_addf(h, " * $%d %s: %s%s, %s", p->number, x->params[i], p->type_name,
                    p->text_fallback ? " in its text form" : "",
                    p->nullable ? "nullable" : "not null");
        if (p->nullable)
            strbuf_addstr(h, x->cparams[i].repr == REPR_VALUE    ? " (NULL pointer: SQL NULL)"
                             : x->cparams[i].repr == REPR_STRING ? " (NULL: SQL NULL)"
                             : x->cparams[i].repr == REPR_BYTES  ? " (.data NULL: SQL NULL)"
                                                                 : " (.items NULL: SQL NULL)");
        strbuf_addch(h, '\n');
    }
    strbuf_addstr(h, " */\n");

    if (is_existence_check(q)) {
        strbuf_addstr(h, q->cmd == CMD_ONE
                             ? "/* Existence check: PGQC_OK when the statement returns a row,\n"
                               "   PGQC_NO_ROWS when it returns none. */\n"
                             : "/* Counts rows: *count receives the number the statement returns. "
                               "*/\n");
        signature(h, x);
        strbuf_addstr(h, ";\n\n");
        return;
    }
    if (query_cmd_returns_rows(q->cmd)) {
        strbuf_addf(h, "typedef struct %s_row {\n", x->fn);
        for (size_t i = 0; i < q->ncols; i++)
            field_decl(h, &q->cols[i], &x->ccols[i], x->fields[i]);
        if (q->cmd == CMD_ONE) {
            strbuf_addstr(h, "    PGresult *pgqc_result_;                 /* owns the row's memory "
                             "(internal) */\n");
            if (x->arena)
                strbuf_addstr(h, "    pgqc_arena pgqc_arena_;                 /* decoded values "
                                 "(internal) */\n");
        }
        strbuf_addf(h, "} %s_row;\n\n", x->fn);
    }
    if (q->cmd == CMD_MANY) {
        strbuf_addf(h,
                    "typedef struct %s_rows {\n"
                    "    %s_row *rows;                /* rows[0 .. count-1] */\n"
                    "    size_t count;\n"
                    "    PGresult *pgqc_result_;      /* owns the rows' memory (internal) */\n"
                    "%s"
                    "} %s_rows;\n\n",
                    x->fn, x->fn,
                    x->arena ? "    pgqc_arena pgqc_arena_;      /* decoded values (internal) */\n"
                             : "",
                    x->fn);
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
    case CMD_EXEC:
        break;
    }
    signature(h, x);
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
            strbuf_addf(c, "%s%u", i ? ", " : "",
                        pg_oid_is_stable(q->params[i].type_oid) ? q->params[i].type_oid : 0);
        strbuf_addf(c, "};\nstatic const int %s_param_formats[] = {", x->fn);
        for (size_t i = 0; i < q->nparams; i++)
            strbuf_addf(c, "%s%d", i ? ", " : "", x->cparams[i].param_format);
        strbuf_addstr(c, "};\n");
    }
    if (q->ncols) {
        strbuf_addf(c, "static const Oid %s_col_types[] = {", x->fn);
        for (size_t i = 0; i < q->ncols; i++)
            strbuf_addf(c, "%s%u", i ? ", " : "",
                        q->cols[i].text_fallback                ? TEXT_OID
                        : pg_oid_is_stable(q->cols[i].type_oid) ? q->cols[i].type_oid
                                                                : 0);
        strbuf_addf(c, "};\nstatic const char *const %s_col_names[] = {", x->fn);
        for (size_t i = 0; i < q->ncols; i++) {
            strbuf_addstr(c, i ? ", \"" : "\"");
            strbuf_add_c_escaped(c, q->cols[i].name, strlen(q->cols[i].name));
            strbuf_addch(c, '"');
        }
        strbuf_addstr(c, "};\n");
    }
    char stmt[STMT_NAME_MAX + 1];
    if (!stmt_name(x->fn, q, stmt))
        die_oom();
    strbuf_addf(c, "static const pgqc_query %s_query = {\n    \"", x->fn);
    strbuf_add_c_escaped(c, q->name, strlen(q->name));
    strbuf_addf(c, "\",\n    \"%s\",\n", stmt);
    /* The SQL, one source line per SQL line. */
    strbuf_addstr(c, "    \"");
    for (const char *p = q->wire_sql ? q->wire_sql : q->sql;;) {
        const char *nl = strchr(p, '\n');
        /* Whole lines at once, so the escaper sees "??" trigraph pairs. */
        strbuf_add_c_escaped(c, p, nl ? (size_t)(nl - p) : strlen(p));
        if (!nl)
            break;
        strbuf_addstr(c, "\\n\"\n    \"");
        p = nl + 1;
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
                "static pgqc_status %s_decode(pgqc_conn *c, const PGresult *res, int i, %s%s_row "
                "*row)\n{\n",
                x->fn, x->arena ? "pgqc_arena *arena, " : "", x->fn);
    /* Nullable plain-text columns cannot fail: then nothing else uses `c`. */
    strbuf_addstr(c, "    (void)c;\n");
    for (size_t k = 0; k < q->ncols; k++) {
        const an_column *col = &q->cols[k];
        const ctype *t = &x->ccols[k];
        const char *f = x->fields[k];
        const char *ar = t->dec_arena ? "arena, " : "";
        /* Fixed-width values: a NULL has length 0, which their decoder rejects, so
         * PQgetisnull is only asked on that path. Plain text needs no length: libpq
         * NUL-terminates every value and text cannot contain NUL. */
        bool fixed = t->repr == REPR_VALUE && !t->is_enum && t->wire_size > 0;
        bool plain_text = t->repr == REPR_STRING && strcmp(t->dec, "pgqc_dec_text") == 0;
        strbuf_addf(c, "    /* %s: %s, %s */\n", f, col->type_name,
                    col->nullable ? "nullable" : "not null");
        if (fixed && !col->nullable) {
            strbuf_addf(
                c,
                "    if (!%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, %zu), &row->%s))\n"
                "        return pgqc_fail_column(c, &%s_query, %zu,\n"
                "                                PQgetisnull(res, i, %zu) ? "
                "PGQC_UNEXPECTED_NULL : PGQC_DECODE_ERROR);\n",
                t->dec, k, k, f, x->fn, k, k);
        } else if (fixed) {
            strbuf_addf(c,
                        "    if (%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, %zu), "
                        "&row->%s.value))\n"
                        "        row->%s.valid = true;\n"
                        "    else if (PQgetisnull(res, i, %zu))\n"
                        "        memset(&row->%s, 0, sizeof row->%s);\n"
                        "    else\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        t->dec, k, k, f, f, k, f, f, x->fn, k);
        } else if (plain_text && !col->nullable) {
            strbuf_addf(c,
                        "    if (PQgetisnull(res, i, %zu))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, "
                        "PGQC_UNEXPECTED_NULL);\n"
                        "    row->%s = PQgetvalue(res, i, %zu);\n",
                        k, x->fn, k, f, k);
        } else if (plain_text) {
            strbuf_addf(
                c, "    row->%s = PQgetisnull(res, i, %zu) ? NULL : PQgetvalue(res, i, %zu);\n", f,
                k, k);
        } else if (!col->nullable) {
            strbuf_addf(c,
                        "    if (PQgetisnull(res, i, %zu))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, "
                        "PGQC_UNEXPECTED_NULL);\n"
                        "    if (!%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, %zu), "
                        "%s&row->%s))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        k, x->fn, k, t->dec, k, k, ar, f, x->fn, k);
        } else if (t->opt_type) {
            strbuf_addf(c,
                        "    row->%s.valid = !PQgetisnull(res, i, %zu);\n"
                        "    if (!row->%s.valid)\n"
                        "        memset(&row->%s.value, 0, sizeof row->%s.value);\n"
                        "    else if (!%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, "
                        "%zu), %s&row->%s.value))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        f, k, f, f, f, t->dec, k, k, ar, f, x->fn, k);
        } else {
            strbuf_addf(c,
                        "    if (PQgetisnull(res, i, %zu))\n"
                        "        memset(&row->%s, 0, sizeof row->%s);\n"
                        "    else if (!%s(PQgetvalue(res, i, %zu), PQgetlength(res, i, "
                        "%zu), %s&row->%s))\n"
                        "        return pgqc_fail_column(c, &%s_query, %zu, PGQC_DECODE_ERROR);\n",
                        k, f, f, t->dec, k, k, ar, f, x->fn, k);
        }
    }
    strbuf_addstr(c, "    return PGQC_OK;\n}\n\n");
}

/* Return `status` from the public function, freeing the parameter arena first. */
static void param_fail(strbuf *c, const qctx *x, const char *status, const char *msg,
                       const char *indent)
{
    strbuf_addf(c, "%s{\n", indent);
    if (x->param_arena)
        strbuf_addf(c, "%s    pgqc_arena_free(&pgqc_params);\n", indent);
    strbuf_addf(c, "%s    return pgqc_fail(c, &%s_query, %s, \"", indent, x->fn, status);
    strbuf_add_c_escaped(c, msg, strlen(msg));
    strbuf_addf(c, "\");\n%s}\n", indent);
}

/* Declare and fill pgqc_values / pgqc_lengths from the C parameters. */
static void emit_params(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    if (!q->nparams)
        return;
    for (size_t i = 0; i < q->nparams; i++)
        if (x->cparams[i].repr == REPR_VALUE && !x->cparams[i].is_enum && !x->cparams[i].is_user)
            strbuf_addf(c, "    char pgqc_buf%zu[%d];\n", i, x->cparams[i].wire_size);
    strbuf_addf(c, "    const char *pgqc_values[%zu];\n    int pgqc_lengths[%zu];\n", q->nparams,
                q->nparams);
    if (x->param_arena)
        strbuf_addstr(c, "    pgqc_arena pgqc_params = {0};\n");
    for (size_t i = 0; i < q->nparams; i++) {
        const an_param *p = &q->params[i];
        const ctype *t = &x->cparams[i];
        const char *n = x->params[i];
        char *msg;
        switch (t->repr) {
        case REPR_VALUE:
            if (t->is_user) {
                /* The user's encoder, into the call's parameter arena. */
                if (p->nullable)
                    strbuf_addf(c,
                                "    pgqc_lengths[%zu] = 0;\n"
                                "    pgqc_values[%zu] = %s ? %s(&pgqc_params, *%s, "
                                "&pgqc_lengths[%zu]) : NULL;\n",
                                i, i, n, t->enc, n, i);
                else
                    strbuf_addf(
                        c, "    pgqc_values[%zu] = %s(&pgqc_params, %s, &pgqc_lengths[%zu]);\n", i,
                        t->enc, n, i);
                msg = xstrfmt("parameter \"%s\": %s could not encode it", n, t->enc);
                strbuf_addf(c, "    if (%s%s!pgqc_values[%zu])\n", p->nullable ? n : "",
                            p->nullable ? " && " : "", i);
                param_fail(c, x, "PGQC_MISUSE", msg, "    ");
                free(msg);
            } else if (t->is_enum) {
                if (p->nullable)
                    strbuf_addf(c, "    pgqc_values[%zu] = %s ? %s(*%s) : NULL;\n", i, n, t->enc,
                                n);
                else
                    strbuf_addf(c, "    pgqc_values[%zu] = %s(%s);\n", i, t->enc, n);
                msg = xstrfmt("parameter \"%s\" is not a value of its enum", n);
                strbuf_addf(c, "    if (%s%s!pgqc_values[%zu])\n", p->nullable ? n : "",
                            p->nullable ? " && " : "", i);
                param_fail(c, x, "PGQC_MISUSE", msg, "    ");
                free(msg);
                strbuf_addf(c,
                            "    pgqc_lengths[%zu] = pgqc_values[%zu] ? "
                            "(int)strlen(pgqc_values[%zu]) : 0;\n",
                            i, i, i);
            } else if (p->nullable) {
                strbuf_addf(c,
                            "    pgqc_lengths[%zu] = %s ? %s(pgqc_buf%zu, *%s) : 0;\n"
                            "    pgqc_values[%zu] = %s ? pgqc_buf%zu : NULL;\n",
                            i, n, t->enc, i, n, i, n, i);
            } else {
                strbuf_addf(c,
                            "    pgqc_lengths[%zu] = %s(pgqc_buf%zu, %s);\n"
                            "    pgqc_values[%zu] = pgqc_buf%zu;\n",
                            i, t->enc, i, n, i, i);
            }
            break;
        case REPR_STRING:
            if (!p->nullable) {
                msg = xstrfmt("parameter \"%s\" must not be NULL", n);
                strbuf_addf(c, "    if (!%s)\n", n);
                param_fail(c, x, "PGQC_MISUSE", msg, "    ");
                free(msg);
            }
            strbuf_addf(c,
                        "    pgqc_values[%zu] = %s;\n"
                        "    pgqc_lengths[%zu] = %s ? (int)strlen(%s) : 0;\n",
                        i, n, i, n, n);
            break;
        case REPR_BYTES:
            /* A non-null parameter with .data NULL is the empty byte string. */
            strbuf_addf(c,
                        "    pgqc_values[%zu] = %s.data ? (const char *)%s.data : %s;\n"
                        "    pgqc_lengths[%zu] = (int)%s.len;\n",
                        i, n, n, p->nullable ? "NULL" : "\"\"", i, n);
            break;
        case REPR_ARRAY:
            /* Nullable: .items NULL (count 0) is SQL NULL. */
            if (p->nullable)
                strbuf_addf(c,
                            "    pgqc_values[%zu] = %s.items ? %s(&pgqc_params, %s, "
                            "&pgqc_lengths[%zu]) : NULL;\n"
                            "    if (!%s.items)\n        pgqc_lengths[%zu] = 0;\n"
                            "    else if (!pgqc_values[%zu])\n",
                            i, n, t->enc, n, i, n, i, i);
            else
                strbuf_addf(c,
                            "    pgqc_values[%zu] = %s(&pgqc_params, %s, &pgqc_lengths[%zu]);\n"
                            "    if (!pgqc_values[%zu])\n",
                            i, t->enc, n, i, i);
            msg = xstrfmt("parameter \"%s\": invalid array (items NULL with a count, an enum "
                          "value out of range) or out of memory",
                          n);
            param_fail(c, x, "PGQC_MISUSE", msg, "    ");
            free(msg);
            break;
        }
    }
}

/* The static _run function: execute with encoded parameters and fill the outputs. */
static void emit_run(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    strbuf_addf(c,
                "static pgqc_status %s_run(pgqc_conn *c, const char *const *pgqc_values, "
                "const int *pgqc_lengths",
                x->fn);
    out_args(c, x, true, ", ");
    strbuf_addstr(c, ")\n{\n    PGresult *pgqc_res;\n    pgqc_status pgqc_s;\n");
    if (is_existence_check(q)) {
        strbuf_addf(c,
                    "    pgqc_s = pgqc_exec(c, &%s_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "%s"
                    "    PQclear(pgqc_res);\n"
                    "    return pgqc_s;\n}\n\n",
                    x->fn,
                    q->cmd == CMD_ONE ? "    pgqc_s = PQntuples(pgqc_res) > 0 ? PGQC_OK : "
                                        "PGQC_NO_ROWS;\n"
                                      : "    *count = (size_t)PQntuples(pgqc_res);\n");
        return;
    }
    switch (q->cmd) {
    case CMD_ONE:
        strbuf_addf(c,
                    "    memset(out, 0, sizeof *out);\n"
                    "    pgqc_s = pgqc_exec(c, &%s_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "    if (PQntuples(pgqc_res) == 0) {\n"
                    "        PQclear(pgqc_res);\n"
                    "        return PGQC_NO_ROWS;\n"
                    "    }\n"
                    "    pgqc_s = %s_decode(c, pgqc_res, 0, %sout);\n"
                    "    if (pgqc_s != PGQC_OK) {\n"
                    "        PQclear(pgqc_res);\n"
                    "%s"
                    "        memset(out, 0, sizeof *out);\n"
                    "        return pgqc_s;\n"
                    "    }\n"
                    "    out->pgqc_result_ = pgqc_res;\n"
                    "    return PGQC_OK;\n}\n\n",
                    x->fn, x->fn, x->arena ? "&out->pgqc_arena_, " : "",
                    x->arena ? "        pgqc_arena_free(&out->pgqc_arena_);\n" : "");
        break;
    case CMD_MANY:
        strbuf_addf(c,
                    "    memset(out, 0, sizeof *out);\n"
                    "    pgqc_s = pgqc_exec(c, &%s_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
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
                    "        pgqc_s = %s_decode(c, pgqc_res, pgqc_i, %s&out->rows[pgqc_i]);\n"
                    "        if (pgqc_s != PGQC_OK) {\n"
                    "            free(out->rows);\n"
                    "            PQclear(pgqc_res);\n"
                    "%s"
                    "            memset(out, 0, sizeof *out);\n"
                    "            return pgqc_s;\n"
                    "        }\n"
                    "    }\n"
                    "    out->count = (size_t)pgqc_n;\n"
                    "    out->pgqc_result_ = pgqc_res;\n"
                    "    return PGQC_OK;\n}\n\n",
                    x->fn, x->fn, x->fn, x->fn, x->arena ? "&out->pgqc_arena_, " : "",
                    x->arena ? "            pgqc_arena_free(&out->pgqc_arena_);\n" : "");
        break;
    case CMD_ITER:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_send(c, &%s_query, pgqc_values, pgqc_lengths);\n"
                    "    if (pgqc_s != PGQC_OK)\n"
                    "        return pgqc_s;\n"
                    "    for (;;) {\n"
                    "        %s_row pgqc_row;\n"
                    "        pgqc_s = pgqc_next(c, &%s_query, &pgqc_res);\n"
                    "        if (pgqc_s == PGQC_NO_ROWS)\n"
                    "            return PGQC_OK;\n"
                    "        if (pgqc_s != PGQC_OK)\n"
                    "            return pgqc_s;\n"
                    "%s"
                    "        pgqc_s = %s_decode(c, pgqc_res, 0, %s&pgqc_row);\n"
                    "        if (pgqc_s == PGQC_OK)\n"
                    "            pgqc_s = each(&pgqc_row, ctx);\n"
                    "        PQclear(pgqc_res);\n"
                    "%s"
                    "        if (pgqc_s != PGQC_OK) {\n"
                    "            pgqc_finish(c);\n"
                    "            return pgqc_s;\n"
                    "        }\n"
                    "    }\n}\n\n",
                    x->fn, x->fn, x->fn, x->arena ? "        pgqc_arena pgqc_arena = {0};\n" : "",
                    x->fn, x->arena ? "&pgqc_arena, " : "",
                    x->arena ? "        pgqc_arena_free(&pgqc_arena);\n" : "");
        break;
    case CMD_EXEC:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_exec(c, &%s_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
                    "    PQclear(pgqc_res);\n"
                    "    return pgqc_s;\n}\n\n",
                    x->fn);
        break;
    case CMD_EXECROWS:
        strbuf_addf(c,
                    "    pgqc_s = pgqc_exec(c, &%s_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
                    "    if (pgqc_s == PGQC_OK && affected)\n"
                    "        *affected = pgqc_affected_rows(pgqc_res);\n"
                    "    PQclear(pgqc_res);\n"
                    "    return pgqc_s;\n}\n\n",
                    x->fn);
        break;
    }
}

static void emit_function(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    bool exists = is_existence_check(q);
    if (query_cmd_returns_rows(q->cmd) && !exists)
        emit_decoder(c, x);
    emit_run(c, x);
    signature(c, x);
    strbuf_addstr(c, "\n{\n");
    const char *required = exists ? (q->cmd == CMD_MANY ? " || !count" : "")
                           : q->cmd == CMD_ONE || q->cmd == CMD_MANY ? " || !out"
                           : q->cmd == CMD_ITER                      ? " || !each"
                                                                     : "";
    strbuf_addf(c, "    if (!c%s)\n        return PGQC_MISUSE;\n", required);
    emit_params(c, x);
    if (x->param_arena)
        strbuf_addstr(c, "    pgqc_status pgqc_s = ");
    else
        strbuf_addstr(c, "    return ");
    strbuf_addf(c, "%s_run(c, %s", x->fn, q->nparams ? "pgqc_values, pgqc_lengths" : "NULL, NULL");
    out_args(c, x, false, ", ");
    strbuf_addstr(c, ");\n");
    if (x->param_arena)
        strbuf_addstr(c, "    pgqc_arena_free(&pgqc_params);\n    return pgqc_s;\n");
    strbuf_addstr(c, "}\n\n");
    if (exists)
        return;
    if (q->cmd == CMD_ONE)
        strbuf_addf(c,
                    "void %s_row_free(%s_row *row)\n{\n"
                    "    if (!row)\n        return;\n"
                    "    PQclear(row->pgqc_result_);\n"
                    "%s"
                    "    memset(row, 0, sizeof *row);\n}\n\n",
                    x->fn, x->fn, x->arena ? "    pgqc_arena_free(&row->pgqc_arena_);\n" : "");
    else if (q->cmd == CMD_MANY)
        strbuf_addf(c,
                    "void %s_rows_free(%s_rows *rows)\n{\n"
                    "    if (!rows)\n        return;\n"
                    "    free(rows->rows);\n"
                    "    PQclear(rows->pgqc_result_);\n"
                    "%s"
                    "    memset(rows, 0, sizeof *rows);\n}\n\n",
                    x->fn, x->fn, x->arena ? "    pgqc_arena_free(&rows->pgqc_arena_);\n" : "");
}

static void qctx_init(qctx *x, const analysis *a, const an_query *q, const emit_options *opt)
{
    const char *prefix = opt->prefix;
    memset(x, 0, sizeof *x);
    x->q = q;
    x->prefix = prefix;
    x->fn = xstrfmt("%s_%s", prefix, q->name);
    x->fields = xcalloc(q->ncols + 1, sizeof(char *));
    x->ccols = xcalloc(q->ncols + 1, sizeof(ctype));
    for (size_t i = 0; i < q->ncols; i++) {
        x->fields[i] = unique_name(&x->fset, q->cols[i].name);
        /* A column without a C mapping arrives as text (the query is wrapped). */
        ctype_resolve(a, opt, q->cols[i].text_fallback ? TEXT_OID : q->cols[i].type_oid,
                      &x->ccols[i]);
        x->arena = x->arena || x->ccols[i].dec_arena;
    }
    /* Parameter names must not collide with the function's own arguments. */
    static const char *const reserved[] = {"c", "out", "each", "ctx", "affected"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        ALLOC_GROW(x->pset.names, x->pset.n + 1, x->pset.alloc);
        x->pset.names[x->pset.n++] = xstrdup(reserved[i]);
    }
    x->params = xcalloc(q->nparams + 1, sizeof(char *));
    x->cparams = xcalloc(q->nparams + 1, sizeof(ctype));
    for (size_t i = 0; i < q->nparams; i++) {
        /* Generated locals are pgqc_*: keep parameters out of that namespace. */
        char *wanted = strncmp(q->params[i].name, "pgqc_", 5) == 0
                           ? xstrfmt("p_%s", q->params[i].name)
                           : xstrdup(q->params[i].name);
        x->params[i] = unique_name(&x->pset, wanted);
        free(wanted);
        ctype_resolve(a, opt, q->params[i].text_fallback ? TEXT_OID : q->params[i].type_oid,
                      &x->cparams[i]);
        if (q->params[i].text_fallback)
            x->cparams[i].param_format = 0; /* the server parses the text form */
        x->param_arena =
            x->param_arena || x->cparams[i].repr == REPR_ARRAY || x->cparams[i].is_user;
    }
}

static void qctx_free(qctx *x)
{
    for (size_t i = 0; i < x->q->ncols; i++)
        ctype_free(&x->ccols[i]);
    for (size_t i = 0; i < x->q->nparams; i++)
        ctype_free(&x->cparams[i]);
    free(x->ccols);
    free(x->cparams);
    free(x->fn);
    free(x->fields); /* names are owned by the name sets */
    free(x->params);
    name_set_free(&x->fset);
    name_set_free(&x->pset);
}

/* Emit PREFIX_check_schema(): the columns and enums the queries rely on, checked at start-up. */
static void emit_check_schema(strbuf *h, strbuf *c, const analysis *a, const char *prefix)
{
    strbuf_addf(h,
                "/*\n * Verify, in one round trip, that every table column and enum the queries\n"
                " * above rely on still has the type, NOT NULL and labels the code was generated\n"
                " * for. Call it at start-up: PGQC_SCHEMA_MISMATCH means the database drifted\n"
                " * (pgqc_conn_error() names the first difference).\n */\n"
                "pgqc_status %s_check_schema(pgqc_conn *c);\n\n",
                prefix);
    size_t ncols = 0;
    strbuf_addf(c, "static const pgqc_schema_column %s_schema_columns[] = {\n", prefix);
    for (size_t i = 0; i < a->nqueries; i++) {
        for (size_t k = 0; k < a->queries[i].ncols; k++) {
            const an_column *col = &a->queries[i].cols[k];
            if (!col->src_table)
                continue;
            /* Once per source column; relied on as NOT NULL if any use is non-null. */
            bool seen = false, relies = false;
            for (size_t j = 0; j < a->nqueries && !seen; j++)
                for (size_t m = 0; m < a->queries[j].ncols; m++) {
                    const an_column *o = &a->queries[j].cols[m];
                    if (!o->src_table || strcmp(o->source, col->source) != 0)
                        continue;
                    if (j < i || (j == i && m < k)) {
                        seen = true;
                        break;
                    }
                    relies = relies || (!o->nullable && o->src_notnull);
                }
            if (seen)
                continue;
            const char *parts[4] = {col->src_schema, col->src_table, col->src_column,
                                    col->src_type};
            strbuf_addstr(c, "    {");
            for (int p = 0; p < 4; p++) {
                strbuf_addstr(c, "\"");
                strbuf_add_c_escaped(c, parts[p], strlen(parts[p]));
                strbuf_addstr(c, "\", ");
            }
            strbuf_addf(c, "%s},\n", relies ? "true" : "false");
            ncols++;
        }
    }
    if (!ncols)
        strbuf_addstr(c, "    {NULL, NULL, NULL, NULL, false},\n");
    strbuf_addstr(c, "};\n");
    size_t nenums = 0;
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'e')
            continue;
        strbuf_addf(c, "static const char *const %s_schema_enum%zu[] = {", prefix, nenums++);
        for (size_t k = 0; k < t->nlabels; k++) {
            strbuf_addstr(c, k ? ", \"" : "\"");
            strbuf_add_c_escaped(c, t->labels[k], strlen(t->labels[k]));
            strbuf_addch(c, '"');
        }
        strbuf_addstr(c, t->nlabels ? "};\n" : "NULL};\n");
    }
    strbuf_addf(c, "static const pgqc_schema_enum %s_schema_enums[] = {\n", prefix);
    for (size_t i = 0, e = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'e')
            continue;
        strbuf_addstr(c, "    {\"");
        strbuf_add_c_escaped(c, t->schema, strlen(t->schema));
        strbuf_addstr(c, "\", \"");
        strbuf_add_c_escaped(c, t->typname, strlen(t->typname));
        strbuf_addf(c, "\", %s_schema_enum%zu, %zu},\n", prefix, e++, t->nlabels);
    }
    if (!nenums)
        strbuf_addstr(c, "    {NULL, NULL, NULL, 0},\n");
    strbuf_addf(c,
                "};\n\n"
                "pgqc_status %s_check_schema(pgqc_conn *c)\n{\n"
                "    return pgqc_check_schema(c, %s_schema_columns, %zu, %s_schema_enums, %zu);\n"
                "}\n\n",
                prefix, prefix, ncols, prefix, nenums);
}

bool emit_c(const analysis *a, const emit_options *opt, strbuf *h, strbuf *c, diag_list *dl)
{
    if (!c_ident_ok(opt->prefix)) {
        diag_plain(dl, DIAG_ERROR, NULL,
                   "--name \"%s\" is not a valid C identifier (letters, digits, '_')", opt->prefix);
        return false;
    }
    size_t errors_before = dl->errors;
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
    for (size_t i = 0; i < opt->nincludes; i++)
        strbuf_addf(h, "#include \"%s\"\n%s", opt->includes[i],
                    i + 1 == opt->nincludes ? "\n" : "");
    strbuf_addf(c,
                "/*\n * %s.c - generated by pgqc " PGQC_VERSION_STRING ". DO NOT EDIT.\n */\n"
                "#include \"%s\"\n\n#include <stdlib.h>\n#include <string.h>\n\n",
                opt->prefix, opt->header_name);
    emit_user_types_header(h, a, opt);
    emit_user_types_source(c, a, opt);

    for (size_t i = 0; i < a->nqueries; i++)
        for (size_t k = 0; k < a->queries[i].nparams; k++) {
            if (a->queries[i].params[k].text_fallback)
                continue;
            ctype t;
            ctype_resolve(a, opt, a->queries[i].params[k].type_oid, &t);
            if (t.is_user && !t.enc)
                diag_plain(dl, DIAG_ERROR, a->queries[i].file,
                           "query \"%s\": parameter \"%s\" has type %s, mapped to %s without an "
                           "encoder (--map-type TYPE=CTYPE:DECODER:ENCODER)",
                           a->queries[i].name, a->queries[i].params[k].name,
                           a->queries[i].params[k].type_name, t.c_type);
            ctype_free(&t);
        }
    if (dl->errors > errors_before) {
        free(guard);
        return false;
    }
    for (size_t i = 0; i < a->nqueries; i++) {
        qctx x;
        qctx_init(&x, a, &a->queries[i], opt);
        emit_header_query(h, &x);
        emit_descriptor(c, &x);
        emit_function(c, &x);
        qctx_free(&x);
    }
    emit_check_schema(h, c, a, opt->prefix);
    strbuf_addf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n", guard);
    /* Drop the blank line before EOF in the source. */
    while (c->len > 1 && c->buf[c->len - 1] == '\n' && c->buf[c->len - 2] == '\n')
        strbuf_setlen(c, c->len - 1);
    free(guard);
    return true;
}
