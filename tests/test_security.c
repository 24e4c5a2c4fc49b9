/*
 * test_security.c — the embedded database and its cache cannot be turned
 * against the user running pgqc (docs/build.md, "Security model"). Each
 * test reproduces an attack that once worked:
 *
 *   - a symbolic link planted at the cache entry's (computable) name in a
 *     shared, world-writable cache root made root chown and empty the
 *     victim directory; a cache root or entry of another user was used;
 *   - the server user replaced the entry's lock file with a link, and root
 *     created a file where it pointed; links inside the cluster followed
 *     when it was removed;
 *   - the server user started the cached cluster and renamed a type in the
 *     migrated template, and the next generate used it;
 *   - the watchdog signalled initdb's pid after initdb had been reaped,
 *     hitting whichever process got that pid next;
 *   - the server, running as the server user, inherited pgqc's environment
 *     (PGPASSWORD, DATABASE_URL) in its /proc/PID/environ;
 *   - a long TMPDIR made the server's socket path too long to start.
 *
 * The "other user" is `nobody` (an attacker) or the server user `postgres`,
 * reached with runuser when the test runs as root; the parts that need a
 * second user are skipped otherwise. The program runs twice (meson tests
 * security-root and security-user): pgqc runs as the test's user (root in
 * CI), then as `postgres` — a normal user, its own server user — when the
 * test runs as root, else as the test's own user again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

typedef struct fixture {
    char *dir;    /* scratch project: migrations/, queries/, out/ (0777) */
    char *tmpdir; /* TMPDIR for pgqc (0777): must be empty afterwards */
    char *cache;  /* a private cache root for pgqc */
    char *shared; /* a world-writable directory (0777, no sticky bit) */
    char *victim; /* a directory with a file an attacker wants destroyed */
} fixture;

static bool is_root(void)
{
    return geteuid() == 0;
}

/*
 * Who runs pgqc: NULL (the test's user, root in CI) for `test_security
 * root`; "postgres" for `test_security user` when the test runs as root, so
 * the normal-user code paths (pgqc is its own server user) face the same
 * attacks. Not root: the test's own user in both modes.
 */
static const char *pgqc_user;
static bool user_mode;

static const char *src_root(void)
{
    const char *s = getenv("PGQC_SOURCE_ROOT");
    return s ? s : ".";
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    f->tmpdir = tu_mkdtemp();
    f->cache = tu_mkdtemp();
    f->shared = tu_mkdtemp();
    f->victim = tu_mkdtemp();
    assert_int_equal(
        tu_runf(NULL, "cp -r '%s/migrations' '%s/queries' '%s/'", src_root(), src_root(), f->dir),
        0);
    chmod(f->dir, 0777);
    chmod(f->tmpdir, 0777);
    chmod(f->shared, 0777);
    tu_write(f->victim, "precious.txt", "keep me\n");
    if (pgqc_user)
        assert_int_equal(tu_runf(NULL, "chown %s '%s'", pgqc_user, f->cache), 0);
    *state = f;
    return 0;
}

static void wait_until_clean(const fixture *f)
{
    for (int i = 0;
         i < 100 && (tu_count_entries(f->tmpdir) > 0 || tu_count_processes(f->tmpdir) > 0); i++)
        usleep(50000);
}

static int teardown(void **state)
{
    fixture *f = *state;
    wait_until_clean(f);
    char *paths[] = {f->dir, f->tmpdir, f->cache, f->shared, f->victim};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        tu_rmtree(paths[i]);
        free(paths[i]);
    }
    free(f);
    return 0;
}

/* `cmd` (a shell script) run as `user` (root only: runuser), else as ourselves. */
static char *as_user(const char *user, const char *cmd)
{
    static int n;
    char *path = NULL, *full = NULL;
    assert_true(asprintf(&path, "/tmp/pgqc-test-as-user-%ld-%d.sh", (long)getpid(), n++) > 0);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", cmd);
    fclose(fp);
    chmod(path, 0644);
    if (user && is_root())
        assert_true(asprintf(&full, "runuser -u %s -- sh '%s'; st=$?; rm -f '%s'; exit $st", user,
                             path, path) > 0);
    else
        assert_true(asprintf(&full, "sh '%s'; st=$?; rm -f '%s'; exit $st", path, path) > 0);
    free(path);
    return full;
}

/* Run pgqc in the project as `user` (NULL: ourselves) with cache root `cache`. */
static int pgqc_as(const fixture *f, const char *user, const char *cache, char **out,
                   const char *args)
{
    char *inner = NULL;
    assert_true(asprintf(&inner,
                         "cd '%s' && env -u DATABASE_URL TMPDIR='%s' PGQC_CACHE_DIR='%s' '%s' %s",
                         f->dir, f->tmpdir, cache, tu_pgqc(), args) > 0);
    char *cmd = as_user(user, inner);
    int st = tu_run(cmd, out);
    free(inner);
    free(cmd);
    return st;
}

static char *generate_ok(const fixture *f, const char *user, const char *cache)
{
    char *out = NULL;
    int st = pgqc_as(f, user, cache, &out, "generate --verbose --out out --name db");
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    wait_until_clean(f);
    return out;
}

static void assert_victim_intact(const fixture *f)
{
    struct stat st;
    assert_int_equal(stat(f->victim, &st), 0);
    assert_int_equal(st.st_uid, geteuid());
    char *out = NULL;
    assert_int_equal(tu_runf(&out, "cat '%s/precious.txt'", f->victim), 0);
    assert_string_equal(out, "keep me\n");
    free(out);
}

/* The name of the cache entry pgqc makes for this server (the attacker's guess). */
static char *entry_name(const fixture *f, const char *user)
{
    char *probe = tu_mkdtemp();
    if (user && is_root())
        assert_int_equal(tu_runf(NULL, "chown %s '%s'", user, probe), 0);
    free(generate_ok(f, user, probe));
    char *out = NULL;
    assert_int_equal(tu_runf(&out, "cd '%s' && ls -d cluster-*", probe), 0);
    out[strcspn(out, "\n")] = '\0';
    tu_rmtree(probe);
    free(probe);
    return out;
}

/*
 * The first attack: a cache root at a predictable name in a shared
 * world-writable directory, and a link to the victim planted at the entry's
 * (computable) name by another user. pgqc (as `victim_user`) must refuse the
 * cache (exit 2, saying why, with a hint) and leave the victim untouched:
 * whether the attacker made the cache root, or the victim made it writable
 * for everyone, or the directory above it is writable for everyone.
 */
static void planted_link_in_shared_root(fixture *f, const char *victim_user)
{
    char *name = entry_name(f, victim_user);
    if (victim_user && is_root())
        assert_int_equal(tu_runf(NULL, "chown -R %s '%s'", victim_user, f->victim), 0);
    struct {
        const char *parent_mode; /* the shared directory */
        const char *who_mkdirs;  /* who makes the cache root: attacker or victim */
        const char *root_mode;
        const char *says;
    } cases[] = {
        {"1777", "nobody", "0777", "belongs to user \"nobody\""},
        {"1777", "victim", "1777", "is writable by other users"},
        {"0777", "victim", "0755", "above the cache directory, is writable by other users"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(cases[i].who_mkdirs, "nobody") == 0 && !is_root())
            continue; /* needs a second user */
        char *root = NULL;
        assert_true(asprintf(&root, "%s/cache%zu", f->shared, i) > 0);
        assert_int_equal(tu_runf(NULL, "chmod %s '%s'", cases[i].parent_mode, f->shared), 0);
        char *mk = NULL;
        assert_true(asprintf(&mk, "mkdir '%s' && chmod %s '%s'", root, cases[i].root_mode, root) >
                    0);
        char *cmd =
            as_user(strcmp(cases[i].who_mkdirs, "nobody") == 0 ? "nobody" : victim_user, mk);
        assert_int_equal(tu_run(cmd, NULL), 0);
        free(cmd);
        free(mk);
        /* The attacker plants the link (as root: as nobody; it can, the root is writable). */
        char *plant = NULL;
        assert_true(asprintf(&plant, "ln -s '%s' '%s/%s'", f->victim, root, name) > 0);
        cmd = as_user(cases[i].root_mode[3] == '7' ? "nobody" : victim_user, plant);
        assert_int_equal(tu_run(cmd, NULL), 0);
        free(cmd);
        free(plant);
        char *out = NULL;
        int st = pgqc_as(f, victim_user, root, &out, "generate --out out --name db");
        if (st != 2 || !strstr(out, cases[i].says))
            fprintf(stderr, "case %zu: %s", i, out);
        assert_int_equal(st, 2);
        assert_non_null(strstr(out, "cache is unsafe"));
        assert_non_null(strstr(out, cases[i].says));
        assert_non_null(strstr(out, "hint:"));
        free(out);
        struct stat s;
        assert_int_equal(stat(f->victim, &s), 0);
        assert_int_equal(tu_runf(NULL, "grep -q 'keep me' '%s/precious.txt'", f->victim), 0);
        assert_int_equal(tu_count_entries(f->victim), 1);
        free(root);
    }
    assert_int_equal(tu_runf(NULL, "chmod 0777 '%s'", f->shared), 0);
    if (victim_user && is_root())
        assert_int_equal(tu_runf(NULL, "chown -R root '%s'", f->victim), 0);
    assert_victim_intact(f);
    free(name);
}

static void test_link_planted_in_shared_cache_root_is_refused(void **state)
{
    /* As root in user mode: pgqc runs as postgres, the attacker is nobody. */
    planted_link_in_shared_root(*state, pgqc_user);
}

/* A link at the entry name inside our own cache root is refused, not followed. */
static void test_link_at_entry_name_is_not_followed(void **state)
{
    fixture *f = *state;
    char *name = entry_name(f, pgqc_user);
    assert_int_equal(tu_runf(NULL, "ln -s '%s' '%s/%s'", f->victim, f->cache, name), 0);
    char *out = NULL;
    int st = pgqc_as(f, pgqc_user, f->cache, &out, "generate --out out --name db");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "is a symbolic link"));
    free(out);
    assert_victim_intact(f);
    free(name);
}

static void test_cache_root_of_another_user_is_refused(void **state)
{
    if (!is_root())
        skip();
    fixture *f = *state;
    assert_int_equal(tu_runf(NULL, "chown nobody '%s'", f->cache), 0);
    char *out = NULL;
    int st = pgqc_as(f, pgqc_user, f->cache, &out, "generate --out out --name db");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "belongs to user \"nobody\""));
    free(out);
    /* An entry of another user inside our root: refused too. */
    assert_int_equal(tu_runf(NULL, "chown %s '%s'", pgqc_user ? pgqc_user : "root", f->cache), 0);
    free(generate_ok(f, pgqc_user, f->cache));
    assert_int_equal(tu_runf(NULL, "chown nobody '%s'/cluster-*", f->cache), 0);
    st = pgqc_as(f, pgqc_user, f->cache, &out, "generate --out out --name db");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "belongs to user \"nobody\""));
    free(out);
}

/*
 * Group write: fine for the user's own private group (Debian's user private
 * groups with umask 002 make ~/.cache 0775), refused for a shared group.
 * Needs a user with a private group: postgres, when the test runs as root.
 */
static void test_group_writable_cache_root(void **state)
{
    if (!is_root() || !pgqc_user ||
        tu_runf(NULL, "getent group %s | grep -q '^%s:x:[0-9]*:$'", pgqc_user, pgqc_user) != 0)
        skip();
    fixture *f = *state;
    assert_int_equal(
        tu_runf(NULL, "chgrp %s '%s' && chmod 0770 '%s'", pgqc_user, f->cache, f->cache), 0);
    free(generate_ok(f, pgqc_user, f->cache));
    assert_int_equal(tu_runf(NULL, "chgrp users '%s'", f->cache), 0);
    char *out = NULL;
    int st = pgqc_as(f, pgqc_user, f->cache, &out, "generate --out out --name db");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "is writable by other users"));
    free(out);
}

/*
 * The second attack: the entry's lock replaced with a link. As root the
 * server user cannot even write where the lock lives; a link there
 * (planted by whoever could) is refused and its target never created.
 */
static void test_lock_replaced_by_a_link_is_refused(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, pgqc_user, f->cache));
    char *target = NULL;
    assert_true(asprintf(&target, "%s/created-by-pgqc", f->shared) > 0);
    if (is_root() && !pgqc_user) {
        char *attack = NULL;
        assert_true(
            asprintf(&attack, "ln -sf '%s' %s/cluster-*/lock 2>/dev/null", target, f->cache) > 0);
        char *cmd = as_user("postgres", attack);
        assert_int_not_equal(tu_run(cmd, NULL), 0); /* permission denied */
        free(cmd);
        free(attack);
        /* The entry (lock, markers, server) is root's; only data/ is the server user's. */
        char *out = NULL;
        assert_int_equal(tu_runf(&out, "stat -c '%%U %%a' %s/cluster-* | head -1", f->cache), 0);
        assert_string_equal(out, "root 711\n");
        free(out);
    }
    assert_int_equal(tu_runf(NULL, "ln -sf '%s' %s/cluster-*/lock", target, f->cache), 0);
    char *out = NULL;
    int st = pgqc_as(f, pgqc_user, f->cache, &out, "generate --out out --name db");
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "lock"));
    free(out);
    struct stat s;
    assert_int_not_equal(lstat(target, &s), 0);
    free(target);
}

/*
 * Links the server user plants inside the cluster are removed, never
 * followed, when pgqc (root) removes the cluster to rebuild it.
 */
static void test_links_in_the_cluster_are_not_followed_on_removal(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, pgqc_user, f->cache));
    char *plant = NULL;
    assert_true(asprintf(&plant,
                         "cd %s/cluster-*/data && ln -s '%s' evil-dir && "
                         "ln -s '%s/precious.txt' evil-file && mkdir -p deep/er && "
                         "ln -s '%s' deep/er/evil",
                         f->cache, f->victim, f->victim, f->victim) > 0);
    char *cmd = as_user("postgres", plant);
    assert_int_equal(tu_run(cmd, NULL), 0);
    free(cmd);
    free(plant);
    /* Without its marker the cluster is removed and initialised again. */
    assert_int_equal(tu_runf(NULL, "rm %s/cluster-*/cluster.ok", f->cache), 0);
    char *out = generate_ok(f, pgqc_user, f->cache);
    assert_non_null(strstr(out, "initialised the cluster"));
    free(out);
    assert_victim_intact(f);
    assert_int_equal(tu_runf(NULL, "test ! -e %s/cluster-*/data/evil-dir", f->cache), 0);
}

/*
 * The third attack: the server user starts the cached cluster and renames a
 * type in the migrated template. The next generate must notice (schema
 * fingerprint) and rebuild, producing the same code as before.
 */
static void test_poisoned_template_is_rebuilt(void **state)
{
    fixture *f = *state;
    free(generate_ok(f, pgqc_user, f->cache));
    assert_int_equal(tu_runf(NULL, "cp '%s/out/db.h' '%s/db.h.orig'", f->dir, f->dir), 0);
    /* What the server user knows: where the cluster is, which server it needs. */
    char *entry = NULL, *bindir = NULL;
    assert_int_equal(tu_runf(&entry, "echo %s/cluster-*", f->cache), 0);
    entry[strcspn(entry, "\n")] = '\0';
    assert_int_equal(tu_runf(&bindir, "cat %s/server", entry), 0);
    bindir[strcspn(bindir, "\n")] = '\0';
    char *attack = NULL;
    assert_true(asprintf(&attack,
                         "set -e; s=$(mktemp -d)\n"
                         "%s/pg_ctl -D %s/data -o \"-k $s -c listen_addresses=\" -w -l $s/log "
                         "start >/dev/null\n"
                         "t=$(psql -h $s -U pgqc -d template1 -Atc \"SELECT datname FROM "
                         "pg_database WHERE datname LIKE 'pgqc_tpl_%%'\")\n"
                         "psql -h $s -U pgqc -d $t -qc 'ALTER TYPE post_status RENAME TO "
                         "post_state'\n"
                         "%s/pg_ctl -D %s/data -w stop >/dev/null; rm -rf $s\n",
                         bindir, entry, bindir, entry) > 0);
    free(entry);
    free(bindir);
    char *cmd = as_user("postgres", attack);
    char *out = NULL;
    int st = tu_run(cmd, &out);
    if (st != 0)
        fprintf(stderr, "%s\n%s", cmd, out);
    assert_int_equal(st, 0);
    free(out);
    free(cmd);
    free(attack);
    out = generate_ok(f, pgqc_user, f->cache);
    assert_non_null(strstr(out, "was changed since it was built"));
    assert_non_null(strstr(out, "built the template database"));
    free(out);
    assert_int_equal(tu_runf(NULL, "cmp '%s/out/db.h' '%s/db.h.orig'", f->dir, f->dir), 0);
    /* And the rebuilt template is reused again. */
    out = generate_ok(f, pgqc_user, f->cache);
    assert_non_null(strstr(out, "reusing the template database"));
    free(out);
}

/*
 * The watchdog must never signal a pid after its process was reaped. In a
 * new pid namespace, a process is made to get initdb's pid right after
 * initdb exited (ns_last_pid); it must survive pgqc's cleanup.
 */
static void test_watchdog_never_signals_a_reused_pid(void **state)
{
    if (!is_root() || user_mode || tu_run("unshare -pf --mount-proc true", NULL) != 0)
        skip();
    fixture *f = *state;
    /* The server binaries pgqc uses: what its cache entry records. */
    free(generate_ok(f, NULL, f->cache));
    char *bindir = NULL;
    assert_int_equal(tu_runf(&bindir, "cat %s/cluster-*/server", f->cache), 0);
    bindir[strcspn(bindir, "\n")] = '\0';
    /* A bindir whose initdb records its pid, then execs the real one. */
    assert_int_equal(tu_runf(NULL,
                             "cd '%s' && mkdir -m 0777 fake pids p && ln -s '%s/postgres' fake/ && "
                             "printf '#!/bin/sh\\necho $$ > %s/pids/initdb\\nexec %s/initdb "
                             "\"$@\"\\n' > fake/initdb && chmod 0755 fake/initdb && "
                             "cp -r '%s/migrations' p/",
                             f->shared, bindir, f->shared, bindir, f->dir),
                     0);
    /* The command: get a process onto initdb's old pid, which is free now. */
    tu_write(f->shared, "p/victim.sh",
             "p=$(cat ../pids/initdb)\n"
             "for i in $(seq 50); do\n"
             "  echo $((p - 1)) > /proc/sys/kernel/ns_last_pid\n"
             "  sleep 60 & v=$!\n"
             "  if [ $v = $p ]; then echo $v > ../pids/victim; exit 0; fi\n"
             "  kill $v\n"
             "done\n"
             "exit 1\n");
    tu_write(f->shared, "attack.sh",
             "cd p && env -u DATABASE_URL PGQC_PG_BINDIR=../fake \"$@\" run --no-cache -- "
             "sh victim.sh || exit 1\n"
             "sleep 0.5\n"
             "kill -0 $(cat ../pids/victim) && echo victim-alive\n");
    char *res = NULL;
    int st = tu_runf(&res, "cd '%s' && TMPDIR='%s' unshare -pf --mount-proc sh attack.sh '%s'",
                     f->shared, f->tmpdir, tu_pgqc());
    if (st != 0 || !strstr(res, "victim-alive"))
        fprintf(stderr, "%s\n", res);
    assert_int_equal(st, 0);
    assert_non_null(strstr(res, "victim-alive"));
    free(res);
    free(bindir);
}

/* The server's environment holds nothing of pgqc's secrets. */
static void server_environment(fixture *f, const char *cache_args)
{
    tu_write(f->dir, "env.sh",
             "d=$(psql \"$DATABASE_URL\" -Atc 'SHOW data_directory') || exit 1\n"
             "p=$(head -1 \"$d/postmaster.pid\")\n"
             "echo \"server pid $p\"\n"
             "tr '\\0' '\\n' < /proc/$p/environ\n");
    char *out = NULL, *inner = NULL;
    assert_true(
        asprintf(&inner,
                 "cd '%s' && PGPASSWORD=sekrit-pw DATABASE_URL=postgresql://u:sekrit-url@h/d "
                 "API_TOKEN=sekrit-tok TMPDIR='%s' PGQC_CACHE_DIR='%s' '%s' run %s -- sh env.sh",
                 f->dir, f->tmpdir, f->cache, tu_pgqc(), cache_args) > 0);
    char *cmd = as_user(pgqc_user, inner);
    int st = tu_run(cmd, &out);
    free(cmd);
    free(inner);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "server pid "));
    assert_non_null(strstr(out, "\nPATH="));
    assert_null(strstr(out, "sekrit"));
    assert_null(strstr(out, "PGPASSWORD"));
    assert_null(strstr(out, "\nDATABASE_URL"));
    free(out);
}

static void test_server_environment_has_no_secrets_cached(void **state)
{
    server_environment(*state, "");
}

static void test_server_environment_has_no_secrets_throwaway(void **state)
{
    server_environment(*state, "--no-cache");
}

/* A TMPDIR too long for a socket path: pgqc uses a short private directory. */
static void test_long_tmpdir_falls_back_to_a_short_directory(void **state)
{
    fixture *f = *state;
    char *longdir = NULL;
    assert_true(asprintf(&longdir, "%s/%0120d", f->tmpdir, 0) > 0);
    assert_int_equal(tu_runf(NULL, "mkdir -m 0777 -p '%s'", longdir), 0);
    const char *modes[] = {"--no-cache", ""};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL, *inner = NULL;
        assert_true(asprintf(&inner,
                             "cd '%s' && env -u DATABASE_URL TMPDIR='%s' PGQC_CACHE_DIR='%s' '%s' "
                             "generate --out out --name db %s",
                             f->dir, longdir, f->cache, tu_pgqc(), modes[i]) > 0);
        char *cmd = as_user(pgqc_user, inner);
        int st = tu_run(cmd, &out);
        free(cmd);
        free(inner);
        if (st != 0)
            fprintf(stderr, "%s", out);
        assert_int_equal(st, 0);
        free(out);
        assert_int_equal(tu_count_entries(longdir), 0);
    }
    free(longdir);
}

int main(int argc, char **argv)
{
    /* `test_security root` (pgqc as the test's user) or `test_security user`. */
    user_mode = argc > 1 && strcmp(argv[1], "user") == 0;
    pgqc_user = user_mode && is_root() ? "postgres" : NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_link_planted_in_shared_cache_root_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_link_at_entry_name_is_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_root_of_another_user_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_group_writable_cache_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_replaced_by_a_link_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links_in_the_cluster_are_not_followed_on_removal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_poisoned_template_is_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watchdog_never_signals_a_reused_pid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_environment_has_no_secrets_cached, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_server_environment_has_no_secrets_throwaway, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_long_tmpdir_falls_back_to_a_short_directory, setup,
                                        teardown),
    };
    if (getenv("PGQC_TEST_FILTER"))
        cmocka_set_test_filter(getenv("PGQC_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
