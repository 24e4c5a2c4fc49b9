/*
 * tmpdb.c — the embedded throwaway PostgreSQL server (see tmpdb.h).
 *
 * Process layout while a tmpdb exists:
 *
 *   pgqc ──pipe──► watchdog (own session, ignores SIGINT/SIGTERM/SIGHUP)
 *     └── postgres (own session, as the unprivileged user when pgqc is root)
 *
 * pgqc writes the pid of every helper it starts (initdb, postgres) into the
 * pipe. When the pipe reaches EOF the watchdog kills those processes
 * (SIGQUIT: immediate shutdown, then SIGKILL), waits for them to vanish and
 * removes the directory tree.
 *
 * With a persistent data directory (the cache) the temp dir holds only the
 * socket and logs; the watchdog asks for a fast shutdown (SIGINT, a clean
 * checkpoint) first, escalating to SIGQUIT and SIGKILL only when the server
 * does not stop, and it keeps the cache lock open until the server is gone.
 */
#include "tmpdb.h"
#include "fsutil.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct tmpdb {
    char *dir; /* private temp dir: sock/, *.log, and data/ when throwaway */
    char *sockdir;
    char *conninfo;
    pid_t watchdog;
    int pipe_w; /* write end: closing it triggers cleanup */
    pid_t server;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool has_server(const char *dir)
{
    char *a = xstrfmt("%s/initdb", dir), *b = xstrfmt("%s/postgres", dir);
    bool ok = access(a, X_OK) == 0 && access(b, X_OK) == 0;
    free(a);
    free(b);
    return ok;
}

char *tmpdb_find_bindir(char **err)
{
    const char *env = getenv("PGQC_PG_BINDIR");
    if (env && *env) {
        if (has_server(env))
            return xstrdup(env);
        *err = xstrfmt("PGQC_PG_BINDIR=%s has no initdb and postgres executables", env);
        return NULL;
    }
    FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
    if (p) {
        char line[4096];
        if (fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = '\0';
            if (*line && has_server(line)) {
                pclose(p);
                return xstrdup(line);
            }
        }
        pclose(p);
    }
    DIR *d = opendir("/usr/lib/postgresql");
    char *best = NULL;
    long bestv = -1;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            char *end;
            long v = strtol(de->d_name, &end, 10);
            if (end == de->d_name || *end)
                continue;
            char *bin = xstrfmt("/usr/lib/postgresql/%s/bin", de->d_name);
            if (v > bestv && has_server(bin)) {
                free(best);
                best = bin;
                bestv = v;
            } else {
                free(bin);
            }
        }
        closedir(d);
    }
    if (best)
        return best;
    *err = xstrdup("no PostgreSQL server binaries found (looked at $PGQC_PG_BINDIR, "
                   "`pg_config --bindir` and /usr/lib/postgresql/*/bin)");
    return NULL;
}

/* ---- the watchdog ------------------------------------------------------- */

/* Is `pid` running? A zombie (exited, not yet reaped by pgqc) is not. */
static bool alive(pid_t pid)
{
    if (!(kill(pid, 0) == 0 || errno == EPERM))
        return false;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

static void watchdog_main(int rfd, const char *dir, bool graceful)
{
    pid_t pids[16];
    int npids = 0;
    char buf[256];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(rfd, buf + have, sizeof buf - have - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            long pid = strtol(buf, NULL, 10);
            if (pid > 0 && npids < 16)
                pids[npids++] = (pid_t)pid;
            size_t used = (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have - used);
            have -= used;
            buf[have] = '\0';
        }
    }
    /* Graceful: fast shutdown, immediate after 5 s, kill after 8 s. Else
     * immediate at once, kill after 3 s. Give up waiting after 10 s. */
    int quit_at = graceful ? 500 : 0, kill_at = graceful ? 800 : 300;
    for (int i = 0; i < npids; i++)
        kill(pids[i], graceful ? SIGINT : SIGQUIT);
    for (int t = 0; t < 1000; t++) {
        bool any = false;
        for (int i = 0; i < npids; i++)
            any = any || alive(pids[i]);
        if (!any)
            break;
        if (t > 0 && t == quit_at)
            for (int i = 0; i < npids; i++)
                kill(pids[i], SIGQUIT);
        if (t == kill_at)
            for (int i = 0; i < npids; i++)
                kill(pids[i], SIGKILL);
        sleep_ms(10);
    }
    fs_remove_tree(dir);
    _exit(0);
}

static void tell_watchdog(tmpdb *db, pid_t pid)
{
    char line[32];
    int n = snprintf(line, sizeof line, "%ld\n", (long)pid);
    if (write(db->pipe_w, line, (size_t)n) != n) {
        /* The watchdog is gone: nothing more we can do here. */
    }
}

/* ---- running helpers as the right user ---------------------------------- */

typedef struct run_as {
    bool drop;
    uid_t uid;
    gid_t gid;
} run_as;

static bool pick_user(run_as *ra, char **err)
{
    ra->drop = geteuid() == 0;
    ra->uid = geteuid();
    ra->gid = getegid();
    if (!ra->drop)
        return true;
    const char *const names[] = {"postgres", "nobody"};
    for (size_t i = 0; i < 2; i++) {
        struct passwd *pw = getpwnam(names[i]);
        if (pw && pw->pw_uid != 0) {
            ra->uid = pw->pw_uid;
            ra->gid = pw->pw_gid;
            return true;
        }
    }
    *err = xstrdup("running as root, but neither user \"postgres\" nor \"nobody\" exists to run "
                   "the embedded PostgreSQL server (it refuses to run as root)");
    return false;
}

/*
 * Fork and exec `argv` as `ra`, with stdout/stderr to `logpath`, in a new
 * session (so a terminal's Ctrl-C reaches pgqc, not the server directly).
 */
static pid_t spawn(const run_as *ra, char *const argv[], const char *logpath)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (ra->drop && (setgroups(0, NULL) != 0 || setgid(ra->gid) != 0 || setuid(ra->uid) != 0)) {
        perror("pgqc: cannot drop privileges");
        _exit(127);
    }
    execv(argv[0], argv);
    fprintf(stderr, "pgqc: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Last lines of a log file, for error messages. */
static char *log_tail(const char *path)
{
    char *err = NULL;
    size_t len = 0;
    char *text = fs_read_file(path, &len, &err);
    free(err);
    if (!text)
        return xstrdup("");
    size_t start = len;
    int lines = 0;
    while (start > 0 && lines < 8) {
        start--;
        if (text[start] == '\n' && start + 1 < len)
            lines++;
    }
    char *tail = xstrdup(text + start);
    free(text);
    return tail;
}

static void chown_tree(const char *path, const run_as *ra)
{
    if (ra->drop && chown(path, ra->uid, ra->gid) != 0) {
        /* Reported later when initdb cannot write. */
    }
}

/* Run initdb into `datadir` (it must not exist), as the server user. */
static bool run_initdb(tmpdb *db, const run_as *ra, const char *bindir, char *datadir,
                       const char *initlog, char **err)
{
    char *initdb = xstrfmt("%s/initdb", bindir);
    char *argv_init[] = {initdb, "-D", datadir, "-A",         "trust",     "-U",
                         "pgqc", "-E", "UTF8",  "--locale=C", "--no-sync", "--no-instructions",
                         NULL};
    pid_t ip = spawn(ra, argv_init, initlog);
    if (ip > 0)
        tell_watchdog(db, ip);
    int st = 0;
    bool ok = ip > 0 && waitpid(ip, &st, 0) == ip && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!ok) {
        char *tail = log_tail(initlog);
        *err = xstrfmt("initdb failed (%s):\n%s", initdb, tail);
        free(tail);
    }
    free(initdb);
    return ok;
}

bool tmpdb_server_user(uid_t *uid, gid_t *gid, bool *drop, char **err)
{
    run_as ra;
    if (!pick_user(&ra, err))
        return false;
    *uid = ra.uid;
    *gid = ra.gid;
    *drop = ra.drop;
    return true;
}

bool tmpdb_prepare_dir(const char *dir, char **err)
{
    run_as ra;
    if (!pick_user(&ra, err))
        return false;
    if (!ra.drop) {
        if (access(dir, W_OK | X_OK) == 0)
            return true;
        *err = xstrfmt("cannot write to %s: %s", dir, strerror(errno));
        return false;
    }
    if (chown(dir, ra.uid, ra.gid) != 0) {
        *err = xstrfmt("cannot give %s to the server user: %s", dir, strerror(errno));
        return false;
    }
    /* Ask as the server user: every parent must be searchable for it. */
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(ra.gid) != 0 || setuid(ra.uid) != 0)
            _exit(2);
        _exit(access(dir, W_OK | X_OK) == 0 ? 0 : 1);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        struct passwd *pw = getpwuid(ra.uid);
        *err = xstrfmt("the server user \"%s\" cannot reach %s (a parent directory is "
                       "private)",
                       pw ? pw->pw_name : "?", dir);
        return false;
    }
    return true;
}

tmpdb *tmpdb_start(char **err, tmpdb_failure *why)
{
    tmpdb_options opt = {NULL, NULL, false, -1};
    return tmpdb_start_with(&opt, err, why);
}

tmpdb *tmpdb_start_with(const tmpdb_options *opt, char **err, tmpdb_failure *why)
{
    *why = TMPDB_FAILED;
    char *bindir = opt->bindir ? xstrdup(opt->bindir) : tmpdb_find_bindir(err);
    if (!bindir) {
        *why = TMPDB_NO_BINARIES;
        return NULL;
    }
    run_as ra;
    if (!pick_user(&ra, err)) {
        free(bindir);
        return NULL;
    }
    const char *tmp = getenv("TMPDIR");
    char *tmpl = xstrfmt("%s/pgqc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        *err = xstrfmt("cannot create a temporary directory %s: %s", tmpl, strerror(errno));
        free(tmpl);
        free(bindir);
        return NULL;
    }
    tmpdb *db = xcalloc(1, sizeof *db);
    db->dir = tmpl;
    db->sockdir = xstrfmt("%s/sock", db->dir);
    db->pipe_w = -1;

    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        *err = xstrfmt("cannot create a pipe: %s", strerror(errno));
        fs_remove_tree(db->dir);
        goto fail_nowatch;
    }
    db->watchdog = fork();
    if (db->watchdog == 0) {
        close(pfd[1]);
        setsid();
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        /* Close everything else we inherited (e.g. the libpq sockets of the parent). */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != pfd[0] && fd != opt->hold_fd)
                close(fd);
        watchdog_main(pfd[0], db->dir, opt->datadir != NULL);
    }
    close(pfd[0]);
    db->pipe_w = pfd[1];
    if (db->watchdog < 0) {
        *err = xstrfmt("cannot fork: %s", strerror(errno));
        close(db->pipe_w);
        fs_remove_tree(db->dir);
        goto fail_nowatch;
    }

    char *datadir = opt->datadir ? xstrdup(opt->datadir) : xstrfmt("%s/data", db->dir);
    char *initlog = xstrfmt("%s/initdb.log", db->dir);
    char *serverlog = xstrfmt("%s/server.log", db->dir);
    if (mkdir(db->sockdir, 0700) != 0) {
        *err = xstrfmt("cannot create %s: %s", db->sockdir, strerror(errno));
        goto fail;
    }
    chown_tree(db->dir, &ra);
    chown_tree(db->sockdir, &ra);

    if ((!opt->datadir || opt->initdb) && !run_initdb(db, &ra, bindir, datadir, initlog, err))
        goto fail;

    char *postgres = xstrfmt("%s/postgres", bindir);
    char *kopt = xstrfmt("unix_socket_directories=%s", db->sockdir);
    char *argv_pg[] = {postgres,
                       "-D",
                       datadir,
                       "-c",
                       kopt,
                       "-c",
                       "listen_addresses=",
                       "-c",
                       "port=5432",
                       "-c",
                       "unix_socket_permissions=0700",
                       "-c",
                       "fsync=off",
                       "-c",
                       "synchronous_commit=off",
                       "-c",
                       "full_page_writes=off",
                       "-c",
                       "max_connections=50",
                       "-c",
                       "shared_buffers=32MB",
                       "-c",
                       "max_wal_senders=0",
                       "-c",
                       "wal_level=minimal",
                       "-c",
                       "log_min_messages=warning",
                       NULL};
    db->server = spawn(&ra, argv_pg, serverlog);
    free(postgres);
    free(kopt);
    if (db->server < 0) {
        *err = xstrfmt("cannot fork: %s", strerror(errno));
        goto fail;
    }
    tell_watchdog(db, db->server);

    db->conninfo = xstrfmt("host=%s port=5432 user=pgqc dbname=postgres", db->sockdir);
    for (int t = 0;; t++) {
        if (PQping(db->conninfo) == PQPING_OK)
            break;
        int wst;
        if (waitpid(db->server, &wst, WNOHANG) == db->server || t > 3000) {
            char *tail = log_tail(serverlog);
            *err = xstrfmt("the embedded PostgreSQL server did not start:\n%s", tail);
            free(tail);
            if (t <= 3000)
                db->server = 0; /* already reaped */
            goto fail;
        }
        sleep_ms(10);
    }
    free(datadir);
    free(initlog);
    free(serverlog);
    free(bindir);
    *why = TMPDB_OK;
    return db;

fail:
    free(datadir);
    free(initlog);
    free(serverlog);
    free(bindir);
    tmpdb_stop(db);
    return NULL;
fail_nowatch:
    free(bindir);
    free(db->sockdir);
    free(db->dir);
    free(db);
    return NULL;
}

const char *tmpdb_conninfo(const tmpdb *db)
{
    return db->conninfo;
}

char *tmpdb_conninfo_for(const tmpdb *db, const char *dbname)
{
    return xstrfmt("host=%s port=5432 user=pgqc dbname=%s", db->sockdir, dbname);
}

void tmpdb_release(tmpdb *db)
{
    if (!db)
        return;
    if (db->pipe_w >= 0)
        close(db->pipe_w);
    free(db->dir);
    free(db->sockdir);
    free(db->conninfo);
    free(db);
}

void tmpdb_stop(tmpdb *db)
{
    if (!db)
        return;
    if (db->pipe_w >= 0)
        close(db->pipe_w);
    /* Reap the server first: until then the watchdog would see it as alive (a zombie). */
    if (db->server > 0)
        while (waitpid(db->server, NULL, 0) < 0 && errno == EINTR)
            ;
    if (db->watchdog > 0)
        while (waitpid(db->watchdog, NULL, 0) < 0 && errno == EINTR)
            ;
    free(db->dir);
    free(db->sockdir);
    free(db->conninfo);
    free(db);
}
