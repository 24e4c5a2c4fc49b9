/*
 * migrate_testdb.c — throwaway test databases cloned from a template that
 * holds a migrated schema (contract in include/pgqc/migrate.h).
 */
#include "migrate_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Lock key for building templates (the migration lock's key + 1). */
#define TEMPLATE_LOCK_KEY (PGQC_MIGRATE_LOCK_KEY + 1)

static int clone_counter;

/* "pgqc_tpl_" + 16 hex digits of SHA-256 over every script of the set. */
static bool template_name(const pgqc_migration_set *set, char out[64])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < set->count; i++) {
        const pgqc_migration *m = &set->items[i];
        char head[64];
        int n = snprintf(head, sizeof head, "%" PRId64 ":", m->version);
        ok = EVP_DigestUpdate(ctx, head, (size_t)n) &&
             EVP_DigestUpdate(ctx, m->up_sql, strlen(m->up_sql) + 1) &&
             EVP_DigestUpdate(ctx, m->down_sql ? m->down_sql : "",
                              m->down_sql ? strlen(m->down_sql) + 1 : 1);
    }
    unsigned char md[32];
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    int o = snprintf(out, 64, "pgqc_tpl_");
    for (int i = 0; ok && i < 8; i++)
        o += snprintf(out + o, (size_t)(64 - o), "%02x", md[i]);
    return ok;
}

/* Connections made here stay quiet: notices are not the library's to print. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *quiet_connect(const char *const *keys, const char *const *vals)
{
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    PQsetNoticeProcessor(pg, ignore_notice, NULL);
    return pg;
}

static bool admin_exec(PGconn *admin, const char *sql, pgqc_migrate_result *res)
{
    PGresult *r = NULL;
    bool ok = mig_exec_ok(admin, sql, &r);
    if (!ok) {
        mig_add_server_error(res, NULL, NULL, 0, r, admin, "test database: ");
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQclear(r);
    return ok;
}

static PGconn *connect_db(const char *conninfo, const char *dbname, pgqc_migrate_result *res)
{
    const char *keys[] = {"dbname", "dbname", NULL};
    const char *vals[] = {conninfo, dbname, NULL};
    PGconn *pg = quiet_connect(keys, vals);
    if (PQstatus(pg) == CONNECTION_OK)
        return pg;
    mig_add_error(res, NULL, "cannot connect to database %s: %s", dbname, PQerrorMessage(pg));
    mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    PQfinish(pg);
    return NULL;
}

static bool database_exists(PGconn *admin, const char *name)
{
    const char *vals[1] = {name};
    PGresult *r = PQexecParams(admin, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, vals,
                               NULL, NULL, 0);
    bool found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    return found;
}

/* Migrate a scratch database, then rename it to `tpl` in one step. */
static bool build_template(PGconn *admin, const char *conninfo, const pgqc_migration_set *set,
                           const char *tpl, pgqc_migrate_result *res)
{
    char scratch[96], sql[256];
    snprintf(scratch, sizeof scratch, "%s_build_%ld", tpl, (long)getpid());
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", scratch);
    if (!admin_exec(admin, sql, res))
        return false;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", scratch);
    if (!admin_exec(admin, sql, res))
        return false;
    PGconn *pg = connect_db(conninfo, scratch, res);
    bool ok = pg != NULL;
    if (ok) {
        pgqc_migrate_result up = pgqc_migrate_up(pg, set, NULL);
        ok = up.success;
        if (!ok)
            for (size_t i = 0; i < up.nerrors; i++)
                mig_add_error(res, up.errors[i].file, "%s", up.errors[i].message);
        pgqc_migrate_result_free(&up);
        PQfinish(pg);
    }
    snprintf(sql, sizeof sql, ok ? "ALTER DATABASE %s RENAME TO %s" : "DROP DATABASE %s", scratch,
             tpl);
    return admin_exec(admin, sql, res) && ok;
}

static bool ensure_template(PGconn *admin, const char *conninfo, const pgqc_migration_set *set,
                            const char *tpl, pgqc_migrate_result *res)
{
    if (database_exists(admin, tpl))
        return true;
    if (!mig_take_lock_key(admin, TEMPLATE_LOCK_KEY, 300000, res))
        return false;
    bool ok = database_exists(admin, tpl) || build_template(admin, conninfo, set, tpl, res);
    mig_release_lock_key(admin, TEMPLATE_LOCK_KEY);
    return ok;
}

PGconn *pgqc_testdb_create(const char *admin_conninfo, const pgqc_migration_set *set,
                           char dbname[64], pgqc_migrate_result *res)
{
    *res = mig_result_init();
    dbname[0] = '\0';
    char tpl[64];
    const char *keys[] = {"dbname", NULL}, *vals[] = {admin_conninfo, NULL};
    PGconn *admin = quiet_connect(keys, vals);
    if (PQstatus(admin) != CONNECTION_OK || !template_name(set, tpl)) {
        mig_add_error(res, NULL, "cannot connect to the server: %s", PQerrorMessage(admin));
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
        PQfinish(admin);
        return NULL;
    }
    PGconn *pg = NULL;
    if (ensure_template(admin, admin_conninfo, set, tpl, res)) {
        char sql[192];
        snprintf(dbname, 64, "pgqc_t%.17s_%ld_%d", tpl + 8, (long)getpid(), ++clone_counter);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", dbname, tpl);
        if (admin_exec(admin, sql, res))
            pg = connect_db(admin_conninfo, dbname, res);
    }
    PQfinish(admin);
    return pg;
}

bool pgqc_testdb_drop(const char *admin_conninfo, const char *dbname, pgqc_migrate_result *res)
{
    *res = mig_result_init();
    const char *keys[] = {"dbname", NULL}, *vals[] = {admin_conninfo, NULL};
    PGconn *admin = quiet_connect(keys, vals);
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    bool ok = PQstatus(admin) == CONNECTION_OK && admin_exec(admin, sql, res);
    if (PQstatus(admin) != CONNECTION_OK) {
        mig_add_error(res, NULL, "cannot connect to the server: %s", PQerrorMessage(admin));
        mig_set_failure(res, PGQC_MIGRATE_DB_ERROR);
    }
    PQfinish(admin);
    return ok;
}
