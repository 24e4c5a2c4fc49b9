/*
 * paramtypes.c — typing parameters PostgreSQL cannot type from their first
 * use, from their other uses (see paramtypes.h).
 *
 * Every use of a parameter in the rewritten SQL is a `$n` the query reader
 * recorded (query_src.spans). The statement is edited by replacing some of
 * those uses, and a position PostgreSQL reports in an edited statement is
 * mapped back through the edits to the original SQL, and from there to the
 * file.
 */
#include "paramtypes.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#define UNKNOWN_OID 705 /* pg_type "unknown": what an untyped literal or parameter has */

/* One use of a parameter: bytes [at, at + len) of src->sql, which read `$number`. */
typedef struct param_use {
    size_t at, len;
    int number;
    bool untyped; /* PostgreSQL cannot type the parameter here */
} param_use;

/* Replace bytes [at, at + len) of the SQL with `with` (edits sorted by `at`). */
typedef struct sql_edit {
    size_t at, len;
    char *with;
} sql_edit;

typedef struct edit_list {
    sql_edit *e;
    size_t n, alloc;
} edit_list;

static void edits_clear(edit_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].with);
    free(l->e);
    memset(l, 0, sizeof *l);
}

static char *apply_edits(const char *sql, const edit_list *l)
{
    strbuf sb = STRBUF_INIT;
    size_t copied = 0;
    for (size_t i = 0; i < l->n; i++) {
        strbuf_add(&sb, sql + copied, l->e[i].at - copied);
        strbuf_addstr(&sb, l->e[i].with);
        copied = l->e[i].at + l->e[i].len;
    }
    strbuf_addstr(&sb, sql + copied);
    return strbuf_detach(&sb, NULL);
}

/* Byte offset `off` of the edited SQL as an offset of the original (an edit maps to its start). */
static size_t original_offset(const edit_list *l, size_t off)
{
    size_t shift_out = 0, shift_in = 0; /* ends of the last edit before `off` */
    for (size_t i = 0; i < l->n; i++) {
        size_t out_at = l->e[i].at - shift_in + shift_out;
        size_t out_end = out_at + strlen(l->e[i].with);
        if (off < out_at)
            break;
        if (off < out_end)
            return l->e[i].at;
        shift_out = out_end;
        shift_in = l->e[i].at + l->e[i].len;
    }
    return off - shift_out + shift_in;
}

/* PostgreSQL's position (1-based characters) in `sql` as a byte offset. */
static size_t byte_of_position(const char *sql, long position)
{
    size_t off = 0;
    long chars = 0;
    for (const char *p = sql; *p; p++, off++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (++chars >= position)
            break;
    }
    return off;
}

/* The 1-based character position of byte `off` of `sql`. */
static long position_of_byte(const char *sql, size_t off)
{
    long chars = 0;
    for (size_t i = 0; i <= off && sql[i]; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80)
            chars++;
    return chars;
}

static const char *sqlstate_of(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

/*
 * 42P18 (indeterminate datatype): no use of the parameter gave it a type.
 * 42P08 (ambiguous parameter), same message: a later use typed it, after
 * an earlier use had been left untyped.
 */
bool paramtypes_untyped(const PGresult *prepare_error)
{
    const char *st = sqlstate_of(prepare_error);
    const char *msg =
        prepare_error ? PQresultErrorField(prepare_error, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    return (strcmp(st, "42P18") == 0 || strcmp(st, "42P08") == 0) && msg &&
           strncmp(msg, "could not determine data type of parameter", 42) == 0;
}

/* The parameter number in "could not determine data type of parameter $3", or 0. */
static int number_in_message(const PGresult *r)
{
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *p = msg ? strstr(msg, "parameter $") : NULL;
    return p ? atoi(p + strlen("parameter $")) : 0;
}

/* The use a 42P18 answer for `sql` (edited by `l`) points at, or NULL. */
static param_use *use_at_error(param_use *uses, size_t n, const char *sql, const edit_list *l,
                               const PGresult *r)
{
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    if (!pos)
        return NULL;
    size_t off = original_offset(l, byte_of_position(sql, strtol(pos, NULL, 10)));
    for (size_t i = 0; i < n; i++)
        if (uses[i].at == off)
            return &uses[i];
    return NULL;
}

/* Every untyped use replaced by `NULL` (to learn types) or `($n::type)` (typed). */
static void untyped_edits(const param_use *uses, size_t n, char *const *types, edit_list *l)
{
    edits_clear(l);
    for (size_t i = 0; i < n; i++) {
        if (!uses[i].untyped)
            continue;
        ALLOC_GROW(l->e, l->n + 1, l->alloc);
        l->e[l->n++] =
            (sql_edit){uses[i].at, uses[i].len,
                       types ? xstrfmt("($%d::%s)", uses[i].number, types[uses[i].number - 1])
                             : xstrdup("NULL")};
    }
}

/*
 * The type `oid` as SQL: format_type()'s name, which PostgreSQL prints as
 * valid type syntax, quoted where needed and schema-qualified only when the
 * type is not on the search_path (as the queries themselves name types).
 */
static char *type_as_sql(const catalog *cat, pg_oid oid)
{
    const cat_type *t = catalog_type(cat, oid);
    return t ? xstrdup(t->name) : NULL;
}

static const query_param *param_numbered(const query_src *src, int number)
{
    for (size_t i = 0; i < src->nparams; i++)
        if (src->params[i].number == number)
            return &src->params[i];
    return NULL;
}

/*
 * Parameter `number` stays untyped: say which cast to write, at the untyped
 * `use` (NULL: its first use). `alone`: no other use gives it a type (else
 * pgqc could not tell, and says less).
 */
static void report_untypable(const query_src *src, const param_use *use, int number, bool alone,
                             const PGresult *r, diag_list *dl)
{
    const query_param *qp = param_numbered(src, number);
    size_t off = use ? query_map_offset(src, use->at) : qp ? qp->offset : src->sql_offset;
    size_t span = 0;
    for (size_t i = 0; i < src->nspans; i++)
        if (src->spans[i].in == off)
            span = src->spans[i].in_len;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    diag *d = diag_at(dl, DIAG_ERROR, src->file, src->text, off, span, "%s",
                      msg ? msg : "could not determine the data type of a parameter");
    /* As written in the file (`:name?`, `@name`, `$2`); the cast goes after any override. */
    char *written = xstrndup(src->text + off, span ? span : 1);
    char *bare = xstrdup(written);
    size_t w = strlen(bare);
    if (w > 1 && (bare[w - 1] == '?' || bare[w - 1] == '!'))
        bare[w - 1] = '\0';
    if (alone)
        diag_set_hint(d,
                      "nothing else in the statement gives %s a type: add a cast here with the "
                      "type you mean, e.g. %s::text or %s::bigint",
                      bare, written, written);
    else
        diag_set_hint(d,
                      "PostgreSQL cannot tell the type of %s here: add a cast with the type you "
                      "mean, e.g. %s::text or %s::bigint",
                      bare, written, written);
    free(bare);
    free(written);
}

void paramtypes_result_clear(paramtypes_result *r)
{
    free(r->sql);
    PQclear(r->describe);
    PQclear(r->error);
    memset(r, 0, sizeof *r);
}

/* One statement being typed: its parameter uses and the current edits of its SQL. */
typedef struct typing {
    PGconn *pg;
    const query_src *src;
    param_use *uses;
    size_t nuses;
    edit_list edits;
} typing;

/*
 * Step 1: drop (replace by NULL) every use PostgreSQL cannot type, one
 * answer at a time, until the rest prepares. Returns the description of
 * that statement, whose parameter types are what the other uses gave; NULL
 * after a diagnostic.
 */
static PGresult *learn_types(typing *t, param_use *first, const PGresult *prepare_error,
                             diag_list *dl)
{
    for (size_t round = 0; round <= t->nuses; round++) {
        untyped_edits(t->uses, t->nuses, NULL, &t->edits);
        char *sql = apply_edits(t->src->sql, &t->edits);
        PGresult *r = PQprepare(t->pg, "", sql, 0, NULL);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            PQclear(r);
            free(sql);
            PGresult *d = PQdescribePrepared(t->pg, "");
            if (PQresultStatus(d) == PGRES_COMMAND_OK)
                return d;
            PQclear(d);
            break;
        }
        bool untyped = paramtypes_untyped(r);
        param_use *next = untyped ? use_at_error(t->uses, t->nuses, sql, &t->edits, r) : NULL;
        free(sql);
        if (next && !next->untyped) {
            next->untyped = true;
            PQclear(r);
            continue;
        }
        if (!untyped) {
            /* Without the untyped uses the statement fails otherwise: pgqc cannot tell. */
            report_untypable(t->src, first, first->number, false, prepare_error, dl);
        } else {
            /* A parameter none of whose remaining uses PostgreSQL can type. */
            int number = number_in_message(r);
            param_use *where = next;
            for (size_t i = 0; i < t->nuses; i++)
                if (t->uses[i].untyped && t->uses[i].number == number) {
                    where = &t->uses[i];
                    break;
                }
            report_untypable(t->src, where, number, true, r, dl);
        }
        PQclear(r);
        return NULL;
    }
    report_untypable(t->src, first, first->number, false, prepare_error, dl);
    return NULL;
}

/*
 * Step 2: the type, as SQL, of every parameter with an untyped use
 * (types[number - 1]), from `learned`; false after diagnostics for those
 * with none.
 */
static bool untyped_param_types(typing *t, const catalog *cat, const PGresult *learned,
                                const PGresult *prepare_error, char **types, diag_list *dl)
{
    bool all = true;
    for (size_t i = 0; i < t->nuses; i++) {
        int k = t->uses[i].number;
        if (!t->uses[i].untyped || k < 1 || (size_t)k > t->src->nparams || types[k - 1])
            continue;
        pg_oid oid = k <= PQnparams(learned) ? PQparamtype(learned, k - 1) : 0;
        types[k - 1] = oid && oid != UNKNOWN_OID ? type_as_sql(cat, oid) : NULL;
        if (!types[k - 1]) {
            report_untypable(t->src, &t->uses[i], k, true, prepare_error, dl);
            all = false;
        }
    }
    return all;
}

/* Step 3: prepare and describe the statement with a cast at every untyped use. */
static bool prepare_typed(typing *t, char *const *types, paramtypes_result *out)
{
    untyped_edits(t->uses, t->nuses, types, &t->edits);
    out->sql = apply_edits(t->src->sql, &t->edits);
    PGresult *r = PQprepare(t->pg, "", out->sql, 0, NULL);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
        r = PQdescribePrepared(t->pg, "");
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            out->describe = r;
            return true;
        }
    }
    out->error = r;
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    if (pos)
        out->error_position = position_of_byte(
            t->src->sql,
            original_offset(&t->edits, byte_of_position(out->sql, strtol(pos, NULL, 10))));
    free(out->sql);
    out->sql = NULL;
    return false;
}

bool paramtypes_resolve(PGconn *pg, const catalog *cat, const query_src *src,
                        const PGresult *prepare_error, paramtypes_result *out, diag_list *dl)
{
    memset(out, 0, sizeof *out);
    typing t = {pg, src, xcalloc(src->nspans + 1, sizeof(param_use)), src->nspans, {NULL, 0, 0}};
    for (size_t i = 0; i < t.nuses; i++) {
        const pos_span *s = &src->spans[i];
        t.uses[i] = (param_use){s->out, s->out_len, atoi(src->sql + s->out + 1), false};
    }
    bool ok = false;
    param_use *first = use_at_error(t.uses, t.nuses, src->sql, &t.edits, prepare_error);
    if (!first) {
        /* No position: the parameter was still untyped when parsing ended, so no use types it. */
        report_untypable(src, NULL, number_in_message(prepare_error), true, prepare_error, dl);
    } else {
        first->untyped = true;
        PGresult *learned = learn_types(&t, first, prepare_error, dl);
        char **types = xcalloc(src->nparams + 1, sizeof *types);
        ok = learned && untyped_param_types(&t, cat, learned, prepare_error, types, dl) &&
             prepare_typed(&t, types, out);
        PQclear(learned);
        for (size_t i = 0; i < src->nparams; i++)
            free(types[i]);
        free(types);
    }
    edits_clear(&t.edits);
    free(t.uses);
    return ok;
}
