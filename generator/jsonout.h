/*
 * jsonout.h — writing JSON once, for two destinations.
 *
 * A jsonout receives a value as a stream of calls (open an object, a key,
 * a string, close ...) and either builds a jansson value from them or
 * prints them straight into a strbuf, byte for byte as
 * json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER) would print that
 * value. Code that describes a value writes it once against this interface;
 * the tree serves comparisons and the lock file, the text serves large
 * outputs without a million small allocations.
 */
#ifndef PGQC_JSONOUT_H
#define PGQC_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"

enum { JSONOUT_MAX_DEPTH = 32 };

/* A member of an object whose keys are printed sorted: its key and its text. */
typedef struct jsonout_member {
    char *key;
    strbuf text; /* "\"key\": value" */
} jsonout_member;

typedef struct jsonout {
    /* text mode: where the text goes now; NULL in tree mode */
    strbuf *text;
    /* text mode, sorted keys: per open object, its members and the text it goes to */
    bool sort_keys;
    jsonout_member *members[JSONOUT_MAX_DEPTH];
    size_t nmembers[JSONOUT_MAX_DEPTH], members_alloc[JSONOUT_MAX_DEPTH];
    strbuf *outer[JSONOUT_MAX_DEPTH];
    /* tree mode: the finished value, and the open containers */
    json_t *root;
    json_t *open[JSONOUT_MAX_DEPTH];
    const char *key; /* key of the next value inside an object */
    /* both: nesting depth, and per open container its kind and whether it is still empty */
    int depth;
    bool is_object[JSONOUT_MAX_DEPTH];
    bool empty[JSONOUT_MAX_DEPTH];
} jsonout;

/* Print into `out` (appended; no final newline). */
void jsonout_text(jsonout *w, strbuf *out);
/* The same, with every object's keys in strcmp order, as JSON_SORT_KEYS prints them. */
void jsonout_text_sorted(jsonout *w, strbuf *out);
/* Build a jansson value; take it with jsonout_tree_take() when done. */
void jsonout_tree(jsonout *w);
json_t *jsonout_tree_take(jsonout *w);

/* Free what a text writer keeps between objects (nothing to do for a tree). */
void jsonout_release(jsonout *w);

void jsonout_object(jsonout *w);
void jsonout_array(jsonout *w);
void jsonout_end(jsonout *w); /* closes the innermost object or array */
void jsonout_key(jsonout *w, const char *key);
void jsonout_str(jsonout *w, const char *s);
void jsonout_int(jsonout *w, long long v);
void jsonout_bool(jsonout *w, bool v);

#endif
