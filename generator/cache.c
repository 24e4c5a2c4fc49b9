/*
 * cache.c — where the cache lives, its lock, and its markers (see cache.h).
 *
 * This file knows the layout of the cache directory and nothing about
 * PostgreSQL beyond "a data directory"; dbsource.c decides when to build,
 * verify and use what is here. Every path below ROOT is reached through a
 * directory descriptor that was checked (owner, mode, not a link), never
 * through a path string, so nothing another user can write is followed.
 */
#include "cache.h"
#include "fsutil.h"
#include "strbuf.h"
#include "tmpdb.h"

#include <openssl/evp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bumped when the layout changes: entries of another layout get other keys. */
static const char layout[] = "pgqc cache layout 2";
static const char cluster_marker[] = "pgqc cache 2: initdb complete\n";

/* Markers and the server file are small; anything larger is not ours. */
#define SMALL_FILE 4096

static const char unsafe_hint[] =
    "pgqc refuses a cache that another user could change (it would run a server and remove "
    "files there); remove it, or set PGQC_CACHE_DIR to a directory of your own (see "
    "docs/build.md, \"Security model\")";

static void hex_sha256(const void *data, size_t len, char *out, size_t digits)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (size_t i = 0; i < digits / 2 && i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[digits] = '\0';
}

char *cache_root(char **err)
{
    const char *env = getenv("PGQC_CACHE_DIR");
    if (env && *env)
        return xstrdup(env);
    env = getenv("XDG_CACHE_HOME");
    if (env && *env == '/')
        return xstrfmt("%s/pgqc", env);
    /* root's home is private (0700): the server user could not reach a cluster there. */
    if (geteuid() == 0)
        return xstrdup("/var/cache/pgqc");
    env = getenv("HOME");
    if (env && *env)
        return xstrfmt("%s/.cache/pgqc", env);
    *err = xstrdup("no cache directory: set PGQC_CACHE_DIR, XDG_CACHE_HOME or HOME");
    return NULL;
}

/* The entry key: which layout and fingerprint, server binaries, build of them, server user. */
static bool entry_key(const char *bindir, uid_t server_uid, char key[13], char **err)
{
    char *postgres = xstrfmt("%s/postgres", bindir);
    struct stat st;
    if (stat(postgres, &st) != 0) {
        *err = xstrfmt("cannot stat %s: %s", postgres, strerror(errno));
        free(postgres);
        return false;
    }
    free(postgres);
    char *id = xstrfmt("%s, fingerprint %d\n%s\n%lu %lu %lld %lld\n%lu\n", layout,
                       CACHE_FINGERPRINT_VERSION, bindir, (unsigned long)st.st_dev,
                       (unsigned long)st.st_ino, (long long)st.st_size,
                       (long long)st.st_mtim.tv_sec, (unsigned long)server_uid);
    hex_sha256(id, strlen(id), key, 12);
    free(id);
    return true;
}

static char *user_name(uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    return pw ? xstrfmt("\"%s\"", pw->pw_name) : xstrfmt("%lu", (unsigned long)uid);
}

/*
 * Is `gid` the private group of pgqc's user (same name, no other members)?
 * With such a group (Debian's user private groups, umask 002), a
 * group-writable directory is still writable by the user alone.
 */
static bool private_group(gid_t gid)
{
    struct passwd *pw = getpwuid(geteuid());
    if (!pw || gid != pw->pw_gid)
        return false;
    char *name = xstrdup(pw->pw_name);
    struct group *gr = getgrgid(gid);
    bool ok = gr && strcmp(gr->gr_name, name) == 0;
    for (char **m = ok ? gr->gr_mem : NULL; m && *m; m++)
        ok = ok && strcmp(*m, name) == 0;
    free(name);
    return ok;
}

/* May others write to a directory of this mode and group? */
static bool others_may_write(mode_t mode, gid_t gid)
{
    return (mode & 0002) || ((mode & 0020) && !private_group(gid));
}

/* Who the server runs as, and whether that is someone else than pgqc. */
typedef struct server_id {
    uid_t uid;
    gid_t gid;
    bool other; /* pgqc is root: the server runs as another user */
} server_id;

/*
 * Can the directories above the cache be trusted? Each must belong to root
 * or to pgqc's user and be writable by nobody else (sticky world-writable
 * directories like /tmp excepted: there others cannot rename our entries).
 * With a server user, each must also let it through.
 */
static cache_status check_ancestors(const char *real, const server_id *sv, char **err, char **hint)
{
    char *p = xstrdup(real);
    cache_status st = CACHE_OK;
    for (;;) {
        struct stat s;
        if (lstat(p, &s) != 0) {
            *err = xstrfmt("cannot check %s: %s", p, strerror(errno));
            st = CACHE_UNUSABLE;
            break;
        }
        bool foreign = s.st_uid != 0 && s.st_uid != geteuid();
        bool writable = others_may_write(s.st_mode, s.st_gid) && !(s.st_mode & S_ISVTX);
        if (foreign || writable) {
            char *who = user_name(s.st_uid);
            *err = foreign ? xstrfmt("%s, above the cache directory, belongs to user %s", p, who)
                           : xstrfmt("%s, above the cache directory, is writable by other users "
                                     "(mode %04o)",
                                     p, (unsigned)(s.st_mode & 07777));
            *hint = xstrdup(unsafe_hint);
            free(who);
            st = CACHE_UNSAFE;
            break;
        }
        bool through = (s.st_mode & 0001) || (s.st_gid == sv->gid && (s.st_mode & 0010)) ||
                       (s.st_uid == sv->uid && (s.st_mode & 0100));
        if (sv->other && !through) {
            char *who = user_name(sv->uid);
            *err = xstrfmt("the server user %s cannot reach the cache: %s is private", who, p);
            free(who);
            st = CACHE_UNUSABLE;
            break;
        }
        if (strcmp(p, "/") == 0)
            break;
        char *up = fs_dirname(p);
        free(p);
        p = up;
    }
    free(p);
    return st;
}

/*
 * Create (when missing) and open directory `name` in `parentfd`, then check
 * it: a real directory (not a link), owned by pgqc's user, writable by no
 * one else. With a server user it must be traversable (mode 0711) for it.
 */
static cache_status open_own_dir(int parentfd, const char *name, const char *path,
                                 const server_id *sv, int *fd, char **err, char **hint)
{
    mode_t mode = sv->other ? 0711 : 0700;
    if (mkdirat(parentfd, name, mode) != 0 && errno != EEXIST) {
        *err = xstrfmt("cannot create %s: %s", path, strerror(errno));
        return CACHE_UNUSABLE;
    }
    /* Look before opening (a directory of another user may not even open),
     * then check that what was opened is what was looked at. */
    struct stat ls, s;
    if (fstatat(parentfd, name, &ls, AT_SYMLINK_NOFOLLOW) != 0) {
        *err = xstrfmt("cannot check %s: %s", path, strerror(errno));
        return CACHE_UNUSABLE;
    }
    const char *bad = NULL;
    char *who = user_name(ls.st_uid);
    char *what = NULL;
    if (S_ISLNK(ls.st_mode))
        bad = "is a symbolic link, not a directory";
    else if (!S_ISDIR(ls.st_mode))
        bad = "is not a directory";
    else if (ls.st_uid != geteuid())
        bad = what = xstrfmt("belongs to user %s, not to the user running pgqc", who);
    else if (others_may_write(ls.st_mode, ls.st_gid))
        bad = what =
            xstrfmt("is writable by other users (mode %04o)", (unsigned)(ls.st_mode & 07777));
    free(who);
    if (bad) {
        *err = xstrfmt("%s %s", path, bad);
        *hint = xstrdup(unsafe_hint);
        free(what);
        return CACHE_UNSAFE;
    }
    *fd = fs_open_dir_at(parentfd, name);
    if (*fd < 0 || fstat(*fd, &s) != 0) {
        *err = xstrfmt("cannot open %s: %s", path, strerror(errno));
        return CACHE_UNUSABLE;
    }
    if (s.st_dev != ls.st_dev || s.st_ino != ls.st_ino) {
        *err = xstrfmt("%s was replaced while pgqc opened it", path);
        *hint = xstrdup(unsafe_hint);
        return CACHE_UNSAFE;
    }
    if (sv->other && (s.st_mode & 0011) != 0011 && fchmod(*fd, (s.st_mode & 07777) | 0011) != 0) {
        *err = xstrfmt("cannot let the server user through %s: %s", path, strerror(errno));
        return CACHE_UNUSABLE;
    }
    return CACHE_OK;
}

/* Open (creating) ROOT after checking everything above it. */
static cache_status open_root(const char *root, const server_id *sv, int *fd, char **err,
                              char **hint)
{
    char *path = xstrdup(root);
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0';
    char *parent = fs_dirname(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    cache_status st = CACHE_OK;
    char *real = NULL;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        *err = xstrfmt("%s cannot be a cache directory: name a directory", root);
        st = CACHE_UNUSABLE;
    } else if (!fs_mkdirs(parent, false, err)) {
        st = CACHE_UNUSABLE;
    } else if (!(real = realpath(parent, NULL))) {
        *err = xstrfmt("cannot resolve %s: %s", parent, strerror(errno));
        st = CACHE_UNUSABLE;
    } else {
        st = check_ancestors(real, sv, err, hint);
    }
    if (st == CACHE_OK) {
        /* Nobody else can change `real` now: open it by path, the rest by descriptor. */
        int pfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0) {
            *err = xstrfmt("cannot open %s: %s", real, strerror(errno));
            st = CACHE_UNUSABLE;
        } else {
            st = open_own_dir(pfd, base, path, sv, fd, err, hint);
            close(pfd);
        }
    }
    free(real);
    free(parent);
    free(path);
    return st;
}

static bool lock_entry(int fd, int wait_ms, bool *waited)
{
    *waited = false;
    for (int t = 0;; t += 10) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (t >= wait_ms)
            return false;
        *waited = true;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Does file `name` in `dirfd` hold exactly `want`? */
static bool file_says(int dirfd, const char *name, const char *want)
{
    char *err = NULL;
    size_t len = 0;
    char *text = fs_read_at(dirfd, name, SMALL_FILE, &len, &err);
    free(err);
    bool ok = text && len == strlen(want) && memcmp(text, want, len) == 0;
    free(text);
    return ok;
}

static bool server_identity(server_id *sv, char **err)
{
    bool drop;
    if (!tmpdb_server_user(&sv->uid, &sv->gid, &drop, err))
        return false;
    sv->other = drop;
    return true;
}

cache_status cache_open(const char *root, const char *bindir, int wait_ms, cache_entry *ce,
                        bool *waited, char **err, char **hint)
{
    memset(ce, 0, sizeof *ce);
    ce->rootfd = ce->dirfd = ce->lockfd = -1;
    *waited = false;
    server_id sv;
    char key[13];
    if (!server_identity(&sv, err) || !entry_key(bindir, sv.uid, key, err))
        return CACHE_UNUSABLE;
    cache_status st = open_root(root, &sv, &ce->rootfd, err, hint);
    if (st != CACHE_OK)
        goto fail;
    char name[32];
    snprintf(name, sizeof name, "cluster-%s", key);
    ce->dir = xstrfmt("%s/%s", root, name);
    ce->datadir = xstrfmt("%s/data", ce->dir);
    st = open_own_dir(ce->rootfd, name, ce->dir, &sv, &ce->dirfd, err, hint);
    if (st != CACHE_OK)
        goto fail;
    ce->lockfd =
        openat(ce->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    struct stat ls;
    if (ce->lockfd < 0 || fstat(ce->lockfd, &ls) != 0) {
        *err = xstrfmt("cannot open %s/lock: %s", ce->dir, strerror(errno));
        st = errno == ELOOP ? CACHE_UNSAFE : CACHE_UNUSABLE;
        if (st == CACHE_UNSAFE)
            *hint = xstrdup(unsafe_hint);
        goto fail;
    }
    if (!S_ISREG(ls.st_mode) || ls.st_uid != geteuid()) {
        *err = xstrfmt("%s/lock is not a regular file of the user running pgqc", ce->dir);
        *hint = xstrdup(unsafe_hint);
        st = CACHE_UNSAFE;
        goto fail;
    }
    if (!lock_entry(ce->lockfd, wait_ms, waited)) {
        *err = xstrfmt("%s/lock is still locked by another pgqc after %d ms", ce->dir, wait_ms);
        st = CACHE_UNUSABLE;
        goto fail;
    }
    char *line = xstrfmt("%s\n", bindir);
    bool ok = file_says(ce->dirfd, "server", line) ||
              fs_write_at(ce->dirfd, "server", line, strlen(line), 0644, err);
    free(line);
    if (!ok) {
        st = CACHE_UNUSABLE;
        goto fail;
    }
    return CACHE_OK;
fail:
    cache_close(ce);
    return st;
}

size_t cache_prune_superseded(const char *bindir, const cache_entry *ce)
{
    int dfd = dup(ce->rootfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return 0;
    }
    char *line = xstrfmt("%s\n", bindir);
    const char *mine = strrchr(ce->dir, '/') + 1;
    size_t removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "cluster-", 8) != 0 || strcmp(de->d_name, mine) == 0)
            continue;
        int efd = fs_open_dir_at(ce->rootfd, de->d_name);
        if (efd < 0)
            continue;
        if (file_says(efd, "server", line)) {
            /* O_RDONLY | O_NONBLOCK: a planted FIFO neither blocks nor is written to. */
            int fd = openat(efd, "lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            struct stat ls;
            if (fd >= 0 && fstat(fd, &ls) == 0 && S_ISREG(ls.st_mode) &&
                flock(fd, LOCK_EX | LOCK_NB) == 0) {
                /* Marker first, so an interrupted removal is never taken for a cluster. */
                unlinkat(efd, "cluster.ok", 0);
                if (fs_remove_tree_at(ce->rootfd, de->d_name))
                    removed++;
            }
            if (fd >= 0)
                close(fd);
        }
        close(efd);
    }
    closedir(d);
    free(line);
    return removed;
}

void cache_close(cache_entry *ce)
{
    if (ce->lockfd >= 0)
        close(ce->lockfd);
    if (ce->dirfd >= 0)
        close(ce->dirfd);
    if (ce->rootfd >= 0)
        close(ce->rootfd);
    free(ce->dir);
    free(ce->datadir);
    memset(ce, 0, sizeof *ce);
    ce->rootfd = ce->dirfd = ce->lockfd = -1;
}

/*
 * Read marker `name`: its first line must be `head`, its second
 * "fingerprint HEX". *fp receives HEX (malloc'ed) when `fp` is not NULL.
 */
static bool read_marker(int dirfd, const char *name, const char *head, char **fp)
{
    char *err = NULL;
    size_t len = 0;
    char *text = fs_read_at(dirfd, name, SMALL_FILE, &len, &err);
    free(err);
    size_t hl = strlen(head);
    bool ok = text && len > hl && memcmp(text, head, hl) == 0 &&
              strncmp(text + hl, "fingerprint ", 12) == 0;
    if (ok) {
        const char *hex = text + hl + 12;
        size_t n = strspn(hex, "0123456789abcdef");
        ok = n > 0 && n <= CACHE_FINGERPRINT_MAX && strcmp(hex + n, "\n") == 0;
        if (ok && fp)
            *fp = xstrndup(hex, n);
    }
    free(text);
    return ok;
}

static bool write_marker(int dirfd, const char *name, const char *head, const char *fp, char **err)
{
    if (strspn(fp, "0123456789abcdef") != strlen(fp) || !*fp ||
        strlen(fp) > CACHE_FINGERPRINT_MAX) {
        *err = xstrdup("invalid schema fingerprint");
        return false;
    }
    char *text = xstrfmt("%sfingerprint %s\n", head, fp);
    bool ok = fs_write_at(dirfd, name, text, strlen(text), 0644, err);
    free(text);
    return ok;
}

bool cache_cluster_ready(const cache_entry *ce, char **baseline)
{
    char *fp = NULL;
    if (!read_marker(ce->dirfd, "cluster.ok", cluster_marker, &fp))
        return false;
    int dfd = fs_open_dir_at(ce->dirfd, "data");
    struct stat st;
    bool ok = dfd >= 0 && fstatat(dfd, "PG_VERSION", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
              S_ISREG(st.st_mode);
    if (dfd >= 0)
        close(dfd);
    if (ok && baseline)
        *baseline = fp;
    else
        free(fp);
    return ok;
}

bool cache_mark_cluster(const cache_entry *ce, const char *baseline, char **err)
{
    return write_marker(ce->dirfd, "cluster.ok", cluster_marker, baseline, err);
}

void cache_distrust_cluster(const cache_entry *ce)
{
    unlinkat(ce->dirfd, "cluster.ok", 0);
}

bool cache_forget_cluster(const cache_entry *ce, char **err)
{
    /* Markers first: an interrupted removal leaves an entry that is rebuilt. */
    unlinkat(ce->dirfd, "cluster.ok", 0);
    size_t n = 0;
    char **all = cache_stale_templates(ce, 0, &n);
    for (size_t i = 0; i < n; i++) {
        cache_forget_template(ce, all[i]);
        free(all[i]);
    }
    free(all);
    if (!fs_remove_tree_at(ce->dirfd, "data")) {
        *err = xstrfmt("cannot remove %s", ce->datadir);
        return false;
    }
    server_id sv;
    if (!server_identity(&sv, err))
        return false;
    /* initdb fills an empty directory; the server user cannot create one here. */
    if (mkdirat(ce->dirfd, "data", 0700) != 0) {
        *err = xstrfmt("cannot create %s: %s", ce->datadir, strerror(errno));
        return false;
    }
    int fd = fs_open_dir_at(ce->dirfd, "data");
    bool ok = fd >= 0 && fchmod(fd, 0700) == 0 && (!sv.other || fchown(fd, sv.uid, sv.gid) == 0);
    if (!ok)
        *err = xstrfmt("cannot give %s to the server user: %s", ce->datadir, strerror(errno));
    if (fd >= 0)
        close(fd);
    return ok;
}

void cache_migration_hash(const pgqc_migration_set *set, char out[17])
{
    strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "pgqc migration set 1\n");
    for (size_t i = 0; set && i < set->count; i++) {
        const pgqc_migration *m = &set->items[i];
        strbuf_addf(&sb, "%lld %s %d\n", (long long)m->version, m->checksum,
                    m->no_transaction ? 1 : 0);
    }
    hex_sha256(sb.buf, sb.len, out, 16);
    strbuf_release(&sb);
}

char *cache_template_name(const char *hash)
{
    return xstrfmt("pgqc_tpl_%s", hash);
}

/* A template hash is 16 hex digits; anything else (a database name) is not one. */
static bool valid_hash(const char *hash)
{
    return strlen(hash) == 16 && strspn(hash, "0123456789abcdef") == 16;
}

static void template_files(const char *hash, char marker[64], char head[96])
{
    snprintf(marker, 64, "template-%s.ok", hash);
    snprintf(head, 96, "pgqc cache 2: template %s migrated\n", hash);
}

bool cache_template_ready(const cache_entry *ce, const char *hash, char **fingerprint)
{
    if (!valid_hash(hash))
        return false;
    char marker[64], head[96];
    template_files(hash, marker, head);
    bool ok = read_marker(ce->dirfd, marker, head, fingerprint);
    if (ok)
        utimensat(ce->dirfd, marker, NULL, AT_SYMLINK_NOFOLLOW); /* last use, for pruning */
    return ok;
}

bool cache_mark_template(const cache_entry *ce, const char *hash, const char *fingerprint,
                         char **err)
{
    if (!valid_hash(hash)) {
        *err = xstrfmt("invalid template hash %s", hash);
        return false;
    }
    char marker[64], head[96];
    template_files(hash, marker, head);
    return write_marker(ce->dirfd, marker, head, fingerprint, err);
}

void cache_forget_template(const cache_entry *ce, const char *hash)
{
    if (!valid_hash(hash))
        return;
    char marker[64], head[96];
    template_files(hash, marker, head);
    unlinkat(ce->dirfd, marker, 0);
}

typedef struct used_template {
    char hash[17];
    struct timespec used;
} used_template;

static int newest_first(const void *a, const void *b)
{
    const used_template *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? 1 : -1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? 1 : -1;
    return strcmp(x->hash, y->hash);
}

char **cache_stale_templates(const cache_entry *ce, int keep, size_t *n)
{
    *n = 0;
    int dfd = dup(ce->dirfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return NULL;
    }
    used_template *all = NULL;
    size_t count = 0, alloc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len != strlen("template-") + 16 + strlen(".ok") ||
            strncmp(de->d_name, "template-", 9) != 0 || strcmp(de->d_name + 25, ".ok") != 0)
            continue;
        char hash[17];
        memcpy(hash, de->d_name + 9, 16);
        hash[16] = '\0';
        struct stat st;
        if (valid_hash(hash) && fstatat(ce->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            ALLOC_GROW(all, count + 1, alloc);
            memcpy(all[count].hash, hash, 17);
            all[count].used = st.st_mtim;
            count++;
        }
    }
    closedir(d);
    if (count)
        qsort(all, count, sizeof *all, newest_first);
    char **out = NULL;
    if (count > (size_t)keep) {
        out = xcalloc(count - (size_t)keep, sizeof *out);
        for (size_t i = count; i-- > (size_t)keep;)
            out[(*n)++] = xstrdup(all[i].hash);
    }
    free(all);
    return out;
}
