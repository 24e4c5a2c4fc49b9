/*
 * utf8.h — checking text is UTF-8 the way PostgreSQL checks it.
 *
 * PostgreSQL refuses overlong forms, UTF-16 surrogates and code points
 * above U+10FFFF in a UTF8 database; files pgqc reads are held to the same
 * rule before anything is sent, so a bad byte is reported where it is
 * rather than wherever the server notices it. Pure functions, no state.
 */
#ifndef PGQC_UTF8_H
#define PGQC_UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at `s` (1 to 4 bytes, reading
 * at most `n` >= 1), or 0 when there is none there.
 */
size_t utf8_sequence_length(const unsigned char *s, size_t n);

/* Offset of the first byte of `text[0 .. len)` that is not UTF-8 text (a NUL counts); `len` when
 * none. */
size_t utf8_first_invalid(const char *text, size_t len);

/* Replace every byte of NUL-terminated `s` that is not part of a UTF-8 sequence with `with`. */
void utf8_replace_invalid(char *s, char with);

#endif
