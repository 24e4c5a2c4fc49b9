/*
 * emit_types.c — C types for PostgreSQL types, and generated code for
 * enums and arrays (see emit_types.h).
 *
 * Enum labels become upper-case constants PREFIX_TYPE_LABEL (made valid
 * identifiers, repeated names numbered); decoding an unknown label (a value
 * added to the enum after generation) is a decode error, never a wrong
 * constant.
 */
#include "emit_types.h"
#include "cname.h"
#include "emit_c.h"
#include "emit_names.h"

#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *array_name_of(const type_info *t)
{
    if (t->repr == REPR_STRING)
        return "text";
    if (t->repr == REPR_BYTES)
        return "bytes";
    return t->codec;
}

static void from_builtin(const type_info *t, ctype *out)
{
    out->repr = t->repr;
    out->c_type = xstrdup(t->c_type);
    out->opt_type = t->opt_type ? xstrdup(t->opt_type) : NULL;
    out->dec = xstrfmt("pgqc_dec_%s", t->codec);
    out->dec_arena = t->arena;
    out->enc = t->repr == REPR_VALUE ? xstrfmt("pgqc_enc_%s", t->codec) : NULL;
    out->wire_size = t->wire_size;
    out->param_format = t->param_format;
}

/* Follow domains to the type that decides the C mapping. */
pg_oid ctype_strip_domains(const analysis *a, pg_oid oid)
{
    const an_type *t;
    for (int i = 0; i < 32 && (t = analysis_type(a, oid)) != NULL && t->kind == 'd'; i++)
        oid = t->base;
    return oid;
}

/* The user's mapping for `oid` (by format_type name or schema.name), or NULL. */
static const type_map *user_mapping(const analysis *a, const emit_options *opt, pg_oid oid)
{
    const type_info *ti = typemap_lookup(oid);
    const an_type *t = analysis_type(a, oid);
    if (ti)
        return type_map_find(opt->maps, opt->nmaps, ti->pg_name, NULL);
    if (!t)
        return NULL;
    char *qualified = xstrfmt("%s.%s", t->schema, t->typname);
    const type_map *m = type_map_find(opt->maps, opt->nmaps, t->name, qualified);
    free(qualified);
    return m;
}

/* The nullable form of a user's C type: a pgqc_opt_* when one exists, else generated. */
static char *user_opt_type(const char *prefix, const char *c_type)
{
    unsigned n;
    const type_info *all = typemap_all(&n);
    for (unsigned i = 0; i < n; i++)
        if (all[i].opt_type && strcmp(all[i].c_type, c_type) == 0)
            return xstrdup(all[i].opt_type);
    char *id = c_ident(c_type);
    char *name = xstrfmt("%s_opt_%s", prefix, id);
    free(id);
    return name;
}

void ctype_resolve(const analysis *a, const emit_options *opt, const emit_names *names, pg_oid oid,
                   ctype *out)
{
    const char *prefix = opt->prefix;
    memset(out, 0, sizeof *out);
    oid = ctype_strip_domains(a, oid);
    const type_map *m = user_mapping(a, opt, oid);
    if (m) {
        out->repr = REPR_VALUE;
        out->is_user = true;
        out->c_type = xstrdup(m->c_type);
        out->opt_type = user_opt_type(prefix, m->c_type);
        out->dec = xstrdup(m->decoder);
        out->enc = m->encoder ? xstrdup(m->encoder) : NULL;
        out->param_format = m->text_params ? 0 : 1;
        return;
    }
    const type_info *ti = typemap_lookup(oid);
    if (ti) {
        from_builtin(ti, out);
        return;
    }
    const an_type *t = analysis_type(a, oid);
    const char *name = t ? user_type_c_name(names, a, t) : NULL;
    if (t && t->kind == 'c' && name) {
        out->repr = REPR_VALUE;
        out->is_composite = true;
        out->c_type = xstrdup(name);
        out->opt_type = xstrfmt("%s_opt", name);
        out->dec = xstrfmt("%s_dec", name);
        out->dec_arena = true;
        out->param_format = 0; /* composites are sent in their text form */
        return;
    }
    if (t && t->kind == 'e' && name) {
        out->repr = REPR_VALUE;
        out->is_enum = true;
        out->c_type = xstrdup(name);
        out->opt_type = xstrfmt("%s_opt", name);
        out->dec = xstrfmt("%s_dec", name);
        out->enc = xstrfmt("%s_to_string", name);
        out->param_format = 1;
        return;
    }
    /* One-dimensional arrays of a built-in type or of an enum. */
    pg_oid elem = t && t->kind == 'A' ? ctype_strip_domains(a, t->base) : 0;
    const type_info *eti = elem ? typemap_lookup(elem) : NULL;
    const an_type *et = elem && !eti ? analysis_type(a, elem) : NULL;
    const char *ename = et && et->kind == 'e' ? user_type_c_name(names, a, et) : NULL;
    if (!eti && !ename) {
        /* Anything else (not recorded, a --map-type not given this time, an analysis
         * edited by hand): a text stand-in, which emit_names refuses for values that
         * travel in binary. */
        from_builtin(typemap_lookup(25), out);
        out->unmapped = true;
        return;
    }
    out->repr = REPR_ARRAY;
    /* Codec names: built-in element OIDs are stable; enums go by their C name. */
    if (eti) {
        out->c_type = xstrfmt("pgqc_array_%s", array_name_of(eti));
        out->dec = xstrfmt("%s_dec_array_%u", prefix, oid);
        out->enc = xstrfmt("%s_enc_array_%u", prefix, oid);
    } else {
        out->c_type = xstrfmt("%s_array", ename);
        out->dec = xstrfmt("%s_dec_array", ename);
        out->enc = xstrfmt("%s_enc_array", ename);
    }
    out->dec_arena = true;
    /* Enum OIDs differ between databases: such arrays travel as text literals. */
    out->param_format = eti ? 1 : 0;
}

void ctype_free(ctype *t)
{
    free(t->c_type);
    free(t->opt_type);
    free(t->dec);
    free(t->enc);
    memset(t, 0, sizeof *t);
}

/* ---- which codecs are needed ----------------------------------------------- */

/* Is `oid` (through domains, and as an array element when `elem`) used by a column / parameter? */
/* Is `want` read from `oid`: the type itself, an array's element, a composite's attribute? */
static bool reads(const analysis *a, pg_oid oid, pg_oid want, int depth)
{
    oid = ctype_strip_domains(a, oid);
    if (oid == want)
        return true;
    const an_type *t = analysis_type(a, oid);
    if (!t || depth > 16)
        return false;
    if (t->kind == 'A')
        return reads(a, t->base, want, depth + 1);
    for (size_t i = 0; t->kind == 'c' && i < t->nattrs; i++)
        if (reads(a, t->attr_types[i], want, depth + 1))
            return true;
    return false;
}

/*
 * Does some query read `oid` in a column (also inside arrays and composites),
 * or send it as a parameter (also as array elements)? Decides which codecs
 * are emitted: an unused static function would not compile with -Werror.
 */
static bool type_used(const analysis *a, pg_oid oid, bool as_column)
{
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        size_t n = as_column ? q->ncols : q->nparams;
        for (size_t k = 0; k < n; k++) {
            if (as_column ? q->cols[k].text_fallback : q->params[k].text_fallback)
                continue;
            pg_oid t =
                ctype_strip_domains(a, as_column ? q->cols[k].type_oid : q->params[k].type_oid);
            if (as_column && reads(a, t, oid, 0))
                return true;
            if (t == oid)
                return true;
            const an_type *at = analysis_type(a, t);
            if (!as_column && at && at->kind == 'A' && ctype_strip_domains(a, at->base) == oid)
                return true;
        }
    }
    return false;
}

/* ---- enums ------------------------------------------------------------------ */

/* ---- composites ---------------------------------------------------------------- */

static void emit_decode_into(strbuf *c, const ctype *el, const char *target, const char *in);

/* Field names of a composite's attributes: valid identifiers, unique in the struct. */
static char **attr_fields(const an_type *t)
{
    char **names = xcalloc(t->nattrs + 1, sizeof(char *));
    cname_table *scope = cname_table_new(CNAME_FIELDS, NULL);
    for (size_t i = 0; i < t->nattrs; i++) {
        names[i] = cname_local(scope, t->attr_names[i], t->attr_names[i]);
        if (!names[i]) /* only for a name over CNAME_IDENT_MAX: emit_c refuses those first */
            names[i] = xstrfmt("attr%zu", i + 1);
    }
    cname_table_free(scope);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Composites in an order where every attribute's composite comes first. */
static const an_type **composites_in_order(const analysis *a, size_t *n)
{
    const an_type **out = xcalloc(a->ntypes + 1, sizeof *out);
    *n = 0;
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < a->ntypes; i++) {
            const an_type *t = &a->types[i];
            bool done = false, ready = true;
            for (size_t k = 0; k < *n; k++)
                done = done || out[k] == t;
            if (t->kind != 'c' || done)
                continue;
            for (size_t f = 0; f < t->nattrs; f++) {
                pg_oid at = ctype_strip_domains(a, t->attr_types[f]);
                const an_type *u = analysis_type(a, at);
                if (u && u->kind == 'A')
                    u = analysis_type(a, ctype_strip_domains(a, u->base));
                if (u && u->kind == 'c' && u != t) {
                    bool have = false;
                    for (size_t k = 0; k < *n; k++)
                        have = have || out[k] == u;
                    ready = ready && have;
                }
            }
            if (ready) {
                out[(*n)++] = t;
                progress = true;
            }
        }
    }
    return out;
}

static void emit_composites_header(strbuf *h, const analysis *a, const emit_options *opt,
                                   const emit_names *names)
{
    emit_options plain = *opt;
    plain.nmaps = 0;
    size_t n;
    const an_type **order = composites_in_order(a, &n);
    for (size_t i = 0; i < n; i++) {
        const an_type *t = order[i];
        const char *name = user_type_c_name(names, a, t);
        char **fields = attr_fields(t);
        strbuf_addstr(h, "/* PostgreSQL composite ");
        cname_comment_inline(h, t->name);
        strbuf_addf(h, " (attributes may be NULL) */\ntypedef struct %s {\n", name);
        if (!t->nattrs) /* C has no empty structs */
            strbuf_addstr(h, "    char pgqc_no_attributes_;\n");
        for (size_t f = 0; f < t->nattrs; f++) {
            ctype ft;
            ctype_resolve(a, &plain, names, t->attr_types[f], &ft);
            const char *ct = ft.repr == REPR_VALUE ? ft.opt_type : ft.c_type;
            strbuf_addf(h, "    %s%s%s;\n", ct, ct[strlen(ct) - 1] == '*' ? "" : " ", fields[f]);
            ctype_free(&ft);
        }
        strbuf_addf(h,
                    "} %s;\n\n"
                    "typedef struct %s_opt {\n"
                    "    bool valid; /* false: SQL NULL */\n"
                    "    %s value;\n"
                    "} %s_opt;\n\n",
                    name, name, name, name);
        free_names(fields, t->nattrs);
    }
    free(order);
}

static void emit_composites_source(strbuf *c, const analysis *a, const emit_options *opt,
                                   const emit_names *names)
{
    emit_options plain = *opt;
    plain.nmaps = 0;
    size_t n;
    const an_type **order = composites_in_order(a, &n);
    for (size_t i = 0; i < n; i++) {
        const an_type *t = order[i];
        if (!type_used(a, t->oid, true))
            continue;
        const char *name = user_type_c_name(names, a, t);
        char **fields = attr_fields(t);
        strbuf_addf(c,
                    "static bool %s_dec(const char *v, int len, pgqc_arena *arena, %s *out)\n{\n"
                    "    pgqc_record_reader r;\n"
                    "    uint32_t oid;\n"
                    "    const char *ev;\n"
                    "    int elen;\n"
                    "    (void)arena;\n"
                    "    if (!pgqc_record_begin(&r, v, len, %zu))\n"
                    "        return false;\n",
                    name, name, t->nattrs);
        for (size_t f = 0; f < t->nattrs; f++) {
            ctype ft;
            ctype_resolve(a, &plain, names, t->attr_types[f], &ft);
            pg_oid at = ctype_strip_domains(a, t->attr_types[f]);
            char *target = xstrfmt("out->%s", fields[f]);
            strbuf_addf(c, "    /* %s */\n    if (!pgqc_record_next(&r, &oid, &ev, &elen)",
                        fields[f]);
            if (pg_oid_is_stable(at))
                strbuf_addf(c, " || oid != %uu", at);
            strbuf_addstr(c, ")\n        return false;\n");
            emit_decode_into(c, &ft, target, "    ");
            free(target);
            ctype_free(&ft);
        }
        strbuf_addstr(c, "    return r.p == r.end;\n}\n\n");
        free_names(fields, t->nattrs);
    }
    free(order);
}

void emit_user_types_header(strbuf *h, const analysis *a, const emit_options *opt,
                            const emit_names *names)
{
    const char *prefix = opt->prefix;
    /* Nullable forms of the user's mapped C types that libpgqc does not define. */
    for (size_t i = 0; i < opt->nmaps; i++) {
        char *o = user_opt_type(prefix, opt->maps[i].c_type);
        bool dup = strncmp(o, "pgqc_opt_", 9) == 0;
        for (size_t k = 0; k < i && !dup; k++) {
            char *p = user_opt_type(prefix, opt->maps[k].c_type);
            dup = strcmp(o, p) == 0;
            free(p);
        }
        if (!dup)
            strbuf_addf(
                h,
                "typedef struct %s {\n    bool valid; /* false: SQL NULL */\n    %s value;\n"
                "} %s;\n\n",
                o, opt->maps[i].c_type, o);
        free(o);
    }
    for (size_t i = 0; i < a->ntypes; i++) {
        const an_type *t = &a->types[i];
        const char *name = user_type_c_name(names, a, t);
        if (t->kind != 'e' || !name)
            continue;
        char *const *consts = names->enum_consts[i];
        strbuf_addstr(h, "/* PostgreSQL enum ");
        cname_comment_inline(h, t->name);
        strbuf_addf(h, " */\ntypedef enum %s {\n", name);
        for (size_t k = 0; k < t->nlabels; k++) {
            strbuf_addf(h, "    %s = %zu, /* '", consts[k], k);
            cname_comment_inline(h, t->labels[k]);
            strbuf_addstr(h, "' */\n");
        }
        if (!t->nlabels) /* C has no empty enums: a constant that is no label */
            strbuf_addf(h, "    %s = 0 /* the enum has no labels */\n", consts[0]);
        const char *vars[] = {"E", name, NULL};
        cname_expand(h,
                     "} ${E};\n\n"
                     "typedef struct ${E}_opt {\n"
                     "    bool valid; /* false: SQL NULL */\n"
                     "    ${E} value;\n"
                     "} ${E}_opt;\n\n"
                     "typedef struct ${E}_array {\n"
                     "    const ${E}_opt *items;\n"
                     "    size_t count;\n"
                     "} ${E}_array;\n\n"
                     "/* The label of `v`, or NULL when `v` is not a constant of the enum. */\n"
                     "const char *${E}_to_string(${E} v);\n"
                     "/* Parse a label; false when `s` is not one. */\n"
                     "bool ${E}_from_string(const char *s, ${E} *out);\n\n",
                     vars);
    }
    emit_composites_header(h, a, opt, names);
}

static void emit_enum_source(strbuf *c, const analysis *a, const an_type *t,
                             const emit_names *names)
{
    const char *name = user_type_c_name(names, a, t);
    if (!name)
        return;
    bool dec = type_used(a, t->oid, true);
    if (!t->nlabels) {
        /* No label to convert: a labels array would be unused (and empty). */
        const char *vars[] = {"E", name, NULL};
        cname_expand(c,
                     "const char *${E}_to_string(${E} v)\n{\n"
                     "    (void)v;\n    return NULL;\n}\n\n"
                     "bool ${E}_from_string(const char *s, ${E} *out)\n{\n"
                     "    (void)s;\n    (void)out;\n    return false;\n}\n\n",
                     vars);
        if (dec)
            cname_expand(c,
                         "static bool ${E}_dec(const char *v, int len, ${E} *out)\n{\n"
                         "    (void)v;\n    (void)len;\n    (void)out;\n    return false;\n}\n\n",
                         vars);
        return;
    }
    strbuf_addf(c, "static const char *const %s_labels[] = {", name);
    for (size_t k = 0; k < t->nlabels; k++) {
        strbuf_addstr(c, k ? ", " : "");
        cname_literal(c, t->labels[k]);
    }
    char count[32];
    snprintf(count, sizeof count, "%zu", t->nlabels);
    const char *vars[] = {"E", name, "N", count, NULL};
    cname_expand(c,
                 "};\n\n"
                 "const char *${E}_to_string(${E} v)\n{\n"
                 "    return (size_t)v < ${N} ? ${E}_labels[v] : NULL;\n}\n\n"
                 "bool ${E}_from_string(const char *s, ${E} *out)\n{\n"
                 "    for (size_t i = 0; s && i < ${N}; i++)\n"
                 "        if (strcmp(s, ${E}_labels[i]) == 0) {\n"
                 "            *out = (${E})i;\n"
                 "            return true;\n"
                 "        }\n"
                 "    return false;\n}\n\n",
                 vars);
    if (dec)
        cname_expand(c,
                     "static bool ${E}_dec(const char *v, int len, ${E} *out)\n{\n"
                     "    for (size_t i = 0; len >= 0 && i < ${N}; i++)\n"
                     "        if (strlen(${E}_labels[i]) == (size_t)len && "
                     "memcmp(v, ${E}_labels[i], (size_t)len) == 0) {\n"
                     "            *out = (${E})i;\n"
                     "            return true;\n"
                     "        }\n"
                     "    return false;\n}\n\n",
                     vars);
}

/* ---- arrays ------------------------------------------------------------------ */

/*
 * Code that decodes the value `ev`/`elen` (elen -1 for NULL; not
 * NUL-terminated: an array element or a record attribute) into `target`,
 * an lvalue of the nullable storage form of `el`, and returns false from
 * the enclosing decoder when the value is malformed. `arena` is in scope.
 */
static void emit_decode_into(strbuf *c, const ctype *el, const char *target, const char *in)
{
    if (el->repr == REPR_VALUE) {
        strbuf_addf(c,
                    "%s%s.valid = elen >= 0;\n"
                    "%sif (elen < 0)\n"
                    "%s    memset(&%s.value, 0, sizeof %s.value);\n"
                    "%selse if (!%s(ev, elen, %s&%s.value))\n"
                    "%s    return false;\n",
                    in, target, in, in, target, target, in, el->dec, el->dec_arena ? "arena, " : "",
                    target, in);
    } else if (el->repr == REPR_STRING) {
        /* Not NUL-terminated in place: text is copied into the arena. */
        const char *dec = el->dec_arena                            ? el->dec
                          : strcmp(el->dec, "pgqc_dec_jsonb") == 0 ? "pgqc_dec_jsonb_copy"
                                                                   : "pgqc_dec_text_copy";
        strbuf_addf(c,
                    "%sif (elen < 0)\n"
                    "%s    %s = NULL;\n"
                    "%selse if (!%s(ev, elen, arena, &%s))\n"
                    "%s    return false;\n",
                    in, in, target, in, dec, target, in);
    } else {
        const char *dec = el->repr == REPR_BYTES ? "pgqc_dec_bytes" : el->dec;
        strbuf_addf(c,
                    "%sif (elen < 0)\n"
                    "%s    memset(&%s, 0, sizeof %s);\n"
                    "%selse if (!%s(ev, elen, %s&%s))\n"
                    "%s    return false;\n",
                    in, in, target, target, in, dec, el->repr == REPR_ARRAY ? "arena, " : "",
                    target, in);
    }
}

static void emit_array_decoder(strbuf *c, const ctype *arr, const ctype *el, pg_oid elem_oid);
static void emit_array_encoder(strbuf *c, const ctype *arr, const ctype *el, pg_oid elem_oid);

static void emit_array_source(strbuf *c, const analysis *a, const an_type *t,
                              const emit_options *opt, const emit_names *names)
{
    /* --map-type applies to values of the type, not to array elements. */
    emit_options plain = *opt;
    plain.nmaps = 0;
    ctype arr, el;
    ctype_resolve(a, opt, names, t->oid, &arr);
    ctype_resolve(a, &plain, names, t->base, &el);
    pg_oid elem_oid = ctype_strip_domains(a, t->base);
    if (arr.repr != REPR_ARRAY) { /* an element type with no C mapping: sent as text */
        ctype_free(&arr);
        ctype_free(&el);
        return;
    }

    bool dec = type_used(a, t->oid, true), enc = type_used(a, t->oid, false);
    if (dec)
        emit_array_decoder(c, &arr, &el, elem_oid);
    if (enc)
        emit_array_encoder(c, &arr, &el, elem_oid);
    ctype_free(&arr);
    ctype_free(&el);
}

static void emit_array_decoder(strbuf *c, const ctype *arr, const ctype *el, pg_oid elem_oid)
{
    /* The element storage type: opt struct for values, pointer or pgqc_bytes otherwise. */
    const char *item = el->repr == REPR_VALUE ? el->opt_type : el->c_type;
    strbuf_addf(c,
                "static bool %s(const char *v, int len, pgqc_arena *arena, %s *out)\n{\n"
                "    pgqc_array_reader r;\n"
                "    if (!pgqc_array_begin(&r, v, len, %uu))\n"
                "        return false;\n"
                "    %s *items = (%s *)pgqc_arena_alloc(arena, r.count * sizeof *items + 1);\n"
                "    if (!items)\n"
                "        return false;\n"
                "    for (size_t i = 0; i < r.count; i++) {\n"
                "        const char *ev;\n"
                "        int elen;\n"
                "        if (!pgqc_array_next(&r, &ev, &elen))\n"
                "            return false;\n",
                arr->dec, arr->c_type, pg_oid_is_stable(elem_oid) ? elem_oid : 0, item, item);
    emit_decode_into(c, el, "items[i]", "        ");
    strbuf_addstr(c, "    }\n"
                     "    if (r.p != r.end)\n"
                     "        return false;\n"
                     "    out->items = items;\n"
                     "    out->count = r.count;\n"
                     "    return true;\n}\n\n");
}

static void emit_array_encoder(strbuf *c, const ctype *arr, const ctype *el, pg_oid elem_oid)
{
    if (el->is_enum) {
        /* Text literal: the server looks the labels up in its own enum. */
        strbuf_addf(c,
                    "static const char *%s(pgqc_arena *arena, %s arr, int *len)\n{\n"
                    "    if (!arr.items && arr.count)\n"
                    "        return NULL;\n"
                    "    const char **labels = (const char **)pgqc_arena_alloc(arena, "
                    "(arr.count + 1) * sizeof *labels);\n"
                    "    if (!labels)\n"
                    "        return NULL;\n"
                    "    for (size_t i = 0; i < arr.count; i++) {\n"
                    "        labels[i] = arr.items[i].valid ? %s(arr.items[i].value) : NULL;\n"
                    "        if (arr.items[i].valid && !labels[i])\n"
                    "            return NULL;\n"
                    "    }\n"
                    "    return pgqc_text_array_literal(arena, labels, arr.count, len);\n}\n\n",
                    arr->enc, arr->c_type, el->enc);
        return;
    }
    strbuf_addf(c,
                "static const char *%s(pgqc_arena *arena, %s arr, int *len)\n{\n"
                "    pgqc_array_writer w;\n"
                "    if ((!arr.items && arr.count) || "
                "!pgqc_array_write_begin(&w, arena, %uu, arr.count))\n"
                "        return NULL;\n"
                "    for (size_t i = 0; i < arr.count; i++) {\n"
                "        bool ok;\n",
                arr->enc, arr->c_type, elem_oid);
    if (el->repr == REPR_VALUE) {
        strbuf_addf(
            c,
            "        char buf[%d];\n"
            "        ok = arr.items[i].valid\n"
            "                 ? pgqc_array_write_elem(&w, buf, %s(buf, arr.items[i].value))\n"
            "                 : pgqc_array_write_elem(&w, NULL, 0);\n",
            el->wire_size, el->enc);
    } else if (el->repr == REPR_BYTES) {
        strbuf_addstr(c, "        ok = pgqc_array_write_elem(&w, (const char *)arr.items[i].data,\n"
                         "                                   (int)arr.items[i].len);\n");
    } else {
        strbuf_addstr(c, "        const char *s = arr.items[i];\n"
                         "        ok = pgqc_array_write_elem(&w, s, s ? (int)strlen(s) : 0);\n");
    }
    strbuf_addstr(c, "        if (!ok)\n"
                     "            return NULL;\n"
                     "    }\n"
                     "    return pgqc_array_write_end(&w, len);\n}\n\n");
}

void emit_user_types_source(strbuf *c, const analysis *a, const emit_options *opt,
                            const emit_names *names)
{
    /* Composite decoders use array decoders (and each other, in order): declare them. */
    for (size_t i = 0; i < a->ntypes; i++) {
        const char *name = user_type_c_name(names, a, &a->types[i]);
        if (a->types[i].kind == 'c' && name && type_used(a, a->types[i].oid, true))
            strbuf_addf(c,
                        "static bool %s_dec(const char *v, int len, pgqc_arena *arena, %s *out);\n",
                        name, name);
    }
    for (size_t i = 0; i < a->ntypes; i++)
        if (a->types[i].kind == 'e')
            emit_enum_source(c, a, &a->types[i], names);
    for (size_t i = 0; i < a->ntypes; i++)
        if (a->types[i].kind == 'A')
            emit_array_source(c, a, &a->types[i], opt, names);
    emit_composites_source(c, a, opt, names);
}
