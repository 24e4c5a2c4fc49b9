/*
 * diag.h — compiler-style diagnostics.
 *
 * Every stage of the generator reports problems by appending a `diag` to a
 * `diag_list` instead of printing: only cli.c prints (diag_list_print) and
 * chooses the exit status. A diagnostic carries a severity, an optional
 * position (file, 1-based line and column, the text of that source line and
 * the length of the span to underline), the message and an optional hint.
 *
 * Ownership: the list owns every string in it; diag_list_free() releases
 * them all. Positions are computed from a byte offset into the file's text
 * with diag_at(), so callers never count lines themselves.
 */
#ifndef PGQC_DIAG_H
#define PGQC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_severity;

typedef struct diag {
    diag_severity severity;
    char *file;   /* NULL when the problem has no place in a file */
    int line;     /* 1-based; 0 when unknown */
    int col;      /* 1-based, in characters (UTF-8 aware); 0 when unknown */
    char *source; /* the text of line `line`, without newline; may be NULL */
    int span;     /* characters to underline (>= 1 when source is set) */
    char *message;
    char *detail; /* may be NULL */
    char *hint;   /* may be NULL */
} diag;

typedef struct diag_list {
    diag *items;
    size_t nr, alloc;
    size_t errors, warnings;
} diag_list;

#define DIAG_LIST_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

/*
 * Append a diagnostic at byte `offset` of `text` (the whole content of
 * `file`), underlining `span_bytes` bytes. `file` and `text` may be NULL for
 * a diagnostic with no position. Returns the new entry so the caller can add
 * a hint or detail with diag_set_hint()/diag_set_detail().
 */
diag *diag_at(diag_list *dl, diag_severity sev, const char *file, const char *text, size_t offset,
              size_t span_bytes, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Append a diagnostic with no position (a file name alone is allowed). */
diag *diag_plain(diag_list *dl, diag_severity sev, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void diag_set_hint(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_set_detail(diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print every diagnostic in order, gcc style; colour when `color` is true. */
void diag_list_print(const diag_list *dl, FILE *out, bool color);

/* Print one diagnostic. */
void diag_print(const diag *d, FILE *out, bool color);

void diag_list_free(diag_list *dl);

/* Line (1-based) and column (1-based, characters) of byte `offset` in `text`. */
void text_line_col(const char *text, size_t offset, int *line, int *col);

/*
 * Levenshtein distance between two strings, for "did you mean" hints.
 * Returns the distance, or a large number when either string is long.
 */
size_t edit_distance(const char *a, const char *b);

#endif
