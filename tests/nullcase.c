/*
 * nullcase.c — running one nullability case against a real server (see
 * nullcase.h).
 */
#include "nullcase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "diag.h"
#include "querysrc.h"

bool nullcase_start(tmpdb **server, PGconn **pg)
{
    char *err = NULL;
    tmpdb_failure why;
    *pg = NULL;
    *server = tmpdb_start(&err, &why);
    if (!*server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err ? err : "?");
        free(err);
        return false;
    }
    *pg = PQconnectdb(tmpdb_conninfo(*server));
    if (PQstatus(*pg) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect: %s\n", PQerrorMessage(*pg));
        return false;
    }
    PQclear(PQexec(*pg, "SET client_min_messages = warning"));
    return true;
}

void nullcase_stop(tmpdb *server, PGconn *pg)
{
    PQfinish(pg);
    tmpdb_stop(server);
}

static char *dupf(const char *prefix, const char *msg)
{
    size_t n = strlen(prefix) + strlen(msg) + 3;
    char *s = malloc(n);
    snprintf(s, n, "%s: %s", prefix, msg);
    return s;
}

static bool exec_ok(PGconn *pg, const char *sql, const char *what, char **err)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    if (!ok)
        *err = dupf(what, PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

bool nullcase_create_schema(PGconn *pg, size_t index, const char *schema_sql, char **err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA nc_%zu; SET search_path = nc_%zu, public", index,
             index);
    return exec_ok(pg, sql, "creating the case's schema", err) &&
           exec_ok(pg, schema_sql, "running the case's schema", err);
}

analysis *nullcase_analyze(PGconn *pg, const char *name, const char *query, char **err)
{
    diag_list dl = DIAG_LIST_INIT;
    query_file *f = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s.sql", name);
    analysis *a = NULL;
    if (query_file_parse(path, query, &f, &dl) && f && f->nqueries == 1)
        a = analyze_queries(pg, &f, 1, &dl);
    if (dl.errors || !a || a->nqueries != 1) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        fprintf(m, "the query was not analysed:\n");
        diag_list_print(&dl, m, false);
        fclose(m);
        *err = buf;
        if (a)
            analysis_free(a);
        a = NULL;
    }
    diag_list_free(&dl);
    if (f)
        query_file_free(f);
    return a;
}
