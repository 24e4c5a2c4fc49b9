/*
 * cmd_schema.c — `pgqc schema diff`: the schema-drift guard. Snapshots the
 * live database (--database-url / DATABASE_URL) and the embedded
 * throwaway database with every migration applied (dbsource.h), compares
 * them (schema_snapshot.h) and prints each difference, as sentences or
 * --json. Exit status: 0 same schema, 1 differences (or broken
 * migrations), 2 usage, 3 a database cannot be reached or started.
 */
#include "cmd_schema.h"
#include "cliutil.h"
#include "redact.h"
#include "dbsource.h"
#include "schema_snapshot.h"
#include "strbuf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char schema_help[] =
    "Usage: pgqc schema diff --database-url URL [--json] [options]\n"
    "\n"
    "Compare the database at URL (default: $DATABASE_URL) with the schema the\n"
    "migrations produce, built in the embedded throwaway PostgreSQL: tables,\n"
    "columns (type, nullability, default), constraints, indexes, views, enums,\n"
    "domains, functions, triggers, sequences, extensions. Prints each\n"
    "difference; exits 0 when there is none, 1 when there are, 2 on usage\n"
    "errors, 3 when a database cannot be reached or started.\n"
    "pgqc_migrations and the system schemas are not compared.\n"
    "\n"
    "  --json                print the differences as JSON on stdout\n" CACHE_HELP;

/* What `schema diff` was asked to do. */
typedef struct diff_args {
    common_opts common;
    bool json;
} diff_args;

/* Parse `schema diff` options (argv[0] is "diff"); -1 to go on, else an exit status. */
static int parse_diff_args(int argc, char **argv, diff_args *a)
{
    static const struct option longopts[] = {
        COMMON_LONGOPTS, CACHE_LONGOPTS, {"json", no_argument, NULL, OPT_JSON}, {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    optind = 1;
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        if (common_opt(&a->common, c, optarg) || cache_opt(c))
            continue;
        if (c == OPT_JSON) {
            a->json = true;
        } else if (c == OPT_HELP) {
            printf("%s\n%s", schema_help, common_help);
            return EXIT_OK;
        } else {
            return option_error("schema diff");
        }
    }
    if (optind < argc)
        return usage_error("schema diff", "unexpected argument \"%s\"", argv[optind]);
    common_defaults(&a->common);
    return -1;
}

/* Snapshot the user's database at `url`; an exit status. */
static int snapshot_live(const char *url, schema_snapshot *out, int *version, diag_list *dl)
{
    dbsrc_status why;
    PGconn *pg = dbsource_connect(url, &why, dl);
    if (!pg)
        return status_for(why);
    *version = PQserverVersion(pg);
    bool ok = schema_snapshot_take(pg, out, dl);
    PQfinish(pg);
    return ok ? EXIT_OK : EXIT_DATABASE;
}

/* Snapshot the embedded database with `set` applied; an exit status. */
static int snapshot_migrated(const pgqc_migration_set *set, schema_snapshot *out, int *version,
                             diag_list *dl)
{
    /* dbsource_open_with(NULL, ...) would fall back to DATABASE_URL: the
     * live database has been read already, the other side must be embedded. */
    unsetenv("DATABASE_URL");
    dbsource src;
    dbsource_options dbo = db_options;
    dbo.read_only = true; /* only the catalogs are read: the cached template will do */
    dbsrc_status ds = dbsource_open_with(NULL, set, false, &dbo, &src, dl);
    print_db_log();
    if (ds != DBSRC_OK)
        return status_for(ds);
    *version = PQserverVersion(src.pg);
    bool ok = schema_snapshot_take(src.pg, out, dl);
    dbsource_close(&src);
    return ok ? EXIT_OK : EXIT_DATABASE;
}

static const char *change_name(schema_change c)
{
    switch (c) {
    case SCHEMA_ONLY_IN_A:
        return "missing in the database";
    case SCHEMA_ONLY_IN_B:
        return "only in the database";
    case SCHEMA_CHANGED:
        return "changed";
    }
    return "?";
}

static json_t *json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *difference_json(const schema_difference *d)
{
    const schema_object *o = d->a ? d->a : d->b;
    char *title = schema_object_title(o);
    char *msg = schema_difference_describe(d, "in migrations", "in the database");
    json_t *j = json_object();
    json_object_set_new(j, "change", json_string(change_name(d->change)));
    json_object_set_new(j, "kind", json_string(o->kind));
    json_object_set_new(j, "schema", json_string(o->schema));
    json_object_set_new(j, "parent", *o->parent ? json_string(o->parent) : json_null());
    json_object_set_new(j, "name", json_string(o->name));
    json_object_set_new(j, "object", json_string(title));
    if (d->change == SCHEMA_CHANGED) {
        json_object_set_new(j, "property", json_string(d->prop));
        json_object_set_new(j, "migrations", json_str_or_null(d->a_value));
        json_object_set_new(j, "database", json_str_or_null(d->b_value));
    }
    json_object_set_new(j, "message", json_string(msg));
    free(title);
    free(msg);
    return j;
}

static void print_json(const char *safe_url, const schema_snapshot *mig,
                       const schema_snapshot *live, const schema_difference *diffs, size_t n)
{
    json_t *root = json_object();
    json_object_set_new(root, "database", json_string(safe_url));
    json_object_set_new(root, "objects_in_migrations", json_integer((json_int_t)mig->count));
    json_object_set_new(root, "objects_in_database", json_integer((json_int_t)live->count));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, difference_json(&diffs[i]));
    json_object_set_new(root, "differences", arr);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(root);
}

static void print_text(const char *safe_url, const char *migrations, const schema_snapshot *mig,
                       const schema_difference *diffs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *msg = schema_difference_describe(&diffs[i], "in migrations", "in the database");
        redact_fputs(msg, stdout); /* names from the database: no terminal escapes */
        putchar('\n');
        free(msg);
    }
    char *summary = n ? xstrfmt("%zu difference%s between %s/ and the database (%s)\n", n,
                                n == 1 ? "" : "s", migrations, safe_url)
                      : xstrfmt("no differences: the database (%s) matches %s/ (%zu schema "
                                "objects)\n",
                                safe_url, migrations, mig->count);
    redact_fputs(summary, stdout);
    free(summary);
}

/* `pgqc schema diff`. */
static int schema_diff(int argc, char **argv)
{
    diff_args a;
    int st = parse_diff_args(argc, argv, &a);
    if (st >= 0)
        return st;
    const char *url = dbsource_url(a.common.database_url);
    if (!url) {
        free(a.common.queries);
        return usage_error("schema diff", "no database: pass --database-url URL or set "
                                          "DATABASE_URL");
    }
    char *safe_url = dbsource_redact(url);
    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    schema_snapshot live = {0}, mig = {0};
    int live_version = 0, mig_version = 0;
    st = load_inputs(&a.common, false, &in, &dl);
    if (st == EXIT_OK)
        st = snapshot_live(url, &live, &live_version, &dl);
    if (st == EXIT_OK)
        st = snapshot_migrated(in.migrations, &mig, &mig_version, &dl);
    if (st == EXIT_OK) {
        if (live_version / 10000 != mig_version / 10000)
            diag_plain(&dl, DIAG_NOTE, NULL,
                       "the database runs PostgreSQL %d, the embedded server %d: some "
                       "definitions may print differently",
                       live_version / 10000, mig_version / 10000);
        schema_difference *diffs;
        size_t n = schema_compare(&mig, &live, &diffs);
        if (a.json)
            print_json(safe_url, &mig, &live, diffs, n);
        else
            print_text(safe_url, a.common.migrations, &mig, diffs, n);
        free(diffs);
        st = n ? EXIT_ERRORS : EXIT_OK;
    }
    schema_snapshot_free(&live);
    schema_snapshot_free(&mig);
    inputs_free(&in);
    free(safe_url);
    free(a.common.queries);
    return finish(&dl, st);
}

int cmd_schema(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("schema", "a subcommand is required: diff");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("%s\n%s", schema_help, common_help);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "diff") != 0) {
        if (edit_distance(argv[1], "diff") <= 2)
            return usage_error("schema", "unknown subcommand \"%s\" (did you mean \"diff\"?)",
                               argv[1]);
        return usage_error("schema", "unknown subcommand \"%s\" (there is: diff)", argv[1]);
    }
    return schema_diff(argc - 1, argv + 1);
}
