/*
 * cli.c — the `pgqc` command: option parsing, running the pipeline stages,
 * printing diagnostics and choosing the exit status; `run`, `help` and the
 * command table live here. Together with cmd_generate.c (generate,
 * describe, check), cmd_migrate.c (migrate, seed) and cliutil.c (the helpers
 * they share) it is the only code that prints or exits.
 *
 * Exit status (DESIGN.md): 0 ok; 1 query or migration errors; 2 usage or
 * configuration errors; 3 cannot reach or start a database.
 */
#include "analysis_json.h"
#include "analyze.h"
#include "cliutil.h"
#include "cmd_generate.h"
#include "cmd_migrate.h"
#include "cmd_schema.h"
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
    {"check", cmd_check, "fail when generated code or pgqc.lock is stale (for CI)"},
    {"migrate", cmd_migrate, "new, lint, up, down, status, verify, repair, reset migrations"},
    {"seed", cmd_seed, "load development data (seeds/*.sql) into a migrated database"},
    {"schema", cmd_schema, "diff: compare a live database with the migrations' schema"},
    {"run", cmd_run, "run a command against a throwaway migrated database"},
    {"help", cmd_help, "show help for a command"},
};

static void print_main_help(FILE *out)
{
    fprintf(out,
            "pgqc %s - type-checked PostgreSQL queries for C\n\n"
            "Usage: pgqc COMMAND [options]\n\nCommands:\n",
            PGQC_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n%s\nRun 'pgqc COMMAND --help' for a command's options.\n"
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
