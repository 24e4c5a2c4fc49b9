/*
 * testutil.h — small helpers shared by the integration tests: running a
 * shell command and capturing its output and exit status, scratch
 * directories, writing files, and finding leftover servers.
 */
#ifndef PGQC_TESTUTIL_H
#define PGQC_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Run `cmd` through /bin/sh with stderr merged into stdout. Returns the exit
 * status (128+N for a signal); *out receives the output (caller frees). */
int tu_run(const char *cmd, char **out);

/* printf-style tu_run. */
int tu_runf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A fresh scratch directory (mode 0755, so an unprivileged server can reach
 * into it) — caller frees the path and removes it with tu_rmtree(). */
char *tu_mkdtemp(void);
void tu_rmtree(const char *path);

/* Write `text` to dir/name, creating dir/ and directories in name first. */
void tu_write(const char *dir, const char *name, const char *text);

/* Number of entries in `dir` (not counting . and ..). */
int tu_count_entries(const char *dir);

/* Number of running processes whose command line mentions `needle`. */
int tu_count_processes(const char *needle);

/*
 * "-fsanitize=address,undefined" when the libpgqc under test ($PGQC_BUILD_ROOT)
 * was built with sanitizers (programs linking it must be too), else "".
 */
const char *tu_sanitize_flags(void);

/* Path of the pgqc executable under test ($PGQC_EXE). */
const char *tu_pgqc(void);

#endif
