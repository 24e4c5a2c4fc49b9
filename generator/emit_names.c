/*
 * emit_names.c — naming every identifier of a generated pair before it is
 * written (see emit_names.h), and refusing what cannot be written safely.
 */
#include "emit_names.h"
#include "emit_c.h"
#include "emit_types.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statics each query gives the .c file, after its base name. */
static const char *const query_statics[] = {
    "_param_types", "_param_formats", "_col_types", "_col_names",
    "_query",       "_decode",        "_run",       "_sql"};

/* PREFIX_typname, or PREFIX_schema_typname outside public, as an identifier. */
static char *user_type_base_name(const char *prefix, const an_type *t)
{
    char *raw = strcmp(t->schema, "public") == 0
                    ? xstrfmt("%s_%s", prefix, t->typname)
                    : xstrfmt("%s_%s_%s", prefix, t->schema, t->typname);
    char *id = c_ident(raw);
    free(raw);
    return id;
}

const char *user_type_c_name(const emit_names *names, const analysis *a, const an_type *t)
{
    size_t i = (size_t)(t - a->types);
    return names && i < a->ntypes ? names->type_names[i] : NULL;
}

/* The names each enum and composite gives its C type (all claimed together). */
static const char *const enum_family[] = {"_opt",    "_array", "_to_string", "_from_string",
                                          "_labels", "_dec",   "_dec_array", "_enc_array"};
static const char *const composite_family[] = {"_opt", "_dec"};

static char *upper(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return s;
}

static bool plan_types(emit_names *n, const analysis *a, const emit_options *opt, diag_list *dl)
{
    n->type_names = xcalloc(a->ntypes + 1, sizeof(char *));
    n->enum_consts = xcalloc(a->ntypes + 1, sizeof(char **));
    size_t errors = dl->errors;
    /* Types first, in OID order, so their names do not depend on the queries. */
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'e' && t->kind != 'c')
            continue;
        char *base = user_type_base_name(opt->prefix, t);
        char *owner = xstrfmt("%s \"%s\"", t->kind == 'e' ? "enum" : "composite type", t->name);
        n->type_names[i] =
            t->kind == 'e'
                ? cname_claim_family(n->file, base, enum_family,
                                     sizeof enum_family / sizeof *enum_family, owner)
                : cname_claim_family(n->file, base, composite_family,
                                     sizeof composite_family / sizeof *composite_family, owner);
        if (!n->type_names[i])
            diag_plain(dl, DIAG_ERROR, NULL, "%s: no C name can be made from it (tried %s)", owner,
                       base);
        free(base);
        free(owner);
    }
    /* Then the enum constants: unique across every enum of the file. */
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'e' || !n->type_names[i])
            continue;
        size_t nconsts = t->nlabels ? t->nlabels : 1;
        n->enum_consts[i] = xcalloc(nconsts + 1, sizeof(char *));
        for (size_t k = 0; k < nconsts; k++) {
            /* An enum without labels still needs one constant to be valid C. */
            char *raw = t->nlabels ? xstrfmt("%s_%s", n->type_names[i], t->labels[k])
                                   : xstrfmt("%s_no_labels", n->type_names[i]);
            char *id = upper(c_ident(raw));
            char *owner = t->nlabels ? xstrfmt("label '%s' of enum \"%s\"", t->labels[k], t->name)
                                     : xstrfmt("enum \"%s\" (no labels)", t->name);
            n->enum_consts[i][k] = cname_local(n->file, id, owner);
            if (!n->enum_consts[i][k]) {
                diag_plain(dl, DIAG_ERROR, NULL, "%s: no C name can be made from it", owner);
                n->enum_consts[i][k] = xstrdup("");
            }
            free(raw);
            free(id);
            free(owner);
        }
    }
    /* Codecs of arrays of built-in types are named after the array's (stable) OID. */
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        if (t->kind != 'A' || !typemap_lookup(ctype_strip_domains(a, t->base)))
            continue;
        for (int enc = 0; enc < 2; enc++) {
            char *name = xstrfmt("%s_%s_array_%u", opt->prefix, enc ? "enc" : "dec", t->oid);
            char *owner = xstrfmt("the codec of %s", t->name);
            if (!cname_claim(n->file, name, owner))
                diag_plain(dl, DIAG_ERROR, NULL, "%s: the name %s is %s", owner, name,
                           cname_problem(n->file, name));
            free(name);
            free(owner);
        }
    }
    return dl->errors == errors;
}

/* An error about query `q`, at its annotation's file:line. */
static diag *query_error(diag_list *dl, const an_query *q, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static diag *query_error(diag_list *dl, const an_query *q, const char *fmt, ...)
{
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag *d = diag_plain(dl, DIAG_ERROR, q->file, "%s", sb.buf);
    d->line = q->line;
    d->col = 1;
    strbuf_release(&sb);
    return d;
}

/*
 * Options are written into the header as code (--include, --map-type): they
 * must have the shape of what they stand for.
 */
static bool c_type_shaped(const char *s)
{
    /* identifiers, spaces and '*': "my_point", "struct point *", "unsigned long" */
    bool word = false;
    for (const char *p = s; *p; p++) {
        if (isalnum((unsigned char)*p) || *p == '_')
            word = true;
        else if (*p != ' ' && *p != '*')
            return false;
    }
    return word && !isdigit((unsigned char)s[strspn(s, " *")]);
}

static bool check_options(const emit_options *opt, diag_list *dl)
{
    size_t errors = dl->errors;
    const char *why = cname_prefix_problem(opt->prefix);
    if (why)
        diag_plain(dl, DIAG_ERROR, NULL, "--name \"%s\": %s", opt->prefix, why);
    for (size_t i = 0; i < opt->nincludes; i++) {
        const char *inc = opt->includes[i];
        bool ok = *inc != '\0';
        for (const char *p = inc; *p && ok; p++)
            ok = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && *p != '"' && *p != '\\';
        if (!ok)
            diag_plain(dl, DIAG_ERROR, NULL,
                       "--include: a header name must be printable ASCII without '\"' or '\\'");
    }
    for (size_t i = 0; i < opt->nmaps; i++) {
        const type_map *m = &opt->maps[i];
        if (!c_type_shaped(m->c_type) || strlen(m->c_type) > CNAME_IDENT_MAX)
            diag_plain(dl, DIAG_ERROR, NULL,
                       "--map-type: the C type of a mapping must be identifiers, spaces and '*'");
        if (!c_ident_ok(m->decoder) || (m->encoder && !c_ident_ok(m->encoder)))
            diag_plain(dl, DIAG_ERROR, NULL,
                       "--map-type: decoder and encoder must be C identifiers");
    }
    return dl->errors == errors;
}

/*
 * Names become identifiers and literals: PostgreSQL's are at most 63 bytes, a
 * lock file's or a query file's could be anything. This bound leaves room for
 * the '_' and "_N" that naming may add within CNAME_IDENT_MAX.
 */
#define NAME_BYTES_MAX (CNAME_IDENT_MAX - 16)

static bool check_literal_lengths(const analysis *a, diag_list *dl)
{
    size_t errors = dl->errors;
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        for (size_t k = 0; k < q->ncols; k++) {
            const an_column *col = &q->cols[k];
            const char *parts[] = {col->name, col->src_schema, col->src_table, col->src_column,
                                   col->src_type};
            for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
                if (parts[p] && strlen(parts[p]) > NAME_BYTES_MAX)
                    query_error(dl, q,
                                "query \"%.64s...\": a column's name is longer than %d bytes",
                                q->name, NAME_BYTES_MAX);
        }
        for (size_t k = 0; k < q->nparams; k++)
            if (strlen(q->params[k].name) > NAME_BYTES_MAX)
                query_error(dl, q, "a parameter name is longer than %d bytes", NAME_BYTES_MAX);
    }
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        bool long_name = strlen(t->schema) > NAME_BYTES_MAX || strlen(t->typname) > NAME_BYTES_MAX;
        for (size_t k = 0; k < t->nlabels; k++)
            long_name = long_name || strlen(t->labels[k]) > NAME_BYTES_MAX;
        if (long_name)
            diag_plain(dl, DIAG_ERROR, NULL, "type \"%.64s...\": a name longer than %d bytes",
                       t->name, NAME_BYTES_MAX);
    }
    return dl->errors == errors;
}

/* The public names of query `q` (fn, then fn_row, ...), or a diagnostic when one is taken. */
static char *claim_query_names(cname_table *file, const an_query *q, const char *prefix,
                               diag_list *dl)
{
    char *fn = xstrfmt("%s_%s", prefix, q->name);
    const char *suffixes[4];
    size_t n = 0;
    suffixes[n++] = "";
    if (query_cmd_returns_rows(q->cmd))
        suffixes[n++] = "_row";
    if (q->cmd == CMD_ONE)
        suffixes[n++] = "_row_free";
    if (q->cmd == CMD_MANY) {
        suffixes[n++] = "_rows";
        suffixes[n++] = "_rows_free";
    }
    char *owner = xstrfmt("query \"%s\" (%s:%d)", q->name, q->file, q->line);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        char *name = xstrfmt("%s%s", fn, suffixes[i]);
        const char *why = cname_problem(file, name);
        if (why) {
            diag *d = query_error(dl, q, "query \"%s\": its generated name %s is %s%s", q->name,
                                  name, cname_owner(file, name) ? "already used by " : "", why);
            diag_set_hint(d, "rename the query (`-- name: ...`)");
            ok = false;
        }
        free(name);
    }
    for (size_t i = 0; i < n && ok; i++) {
        char *name = xstrfmt("%s%s", fn, suffixes[i]);
        cname_claim(file, name, owner);
        free(name);
    }
    free(owner);
    if (!ok) {
        free(fn);
        return NULL;
    }
    return fn;
}

bool emit_names_plan(emit_names *n, const analysis *a, const emit_options *opt, diag_list *dl)
{
    memset(n, 0, sizeof *n);
    n->file = cname_table_new(CNAME_FILE, NULL);
    n->query_fns = xcalloc(a->nqueries + 1, sizeof(char *));
    n->query_statics = xcalloc(a->nqueries + 1, sizeof(char *));
    if (!check_options(opt, dl) || !check_literal_lengths(a, dl))
        return false;
    size_t errors_before = dl->errors;
    const char *prefix = opt->prefix;
    n->guard = upper(xstrfmt("%s_H_PGQC_GENERATED", prefix));
    char *check_fn = xstrfmt("%s_check_schema", prefix);
    cname_claim(n->file, n->guard, "the header's include guard");
    cname_claim(n->file, check_fn, "the schema check");
    /* What `--embed-migrations` / `migrate embed` declare for the same prefix,
     * which a program includes next to this header. */
    char *embed_fn = xstrfmt("%s_migrations", prefix);
    char *embed_guard = xstrfmt("%s_MIGRATIONS_H", prefix);
    cname_claim(n->file, embed_fn, "the embedded migrations (PREFIX_migrations.h)");
    cname_claim(n->file, embed_guard, "the embedded migrations' include guard");
    free(embed_fn);
    free(embed_guard);
    free(check_fn);
    for (size_t i = 0; i < opt->nmaps; i++) {
        /* PREFIX_opt_CTYPE, the nullable form of a mapped type that libpgqc lacks. */
        char *id = c_ident(opt->maps[i].c_type);
        char *name = xstrfmt("%s_opt_%s", prefix, id);
        const char *why = cname_problem(n->file, name);
        if (why && strcmp(why, "--map-type") != 0)
            diag_plain(dl, DIAG_ERROR, NULL, "--map-type %s: the name %s is %s",
                       opt->maps[i].c_type, name, why);
        else if (!why)
            cname_claim(n->file, name, "--map-type");
        free(id);
        free(name);
        /* The user's own names (their type, its tag, their codecs) are taken too;
         * keywords such as `struct` or `double` are skipped by cname_claim. */
        const type_map *m = &opt->maps[i];
        for (const char *p = m->c_type; *p;) {
            size_t len =
                strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            if (!len) {
                p++;
                continue;
            }
            char *word = xstrndup(p, len);
            cname_claim(n->file, word, "a --map-type C type");
            free(word);
            p += len;
        }
        cname_claim(n->file, m->decoder, "a --map-type decoder");
        if (m->encoder)
            cname_claim(n->file, m->encoder, "a --map-type encoder");
    }
    plan_types(n, a, opt, dl);
    for (size_t i = 0; i < a->nqueries; i++)
        n->query_fns[i] = claim_query_names(n->file, &a->queries[i], prefix, dl);
    for (size_t i = 0; i < a->nqueries; i++) {
        if (!n->query_fns[i])
            continue;
        char *owner = xstrfmt("query \"%s\" (internal)", a->queries[i].name);
        n->query_statics[i] =
            cname_claim_suffixes(n->file, n->query_fns[i], query_statics,
                                 sizeof query_statics / sizeof *query_statics, owner);
        if (!n->query_statics[i])
            query_error(dl, &a->queries[i], "query \"%s\": no names left for its static objects",
                        a->queries[i].name);
        free(owner);
    }
    /* The schema check's tables: PREFIX_schema_columns, _enums, _enum0, ... */
    size_t nenums = 0;
    for (size_t i = 0; i < a->ntypes; i++)
        nenums += a->types[i].kind == 'e';
    char **schema_names = xcalloc(nenums + 3, sizeof(char *));
    schema_names[0] = xstrdup("_schema_columns");
    schema_names[1] = xstrdup("_schema_enums");
    for (size_t e = 0; e < nenums; e++)
        schema_names[2 + e] = xstrfmt("_schema_enum%zu", e);
    n->schema_base = cname_claim_suffixes(n->file, prefix, (const char *const *)schema_names,
                                          nenums + 2, "the schema check's tables");
    for (size_t e = 0; e < nenums + 2; e++)
        free(schema_names[e]);
    free(schema_names);
    if (!n->schema_base)
        diag_plain(dl, DIAG_ERROR, NULL, "no names left for the schema check's tables");

    /* A value the server sends or receives in binary needs its real codec: a
     * text decoder would read the binary bytes as a string. */
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        for (size_t k = 0; k < q->ncols + q->nparams; k++) {
            bool col = k < q->ncols;
            const char *what = col ? q->cols[k].name : q->params[k - q->ncols].name;
            const char *type = col ? q->cols[k].type_name : q->params[k - q->ncols].type_name;
            if (col ? q->cols[k].text_fallback : q->params[k - q->ncols].text_fallback)
                continue;
            ctype t;
            ctype_resolve(a, opt, n, col ? q->cols[k].type_oid : q->params[k - q->ncols].type_oid,
                          &t);
            if (t.unmapped) {
                diag *d = query_error(dl, q,
                                      "query \"%s\": %s \"%s\" has type %s, which has no C "
                                      "mapping here",
                                      q->name, col ? "column" : "parameter", what, type);
                diag_set_hint(d, "give the same --map-type as when the analysis was made, or "
                                 "regenerate the lock");
            }
            ctype_free(&t);
        }
    }
    for (size_t i = 0; i < a->nqueries && dl->errors == errors_before; i++)
        for (size_t k = 0; k < a->queries[i].nparams; k++) {
            if (a->queries[i].params[k].text_fallback)
                continue;
            ctype t;
            ctype_resolve(a, opt, n, a->queries[i].params[k].type_oid, &t);
            if (t.is_user && !t.enc)
                query_error(dl, &a->queries[i],
                            "query \"%s\": parameter \"%s\" has type %s, mapped to %s without an "
                            "encoder (--map-type TYPE=CTYPE:DECODER:ENCODER)",
                            a->queries[i].name, a->queries[i].params[k].name,
                            a->queries[i].params[k].type_name, t.c_type);
            ctype_free(&t);
        }

    return dl->errors == errors_before;
}

void emit_names_free(emit_names *n, const analysis *a)
{
    for (size_t i = 0; i < a->ntypes; i++) {
        if (n->enum_consts && n->enum_consts[i]) {
            size_t nconsts = a->types[i].nlabels ? a->types[i].nlabels : 1;
            for (size_t k = 0; k < nconsts; k++)
                free(n->enum_consts[i][k]);
            free(n->enum_consts[i]);
        }
        if (n->type_names)
            free(n->type_names[i]);
    }
    free(n->type_names);
    free(n->enum_consts);
    for (size_t i = 0; n->query_fns && i < a->nqueries; i++) {
        free(n->query_fns[i]);
        free(n->query_statics[i]);
    }
    free(n->query_fns);
    free(n->query_statics);
    free(n->schema_base);
    free(n->guard);
    cname_table_free(n->file);
    memset(n, 0, sizeof *n);
}
