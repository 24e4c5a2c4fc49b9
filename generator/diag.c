/*
 * diag.c — collecting and printing compiler-style diagnostics (see diag.h).
 *
 * The printed form follows gcc/clang so editors and CI annotators pick it up:
 *
 *   queries/users.sql:12:17: error: column "emial" does not exist
 *      12 | SELECT id, emial FROM users WHERE id = :id;
 *         |            ^~~~~
 *         = hint: did you mean "email"?
 */
#include "diag.h"
#include "redact.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

void text_line_col(const char *text, size_t offset, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            bol = i + 1;
        }
    }
    *line = l;
    *col = (int)utf8_chars(text + bol, offset - bol) + 1;
}

static diag *diag_new(diag_list *dl, diag_severity sev)
{
    ALLOC_GROW(dl->items, dl->nr + 1, dl->alloc);
    diag *d = &dl->items[dl->nr++];
    memset(d, 0, sizeof(*d));
    d->severity = sev;
    if (sev == DIAG_ERROR)
        dl->errors++;
    else if (sev == DIAG_WARNING)
        dl->warnings++;
    return d;
}

diag *diag_at(diag_list *dl, diag_severity sev, const char *file, const char *text, size_t offset,
              size_t span_bytes, const char *fmt, ...)
{
    diag *d = diag_new(dl, sev);
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    d->message = strbuf_detach(&sb, NULL);
    d->file = file ? xstrdup(file) : NULL;
    if (text) {
        size_t tlen = strlen(text);
        if (offset > tlen)
            offset = tlen;
        text_line_col(text, offset, &d->line, &d->col);
        size_t bol = offset, eol = offset;
        while (bol > 0 && text[bol - 1] != '\n')
            bol--;
        while (text[eol] && text[eol] != '\n')
            eol++;
        size_t srclen = eol - bol;
        if (srclen && text[bol + srclen - 1] == '\r')
            srclen--;
        d->source = xstrndup(text + bol, srclen);
        size_t end = offset + span_bytes;
        if (end > bol + srclen)
            end = bol + srclen;
        size_t chars = end > offset ? utf8_chars(text + offset, end - offset) : 0;
        d->span = chars ? (int)chars : 1;
    }
    return d;
}

diag *diag_plain(diag_list *dl, diag_severity sev, const char *file, const char *fmt, ...)
{
    diag *d = diag_new(dl, sev);
    strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    d->message = strbuf_detach(&sb, NULL);
    d->file = file ? xstrdup(file) : NULL;
    return d;
}

/* Replace *field with the formatted text. */
static void set_text(char **field, const char *fmt, va_list ap)
{
    strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    free(*field);
    *field = strbuf_detach(&sb, NULL);
}

void diag_set_hint(diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(&d->hint, fmt, ap);
    va_end(ap);
}

void diag_set_detail(diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_text(&d->detail, fmt, ap);
    va_end(ap);
}

static const char *sev_name(diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    default:
        return "note";
    }
}

static const char *sev_color(diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return "\033[1;31m";
    case DIAG_WARNING:
        return "\033[1;35m";
    default:
        return "\033[1;36m";
    }
}

/*
 * Every string of a diagnostic may come from the database (server
 * messages, names) or from a URL: each goes through redact_printable(), so
 * a password is never printed and a terminal escape never reaches the
 * terminal.
 */
void diag_print(const diag *d, FILE *out, bool color)
{
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    if (d->file) {
        fputs(bold, out);
        redact_fputs(d->file, out);
        if (d->line > 0)
            fprintf(out, ":%d:%d", d->line, d->col);
        fprintf(out, ":%s ", reset);
    } else {
        fputs("pgqc: ", out);
    }
    fprintf(out, "%s%s:%s ", color ? sev_color(d->severity) : "", sev_name(d->severity), reset);
    redact_fputs(d->message, out);
    fputc('\n', out);
    char *detail = d->detail ? redact_printable(d->detail) : NULL;
    char *hint = d->hint ? redact_printable(d->hint) : NULL;
    if (d->source && d->line > 0) {
        char num[16];
        int w = snprintf(num, sizeof num, "%d", d->line);
        if (w < 4)
            w = 4;
        fprintf(out, " %*d | ", w, d->line);
        /* Tabs become single spaces so the caret lines up; other control
         * characters are shown as '?' for the same reason. */
        for (const unsigned char *p = (const unsigned char *)d->source; *p; p++) {
            if (*p == '\t')
                fputc(' ', out);
            else if (*p < 0x20 || *p == 0x7f)
                fputc('?', out);
            else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f && ++p)
                fputc('?', out); /* a C1 control: one character, like the caret counts it */
            else
                fputc(*p, out);
        }
        fprintf(out, "\n %*s | %*s%s^", w, "", d->col - 1, "", color ? sev_color(d->severity) : "");
        for (int i = 1; i < d->span; i++)
            fputc('~', out);
        fprintf(out, "%s\n", reset);
        if (detail)
            fprintf(out, " %*s = detail: %s\n", w, "", detail);
        if (hint)
            fprintf(out, " %*s = hint: %s\n", w, "", hint);
    } else {
        if (detail)
            fprintf(out, "  = detail: %s\n", detail);
        if (hint)
            fprintf(out, "  = hint: %s\n", hint);
    }
    free(detail);
    free(hint);
}

void diag_list_print(const diag_list *dl, FILE *out, bool color)
{
    for (size_t i = 0; i < dl->nr; i++)
        diag_print(&dl->items[i], out, color);
}

void diag_list_free(diag_list *dl)
{
    for (size_t i = 0; i < dl->nr; i++) {
        diag *d = &dl->items[i];
        free(d->file);
        free(d->source);
        free(d->message);
        free(d->detail);
        free(d->hint);
    }
    free(dl->items);
    memset(dl, 0, sizeof(*dl));
}

size_t edit_distance(const char *a, const char *b)
{
    /* Optimal string alignment: Levenshtein plus adjacent transpositions
     * ("lenght" is one edit from "length"). */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}
