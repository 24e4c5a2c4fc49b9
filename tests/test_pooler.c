/*
 * test_pooler.c — a statement name never runs another statement's SQL.
 *
 * Two builds of one program (tests/versions/v1 and v2: the same --name
 * prefix and query names, different SQL and parameter types) are loaded
 * into this process as shared modules, as two modules of one program, or
 * an old and a new deployment behind a pooler, would meet. Every answer
 * must be the answer of the build that asked:
 *   - directly, on one connection, through one or several pgqc_conns, in
 *     and outside transactions;
 *   - with a statement of unknown text (or other parameter types) planted
 *     under a generated name;
 *   - through PgBouncer in transaction pooling mode, with more clients than
 *     server connections, both with unnamed statements and with the
 *     generated (hashed) statement names.
 *
 * PgBouncer: Debian 12 ships 1.18, which has no max_prepared_statements, so
 * what runs here is transaction mode *without* prepared-statement support:
 * a PREPARE and the next EXECUTE may reach different servers, and servers
 * keep the statements other clients (and other builds) prepared. The test
 * starts its own PgBouncer, listening only on a Unix socket in a private
 * directory (so no TCP port can clash), as the server's unprivileged user
 * when run as root, and stops it at the end, also when a test fails (and,
 * through PR_SET_PDEATHSIG, when this process dies).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pgqc/migrate.h>
#include <pgqc/pgqc.h>

#include "stmt_name.h"
#include "testutil.h"
#include "tmpdb.h"

/* ---- the two builds ------------------------------------------------------ */

/* What tests/versions/driver.c exports, from one build. */
typedef struct build {
    const char *name; /* "v1", "v2" */
    void *module;
    pgqc_status (*version)(pgqc_conn *c, char *buf, size_t size);
    pgqc_status (*answer)(pgqc_conn *c, int x, long long *v, char *buf, size_t size);
    pgqc_status (*answers)(pgqc_conn *c, int x, long long *sum, int *count);
    pgqc_status (*each)(pgqc_conn *c, int x, long long *sum, int *count);
} build;

static build builds[2] = {{.name = "v1"}, {.name = "v2"}};
static tmpdb *server;

/* The readings table holds 10, 20, 30 with ids 1, 2, 3 (tests/versions/migrations). */
static long long want_answer(int b, int x)
{
    return b == 0 ? x + 1 : x * 100LL + 2;
}

static long long want_answers(int b, int x)
{
    return b == 0 ? 60 + 3LL * x : 6000LL * x;
}

static long long want_each(int b, int x)
{
    return b == 0 ? 6 + 3LL * x : 6000 + 3LL * x;
}

/*
 * Ask build `b` every query once with `x`. Returns NULL when every status
 * is PGQC_OK and every answer is b's own, else `why`, filled with a
 * description. No cmocka assertions: client threads call it too.
 */
static const char *ask(pgqc_conn *c, int b, int x, char *why, size_t size)
{
    const build *v = &builds[b];
    char got[32] = "";
    long long n = 0;
    int count = 0;
    pgqc_status s;
    if ((s = v->version(c, got, sizeof got)) != PGQC_OK || strcmp(got, v->name) != 0)
        goto wrong;
    if ((s = v->answer(c, x, &n, got, sizeof got)) != PGQC_OK || n != want_answer(b, x) ||
        strcmp(got, v->name) != 0)
        goto wrong;
    if ((s = v->answers(c, x, &n, &count)) != PGQC_OK || n != want_answers(b, x) || count != 3)
        goto wrong;
    if ((s = v->each(c, x, &n, &count)) != PGQC_OK || n != want_each(b, x) || count != 3)
        goto wrong;
    return NULL;
wrong:
    snprintf(why, size, "%s(x=%d): %s [%s] %s; got %lld / \"%s\"", v->name, x,
             pgqc_status_string(s), pgqc_conn_error(c)->sqlstate, pgqc_conn_error(c)->message, n,
             got);
    return why;
}

static void assert_right(pgqc_conn *c, int b, int x)
{
    char why[512];
    const char *wrong = ask(c, b, x, why, sizeof why);
    if (wrong)
        fail_msg("%s", wrong);
}

static void *symbol(void *module, const char *name)
{
    void *p = dlsym(module, name);
    if (!p)
        fprintf(stderr, "%s: %s\n", name, dlerror());
    return p;
}

static bool load_builds(char **paths)
{
    for (int i = 0; i < 2; i++) {
        build *v = &builds[i];
        /* RTLD_LOCAL: each build's db_* functions stay its own. */
        v->module = dlopen(paths[i], RTLD_NOW | RTLD_LOCAL);
        if (!v->module) {
            fprintf(stderr, "%s\n", dlerror());
            return false;
        }
        *(void **)&v->version = symbol(v->module, "versions_version");
        *(void **)&v->answer = symbol(v->module, "versions_answer");
        *(void **)&v->answers = symbol(v->module, "versions_answers");
        *(void **)&v->each = symbol(v->module, "versions_each");
        if (!v->version || !v->answer || !v->answers || !v->each)
            return false;
    }
    return true;
}

/* ---- helpers -------------------------------------------------------------- */

static PGconn *connect_direct(void)
{
    PGconn *pg = PQconnectdb(tmpdb_conninfo(server));
    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("connect: %s", PQerrorMessage(pg));
    return pg;
}

/* The first row's first value of `sql` on `pg` (malloc'ed), or NULL when no row. */
static char *value_of(PGconn *pg, const char *sql, const char *param)
{
    const char *values[1] = {param};
    PGresult *r = PQexecParams(pg, sql, param ? 1 : 0, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    char *v = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* Name and text of the statement on `pg` whose text contains `needle`. */
static void find_prepared(PGconn *pg, const char *needle, char **name, char **text)
{
    const char *sql = "SELECT name, statement FROM pg_prepared_statements "
                      "WHERE strpos(statement, $1) > 0";
    const char *values[1] = {needle};
    PGresult *r = PQexecParams(pg, sql, 1, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("statement with \"%s\": %d rows %s", needle, PQntuples(r),
                 PQresultErrorMessage(r));
    *name = strdup(PQgetvalue(r, 0, 0));
    *text = strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
}

/* ---- directly on one connection ----------------------------------------- */

static void test_two_builds_on_one_pgqc_conn_each_get_their_own_answers(void **state)
{
    (void)state;
    PGconn *pg = connect_direct();
    pgqc_conn *c = pgqc_conn_wrap(pg);
    for (int round = 0; round < 3; round++)
        for (int b = 0; b < 2; b++)
            assert_right(c, b, 7 + round);
    /* Inside a transaction too, and the transaction stays usable. */
    assert_int_equal(pgqc_begin(c), PGQC_OK);
    assert_right(c, 1, 3);
    assert_right(c, 0, 4);
    assert_int_equal(pgqc_commit(c), PGQC_OK);
    pgqc_conn_free(c);
    PQfinish(pg);
}

static void test_an_older_build_left_its_statements_on_the_connection(void **state)
{
    (void)state;
    PGconn *pg = connect_direct();
    /* v1 runs first and leaves its statements behind, like an old deployment. */
    pgqc_conn *old = pgqc_conn_wrap(pg);
    assert_right(old, 0, 5);
    pgqc_conn_free(old);
    /* v2, on a new wrapper of the same PGconn: outside and inside a transaction. */
    pgqc_conn *now = pgqc_conn_wrap(pg);
    assert_right(now, 1, 5);
    pgqc_conn_free(now);
    now = pgqc_conn_wrap(pg);
    assert_int_equal(pgqc_begin(now), PGQC_OK);
    assert_right(now, 1, 6);
    assert_right(now, 0, 6); /* v1's own statements, adopted after comparing their text */
    assert_int_equal(pgqc_commit(now), PGQC_OK);
    /* Each build's statement under a name of its own. */
    char *n = value_of(pg, "SELECT count(*) FROM pg_prepared_statements", NULL);
    assert_string_equal(n, "8");
    free(n);
    pgqc_conn_free(now);
    PQfinish(pg);
}

/*
 * Two descriptors sharing one statement name with different SQL, as every
 * build's `PREFIX_QUERY` did before names were hashes: on one pgqc_conn each
 * still runs its own SQL, because a statement found under a name is adopted
 * only when its text is the caller's.
 */
static void test_descriptors_sharing_a_name_never_run_each_others_sql(void **state)
{
    (void)state;
    static const char *const col_names[] = {"v"};
    static const Oid col_types[] = {25};
    const pgqc_query one = {"v",       "shared_name", "SELECT 'one'::text AS v", 0, NULL, NULL, 1,
                            col_types, col_names};
    const pgqc_query two = {"v",       "shared_name", "SELECT 'two'::text AS v", 0, NULL, NULL, 1,
                            col_types, col_names};
    PGconn *pg = connect_direct();
    pgqc_conn *c = pgqc_conn_wrap(pg);
    for (int in_tx = 0; in_tx < 2; in_tx++) {
        if (in_tx)
            assert_int_equal(pgqc_begin(c), PGQC_OK);
        const pgqc_query *q[] = {&one, &two, &two, &one, &one, &two};
        for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
            PGresult *r = NULL;
            assert_int_equal(pgqc_exec(c, q[i], NULL, NULL, &r), PGQC_OK);
            assert_string_equal(PQgetvalue(r, 0, 0), q[i] == &one ? "one" : "two");
            PQclear(r);
        }
        if (in_tx)
            assert_int_equal(pgqc_commit(c), PGQC_OK);
    }
    pgqc_conn_free(c);
    PQfinish(pg);
}

/* Plant `sql` with parameter types `types` under v2's `answer` statement name on a new connection.
 */
static PGconn *connection_with_impostor(const char *sql, int ntypes, const Oid *types)
{
    PGconn *pg = connect_direct();
    pgqc_conn *c = pgqc_conn_wrap(pg);
    assert_right(c, 1, 1);
    pgqc_conn_free(c);
    char *name, *text;
    find_prepared(pg, "* 100 + 2", &name, &text);
    PQfinish(pg);
    pg = connect_direct();
    PGresult *r = PQprepare(pg, name, sql ? sql : text, ntypes, types);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    free(name);
    free(text);
    return pg;
}

static void test_a_statement_of_other_text_under_our_name_is_never_adopted(void **state)
{
    (void)state;
    /* Same result shape (bigint, text), other answer. */
    static const Oid int8[] = {20};
    const char *evil = "SELECT $1::int8 * 0 + 4242 AS v, 'evil'::text AS version";
    for (int in_tx = 0; in_tx < 2; in_tx++) {
        PGconn *pg = connection_with_impostor(evil, 1, int8);
        pgqc_conn *c = pgqc_conn_wrap(pg);
        if (in_tx)
            assert_int_equal(pgqc_begin(c), PGQC_OK);
        for (int i = 0; i < 3; i++) {
            long long v = 0;
            char got[32] = "";
            assert_int_equal(builds[1].answer(c, 9, &v, got, sizeof got), PGQC_OK);
            assert_int_equal(v, want_answer(1, 9));
            assert_string_equal(got, "v2");
        }
        if (in_tx) {
            /* The caller's transaction was not aborted along the way. */
            assert_int_equal(pgqc_commit(c), PGQC_OK);
        } else {
            /* Outside a transaction the impostor was replaced by the real statement. */
            char *n =
                value_of(pg,
                         "SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, "
                         "$1) > 0",
                         "4242");
            assert_string_equal(n, "0");
            free(n);
        }
        pgqc_conn_free(c);
        PQfinish(pg);
    }
}

static void test_our_text_with_other_parameter_types_is_never_adopted(void **state)
{
    (void)state;
    /* v2's exact SQL, but its bigint parameter declared integer: adopting it
     * would send 8 bytes where the server reads 4. */
    static const Oid int4[] = {23};
    PGconn *pg = connection_with_impostor(NULL, 1, int4);
    pgqc_conn *c = pgqc_conn_wrap(pg);
    long long v = 0;
    char got[32] = "";
    assert_int_equal(builds[1].answer(c, 11, &v, got, sizeof got), PGQC_OK);
    assert_int_equal(v, want_answer(1, 11));
    pgqc_conn_free(c);
    PQfinish(pg);
}

static void test_statement_names_fit_postgres_and_name_the_statement(void **state)
{
    (void)state;
    PGconn *pg = connect_direct();
    pgqc_conn *c = pgqc_conn_wrap(pg);
    assert_right(c, 0, 2);
    assert_right(c, 1, 2);
    /* v1's and v2's `answer`: same function name, different statements. */
    PGresult *r = PQexec(pg, "SELECT name FROM pg_prepared_statements "
                             "WHERE name LIKE 'db\\_answer\\_%' ORDER BY name");
    assert_int_equal(PQntuples(r), 2);
    for (int i = 0; i < 2; i++) {
        const char *name = PQgetvalue(r, i, 0);
        assert_int_equal(strlen(name), strlen("db_answer_") + STMT_NAME_HASH_HEX);
        assert_int_equal(strspn(name + strlen("db_answer_"), "0123456789abcdef"),
                         STMT_NAME_HASH_HEX);
    }
    assert_string_not_equal(PQgetvalue(r, 0, 0), PQgetvalue(r, 1, 0));
    PQclear(r);
    pgqc_conn_free(c);
    PQfinish(pg);
}

static void test_long_function_names_keep_their_hash_within_63_bytes(void **state)
{
    (void)state;
    char fn[201];
    memset(fn, 'q', 200);
    fn[200] = '\0';
    an_param p = {.name = "x", .number = 1, .type_oid = 20, .type_name = "bigint"};
    an_query a = {.name = fn, .sql = "SELECT $1", .params = &p, .nparams = 1};
    an_query b = a;
    b.sql = "SELECT $1 + 0";
    char na[STMT_NAME_MAX + 1], nb[STMT_NAME_MAX + 1], again[STMT_NAME_MAX + 1];
    assert_true(stmt_name(fn, &a, na));
    assert_true(stmt_name(fn, &b, nb));
    assert_true(stmt_name(fn, &a, again));
    assert_int_equal(strlen(na), STMT_NAME_MAX);
    assert_string_not_equal(na, nb); /* the difference survives the cut */
    assert_string_equal(na, again);  /* a pure function of the statement */
    /* The parameter's type is part of the statement. */
    an_param p4 = p;
    p4.type_name = "integer";
    an_query c = a;
    c.params = &p4;
    char nc[STMT_NAME_MAX + 1];
    assert_true(stmt_name(fn, &c, nc));
    assert_string_not_equal(na, nc);
    /* The wire SQL (with text casts) is what the server prepares. */
    an_query d = a;
    d.wire_sql = "SELECT ($1)::text";
    char nd[STMT_NAME_MAX + 1];
    assert_true(stmt_name(fn, &d, nd));
    assert_string_not_equal(na, nd);
    /* Short names stay whole: "db_get_user_" and 24 hex digits. */
    assert_true(stmt_name("db_get_user", &a, na));
    assert_int_equal(strncmp(na, "db_get_user_", 12), 0);
    assert_int_equal(strlen(na), 12 + STMT_NAME_HASH_HEX);
}

/* ---- through PgBouncer ----------------------------------------------------- */

enum { CLIENTS = 6, POOL_SIZE = 2, ROUNDS = 60 };

static char *bouncer_dir;
static pid_t bouncer_pid;
static char bouncer_conninfo[1024];

static const char *bouncer_binary(void)
{
    static const char *const candidates[] = {"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer",
                                             "/usr/local/bin/pgbouncer"};
    const char *env = getenv("PGQC_PGBOUNCER");
    if (env && *env)
        return env;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], X_OK) == 0)
            return candidates[i];
    return NULL;
}

/* The Unix socket directory of the test server, from its conninfo. */
static char *server_socket_dir(void)
{
    PQconninfoOption *opts = PQconninfoParse(tmpdb_conninfo(server), NULL);
    char *dir = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "host") == 0 && o->val)
            dir = strdup(o->val);
    PQconninfoFree(opts);
    return dir;
}

static void stop_bouncer(void)
{
    if (bouncer_pid > 0) {
        kill(bouncer_pid, SIGTERM);
        int st;
        for (int i = 0; i < 100 && waitpid(bouncer_pid, &st, WNOHANG) == 0; i++)
            usleep(50 * 1000);
        if (waitpid(bouncer_pid, &st, WNOHANG) == 0) {
            kill(bouncer_pid, SIGKILL);
            waitpid(bouncer_pid, &st, 0);
        }
        bouncer_pid = 0;
    }
    if (bouncer_dir) {
        tu_rmtree(bouncer_dir);
        free(bouncer_dir);
        bouncer_dir = NULL;
    }
}

static int bouncer_setup(void **state)
{
    (void)state;
    const char *exe = bouncer_binary();
    if (!exe) {
        fprintf(stderr, "pgbouncer not found: install the Debian package pgbouncer "
                        "(or set PGQC_PGBOUNCER)\n");
        return -1;
    }
    uid_t uid;
    gid_t gid;
    bool drop;
    char *err = NULL;
    bouncer_dir = tu_mkdtemp();
    if (!tmpdb_server_user(&uid, &gid, &drop, &err)) {
        fprintf(stderr, "pgbouncer directory: %s\n", err);
        return -1;
    }
    /* As root, PgBouncer runs as the server user: it owns its directory. */
    if (drop && chown(bouncer_dir, uid, gid) != 0) {
        fprintf(stderr, "pgbouncer directory: chown %s: %s\n", bouncer_dir, strerror(errno));
        return -1;
    }
    chmod(bouncer_dir, 0700); /* private: only PgBouncer's user (and root) get in */
    char *sockdir = server_socket_dir();
    char ini[8192];
    /* listen_addr empty: no TCP listener at all; the port only names the socket file. */
    snprintf(ini, sizeof ini,
             "[databases]\n"
             "postgres = host=%s port=5432 dbname=postgres user=pgqc\n"
             "[pgbouncer]\n"
             "listen_addr =\n"
             "listen_port = 6432\n"
             "unix_socket_dir = %s\n"
             "auth_type = trust\n"
             "auth_file = %s/users.txt\n"
             "pool_mode = transaction\n"
             "default_pool_size = %d\n"
             "max_db_connections = %d\n"
             "max_client_conn = 100\n"
             /* Churn: servers taken in turns and replaced every second or so. */
             "server_round_robin = 1\n"
             "server_lifetime = 1\n"
             "logfile = %s/pgbouncer.log\n"
             "ignore_startup_parameters = extra_float_digits\n",
             sockdir, bouncer_dir, bouncer_dir, POOL_SIZE, POOL_SIZE, bouncer_dir);
    free(sockdir);
    tu_write(bouncer_dir, "pgbouncer.ini", ini);
    tu_write(bouncer_dir, "users.txt", "\"pgqc\" \"\"\n");
    char path[4096];
    snprintf(path, sizeof path, "%s/pgbouncer.ini", bouncer_dir);
    pid_t parent = getpid();
    bouncer_pid = fork();
    if (bouncer_pid == 0) {
        if (drop && (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0))
            _exit(126);
        /* Set after dropping privileges (a credential change clears it): PgBouncer
         * dies with this process, whatever way it ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(125);
        execl(exe, exe, "-q", path, (char *)NULL);
        _exit(127);
    }
    if (bouncer_pid < 0)
        return -1;
    snprintf(bouncer_conninfo, sizeof bouncer_conninfo,
             "host=%s port=6432 user=pgqc dbname=postgres connect_timeout=10", bouncer_dir);
    for (int i = 0; i < 200; i++) {
        if (PQping(bouncer_conninfo) == PQPING_OK)
            return 0;
        int st;
        if (waitpid(bouncer_pid, &st, WNOHANG) == bouncer_pid) {
            bouncer_pid = 0;
            break;
        }
        usleep(50 * 1000);
    }
    char *log = NULL;
    tu_runf(&log, "cat '%s/pgbouncer.log'", bouncer_dir);
    fprintf(stderr, "pgbouncer did not start:\n%s\n", log ? log : "");
    free(log);
    stop_bouncer();
    return -1;
}

static int bouncer_teardown(void **state)
{
    (void)state;
    stop_bouncer();
    return 0;
}

typedef struct client {
    int id;
    bool unnamed;
    int calls;
    char wrong[1024]; /* the first wrong answer or failure, "" when none */
} client;

/* One client program: both builds' queries, in turns, on its own connection via PgBouncer. */
static void *run_client(void *arg)
{
    client *cl = arg;
    PGconn *pg = PQconnectdb(bouncer_conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(cl->wrong, sizeof cl->wrong, "connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    pgqc_conn *c = pgqc_conn_wrap(pg);
    pgqc_conn_set_unnamed_statements(c, cl->unnamed);
    for (int round = 0; round < ROUNDS && !cl->wrong[0]; round++) {
        int b = (round + cl->id) % 2;
        char why[512];
        if (ask(c, b, cl->id * 1000 + round, why, sizeof why))
            snprintf(cl->wrong, sizeof cl->wrong, "client %d round %d: %s", cl->id, round, why);
        cl->calls += 4;
        /* Another program on the pool wipes whichever server it gets. */
        if (cl->id == 0 && round % 4 == 3)
            PQclear(PQexec(pg, "DEALLOCATE ALL"));
    }
    pgqc_conn_free(c);
    PQfinish(pg);
    return NULL;
}

static void run_clients(bool unnamed)
{
    client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = (client){.id = i, .unnamed = unnamed};
        assert_int_equal(pthread_create(&threads[i], NULL, run_client, &clients[i]), 0);
    }
    int calls = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        calls += clients[i].calls;
    }
    for (int i = 0; i < CLIENTS; i++)
        if (clients[i].wrong[0])
            fail_msg("%s", clients[i].wrong);
    assert_int_equal(calls, CLIENTS * ROUNDS * 4);
}

static void test_pgbouncer_transaction_mode_with_unnamed_statements(void **state)
{
    (void)state;
    run_clients(true);
}

static void test_pgbouncer_transaction_mode_with_hashed_statement_names(void **state)
{
    (void)state;
    run_clients(false);
    /* More clients than servers really shared the pool. */
    PGconn *pg = connect_direct();
    char *n = value_of(pg,
                       "SELECT count(*) FROM pg_stat_activity WHERE datname = 'postgres' "
                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                       NULL);
    assert_true(atoi(n) <= POOL_SIZE);
    free(n);
    PQfinish(pg);
}

/*
 * What lets the runtime notice a reset client behind PgBouncer (where, with
 * max_prepared_statements in 1.21+, a stale cache would be refused for
 * ever): PgBouncer gives every client connection a backend key of its own,
 * so PQbackendPID() changes with PQreset.
 */
static void test_pgbouncer_reset_client_is_a_new_session(void **state)
{
    (void)state;
    PGconn *pg = PQconnectdb(bouncer_conninfo);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    pgqc_conn *c = pgqc_conn_wrap(pg);
    assert_right(c, 0, 1);
    assert_right(c, 1, 1);
    int before = PQbackendPID(pg);
    PQreset(pg);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    assert_int_not_equal(PQbackendPID(pg), before);
    /* Inside a transaction, where a stale statement could not be retried. */
    assert_int_equal(pgqc_begin(c), PGQC_OK);
    assert_right(c, 1, 2);
    assert_right(c, 0, 2);
    assert_int_equal(pgqc_commit(c), PGQC_OK);
    pgqc_conn_free(c);
    PQfinish(pg);
}

/* ---- main ------------------------------------------------------------------- */

static bool migrate(void)
{
    const char *root = getenv("PGQC_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/versions/migrations", root ? root : ".");
    PGconn *pg = PQconnectdb(tmpdb_conninfo(server));
    pgqc_migration_set *set;
    pgqc_migrate_result res;
    bool ok = PQstatus(pg) == CONNECTION_OK && pgqc_migration_set_load_dir(dir, &set, &res);
    if (ok) {
        pgqc_migrate_result_free(&res);
        res = pgqc_migrate_up(pg, set, NULL);
        ok = res.success && res.executed == set->count;
        pgqc_migrate_result_free(&res);
        pgqc_migration_set_free(set);
    }
    PQfinish(pg);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s V1_MODULE V2_MODULE\n", argv[0]);
        return 2;
    }
    if (!load_builds(argv + 1))
        return 1;
    char *err = NULL;
    tmpdb_failure why;
    server = tmpdb_start(&err, &why);
    if (!server) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", err);
        return 1;
    }
    if (!migrate()) {
        fprintf(stderr, "cannot migrate the test database\n");
        tmpdb_stop(server);
        return 1;
    }
    const struct CMUnitTest direct[] = {
        cmocka_unit_test(test_two_builds_on_one_pgqc_conn_each_get_their_own_answers),
        cmocka_unit_test(test_an_older_build_left_its_statements_on_the_connection),
        cmocka_unit_test(test_descriptors_sharing_a_name_never_run_each_others_sql),
        cmocka_unit_test(test_a_statement_of_other_text_under_our_name_is_never_adopted),
        cmocka_unit_test(test_our_text_with_other_parameter_types_is_never_adopted),
        cmocka_unit_test(test_statement_names_fit_postgres_and_name_the_statement),
        cmocka_unit_test(test_long_function_names_keep_their_hash_within_63_bytes),
    };
    const struct CMUnitTest pooled[] = {
        cmocka_unit_test(test_pgbouncer_transaction_mode_with_unnamed_statements),
        cmocka_unit_test(test_pgbouncer_transaction_mode_with_hashed_statement_names),
        cmocka_unit_test(test_pgbouncer_reset_client_is_a_new_session),
    };
    int failed = cmocka_run_group_tests_name("direct", direct, NULL, NULL);
    failed += cmocka_run_group_tests_name("pgbouncer", pooled, bouncer_setup, bouncer_teardown);
    tmpdb_stop(server);
    for (int i = 0; i < 2; i++)
        dlclose(builds[i].module);
    return failed ? 1 : 0;
}
