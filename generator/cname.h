/*
 * cname.h — the one gate between strings and generated C.
 *
 * Everything the generator writes into C that is not its own template text
 * (query and parameter names from query files, type, label, column and
 * schema names from the database or a lock file, file paths, SQL) is data
 * that may be hostile. It reaches the C text only through this module:
 *
 *   - inside a comment:      cname_comment(), cname_comment_inline();
 *   - as a string literal:   cname_literal(), cname_literal_body(), and
 *                            cname_string_array() for text too long for a
 *                            literal (ISO C guarantees 4,095 characters);
 *   - as an identifier:      a cname_table hands out names, each checked
 *                            against C and C++ keywords, the names the
 *                            headers generated code includes declare (libc,
 *                            libpq: cname_reserved.inc), the runtime's
 *                            pgqc_* / PGQC_* and every name already given.
 *
 * A cname_table is one scope. The file scope (CNAME_FILE) holds every
 * function, type, enum constant, static object and macro of one generated
 * pair PREFIX.h / PREFIX.c. A parameter scope (CNAME_PARAMS) has the file
 * scope as parent: a parameter may shadow none of the names the function
 * body refers to. A field scope (CNAME_FIELDS) is one struct's members:
 * only keywords and object-like macros are out of bounds there.
 *
 * Ownership: a table copies every name and owner string it is given;
 * cname_table_free() releases them. Functions returning char * hand the
 * caller a malloc'ed string.
 */
#ifndef PGQC_CNAME_H
#define PGQC_CNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* ---- text inside comments and literals ------------------------------------- */

/*
 * Append `text` as the body of a block comment, one output line per input
 * line, each starting with `indent` and ending in '\n' (trailing blanks
 * trimmed). Nothing in `text` can end the comment or change the code
 * around it: "*" "/" and "/" "*" are split by a space, a '?' pair that would
 * form a trigraph is split before its third character, a backslash at the
 * end of a line, control characters, malformed UTF-8 and Unicode
 * bidirectional controls are written as \xNN / \uNNNN text.
 */
void cname_comment(strbuf *sb, const char *text, const char *indent);

/* The same for text inside a one-line comment: a newline is written as "\n". */
void cname_comment_inline(strbuf *sb, const char *text);

/*
 * Append `s` (`len` bytes) as the body of a C string literal, without the
 * quotes: backslash, quote and control characters escaped, bytes >= 0x80
 * as three-digit octal escapes (pure ASCII output whatever the encoding),
 * and the second '?' of a pair escaped so no trigraph can form.
 */
void cname_literal_body(strbuf *sb, const char *s, size_t len);

/* Append "s" (with quotes). Only for strings of at most CNAME_LITERAL_MAX bytes. */
void cname_literal(strbuf *sb, const char *s);

/* The longest string a literal may hold: ISO C's minimum limit, 4,095 characters. */
#define CNAME_LITERAL_MAX 4095

/*
 * Append a definition `static const char NAME[] = ...;` holding `s`: a
 * literal split at `s`'s newlines when it fits CNAME_LITERAL_MAX, else a
 * character-array initializer, which has no length limit.
 */
void cname_string_array(strbuf *sb, const char *name, const char *s);

/*
 * Append template `tpl` with every "${key}" replaced by its value from
 * `vars` ({"key", "value", ..., NULL}): emitters fill named placeholders
 * instead of long positional printf lists. The values are code the
 * generator made (identifiers it named, numbers), never raw data. An
 * unknown key is a bug and aborts.
 */
void cname_expand(strbuf *sb, const char *tpl, const char *const *vars);

/* ---- identifiers -------------------------------------------------------------- */

/* Is `s` a valid C identifier that is not a C or C++ keyword? */
bool c_ident_ok(const char *s);

/*
 * Why `prefix` cannot be the --name of generated code (a static message),
 * or NULL when it can: not an identifier, reserved (pgqc's own namespace,
 * leading '_'), or every name made from it would be reserved by the C
 * library (str..., mem..., wcs... followed by a lower-case letter).
 */
const char *cname_prefix_problem(const char *prefix);

/* Shorthand: cname_prefix_problem(prefix) == NULL. */
bool cname_prefix_ok(const char *prefix);

/*
 * Make `name` an identifier-shaped string: every run of characters
 * outside ASCII [A-Za-z0-9] becomes one '_', leading and trailing ones
 * are dropped, a leading digit gets a "c", an empty result is "column".
 * No keyword check (see cname_local). Never contains "__".
 */
char *c_ident(const char *name);

/* The longest identifier pgqc generates. */
#define CNAME_IDENT_MAX 1000

typedef enum cname_scope_kind {
    CNAME_FILE,   /* file scope of the generated pair */
    CNAME_PARAMS, /* a function's parameters (parent: the file scope) */
    CNAME_FIELDS, /* members of one struct */
} cname_scope_kind;

typedef struct cname_table cname_table;

cname_table *cname_table_new(cname_scope_kind kind, const cname_table *parent);
void cname_table_free(cname_table *t);

/*
 * Why `name` cannot be declared in scope `t` (a static message: "a C
 * keyword", "declared by <stdlib.h> or <libpq-fe.h>", ...), or the owner
 * string of the entity that already has it, or NULL when it is free.
 */
const char *cname_problem(const cname_table *t, const char *name);

/* The owner string of whoever has `name` in `t` (or a parent scope), NULL when nobody. */
const char *cname_owner(const cname_table *t, const char *name);

/* Give `name` to `owner` (a description used in messages). False when not free. */
bool cname_claim(cname_table *t, const char *name, const char *owner);

/*
 * Claim `base` followed by each of `suffixes[0..n-1]` together (a type
 * and its _opt, _to_string, ...). When one of them is not free, `base`
 * gets "_2", "_3", ... until all are. Returns the base chosen (malloc'ed).
 */
char *cname_claim_family(cname_table *t, const char *base, const char *const *suffixes, size_t n,
                         const char *owner);

/* The same without claiming `base` itself (it may be taken): only base + suffix. */
char *cname_claim_suffixes(cname_table *t, const char *base, const char *const *suffixes, size_t n,
                           const char *owner);

/*
 * A name in scope `t` for something called `wanted`: c_ident(wanted), with
 * '_' appended when that is a keyword or reserved in the scope, and "_2",
 * "_3", ... when it is taken; claimed for `owner`. Returns it (malloc'ed).
 */
char *cname_local(cname_table *t, const char *wanted, const char *owner);

#endif
