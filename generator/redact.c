/*
 * redact.c — passwords and terminal escapes out of printed text (see redact.h).
 *
 * The secrets of a connection string are found by two scans that do not
 * need the string to be valid:
 *   - every `scheme://` starts a URL: its userinfo runs from there to the
 *     last `@` of the URL (so `user@corp:pw@host` and a password holding
 *     `/`, `?` or `@` are covered), and whatever follows the first `:` in
 *     it is a password; query parameters whose percent-decoded key ends in
 *     "password" are passwords too;
 *   - key=value pairs, read as libpq reads them (quotes, backslashes): the
 *     value of every key ending in "password" (password, sslpassword).
 * A URL that is the whole string runs to its end; one inside a key=value
 * string (`dbname=postgresql://...`) runs to the next blank or quote.
 */
#include "redact.h"
#include "strbuf.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct span {
    size_t start, end;
} span;

typedef struct scan {
    const char *s;
    span *spans;
    size_t nspans, spans_alloc;
    char **secrets;
    size_t nsecrets, secrets_alloc;
} scan;

static void add_secret_text(scan *sc, char *text)
{
    if (!*text) {
        free(text);
        return;
    }
    for (size_t i = 0; i < sc->nsecrets; i++)
        if (strcmp(sc->secrets[i], text) == 0) {
            free(text);
            return;
        }
    ALLOC_GROW(sc->secrets, sc->nsecrets + 1, sc->secrets_alloc);
    sc->secrets[sc->nsecrets++] = text;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n); invalid escapes are kept as they are. */
static char *percent_decode(const char *s, size_t n)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            strbuf_addch(&sb, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            strbuf_addch(&sb, s[i]);
        }
    }
    return strbuf_detach(&sb, NULL);
}

/* Backslash-unescape s[0..n) as libpq reads a key=value value. */
static char *unescape(const char *s, size_t n)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        strbuf_addch(&sb, s[i]);
    }
    return strbuf_detach(&sb, NULL);
}

/* s[start..end) is a secret: remember its place and its raw and decoded forms. */
static void add_secret(scan *sc, size_t start, size_t end)
{
    if (end <= start)
        return;
    ALLOC_GROW(sc->spans, sc->nspans + 1, sc->spans_alloc);
    sc->spans[sc->nspans++] = (span){start, end};
    add_secret_text(sc, xstrndup(sc->s + start, end - start));
    add_secret_text(sc, percent_decode(sc->s + start, end - start));
    add_secret_text(sc, unescape(sc->s + start, end - start));
}

static bool key_is_password(const char *key, size_t n)
{
    char *k = percent_decode(key, n);
    size_t l = strlen(k);
    bool yes = l >= 8 && strcasecmp(k + l - 8, "password") == 0;
    free(k);
    return yes;
}

static bool is_scheme_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

/* Every `scheme://` in the string. */
static void scan_urls(scan *sc)
{
    const char *s = sc->s;
    size_t len = strlen(s);
    for (const char *p = strstr(s, "://"); p; p = strstr(p + 3, "://")) {
        const char *q = p;
        while (q > s && is_scheme_char(q[-1]))
            q--;
        const char *lead = s;
        while (*lead && isspace((unsigned char)*lead))
            lead++;
        size_t start = (size_t)(p + 3 - s), end = start;
        if (q == lead && q != p) {
            end = len; /* the whole string is this URL */
        } else {
            while (end < len && !isspace((unsigned char)s[end]) && s[end] != '\'' && s[end] != '"')
                end++;
        }
        size_t at = end;
        for (size_t i = start; i < end; i++)
            if (s[i] == '@')
                at = i;
        size_t query = start;
        if (at < end) {
            for (size_t i = start; i < at; i++)
                if (s[i] == ':') {
                    add_secret(sc, i + 1, at);
                    break;
                }
            query = at;
        }
        while (query < end && s[query] != '?')
            query++;
        for (size_t i = query; i < end;) {
            size_t k = i + 1, eq = k;
            while (eq < end && s[eq] != '=' && s[eq] != '&')
                eq++;
            size_t v = eq < end && s[eq] == '=' ? eq + 1 : eq, ve = v;
            while (ve < end && s[ve] != '&' && s[ve] != '#')
                ve++;
            if (key_is_password(s + k, eq - k))
                add_secret(sc, v, ve);
            i = ve;
            while (i < end && s[i] != '&')
                i++;
        }
    }
}

/* key=value pairs, as libpq's conninfo parser reads them. */
static void scan_pairs(scan *sc)
{
    const char *s = sc->s;
    size_t p = 0;
    while (s[p]) {
        while (s[p] && isspace((unsigned char)s[p]))
            p++;
        if (!s[p])
            break;
        size_t key = p;
        while (s[p] && s[p] != '=' && !isspace((unsigned char)s[p]))
            p++;
        size_t key_end = p;
        while (s[p] && isspace((unsigned char)s[p]))
            p++;
        if (s[p] != '=')
            continue;
        p++;
        while (s[p] && isspace((unsigned char)s[p]))
            p++;
        size_t v, ve;
        if (s[p] == '\'') {
            v = ++p;
            while (s[p] && s[p] != '\'') {
                if (s[p] == '\\' && s[p + 1])
                    p++;
                p++;
            }
            ve = p;
            if (s[p])
                p++;
        } else {
            v = p;
            while (s[p] && !isspace((unsigned char)s[p])) {
                if (s[p] == '\\' && s[p + 1])
                    p++;
                p++;
            }
            ve = p;
        }
        /* "postgresql://h/db?password=x": the URL scan reads that one. */
        bool in_url = false;
        for (size_t i = key; i + 2 < key_end && !in_url; i++)
            in_url = strncmp(s + i, "://", 3) == 0;
        if (!in_url && key_is_password(s + key, key_end - key))
            add_secret(sc, v, ve);
    }
}

static void scan_all(scan *sc, const char *conninfo)
{
    memset(sc, 0, sizeof *sc);
    sc->s = conninfo ? conninfo : "";
    scan_urls(sc);
    scan_pairs(sc);
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

char *redact_conninfo(const char *conninfo)
{
    scan sc;
    scan_all(&sc, conninfo);
    if (sc.nspans > 1)
        qsort(sc.spans, sc.nspans, sizeof *sc.spans, cmp_span);
    strbuf sb = STRBUF_INIT;
    size_t pos = 0;
    for (size_t i = 0; i < sc.nspans; i++) {
        span sp = sc.spans[i];
        if (sp.end <= pos)
            continue;
        if (sp.start > pos)
            strbuf_add(&sb, sc.s + pos, sp.start - pos);
        else if (pos > 0 && sb.len >= 3 && strcmp(sb.buf + sb.len - 3, "***") == 0)
            strbuf_setlen(&sb, sb.len - 3); /* overlapping spans: one mark */
        strbuf_addstr(&sb, "***");
        pos = sp.end;
    }
    strbuf_addstr(&sb, sc.s + pos);
    /* Belt and braces: a decoded form elsewhere in the string. */
    char *out = redact_text(sb.buf, sc.secrets, sc.nsecrets);
    strbuf_release(&sb);
    for (size_t i = 0; i < sc.nsecrets; i++)
        free(sc.secrets[i]);
    free(sc.secrets);
    free(sc.spans);
    return out;
}

char **redact_secrets(const char *conninfo, size_t *n)
{
    scan sc;
    scan_all(&sc, conninfo);
    free(sc.spans);
    *n = sc.nsecrets;
    return sc.secrets;
}

/*
 * A secret shorter than this is only replaced where it is not part of a
 * longer word, so a one-letter password does not turn every "a" into
 * "***"; where it stands alone (quoted in an error, after a colon) it goes.
 */
enum { SHORT_SECRET = 4 };

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

char *redact_text(const char *text, char *const *secrets, size_t n)
{
    strbuf sb = STRBUF_INIT;
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t best = 0;
        for (size_t k = 0; k < n; k++) {
            size_t l = strlen(secrets[k]);
            if (l <= best || l > len - i || memcmp(text + i, secrets[k], l) != 0)
                continue;
            if (l < SHORT_SECRET &&
                ((i > 0 && word_char(text[i - 1])) || (i + l < len && word_char(text[i + l]))))
                continue;
            best = l;
        }
        if (best) {
            strbuf_addstr(&sb, "***");
            i += best;
        } else {
            strbuf_addch(&sb, text[i++]);
        }
    }
    return strbuf_detach(&sb, NULL);
}

static char **registry;
static size_t nregistry, registry_alloc;

static void register_one(char *secret)
{
    if (!*secret) {
        free(secret);
        return;
    }
    ALLOC_GROW(registry, nregistry + 1, registry_alloc);
    registry[nregistry++] = secret;
}

void redact_register(const char *conninfo)
{
    if (!conninfo)
        return;
    size_t n;
    char **s = redact_secrets(conninfo, &n);
    for (size_t i = 0; i < n; i++)
        register_one(s[i]);
    free(s);
    /*
     * A string libpq cannot parse has no reliable structure: it may be a
     * password pasted alone, or a pair whose key is mistyped. All of it,
     * and each of its blank-separated words, is a secret.
     */
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    PQfreemem(perr);
    if (opts) {
        PQconninfoFree(opts);
        return;
    }
    register_one(xstrdup(conninfo));
    for (const char *p = conninfo; *p;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (p > w)
            register_one(xstrndup(w, (size_t)(p - w)));
    }
}

char *redact_printable(const char *text)
{
    char *scrubbed = redact_text(text ? text : "", registry, nregistry);
    strbuf sb = STRBUF_INIT;
    for (const unsigned char *p = (const unsigned char *)scrubbed; *p; p++) {
        if (*p == '\n' || *p == '\t')
            strbuf_addch(&sb, (char)*p);
        else if (*p < 0x20 || *p == 0x7f)
            strbuf_addf(&sb, "\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 control, e.g. CSI */
            strbuf_addf(&sb, "\\u%04x", *++p);
        else
            strbuf_addch(&sb, (char)*p);
    }
    free(scrubbed);
    return strbuf_detach(&sb, NULL);
}

void redact_fputs(const char *text, FILE *out)
{
    char *s = redact_printable(text);
    fputs(s, out);
    free(s);
}
