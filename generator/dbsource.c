/*
 * dbsource.c — choosing, connecting to, and preparing the database a
 * command works on (see dbsource.h).
 */
#include "dbsource.h"
#include "fsutil.h"
#include "strbuf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *dbsource_url(const char *url)
{
    if (url && *url)
        return url;
    const char *env = getenv("DATABASE_URL");
    return env && *env ? env : NULL;
}

char *dbsource_redact(const char *conninfo)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        PQfreemem(err);
        return xstrdup("(unparseable connection string)");
    }
    strbuf sb = STRBUF_INIT;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", o->keyword,
                    strcmp(o->keyword, "password") == 0 ? "***" : o->val);
    }
    PQconninfoFree(opts);
    return strbuf_detach(&sb, NULL);
}

PGconn *dbsource_connect(const char *conninfo, diag_list *dl)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "invalid database URL: %s",
                             perr ? perr : "cannot parse");
        diag_set_hint(d, "use postgresql://user@host:port/dbname or key=value pairs");
        PQfreemem(perr);
        return NULL;
    }
    PQconninfoFree(opts);
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        char *safe = dbsource_redact(conninfo);
        strbuf msg = STRBUF_INIT;
        strbuf_addstr(&msg, PQerrorMessage(pg));
        while (msg.len && (msg.buf[msg.len - 1] == '\n' || msg.buf[msg.len - 1] == ' '))
            strbuf_setlen(&msg, msg.len - 1);
        diag_plain(dl, DIAG_ERROR, NULL, "cannot connect to the database (%s): %s", safe,
                   msg.buf);
        strbuf_release(&msg);
        free(safe);
        PQfinish(pg);
        return NULL;
    }
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}

void dbsource_report_migrate(const pgqc_migrate_result *res, diag_list *dl)
{
    for (size_t i = 0; i < res->nerrors; i++) {
        const pgqc_migrate_error *e = &res->errors[i];
        diag *d = NULL;
        if (e->file && e->line > 0) {
            char *err = NULL;
            char *text = fs_read_file(e->file, NULL, &err);
            free(err);
            if (text) {
                /* Find the byte offset of line:col in the file as read. */
                size_t off = 0;
                int line = 1, col = 1;
                while (text[off] && line < e->line) {
                    if (text[off] == '\n')
                        line++;
                    off++;
                }
                if (off == 0 && (unsigned char)text[0] == 0xEF)
                    off = 3; /* BOM */
                while (text[off] && text[off] != '\n' && col < e->col) {
                    if (((unsigned char)text[++off] & 0xC0) != 0x80)
                        col++;
                }
                size_t span = 0;
                while (text[off + span] && text[off + span] != '\n' &&
                       text[off + span] != ' ' && text[off + span] != '\r' &&
                       text[off + span] != ';' && text[off + span] != '(')
                    span++;
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
    bool ok = true;
    PGresult *rows = NULL;
    if (has_table) {
        rows = PQexec(pg, "SELECT version, checksum, dirty FROM pgqc_migrations");
        if (PQresultStatus(rows) != PGRES_TUPLES_OK) {
            diag_plain(dl, DIAG_ERROR, NULL, "cannot read pgqc_migrations: %s",
                       PQresultErrorMessage(rows));
            PQclear(rows);
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
        } else if (strcmp(PQgetvalue(rows, found, 1), m->checksum) != 0) {
            diag *d = diag_plain(dl, DIAG_ERROR, m->up_name,
                                 "migration %" PRId64 " was modified after it was applied to "
                                 "the database (applied checksum %s, file checksum %s)",
                                 m->version, PQgetvalue(rows, found, 1), m->checksum);
            diag_set_hint(d, "the schema would not match the files; restore the file or "
                             "re-create the database");
            ok = false;
        } else if (PQgetvalue(rows, found, 2)[0] == 't') {
            diag_plain(dl, DIAG_ERROR, m->up_name, "migration %" PRId64 " is dirty in the "
                       "database (a no-transaction migration failed part-way)", m->version);
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
        ok = false;
    }
    return ok;
}

dbsrc_status dbsource_open(const char *url, const pgqc_migration_set *set, bool require_migrated,
                           dbsource *out, diag_list *dl)
{
    memset(out, 0, sizeof *out);
    url = dbsource_url(url);
    if (url) {
        out->pg = dbsource_connect(url, dl);
        if (!out->pg)
            return DBSRC_UNREACHABLE;
        if (require_migrated && set && !check_migrated(out->pg, set, dl)) {
            dbsource_close(out);
            return DBSRC_MIGRATION;
        }
        return DBSRC_OK;
    }
    char *err = NULL;
    tmpdb_failure why;
    out->embedded = tmpdb_start(&err, &why);
    if (!out->embedded) {
        diag *d = diag_plain(dl, DIAG_ERROR, NULL, "cannot start the embedded PostgreSQL: %s",
                             err);
        if (why == TMPDB_NO_BINARIES)
            diag_set_hint(d, "install the server (Debian: apt-get install postgresql-15), set "
                             "PGQC_PG_BINDIR, or pass --database-url");
        free(err);
        return DBSRC_UNREACHABLE;
    }
    out->pg = dbsource_connect(tmpdb_conninfo(out->embedded), dl);
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

void dbsource_close(dbsource *src)
{
    if (src->pg)
        PQfinish(src->pg);
    tmpdb_stop(src->embedded);
    src->pg = NULL;
    src->embedded = NULL;
}
