/*
 * cname.c — escaping text for C comments and literals, and naming
 * identifiers of generated code (see cname.h).
 */
#include "cname.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cname_reserved.inc"

/* ---- comments ------------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at `s` (at most `n` bytes), 0 if malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t min;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2, min = 0x80, *cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3, min = 0x800, *cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

/* Unicode controls that reorder how text is displayed (compilers warn about them). */
static bool is_bidi_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static bool is_trigraph_char(char c)
{
    return c && strchr("=(/)'<!>-", c) != NULL;
}

static void trim_blanks(strbuf *sb)
{
    while (sb->len && (sb->buf[sb->len - 1] == ' ' || sb->buf[sb->len - 1] == '\t'))
        strbuf_setlen(sb, sb->len - 1);
}

/* The comment escaper; `indent` NULL writes one line with newlines as "\n". */
static void comment_text(strbuf *sb, const char *text, const char *indent)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    if (indent)
        strbuf_addstr(sb, indent);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        /* Does only blank space (trimmed below) follow before the end of the line? */
        size_t j = i + 1;
        while (j < n && (p[j] == ' ' || p[j] == '\t'))
            j++;
        bool line_end = j == n || p[j] == '\n' || (p[j] == '\r' && p[j + 1] == '\n');
        /* "??" before a trigraph character: a space keeps them apart (input '?'
         * is always written as '?', so the input's pair is the output's). */
        if (is_trigraph_char((char)ch) && i >= 2 && p[i - 1] == '?' && p[i - 2] == '?')
            strbuf_addch(sb, ' ');
        if (ch == '\r' && i + 1 < n && p[i + 1] == '\n') {
            continue; /* CRLF: the '\n' ends the line */
        } else if (ch == '\n' && indent) {
            trim_blanks(sb);
            strbuf_addch(sb, '\n');
            strbuf_addstr(sb, indent);
        } else if (ch == '\n') {
            strbuf_addstr(sb, "\\n");
        } else if (ch == '*' && p[i + 1] == '/') {
            strbuf_addstr(sb, "* ");
        } else if (ch == '/' && p[i + 1] == '*') {
            strbuf_addstr(sb, "/ ");
        } else if (ch == '\\' && line_end) {
            strbuf_addstr(sb, "\\x5c"); /* a backslash-newline would splice lines */
        } else if (ch == '\t' || (ch >= 0x20 && ch < 0x7f)) {
            strbuf_addch(sb, ch);
        } else if (ch >= 0x80) {
            uint32_t cp;
            size_t len = utf8_seq(p + i, n - i, &cp);
            if (!len) {
                strbuf_addf(sb, "\\x%02x", ch);
            } else if (is_bidi_control(cp)) {
                strbuf_addf(sb, "\\u%04X", (unsigned)cp);
                i += len - 1;
            } else {
                strbuf_add(sb, p + i, len);
                i += len - 1;
            }
        } else {
            strbuf_addf(sb, "\\x%02x", ch);
        }
    }
    if (indent) {
        trim_blanks(sb);
        strbuf_addch(sb, '\n');
    }
}

void cname_comment(strbuf *sb, const char *text, const char *indent)
{
    comment_text(sb, text, indent ? indent : "");
}

void cname_comment_inline(strbuf *sb, const char *text)
{
    comment_text(sb, text, NULL);
}

/* ---- literals ------------------------------------------------------------------ */

void cname_literal_body(strbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\':
            strbuf_addstr(sb, "\\\\");
            break;
        case '"':
            strbuf_addstr(sb, "\\\"");
            break;
        case '\n':
            strbuf_addstr(sb, "\\n");
            break;
        case '\t':
            strbuf_addstr(sb, "\\t");
            break;
        case '\r':
            strbuf_addstr(sb, "\\r");
            break;
        case '?':
            /* A '?' after a '?' is escaped, so no "??x" trigraph can form. */
            strbuf_addstr(sb, i > 0 && s[i - 1] == '?' ? "\\?" : "?");
            break;
        default:
            /* Always three octal digits: a following digit cannot join the escape. */
            if (c < 0x20 || c >= 0x7f)
                strbuf_addf(sb, "\\%03o", c);
            else
                strbuf_addch(sb, c);
        }
    }
}

void cname_literal(strbuf *sb, const char *s)
{
    strbuf_addch(sb, '"');
    cname_literal_body(sb, s, strlen(s));
    strbuf_addch(sb, '"');
}

/* One character constant for byte `c`. */
static void add_char_constant(strbuf *sb, unsigned char c)
{
    if (c == '\'' || c == '\\')
        strbuf_addf(sb, "'\\%c'", c);
    else if (c == '\n')
        strbuf_addstr(sb, "'\\n'");
    else if (c == '\t')
        strbuf_addstr(sb, "'\\t'");
    else if (c >= 0x20 && c < 0x7f)
        strbuf_addf(sb, "'%c'", c);
    else
        strbuf_addf(sb, "'\\%03o'", c);
}

void cname_string_array(strbuf *sb, const char *name, const char *s)
{
    size_t len = strlen(s);
    strbuf_addf(sb, "static const char %s[] =", name);
    if (len <= CNAME_LITERAL_MAX) {
        /* One source line per line of text. */
        strbuf_addstr(sb, "\n    \"");
        for (const char *p = s;;) {
            const char *nl = strchr(p, '\n');
            cname_literal_body(sb, p, nl ? (size_t)(nl - p) : strlen(p));
            if (!nl || !nl[1])
                break;
            strbuf_addstr(sb, "\\n\"\n    \"");
            p = nl + 1;
        }
        strbuf_addstr(sb, len && s[len - 1] == '\n' ? "\\n\";\n" : "\";\n");
        return;
    }
    /* Too long for a literal: an initializer, 16 characters or one text line per row. */
    strbuf_addstr(sb, " {\n    ");
    size_t on_line = 0;
    for (size_t i = 0; i < len; i++) {
        add_char_constant(sb, (unsigned char)s[i]);
        strbuf_addch(sb, ',');
        if (s[i] == '\n' || ++on_line == 16) {
            strbuf_addstr(sb, "\n    ");
            on_line = 0;
        } else {
            strbuf_addch(sb, ' ');
        }
    }
    strbuf_addstr(sb, "0};\n");
}

void cname_expand(strbuf *sb, const char *tpl, const char *const *vars)
{
    for (const char *p = tpl; *p;) {
        const char *open = strstr(p, "${");
        if (!open) {
            strbuf_addstr(sb, p);
            return;
        }
        strbuf_add(sb, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        size_t klen = close ? (size_t)(close - open - 2) : 0;
        const char *value = NULL;
        for (size_t i = 0; close && vars[i]; i += 2)
            if (strlen(vars[i]) == klen && memcmp(vars[i], open + 2, klen) == 0) {
                value = vars[i + 1];
                break;
            }
        if (!value) {
            fprintf(stderr, "pgqc: BUG: template placeholder %.*s has no value\n",
                    close ? (int)(close - open + 1) : 2, open);
            abort();
        }
        strbuf_addstr(sb, value);
        p = close + 1;
    }
}

/* ---- identifiers ---------------------------------------------------------------- */

static const char *const keywords[] = {
    /* C11 */
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex",
    "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    /* C++, since the header is usable from C++ */
    "and", "and_eq", "asm", "bitand", "bitor", "bool", "catch", "class", "compl", "concept",
    "consteval", "constexpr", "constinit", "const_cast", "co_await", "co_return", "co_yield",
    "decltype", "delete", "dynamic_cast", "explicit", "export", "false", "friend", "mutable",
    "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq",
    "private", "protected", "public", "reinterpret_cast", "requires", "static_assert",
    "static_cast", "template", "this", "thread_local", "throw", "true", "try", "typeid", "typename",
    "using", "virtual", "wchar_t", "xor", "xor_eq", "alignas", "alignof", "char8_t", "char16_t",
    "char32_t",
    /* Macros of headers a program commonly includes next to the generated one,
     * and ones compilers predefine on some targets in GNU mode. */
    "NULL", "EOF", "errno", "assert", "offsetof", "i386", "linux", "unix"};

static bool in_sorted(const char *const *table, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s, table[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Reserved everywhere: keywords, object-like macros, reserved spellings. */
static const char *keyword_problem(const char *s)
{
    for (size_t i = 0; i < COUNT(keywords); i++)
        if (strcmp(s, keywords[i]) == 0)
            return "a C or C++ keyword or a standard macro";
    if (in_sorted(reserved_macros, COUNT(reserved_macros), s))
        return "a macro of the headers generated code includes";
    if ((s[0] == '_' && (isupper((unsigned char)s[1]) || s[1] == '_')) || strstr(s, "__"))
        return "reserved for the implementation (leading '_' + capital, or \"__\")";
    return NULL;
}

static bool is_pgqc_name(const char *s)
{
    return strncasecmp(s, "pgqc", 4) == 0 && (s[4] == '\0' || s[4] == '_');
}

/* Reserved for names the generated code's functions can see. */
static const char *library_problem(const char *s)
{
    if (in_sorted(reserved_names, COUNT(reserved_names), s))
        return "declared by the C library or libpq headers generated code includes";
    if (is_pgqc_name(s))
        return "in the pgqc runtime's namespace (pgqc_*, PGQC_*)";
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Reserved at file scope only (C11 7.1.3, 7.31 future library directions). */
static const char *file_scope_problem(const char *s)
{
    if (s[0] == '_')
        return "reserved at file scope (leading '_')";
    if ((strncmp(s, "str", 3) == 0 || strncmp(s, "mem", 3) == 0 || strncmp(s, "wcs", 3) == 0) &&
        islower((unsigned char)s[3]))
        return "reserved for the C library (str, mem or wcs and a lower-case letter)";
    if ((strncmp(s, "int", 3) == 0 || strncmp(s, "uint", 4) == 0) && ends_with(s, "_t"))
        return "reserved for <stdint.h> (int... / uint... ending in _t)";
    if ((strncmp(s, "INT", 3) == 0 || strncmp(s, "UINT", 4) == 0) &&
        (ends_with(s, "_MAX") || ends_with(s, "_MIN") || ends_with(s, "_C")))
        return "reserved for <stdint.h> (INT... / UINT... ending in _MAX, _MIN or _C)";
    return NULL;
}

/* Letters, digits and '_' (ASCII), not starting with a digit. */
static bool ident_shaped(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80 || !(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

bool c_ident_ok(const char *s)
{
    return ident_shaped(s) && keyword_problem(s) == NULL;
}

const char *cname_prefix_problem(const char *prefix)
{
    if (!c_ident_ok(prefix))
        return "not a valid C identifier (letters, digits and '_', not starting with a digit, "
               "not a keyword)";
    if (strlen(prefix) > 64)
        return "longer than 64 characters";
    if (is_pgqc_name(prefix))
        return "pgqc_* and PGQC_* belong to the pgqc runtime";
    /* Every generated name is PREFIX_something: test the prefix in that shape. */
    char *probe = xstrfmt("%s_x", prefix);
    const char *why = file_scope_problem(probe);
    free(probe);
    return why;
}

bool cname_prefix_ok(const char *prefix)
{
    return cname_prefix_problem(prefix) == NULL;
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
    return strbuf_detach(&sb, NULL);
}

/* ---- scopes --------------------------------------------------------------------- */

typedef struct cname_entry {
    char *name; /* NULL: empty slot */
    char *owner;
} cname_entry;

struct cname_table {
    cname_scope_kind kind;
    const cname_table *parent;
    cname_entry *slots;
    size_t nslots, used; /* nslots is a power of two, used < nslots / 2 */
};

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

cname_table *cname_table_new(cname_scope_kind kind, const cname_table *parent)
{
    cname_table *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    t->parent = parent;
    t->nslots = 64;
    t->slots = xcalloc(t->nslots, sizeof *t->slots);
    return t;
}

void cname_table_free(cname_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nslots; i++) {
        free(t->slots[i].name);
        free(t->slots[i].owner);
    }
    free(t->slots);
    free(t);
}

static cname_entry *find_slot(const cname_table *t, const char *name)
{
    size_t i = hash_name(name) & (t->nslots - 1);
    while (t->slots[i].name && strcmp(t->slots[i].name, name) != 0)
        i = (i + 1) & (t->nslots - 1);
    return &t->slots[i];
}

static const char *holder(const cname_table *t, const char *name)
{
    for (; t; t = t->parent) {
        const cname_entry *e = find_slot(t, name);
        if (e->name)
            return e->owner;
    }
    return NULL;
}

const char *cname_owner(const cname_table *t, const char *name)
{
    return holder(t, name);
}

const char *cname_problem(const cname_table *t, const char *name)
{
    const char *why;
    if (!ident_shaped(name))
        return "not a valid C identifier";
    if (strlen(name) > CNAME_IDENT_MAX)
        return "longer than 1000 characters";
    if ((why = keyword_problem(name)) != NULL)
        return why;
    if (t->kind != CNAME_FIELDS && (why = library_problem(name)) != NULL)
        return why;
    if (t->kind == CNAME_FILE && (why = file_scope_problem(name)) != NULL)
        return why;
    return holder(t, name);
}

bool cname_claim(cname_table *t, const char *name, const char *owner)
{
    if (cname_problem(t, name))
        return false;
    if (2 * (t->used + 1) >= t->nslots) {
        cname_entry *old = t->slots;
        size_t n = t->nslots;
        t->nslots *= 2;
        t->slots = xcalloc(t->nslots, sizeof *t->slots);
        for (size_t i = 0; i < n; i++)
            if (old[i].name)
                *find_slot(t, old[i].name) = old[i];
        free(old);
    }
    cname_entry *e = find_slot(t, name);
    e->name = xstrdup(name);
    e->owner = xstrdup(owner);
    t->used++;
    return true;
}

/* `base` numbered `k` (k >= 2): "x_2"; a trailing '_' (from a keyword) is not doubled. */
static char *numbered(const char *base, int k)
{
    size_t n = strlen(base);
    while (n && base[n - 1] == '_')
        n--;
    return xstrfmt("%.*s_%d", (int)n, base, k);
}

/* Enough tries to get past any realistic pile-up; after that the name is refused. */
enum { MAX_NUMBER = 10000 };

static char *claim_family(cname_table *t, const char *base, bool with_base,
                          const char *const *suffixes, size_t n, const char *owner)
{
    for (int k = 1; k <= MAX_NUMBER; k++) {
        char *b = k == 1 ? xstrdup(base) : numbered(base, k);
        bool free_all = !with_base || cname_problem(t, b) == NULL;
        for (size_t i = 0; i < n && free_all; i++) {
            char *name = xstrfmt("%s%s", b, suffixes[i]);
            free_all = cname_problem(t, name) == NULL;
            free(name);
        }
        if (free_all) {
            if (with_base)
                cname_claim(t, b, owner);
            for (size_t i = 0; i < n; i++) {
                char *name = xstrfmt("%s%s", b, suffixes[i]);
                cname_claim(t, name, owner);
                free(name);
            }
            return b;
        }
        free(b);
    }
    return NULL;
}

char *cname_claim_family(cname_table *t, const char *base, const char *const *suffixes, size_t n,
                         const char *owner)
{
    return claim_family(t, base, true, suffixes, n, owner);
}

char *cname_claim_suffixes(cname_table *t, const char *base, const char *const *suffixes, size_t n,
                           const char *owner)
{
    return claim_family(t, base, false, suffixes, n, owner);
}

char *cname_local(cname_table *t, const char *wanted, const char *owner)
{
    char *id = c_ident(wanted);
    if (strlen(id) > CNAME_IDENT_MAX) {
        free(id);
        return NULL;
    }
    const char *why = cname_problem(t, id);
    if (why && !holder(t, id)) {
        /* Reserved, not taken: the documented spelling is the name plus '_'. */
        char *alt = xstrfmt("%s_", id);
        free(id);
        id = alt;
    }
    if (cname_claim(t, id, owner))
        return id;
    for (int k = 2; k <= MAX_NUMBER; k++) {
        /* Numbering starts from the unsuffixed spelling: "int_" then "int_2". */
        char *name = numbered(id, k);
        if (cname_claim(t, name, owner)) {
            free(id);
            return name;
        }
        free(name);
    }
    free(id);
    return NULL;
}
