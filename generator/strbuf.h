/*
 * strbuf.h — a growable string, the one text builder of the generator.
 *
 * Modelled on git's strbuf. Invariants:
 *   - `buf` is never NULL and is always NUL-terminated, even right after
 *     STRBUF_INIT (it then points at a shared empty string and `alloc` is 0);
 *   - `len` is the length of the content, excluding the terminating NUL;
 *   - the strbuf owns `buf` once `alloc` > 0; strbuf_release() frees it and
 *     resets the strbuf to the empty state, strbuf_detach() hands it to the
 *     caller (who must free() it) and resets the strbuf.
 * Allocation failure aborts the process: the generator is a short-lived
 * command-line tool and has no sensible way to continue without memory.
 */
#ifndef PGQC_STRBUF_H
#define PGQC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

extern char strbuf_empty_[];

typedef struct strbuf {
    size_t alloc;
    size_t len;
    char *buf;
} strbuf;

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        0, 0, strbuf_empty_                                                                        \
    }

/* Prepare `sb` for use; `hint` bytes are reserved up front (0 is fine). */
void strbuf_init(strbuf *sb, size_t hint);

/* Free the buffer and return `sb` to the empty state. */
void strbuf_release(strbuf *sb);

/* Hand the buffer to the caller (always malloc'ed, never NULL) and reset `sb`. */
char *strbuf_detach(strbuf *sb, size_t *len);

/* Make room for at least `extra` more bytes beyond `len`. */
void strbuf_grow(strbuf *sb, size_t extra);

/* Empty the content but keep the allocation. */
void strbuf_reset(strbuf *sb);

/* Cut the content to `len` bytes (must not exceed the current length). */
void strbuf_setlen(strbuf *sb, size_t len);

void strbuf_add(strbuf *sb, const void *data, size_t len);
void strbuf_addstr(strbuf *sb, const char *s);
void strbuf_addch(strbuf *sb, int c);
void strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap);

/* Append `n` copies of character `c`. */
void strbuf_addchars(strbuf *sb, int c, size_t n);

/* Return a malloc'ed copy of the formatted string (aborts on OOM). */
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Print "pgqc: out of memory" and abort: what every x*alloc does on failure. */
__attribute__((noreturn)) void die_oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);

/* Grow an array `ptr` of `nr` used / `alloc` allocated elements to hold `want`. */
#define ALLOC_GROW(ptr, want, alloc)                                                               \
    do {                                                                                           \
        if ((size_t)(want) > (size_t)(alloc)) {                                                    \
            size_t na_ = (alloc) ? (size_t)(alloc)*2 : 8;                                          \
            if (na_ < (size_t)(want))                                                              \
                na_ = (size_t)(want);                                                              \
            (ptr) = xrealloc((ptr), na_ * sizeof(*(ptr)));                                         \
            (alloc) = na_;                                                                         \
        }                                                                                          \
    } while (0)

#endif
