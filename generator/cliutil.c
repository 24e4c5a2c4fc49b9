/*
 * cliutil.c — helpers shared by the command files (see cliutil.h).
 */
#include "cliutil.h"
#include "analyze.h"
#include "fsutil.h"
#include "migrate_files.h"
#include "redact.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGRATIONS_HELP "  --migrations DIR      migration files (default: migrations)\n"
#define QUERIES_HELP                                                                               \
    "  --queries PATH        query directory (read recursively) or .sql file;\n"                   \
    "                        repeatable (default: queries)\n"
#define URL_HELP                                                                                   \
    "  --database-url URL    use this server as it is (default: $DATABASE_URL, else an\n"          \
    "                        embedded throwaway PostgreSQL with the migrations applied)\n"         \
    "  --help                show help for the command\n"

const char common_help[] = "Common options:\n" MIGRATIONS_HELP URL_HELP;
const char common_help_with_queries[] = "Common options:\n" MIGRATIONS_HELP QUERIES_HELP URL_HELP;

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
    strbuf msg = STRBUF_INIT;
    va_start(ap, fmt);
    strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    /* A stray argument may be a URL with a password in it: never echo one. */
    char *safe = redact_conninfo(msg.buf);
    fputs("pgqc: ", stderr);
    redact_fputs(safe, stderr);
    fprintf(stderr, "\nTry 'pgqc %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    free(safe);
    strbuf_release(&msg);
    return EXIT_USAGE;
}

/* ---- option parsing -------------------------------------------------------- */

static const struct option *getopt_longopts;
static char **getopt_argv;

int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts)
{
    getopt_longopts = longopts;
    getopt_argv = argv;
    opterr = 0; /* option_error() says what went wrong, with a did-you-mean */
    return getopt_long(argc, argv, optstring, longopts, NULL);
}

const char *closest_option(const char *name, size_t len, const struct option *longopts)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    char *want = xstrndup(name, len);
    for (const struct option *o = longopts; o && o->name; o++) {
        size_t d = edit_distance(want, o->name);
        /* A prefix of an option ("--verb") or one with a typo ("--ouut"). */
        if (strncmp(o->name, want, len) == 0 && len >= 2)
            d = d < 1 ? d : 1;
        if (d < bestd) {
            bestd = d;
            best = o->name;
        }
    }
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    free(want);
    return bestd <= limit ? best : NULL;
}

/* Is name[0..len) an option of some pgqc command? (For "not used by" messages only.) */
static bool option_of_pgqc(const char *name, size_t len)
{
    static const char *const all[] = {"migrations",   "queries",
                                      "database-url", "out",
                                      "name",         "depfile",
                                      "json",         "to",
                                      "dry-run",      "steps",
                                      "strict",       "force",
                                      "seeds",        "seed",
                                      "no-cache",     "verbose",
                                      "map-type",     "include",
                                      "lock",         "offline",
                                      "reanalyze",    "embed-migrations"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strlen(all[i]) == len && strncmp(all[i], name, len) == 0)
            return true;
    return false;
}

int option_error(const char *cmd)
{
    const char *arg = getopt_argv && optind > 0 ? getopt_argv[optind - 1] : NULL;
    if (!arg || strncmp(arg, "--", 2) != 0) {
        if (optopt > 0 && optopt < 0x100)
            return usage_error(cmd, "unknown option \"-%c\"", optopt);
        return usage_error(cmd, "invalid option \"%s\"", arg ? arg : "?");
    }
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    size_t prefix_matches = 0;
    const struct option *exact = NULL;
    strbuf candidates = STRBUF_INIT;
    for (const struct option *o = getopt_longopts; o && o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len)
            exact = o;
        strbuf_addf(&candidates, "%s--%s", prefix_matches++ ? ", " : "", o->name);
    }
    int st;
    if (exact && exact->has_arg == required_argument && !eq)
        st = usage_error(cmd, "option \"--%s\" needs a value", exact->name);
    else if (exact && exact->has_arg == no_argument && eq)
        st = usage_error(cmd, "option \"--%s\" takes no value", exact->name);
    else if (!exact && prefix_matches > 1)
        st =
            usage_error(cmd, "option \"--%.*s\" is ambiguous (%s)", (int)len, name, candidates.buf);
    else if (!exact && option_of_pgqc(name, len))
        st = usage_error(cmd, "option \"--%.*s\" is not used by `pgqc %s`", (int)len, name,
                         cmd ? cmd : "");
    else {
        const char *best = closest_option(name, len, getopt_longopts);
        if (best)
            st = usage_error(cmd, "unknown option \"--%.*s\" (did you mean \"--%s\"?)", (int)len,
                             name, best);
        else
            st = usage_error(cmd, "unknown option \"--%.*s\"", (int)len, name);
    }
    strbuf_release(&candidates);
    return st;
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
        redact_register(arg);
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

/* ---- loading inputs ------------------------------------------------------ */

void inputs_free(inputs *in)
{
    for (size_t i = 0; i < in->nfiles; i++)
        query_file_free(in->files[i]);
    free(in->files);
    for (size_t i = 0; i < in->npaths; i++)
        free(in->paths[i]);
    free(in->paths);
    pgqc_migration_set_free(in->migrations);
}

/* A file named twice (`--queries q --queries q/a.sql`) is read once. */
static void drop_duplicate_paths(inputs *in)
{
    char **real = xcalloc(in->npaths + 1, sizeof *real);
    size_t kept = 0;
    for (size_t i = 0; i < in->npaths; i++) {
        char *r = realpath(in->paths[i], NULL);
        bool dup = false;
        for (size_t k = 0; r && k < kept && !dup; k++)
            dup = real[k] && strcmp(real[k], r) == 0;
        if (dup) {
            free(r);
            free(in->paths[i]);
            continue;
        }
        real[kept] = r;
        in->paths[kept++] = in->paths[i];
    }
    for (size_t i = 0; i < kept; i++)
        free(real[i]);
    free(real);
    in->npaths = kept;
}

int load_inputs(const common_opts *o, bool need_queries, inputs *in, diag_list *dl)
{
    memset(in, 0, sizeof *in);
    if (!fs_is_dir(o->migrations)) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "migrations directory \"%s\" not found",
                             o->migrations);
        diag_set_hint(d, "create it (pgqc migrate new NAME) or pass --migrations DIR");
        return EXIT_USAGE;
    }
    pgqc_migrate_result res;
    if (!migrate_load_set(o->migrations, &in->migrations, &res)) {
        dbsource_report_migrate(&res, dl);
        pgqc_migrate_result_free(&res);
        return EXIT_ERRORS;
    }
    pgqc_migrate_result_free(&res);
    if (!need_queries)
        return EXIT_OK;
    for (size_t i = 0; i < o->nqueries; i++) {
        char *err = NULL;
        if (!fs_list_sql_tree(o->queries[i], &in->paths, &in->npaths, &err)) {
            diag *d = diag_plain(dl, DIAG_ERROR, NULL, "queries: %s", err);
            diag_set_hint(d, "pass --queries DIR (or a .sql file)");
            free(err);
            return EXIT_USAGE;
        }
    }
    drop_duplicate_paths(in);
    in->files = xcalloc(in->npaths + 1, sizeof *in->files);
    for (size_t i = 0; i < in->npaths; i++) {
        char *err = NULL;
        size_t len = 0;
        char *text = fs_read_bytes(in->paths[i], &len, &err);
        if (!text) {
            diag_plain(dl, DIAG_ERROR, in->paths[i], "%s", err);
            free(err);
            continue;
        }
        query_file_parse_bytes(in->paths[i], text, len, &in->files[in->nfiles++], dl);
        free(text);
    }
    if (in->npaths == 0)
        diag_plain(dl, DIAG_WARNING, NULL, "no .sql query files found");
    return EXIT_OK;
}

dbsource_options db_options;
static strbuf db_log = STRBUF_INIT;

bool cache_opt(int c)
{
    if (c == OPT_NO_CACHE)
        db_options.no_cache = true;
    else if (c == OPT_VERBOSE)
        db_options.log = &db_log;
    else
        return false;
    return true;
}

void print_db_log(void)
{
    const char *line = db_log.buf;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *one = xstrndup(line, len);
        fputs("pgqc: ", stderr);
        redact_fputs(one, stderr);
        fputc('\n', stderr);
        free(one);
        line += len + (nl ? 1 : 0);
    }
    strbuf_release(&db_log);
}

int analyse_project(const common_opts *o, inputs *in, analysis **out, diag_list *dl)
{
    *out = NULL;
    int st = load_inputs(o, true, in, dl);
    if (st != EXIT_OK)
        return st;
    dbsource src;
    dbsource_options dbo = db_options;
    dbo.read_only = true; /* analysis only PREPAREs: the cached template will do */
    dbsrc_status ds = dbsource_open_with(o->database_url, in->migrations, true, &dbo, &src, dl);
    print_db_log();
    if (ds != DBSRC_OK)
        return status_for(ds);
    *out = analyze_queries_with(src.pg, in->files, in->nfiles, cli_type_maps, cli_ntype_maps, dl);
    dbsource_close(&src);
    return dl->errors ? EXIT_ERRORS : EXIT_OK;
}

void inputs_all_paths(const inputs *in, char ***paths, size_t *n)
{
    size_t alloc = 0;
    *paths = NULL;
    *n = 0;
    for (size_t i = 0; i < in->npaths; i++) {
        ALLOC_GROW(*paths, *n + 1, alloc);
        (*paths)[(*n)++] = xstrdup(in->paths[i]);
    }
    for (size_t i = 0; in->migrations && i < in->migrations->count; i++) {
        const pgqc_migration *m = &in->migrations->items[i];
        ALLOC_GROW(*paths, *n + 2, alloc);
        (*paths)[(*n)++] = xstrdup(m->up_name);
        if (m->down_name)
            (*paths)[(*n)++] = xstrdup(m->down_name);
    }
}

type_map *cli_type_maps;
size_t cli_ntype_maps;
const char **cli_includes;
size_t cli_nincludes;

int map_opt(int c, const char *arg, const char *cmd)
{
    static size_t maps_alloc, includes_alloc;
    if (c == OPT_INCLUDE) {
        if (!include_header_ok(arg)) {
            usage_error(cmd,
                        "--include \"%s\": not a header name (no control characters, quotes, "
                        "backslashes, //, /* or ?\?)",
                        arg);
            return -1;
        }
        ALLOC_GROW(cli_includes, cli_nincludes + 1, includes_alloc);
        cli_includes[cli_nincludes++] = arg;
        return 1;
    }
    if (c != OPT_MAP_TYPE)
        return 0;
    type_map m;
    char *err = NULL;
    if (!type_map_parse(arg, &m, &err)) {
        usage_error(cmd, "%s", err);
        free(err);
        return -1;
    }
    for (size_t i = 0; i < cli_ntype_maps; i++)
        if (strcmp(cli_type_maps[i].pg_type, m.pg_type) == 0) {
            usage_error(cmd, "--map-type: type %s is mapped twice", m.pg_type);
            type_map_free(&m);
            return -1;
        }
    ALLOC_GROW(cli_type_maps, cli_ntype_maps + 1, maps_alloc);
    cli_type_maps[cli_ntype_maps++] = m;
    return 1;
}
