/*
 * cliutil.h — what the command files (cli.c, cmd_migrate.c) share: exit
 * statuses, the common options (--migrations, --queries, --database-url,
 * --help) and their parsing, printing diagnostics at the end of a command,
 * and usage errors. Only the command files include this header: everything
 * here may print.
 *
 * Exit status (DESIGN.md): 0 ok; 1 query or migration errors; 2 usage or
 * configuration errors; 3 cannot reach or start a database.
 */
#ifndef PGQC_CLIUTIL_H
#define PGQC_CLIUTIL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "dbsource.h"
#include "diag.h"
#include "querysrc.h"

#include <pgqc/migrate.h>

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2, EXIT_DATABASE = 3 };

/* Options every file- or database-using command accepts. */
typedef struct common_opts {
    const char *migrations;
    const char **queries;
    size_t nqueries, qalloc;
    const char *database_url;
} common_opts;

/* getopt_long codes of long options, shared so they never collide. */
enum {
    OPT_MIGRATIONS = 0x100,
    OPT_QUERIES,
    OPT_DATABASE_URL,
    OPT_OUT,
    OPT_NAME,
    OPT_DEPFILE,
    OPT_JSON,
    OPT_TO,
    OPT_DRY_RUN,
    OPT_HELP,
    OPT_STEPS,
    OPT_STRICT,
    OPT_FORCE,
    OPT_SEEDS,
    OPT_SEED,
};

/* --migrations, --database-url, --help: every command. */
#define COMMON_LONGOPTS                                                                            \
    {"migrations", required_argument, NULL, OPT_MIGRATIONS},                                       \
        {"database-url", required_argument, NULL, OPT_DATABASE_URL},                               \
    {                                                                                              \
        "help", no_argument, NULL, OPT_HELP                                                        \
    }
/* --queries: only the commands that read query files (generate, describe, check). */
#define QUERIES_LONGOPT                                                                            \
    {                                                                                              \
        "queries", required_argument, NULL, OPT_QUERIES                                            \
    }

/* Help for COMMON_LONGOPTS, and the same with --queries. */
extern const char common_help[];
extern const char common_help_with_queries[];

/* Colour diagnostics on a terminal unless NO_COLOR is set. */
bool use_color(void);

/* Print `dl` to stderr with a summary, free it, and return the exit status. */
int finish(diag_list *dl, int status);

/*
 * Print "pgqc: MESSAGE / Try 'pgqc CMD --help'." and return EXIT_USAGE. The
 * message is redacted (a stray argument may be a URL with a password).
 */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long() for the commands: getopt's own messages are off, and the
 * options and argv are remembered for option_error(). Returns what
 * getopt_long returns ('?' for a bad option).
 */
int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts);

/*
 * The usage error for the option cli_getopt() just refused: unknown (with
 * "did you mean" the closest option of the command), ambiguous, missing
 * its value, or given a value it does not take. Returns EXIT_USAGE.
 */
int option_error(const char *cmd);

/* The option of `longopts` closest to name[0..len), or NULL when none is close. */
const char *closest_option(const char *name, size_t len, const struct option *longopts);

/* Handle a common option; returns false when `c` is not one. */
bool common_opt(common_opts *o, int c, const char *arg);

/* Fill in defaults for options not given. */
void common_defaults(common_opts *o);

/* The exit status for a dbsource failure class. */
int status_for(dbsrc_status s);

/* ---- inputs: migrations and query files ---------------------------------- */

typedef struct inputs {
    query_file **files;
    size_t nfiles;
    char **paths; /* every query file read */
    size_t npaths;
    pgqc_migration_set *migrations;
} inputs;

/* Read migrations and (when `need_queries`) query files. Returns an exit status. */
int load_inputs(const common_opts *o, bool need_queries, inputs *in, diag_list *dl);
void inputs_free(inputs *in);

/* Every input file (query files, then up and down migrations), malloc'ed copies. */
void inputs_all_paths(const inputs *in, char ***paths, size_t *n);

/* ---- the embedded database's options (generate, describe, check, run) ------ */

enum { OPT_NO_CACHE = 0x300, OPT_VERBOSE };
#define CACHE_LONGOPTS                                                                             \
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},                                                 \
    {                                                                                              \
        "verbose", no_argument, NULL, OPT_VERBOSE                                                  \
    }
#define CACHE_HELP                                                                                 \
    "  --no-cache            embedded database: do not use the cache of initialised\n"             \
    "                        clusters and migrated templates ($PGQC_CACHE_DIR, else\n"             \
    "                        $XDG_CACHE_HOME/pgqc, ~/.cache/pgqc; as root\n"                       \
    "                        /var/cache/pgqc)\n"                                                   \
    "  --verbose             say what the embedded database reused or built\n"

extern dbsource_options db_options;

/* Handle --no-cache / --verbose; returns false when `c` is not one. */
bool cache_opt(int c);

/* Print (for --verbose) what the embedded database did. */
void print_db_log(void);

/* ---- user type mappings (generate, describe, check) ------------------------------- */

enum { OPT_MAP_TYPE = 0x500, OPT_INCLUDE };
#define MAP_LONGOPTS                                                                               \
    {"map-type", required_argument, NULL, OPT_MAP_TYPE},                                           \
    {                                                                                              \
        "include", required_argument, NULL, OPT_INCLUDE                                            \
    }
#define MAP_HELP                                                                                   \
    "  --map-type TYPE=CTYPE:DECODER[:ENCODER[:text]]\n"                                           \
    "                        read (and write) PostgreSQL type TYPE as your C type CTYPE\n"         \
    "                        with your binary codec; numeric=double is built in; repeatable\n"     \
    "  --include HEADER      #include HEADER in the generated header (declares your\n"             \
    "                        types and codecs); repeatable\n"

extern type_map *cli_type_maps;
extern size_t cli_ntype_maps;
extern const char **cli_includes;
extern size_t cli_nincludes;

/*
 * Handle --map-type / --include: returns 1 when handled, 0 when `c` is not
 * one of them, -1 after printing a usage error for a bad specification.
 */
int map_opt(int c, const char *arg, const char *cmd);

/* Load, open the database, analyse. On EXIT_OK, *out holds the analysis. */
int analyse_project(const common_opts *o, inputs *in, analysis **out, diag_list *dl);

#endif
