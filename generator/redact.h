/*
 * redact.h — keeping secrets and terminal escapes out of what pgqc prints.
 *
 * Two jobs, both needed wherever text reaches stdout or stderr:
 *
 *  - Passwords. A database URL or conninfo string may carry a password
 *    (`postgresql://user:pw@host/db`, `password=pw`, `?password=pw`,
 *    `sslpassword=...`), and libpq's own error messages echo the string, or
 *    pieces of it, when it cannot parse it. redact_conninfo() gives a
 *    printable copy of such a string, well-formed or not; redact_secrets()
 *    lists the secrets in it so that any message derived from the string
 *    (libpq's errors above all) can be scrubbed by substring. The scan is
 *    deliberately paranoid: it treats every `scheme://` as a URL whose
 *    userinfo runs to the last `@`, reads key=value pairs the way libpq
 *    does, and also matches percent-decoded forms. Over-redacting a
 *    malformed string is fine; printing a password is not.
 *
 *  - Terminal escapes. Strings from the database (names, checksums, server
 *    messages) and from files are printed with control characters
 *    (ESC, CSI, BEL, backspace, carriage return, C1 controls) shown as
 *    `\xHH` / `\u00HH` text, so they cannot move the cursor, retitle the
 *    terminal or hide a line. Newlines and tabs stay.
 *
 * The process keeps one registry of secrets (redact_register(), fed by the
 * command line with --database-url and DATABASE_URL); redact_printable()
 * applies both jobs and is what every print path of the CLI uses.
 *
 * Every function returns a malloc'ed string the caller frees.
 */
#ifndef PGQC_REDACT_H
#define PGQC_REDACT_H

#include <stddef.h>
#include <stdio.h>

/* `conninfo` (a URL or key=value pairs, parseable or not) with each secret replaced by "***". */
char *redact_conninfo(const char *conninfo);

/*
 * The secrets in `conninfo`: raw and percent-decoded forms of every
 * password. *n receives the count; free each and the array.
 */
char **redact_secrets(const char *conninfo, size_t *n);

/* `text` with every occurrence of the n secrets replaced by "***". */
char *redact_text(const char *text, char *const *secrets, size_t n);

/*
 * Remember the secrets of `conninfo` for redact_printable(). A string libpq
 * cannot parse is remembered whole and word by word as well. NULL is ignored.
 */
void redact_register(const char *conninfo);

/* `text` with registered secrets scrubbed and control characters made visible. */
char *redact_printable(const char *text);

/* fputs(redact_printable(text), out). */
void redact_fputs(const char *text, FILE *out);

#endif
