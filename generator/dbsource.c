/*
 * dbsource.c — choosing, connecting to, and preparing the database a
 * command works on (see dbsource.h).
 *
 * The cached embedded path, step by step (cache.h has the layout):
 *   1. lock the cache entry for this server (waiting for another pgqc);
 *   2. start the server on the cached cluster, running initdb first when
 *      its marker is missing; a cluster that will not start is removed and
 *      built again once;
 *   3. connect to the template database of this migration set and check it
 *      (marker present, pgqc_migrations matches the files); otherwise drop
 *      it, create it, migrate it and write its marker;
 *   4. read-only callers use the template (read-only sessions); others get
 *      a copy, CREATE DATABASE ... TEMPLATE, dropped on close.
 * Any failure of the cache itself falls back to a throwaway server; only
 * a failing migration is the user's error.
 */
#include "dbsource.h"
#include "fsutil.h"
#include "redact.h"
#include "strbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long to wait for another pgqc using the same cache entry. */
#define CACHE_WAIT_MS 20000

const char *dbsource_url(const char *url)
{
    if (url && *url)
        return url;
    const char *env = getenv("DATABASE_URL");
    return env && *env ? env : NULL;
}

char *dbsource_redact(const char *conninfo)
{
    return redact_conninfo(conninfo);
}

/* libpq's message about `conninfo`, which may echo it: secrets scrubbed, one line. */
static char *libpq_message(const char *msg, const char *conninfo)
{
    size_t n;
    char **secrets = redact_secrets(conninfo, &n);
    char *safe = redact_text(msg ? msg : "", secrets, n);
    for (size_t i = 0; i < n; i++)
        free(secrets[i]);
    free(secrets);
    size_t len = strlen(safe);
    while (len && (safe[len - 1] == '\n' || safe[len - 1] == ' '))
        safe[--len] = '\0';
    return safe;
}

/*
 * What is wrong with `conninfo`, which libpq could not parse, without
 * quoting any of it: libpq's message `perr` quotes the offending piece,
 * which may be a password pasted on its own, so it is only classified.
 * An unknown (or translated) message gets the generic text.
 */
static const char *parse_problem(const char *conninfo, const char *perr)
{
    static const struct {
        const char *libpq, *ours;
    } known[] = {
        {"missing \"=\" after", "a word is not followed by \"=\" (expected key=value pairs or a "
                                "postgresql:// URL)"},
        {"unterminated quoted string", "a quoted value is not closed"},
        {"invalid connection option", "unknown keyword in the key=value pairs"},
        {"invalid URI query parameter", "unknown parameter in the URL's query"},
        {"end of string reached when looking for matching \"]\"",
         "unclosed \"[\" around an IPv6 host"},
        {"IPv6 host address may not be empty", "empty \"[]\" host"},
        {"unexpected character", "unexpected character after the host (expected \":\" or \"/\")"},
        {"extra key/value separator", "a query parameter has more than one \"=\""},
        {"missing key/value separator", "a query parameter has no \"=\""},
        {"invalid percent-encoded token", "\"%\" not followed by two hex digits"},
        {"forbidden value %00", "percent-encoded NUL (%00)"},
    };
    size_t scheme =
        strspn(conninfo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    bool ours = (scheme == 10 && strncmp(conninfo, "postgresql", 10) == 0) ||
                (scheme == 8 && strncmp(conninfo, "postgres", 8) == 0);
    if (scheme && !ours && strncmp(conninfo + scheme, "://", 3) == 0)
        return "only postgresql:// and postgres:// URLs are supported";
    for (size_t i = 0; perr && i < sizeof known / sizeof known[0]; i++)
        if (strncmp(perr, known[i].libpq, strlen(known[i].libpq)) == 0)
            return known[i].ours;
    return "libpq cannot parse it";
}

PGconn *dbsource_connect(const char *conninfo, dbsrc_status *why, diag_list *dl)
{
    if (why)
        *why = DBSRC_CONFIG;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL,
                             "invalid database URL (not shown: it may contain a password): %s",
                             parse_problem(conninfo, perr));
        diag_set_hint(d, "use postgresql://user:password@host:port/dbname (percent-encode "
                         "special characters) or key=value pairs");
        PQfreemem(perr);
        return NULL;
    }
    PQconninfoFree(opts);
    if (why)
        *why = DBSRC_UNREACHABLE;
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        char *safe = redact_conninfo(conninfo);
        char *why = libpq_message(PQerrorMessage(pg), conninfo);
        diag_plain(dl, DIAG_ERROR, NULL, "cannot connect to the database (%s): %s", safe, why);
        free(why);
        free(safe);
        PQfinish(pg);
        return NULL;
    }
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}

/*
 * The byte offset of line:col (col counted in characters) in `text`,
 * clamped to the end of that line or of the text.
 */
static size_t offset_of_line_col(const char *text, int line, int col)
{
    size_t off = 0;
    for (int l = 1; text[off] && l < line; off++)
        if (text[off] == '\n')
            l++;
    for (int c = 1; text[off] && text[off] != '\n' && c < col;) {
        off++;
        if (((unsigned char)text[off] & 0xC0) != 0x80)
            c++;
    }
    return off;
}

void dbsource_report_migrate(const pgqc_migrate_result *res, diag_list *dl)
{
    for (size_t i = 0; i < res->nerrors; i++) {
        const pgqc_migrate_error *e = &res->errors[i];
        diag *d = NULL;
        if (e->file && e->line > 0) {
            char *err = NULL;
            size_t len = 0;
            char *raw = fs_read_file(e->file, &len, &err);
            free(err);
            /*
             * The runner's line:col count in the script as it ran: normalised
             * (BOM dropped, CRLF as LF). Excerpt and columns come from the same
             * text, so a BOM is neither a column nor shown.
             */
            char hex[65];
            char *text = raw ? pgqc_migration_normalize(raw, len, hex) : NULL;
            free(raw);
            if (text) {
                size_t off = offset_of_line_col(text, e->line, e->col);
                size_t span = strcspn(text + off, "\n ;(");
                d = diag_at(dl, DIAG_ERROR, e->file, text, off, span ? span : 1, "%s",
                            e->message ? e->message : "migration failed");
                free(text);
            }
        }
        if (!d)
            d = diag_plain(dl, DIAG_ERROR, e->file, "%s", e->message ? e->message : "error");
        if (e->detail)
            diag_set_detail(d, "%s", e->detail);
        if (e->hint)
            diag_set_hint(d, "%s", e->hint);
    }
}

/* With the user's server: fail when migrations are pending or modified. */
static bool check_migrated(PGconn *pg, const pgqc_migration_set *set, diag_list *dl)
{
    PGresult *r = PQexec(pg, "SELECT to_regclass('pgqc_migrations') IS NOT NULL");
    bool has_table = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    size_t pending = 0;
    bool ok = true, *is_pending = xcalloc(set->count + 1, sizeof *is_pending);
    PGresult *rows = NULL;
    if (has_table) {
        rows = PQexec(pg, "SELECT version, checksum, dirty FROM pgqc_migrations");
        if (PQresultStatus(rows) != PGRES_TUPLES_OK) {
            diag_plain(dl, DIAG_ERROR, NULL, "cannot read pgqc_migrations: %s",
                       PQresultErrorMessage(rows));
            PQclear(rows);
            free(is_pending);
            return false;
        }
    }
    for (size_t i = 0; i < set->count; i++) {
        const pgqc_migration *m = &set->items[i];
        int found = -1;
        for (int k = 0; rows && k < PQntuples(rows); k++)
            if (strtoll(PQgetvalue(rows, k, 0), NULL, 10) == m->version)
                found = k;
        if (found < 0) {
            pending++;
            is_pending[i] = true;
        } else if (strcmp(PQgetvalue(rows, found, 1), m->checksum) != 0) {
            diag *d = diag_plain(dl, DIAG_ERROR, m->up_name,
                                 "migration %" PRId64 " was modified after it was applied to "
                                 "the database (applied checksum %s, file checksum %s)",
                                 m->version, PQgetvalue(rows, found, 1), m->checksum);
            diag_set_hint(d, "the schema would not match the files; restore the file or "
                             "re-create the database");
            ok = false;
        } else if (PQgetvalue(rows, found, 2)[0] == 't') {
            diag_plain(dl, DIAG_ERROR, m->up_name,
                       "migration %" PRId64 " is dirty in the "
                       "database (a no-transaction migration failed part-way)",
                       m->version);
            ok = false;
        }
    }
    PQclear(rows);
    if (pending) {
        diag *d = diag_plain(dl, DIAG_ERROR, set->dir,
                             "the database has %zu pending migration%s: its schema does not "
                             "match the migration files",
                             pending, pending == 1 ? "" : "s");
        diag_set_hint(d, "run `pgqc migrate up` against it first, or omit --database-url to "
                         "use the embedded throwaway database");
        for (size_t i = 0; i < set->count; i++)
            if (is_pending[i])
                diag_plain(dl, DIAG_NOTE, set->items[i].up_name,
                           "pending: migration %" PRId64 " is not applied to the database",
                           set->items[i].version);
        ok = false;
    }
    free(is_pending);
    return ok;
}

static void note(dbsource *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Milliseconds on a monotonic clock, for the timings in the log. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Add a line to the caller's log, if it asked for one. */
static void note(dbsource *out, const char *fmt, ...)
{
    if (!out->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(out->log, fmt, ap);
    va_end(ap);
}

/* Run a command on `pg`; false with *err (malloc'ed) when it fails. */
static bool exec_ok(PGconn *pg, const char *sql, char **err)
{
    PGresult *r = PQexec(pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok && err)
        *err = xstrfmt("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Does the database behind `pg` have exactly `set` applied (none dirty)? */
static bool has_exactly(PGconn *pg, const pgqc_migration_set *set)
{
    size_t count = set ? set->count : 0;
    PGresult *r = PQexec(pg, "SELECT version, checksum, dirty FROM pgqc_migrations "
                             "ORDER BY version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        bool none = count == 0 && state && strcmp(state, "42P01") == 0;
        PQclear(r);
        return none;
    }
    bool ok = (size_t)PQntuples(r) == count;
    for (size_t i = 0; ok && i < count; i++) {
        const pgqc_migration *m = &set->items[i];
        ok = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10) == m->version &&
             strcmp(PQgetvalue(r, (int)i, 1), m->checksum) == 0 &&
             PQgetvalue(r, (int)i, 2)[0] != 't';
    }
    PQclear(r);
    return ok;
}

/* Connect without diagnostics (the cache handles its own failures). */
static PGconn *connect_quiet(const char *conninfo)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        PQfinish(pg);
        return NULL;
    }
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}

/*
 * Administrative sessions (CREATE/DROP DATABASE) of the cached server go to
 * template1: the cluster's "postgres" database became its first template.
 */
static PGconn *connect_admin(const tmpdb *db)
{
    char *ci = tmpdb_conninfo_for(db, "template1");
    PGconn *pg = connect_quiet(ci);
    free(ci);
    return pg;
}

/*
 * The schema fingerprint of the database behind `pg`: a SHA-256 (hex) of
 * the identity and row version (xmin) of every row of the catalogs that
 * decide what a query means — schemas, relations and their columns, types
 * and enum labels, constraints, defaults, indexes, functions, operators,
 * casts, rules (views), triggers, policies, extensions, aggregates and
 * ranges — pg_catalog's own included, and the per-database
 * and per-role settings (search_path) themselves. Every change made through
 * SQL writes a new row version (a new xmin), adds or removes a row, so it
 * changes the fingerprint; hashing xmins instead of the rows' text keeps
 * this at a few milliseconds. Recorded in the cache's marker when a
 * template is built and compared whenever it is reused: the server user,
 * who owns the cluster's files, may have started the cluster and changed
 * the template in between. False with *err when it cannot be read.
 * Changing what this hashes: bump CACHE_FINGERPRINT_VERSION (cache.h).
 */
static bool schema_fingerprint(PGconn *pg, char out[CACHE_FINGERPRINT_MAX + 1], char **err)
{
    static const char sql[] =
        "SELECT encode(sha256(convert_to(array_to_string(ARRAY[ "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_namespace x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_class x), "
        "(SELECT string_agg(x.attrelid::text || ' ' || x.attnum::text || ' ' || x.xmin::text, ',' "
        "ORDER BY x.attrelid, x.attnum) "
        "  FROM pg_catalog.pg_attribute x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_type x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_enum x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_constraint x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_attrdef x), "
        "(SELECT string_agg(x.indexrelid::text || ' ' || x.xmin::text, ',' ORDER BY x.indexrelid) "
        "  FROM pg_catalog.pg_index x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_proc x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_operator x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_cast x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_rewrite x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_trigger x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_policy x), "
        "(SELECT string_agg(x.oid::text || ' ' || x.xmin::text, ',' ORDER BY x.oid) "
        "  FROM pg_catalog.pg_extension x), "
        "(SELECT string_agg(x.rngtypid::text || ' ' || x.xmin::text, ',' ORDER BY x.rngtypid) "
        "  FROM pg_catalog.pg_range x), "
        "(SELECT string_agg(x.aggfnoid::text || ' ' || x.xmin::text, ',' ORDER BY x.aggfnoid) "
        "  FROM pg_catalog.pg_aggregate x), "
        "(SELECT string_agg(x::text, ',' ORDER BY x.setdatabase, x.setrole) "
        "  FROM pg_catalog.pg_db_role_setting x WHERE x.setdatabase IN (0, "
        "  (SELECT d.oid FROM pg_catalog.pg_database d "
        "   WHERE d.datname = pg_catalog.current_database())))], E'\\n', ''), 'UTF8')), "
        "'hex')";
    PGresult *r = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              strlen(PQgetvalue(r, 0, 0)) == CACHE_FINGERPRINT_MAX;
    if (ok)
        memcpy(out, PQgetvalue(r, 0, 0), CACHE_FINGERPRINT_MAX + 1);
    else
        *err = xstrfmt("cannot read the schema fingerprint: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Drop databases of `prefix` (LIKE pattern) except `keep`: leftovers of killed runs. */
static void drop_leftovers(PGconn *admin, const char *pattern, const cache_entry *ce)
{
    char *sql = xstrfmt("SELECT datname FROM pg_database WHERE datname LIKE '%s'", pattern);
    PGresult *r = PQexec(admin, sql);
    free(sql);
    for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
        const char *name = PQgetvalue(r, i, 0);
        /* A template with a valid marker is in use, not a leftover. */
        if (ce && strncmp(name, "pgqc_tpl_", 9) == 0 && cache_template_ready(ce, name + 9, NULL))
            continue;
        char *drop = xstrfmt("DROP DATABASE IF EXISTS \"%s\"", name);
        exec_ok(admin, drop, NULL);
        free(drop);
    }
    PQclear(r);
}

/*
 * Build the template for `hash`: create, migrate, mark, prune old ones. In
 * a cluster initialised by this run (`fresh`), the untouched "postgres"
 * database is migrated and renamed instead: the first CREATE DATABASE after
 * initdb costs 0.2-0.5 s here, a rename nothing. Later templates are
 * created from template0 (template1 is where admin sessions connect),
 * after checking that template0 still has the cluster's `baseline`
 * fingerprint. The template's own fingerprint goes into its marker.
 */
static dbsrc_status build_template(dbsource *out, PGconn *admin, const pgqc_migration_set *set,
                                   const char *hash, const char *tpl, bool fresh,
                                   const char *baseline, diag_list *dl, char **err)
{
    double t0 = now_ms();
    cache_forget_template(&out->cache, hash);
    const char *work = fresh ? "postgres" : tpl;
    char *drop = xstrfmt("DROP DATABASE IF EXISTS \"%s\"", work);
    if (!fresh) {
        drop_leftovers(admin, "pgqc\\_tpl\\_%", &out->cache);
        /* FILE_COPY: with fsync off, copying the files beats WAL-logging them. */
        char *create = xstrfmt("CREATE DATABASE \"%s\" TEMPLATE template0%s", tpl,
                               PQserverVersion(admin) >= 150000 ? " STRATEGY = FILE_COPY" : "");
        bool ok = exec_ok(admin, drop, err) && exec_ok(admin, create, err);
        free(create);
        if (!ok) {
            free(drop);
            return DBSRC_UNREACHABLE;
        }
    }
    char *ci = tmpdb_conninfo_for(out->embedded, work);
    PGconn *pg = connect_quiet(ci);
    free(ci);
    if (!pg) {
        *err = xstrfmt("cannot connect to the new template database %s", tpl);
        free(drop);
        return DBSRC_UNREACHABLE;
    }
    /* A new database is a copy of template0, which must still be what initdb made. */
    char fp[CACHE_FINGERPRINT_MAX + 1];
    if (!fresh && (!schema_fingerprint(pg, fp, err) || strcmp(fp, baseline) != 0)) {
        if (!*err) {
            *err = xstrfmt("the cached cluster %s was changed since initdb (template0 differs); "
                           "it is rebuilt on the next run",
                           out->cache.datadir);
            cache_distrust_cluster(&out->cache);
        }
        PQfinish(pg);
        exec_ok(admin, drop, NULL);
        free(drop);
        return DBSRC_UNREACHABLE;
    }
    if (set) {
        pgqc_migrate_result res = pgqc_migrate_up(pg, set, NULL);
        if (!res.success) {
            dbsource_report_migrate(&res, dl);
            pgqc_migrate_result_free(&res);
            PQfinish(pg);
            exec_ok(admin, drop, NULL);
            free(drop);
            return DBSRC_MIGRATION;
        }
        pgqc_migrate_result_free(&res);
    }
    bool have_fp = schema_fingerprint(pg, fp, err);
    PQfinish(pg);
    free(drop);
    if (!have_fp)
        return DBSRC_UNREACHABLE;
    if (fresh) {
        char *rename = xstrfmt("ALTER DATABASE postgres RENAME TO \"%s\"", tpl);
        bool ok = exec_ok(admin, rename, err);
        free(rename);
        if (!ok)
            return DBSRC_UNREACHABLE;
    }
    if (!cache_mark_template(&out->cache, hash, fp, err))
        return DBSRC_UNREACHABLE;
    note(out, "cache: built the template database %s for this migration set (%.0f ms)\n", tpl,
         now_ms() - t0);
    size_t nstale = 0;
    char **stale = cache_stale_templates(&out->cache, CACHE_KEEP_TEMPLATES, &nstale);
    for (size_t i = 0; i < nstale; i++) {
        cache_forget_template(&out->cache, stale[i]);
        char *name = cache_template_name(stale[i]);
        char *sql = xstrfmt("DROP DATABASE IF EXISTS \"%s\"", name);
        exec_ok(admin, sql, NULL);
        note(out, "cache: dropped the least recently used template %s\n", name);
        free(sql);
        free(name);
        free(stale[i]);
    }
    free(stale);
    return DBSRC_OK;
}

/*
 * Start the server on the cached cluster (steps 1-2). False: fall back, *err
 * says why — or refuse, when *unsafe (*hint then says what to do). On
 * success *baseline is the fingerprint of a fresh database of the cluster.
 */
static bool start_cached_server(dbsource *out, const char *root, const char *bindir, bool *fresh,
                                char **baseline, bool *unsafe, char **err, char **hint)
{
    bool waited = false;
    double tw = now_ms();
    cache_status cs = cache_open(root, bindir, CACHE_WAIT_MS, &out->cache, &waited, err, hint);
    *unsafe = cs == CACHE_UNSAFE;
    if (cs != CACHE_OK)
        return false;
    if (waited)
        note(out,
             "cache: waited %.0f ms for the cache lock (another pgqc, or the previous run's "
             "server still stopping)\n",
             now_ms() - tw);
    bool cold = !cache_cluster_ready(&out->cache, baseline);
    if (cold && !cache_forget_cluster(&out->cache, err))
        return false;
    double t0 = now_ms();
    for (int attempt = 0;; attempt++) {
        tmpdb_options to = {bindir, out->cache.datadir, cold, out->cache.lockfd};
        tmpdb_failure why;
        char *serr = NULL;
        out->embedded = tmpdb_start_with(&to, &serr, &why);
        if (out->embedded)
            break;
        if (cold || attempt > 0) {
            *err = serr;
            return false;
        }
        note(out, "cache: the cached cluster %s did not start; rebuilding it (%s)\n",
             out->cache.datadir, serr);
        free(serr);
        free(*baseline);
        *baseline = NULL;
        if (!cache_forget_cluster(&out->cache, err))
            return false;
        cold = true;
    }
    *fresh = cold;
    if (cold) {
        /* The untouched "postgres" database: what every new database starts as. */
        char fp[CACHE_FINGERPRINT_MAX + 1];
        char *ci = tmpdb_conninfo_for(out->embedded, "postgres");
        PGconn *pg = connect_quiet(ci);
        free(ci);
        bool ok = pg && schema_fingerprint(pg, fp, err);
        if (pg)
            PQfinish(pg);
        if (!ok) {
            if (!*err)
                *err = xstrdup("cannot connect to the new cluster");
            return false;
        }
        if (!cache_mark_cluster(&out->cache, fp, err))
            return false;
        *baseline = xstrdup(fp);
        note(out, "cache: initialised the cluster %s (initdb and start: %.0f ms)\n",
             out->cache.datadir, now_ms() - t0);
        size_t pruned = cache_prune_superseded(bindir, &out->cache);
        if (pruned)
            note(out, "cache: removed %zu cluster%s of an earlier build of the server in %s\n",
                 pruned, pruned == 1 ? "" : "s", bindir);
    } else {
        note(out, "cache: reusing the cluster %s (start: %.0f ms)\n", out->cache.datadir,
             now_ms() - t0);
    }
    return true;
}

/* Internal to this file: the cache must not be used, nor silently bypassed. */
#define DBSRC_UNSAFE_CACHE ((dbsrc_status)100)

/*
 * The cached embedded default; DBSRC_CONFIG means "cache unusable: fall
 * back", DBSRC_UNSAFE_CACHE "refused, with a diagnostic in dl".
 */
static dbsrc_status open_cached(const pgqc_migration_set *set, const dbsource_options *opt,
                                const char *bindir, dbsource *out, diag_list *dl, char **err)
{
    char *root = cache_root(err);
    if (!root)
        return DBSRC_CONFIG;
    bool fresh = false, unsafe = false;
    char *baseline = NULL, *hint = NULL;
    bool started = start_cached_server(out, root, bindir, &fresh, &baseline, &unsafe, err, &hint);
    free(root);
    if (!started && unsafe) {
        diag *d =
            diag_plain(dl, DIAG_ERROR, NULL, "the embedded database's cache is unsafe: %s", *err);
        diag_set_hint(d, "%s", hint);
        free(hint);
        free(baseline);
        free(*err); /* now in the diagnostic */
        *err = NULL;
        return DBSRC_UNSAFE_CACHE;
    }
    if (!started) {
        free(baseline);
        return DBSRC_CONFIG;
    }

    char hash[17];
    cache_migration_hash(set, hash);
    char *tpl = cache_template_name(hash);
    char *tplci = tmpdb_conninfo_for(out->embedded, tpl);
    char *ro_ci = xstrfmt("%s options='-c default_transaction_read_only=on'", tplci);
    PGconn *admin = NULL, *pg = NULL;
    dbsrc_status st = DBSRC_OK;
    char *recorded = NULL;
    if (cache_template_ready(&out->cache, hash, &recorded))
        pg = connect_quiet(ro_ci);
    char fp[CACHE_FINGERPRINT_MAX + 1] = "";
    double tc = now_ms();
    bool migrated = pg && has_exactly(pg, set);
    char *fperr = NULL;
    if (migrated && schema_fingerprint(pg, fp, &fperr) && strcmp(fp, recorded) == 0) {
        note(out, "cache: reusing the template database %s (checked in %.0f ms)\n", tpl,
             now_ms() - tc);
    } else {
        free(fperr);
        if (pg) {
            PQfinish(pg);
            pg = NULL;
            note(out,
                 migrated ? "cache: the template database %s was changed since it was built "
                            "(its schema fingerprint differs); rebuilding it\n"
                          : "cache: the template database %s does not match the "
                            "migrations; rebuilding it\n",
                 tpl);
        }
        admin = connect_admin(out->embedded);
        st = admin ? build_template(out, admin, set, hash, tpl, fresh, baseline, dl, err)
                   : DBSRC_UNREACHABLE;
        if (!admin)
            *err = xstrdup("cannot connect to the cached server");
    }
    free(recorded);
    free(baseline);
    if (st == DBSRC_OK && opt->read_only) {
        /* The session that checked the template does the analysis too: its
         * catalog caches are warm, and no second connection is needed. */
        out->conninfo = xstrdup(ro_ci);
        out->pg = pg;
        pg = NULL;
    } else if (st == DBSRC_OK) {
        if (pg)
            PQfinish(pg);
        pg = NULL;
        if (!admin)
            admin = connect_admin(out->embedded);
        out->scratch_db = xstrfmt("pgqc_run_%ld", (long)getpid());
        char *create =
            xstrfmt("CREATE DATABASE \"%s\" TEMPLATE \"%s\"%s", out->scratch_db, tpl,
                    admin && PQserverVersion(admin) >= 150000 ? " STRATEGY = FILE_COPY" : "");
        if (admin)
            drop_leftovers(admin, "pgqc\\_run\\_%", NULL);
        if (!admin || !exec_ok(admin, create, err)) {
            if (!admin)
                *err = xstrdup("cannot connect to the cached server");
            free(out->scratch_db);
            out->scratch_db = NULL;
            st = DBSRC_UNREACHABLE;
        } else {
            out->conninfo = tmpdb_conninfo_for(out->embedded, out->scratch_db);
            note(out, "cache: copied it to the database %s for this run\n", out->scratch_db);
        }
        free(create);
    }
    if (admin)
        PQfinish(admin);
    if (pg)
        PQfinish(pg);
    free(ro_ci);
    free(tplci);
    free(tpl);
    if (st == DBSRC_UNREACHABLE)
        st = DBSRC_CONFIG; /* the cache failed, not the user: fall back */
    return st;
}

/* The embedded default: cached when possible, else a throwaway server. */
static dbsrc_status open_embedded(const pgqc_migration_set *set, const dbsource_options *opt,
                                  dbsource *out, diag_list *dl)
{
    char *err = NULL;
    char *bindir = tmpdb_find_bindir(&err);
    if (!bindir) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "cannot start the embedded PostgreSQL: %s", err);
        diag_set_hint(d, "install the server (Debian: apt-get install postgresql-15), set "
                         "PGQC_PG_BINDIR, or pass --database-url");
        free(err);
        return DBSRC_UNREACHABLE;
    }
    if (opt->no_cache) {
        note(out, "cache: not used (--no-cache)\n");
    } else {
        dbsrc_status st = open_cached(set, opt, bindir, out, dl, &err);
        if (st == DBSRC_OK) {
            if (!out->pg)
                out->pg = dbsource_connect(out->conninfo, NULL, dl);
            free(bindir);
            if (!out->pg) {
                dbsource_close(out);
                return DBSRC_UNREACHABLE;
            }
            return DBSRC_OK;
        }
        if (st == DBSRC_MIGRATION || st == DBSRC_UNSAFE_CACHE) {
            free(err);
            free(bindir);
            dbsource_close(out);
            return st == DBSRC_UNSAFE_CACHE ? DBSRC_CONFIG : st;
        }
        note(out, "cache: not used: %s; using a throwaway server\n", err ? err : "unknown error");
        free(err);
        err = NULL;
        free(out->conninfo);
        out->conninfo = NULL;
        tmpdb_release(out->embedded);
        out->embedded = NULL;
        cache_close(&out->cache);
    }
    free(bindir);
    tmpdb_failure why;
    out->embedded = tmpdb_start(&err, &why);
    if (!out->embedded) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "cannot start the embedded PostgreSQL: %s", err);
        if (why == TMPDB_NO_BINARIES)
            diag_set_hint(d, "install the server (Debian: apt-get install postgresql-15), set "
                             "PGQC_PG_BINDIR, or pass --database-url");
        free(err);
        return DBSRC_UNREACHABLE;
    }
    out->conninfo = xstrdup(tmpdb_conninfo(out->embedded));
    out->pg = dbsource_connect(out->conninfo, NULL, dl);
    if (!out->pg) {
        dbsource_close(out);
        return DBSRC_UNREACHABLE;
    }
    if (set) {
        pgqc_migrate_result res = pgqc_migrate_up(out->pg, set, NULL);
        if (!res.success) {
            dbsource_report_migrate(&res, dl);
            pgqc_migrate_result_free(&res);
            dbsource_close(out);
            return DBSRC_MIGRATION;
        }
        pgqc_migrate_result_free(&res);
    }
    return DBSRC_OK;
}

dbsrc_status dbsource_open(const char *url, const pgqc_migration_set *set, bool require_migrated,
                           dbsource *out, diag_list *dl)
{
    dbsource_options opt = {0};
    return dbsource_open_with(url, set, require_migrated, &opt, out, dl);
}

dbsrc_status dbsource_open_with(const char *url, const pgqc_migration_set *set,
                                bool require_migrated, const dbsource_options *opt, dbsource *out,
                                diag_list *dl)
{
    memset(out, 0, sizeof *out);
    out->cache.lockfd = -1;
    out->log = opt->log;
    url = dbsource_url(url);
    if (url) {
        dbsrc_status why;
        out->pg = dbsource_connect(url, &why, dl);
        if (!out->pg)
            return why;
        if (require_migrated && set && !check_migrated(out->pg, set, dl)) {
            dbsource_close(out);
            return DBSRC_MIGRATION;
        }
        return DBSRC_OK;
    }
    return open_embedded(set, opt, out, dl);
}

void dbsource_close(dbsource *src)
{
    if (src->pg)
        PQfinish(src->pg);
    src->pg = NULL;
    if (src->scratch_db && src->embedded) {
        PGconn *admin = connect_admin(src->embedded);
        if (admin) {
            char *drop = xstrfmt("DROP DATABASE IF EXISTS \"%s\"", src->scratch_db);
            exec_ok(admin, drop, NULL);
            free(drop);
            PQfinish(admin);
        }
    }
    if (src->cache.lockfd >= 0)
        tmpdb_release(src->embedded); /* the watchdog unlocks the entry once stopped */
    else
        tmpdb_stop(src->embedded);
    src->embedded = NULL;
    cache_close(&src->cache);
    free(src->scratch_db);
    src->scratch_db = NULL;
    free(src->conninfo);
    src->conninfo = NULL;
}
