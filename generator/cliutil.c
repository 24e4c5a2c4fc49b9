/*
 * cliutil.c — helpers shared by the command files (see cliutil.h).
 */
#include "cliutil.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char common_help[] =
    "Common options:\n"
    "  --migrations DIR      migration files (default: migrations)\n"
    "  --queries PATH        query directory or .sql file; repeatable (default: queries)\n"
    "  --database-url URL    use this server as it is (default: $DATABASE_URL, else an\n"
    "                        embedded throwaway PostgreSQL with the migrations applied)\n"
    "  --help                show help for the command\n";

bool use_color(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(nc && *nc);
}

int finish(diag_list *dl, int status)
{
    diag_list_print(dl, stderr, use_color());
    if (dl->errors && status == EXIT_OK)
        status = EXIT_ERRORS;
    if (dl->errors > 1 || (dl->errors && dl->warnings))
        fprintf(stderr, "%zu error%s, %zu warning%s\n", dl->errors, dl->errors == 1 ? "" : "s",
                dl->warnings, dl->warnings == 1 ? "" : "s");
    diag_list_free(dl);
    return status;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("pgqc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'pgqc %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

/* Handle a common option; returns false when `c` is not one. */
bool common_opt(common_opts *o, int c, const char *arg)
{
    switch (c) {
    case OPT_MIGRATIONS:
        o->migrations = arg;
        return true;
    case OPT_QUERIES:
        ALLOC_GROW(o->queries, o->nqueries + 1, o->qalloc);
        o->queries[o->nqueries++] = arg;
        return true;
    case OPT_DATABASE_URL:
        o->database_url = arg;
        return true;
    default:
        return false;
    }
}

void common_defaults(common_opts *o)
{
    if (!o->migrations)
        o->migrations = "migrations";
    if (!o->nqueries) {
        ALLOC_GROW(o->queries, 1, o->qalloc);
        o->queries[o->nqueries++] = "queries";
    }
}

int status_for(dbsrc_status s)
{
    switch (s) {
    case DBSRC_OK:
        return EXIT_OK;
    case DBSRC_MIGRATION:
        return EXIT_ERRORS;
    case DBSRC_CONFIG:
        return EXIT_USAGE;
    case DBSRC_UNREACHABLE:
        return EXIT_DATABASE;
    }
    return EXIT_ERRORS;
}
