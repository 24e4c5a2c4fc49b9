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
#include "redact.h"
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
    "COMMAND with DATABASE_URL set to a postgresql:// URL of it, then remove\n"
    "the database. Exits with COMMAND's status. SIGINT, SIGTERM and SIGHUP\n"
    "sent to pgqc are passed on to COMMAND; the database is removed once\n"
    "COMMAND has exited. The database is always a throwaway one:\n"
    "--database-url is refused, and DATABASE_URL is replaced for COMMAND.\n\n" CACHE_HELP;

/* Append `s` percent-encoded: everything but RFC 3986's unreserved characters. */
static void add_percent_encoded(strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            strbuf_addch(sb, (char)*p);
        else
            strbuf_addf(sb, "%%%02X", *p);
    }
}

/*
 * The libpq keyword/value `conninfo` as a postgresql:// URL (malloc'ed):
 * user, host (a socket directory, percent-encoded), port and dbname in
 * their places, every other parameter in the query string. NULL when it
 * cannot be parsed.
 */
static char *conninfo_to_url(const char *conninfo)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        PQfreemem(perr);
        return NULL;
    }
    const char *user = NULL, *host = NULL, *port = NULL, *dbname = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "user") == 0)
            user = o->val;
        else if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            dbname = o->val;
    }
    strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "postgresql://");
    if (user) {
        add_percent_encoded(&sb, user);
        strbuf_addch(&sb, '@');
    }
    if (host)
        add_percent_encoded(&sb, host);
    if (port)
        strbuf_addf(&sb, ":%s", port);
    strbuf_addch(&sb, '/');
    if (dbname)
        add_percent_encoded(&sb, dbname);
    char sep = '?';
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val || strcmp(o->keyword, "user") == 0 ||
            strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "port") == 0 ||
            strcmp(o->keyword, "dbname") == 0)
            continue;
        strbuf_addf(&sb, "%c%s=", sep, o->keyword);
        add_percent_encoded(&sb, o->val);
        sep = '&';
    }
    PQconninfoFree(opts);
    return strbuf_detach(&sb, NULL);
}

/* The command `run` started, for the signal handler (0: none yet). */
static volatile sig_atomic_t run_child;

/*
 * Pass a signal on to the command. One a terminal sent (Ctrl-C: si_code
 * SI_KERNEL) already reached the command, which shares pgqc's process
 * group; sending it again would deliver it twice.
 */
static void forward_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    if (run_child > 0 && !(si && si->si_code == SI_KERNEL))
        kill((pid_t)run_child, sig);
}

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP};

static int cmd_run(int argc, char **argv)
{
    common_opts o = {0};
    static const struct option longopts[] = {COMMON_LONGOPTS, CACHE_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_getopt(argc, argv, "+", longopts)) != -1) {
        if (common_opt(&o, c, optarg) || cache_opt(c))
            continue;
        if (c == OPT_HELP) {
            printf("%s\n%s", run_help, common_help);
            return EXIT_OK;
        }
        return option_error("run");
    }
    if (o.database_url) {
        free(o.queries);
        return usage_error("run",
                           "--database-url is not accepted: `run` always runs COMMAND against a "
                           "throwaway database it migrates and removes; to run a command against "
                           "your database, set DATABASE_URL for it yourself");
    }
    if (optind >= argc) {
        free(o.queries);
        return usage_error("run", "no command to run");
    }
    common_defaults(&o);
    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    int st = load_inputs(&o, false, &in, &dl);
    if (st != EXIT_OK) {
        inputs_free(&in);
        free(o.queries);
        return finish(&dl, st);
    }
    /* The database is the embedded one, whatever DATABASE_URL says. */
    unsetenv("DATABASE_URL");
    dbsource src;
    dbsrc_status ds = dbsource_open_with(NULL, in.migrations, false, &db_options, &src, &dl);
    print_db_log();
    if (ds != DBSRC_OK) {
        inputs_free(&in);
        free(o.queries);
        return finish(&dl, status_for(ds));
    }
    PQfinish(src.pg);
    src.pg = NULL;
    diag_list_print(&dl, stderr, use_color());
    char *url = conninfo_to_url(src.conninfo);

    /* Signals wait until the command's pid is known, then go to it. */
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaddset(&block, forwarded_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = url ? fork() : -1;
    if (pid == 0) {
        for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
            signal(forwarded_signals[i], SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        setenv("DATABASE_URL", url, 1);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "pgqc: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    run_child = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaction(forwarded_signals[i], &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* Wait without reaping, stop forwarding, then reap: a signal can never
     * reach another process that got the command's pid after it. */
    siginfo_t si;
    while (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        signal(forwarded_signals[i], SIG_DFL);
    run_child = 0;
    int wst = 0;
    while (pid > 0 && waitpid(pid, &wst, 0) < 0 && errno == EINTR)
        ;
    if (pid < 0)
        fprintf(stderr, "pgqc: cannot run %s: %s\n", argv[optind],
                url ? strerror(errno) : "no database URL");
    free(url);
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
    {"migrate", cmd_migrate, "new, lint, up, down, status, verify, repair, reset, embed"},
    {"seed", cmd_seed, "load development data (seeds/*.sql) into a migrated database"},
    {"schema", cmd_schema, "diff: compare a live database with the migrations' schema"},
    {"run", cmd_run, "run a command against a throwaway migrated database"},
    {"help", cmd_help, "show help for a command"},
};

static void print_main_help(FILE *out)
{
    fprintf(out,
            "pgqc %s - type-checked PostgreSQL queries for C\n\n"
            "Usage: pgqc [common options] COMMAND [options]\n\nCommands:\n",
            PGQC_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n%s\nRun 'pgqc COMMAND --help' for a command's options.\n"
            "Exit status: 0 ok, 1 query or migration errors, 2 usage or configuration\n"
            "errors, 3 cannot reach or start a database.\n",
            common_help_with_queries);
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

/*
 * Before anything can be printed: the passwords of DATABASE_URL and of
 * every --database-url (also abbreviated, as getopt allows, and wherever it
 * stands) are registered, so no message can echo them.
 */
static void register_secrets(int argc, char **argv)
{
    redact_register(getenv("DATABASE_URL"));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        if (strcmp(a, "--") == 0)
            break;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (strncmp(a, "--", 2) != 0 || len < 4 || strncmp(a + 2, "database-url", len - 2) != 0)
            continue;
        if (eq)
            redact_register(eq + 1);
        else if (i + 1 < argc)
            redact_register(argv[i + 1]);
    }
}

/* Options that may come before the command: they apply to it. */
static const struct option global_longopts[] = {
    COMMON_LONGOPTS, QUERIES_LONGOPT, CACHE_LONGOPTS, {NULL, 0, NULL, 0}};

static const struct option *find_global(const char *name, size_t len)
{
    const struct option *match = NULL;
    size_t n = 0;
    for (const struct option *o = global_longopts; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len)
            return o;
        match = o;
        n++;
    }
    return n == 1 ? match : NULL;
}

/*
 * `pgqc --migrations X run ...` and `pgqc migrate --migrations X status`:
 * move the options written from argv[start] on, before the command (or,
 * with `parent`, before parent's subcommand) to just after it (after its
 * subcommand for migrate and schema), where the command parses them like
 * its own. Returns an exit status, or -1 to go on with *out.
 */
static int hoist_options(int argc, char **argv, int start, const char *parent, char ***out)
{
    const char *what = parent ? "subcommand" : "command";
    int i = start;
    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
        const char *name = argv[i] + (argv[i][1] == '-' ? 2 : 1), *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct option *o = argv[i][1] == '-' ? find_global(name, len) : NULL;
        if (!o || o->val == OPT_HELP) {
            const char *best = closest_option(name, len, global_longopts);
            if (best)
                return usage_error(parent,
                                   "unknown option \"%.*s\" before the %s (did you "
                                   "mean \"--%s\"?)",
                                   (int)(len + (size_t)(name - argv[i])), argv[i], what, best);
            if (parent)
                return usage_error(parent, "option \"%s\" must come after the subcommand", argv[i]);
            return usage_error(NULL, "unknown option \"%s\"", argv[i]);
        }
        if (o->has_arg == required_argument && !eq && ++i >= argc)
            return usage_error(parent, "option \"--%s\" needs a value", o->name);
        i++;
    }
    if (i >= argc)
        return usage_error(parent, "a %s is required after the options", what);
    int cmd = i, insert = i + 1;
    if (!parent && (strcmp(argv[cmd], "migrate") == 0 || strcmp(argv[cmd], "schema") == 0) &&
        insert < argc && argv[insert][0] != '-')
        insert++;
    char **v = xcalloc((size_t)argc + 1, sizeof *v);
    int n = 0;
    for (int k = 0; k < start; k++)
        v[n++] = argv[k];
    for (int k = cmd; k < insert; k++)
        v[n++] = argv[k];
    for (int k = start; k < cmd; k++)
        v[n++] = argv[k];
    for (int k = insert; k < argc; k++)
        v[n++] = argv[k];
    *out = v;
    return -1;
}

/* Does `migrate` / `schema` have options (not --help) before its subcommand? */
static bool options_before_subcommand(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "migrate") != 0 && strcmp(argv[1], "schema") != 0))
        return false;
    const char *a = argv[2];
    return a[0] == '-' && strcmp(a, "--help") != 0 && strcmp(a, "-h") != 0 && strcmp(a, "--") != 0;
}

int main(int argc, char **argv)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    register_secrets(argc, argv);
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
    char **hoisted = NULL, **sub_hoisted = NULL;
    if (cmd[0] == '-') {
        int st = hoist_options(argc, argv, 1, NULL, &hoisted);
        if (st >= 0)
            return st;
        argv = hoisted;
        cmd = argv[1];
    }
    if (options_before_subcommand(argc, argv)) {
        int st = hoist_options(argc, argv, 2, argv[1], &sub_hoisted);
        if (st >= 0) {
            free(hoisted);
            return st;
        }
        argv = sub_hoisted;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) == 0) {
            optind = 1;
            int st = commands[i].run(argc - 1, argv + 1);
            free(sub_hoisted);
            free(hoisted);
            return st;
        }
    }
    free(sub_hoisted);
    free(hoisted);
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t d = edit_distance(cmd, commands[i].name);
        if (d < bestd) {
            bestd = d;
            best = commands[i].name;
        }
    }
    if (best && bestd <= 2)
        return usage_error(NULL, "unknown command \"%s\" (did you mean \"%s\"?)", cmd, best);
    return usage_error(NULL, "unknown command \"%s\"", cmd);
}
