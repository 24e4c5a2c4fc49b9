/*
 * querysrc.c — splitting query files into annotated queries and rewriting
 * their parameters (see querysrc.h). Tokens come from libpg_query's
 * scanner; nothing here pattern-matches SQL text except the annotation
 * comment itself.
 */
#include "querysrc.h"
#include "arena.h"
#include "strbuf.h"
#include "utf8.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

static const struct {
    const char *name;
    query_cmd cmd;
} commands[] = {
    {"one", CMD_ONE},   {"many", CMD_MANY},         {"iter", CMD_ITER},
    {"exec", CMD_EXEC}, {"execrows", CMD_EXECROWS},
};

/* sqlc commands pgqc does not offer, with what to use instead. */
static const struct {
    const char *name;
    const char *instead;
} foreign_commands[] = {
    {"execresult", "use :execrows for the affected row count"},
    {"execlastid", "use :one with RETURNING id"},
    {"copyfrom", "COPY is not supported; use :exec in a loop inside a transaction"},
    {"batchexec", "batches are not supported; use :exec"},
    {"batchmany", "batches are not supported; use :many"},
    {"batchone", "batches are not supported; use :one"},
};

const char *query_cmd_name(query_cmd c)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].cmd == c)
            return commands[i].name;
    return "?";
}

bool query_cmd_parse(const char *name, query_cmd *out)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) {
            *out = commands[i].cmd;
            return true;
        }
    return false;
}

bool query_cmd_returns_rows(query_cmd c)
{
    return c == CMD_ONE || c == CMD_MANY || c == CMD_ITER;
}

static bool is_ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static bool is_ident_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Tokens that can be a parameter name after ':' or '@': identifiers and keywords. */
static bool is_name_token(const PgQuery__ScanToken *t, const char *text)
{
    if (t->token == PG_QUERY__TOKEN__IDENT)
        return is_ident_start((unsigned char)text[t->start]);
    return t->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD;
}

static bool is_comment(const PgQuery__ScanToken *t)
{
    return t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT;
}

static bool is_op(const PgQuery__ScanToken *t, const char *text, const char *op)
{
    size_t n = strlen(op);
    return t->token == PG_QUERY__TOKEN__Op && (size_t)(t->end - t->start) == n &&
           memcmp(text + t->start, op, n) == 0;
}

/* ---- annotations --------------------------------------------------------- */

typedef enum { ANNOT_NONE, ANNOT_OK, ANNOT_BAD } annot_kind;

/*
 * Is comment `c` (text of an SQL `--` comment) an annotation? On ANNOT_OK,
 * name/command spans are returned; on ANNOT_BAD a diagnostic is added.
 */
static annot_kind parse_annotation(const char *path, const char *text, size_t off, size_t len,
                                   char **name, query_cmd *cmd, diag_list *dl)
{
    const char *c = text + off, *end = c + len;
    const char *p = c + 2;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 5 || memcmp(p, "name:", 5) != 0)
        return ANNOT_NONE;
    p += 5;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *n0 = p;
    while (p < end && !isspace((unsigned char)*p))
        p++;
    const char *n1 = p;
    if (n0 == n1) {
        diag *d = diag_at(dl, DIAG_ERROR, path, text, off, len,
                          "malformed annotation: missing query name");
        diag_set_hint(d, "write it as `-- name: query_name :one`");
        return ANNOT_BAD;
    }
    bool valid = is_ident_start((unsigned char)*n0);
    for (const char *q = n0; q < n1; q++)
        valid = valid && is_ident_char((unsigned char)*q);
    if (!valid) {
        diag *d = diag_at(dl, DIAG_ERROR, path, text, (size_t)(n0 - text), (size_t)(n1 - n0),
                          "invalid query name \"%.*s\"", (int)(n1 - n0), n0);
        diag_set_hint(d, "a query name becomes part of a C identifier: use letters, digits "
                         "and '_', starting with a letter");
        return ANNOT_BAD;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || *p != ':') {
        diag *d = diag_at(dl, DIAG_ERROR, path, text, (size_t)(p - text), p < end ? 1 : 0,
                          "malformed annotation: missing command after query name \"%.*s\"",
                          (int)(n1 - n0), n0);
        diag_set_hint(d, "add one of :one, :many, :iter, :exec, :execrows");
        return ANNOT_BAD;
    }
    const char *c0 = ++p;
    while (p < end && !isspace((unsigned char)*p))
        p++;
    const char *c1 = p;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end) {
        diag_at(dl, DIAG_ERROR, path, text, (size_t)(p - text), (size_t)(end - p),
                "malformed annotation: unexpected text after the command");
        return ANNOT_BAD;
    }
    size_t cl = (size_t)(c1 - c0);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strlen(commands[i].name) == cl && memcmp(commands[i].name, c0, cl) == 0) {
            *name = xstrndup(n0, (size_t)(n1 - n0));
            *cmd = commands[i].cmd;
            return ANNOT_OK;
        }
    }
    char *word = xstrndup(c0, cl);
    diag *d = diag_at(dl, DIAG_ERROR, path, text, (size_t)(c0 - 1 - text), cl + 1,
                      "unknown query command \":%s\"", word);
    for (size_t i = 0; i < sizeof foreign_commands / sizeof foreign_commands[0]; i++)
        if (strcmp(foreign_commands[i].name, word) == 0)
            diag_set_hint(d, "pgqc has no :%s; %s", word, foreign_commands[i].instead);
    if (!d->hint) {
        const char *best = NULL;
        size_t bestd = (size_t)-1;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
            size_t dist = edit_distance(word, commands[i].name);
            if (dist < bestd) {
                bestd = dist;
                best = commands[i].name;
            }
        }
        if (best && bestd <= 3)
            diag_set_hint(d,
                          "did you mean \":%s\"? (commands: :one, :many, :iter, :exec, "
                          ":execrows)",
                          best);
        else
            diag_set_hint(d, "commands are :one, :many, :iter, :exec and :execrows");
    }
    free(word);
    return ANNOT_BAD;
}

/* Text of an SQL comment without the leading "--" and one space. */
static char *doc_line(const char *text, const PgQuery__ScanToken *t)
{
    const char *p = text + t->start + 2, *e = text + t->end;
    if (p < e && *p == ' ')
        p++;
    while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return xstrndup(p, (size_t)(e - p));
}

/* ---- parameters ----------------------------------------------------------- */

/*
 * Parameter names seen so far in one statement, by name: an open-addressing
 * table of indexes into q->params (a statement may have tens of thousands
 * of parameters, so a linear search per occurrence would be quadratic).
 */
typedef struct param_index {
    size_t *slots; /* index + 1; 0 is empty */
    size_t cap;    /* a power of two, at least twice the number of entries */
} param_index;

static size_t name_hash(const char *s)
{
    size_t h = 14695981039346656037ULL & (size_t)-1;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (1099511628211ULL & (size_t)-1);
    return h;
}

static query_param *find_param(const query_src *q, const param_index *ix, const char *name)
{
    if (!ix->cap)
        return NULL;
    for (size_t h = name_hash(name) & (ix->cap - 1);; h = (h + 1) & (ix->cap - 1)) {
        size_t slot = ix->slots[h];
        if (!slot)
            return NULL;
        if (strcmp(q->params[slot - 1].name, name) == 0)
            return &q->params[slot - 1];
    }
}

static void param_index_put(param_index *ix, const query_src *q, size_t i)
{
    if (2 * (i + 1) > ix->cap) {
        param_index grown = {NULL, ix->cap ? ix->cap * 2 : 16};
        grown.slots = xcalloc(grown.cap, sizeof *grown.slots);
        for (size_t k = 0; k < i; k++)
            param_index_put(&grown, q, k);
        free(ix->slots);
        *ix = grown;
    }
    size_t h = name_hash(q->params[i].name) & (ix->cap - 1);
    while (ix->slots[h])
        h = (h + 1) & (ix->cap - 1);
    ix->slots[h] = i + 1;
}

static void add_span(query_src *q, size_t out, size_t out_len, size_t in, size_t in_len)
{
    ALLOC_GROW(q->spans, q->nspans + 1, q->spans_alloc);
    q->spans[q->nspans++] = (pos_span){out, out_len, in, in_len};
}

static int cmp_param_number(const void *a, const void *b)
{
    const query_param *x = a, *y = b;
    return x->number - y->number;
}

/*
 * Build q->sql from file bytes [from, to) over `tokens`, replacing named
 * parameters with $n. Returns false after adding diagnostics.
 */
static bool rewrite_params(query_src *q, PgQuery__ScanToken **tok, size_t ntok, diag_list *dl)
{
    const char *text = q->text;
    strbuf sql = STRBUF_INIT;
    size_t copied = q->sql_offset, stop = q->sql_offset + q->sql_len;
    int depth = 0;
    bool named = false, positional = false, ok = true;
    size_t first_positional = 0, first_named = 0;
    param_index ix = {NULL, 0};

    for (size_t i = 0; i < ntok; i++) {
        const PgQuery__ScanToken *t = tok[i];
        if ((size_t)t->start >= stop)
            break;
        if (t->token == PG_QUERY__TOKEN__ASCII_91)
            depth++;
        else if (t->token == PG_QUERY__TOKEN__ASCII_93 && depth > 0)
            depth--;

        size_t pstart = (size_t)t->start, pend;
        char *name = NULL;
        int number = 0;
        if (t->token == PG_QUERY__TOKEN__PARAM) {
            pend = (size_t)t->end;
            long v = strtol(text + t->start + 1, NULL, 10); /* saturates at LONG_MAX */
            if (v < 1 || v > QUERY_MAX_PARAMS) {
                diag *d = v < 1 ? diag_at(dl, DIAG_ERROR, q->file, text, pstart, pend - pstart,
                                          "there is no parameter %.*s", (int)(pend - pstart),
                                          text + pstart)
                                : diag_at(dl, DIAG_ERROR, q->file, text, pstart, pend - pstart,
                                          "parameter number %.*s is out of range: a statement "
                                          "can have at most %d parameters",
                                          (int)(pend - pstart), text + pstart, QUERY_MAX_PARAMS);
                diag_set_hint(d, "number positional parameters from $1");
                ok = false;
                break;
            }
            number = (int)v;
            name = xstrfmt("p%d", number);
            if (!positional)
                first_positional = pstart;
            positional = true;
        } else if (depth == 0 && i + 1 < ntok && tok[i + 1]->start == t->end &&
                   is_name_token(tok[i + 1], text) &&
                   (t->token == PG_QUERY__TOKEN__ASCII_58 || is_op(t, text, "@"))) {
            const PgQuery__ScanToken *n = tok[++i];
            name = xstrndup(text + n->start, (size_t)(n->end - n->start));
            pend = (size_t)n->end;
            if (!named)
                first_named = pstart;
            named = true;
        } else {
            continue;
        }
        null_override ov = NULL_INFER;
        if (i + 1 < ntok && tok[i + 1]->start == (int)pend &&
            (is_op(tok[i + 1], text, "?") || is_op(tok[i + 1], text, "!"))) {
            ov = text[pend] == '?' ? NULL_FORCE_NULLABLE : NULL_FORCE_NOT_NULL;
            pend = (size_t)tok[++i]->end;
        }
        query_param *p = find_param(q, &ix, name);
        if (!p && q->nparams == QUERY_MAX_PARAMS) {
            diag *d = diag_at(dl, DIAG_ERROR, q->file, text, pstart, pend - pstart,
                              "query \"%s\" has more than %d parameters, the most PostgreSQL "
                              "allows in one statement",
                              q->name, QUERY_MAX_PARAMS);
            diag_set_hint(d, "pass many values as one array parameter (`= ANY(:ids)`, "
                             "`unnest(:a, :b)`), or split the statement");
            free(name);
            ok = false;
            break;
        }
        if (!p) {
            ALLOC_GROW(q->params, q->nparams + 1, q->params_alloc);
            p = &q->params[q->nparams++];
            p->name = name;
            p->number = number ? number : (int)q->nparams;
            p->override = ov;
            p->offset = pstart;
            p->length = pend - pstart;
            param_index_put(&ix, q, q->nparams - 1);
        } else {
            free(name);
            if (ov != NULL_INFER) {
                if (p->override != NULL_INFER && p->override != ov) {
                    diag_at(dl, DIAG_ERROR, q->file, text, pstart, pend - pstart,
                            "parameter \"%s\" is marked both nullable (?) and not null (!)",
                            p->name);
                    ok = false;
                }
                p->override = ov;
            }
        }
        strbuf_add(&sql, text + copied, pstart - copied);
        size_t out = sql.len;
        strbuf_addf(&sql, "$%d", p->number);
        add_span(q, out, sql.len - out, pstart, pend - pstart);
        copied = pend;
    }
    free(ix.slots);
    strbuf_add(&sql, text + copied, stop - copied);
    q->sql = strbuf_detach(&sql, NULL);

    if (named && positional) {
        size_t at = first_named > first_positional ? first_named : first_positional;
        diag *d =
            diag_at(dl, DIAG_ERROR, q->file, text, at, 1,
                    "query \"%s\" mixes named (:name) and positional ($n) parameters", q->name);
        diag_set_hint(d, "use one style per query");
        ok = false;
    }
    if (positional) {
        if (q->nparams)
            qsort(q->params, q->nparams, sizeof *q->params, cmp_param_number);
        for (size_t i = 0; i < q->nparams; i++) {
            if (q->params[i].number != (int)i + 1) {
                diag_at(dl, DIAG_ERROR, q->file, text, q->params[i].offset, q->params[i].length,
                        "parameter $%d is used but $%zu is not: positional parameters must be "
                        "numbered from $1 without gaps",
                        q->params[i].number, i + 1);
                ok = false;
                break;
            }
        }
    }
    return ok;
}

/* ---- splitting the file --------------------------------------------------- */

/* Index the start of every line once, so line numbers cost a binary search. */
static void index_lines(query_file *f)
{
    size_t alloc = 0;
    ALLOC_GROW(f->line_starts, 1, alloc);
    f->line_starts[f->nlines++] = 0;
    for (size_t i = 0; f->text[i]; i++)
        if (f->text[i] == '\n') {
            ALLOC_GROW(f->line_starts, f->nlines + 1, alloc);
            f->line_starts[f->nlines++] = i + 1;
        }
}

int query_file_line(const query_file *f, size_t offset)
{
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return (int)lo + 1;
}

static void query_src_free(query_src *q)
{
    free(q->name);
    free(q->doc);
    free(q->sql);
    free(q->spans);
    for (size_t i = 0; i < q->nparams; i++)
        free(q->params[i].name);
    free(q->params);
}

/*
 * Finish one annotated block: tokens [b, e) follow the annotation. Collects
 * the doc comment, checks there is exactly one statement, and rewrites it.
 */
static bool finish_block(query_file *f, query_src *q, PgQuery__ScanToken **tok, size_t b, size_t e,
                         diag_list *dl)
{
    const char *text = f->text;
    strbuf doc = STRBUF_INIT;
    size_t i = b;
    int prev_line = q->line;
    /* Doc comment: `--` comments on the lines right after the annotation. */
    while (i < e && tok[i]->token == PG_QUERY__TOKEN__SQL_COMMENT) {
        int line = query_file_line(f, (size_t)tok[i]->start);
        if (line != prev_line + 1)
            break;
        char *l = doc_line(text, tok[i]);
        if (doc.len)
            strbuf_addch(&doc, '\n');
        strbuf_addstr(&doc, l);
        free(l);
        prev_line = line;
        i++;
    }
    q->doc = strbuf_detach(&doc, NULL);
    while (i < e && is_comment(tok[i]))
        i++;
    if (i == e) {
        diag *d = diag_at(dl, DIAG_ERROR, q->file, text, q->annot_offset, 0,
                          "query \"%s\" has no statement after its annotation", q->name);
        diag_set_hint(d, "write the SQL statement on the lines after `-- name:`");
        return false;
    }
    size_t first = i, last = i;
    bool ok = true;
    for (; i < e; i++) {
        if (is_comment(tok[i]))
            continue;
        if (tok[i]->token == PG_QUERY__TOKEN__ASCII_59) {
            /* A ';' ends the statement; anything but comments and ';' after it is a second one. */
            size_t j = i + 1;
            while (j < e && (is_comment(tok[j]) || tok[j]->token == PG_QUERY__TOKEN__ASCII_59))
                j++;
            if (j < e) {
                diag *d =
                    diag_at(dl, DIAG_ERROR, q->file, text, (size_t)tok[j]->start,
                            (size_t)(tok[j]->end - tok[j]->start),
                            "a second statement under the annotation of query \"%s\"", q->name);
                diag_set_hint(d, "give each statement its own `-- name: NAME :COMMAND` line");
                ok = false;
            }
            break;
        }
        last = i;
    }
    q->sql_offset = (size_t)tok[first]->start;
    q->sql_len = (size_t)tok[last]->end - q->sql_offset;
    if (!rewrite_params(q, tok + first, last + 1 - first, dl)) {
        /* Its parameters are wrong: what would be sent is not what was written. */
        free(q->sql);
        q->sql = NULL;
        ok = false;
    }
    return ok;
}

/* ---- scanning ---------------------------------------------------------------- */

/*
 * The scan is libpg_query's, returned as protobuf; packing and unpacking
 * the tokens of a large file costs more than lexing it. A large file is
 * therefore scanned in pieces on several cores: cut at lines that start
 * with a comment, each piece scanned on its own, and the pieces kept only
 * if every one but the last ends with ';' (plus comments). The lexer is
 * then back in its initial state at each cut, so the tokens are exactly
 * those of one scan of the whole text; anything else (a cut inside a
 * string or comment, a statement without ';', a lexer error) falls back to
 * one scan of the whole text, which also gives the error its position.
 */
enum { SCAN_PIECE_MIN = 64 * 1024, SCAN_MAX_PIECES = 8 };

typedef struct scan_piece {
    const char *text; /* the piece, NUL-terminated */
    char *copy;       /* `text` when it is a copy (one of several pieces), else NULL */
    size_t offset;    /* where it starts in the whole text */
    PgQuery__ScanResult *scan;
    char *error;      /* lexer error, or NULL */
    size_t error_pos; /* its offset in the piece */
    arena mem;        /* the unpacked tokens */
} scan_piece;

typedef struct token_list {
    PgQuery__ScanToken **tok; /* every token, offsets into the whole text */
    size_t ntok;
    scan_piece *pieces;
    size_t npieces;
} token_list;

static void *scan_piece_run(void *arg)
{
    scan_piece *p = arg;
    PgQueryScanResult sr = pg_query_scan(p->text);
    if (sr.error) {
        p->error = xstrdup(sr.error->message);
        p->error_pos = sr.error->cursorpos > 0 ? (size_t)sr.error->cursorpos - 1 : 0;
    } else {
        /* Into an arena: one block allocation, not one malloc per token. */
        ProtobufCAllocator al = arena_protobuf(&p->mem);
        p->scan = pg_query__scan_result__unpack(&al, sr.pbuf.len, (const uint8_t *)sr.pbuf.data);
    }
    pg_query_free_scan_result(sr);
    return NULL;
}

static void token_list_free(token_list *tl)
{
    for (size_t i = 0; i < tl->npieces; i++) {
        arena_free(&tl->pieces[i].mem);
        free(tl->pieces[i].error);
        free(tl->pieces[i].copy);
    }
    free(tl->pieces);
    free(tl->tok);
    memset(tl, 0, sizeof *tl);
}

/* Where to cut `text` into about `k` pieces: starts of lines beginning with "--". */
static size_t choose_cuts(const char *text, size_t len, size_t k, size_t *cuts)
{
    size_t n = 0, last = 0;
    for (size_t j = 1; j < k; j++) {
        const char *c = strstr(text + (len * j / k > last ? len * j / k : last), "\n--");
        if (!c)
            break;
        last = (size_t)(c - text) + 1;
        if (n == 0 || cuts[n - 1] != last)
            cuts[n++] = last;
    }
    return n;
}

/* Does piece `p` end with ';' followed by nothing but comments? */
static bool ends_statement(const scan_piece *p)
{
    for (size_t i = p->scan->n_tokens; i-- > 0;) {
        if (!is_comment(p->scan->tokens[i]))
            return p->scan->tokens[i]->token == PG_QUERY__TOKEN__ASCII_59;
    }
    return false;
}

static bool scan_pieces_ok(const token_list *tl)
{
    for (size_t i = 0; i < tl->npieces; i++) {
        const scan_piece *p = &tl->pieces[i];
        if (p->error || !p->scan || (i + 1 < tl->npieces && !ends_statement(p)))
            return false;
    }
    return true;
}

static void scan_in_pieces(const char *text, const size_t *cuts, size_t ncuts, token_list *tl)
{
    tl->npieces = ncuts + 1;
    tl->pieces = xcalloc(tl->npieces, sizeof *tl->pieces);
    pthread_t th[SCAN_MAX_PIECES];
    bool started[SCAN_MAX_PIECES] = {false};
    for (size_t i = 0; i < tl->npieces; i++) {
        scan_piece *p = &tl->pieces[i];
        p->offset = i ? cuts[i - 1] : 0;
        size_t end = i < ncuts ? cuts[i] : strlen(text);
        p->text = p->copy = xstrndup(text + p->offset, end - p->offset);
        if (i > 0)
            started[i] = pthread_create(&th[i], NULL, scan_piece_run, p) == 0;
    }
    scan_piece_run(&tl->pieces[0]);
    for (size_t i = 1; i < tl->npieces; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            scan_piece_run(&tl->pieces[i]);
    }
}

/*
 * Scan `text` into `tl`. False on a lexer error (*error, *error_pos set, to
 * be freed by the caller) or undecodable output (*error NULL).
 */
static bool scan_text(const char *text, token_list *tl, char **error, size_t *error_pos)
{
    memset(tl, 0, sizeof *tl);
    size_t len = strlen(text);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t k = len / SCAN_PIECE_MIN;
    if (cpus > 0 && k > (size_t)cpus)
        k = (size_t)cpus;
    if (k > SCAN_MAX_PIECES)
        k = SCAN_MAX_PIECES;
    size_t cuts[SCAN_MAX_PIECES];
    size_t ncuts = k > 1 ? choose_cuts(text, len, k, cuts) : 0;
    if (ncuts) {
        scan_in_pieces(text, cuts, ncuts, tl);
        if (!scan_pieces_ok(tl))
            token_list_free(tl);
    }
    if (!tl->npieces) {
        tl->npieces = 1;
        tl->pieces = xcalloc(1, sizeof *tl->pieces);
        tl->pieces[0].text = text;
        scan_piece_run(&tl->pieces[0]);
        if (tl->pieces[0].error || !tl->pieces[0].scan) {
            *error = tl->pieces[0].error;
            *error_pos = tl->pieces[0].error_pos;
            tl->pieces[0].error = NULL;
            token_list_free(tl);
            return false;
        }
    }
    for (size_t i = 0; i < tl->npieces; i++)
        tl->ntok += tl->pieces[i].scan->n_tokens;
    tl->tok = xcalloc(tl->ntok + 1, sizeof *tl->tok);
    size_t n = 0;
    for (size_t i = 0; i < tl->npieces; i++) {
        const scan_piece *p = &tl->pieces[i];
        for (size_t t = 0; t < p->scan->n_tokens; t++) {
            PgQuery__ScanToken *tok = p->scan->tokens[t];
            tok->start += (int32_t)p->offset;
            tok->end += (int32_t)p->offset;
            tl->tok[n++] = tok;
        }
    }
    return true;
}

static bool parse_text(const char *path, const char *text, query_file **out, diag_list *dl);

/* ---- encoding ------------------------------------------------------------------ */

/*
 * Report the byte at `off` of `text` (`len` bytes): a NUL, or the start of
 * something that is not UTF-8. The source line shown has every byte that
 * is not UTF-8 replaced by '?', so the diagnostic itself stays valid text.
 */
static void report_bad_byte(const char *path, const char *text, size_t off, diag_list *dl)
{
    unsigned char b = (unsigned char)text[off];
    diag *d = b ? diag_at(dl, DIAG_ERROR, path, text, off, 1,
                          "invalid UTF-8: byte sequence starting with 0x%02X", b)
                : diag_at(dl, DIAG_ERROR, path, text, off, 0, "NUL byte in query file");
    diag_set_hint(d, b ? "query files must be UTF-8 text; convert the file (e.g. with iconv)"
                       : "query files must be text; remove the NUL byte");
    if (d->source)
        utf8_replace_invalid(d->source, '?');
}

bool query_file_parse_bytes(const char *path, const char *text, size_t len, query_file **out,
                            diag_list *dl)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t bad = utf8_first_invalid(text, len);
    if (bad < len) {
        /* No queries from this file: its text is not what PostgreSQL would read. */
        query_file *f = xcalloc(1, sizeof *f);
        f->path = xstrdup(path);
        f->text = xstrndup(text, len); /* stops at a NUL, which is then the end */
        index_lines(f);
        *out = f;
        report_bad_byte(path, text, bad, dl);
        return false;
    }
    return parse_text(path, text, out, dl);
}

bool query_file_parse(const char *path, const char *text, query_file **out, diag_list *dl)
{
    return query_file_parse_bytes(path, text, strlen(text), out, dl);
}

/* Split text known to be UTF-8 (see query_file_parse). */
static bool parse_text(const char *path, const char *text, query_file **out, diag_list *dl)
{
    query_file *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->text = xstrdup(text);
    index_lines(f);
    *out = f;
    size_t errors_before = dl->errors;

    token_list tl;
    char *scan_error = NULL;
    size_t error_pos = 0;
    if (!scan_text(f->text, &tl, &scan_error, &error_pos)) {
        if (scan_error)
            diag_at(dl, DIAG_ERROR, path, f->text, error_pos, 1, "%s", scan_error);
        else
            diag_plain(dl, DIAG_ERROR, path, "internal error: cannot decode scanner output");
        free(scan_error);
        return false;
    }
    PgQuery__ScanToken **tok = tl.tok;
    size_t ntok = tl.ntok;

    size_t block_start = 0;
    query_src *cur = NULL;
    bool any_annotation = false;
    for (size_t i = 0; i <= ntok; i++) {
        annot_kind k = ANNOT_NONE;
        char *name = NULL;
        query_cmd cmd = CMD_EXEC;
        if (i < ntok && tok[i]->token == PG_QUERY__TOKEN__SQL_COMMENT)
            k = parse_annotation(path, f->text, (size_t)tok[i]->start,
                                 (size_t)(tok[i]->end - tok[i]->start), &name, &cmd, dl);
        if (i < ntok && k == ANNOT_NONE) {
            if (!cur && !any_annotation && !is_comment(tok[i])) {
                diag *d = diag_at(dl, DIAG_ERROR, path, f->text, (size_t)tok[i]->start,
                                  (size_t)(tok[i]->end - tok[i]->start),
                                  "statement has no `-- name:` annotation");
                diag_set_hint(d, "put `-- name: query_name :one` (or :many, :iter, :exec, "
                                 ":execrows) on the line before it");
                any_annotation = true; /* report once, then skip to the next annotation */
            }
            continue;
        }
        /* An annotation (good or bad) or the end of input closes the current block. */
        if (cur) {
            finish_block(f, cur, tok, block_start, i, dl);
            cur = NULL;
        }
        if (i == ntok)
            break;
        any_annotation = true;
        block_start = i + 1;
        if (k == ANNOT_OK) {
            ALLOC_GROW(f->queries, f->nqueries + 1, f->alloc);
            cur = &f->queries[f->nqueries++];
            memset(cur, 0, sizeof *cur);
            cur->name = name;
            cur->cmd = cmd;
            cur->file = f->path;
            cur->text = f->text;
            cur->annot_offset = (size_t)tok[i]->start;
            cur->line = query_file_line(f, cur->annot_offset);
        }
    }
    if (f->nqueries == 0 && dl->errors == errors_before)
        diag_plain(dl, DIAG_WARNING, path, "no queries in file (no `-- name:` annotations)");
    token_list_free(&tl);
    return dl->errors == errors_before;
}

void query_file_free(query_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nqueries; i++)
        query_src_free(&f->queries[i]);
    free(f->queries);
    free(f->line_starts);
    free(f->path);
    free(f->text);
    free(f);
}

size_t query_map_offset(const query_src *q, size_t off)
{
    size_t delta_out = 0, delta_in = 0; /* ends of the last span before `off` */
    for (size_t i = 0; i < q->nspans; i++) {
        const pos_span *s = &q->spans[i];
        if (off < s->out)
            break;
        if (off < s->out + s->out_len)
            return s->in;
        delta_out = s->out + s->out_len;
        delta_in = s->in + s->in_len;
    }
    if (q->nspans == 0 || delta_out == 0)
        return q->sql_offset + off;
    return delta_in + (off - delta_out);
}

size_t query_map_pg_position(const query_src *q, long position)
{
    size_t off = 0;
    long chars = 0;
    for (const char *p = q->sql; *p; p++, off++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (++chars >= position)
            break;
    }
    return query_map_offset(q, off);
}
