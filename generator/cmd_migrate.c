/*
 * cmd_migrate.c — the `pgqc migrate` subcommands (new, lint, up, down,
 * status, repair, verify, reset) and `pgqc seed`: option parsing, calling
 * libpgqc's runner (include/pgqc/migrate.h) and the generator's migration
 * helpers (migrate_files.h, migrate_lint.h, migrate_verify.h), printing
 * results and choosing the exit status (cliutil.h).
 */
#include "cmd_migrate.h"
#include "cliutil.h"
#include "dbsource.h"
#include "emit_c.h"
#include "fsutil.h"
#include "migrate_embed.h"
#include "migrate_files.h"
#include "migrate_lint.h"
#include "migrate_verify.h"
#include "redact.h"
#include "strbuf.h"

#include <pgqc/migrate.h>

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything any migrate subcommand accepts. */
typedef struct mig_args {
    common_opts common;
    pgqc_migrate_options run;
    bool json, strict, force, seed, has_steps;
    const char *seeds;
    const char *name; /* `migrate new NAME` */
    const char *out;  /* `migrate embed --out DIR` */
    const char *prefix;
} mig_args;

/* Options of this file's own (cliutil.h numbers the shared ones). */
enum { OPT_MARK_APPLIED = 0x700, OPT_MARK_PENDING };

static const char migrate_help[] =
    "Usage: pgqc migrate COMMAND [options]     (pgqc migrate COMMAND --help for more)\n"
    "\n"
    "  new NAME                      create the next NNNN_NAME.up.sql and .down.sql\n"
    "  lint [--strict]               check names, pairing, SQL and risky operations\n"
    "  up [--to V] [--dry-run]       apply pending migrations in version order\n"
    "  down [--steps N | --to V] [--dry-run]\n"
    "                                revert the newest N (default 1) / those above V\n"
    "  status [--json]               applied / pending / modified / missing-file / dirty\n"
    "  repair [--mark-applied | --mark-pending] [--dry-run]\n"
    "                                after review: re-record checksums, resolve dirty\n"
    "                                migrations, forget migrations whose file was removed\n"
    "  verify                        in a throwaway database: each migration up, down,\n"
    "                                up; then up again (no-op), down all, up all\n"
    "  reset [--force] [--seed]      drop everything and re-apply (throwaway databases\n"
    "                                only, unless --force)\n"
    "  embed --out DIR [--name P]    write DIR/P_migrations.{h,c}: the set as C, for\n"
    "                                applications that migrate themselves (P: db)\n"
    "\n"
    "up, down, status, repair, reset and seed work on --database-url / DATABASE_URL\n"
    "(required: they never use the embedded throwaway server). Each migration\n"
    "commits with its row in pgqc_migrations; an advisory lock makes concurrent\n"
    "runners safe.\n"
    "\n"
    "Options:\n"
    "  --migrations DIR      migration files (default: migrations)\n"
    "  --database-url URL    the database (default: $DATABASE_URL)\n"
    "  --help                show help\n";

/* The options every command that works on the user's database takes. */
#define DB_OPTIONS                                                                                 \
    "  --migrations DIR      migration files (default: migrations)\n"                              \
    "  --database-url URL    the database to work on (default: $DATABASE_URL); required:\n"        \
    "                        this command never uses the embedded throwaway server\n"              \
    "  --help                show this help\n"
#define DIR_OPTIONS                                                                                \
    "  --migrations DIR      migration files (default: migrations)\n"                              \
    "  --help                show this help\n"

/* `pgqc migrate SUB --help` and `pgqc seed --help`. */
static const struct {
    const char *cmd;
    const char *text;
} sub_help[] = {
    {"migrate new", "Usage: pgqc migrate new NAME [options]\n\n"
                    "Create MIGRATIONS/NNNN_NAME.up.sql and .down.sql, NNNN the next version\n"
                    "after the highest, zero-padded like the existing files (default 4 digits).\n"
                    "NAME is snake_case. Never overwrites a file.\n\nOptions:\n" DIR_OPTIONS},
    {"migrate lint", "Usage: pgqc migrate lint [--strict] [options]\n\n"
                     "Check every migration file without a database: names, pairing, SQL syntax,\n"
                     "transaction control in a transactional file, changes to pgqc_migrations,\n"
                     "and operations that lock or break a live database. Errors exit 1.\n\n"
                     "Options:\n"
                     "  --strict              warnings fail too (exit 1)\n" DIR_OPTIONS},
    {"migrate up", "Usage: pgqc migrate up [--to V] [--dry-run] [options]\n\n"
                   "Apply pending migrations in version order, each in one transaction with its\n"
                   "row in pgqc_migrations (no-transaction files: statement by statement,\n"
                   "tracked by a dirty flag). The first failure stops the run.\n\n"
                   "Options:\n"
                   "  --to V                stop after version V\n"
                   "  --dry-run             print the plan, change nothing\n" DB_OPTIONS},
    {"migrate down", "Usage: pgqc migrate down [--steps N | --to V] [--dry-run] [options]\n\n"
                     "Revert applied migrations newest first with their .down.sql files. Refuses,\n"
                     "before changing anything, when one of them is up-only.\n\n"
                     "Options:\n"
                     "  --steps N             revert the newest N (default 1)\n"
                     "  --to V                revert every migration above V (--to 0: all)\n"
                     "  --dry-run             print the plan, change nothing\n" DB_OPTIONS},
    {"migrate status", "Usage: pgqc migrate status [--json] [options]\n\n"
                       "List every version in the files or in pgqc_migrations with its state\n"
                       "(applied, pending, modified, missing-file, dirty), when it was applied,\n"
                       "how long it took, and the last change `repair` made to it. Read-only.\n"
                       "Exits 1 when a migration is modified, missing its file or dirty.\n\n"
                       "Options:\n"
                       "  --json                machine-readable output\n" DB_OPTIONS},
    {"migrate repair",
     "Usage: pgqc migrate repair [--mark-applied | --mark-pending] [--dry-run] [options]\n\n"
     "The deliberate way out, after you reviewed the database, in one transaction:\n"
     "  modified      the file's new checksum is recorded (harmless edits only)\n"
     "  missing-file  the migration's row is forgotten\n"
     "  dirty         (a no-transaction migration failed part-way) as you choose:\n"
     "    --mark-applied      you finished it by hand: it counts as applied\n"
     "    --mark-pending      you undid it by hand: it is pending, `up` runs it again\n"
     "With a dirty migration and neither choice, repair prints both, changes\n"
     "nothing and exits 1. `migrate status` shows what repair did and when.\n\n"
     "Options:\n"
     "  --mark-applied        resolve dirty migrations as applied\n"
     "  --mark-pending        resolve dirty migrations as pending\n"
     "  --dry-run             print what would change, change nothing\n" DB_OPTIONS},
    {"migrate verify",
     "Usage: pgqc migrate verify [options]\n\n"
     "In a throwaway database: for each migration N, up N, then (when it has a\n"
     "down) down N must give back the schema before up N and up N again the same\n"
     "schema; then a second up must do nothing, down all must leave nothing, and\n"
     "up all again must give the same schema. Reports the first step that fails\n"
     "with every object that differs.\n\n"
     "Options:\n"
     "  --migrations DIR      migration files (default: migrations)\n"
     "  --database-url URL    create the scratch database on this server (needs\n"
     "                        CREATEDB; default: $DATABASE_URL, else the embedded\n"
     "                        throwaway server)\n"
     "  --help                show this help\n"},
    {"migrate reset", "Usage: pgqc migrate reset [--force] [--seed] [--seeds DIR] [options]\n\n"
                      "Drop every non-system schema, recreate an empty public and apply every\n"
                      "migration. Refuses a database that does not look throwaway (name ends\n"
                      "in _test, _dev or _tmp, starts with pgqc_, or its comment contains\n"
                      "pgqc:throwaway) unless --force.\n\n"
                      "Options:\n"
                      "  --force               reset even a database that does not look "
                      "throwaway\n"
                      "  --seed                run the seeds afterwards\n"
                      "  --seeds DIR           seed files (default: seeds)\n" DB_OPTIONS},
    {"migrate embed", "Usage: pgqc migrate embed --out DIR [--name P] [options]\n\n"
                      "Write DIR/P_migrations.h and .c: every migration as C, behind\n"
                      "bool P_migrations(pgqc_migration_set **, pgqc_migrate_result *), so an\n"
                      "application can migrate itself with pgqc_migrate_up(). Rewrites the\n"
                      "files only when they change.\n\n"
                      "Options:\n"
                      "  --out DIR             where to write (required)\n"
                      "  --name P              prefix of the files and function (default: "
                      "db)\n" DIR_OPTIONS},
    {"seed", "Usage: pgqc seed [--seeds DIR] [options]\n\n"
             "Run DIR/*.sql (default: seeds) in name order, all in one transaction, on\n"
             "--database-url / DATABASE_URL once every migration is applied. A failing\n"
             "seed rolls back all seeding. seed never uses the embedded throwaway\n"
             "server: seeded data there would be thrown away.\n\n"
             "Options:\n"
             "  --seeds DIR           seed files (default: seeds)\n" DB_OPTIONS},
};

static const char *help_for(const char *cmd)
{
    for (size_t i = 0; i < sizeof sub_help / sizeof sub_help[0]; i++)
        if (strcmp(sub_help[i].cmd, cmd) == 0)
            return sub_help[i].text;
    return migrate_help;
}

static bool parse_version(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    *out = v;
    return !errno && end != s && !*end && v >= 0;
}

/* Handle one option; returns an exit status, or -1 to go on. */
static int handle_opt(mig_args *a, int c, const char *cmd, const char *help)
{
    if (common_opt(&a->common, c, optarg))
        return -1;
    switch (c) {
    case OPT_TO:
        if (!parse_version(optarg, &a->run.target))
            return usage_error(cmd, "--to needs a version number, not \"%s\"", optarg);
        a->run.has_target = true;
        return -1;
    case OPT_STEPS: {
        int64_t n;
        if (!parse_version(optarg, &n) || n < 1 || n > 1000000)
            return usage_error(cmd, "--steps needs a positive number, not \"%s\"", optarg);
        a->run.steps = (int)n;
        a->has_steps = true;
        return -1;
    }
    case OPT_DRY_RUN:
        a->run.dry_run = true;
        return -1;
    case OPT_JSON:
        a->json = true;
        return -1;
    case OPT_STRICT:
        a->strict = true;
        return -1;
    case OPT_FORCE:
        a->force = true;
        return -1;
    case OPT_SEED:
        a->seed = true;
        return -1;
    case OPT_SEEDS:
        a->seeds = optarg;
        return -1;
    case OPT_OUT:
        a->out = optarg;
        return -1;
    case OPT_NAME:
        a->prefix = optarg;
        return -1;
    case OPT_MARK_APPLIED:
    case OPT_MARK_PENDING: {
        pgqc_dirty_resolution want =
            c == OPT_MARK_APPLIED ? PGQC_DIRTY_MARK_APPLIED : PGQC_DIRTY_MARK_PENDING;
        if (a->run.dirty && a->run.dirty != want)
            return usage_error(cmd, "give --mark-applied or --mark-pending, not both");
        a->run.dirty = want;
        return -1;
    }
    case OPT_HELP:
        fputs(help, stdout);
        return EXIT_OK;
    default:
        return option_error(cmd);
    }
}

/* Parse `argv` with the subcommand's options; -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, const char *cmd, const struct option *longopts,
                      int npositional, mig_args *a)
{
    memset(a, 0, sizeof *a);
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        int st = handle_opt(a, c, cmd, help_for(cmd));
        if (st >= 0)
            return st;
    }
    if (npositional == 1 && optind < argc)
        a->name = argv[optind++];
    if (optind < argc)
        return usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
    if (npositional == 1 && !a->name)
        return usage_error(cmd, "a migration NAME is required");
    /* Commands that only read files reject --database-url rather than ignore it. */
    static const char *const file_only[] = {"migrate new", "migrate lint", "migrate embed"};
    for (size_t i = 0; a->common.database_url && i < sizeof file_only / sizeof *file_only; i++)
        if (strcmp(cmd, file_only[i]) == 0)
            return usage_error(cmd,
                               "option \"--database-url\" is not used by `pgqc %s`: it works on "
                               "the migration files only",
                               cmd);
    common_defaults(&a->common);
    return -1;
}

#define OPTS(...)                                                                                  \
    static const struct option longopts[] = {COMMON_LONGOPTS, __VA_ARGS__{NULL, 0, NULL, 0}}
#define O_TO     {"to", required_argument, NULL, OPT_TO},
#define O_STEPS  {"steps", required_argument, NULL, OPT_STEPS},
#define O_DRY    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
#define O_JSON   {"json", no_argument, NULL, OPT_JSON},
#define O_STRICT {"strict", no_argument, NULL, OPT_STRICT},
#define O_FORCE  {"force", no_argument, NULL, OPT_FORCE},
#define O_SEED   {"seed", no_argument, NULL, OPT_SEED},
#define O_SEEDS  {"seeds", required_argument, NULL, OPT_SEEDS},
#define O_OUT    {"out", required_argument, NULL, OPT_OUT},
#define O_NAME   {"name", required_argument, NULL, OPT_NAME},
#define O_MARK                                                                                     \
    {"mark-applied", no_argument, NULL, OPT_MARK_APPLIED},                                         \
        {"mark-pending", no_argument, NULL, OPT_MARK_PENDING},

/* ---- the database side ------------------------------------------------- */

/* A command's loaded migrations and connection. */
typedef struct session {
    pgqc_migration_set *set;
    PGconn *pg;
} session;

static void session_close(session *s)
{
    pgqc_migration_set_free(s->set);
    if (s->pg)
        PQfinish(s->pg);
    memset(s, 0, sizeof *s);
}

static int load_set(const char *dir, pgqc_migration_set **set, diag_list *dl)
{
    if (!fs_is_dir(dir)) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "migrations directory \"%s\" not found", dir);
        diag_set_hint(d, "create it (pgqc migrate new NAME) or pass --migrations DIR");
        return EXIT_USAGE;
    }
    pgqc_migrate_result res;
    bool ok = migrate_load_set(dir, set, &res);
    if (!ok)
        dbsource_report_migrate(&res, dl);
    pgqc_migrate_result_free(&res);
    return ok ? EXIT_OK : EXIT_ERRORS;
}

/* Load the migrations and connect to the user's database. */
static int open_session(const mig_args *a, const char *cmd, session *s, diag_list *dl)
{
    memset(s, 0, sizeof *s);
    const char *url = dbsource_url(a->common.database_url);
    if (!url)
        return usage_error(cmd, "no database: pass --database-url URL or set DATABASE_URL");
    int st = load_set(a->common.migrations, &s->set, dl);
    if (st != EXIT_OK)
        return st;
    dbsrc_status why;
    s->pg = dbsource_connect(url, &why, dl);
    return s->pg ? EXIT_OK : status_for(why);
}

static int failure_status(const pgqc_migrate_result *res)
{
    return res->failure == PGQC_MIGRATE_DB_ERROR ? EXIT_DATABASE : EXIT_ERRORS;
}

static void print_planned(const pgqc_migration *m, bool up, void *ctx)
{
    bool dry = *(const bool *)ctx;
    const char *verb =
        up ? (dry ? "would apply" : "applying") : (dry ? "would revert" : "reverting");
    printf("%s %" PRId64 " %s\n", verb, m->version, up ? m->up_name : m->down_name);
    fflush(stdout);
}

/* Print the outcome of up/down/repair; returns the exit status. */
static int report_run(const pgqc_migrate_result *res, const char *verb, const char *done, bool dry,
                      diag_list *dl)
{
    if (!res->success) {
        dbsource_report_migrate(res, dl);
        return failure_status(res);
    }
    if (res->executed == 0)
        printf("nothing to %s\n", verb);
    else
        printf("%s%s %zu migration%s in %.0f ms\n", dry ? "would " : "", dry ? verb : done,
               res->executed, res->executed == 1 ? "" : "s", res->duration_ms);
    return EXIT_OK;
}

typedef pgqc_migrate_result (*run_fn)(PGconn *, const pgqc_migration_set *,
                                      const pgqc_migrate_options *);

/* up / down / repair: the same shape around a different runner. */
static int run_migrations(const mig_args *a, const char *cmd, run_fn fn, const char *verb,
                          const char *done)
{
    diag_list dl = DIAG_LIST_INIT;
    session s;
    int st = open_session(a, cmd, &s, &dl);
    if (st == EXIT_OK) {
        pgqc_migrate_options o = a->run;
        bool dry = o.dry_run;
        o.on_migration = print_planned;
        o.ctx = &dry;
        pgqc_migrate_result res = fn(s.pg, s.set, &o);
        st = report_run(&res, verb, done, dry, &dl);
        pgqc_migrate_result_free(&res);
    }
    session_close(&s);
    free(a->common.queries);
    return finish(&dl, st);
}

static int migrate_up(int argc, char **argv)
{
    OPTS(O_TO O_DRY);
    mig_args a;
    int st = parse_args(argc, argv, "migrate up", longopts, 0, &a);
    return st >= 0 ? st : run_migrations(&a, "migrate up", pgqc_migrate_up, "apply", "applied");
}

static int migrate_down(int argc, char **argv)
{
    OPTS(O_TO O_STEPS O_DRY);
    mig_args a;
    int st = parse_args(argc, argv, "migrate down", longopts, 0, &a);
    if (st >= 0)
        return st;
    if (a.has_steps && a.run.has_target)
        return usage_error("migrate down", "give --steps N or --to V, not both");
    return run_migrations(&a, "migrate down", pgqc_migrate_down, "revert", "reverted");
}

/* Repair, then say what changed for each version (from the states before). */
static int repair_session(const mig_args *a, session *s, diag_list *dl)
{
    pgqc_migration_status *before = NULL;
    size_t nbefore = 0;
    pgqc_migrate_result res;
    if (!pgqc_migrate_status(s->pg, s->set, &before, &nbefore, &res)) {
        dbsource_report_migrate(&res, dl);
        int st = failure_status(&res);
        pgqc_migrate_result_free(&res);
        return st;
    }
    pgqc_migrate_result_free(&res);
    res = pgqc_migrate_repair(s->pg, s->set, &a->run);
    for (size_t i = 0; res.success && i < res.executed; i++) {
        const char *action = NULL; /* NULL only if another runner changed the table meanwhile */
        for (size_t k = 0; k < nbefore; k++)
            if (before[k].version == res.versions[i])
                action = pgqc_migration_repair_action(before[k].state, a->run.dirty);
        printf("%s version %" PRId64 "%s%s\n", a->run.dry_run ? "would repair" : "repaired",
               res.versions[i], action ? ": " : "", action ? action : "");
    }
    int st = report_run(&res, "repair", "repaired", a->run.dry_run, dl);
    pgqc_migrate_result_free(&res);
    pgqc_migrate_status_free(before, nbefore);
    return st;
}

static int migrate_repair(int argc, char **argv)
{
    OPTS(O_DRY O_MARK);
    mig_args a;
    int st = parse_args(argc, argv, "migrate repair", longopts, 0, &a);
    if (st >= 0)
        return st;
    diag_list dl = DIAG_LIST_INIT;
    session s;
    st = open_session(&a, "migrate repair", &s, &dl);
    if (st == EXIT_OK)
        st = repair_session(&a, &s, &dl);
    session_close(&s);
    free(a.common.queries);
    return finish(&dl, st);
}

/* ---- status ---------------------------------------------------------------- */

static json_t *status_json(const pgqc_migration_status *st, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *repair =
            st[i].repair ? json_pack("{s:s, s:s?}", "action", st[i].repair, "at", st[i].repaired_at)
                         : NULL;
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:f, s:b, s:o?}", "version",
                      (json_int_t)st[i].version, "description", st[i].description, "state",
                      pgqc_migration_state_name(st[i].state), "file", st[i].file, "checksum",
                      st[i].checksum[0] ? st[i].checksum : NULL, "applied_checksum",
                      st[i].applied_checksum[0] ? st[i].applied_checksum : NULL, "applied_at",
                      st[i].applied_at, "execution_ms", st[i].execution_ms, "has_down",
                      (int)st[i].has_down, "repair", repair);
        json_array_append_new(arr, o);
    }
    return json_pack("{s:o}", "migrations", arr);
}

static void print_status(const pgqc_migration_status *st, size_t n, bool json)
{
    if (json) {
        json_t *j = status_json(st, n);
        /* 15 significant digits: execution_ms 3.679 prints as 3.679, not as
         * the 17 digits of the nearest double */
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        puts(s);
        free(s);
        json_decref(j);
        return;
    }
    printf("%-8s %-13s %-21s %10s  %s\n", "VERSION", "STATE", "APPLIED AT", "MS", "MIGRATION");
    for (size_t i = 0; i < n; i++) {
        /* applied_at and a missing file's description come from the database. */
        char *at = redact_printable(st[i].applied_at ? st[i].applied_at : "-");
        char *what = redact_printable(st[i].file ? st[i].file : st[i].description);
        printf("%-8" PRId64 " %-13s %-21s %10.1f  %s", st[i].version,
               pgqc_migration_state_name(st[i].state), at, st[i].execution_ms, what);
        free(at);
        free(what);
        if (st[i].repair) {
            char *rep = redact_printable(st[i].repair);
            char *rat = redact_printable(st[i].repaired_at ? st[i].repaired_at : "-");
            printf("  (repair: %s at %s)", rep, rat);
            free(rep);
            free(rat);
        }
        putchar('\n');
    }
}

/* Exit 1 when something needs attention (modified / missing / dirty). */
static int status_exit(const pgqc_migration_status *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st[i].state != PGQC_MIGRATION_PENDING && st[i].state != PGQC_MIGRATION_APPLIED)
            return EXIT_ERRORS;
    return EXIT_OK;
}

static int migrate_status(int argc, char **argv)
{
    OPTS(O_JSON);
    mig_args a;
    int st = parse_args(argc, argv, "migrate status", longopts, 0, &a);
    if (st >= 0)
        return st;
    diag_list dl = DIAG_LIST_INIT;
    session s;
    st = open_session(&a, "migrate status", &s, &dl);
    if (st == EXIT_OK) {
        pgqc_migration_status *items = NULL;
        size_t n = 0;
        pgqc_migrate_result res;
        if (pgqc_migrate_status(s.pg, s.set, &items, &n, &res)) {
            print_status(items, n, a.json);
            st = status_exit(items, n);
        } else {
            dbsource_report_migrate(&res, &dl);
            st = failure_status(&res);
        }
        pgqc_migrate_status_free(items, n);
        pgqc_migrate_result_free(&res);
    }
    session_close(&s);
    free(a.common.queries);
    return finish(&dl, st);
}

/* ---- new, lint, verify ------------------------------------------------------- */

static int migrate_new(int argc, char **argv)
{
    OPTS();
    mig_args a;
    int st = parse_args(argc, argv, "migrate new", longopts, 1, &a);
    if (st >= 0)
        return st;
    free(a.common.queries);
    if (!migrate_name_ok(a.name))
        return usage_error("migrate new",
                           "\"%s\" is not snake_case: use lower-case letters, digits and '_', "
                           "starting with a letter",
                           a.name);
    char *up = NULL, *down = NULL, *err = NULL;
    diag_list dl = DIAG_LIST_INIT;
    if (migrate_new_files(a.common.migrations, a.name, &up, &down, &err)) {
        printf("created %s\ncreated %s\n", up, down);
    } else {
        diag_plain(&dl, DIAG_ERROR, NULL, "%s", err);
        st = EXIT_ERRORS;
    }
    free(up);
    free(down);
    free(err);
    return finish(&dl, st < 0 ? EXIT_OK : st);
}

static int migrate_lint(int argc, char **argv)
{
    OPTS(O_STRICT);
    mig_args a;
    int st = parse_args(argc, argv, "migrate lint", longopts, 0, &a);
    if (st >= 0)
        return st;
    free(a.common.queries);
    diag_list dl = DIAG_LIST_INIT;
    if (!migrate_lint_dir(a.common.migrations, &dl))
        return finish(&dl, EXIT_USAGE);
    bool failed = dl.errors || (a.strict && dl.warnings);
    if (!dl.errors && !dl.warnings)
        printf("%s: no problems found\n", a.common.migrations);
    else if (dl.warnings && !dl.errors)
        diag_plain(&dl, DIAG_NOTE, NULL, "%zu warning%s%s", dl.warnings,
                   dl.warnings == 1 ? "" : "s", a.strict ? " (--strict: failing)" : "");
    return finish(&dl, failed ? EXIT_ERRORS : EXIT_OK);
}

static int migrate_verify(int argc, char **argv)
{
    OPTS();
    mig_args a;
    int st = parse_args(argc, argv, "migrate verify", longopts, 0, &a);
    if (st >= 0)
        return st;
    free(a.common.queries);
    diag_list dl = DIAG_LIST_INIT;
    pgqc_migration_set *set = NULL;
    st = load_set(a.common.migrations, &set, &dl);
    if (st == EXIT_OK) {
        verify_report rep;
        st = status_for(verify_migrations(a.common.database_url, set, &rep, &dl));
        if (st == EXIT_OK)
            printf("verify: %zu migration%s, %zu schema objects: each up/down/up step, up again "
                   "(no-op)%s\n",
                   rep.migrations, rep.migrations == 1 ? "" : "s", rep.objects,
                   rep.reverted ? ", down all, up again: identical schema" : "");
    }
    pgqc_migration_set_free(set);
    return finish(&dl, st);
}

/* Write DIR/P_migrations.h and .c for the loaded set. */
static bool write_embedded(const pgqc_migration_set *set, const char *dir, const char *prefix,
                           diag_list *dl)
{
    strbuf h = STRBUF_INIT, c = STRBUF_INIT;
    migrate_embed(set, prefix, &h, &c);
    char *err = NULL, *hpath = xstrfmt("%s/%s_migrations.h", dir, prefix);
    char *cpath = xstrfmt("%s/%s_migrations.c", dir, prefix);
    bool changed;
    bool ok = fs_mkdirs(dir, false, &err) &&
              fs_write_if_changed(hpath, h.buf, h.len, &changed, &err) &&
              fs_write_if_changed(cpath, c.buf, c.len, &changed, &err);
    if (ok)
        printf("wrote %s and %s (%zu migrations)\n", hpath, cpath, set->count);
    else
        diag_plain(dl, DIAG_ERROR, NULL, "%s", err);
    free(err);
    free(hpath);
    free(cpath);
    strbuf_release(&h);
    strbuf_release(&c);
    return ok;
}

static int migrate_embed_cmd(int argc, char **argv)
{
    OPTS(O_OUT O_NAME);
    mig_args a;
    int st = parse_args(argc, argv, "migrate embed", longopts, 0, &a);
    if (st >= 0)
        return st;
    free(a.common.queries);
    const char *prefix = a.prefix ? a.prefix : "db";
    if (!a.out)
        return usage_error("migrate embed", "--out DIR is required");
    if (!cname_prefix_ok(prefix))
        return usage_error("migrate embed", "--name \"%s\": %s", prefix,
                           cname_prefix_problem(prefix));
    diag_list dl = DIAG_LIST_INIT;
    pgqc_migration_set *set = NULL;
    st = load_set(a.common.migrations, &set, &dl);
    if (st == EXIT_OK && !write_embedded(set, a.out, prefix, &dl))
        st = EXIT_ERRORS;
    pgqc_migration_set_free(set);
    return finish(&dl, st);
}

/* ---- reset and seed ---------------------------------------------------------- */

/* Read the .sql files of DIR in name order into names/texts; false with a diag. */
static bool read_seeds(const char *dir, char ***names, char ***texts, size_t *n, diag_list *dl)
{
    char *err = NULL;
    *names = NULL;
    *n = 0;
    if (!fs_is_dir(dir) || !fs_list_sql(dir, names, n, &err)) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "seeds directory \"%s\": %s", dir,
                             err ? err : "not found");
        diag_set_hint(d, "pass --seeds DIR");
        free(err);
        return false;
    }
    *texts = xcalloc(*n + 1, sizeof **texts);
    for (size_t i = 0; i < *n; i++) {
        (*texts)[i] = fs_read_file((*names)[i], NULL, &err);
        if (!(*texts)[i]) {
            diag_plain(dl, DIAG_ERROR, (*names)[i], "%s", err);
            free(err);
            return false;
        }
    }
    return true;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int run_seeds(PGconn *pg, const pgqc_migration_set *set, const char *dir, diag_list *dl)
{
    char **names = NULL, **texts = NULL;
    size_t n = 0;
    int st = EXIT_USAGE;
    if (read_seeds(dir, &names, &texts, &n, dl)) {
        pgqc_migrate_result res =
            pgqc_seed(pg, set, (const char *const *)names, (const char *const *)texts, n);
        if (res.success) {
            printf("seeded %zu file%s from %s in %.0f ms\n", n, n == 1 ? "" : "s", dir,
                   res.duration_ms);
            st = EXIT_OK;
        } else {
            dbsource_report_migrate(&res, dl);
            st = failure_status(&res);
        }
        pgqc_migrate_result_free(&res);
    }
    free_strings(names, n);
    free_strings(texts, n);
    return st;
}

int cmd_seed(int argc, char **argv)
{
    OPTS(O_SEEDS);
    mig_args a;
    int st = parse_args(argc, argv, "seed", longopts, 0, &a);
    if (st >= 0)
        return st;
    diag_list dl = DIAG_LIST_INIT;
    session s;
    st = open_session(&a, "seed", &s, &dl);
    if (st == EXIT_OK)
        st = run_seeds(s.pg, s.set, a.seeds ? a.seeds : "seeds", &dl);
    session_close(&s);
    free(a.common.queries);
    return finish(&dl, st);
}

/* Wipe, re-apply and (with --seed) seed the session's database. */
static int reset_database(const mig_args *a, session *s, diag_list *dl)
{
    char *name = NULL;
    bool throwaway = database_is_throwaway(s->pg, &name);
    if (!throwaway && !a->force) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL,
                             "refusing to reset database \"%s\": it does not look throwaway", name);
        diag_set_hint(d, "name it *_test, *_dev, *_tmp or pgqc_*, comment it 'pgqc:throwaway', "
                         "or pass --force if you really mean to lose its data");
        free(name);
        return EXIT_ERRORS;
    }
    free(name);
    if (!database_drop_everything(s->pg, dl))
        return EXIT_ERRORS;
    printf("dropped every schema\n");
    pgqc_migrate_result res = pgqc_migrate_up(s->pg, s->set, &a->run);
    int st = report_run(&res, "apply", "applied", false, dl);
    pgqc_migrate_result_free(&res);
    if (st == EXIT_OK && a->seed)
        st = run_seeds(s->pg, s->set, a->seeds ? a->seeds : "seeds", dl);
    return st;
}

static int migrate_reset(int argc, char **argv)
{
    OPTS(O_FORCE O_SEED O_SEEDS);
    mig_args a;
    int st = parse_args(argc, argv, "migrate reset", longopts, 0, &a);
    if (st >= 0)
        return st;
    diag_list dl = DIAG_LIST_INIT;
    session s;
    st = open_session(&a, "migrate reset", &s, &dl);
    if (st == EXIT_OK)
        st = reset_database(&a, &s, &dl);
    session_close(&s);
    free(a.common.queries);
    return finish(&dl, st);
}

/* ---- dispatch ---------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"new", migrate_new},       {"lint", migrate_lint},     {"up", migrate_up},
    {"down", migrate_down},     {"status", migrate_status}, {"repair", migrate_repair},
    {"verify", migrate_verify}, {"reset", migrate_reset},   {"embed", migrate_embed_cmd},
};

int cmd_migrate(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) { /* pgqc migrate help SUB */
            char cmd[64];
            snprintf(cmd, sizeof cmd, "migrate %s", argv[2]);
            fputs(help_for(cmd), stdout);
            return EXIT_OK;
        }
        fputs(migrate_help, stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        size_t d = edit_distance(argv[1], subcommands[i].name);
        if (d < bestd) {
            bestd = d;
            best = subcommands[i].name;
        }
    }
    if (bestd <= (strlen(best) <= 3 ? 1u : 2u))
        return usage_error("migrate", "unknown migrate command \"%s\" (did you mean \"%s\"?)",
                           argv[1], best);
    return usage_error("migrate", "unknown migrate command \"%s\"", argv[1]);
}
