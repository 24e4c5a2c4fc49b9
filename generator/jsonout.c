/*
 * jsonout.c — writing JSON once, for two destinations (see jsonout.h).
 *
 * The text layout is jansson's for JSON_INDENT(2): a value inside a
 * container starts on a new line indented two spaces per level, keys are
 * followed by ": ", elements separated by ",", and an empty container is
 * "{}" or "[]". Strings are escaped as jansson escapes them: quote,
 * backslash and control characters, with \b \f \n \r \t for those that
 * have them and \u00XX for the rest; everything else, UTF-8 included, is
 * copied.
 */
#include "jsonout.h"

#include <stdlib.h>
#include <string.h>

void jsonout_text(jsonout *w, strbuf *out)
{
    memset(w, 0, sizeof *w);
    w->text = out;
}

void jsonout_text_sorted(jsonout *w, strbuf *out)
{
    jsonout_text(w, out);
    w->sort_keys = true;
}

void jsonout_release(jsonout *w)
{
    for (int d = 0; d < JSONOUT_MAX_DEPTH; d++) {
        free(w->members[d]);
        w->members[d] = NULL;
        w->nmembers[d] = w->members_alloc[d] = 0;
    }
}

void jsonout_tree(jsonout *w)
{
    memset(w, 0, sizeof *w);
}

json_t *jsonout_tree_take(jsonout *w)
{
    json_t *v = w->root;
    w->root = NULL;
    return v;
}

static void text_string(strbuf *out, const char *s)
{
    strbuf_addch(out, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_add(out, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            strbuf_addstr(out, "\\\"");
            break;
        case '\\':
            strbuf_addstr(out, "\\\\");
            break;
        case '\b':
            strbuf_addstr(out, "\\b");
            break;
        case '\f':
            strbuf_addstr(out, "\\f");
            break;
        case '\n':
            strbuf_addstr(out, "\\n");
            break;
        case '\r':
            strbuf_addstr(out, "\\r");
            break;
        case '\t':
            strbuf_addstr(out, "\\t");
            break;
        default:
            strbuf_addf(out, "\\u%04X", c);
        }
    }
    strbuf_add(out, run, (size_t)(s - run));
    strbuf_addch(out, '"');
}

/*
 * Where the stream is, before a value or a key: in text, the separator and
 * the indentation (none right after a key); in a tree, nothing to do.
 */
static void text_prefix(jsonout *w)
{
    if (w->depth == 0 || w->key || (w->sort_keys && w->is_object[w->depth - 1]))
        return;
    if (!w->empty[w->depth - 1])
        strbuf_addch(w->text, ',');
    w->empty[w->depth - 1] = false;
    strbuf_addch(w->text, '\n');
    strbuf_addchars(w->text, ' ', 2 * (size_t)w->depth);
}

/* Tree: put `v` where the stream is (the root, an element, or a member). */
static void tree_attach(jsonout *w, json_t *v)
{
    if (w->depth == 0) {
        json_decref(w->root);
        w->root = v;
    } else if (w->is_object[w->depth - 1]) {
        json_object_set_new(w->open[w->depth - 1], w->key ? w->key : "", v);
    } else {
        json_array_append_new(w->open[w->depth - 1], v);
    }
}

static void begin(jsonout *w, bool object)
{
    if (w->depth >= JSONOUT_MAX_DEPTH)
        abort(); /* nothing pgqc writes nests this deep: a bug */
    if (w->text && w->sort_keys && object) {
        /* Members are printed into buffers of their own, sorted and joined at the end. */
        text_prefix(w);
        w->outer[w->depth] = w->text;
        w->nmembers[w->depth] = 0;
    } else if (w->text) {
        text_prefix(w);
        strbuf_addch(w->text, object ? '{' : '[');
    } else {
        json_t *c = object ? json_object() : json_array();
        tree_attach(w, c);
        w->open[w->depth] = c;
    }
    w->key = NULL;
    w->is_object[w->depth] = object;
    w->empty[w->depth] = true;
    w->depth++;
}

void jsonout_object(jsonout *w)
{
    begin(w, true);
}

void jsonout_array(jsonout *w)
{
    begin(w, false);
}

static int cmp_member(const void *x, const void *y)
{
    return strcmp(((const jsonout_member *)x)->key, ((const jsonout_member *)y)->key);
}

/* Close a sorted object at depth `d`: its members in key order, into the text it belongs to. */
static void end_sorted(jsonout *w, int d)
{
    jsonout_member *m = w->members[d];
    size_t n = w->nmembers[d];
    w->text = w->outer[d];
    if (n > 1)
        qsort(m, n, sizeof *m, cmp_member); /* (an empty object may have no array at all) */
    strbuf_addch(w->text, '{');
    for (size_t i = 0; i < n; i++) {
        strbuf_addstr(w->text, i ? ",\n" : "\n");
        strbuf_addchars(w->text, ' ', 2 * (size_t)(d + 1));
        strbuf_add(w->text, m[i].text.buf, m[i].text.len);
        strbuf_release(&m[i].text);
        free(m[i].key);
    }
    if (n) {
        strbuf_addch(w->text, '\n');
        strbuf_addchars(w->text, ' ', 2 * (size_t)d);
    }
    strbuf_addch(w->text, '}');
    w->nmembers[d] = 0;
}

void jsonout_end(jsonout *w)
{
    if (w->depth == 0)
        abort();
    w->depth--;
    if (w->text && w->sort_keys && w->is_object[w->depth]) {
        end_sorted(w, w->depth);
        return;
    }
    if (!w->text)
        return;
    if (!w->empty[w->depth]) {
        strbuf_addch(w->text, '\n');
        strbuf_addchars(w->text, ' ', 2 * (size_t)w->depth);
    }
    strbuf_addch(w->text, w->is_object[w->depth] ? '}' : ']');
}

void jsonout_key(jsonout *w, const char *key)
{
    if (w->text && w->sort_keys) {
        int d = w->depth - 1;
        if (d < 0 || !w->is_object[d])
            abort(); /* a key outside an object: a bug */
        ALLOC_GROW(w->members[d], w->nmembers[d] + 1, w->members_alloc[d]);
        jsonout_member *m = &w->members[d][w->nmembers[d]++];
        m->key = xstrdup(key);
        strbuf_init(&m->text, 0);
        w->text = &m->text;
        text_string(w->text, key);
        strbuf_addstr(w->text, ": ");
    } else if (w->text) {
        text_prefix(w);
        text_string(w->text, key);
        strbuf_addstr(w->text, ": ");
    }
    w->key = key;
}

void jsonout_str(jsonout *w, const char *s)
{
    if (w->text) {
        text_prefix(w);
        text_string(w->text, s);
    } else {
        tree_attach(w, json_string(s));
    }
    w->key = NULL;
}

void jsonout_int(jsonout *w, long long v)
{
    if (w->text) {
        text_prefix(w);
        strbuf_addf(w->text, "%lld", v);
    } else {
        tree_attach(w, json_integer(v));
    }
    w->key = NULL;
}

void jsonout_bool(jsonout *w, bool v)
{
    if (w->text) {
        text_prefix(w);
        strbuf_addstr(w->text, v ? "true" : "false");
    } else {
        tree_attach(w, json_boolean(v));
    }
    w->key = NULL;
}
