/*
 * emit_c.c — generating PREFIX.h / PREFIX.c from an analysis (see emit_c.h).
 *
 * Every identifier comes from the plan of emit_names.c (file scope) or from
 * a cname_table of its own scope here (a row struct's fields, a function's
 * parameters); every string from the analysis goes through cname.h into a
 * comment or a literal. The templates below fill named placeholders
 * (cname_expand) where a line uses more than a couple of values. Naming
 * rules are documented in docs/generated-api.md ("Naming"); statement names
 * are "PREFIX_QUERY_<hash>" (stmt_name.h).
 */
#include "emit_c.h"
#include "cname.h"
#include "emit_names.h"
#include "emit_types.h"
#include "stmt_name.h"
#include "typemap.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-query emission state. */
typedef struct qctx {
    const an_query *q;
    const char *prefix;
    const char *fn;   /* PREFIX_query */
    const char *ib;   /* base of the query's static objects and functions */
    char **fields;    /* C names of columns */
    char **params;    /* C names of parameters */
    ctype *ccols;     /* C mapping of each column */
    ctype *cparams;   /* C mapping of each parameter */
    bool arena;       /* some column's decoder needs a pgqc_arena */
    bool param_arena; /* some parameter's encoder needs one (arrays) */
} qctx;

/* Named placeholders every query template may use. */
#define QVARS(x) "fn", (x)->fn, "ib", (x)->ib

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
    strbuf_addstr(h, "/* ");
    cname_comment_inline(h, col->type_name);
    strbuf_addf(h, "%s, %s%s */\n", col->text_fallback ? " as text" : "",
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
    strbuf_addf(h, "/*\n * %s (:%s) - ", q->name, query_cmd_name(q->cmd));
    cname_comment_inline(h, q->file);
    strbuf_addf(h, ":%d\n", q->line);
    if (*q->doc) {
        strbuf_addstr(h, " *\n");
        cname_comment(h, q->doc, " * ");
    }
    strbuf_addstr(h, " *\n");
    cname_comment(h, q->sql, " *     ");
    for (size_t i = 0; i < q->nparams; i++) {
        const an_param *p = &q->params[i];
        if (i == 0)
            strbuf_addstr(h, " *\n");
        strbuf_addf(h, " * $%d %s: ", p->number, x->params[i]);
        cname_comment_inline(h, p->type_name);
        strbuf_addf(h, "%s, %s", p->text_fallback ? " in its text form" : "",
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
        strbuf_addf(c, "static const Oid %s_param_types[] = {", x->ib);
        for (size_t i = 0; i < q->nparams; i++)
            strbuf_addf(c, "%s%u", i ? ", " : "",
                        pg_oid_is_stable(q->params[i].type_oid) ? q->params[i].type_oid : 0);
        strbuf_addf(c, "};\nstatic const int %s_param_formats[] = {", x->ib);
        for (size_t i = 0; i < q->nparams; i++)
            strbuf_addf(c, "%s%d", i ? ", " : "", x->cparams[i].param_format);
        strbuf_addstr(c, "};\n");
    }
    if (q->ncols) {
        strbuf_addf(c, "static const Oid %s_col_types[] = {", x->ib);
        for (size_t i = 0; i < q->ncols; i++)
            strbuf_addf(c, "%s%u", i ? ", " : "",
                        q->cols[i].text_fallback                ? TEXT_OID
                        : pg_oid_is_stable(q->cols[i].type_oid) ? q->cols[i].type_oid
                                                                : 0);
        strbuf_addf(c, "};\nstatic const char *const %s_col_names[] = {", x->ib);
        for (size_t i = 0; i < q->ncols; i++) {
            strbuf_addstr(c, i ? ", " : "");
            cname_literal(c, q->cols[i].name);
        }
        strbuf_addstr(c, "};\n");
    }
    /* SQL too long for one literal (ISO C: 4,095 characters) becomes an array. */
    const char *sql = q->wire_sql ? q->wire_sql : q->sql;
    bool long_sql = strlen(sql) > CNAME_LITERAL_MAX;
    if (long_sql) {
        char *name = xstrfmt("%s_sql", x->ib);
        cname_string_array(c, name, sql);
        free(name);
    }
    char stmt[STMT_NAME_MAX + 1];
    if (!stmt_name(x->fn, q, stmt))
        die_oom();
    strbuf_addf(c, "static const pgqc_query %s_query = {\n    ", x->ib);
    cname_literal(c, q->name);
    strbuf_addf(c, ",\n    \"%s\",\n", stmt);
    if (long_sql) {
        strbuf_addf(c, "    %s_sql,\n", x->ib);
    } else {
        /* The SQL, one source line per SQL line. */
        strbuf_addstr(c, "    \"");
        for (const char *p = sql;;) {
            const char *nl = strchr(p, '\n');
            /* Whole lines at once, so the escaper sees "??" trigraph pairs. */
            cname_literal_body(c, p, nl ? (size_t)(nl - p) : strlen(p));
            if (!nl)
                break;
            strbuf_addstr(c, "\\n\"\n    \"");
            p = nl + 1;
        }
        strbuf_addstr(c, "\",\n");
    }
    if (q->nparams)
        strbuf_addf(c, "    %zu, %s_param_types, %s_param_formats,\n", q->nparams, x->ib, x->ib);
    else
        strbuf_addstr(c, "    0, NULL, NULL,\n");
    if (q->ncols)
        strbuf_addf(c, "    %zu, %s_col_types, %s_col_names,\n", q->ncols, x->ib, x->ib);
    else
        strbuf_addstr(c, "    0, NULL, NULL,\n");
    strbuf_addstr(c, "};\n\n");
}

static void emit_decoder(strbuf *c, const qctx *x)
{
    const an_query *q = x->q;
    const char *head[] = {QVARS(x), "arena", x->arena ? "pgqc_arena *arena, " : "", NULL};
    cname_expand(c,
                 "static pgqc_status ${ib}_decode(pgqc_conn *c, const PGresult *res, int i, "
                 "${arena}${fn}_row *row)\n{\n",
                 head);
    /* Nullable plain-text columns cannot fail: then nothing else uses `c`. */
    strbuf_addstr(c, "    (void)c;\n");
    for (size_t k = 0; k < q->ncols; k++) {
        const an_column *col = &q->cols[k];
        const ctype *t = &x->ccols[k];
        char kbuf[32];
        snprintf(kbuf, sizeof kbuf, "%zu", k);
        const char *vars[] = {QVARS(x), "k",          kbuf,
                              "f",      x->fields[k], "dec",
                              t->dec,   "ar",         t->dec_arena ? "arena, " : "",
                              NULL};
        /* Fixed-width values: a NULL has length 0, which their decoder rejects, so
         * PQgetisnull is only asked on that path. Plain text needs no length: libpq
         * NUL-terminates every value and text cannot contain NUL. */
        bool fixed = t->repr == REPR_VALUE && !t->is_enum && t->wire_size > 0;
        bool plain_text = t->repr == REPR_STRING && strcmp(t->dec, "pgqc_dec_text") == 0;
        strbuf_addf(c, "    /* %s: ", x->fields[k]);
        cname_comment_inline(c, col->type_name);
        strbuf_addf(c, ", %s */\n", col->nullable ? "nullable" : "not null");
        const char *tpl;
        if (fixed && !col->nullable)
            tpl = "    if (!${dec}(PQgetvalue(res, i, ${k}), PQgetlength(res, i, ${k}), "
                  "&row->${f}))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k},\n"
                  "                                PQgetisnull(res, i, ${k}) ? "
                  "PGQC_UNEXPECTED_NULL : PGQC_DECODE_ERROR);\n";
        else if (fixed)
            tpl = "    if (${dec}(PQgetvalue(res, i, ${k}), PQgetlength(res, i, ${k}), "
                  "&row->${f}.value))\n"
                  "        row->${f}.valid = true;\n"
                  "    else if (PQgetisnull(res, i, ${k}))\n"
                  "        memset(&row->${f}, 0, sizeof row->${f});\n"
                  "    else\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_DECODE_ERROR);\n";
        else if (plain_text && !col->nullable)
            tpl = "    if (PQgetisnull(res, i, ${k}))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_UNEXPECTED_NULL);\n"
                  "    row->${f} = PQgetvalue(res, i, ${k});\n";
        else if (plain_text)
            tpl = "    row->${f} = PQgetisnull(res, i, ${k}) ? NULL : PQgetvalue(res, i, ${k});\n";
        else if (!col->nullable)
            tpl = "    if (PQgetisnull(res, i, ${k}))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_UNEXPECTED_NULL);\n"
                  "    if (!${dec}(PQgetvalue(res, i, ${k}), PQgetlength(res, i, ${k}), "
                  "${ar}&row->${f}))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_DECODE_ERROR);\n";
        else if (t->opt_type)
            tpl = "    row->${f}.valid = !PQgetisnull(res, i, ${k});\n"
                  "    if (!row->${f}.valid)\n"
                  "        memset(&row->${f}.value, 0, sizeof row->${f}.value);\n"
                  "    else if (!${dec}(PQgetvalue(res, i, ${k}), PQgetlength(res, i, "
                  "${k}), ${ar}&row->${f}.value))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_DECODE_ERROR);\n";
        else
            tpl = "    if (PQgetisnull(res, i, ${k}))\n"
                  "        memset(&row->${f}, 0, sizeof row->${f});\n"
                  "    else if (!${dec}(PQgetvalue(res, i, ${k}), PQgetlength(res, i, "
                  "${k}), ${ar}&row->${f}))\n"
                  "        return pgqc_fail_column(c, &${ib}_query, ${k}, PGQC_DECODE_ERROR);\n";
        cname_expand(c, tpl, vars);
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
    strbuf_addf(c, "%s    return pgqc_fail(c, &%s_query, %s, ", indent, x->ib, status);
    cname_literal(c, msg);
    strbuf_addf(c, ");\n%s}\n", indent);
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
                x->ib);
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
                    x->ib,
                    q->cmd == CMD_ONE ? "    pgqc_s = PQntuples(pgqc_res) > 0 ? PGQC_OK : "
                                        "PGQC_NO_ROWS;\n"
                                      : "    *count = (size_t)PQntuples(pgqc_res);\n");
        return;
    }
    const char *vars[] = {
        QVARS(x),
        "out_arena",
        x->arena ? "&out->pgqc_arena_, " : "",
        "free_out_arena",
        x->arena ? "        pgqc_arena_free(&out->pgqc_arena_);\n" : "",
        "free_rows_arena",
        x->arena ? "            pgqc_arena_free(&out->pgqc_arena_);\n" : "",
        "row_arena_decl",
        x->arena ? "        pgqc_arena pgqc_arena = {0};\n" : "",
        "row_arena",
        x->arena ? "&pgqc_arena, " : "",
        "free_row_arena",
        x->arena ? "        pgqc_arena_free(&pgqc_arena);\n" : "",
        NULL,
    };
    const char *tpl = "";
    switch (q->cmd) {
    case CMD_ONE:
        tpl = "    memset(out, 0, sizeof *out);\n"
              "    pgqc_s = pgqc_exec(c, &${ib}_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
              "    if (pgqc_s != PGQC_OK)\n"
              "        return pgqc_s;\n"
              "    if (PQntuples(pgqc_res) == 0) {\n"
              "        PQclear(pgqc_res);\n"
              "        return PGQC_NO_ROWS;\n"
              "    }\n"
              "    pgqc_s = ${ib}_decode(c, pgqc_res, 0, ${out_arena}out);\n"
              "    if (pgqc_s != PGQC_OK) {\n"
              "        PQclear(pgqc_res);\n"
              "${free_out_arena}"
              "        memset(out, 0, sizeof *out);\n"
              "        return pgqc_s;\n"
              "    }\n"
              "    out->pgqc_result_ = pgqc_res;\n"
              "    return PGQC_OK;\n}\n\n";
        break;
    case CMD_MANY:
        tpl =
            "    memset(out, 0, sizeof *out);\n"
            "    pgqc_s = pgqc_exec(c, &${ib}_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
            "    if (pgqc_s != PGQC_OK)\n"
            "        return pgqc_s;\n"
            "    int pgqc_n = PQntuples(pgqc_res);\n"
            "    if (pgqc_n > 0) {\n"
            "        out->rows = (${fn}_row *)malloc((size_t)pgqc_n * sizeof *out->rows);\n"
            "        if (!out->rows) {\n"
            "            PQclear(pgqc_res);\n"
            "            return pgqc_fail(c, &${ib}_query, PGQC_NOMEM, \"out of memory\");\n"
            "        }\n"
            "    }\n"
            "    for (int pgqc_i = 0; pgqc_i < pgqc_n; pgqc_i++) {\n"
            "        pgqc_s = ${ib}_decode(c, pgqc_res, pgqc_i, ${out_arena}&out->rows[pgqc_i]);\n"
            "        if (pgqc_s != PGQC_OK) {\n"
            "            free(out->rows);\n"
            "            PQclear(pgqc_res);\n"
            "${free_rows_arena}"
            "            memset(out, 0, sizeof *out);\n"
            "            return pgqc_s;\n"
            "        }\n"
            "    }\n"
            "    out->count = (size_t)pgqc_n;\n"
            "    out->pgqc_result_ = pgqc_res;\n"
            "    return PGQC_OK;\n}\n\n";
        break;
    case CMD_ITER:
        tpl = "    pgqc_s = pgqc_send(c, &${ib}_query, pgqc_values, pgqc_lengths);\n"
              "    if (pgqc_s != PGQC_OK)\n"
              "        return pgqc_s;\n"
              "    for (;;) {\n"
              "        ${fn}_row pgqc_row;\n"
              "        pgqc_s = pgqc_next(c, &${ib}_query, &pgqc_res);\n"
              "        if (pgqc_s == PGQC_NO_ROWS)\n"
              "            return PGQC_OK;\n"
              "        if (pgqc_s != PGQC_OK)\n"
              "            return pgqc_s;\n"
              "${row_arena_decl}"
              "        pgqc_s = ${ib}_decode(c, pgqc_res, 0, ${row_arena}&pgqc_row);\n"
              "        if (pgqc_s == PGQC_OK)\n"
              "            pgqc_s = each(&pgqc_row, ctx);\n"
              "        PQclear(pgqc_res);\n"
              "${free_row_arena}"
              "        if (pgqc_s != PGQC_OK) {\n"
              "            pgqc_finish(c);\n"
              "            return pgqc_s;\n"
              "        }\n"
              "    }\n}\n\n";
        break;
    case CMD_EXEC:
        tpl = "    pgqc_s = pgqc_exec(c, &${ib}_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
              "    PQclear(pgqc_res);\n"
              "    return pgqc_s;\n}\n\n";
        break;
    case CMD_EXECROWS:
        tpl = "    pgqc_s = pgqc_exec(c, &${ib}_query, pgqc_values, pgqc_lengths, &pgqc_res);\n"
              "    if (pgqc_s == PGQC_OK && affected)\n"
              "        *affected = pgqc_affected_rows(pgqc_res);\n"
              "    PQclear(pgqc_res);\n"
              "    return pgqc_s;\n}\n\n";
        break;
    }
    cname_expand(c, tpl, vars);
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
    strbuf_addf(c, "%s_run(c, %s", x->ib, q->nparams ? "pgqc_values, pgqc_lengths" : "NULL, NULL");
    out_args(c, x, false, ", ");
    strbuf_addstr(c, ");\n");
    if (x->param_arena)
        strbuf_addstr(c, "    pgqc_arena_free(&pgqc_params);\n    return pgqc_s;\n");
    strbuf_addstr(c, "}\n\n");
    if (exists)
        return;
    const char *vars[] = {QVARS(x), "free_arena",
                          x->arena
                              ? (q->cmd == CMD_ONE ? "    pgqc_arena_free(&row->pgqc_arena_);\n"
                                                   : "    pgqc_arena_free(&rows->pgqc_arena_);\n")
                              : "",
                          NULL};
    if (q->cmd == CMD_ONE)
        cname_expand(c,
                     "void ${fn}_row_free(${fn}_row *row)\n{\n"
                     "    if (!row)\n        return;\n"
                     "    PQclear(row->pgqc_result_);\n"
                     "${free_arena}"
                     "    memset(row, 0, sizeof *row);\n}\n\n",
                     vars);
    else if (q->cmd == CMD_MANY)
        cname_expand(c,
                     "void ${fn}_rows_free(${fn}_rows *rows)\n{\n"
                     "    if (!rows)\n        return;\n"
                     "    free(rows->rows);\n"
                     "    PQclear(rows->pgqc_result_);\n"
                     "${free_arena}"
                     "    memset(rows, 0, sizeof *rows);\n}\n\n",
                     vars);
}

static void qctx_init(qctx *x, const analysis *a, const an_query *q, const emit_options *opt,
                      const emit_names *names, size_t index)
{
    memset(x, 0, sizeof *x);
    x->q = q;
    x->prefix = opt->prefix;
    x->fn = names->query_fns[index];
    x->ib = names->query_statics[index];
    x->fields = xcalloc(q->ncols + 1, sizeof(char *));
    x->ccols = xcalloc(q->ncols + 1, sizeof(ctype));
    /* Fields: one struct's members, beside the row's own internal members. */
    cname_table *fields = cname_table_new(CNAME_FIELDS, NULL);
    cname_claim(fields, "pgqc_result_", "the row's result");
    cname_claim(fields, "pgqc_arena_", "the row's arena");
    for (size_t i = 0; i < q->ncols; i++) {
        x->fields[i] = cname_local(fields, q->cols[i].name, q->cols[i].name);
        /* A column without a C mapping arrives as text (the query is wrapped). */
        ctype_resolve(a, opt, names, q->cols[i].text_fallback ? TEXT_OID : q->cols[i].type_oid,
                      &x->ccols[i]);
        x->arena = x->arena || x->ccols[i].dec_arena;
    }
    cname_table_free(fields);
    /* Parameters: no name the function body refers to (the file's names, the
     * library's, the function's own arguments). */
    cname_table *params = cname_table_new(CNAME_PARAMS, names->file);
    static const char *const own[] = {"c", "out", "each", "ctx", "affected"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        cname_claim(params, own[i], "an argument of every generated function");
    x->params = xcalloc(q->nparams + 1, sizeof(char *));
    x->cparams = xcalloc(q->nparams + 1, sizeof(ctype));
    for (size_t i = 0; i < q->nparams; i++) {
        /* Generated locals are pgqc_*: keep parameters out of that namespace. */
        char *wanted = strncmp(q->params[i].name, "pgqc_", 5) == 0
                           ? xstrfmt("p_%s", q->params[i].name)
                           : xstrdup(q->params[i].name);
        x->params[i] = cname_local(params, wanted, q->params[i].name);
        free(wanted);
        ctype_resolve(a, opt, names, q->params[i].text_fallback ? TEXT_OID : q->params[i].type_oid,
                      &x->cparams[i]);
        if (q->params[i].text_fallback)
            x->cparams[i].param_format = 0; /* the server parses the text form */
        x->param_arena =
            x->param_arena || x->cparams[i].repr == REPR_ARRAY || x->cparams[i].is_user;
    }
    cname_table_free(params);
}

static void qctx_free(qctx *x)
{
    for (size_t i = 0; i < x->q->ncols; i++)
        ctype_free(&x->ccols[i]);
    for (size_t i = 0; i < x->q->nparams; i++)
        ctype_free(&x->cparams[i]);
    for (size_t i = 0; i < x->q->ncols; i++)
        free(x->fields[i]);
    for (size_t i = 0; i < x->q->nparams; i++)
        free(x->params[i]);
    free(x->ccols);
    free(x->cparams);
    free(x->fields);
    free(x->params);
}

/* Emit PREFIX_check_schema(): the columns and enums the queries rely on, checked at start-up. */
static void emit_check_schema(strbuf *h, strbuf *c, const analysis *a, const char *prefix,
                              const char *sb)
{
    strbuf_addf(h,
                "/*\n * Verify, in one round trip, that every table column and enum the queries\n"
                " * above rely on still has the type, NOT NULL and labels the code was generated\n"
                " * for. Call it at start-up: PGQC_SCHEMA_MISMATCH means the database drifted\n"
                " * (pgqc_conn_error() names the first difference).\n */\n"
                "pgqc_status %s_check_schema(pgqc_conn *c);\n\n",
                prefix);
    size_t ncols = 0;
    strbuf_addf(c, "static const pgqc_schema_column %s_schema_columns[] = {\n", sb);
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
                cname_literal(c, parts[p]);
                strbuf_addstr(c, ", ");
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
        strbuf_addf(c, "static const char *const %s_schema_enum%zu[] = {", sb, nenums++);
        for (size_t k = 0; k < t->nlabels; k++) {
            strbuf_addstr(c, k ? ", " : "");
            cname_literal(c, t->labels[k]);
        }
        strbuf_addstr(c, t->nlabels ? "};\n" : "NULL};\n");
    }
    strbuf_addf(c, "static const pgqc_schema_enum %s_schema_enums[] = {\n", sb);
    for (size_t i = 0, e = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'e')
            continue;
        strbuf_addstr(c, "    {");
        cname_literal(c, t->schema);
        strbuf_addstr(c, ", ");
        cname_literal(c, t->typname);
        strbuf_addf(c, ", %s_schema_enum%zu, %zu},\n", sb, e++, t->nlabels);
    }
    if (!nenums)
        strbuf_addstr(c, "    {NULL, NULL, NULL, 0},\n");
    char ncols_s[32], nenums_s[32];
    snprintf(ncols_s, sizeof ncols_s, "%zu", ncols);
    snprintf(nenums_s, sizeof nenums_s, "%zu", nenums);
    const char *vars[] = {"P", prefix, "S", sb, "ncols", ncols_s, "nenums", nenums_s, NULL};
    cname_expand(
        c,
        "};\n\n"
        "pgqc_status ${P}_check_schema(pgqc_conn *c)\n{\n"
        "    return pgqc_check_schema(c, ${S}_schema_columns, ${ncols}, ${S}_schema_enums, "
        "${nenums});\n"
        "}\n\n",
        vars);
}

bool emit_c(const analysis *a, const emit_options *opt, strbuf *h, strbuf *c, diag_list *dl)
{
    emit_names names;
    bool ok = emit_names_plan(&names, a, opt, dl);
    if (ok) {
        const char *prefix = opt->prefix, *guard = names.guard;
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
                    prefix, guard, guard);
        for (size_t i = 0; i < opt->nincludes; i++)
            strbuf_addf(h, "#include \"%s\"\n%s", opt->includes[i],
                        i + 1 == opt->nincludes ? "\n" : "");
        strbuf_addf(c,
                    "/*\n * %s.c - generated by pgqc " PGQC_VERSION_STRING ". DO NOT EDIT.\n */\n"
                    "#include \"%s\"\n\n#include <stdlib.h>\n#include <string.h>\n\n",
                    prefix, opt->header_name);
        emit_user_types_header(h, a, opt, &names);
        emit_user_types_source(c, a, opt, &names);
        for (size_t i = 0; i < a->nqueries; i++) {
            qctx x;
            qctx_init(&x, a, &a->queries[i], opt, &names, i);
            emit_header_query(h, &x);
            emit_descriptor(c, &x);
            emit_function(c, &x);
            qctx_free(&x);
        }
        emit_check_schema(h, c, a, prefix, names.schema_base);
        strbuf_addf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n", guard);
        /* Drop the blank line before EOF in the source. */
        while (c->len > 1 && c->buf[c->len - 1] == '\n' && c->buf[c->len - 2] == '\n')
            strbuf_setlen(c, c->len - 1);
    }
    emit_names_free(&names, a);
    return ok;
}
