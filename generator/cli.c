/*
 * cli.c — the `pgqc` command: option parsing, running the pipeline stages,
 * printing diagnostics and choosing the exit status. Together with
 * cmd_migrate.c (the `migrate` and `seed` commands) and cliutil.c (the
 * helpers both share) it is the only code that prints or exits.
 *
 * Exit status (DESIGN.md): 0 ok; 1 query or migration errors; 2 usage or
 * configuration errors; 3 cannot reach or start a database.
 */
#include "analysis_json.h"
#include "analyze.h"
#include "cliutil.h"
#include "cmd_migrate.h"
#include "dbsource.h"
#include "diag.h"
#include "emit_c.h"
#include "fsutil.h"
#include "querysrc.h"
#include "strbuf.h"
#include "tmpdb.h"

#include <pgqc/migrate.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- loading inputs ------------------------------------------------------ */

typedef struct inputs {
    query_file **files;
    size_t nfiles;
    char **paths;       /* every query file read, for the depfile */
    size_t npaths;
    pgqc_migration_set *migrations;
} inputs;

static void inputs_free(inputs *in)
{
    for (size_t i = 0; i < in->nfiles; i++)
        query_file_free(in->files[i]);
    free(in->files);
    for (size_t i = 0; i < in->npaths; i++)
        free(in->paths[i]);
    free(in->paths);
    pgqc_migration_set_free(in->migrations);
}

/* Read migrations and query files. Returns an exit status (EXIT_OK to go on). */
static int load_inputs(const common_opts *o, bool need_queries, inputs *in, diag_list *dl)
{
    memset(in, 0, sizeof *in);
    if (!fs_is_dir(o->migrations)) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "migrations directory \"%s\" not found",
                             o->migrations);
        diag_set_hint(d, "create it (pgqc migrate new NAME) or pass --migrations DIR");
        return EXIT_USAGE;
    }
    pgqc_migrate_result res;
    if (!pgqc_migration_set_load_dir(o->migrations, &in->migrations, &res)) {
        dbsource_report_migrate(&res, dl);
        pgqc_migrate_result_free(&res);
        return EXIT_ERRORS;
    }
    pgqc_migrate_result_free(&res);
    if (!need_queries)
        return EXIT_OK;
    for (size_t i = 0; i < o->nqueries; i++) {
        char *err = NULL;
        if (!fs_list_sql(o->queries[i], &in->paths, &in->npaths, &err)) {
            diag *d = diag_plain(dl, DIAG_ERROR, NULL, "queries: %s", err);
            diag_set_hint(d, "pass --queries DIR (or a .sql file)");
            free(err);
            return EXIT_USAGE;
        }
    }
    in->files = xcalloc(in->npaths + 1, sizeof *in->files);
    for (size_t i = 0; i < in->npaths; i++) {
        char *err = NULL;
        char *text = fs_read_file(in->paths[i], NULL, &err);
        if (!text) {
            diag_plain(dl, DIAG_ERROR, in->paths[i], "%s", err);
            free(err);
            continue;
        }
        query_file_parse(in->paths[i], text, &in->files[in->nfiles++], dl);
        free(text);
    }
    if (in->npaths == 0)
        diag_plain(dl, DIAG_WARNING, NULL, "no .sql query files found");
    return EXIT_OK;
}

/* The embedded database's options (generate, describe, run): see dbsource.h. */
enum { OPT_NO_CACHE = 0x300, OPT_VERBOSE };
#define CACHE_LONGOPTS                                                                             \
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},                                                 \
    {                                                                                              \
        "verbose", no_argument, NULL, OPT_VERBOSE                                                  \
    }
#define CACHE_HELP                                                                                 \
    "  --no-cache            embedded database: do not use the cache of initialised\n"             \
    "                        clusters and migrated templates ($PGQC_CACHE_DIR, else\n"             \
    "                        $XDG_CACHE_HOME/pgqc or ~/.cache/pgqc)\n"                             \
    "  --verbose             say what the embedded database reused or built\n"

static dbsource_options db_options;
static strbuf db_log = STRBUF_INIT;

/* Handle --no-cache / --verbose; returns false when `c` is not one. */
static bool cache_opt(int c)
{
    if (c == OPT_NO_CACHE)
        db_options.no_cache = true;
    else if (c == OPT_VERBOSE)
        db_options.log = &db_log;
    else
        return false;
    return true;
}

/* Print (for --verbose) what the embedded database did. */
static void print_db_log(void)
{
    const char *line = db_log.buf;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        fprintf(stderr, "pgqc: %.*s\n", len, line);
        line += len + (nl ? 1 : 0);
    }
    strbuf_release(&db_log);
}

/* Load, open the database, analyse. On EXIT_OK, *out holds the analysis. */
static int analyse_project(const common_opts *o, inputs *in, analysis **out, diag_list *dl)
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
    *out = analyze_queries(src.pg, in->files, in->nfiles, dl);
    dbsource_close(&src);
    return dl->errors ? EXIT_ERRORS : EXIT_OK;
}

/* ---- generate ----------------------------------------------------------- */

static const char generate_help[] =
    "Usage: pgqc generate --out DIR [--name PREFIX] [--depfile FILE] [options]\n"
    "\n"
    "Analyse every query against the schema the migrations produce and write\n"
    "DIR/PREFIX.h and DIR/PREFIX.c (atomically, and only when they change).\n"
    "\n"
    "  --out DIR             output directory (created if missing)\n"
    "  --name PREFIX         symbol prefix and file name stem (default: db)\n"
    "  --depfile FILE        write a make/ninja depfile listing every input\n" CACHE_HELP;

static void add_dep(strbuf *sb, const char *path)
{
    strbuf_addch(sb, ' ');
    for (const char *p = path; *p; p++) {
        if (*p == ' ' || *p == '#' || *p == '\\')
            strbuf_addch(sb, '\\');
        if (*p == '$')
            strbuf_addch(sb, '$');
        strbuf_addch(sb, *p);
    }
}

static bool write_output(const char *path, const strbuf *content, diag_list *dl)
{
    bool changed;
    char *err = NULL;
    if (!fs_write_if_changed(path, content->buf, content->len, &changed, &err)) {
        diag_plain(dl, DIAG_ERROR, NULL, "%s", err);
        free(err);
        return false;
    }
    return true;
}

static int cmd_generate(int argc, char **argv)
{
    common_opts o = {0};
    const char *out = NULL, *name = "db", *depfile = NULL;
    static const struct option longopts[] = {COMMON_LONGOPTS,
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"name", required_argument, NULL, OPT_NAME},
                                             {"depfile", required_argument, NULL, OPT_DEPFILE},
                                             CACHE_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (common_opt(&o, c, optarg) || cache_opt(c))
            continue;
        switch (c) {
        case OPT_OUT: out = optarg; break;
        case OPT_NAME: name = optarg; break;
        case OPT_DEPFILE: depfile = optarg; break;
        case OPT_HELP: printf("%s\n%s", generate_help, common_help); return EXIT_OK;
        default: return usage_error("generate", "invalid option");
        }
    }
    if (optind < argc)
        return usage_error("generate", "unexpected argument \"%s\"", argv[optind]);
    if (!out)
        return usage_error("generate", "--out DIR is required");
    if (!c_ident_ok(name))
        return usage_error("generate", "--name \"%s\" is not a valid C identifier", name);
    common_defaults(&o);

    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    analysis *a = NULL;
    int st = analyse_project(&o, &in, &a, &dl);
    if (st == EXIT_OK) {
        strbuf h = STRBUF_INIT, src = STRBUF_INIT;
        char *hname = xstrfmt("%s.h", name);
        emit_options eo = {name, hname};
        char *err = NULL;
        if (!emit_c(a, &eo, &h, &src, &dl) || !fs_mkdirs(out, false, &err)) {
            if (err)
                diag_plain(&dl, DIAG_ERROR, NULL, "%s", err);
            free(err);
            st = EXIT_ERRORS;
        } else {
            char *hpath = xstrfmt("%s/%s.h", out, name);
            char *cpath = xstrfmt("%s/%s.c", out, name);
            if (!write_output(hpath, &h, &dl) || !write_output(cpath, &src, &dl))
                st = EXIT_ERRORS;
            if (st == EXIT_OK && depfile) {
                strbuf dep = STRBUF_INIT;
                strbuf_addstr(&dep, cpath + 0);
                strbuf_addch(&dep, ' ');
                strbuf_addstr(&dep, hpath);
                strbuf_addch(&dep, ':');
                for (size_t i = 0; i < in.npaths; i++)
                    add_dep(&dep, in.paths[i]);
                for (size_t i = 0; i < in.migrations->count; i++) {
                    add_dep(&dep, in.migrations->items[i].up_name);
                    if (in.migrations->items[i].down_name)
                        add_dep(&dep, in.migrations->items[i].down_name);
                }
                strbuf_addch(&dep, '\n');
                if (!write_output(depfile, &dep, &dl))
                    st = EXIT_ERRORS;
                strbuf_release(&dep);
            }
            free(hpath);
            free(cpath);
        }
        free(hname);
        strbuf_release(&h);
        strbuf_release(&src);
    }
    analysis_free(a);
    inputs_free(&in);
    free(o.queries);
    return finish(&dl, st);
}

/* ---- describe ------------------------------------------------------------ */

static const char describe_help[] =
    "Usage: pgqc describe [--json] [options]\n"
    "\n"
    "Print what pgqc inferred for every query: parameters and result columns\n"
    "with their types, nullability and why.\n"
    "\n"
    "  --json                machine-readable output (the lock file's format)\n" CACHE_HELP;

static void print_table(const analysis *a)
{
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        printf("%s%s (:%s)  %s:%d\n", i ? "\n" : "", q->name, query_cmd_name(q->cmd), q->file,
               q->line);
        for (size_t k = 0; k < q->nparams; k++) {
            const an_param *p = &q->params[k];
            printf("  $%-3d %-24s %-28s %-9s %s\n", p->number, p->name, p->type_name,
                   p->nullable ? "nullable" : "not null",
                   p->nullable_reason ? p->nullable_reason : "");
        }
        for (size_t k = 0; k < q->ncols; k++) {
            const an_column *c = &q->cols[k];
            printf("  %-28s %-28s %-9s %s\n", c->name, c->type_name,
                   c->nullable ? "nullable" : "not null",
                   c->nullable ? (c->nullable_reason ? c->nullable_reason : "")
                               : (c->source ? c->source : ""));
        }
    }
}

static int cmd_describe(int argc, char **argv)
{
    common_opts o = {0};
    bool json = false;
    static const struct option longopts[] = {COMMON_LONGOPTS,
                                             {"json", no_argument, NULL, OPT_JSON},
                                             CACHE_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (common_opt(&o, c, optarg) || cache_opt(c))
            continue;
        switch (c) {
        case OPT_JSON: json = true; break;
        case OPT_HELP: printf("%s\n%s", describe_help, common_help); return EXIT_OK;
        default: return usage_error("describe", "invalid option");
        }
    }
    if (optind < argc)
        return usage_error("describe", "unexpected argument \"%s\"", argv[optind]);
    common_defaults(&o);
    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    analysis *a = NULL;
    int st = analyse_project(&o, &in, &a, &dl);
    if (a && (st == EXIT_OK || a->nqueries)) {
        if (json) {
            json_t *j = analysis_to_json(a);
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            puts(s);
            free(s);
            json_decref(j);
        } else {
            print_table(a);
        }
    }
    analysis_free(a);
    inputs_free(&in);
    free(o.queries);
    return finish(&dl, st);
}

/* ---- run ----------------------------------------------------------------- */

static const char run_help[] =
    "Usage: pgqc run [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Start the embedded throwaway PostgreSQL, apply the migrations, run\n"
    "COMMAND with DATABASE_URL pointing at it, then remove the database.\n"
    "Exits with COMMAND's status.\n\n" CACHE_HELP;

static int cmd_run(int argc, char **argv)
{
    common_opts o = {0};
    static const struct option longopts[] = {COMMON_LONGOPTS, CACHE_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        if (common_opt(&o, c, optarg) || cache_opt(c))
            continue;
        if (c == OPT_HELP) {
            printf("%s\n%s", run_help, common_help);
            return EXIT_OK;
        }
        return usage_error("run", "invalid option");
    }
    if (optind >= argc)
        return usage_error("run", "no command to run");
    common_defaults(&o);
    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    int st = load_inputs(&o, false, &in, &dl);
    if (st != EXIT_OK) {
        inputs_free(&in);
        free(o.queries);
        return finish(&dl, st);
    }
    dbsource src;
    dbsrc_status ds = dbsource_open_with(NULL, in.migrations, false, &db_options, &src, &dl);
    print_db_log();
    /* `run` always uses the embedded database: ignore DATABASE_URL. */
    (void)ds;
    if (ds != DBSRC_OK) {
        inputs_free(&in);
        free(o.queries);
        return finish(&dl, status_for(ds));
    }
    PQfinish(src.pg);
    src.pg = NULL;
    diag_list_print(&dl, stderr, use_color());
    pid_t pid = fork();
    if (pid == 0) {
        setenv("DATABASE_URL", src.conninfo, 1);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "pgqc: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    int wst = 0;
    /* While the command runs, pgqc ignores Ctrl-C (the command gets it). */
    signal(SIGINT, SIG_IGN);
    while (pid > 0 && waitpid(pid, &wst, 0) < 0 && errno == EINTR)
        ;
    dbsource_close(&src);
    inputs_free(&in);
    free(o.queries);
    diag_list_free(&dl);
    if (pid < 0)
        return EXIT_DATABASE;
    if (WIFEXITED(wst))
        return WEXITSTATUS(wst);
    return 128 + (WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
}

/* ---- main ---------------------------------------------------------------- */

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static int cmd_help(int argc, char **argv);

static const command commands[] = {
    {"generate", cmd_generate, "analyse queries and write PREFIX.h / PREFIX.c"},
    {"describe", cmd_describe, "print the analysis of every query (--json for machines)"},
    {"migrate", cmd_migrate, "new, lint, up, down, status, verify, repair, reset migrations"},
    {"seed", cmd_seed, "load development data (seeds/*.sql) into a migrated database"},
    {"run", cmd_run, "run a command against a throwaway migrated database"},
    {"help", cmd_help, "show help for a command"},
};

static void print_main_help(FILE *out)
{
    fprintf(out, "pgqc %s - type-checked PostgreSQL queries for C\n\n"
                 "Usage: pgqc COMMAND [options]\n\nCommands:\n",
            PGQC_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n%s\nRun 'pgqc COMMAND --help' for a command's options.\n"
                 "Exit status: 0 ok, 1 query or migration errors, 2 usage or configuration\n"
                 "errors, 3 cannot reach or start a database.\n",
            common_help);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_main_help(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, argv[1]) == 0 && commands[i].run != cmd_help) {
            char *args[] = {argv[1], "--help", NULL};
            optind = 1;
            return commands[i].run(2, args);
        }
    return usage_error(NULL, "unknown command \"%s\"", argv[1]);
}

static void on_signal(int sig)
{
    fs_cleanup_pending_temp();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        print_main_help(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_main_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("pgqc %s\n", PGQC_VERSION_STRING);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) == 0) {
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t d = edit_distance(cmd, commands[i].name);
        if (d < bestd) {
            bestd = d;
            best = commands[i].name;
        }
    }
    if (cmd[0] == '-')
        return usage_error(NULL, "unknown option \"%s\"", cmd);
    if (best && bestd <= 2)
        return usage_error(NULL, "unknown command \"%s\" (did you mean \"%s\"?)", cmd, best);
    return usage_error(NULL, "unknown command \"%s\"", cmd);
}
