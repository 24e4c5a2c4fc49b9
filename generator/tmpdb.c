/*
 * tmpdb.c — the embedded throwaway PostgreSQL server (see tmpdb.h).
 *
 * Process layout while a tmpdb exists:
 *
 *   pgqc ──socket──► watchdog (own session, ignores SIGINT/SIGTERM/SIGHUP)
 *     └── postgres (own session, as the unprivileged user when pgqc is root)
 *
 * pgqc sends the watchdog every helper it starts (initdb, postgres) as a
 * pid with a pidfd attached (SCM_RIGHTS; Linux >= 5.3), and "forget PID"
 * before it reaps one. When the socket reaches EOF the watchdog stops the
 * helpers it still knows (SIGQUIT: immediate shutdown, then SIGKILL),
 * waits for them to vanish and removes the directory tree. It signals
 * through the pidfd, which names that one process for good: once the
 * process has exited the signal fails, it never reaches a process that
 * later got the same pid. Without pidfds (an older kernel) it uses the pid,
 * which pgqc keeps unreaped — so not reusable — until the watchdog has
 * been told to forget it, or has finished.
 *
 * With a persistent data directory (the cache) the temp dir holds only the
 * socket and logs; the watchdog asks for a fast shutdown (SIGINT, a clean
 * checkpoint) first, escalating to SIGQUIT and SIGKILL only when the server
 * does not stop, and it keeps the cache lock open until the server is gone.
 *
 * The temp dir belongs to pgqc's user (mode 0711 when the server runs as
 * another user); the server user owns only sock/ and, for a throwaway
 * server, data/. The logs are opened by pgqc (O_NOFOLLOW) and handed to the
 * helpers as descriptors, so nothing pgqc writes or removes as root lies in
 * a directory the server user can change. The helpers get a minimal
 * environment (PATH, LC_ALL=C and, when set, TZ and LD_LIBRARY_PATH):
 * secrets in pgqc's environment (PGPASSWORD, DATABASE_URL) never reach a
 * process of the server user.
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
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct tmpdb {
    char *dir; /* private temp dir: sock/, *.log, and data/ when throwaway */
    char *sockdir;
    char *conninfo;
    pid_t watchdog;
    int pipe_w; /* our end of the socket to the watchdog: closing it triggers cleanup */
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

/* A descriptor that names process `pid` for good, or -1 (no pidfds here). */
static int pid_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

/* Is `pid` running? A zombie (exited, not yet reaped by pgqc) is not. */
static bool pid_alive(pid_t pid)
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

/* A helper the watchdog was told about. */
typedef struct child {
    pid_t pid;
    int pidfd; /* -1: none (no pidfds; pgqc keeps the pid unreaped for us) */
} child;

static bool child_alive(const child *c)
{
    if (c->pidfd < 0)
        return pid_alive(c->pid);
    struct pollfd p = {c->pidfd, POLLIN, 0};
    return poll(&p, 1, 0) == 0; /* readable once the process has exited */
}

static void child_signal(const child *c, int sig)
{
#ifdef SYS_pidfd_send_signal
    if (c->pidfd >= 0) {
        syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
        return;
    }
#endif
    kill(c->pid, sig);
}

/* One message from pgqc: "+PID" (with a pidfd attached, when possible) or "-PID". */
static ssize_t receive(int sock, char *buf, size_t size, int *fd)
{
    *fd = -1;
    union {
        char space[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {buf, size - 1};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.space;
    msg.msg_controllen = sizeof control.space;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0)
        return n;
    buf[n] = '\0';
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    return n;
}

static void watchdog_main(int sock, const char *dir, bool graceful)
{
    child kids[16];
    int nkids = 0;
    for (;;) {
        char buf[64];
        int fd;
        ssize_t n = receive(sock, buf, sizeof buf, &fd);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        long pid = strtol(buf + 1, NULL, 10);
        if (buf[0] == '+' && pid > 0 && nkids < 16) {
            kids[nkids++] = (child){(pid_t)pid, fd};
            continue;
        }
        if (fd >= 0)
            close(fd);
        for (int i = 0; buf[0] == '-' && i < nkids; i++)
            if (kids[i].pid == pid) {
                if (kids[i].pidfd >= 0)
                    close(kids[i].pidfd);
                kids[i--] = kids[--nkids];
            }
    }
    /* Graceful: fast shutdown, immediate after 5 s, kill after 8 s. Else
     * immediate at once, kill after 3 s. Give up waiting after 10 s. */
    int quit_at = graceful ? 500 : 0, kill_at = graceful ? 800 : 300;
    for (int i = 0; i < nkids; i++)
        child_signal(&kids[i], graceful ? SIGINT : SIGQUIT);
    for (int t = 0; t < 1000; t++) {
        bool any = false;
        for (int i = 0; i < nkids; i++)
            any = any || child_alive(&kids[i]);
        if (!any)
            break;
        for (int i = 0; i < nkids; i++) {
            if (!child_alive(&kids[i]))
                continue;
            if (t > 0 && t == quit_at)
                child_signal(&kids[i], SIGQUIT);
            if (t == kill_at)
                child_signal(&kids[i], SIGKILL);
        }
        sleep_ms(10);
    }
    fs_remove_tree(dir);
    _exit(0);
}

/* Tell the watchdog about helper `pid`, with a pidfd when the kernel has them. */
static void tell_watchdog(tmpdb *db, pid_t pid)
{
    char line[32];
    int n = snprintf(line, sizeof line, "+%ld", (long)pid);
    int fd = pid_fd(pid);
    union {
        char space[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {line, (size_t)n};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.space;
        msg.msg_controllen = sizeof control.space;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    if (sendmsg(db->pipe_w, &msg, MSG_NOSIGNAL) != n) {
        /* The watchdog is gone: nothing more we can do here. */
    }
    if (fd >= 0)
        close(fd);
}

/*
 * Reap helper `pid` (waiting for it when `block`): the watchdog is told to
 * forget it while it is still a zombie, so its pid cannot have been reused
 * by then. True with *status when it was reaped.
 */
static bool reap(tmpdb *db, pid_t pid, int *status, bool block)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r;
    while ((r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | (block ? 0 : WNOHANG))) != 0 &&
           errno == EINTR)
        ;
    if (r != 0 || si.si_pid != pid)
        return false;
    if (db->pipe_w >= 0) {
        char line[32];
        int n = snprintf(line, sizeof line, "-%ld", (long)pid);
        if (send(db->pipe_w, line, (size_t)n, MSG_NOSIGNAL) != n) {
            /* The watchdog is gone: it signals nobody any more. */
        }
    }
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    return true;
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
 * The helpers' whole environment: what initdb and postgres need, nothing
 * of pgqc's (no PGPASSWORD, DATABASE_URL, tokens). Built before fork.
 */
typedef struct helper_env {
    char *vars[8];
} helper_env;

static void helper_env_init(helper_env *he)
{
    int n = 0;
    he->vars[n++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
    he->vars[n++] = xstrdup("LC_ALL=C");
    const char *keep[] = {"TZ", "LD_LIBRARY_PATH"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const char *v = getenv(keep[i]);
        if (v)
            he->vars[n++] = xstrfmt("%s=%s", keep[i], v);
    }
    he->vars[n] = NULL;
}

static void helper_env_free(helper_env *he)
{
    for (int i = 0; he->vars[i]; i++)
        free(he->vars[i]);
}

/*
 * Fork and exec `argv` as `ra` with stdout/stderr to `logfd` (opened by
 * pgqc) and the minimal environment, in a new session (so a terminal's
 * Ctrl-C reaches pgqc, not the server directly).
 */
static pid_t spawn(const run_as *ra, char *const argv[], int logfd)
{
    helper_env he;
    helper_env_init(&he);
    pid_t pid = fork();
    if (pid != 0) {
        helper_env_free(&he);
        return pid;
    }
    setsid();
    if (logfd >= 0) {
        dup2(logfd, 1);
        dup2(logfd, 2);
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
    execve(argv[0], argv, he.vars);
    fprintf(stderr, "pgqc: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Open log `name` in the temp dir for a helper (pgqc's file, never a link). */
static int open_log(const tmpdb *db, const char *name)
{
    int dfd = open(db->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    close(dfd);
    return fd;
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

/* Create directory `path` (mode 0700) for the server user. */
static bool make_server_dir(const char *path, const run_as *ra, char **err)
{
    if (mkdir(path, 0700) != 0) {
        *err = xstrfmt("cannot create %s: %s", path, strerror(errno));
        return false;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    bool ok = fd >= 0 && (!ra->drop || fchown(fd, ra->uid, ra->gid) == 0);
    if (!ok)
        *err = xstrfmt("cannot give %s to the server user: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Run initdb into `datadir` (empty, the server user's), as the server user. */
static bool run_initdb(tmpdb *db, const run_as *ra, const char *bindir, char *datadir,
                       const char *initlog, char **err)
{
    char *initdb = xstrfmt("%s/initdb", bindir);
    char *argv_init[] = {initdb, "-D", datadir, "-A",         "trust",     "-U",
                         "pgqc", "-E", "UTF8",  "--locale=C", "--no-sync", "--no-instructions",
                         NULL};
    int logfd = open_log(db, "initdb.log");
    pid_t ip = spawn(ra, argv_init, logfd);
    if (logfd >= 0)
        close(logfd);
    if (ip > 0)
        tell_watchdog(db, ip);
    int st = 0;
    bool ok = ip > 0 && reap(db, ip, &st, true) && WIFEXITED(st) && WEXITSTATUS(st) == 0;
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

/* Longest Unix socket path (sun_path, with its NUL), and what follows the temp dir. */
#define SOCKET_PATH_MAX 108
static const char socket_tail[] = "/sock/.s.PGSQL.5432";

/*
 * The private temp dir: $TMPDIR/pgqc-XXXXXX, or /tmp/pgqc-XXXXXX when
 * TMPDIR is so long that the socket path would not fit in a sockaddr_un.
 * pgqc's own (0700; 0711 when the server user must get through to sock/).
 */
static char *make_temp_dir(const run_as *ra, char **err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp ||
        strlen(tmp) + strlen("/pgqc-XXXXXX") + strlen(socket_tail) >= SOCKET_PATH_MAX)
        tmp = "/tmp";
    char *tmpl = xstrfmt("%s/pgqc-XXXXXX", tmp);
    /* From here on the directory is `dir`, mkdtemp's non-NULL answer. */
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        *err = xstrfmt("cannot create a temporary directory %s: %s", tmpl, strerror(errno));
        free(tmpl);
        return NULL;
    }
    if (ra->drop && chmod(dir, 0711) != 0) {
        *err = xstrfmt("cannot let the server user through %s: %s", dir, strerror(errno));
        rmdir(dir);
        free(dir);
        return NULL;
    }
    return dir;
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
    char *tmpl = make_temp_dir(&ra, err);
    if (!tmpl) {
        free(bindir);
        return NULL;
    }
    tmpdb *db = xcalloc(1, sizeof *db);
    db->dir = tmpl;
    db->sockdir = xstrfmt("%s/sock", db->dir);
    db->pipe_w = -1;

    int pfd[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pfd) != 0) {
        *err = xstrfmt("cannot create a socket pair: %s", strerror(errno));
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
    if (!make_server_dir(db->sockdir, &ra, err) ||
        (!opt->datadir && !make_server_dir(datadir, &ra, err)))
        goto fail;

    if ((!opt->datadir || opt->initdb) && !run_initdb(db, &ra, bindir, datadir, initlog, err))
        goto fail;

    char *postgres = xstrfmt("%s/postgres", bindir);
    char *kopt = xstrfmt("unix_socket_directories=%s", db->sockdir);
    char *argv_pg[] = {postgres, "-D", datadir, "-c", kopt, "-c", "listen_addresses=", "-c",
                       "port=5432", "-c", "unix_socket_permissions=0700", "-c", "fsync=off", "-c",
                       "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                       "max_connections=50", "-c", "shared_buffers=32MB", "-c", "max_wal_senders=0",
                       "-c", "wal_level=minimal", "-c", "log_min_messages=warning",
                       /* A cached cluster's configuration is the server user's to edit:
                        * no code of its choosing is loaded into the server. */
                       "-c", "shared_preload_libraries=", "-c", "session_preload_libraries=", "-c",
                       "local_preload_libraries=", NULL};
    int logfd = open_log(db, "server.log");
    db->server = spawn(&ra, argv_pg, logfd);
    if (logfd >= 0)
        close(logfd);
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
        if (reap(db, db->server, &wst, false) || t > 3000) {
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
    /* The watchdog first: it stops the server and exits once the server is a
     * zombie. Reaping the server only then keeps its pid from being reused
     * while the watchdog might still signal it (when it has no pidfd). */
    if (db->watchdog > 0)
        while (waitpid(db->watchdog, NULL, 0) < 0 && errno == EINTR)
            ;
    if (db->server > 0)
        while (waitpid(db->server, NULL, 0) < 0 && errno == EINTR)
            ;
    free(db->dir);
    free(db->sockdir);
    free(db->conninfo);
    free(db);
}
