/*
 * cmd_generate.c — `pgqc generate`, `pgqc describe` and `pgqc check`.
 *
 * generate: analyse (embedded database or --database-url), emit PREFIX.h
 * and PREFIX.c, write pgqc.lock and the depfile — each atomically and only
 * when its content changed. With --offline it needs no database at all: it
 * emits from the lock file after checking that the lock is well-formed and
 * unedited (lockfile.h) and that no input changed, with the type mappings
 * and headers the lock records (which the command line may repeat, not
 * contradict).
 *
 * check: the CI gate. Stale inputs (a query or migration changed, added or
 * removed since pgqc.lock was written), generated files that differ from
 * what the lock produces (edited by hand or out of date) and, when a
 * database is available, queries a migration broke and analyses that
 * changed are each reported, with the command that fixes them.
 *
 * Paths in the lock file and in generated comments are relative to the lock
 * file's directory, so the output does not depend on how the paths were
 * spelled (meson passes absolute ones) or where the checkout lives.
 */
#include "cmd_generate.h"
#include "analysis_json.h"
#include "cliutil.h"
#include "emit_c.h"
#include "fsutil.h"
#include "lockfile.h"
#include "migrate_embed.h"
#include "redact.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_LOCK = 0x400, OPT_OFFLINE, OPT_REANALYZE, OPT_EMBED_MIGRATIONS };

#define LOCK_HELP                                                                                  \
    "  --lock FILE           the lock file (default: pgqc.lock beside the migrations\n"            \
    "                        directory)\n"

/* ---- shared pieces ----------------------------------------------------------- */

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

/*
 * Before any work: every place generate writes to can be written (a usage
 * error naming the path otherwise, not a failure at the end).
 */
static bool check_output_paths(const char *out, const char *depfile, const char *lock_path)
{
    const char *file[2] = {depfile, lock_path}, *what[2] = {"--depfile", "the lock file"};
    char *err = NULL;
    if (!fs_check_output_dir(out, &err)) {
        usage_error("generate", "--out %s: %s", out, err);
        free(err);
        return false;
    }
    for (int i = 0; i < 2; i++) {
        if (!file[i])
            continue;
        char *dir = fs_dirname(file[i]);
        bool ok = !fs_is_dir(file[i]) && fs_check_output_dir(dir, &err);
        if (!ok)
            usage_error("generate", "%s %s: %s", what[i], file[i], err ? err : "is a directory");
        free(err);
        err = NULL;
        free(dir);
        if (!ok)
            return false;
    }
    return true;
}

/* Input paths relative to the lock file's directory (what the lock records). */
static void relative_paths(const char *lock_path, char **paths, size_t n)
{
    char *dir = fs_dirname(lock_path);
    for (size_t i = 0; i < n; i++) {
        char *r = fs_relpath(dir, paths[i]);
        free(paths[i]);
        paths[i] = r;
    }
    free(dir);
}

/*
 * Every input path twice: as given (*deps, for the depfile and for reading)
 * and relative to the lock file's directory (*rel, what the lock records).
 */
static void lock_source_paths(const inputs *in, const char *lock_path, char ***deps, char ***rel,
                              size_t *n)
{
    inputs_all_paths(in, deps, n);
    inputs_all_paths(in, rel, n);
    relative_paths(lock_path, *rel, *n);
}

/*
 * The options generate, describe and check share (common, cache, type maps):
 * 1 when `c` was one of them, 0 when not, -1 after a usage error.
 */
static int analysis_opt(common_opts *o, int c, const char *cmd)
{
    if (common_opt(o, c, optarg) || cache_opt(c))
        return 1;
    return map_opt(c, optarg, cmd);
}

/* Make every query's file path relative to the lock file's directory. */
static void relative_query_files(const char *lock_path, analysis *a)
{
    char *dir = fs_dirname(lock_path);
    for (size_t i = 0; i < a->nqueries; i++) {
        char *r = fs_relpath(dir, a->queries[i].file);
        free(a->queries[i].file);
        a->queries[i].file = r;
    }
    free(dir);
}

/* The --map-type and --include options given on the command line. */
static lock_options cli_options(void)
{
    lock_options o = {cli_type_maps, cli_ntype_maps, cli_includes, cli_nincludes};
    return o;
}

/* Is every element of `a` in `b` and the other way round? */
static bool same_maps(const lock_options *a, const lock_options *b)
{
    if (a->nmaps != b->nmaps || a->nincludes != b->nincludes)
        return false;
    for (size_t i = 0; i < a->nmaps; i++) {
        bool found = false;
        for (size_t k = 0; k < b->nmaps && !found; k++)
            found = type_map_equal(&a->maps[i], &b->maps[k]);
        if (!found)
            return false;
    }
    for (size_t i = 0; i < a->nincludes; i++) {
        bool found = false;
        for (size_t k = 0; k < b->nincludes && !found; k++)
            found = strcmp(a->includes[i], b->includes[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/*
 * The type mappings and headers to emit from lock `lf` with: the ones it
 * records, which the command line may repeat but not contradict. False
 * (usage error) when --map-type / --include were given and differ.
 */
static bool lock_emit_options(const lockfile *lf, const char *lock_path, lock_options *out,
                              diag_list *dl)
{
    lock_options given = cli_options();
    *out = lf->opt;
    if ((!given.nmaps && !given.nincludes) || same_maps(&given, &lf->opt))
        return true;
    strbuf rec = STRBUF_INIT;
    for (size_t i = 0; i < lf->opt.nmaps; i++) {
        char *spec = type_map_spec(&lf->opt.maps[i]);
        strbuf_addf(&rec, " --map-type %s", spec);
        free(spec);
    }
    for (size_t i = 0; i < lf->opt.nincludes; i++)
        strbuf_addf(&rec, " --include %s", lf->opt.includes[i]);
    diag *d = diag_plain(dl, DIAG_ERROR, lock_path,
                         "--map-type/--include differ from the ones the lock file was generated "
                         "with (%s)",
                         rec.len ? rec.buf + 1 : "none");
    diag_set_hint(d, "leave them out to use the recorded ones, or run `pgqc generate` with the "
                     "new ones (it needs PostgreSQL or --database-url)");
    strbuf_release(&rec);
    return false;
}

/* The exit status for a lock that could not be loaded. */
static int lock_failure_status(lock_failure why)
{
    return why == LOCK_MISSING ? EXIT_ERRORS : EXIT_USAGE;
}

static void report_edited(const char *lock_path, diag_list *dl)
{
    diag *d = diag_plain(dl, DIAG_ERROR, lock_path,
                         "the lock file was edited: its analysis does not match its "
                         "\"analysis_sha256\"");
    diag_set_hint(d, "do not edit pgqc.lock by hand; run `pgqc generate` to rewrite it (and "
                     "review how it was changed)");
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* Emit the code for `a` with type mappings and headers `opt`; false with diagnostics. */
static bool render_code(const analysis *a, const lock_options *opt, const char *name, strbuf *h,
                        strbuf *c, diag_list *dl)
{
    char *hname = xstrfmt("%s.h", name);
    emit_options eo = {name, hname, opt->maps, opt->nmaps, opt->includes, opt->nincludes};
    bool ok = emit_c(a, &eo, h, c, dl);
    free(hname);
    return ok;
}

/* ---- generate ------------------------------------------------------------------ */

static const char generate_help[] =
    "Usage: pgqc generate --out DIR [--name PREFIX] [--depfile FILE] [options]\n"
    "\n"
    "Analyse every query against the schema the migrations produce and write\n"
    "DIR/PREFIX.h, DIR/PREFIX.c and the lock file (atomically, and only when they\n"
    "change).\n"
    "\n"
    "  --out DIR             output directory (created if missing)\n"
    "  --name PREFIX         symbol prefix and file name stem (default: db)\n"
    "  --depfile FILE        write a make/ninja depfile listing every input\n"
    "  --offline             no database: emit from the lock file, after checking that\n"
    "                        no query or migration file changed since it was written\n"
    "  --embed-migrations    also write DIR/PREFIX_migrations.{h,c}: the migration set\n"
    "                        as C, so the program can migrate its database itself\n" LOCK_HELP
        MAP_HELP CACHE_HELP;

/* What one generate run writes besides the query code. */
typedef struct gen_extras {
    const char *depfile;
    const char *lock_path, *lock_text; /* lock_text NULL: do not write the lock */
    const pgqc_migration_set *embed;   /* --embed-migrations: the set, else NULL */
} gen_extras;

static int generate_outputs(const analysis *a, const lock_options *opt, const char *out,
                            const char *name, char *const *deps, size_t ndeps, const gen_extras *x,
                            diag_list *dl)
{
    strbuf h = STRBUF_INIT, c = STRBUF_INIT, eh = STRBUF_INIT, ec = STRBUF_INIT, dep = STRBUF_INIT;
    char *err = NULL;
    if (!render_code(a, opt, name, &h, &c, dl) || !fs_mkdirs(out, false, &err)) {
        if (err)
            diag_plain(dl, DIAG_ERROR, NULL, "%s", err);
        free(err);
        strbuf_release(&h);
        strbuf_release(&c);
        return EXIT_ERRORS;
    }
    /* The lock file and the depfile may live in directories of their own. */
    const char *elsewhere[2] = {x->lock_text ? x->lock_path : NULL, x->depfile};
    for (int i = 0; i < 2; i++) {
        char *dir = elsewhere[i] ? fs_dirname(elsewhere[i]) : NULL;
        bool ok = !dir || fs_mkdirs(dir, false, &err);
        free(dir);
        if (!ok) {
            diag_plain(dl, DIAG_ERROR, NULL, "%s", err);
            free(err);
            strbuf_release(&h);
            strbuf_release(&c);
            return EXIT_ERRORS;
        }
    }
    char *hpath = xstrfmt("%s/%s.h", out, name);
    char *cpath = xstrfmt("%s/%s.c", out, name);
    char *mh = xstrfmt("%s/%s_migrations.h", out, name);
    char *mc = xstrfmt("%s/%s_migrations.c", out, name);
    fs_output outs[6];
    size_t n = 0;
    outs[n++] = (fs_output){hpath, h.buf, h.len, false};
    outs[n++] = (fs_output){cpath, c.buf, c.len, false};
    if (x->lock_text)
        outs[n++] = (fs_output){x->lock_path, x->lock_text, strlen(x->lock_text), false};
    if (x->embed) {
        migrate_embed(x->embed, name, &eh, &ec);
        outs[n++] = (fs_output){mh, eh.buf, eh.len, false};
        outs[n++] = (fs_output){mc, ec.buf, ec.len, false};
    }
    if (x->depfile) {
        strbuf_addf(&dep, "%s %s", cpath, hpath);
        if (x->embed)
            strbuf_addf(&dep, " %s %s", mc, mh);
        strbuf_addch(&dep, ':');
        for (size_t i = 0; i < ndeps; i++)
            add_dep(&dep, deps[i]);
        strbuf_addch(&dep, '\n');
        outs[n++] = (fs_output){x->depfile, dep.buf, dep.len, false};
    }
    /* All or nothing: a full disk leaves every previous file as it was. */
    int st = EXIT_OK;
    if (!fs_write_outputs(outs, n, &err)) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "%s", err);
        diag_set_hint(d, "nothing was written: the previous generated files are unchanged");
        free(err);
        st = EXIT_ERRORS;
    }
    free(mh);
    free(mc);
    free(hpath);
    free(cpath);
    strbuf_release(&h);
    strbuf_release(&c);
    strbuf_release(&eh);
    strbuf_release(&ec);
    strbuf_release(&dep);
    return st;
}

static int generate_online(const common_opts *o, const char *out, const char *name,
                           const char *depfile, const char *lock_path, bool embed, diag_list *dl)
{
    inputs in;
    analysis *a = NULL;
    int st = analyse_project(o, &in, &a, dl);
    if (st == EXIT_OK) {
        char **deps, **rel;
        size_t n;
        lock_source_paths(&in, lock_path, &deps, &rel, &n);
        relative_query_files(lock_path, a);
        /* No server-assigned OID may reach the lock or the code (analysis.h). */
        analysis_canonical_oids(a);
        lock_options opt = cli_options();
        char *text = lockfile_text(a, &opt, deps, rel, n, dl);
        if (text) {
            gen_extras x = {depfile, lock_path, text, embed ? in.migrations : NULL};
            st = generate_outputs(a, &opt, out, name, deps, n, &x, dl);
            free(text);
        } else {
            st = EXIT_ERRORS;
        }
        free_paths(deps, n);
        free_paths(rel, n);
    }
    analysis_free(a);
    inputs_free(&in);
    return st;
}

static int generate_offline(const common_opts *o, const char *out, const char *name,
                            const char *depfile, const char *lock_path, bool embed, diag_list *dl)
{
    inputs in;
    int st = load_inputs(o, true, &in, dl);
    if (st != EXIT_OK) {
        inputs_free(&in);
        return st;
    }
    lock_failure why = 0;
    lockfile *lf = lockfile_load(lock_path, dl, &why);
    lock_options opt;
    char **deps, **rel;
    size_t n;
    lock_source_paths(&in, lock_path, &deps, &rel, &n);
    if (!lf) {
        st = lock_failure_status(why);
    } else if (lf->edited) {
        report_edited(lock_path, dl);
        diag_plain(dl, DIAG_NOTE, lock_path, "refusing to emit code from it offline");
        st = EXIT_USAGE;
    } else if (!lock_emit_options(lf, lock_path, &opt, dl)) {
        st = EXIT_USAGE;
    } else if (lockfile_check_sources(lf, lock_path, deps, rel, n, DIAG_ERROR, dl) > 0) {
        diag *d = diag_plain(dl, DIAG_ERROR, lock_path,
                             "the lock file is stale: refusing to emit code from it offline");
        diag_set_hint(d, "run `pgqc generate` without --offline (it needs PostgreSQL or "
                         "--database-url) to analyse the changed files");
        st = EXIT_ERRORS;
    } else {
        /* The lock file is an input too: list it in the depfile. */
        char **all = xcalloc(n + 2, sizeof *all);
        memcpy(all, deps, n * sizeof *all);
        all[n] = (char *)lock_path;
        gen_extras x = {depfile, NULL, NULL, embed ? in.migrations : NULL};
        st = generate_outputs(lf->analysis, &opt, out, name, all, n + 1, &x, dl);
        free(all);
    }
    lockfile_free(lf);
    free_paths(deps, n);
    free_paths(rel, n);
    inputs_free(&in);
    return st;
}

int cmd_generate(int argc, char **argv)
{
    common_opts o = {0};
    const char *out = NULL, *name = "db", *depfile = NULL, *lock_opt = NULL;
    bool offline = false, embed = false;
    static const struct option longopts[] = {
        COMMON_LONGOPTS,
        QUERIES_LONGOPT,
        {"out", required_argument, NULL, OPT_OUT},
        {"name", required_argument, NULL, OPT_NAME},
        {"depfile", required_argument, NULL, OPT_DEPFILE},
        {"lock", required_argument, NULL, OPT_LOCK},
        {"offline", no_argument, NULL, OPT_OFFLINE},
        {"embed-migrations", no_argument, NULL, OPT_EMBED_MIGRATIONS},
        CACHE_LONGOPTS,
        MAP_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        int so = analysis_opt(&o, c, argv[0]);
        if (so < 0)
            return EXIT_USAGE;
        if (so)
            continue;
        switch (c) {
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_DEPFILE:
            depfile = optarg;
            break;
        case OPT_LOCK:
            lock_opt = optarg;
            break;
        case OPT_OFFLINE:
            offline = true;
            break;
        case OPT_EMBED_MIGRATIONS:
            embed = true;
            break;
        case OPT_HELP:
            printf("%s\n%s", generate_help, common_help_with_queries);
            return EXIT_OK;
        default:
            return option_error("generate");
        }
    }
    if (optind < argc)
        return usage_error("generate", "unexpected argument \"%s\"", argv[optind]);
    if (!out)
        return usage_error("generate", "--out DIR is required");
    if (!cname_prefix_ok(name))
        return usage_error("generate", "--name \"%s\": %s", name, cname_prefix_problem(name));
    if (offline && o.database_url)
        return usage_error("generate", "--offline and --database-url exclude each other");
    common_defaults(&o);
    char *lock_path = lock_opt ? xstrdup(lock_opt) : lockfile_default_path(o.migrations);
    if (!check_output_paths(out, depfile, offline ? NULL : lock_path)) {
        free(lock_path);
        free(o.queries);
        return EXIT_USAGE;
    }
    diag_list dl = DIAG_LIST_INIT;
    int st = offline ? generate_offline(&o, out, name, depfile, lock_path, embed, &dl)
                     : generate_online(&o, out, name, depfile, lock_path, embed, &dl);
    free(lock_path);
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
    "  --json                machine-readable output (the lock file's analysis, with\n"
    "                        the server's OIDs)\n" MAP_HELP CACHE_HELP;

/*
 * The readable table. Names, types and reasons come from the database and
 * the lock: each line goes out through redact_fputs (no terminal escapes).
 */
static void print_table(const analysis *a)
{
    strbuf line = STRBUF_INIT;
    for (size_t i = 0; i < a->nqueries; i++) {
        const an_query *q = &a->queries[i];
        strbuf_addf(&line, "%s%s (:%s)  %s:%d\n", i ? "\n" : "", q->name, query_cmd_name(q->cmd),
                    q->file, q->line);
        for (size_t k = 0; k < q->nparams; k++) {
            const an_param *p = &q->params[k];
            strbuf_addf(&line, "  $%-3d %-24s %-28s %-9s %s\n", p->number, p->name, p->type_name,
                        p->nullable ? "nullable" : "not null",
                        p->nullable_reason ? p->nullable_reason : "");
        }
        for (size_t k = 0; k < q->ncols; k++) {
            const an_column *c = &q->cols[k];
            strbuf_addf(&line, "  %-28s %-28s %-9s %s\n", c->name, c->type_name,
                        c->nullable ? "nullable" : "not null",
                        c->nullable ? (c->nullable_reason ? c->nullable_reason : "")
                                    : (c->source ? c->source : ""));
        }
        redact_fputs(line.buf, stdout);
        strbuf_setlen(&line, 0);
    }
    strbuf_release(&line);
}

int cmd_describe(int argc, char **argv)
{
    common_opts o = {0};
    bool json = false;
    static const struct option longopts[] = {
        COMMON_LONGOPTS, QUERIES_LONGOPT, {"json", no_argument, NULL, OPT_JSON},
        CACHE_LONGOPTS,  MAP_LONGOPTS,    {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        int so = analysis_opt(&o, c, argv[0]);
        if (so < 0)
            return EXIT_USAGE;
        if (so)
            continue;
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_HELP:
            printf("%s\n%s", describe_help, common_help_with_queries);
            return EXIT_OK;
        default:
            return option_error("describe");
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
            strbuf sb = STRBUF_INIT;
            analysis_write_json(&sb, a);
            strbuf_addch(&sb, '\n');
            fwrite(sb.buf, 1, sb.len, stdout);
            strbuf_release(&sb);
        } else {
            print_table(a);
        }
    }
    analysis_free(a);
    inputs_free(&in);
    free(o.queries);
    return finish(&dl, st);
}

/* ---- check -------------------------------------------------------------------- */

static const char check_help[] =
    "Usage: pgqc check [--out DIR --name PREFIX] [--reanalyze] [options]\n"
    "\n"
    "The CI gate: exit 0 when pgqc.lock, the generated files and the sources\n"
    "agree; exit 1 naming each stale item and the command that fixes it:\n"
    "  - a query or migration file changed, was added or removed since the lock\n"
    "    file was written;\n"
    "  - with --out: DIR/PREFIX.h or DIR/PREFIX.c differ from what the lock file\n"
    "    produces (out of date, or edited by hand);\n"
    "  - with a database (--database-url, DATABASE_URL, or --reanalyze for the\n"
    "    embedded one): a query a migration broke, or an analysis that changed.\n"
    "\n"
    "  --out DIR             directory of the generated files to verify\n"
    "  --name PREFIX         their prefix (default: db)\n"
    "  --reanalyze           analyse again with the embedded database\n" LOCK_HELP MAP_HELP
        CACHE_HELP;

/* Compare DIR/PREFIX.{h,c} with what the lock's analysis produces. */
static size_t check_generated(const analysis *a, const lock_options *opt, const char *out,
                              const char *name, diag_list *dl)
{
    strbuf h = STRBUF_INIT, c = STRBUF_INIT;
    size_t stale = 0;
    if (!render_code(a, opt, name, &h, &c, dl))
        return 1;
    const strbuf *want[2] = {&h, &c};
    const char *ext[2] = {"h", "c"};
    for (int i = 0; i < 2; i++) {
        char *path = xstrfmt("%s/%s.%s", out, name, ext[i]), *err = NULL;
        size_t len;
        char *have = fs_read_file(path, &len, &err);
        if (!have) {
            diag_plain(dl, DIAG_ERROR, path, "generated file is missing");
            stale++;
        } else if (len != want[i]->len || memcmp(have, want[i]->buf, len) != 0) {
            diag_plain(dl, DIAG_ERROR, path,
                       "generated file does not match the lock file (out of date, or edited by "
                       "hand)");
            stale++;
        }
        free(have);
        free(err);
        free(path);
    }
    strbuf_release(&h);
    strbuf_release(&c);
    return stale;
}

/* Compare a fresh analysis with the lock's, query by query. */
static size_t check_analysis(const analysis *fresh, const analysis *locked, const char *lock_path,
                             diag_list *dl)
{
    size_t stale = 0;
    json_t *f = analysis_to_json(fresh, ANALYSIS_LOCK),
           *l = analysis_to_json(locked, ANALYSIS_LOCK);
    json_t *fq = json_object_get(f, "queries"), *lq = json_object_get(l, "queries");
    for (size_t i = 0; i < json_array_size(fq); i++) {
        json_t *q = json_array_get(fq, i);
        const char *name = json_string_value(json_object_get(q, "name"));
        json_t *match = NULL;
        for (size_t k = 0; k < json_array_size(lq) && !match; k++) {
            json_t *o = json_array_get(lq, k);
            if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
                match = o;
        }
        if (!match) {
            diag_plain(dl, DIAG_ERROR, lock_path, "query \"%s\" is not in the lock file", name);
            stale++;
        } else if (!json_equal(q, match)) {
            diag_plain(dl, DIAG_ERROR, lock_path,
                       "the analysis of query \"%s\" changed (types or nullability differ from "
                       "the lock file)",
                       name);
            stale++;
        }
    }
    if (json_array_size(fq) < json_array_size(lq) ||
        !json_equal(json_object_get(f, "types"), json_object_get(l, "types"))) {
        diag_plain(dl, DIAG_ERROR, lock_path,
                   "the lock file describes queries or types the sources no longer have");
        stale++;
    }
    json_decref(f);
    json_decref(l);
    return stale;
}

int cmd_check(int argc, char **argv)
{
    common_opts o = {0};
    const char *out = NULL, *name = "db", *lock_opt = NULL;
    bool reanalyze = false;
    static const struct option longopts[] = {COMMON_LONGOPTS,
                                             QUERIES_LONGOPT,
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"name", required_argument, NULL, OPT_NAME},
                                             {"lock", required_argument, NULL, OPT_LOCK},
                                             {"reanalyze", no_argument, NULL, OPT_REANALYZE},
                                             CACHE_LONGOPTS,
                                             MAP_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        int so = analysis_opt(&o, c, argv[0]);
        if (so < 0)
            return EXIT_USAGE;
        if (so)
            continue;
        switch (c) {
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_LOCK:
            lock_opt = optarg;
            break;
        case OPT_REANALYZE:
            reanalyze = true;
            break;
        case OPT_HELP:
            printf("%s\n%s", check_help, common_help_with_queries);
            return EXIT_OK;
        default:
            return option_error("check");
        }
    }
    if (optind < argc)
        return usage_error("check", "unexpected argument \"%s\"", argv[optind]);
    if (!cname_prefix_ok(name))
        return usage_error("check", "--name \"%s\": %s", name, cname_prefix_problem(name));
    common_defaults(&o);
    char *lock_path = lock_opt ? xstrdup(lock_opt) : lockfile_default_path(o.migrations);
    diag_list dl = DIAG_LIST_INIT;
    inputs in;
    int st = load_inputs(&o, true, &in, &dl);
    size_t stale = 0;
    lockfile *lf = NULL;
    const analysis *locked = NULL;
    lock_options opt = cli_options();
    if (st == EXIT_OK) {
        lock_failure why = 0;
        lf = lockfile_load(lock_path, &dl, &why);
        if (!lf && why == LOCK_MISSING) {
            stale++;
        } else if (!lf || !lock_emit_options(lf, lock_path, &opt, &dl)) {
            st = EXIT_USAGE;
        } else {
            char **deps, **rel;
            size_t n;
            lock_source_paths(&in, lock_path, &deps, &rel, &n);
            stale += lockfile_check_sources(lf, lock_path, deps, rel, n, DIAG_ERROR, &dl);
            free_paths(deps, n);
            free_paths(rel, n);
            if (lf->edited) {
                report_edited(lock_path, &dl);
                stale++;
            } else {
                locked = lf->analysis;
                if (out)
                    stale += check_generated(locked, &opt, out, name, &dl);
            }
        }
    }
    if (st == EXIT_OK && (reanalyze || dbsource_url(o.database_url))) {
        inputs fresh_in;
        analysis *fresh = NULL;
        size_t errors_before = dl.errors;
        /* Analyse with the type mappings the lock was generated with. */
        type_map *given_maps = cli_type_maps;
        size_t given_nmaps = cli_ntype_maps;
        cli_type_maps = opt.maps;
        cli_ntype_maps = opt.nmaps;
        int ast = analyse_project(&o, &fresh_in, &fresh, &dl);
        cli_type_maps = given_maps;
        cli_ntype_maps = given_nmaps;
        if (ast == EXIT_DATABASE || ast == EXIT_USAGE)
            st = ast;
        else if (dl.errors > errors_before)
            stale += dl.errors - errors_before; /* broken queries, reported with positions */
        else if (locked) {
            relative_query_files(lock_path, fresh);
            analysis_canonical_oids(fresh);
            stale += check_analysis(fresh, locked, lock_path, &dl);
        }
        analysis_free(fresh);
        inputs_free(&fresh_in);
    }
    if (st == EXIT_OK && stale) {
        diag *d =
            diag_plain(&dl, DIAG_NOTE, NULL, "%zu stale item%s", stale, stale == 1 ? "" : "s");
        diag_set_hint(d,
                      "run `pgqc generate --out %s --name %s` and commit the result "
                      "(including %s)",
                      out ? out : "DIR", name, lock_path);
        st = EXIT_ERRORS;
    }
    lockfile_free(lf);
    inputs_free(&in);
    free(lock_path);
    free(o.queries);
    return finish(&dl, st);
}
