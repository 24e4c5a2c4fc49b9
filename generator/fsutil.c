/*
 * fsutil.c — file-system helpers of the generator (see fsutil.h).
 */
#include "fsutil.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *fs_read_bytes(const char *path, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = xstrfmt("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
    if (ferror(f)) {
        *err = xstrfmt("cannot read %s: %s", path, strerror(errno));
        fclose(f);
        strbuf_release(&sb);
        return NULL;
    }
    fclose(f);
    *len = sb.len;
    return strbuf_detach(&sb, NULL);
}

char *fs_read_file(const char *path, size_t *len, char **err)
{
    size_t n = 0;
    char *text = fs_read_bytes(path, &n, err);
    if (text && memchr(text, '\0', n)) {
        *err = xstrfmt("%s contains a NUL byte: not a text file", path);
        free(text);
        return NULL;
    }
    if (text && len)
        *len = n;
    return text;
}

/* Signal-safe storage for the temp files being written. */
enum { MAX_PENDING = 16 };
static char pending_temp[MAX_PENDING][4096];
static volatile sig_atomic_t pending_set[MAX_PENDING];

/* Remember `path` in a free slot; -1 when none is free (or it is too long). */
static int pending_add(const char *path)
{
    size_t len = strlen(path);
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pending_set[i] || len >= sizeof pending_temp[i])
            continue;
        memcpy(pending_temp[i], path, len + 1);
        pending_set[i] = 1;
        return i;
    }
    return -1;
}

static void pending_clear(int slot)
{
    if (slot >= 0)
        pending_set[slot] = 0;
}

void fs_cleanup_pending_temp(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending_set[i])
            unlink(pending_temp[i]);
}

/* Why writing failed, in words a user acts on (a full disk says so). */
static char *write_error(const char *path, int err)
{
    if (err == ENOSPC || err == EDQUOT)
        return xstrfmt("cannot write %s: no space left on device%s", path,
                       err == EDQUOT ? " (disk quota exceeded)" : "");
    return xstrfmt("cannot write %s: %s", path, strerror(err));
}

/* Write all of data to fd; false with errno set. */
static bool write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return false;
        if (w == 0) {
            errno = ENOSPC;
            return false;
        }
        off += (size_t)w;
    }
    return true;
}

/* A temp file next to `path` holding `data`, fsync'ed; NULL with *err. */
static char *stage(const char *path, const char *data, size_t len, int *slot, char **err)
{
    char *tmp = xstrfmt("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        *err = e == ENOSPC || e == EDQUOT
                   ? write_error(path, e)
                   : xstrfmt("cannot create a temporary file next to %s: %s", path, strerror(e));
        free(tmp);
        return NULL;
    }
    *slot = pending_add(tmp);
    bool ok = write_all(fd, data, len) && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        *err = write_error(path, e);
        unlink(tmp);
        pending_clear(*slot);
        free(tmp);
        return NULL;
    }
    return tmp;
}

bool fs_write_if_changed(const char *path, const char *data, size_t len, bool *changed, char **err)
{
    fs_output one = {path, data, len, false};
    bool ok = fs_write_outputs(&one, 1, err);
    *changed = one.changed;
    return ok;
}

bool fs_write_outputs(fs_output *outs, size_t n, char **err)
{
    char **tmps = xcalloc(n + 1, sizeof *tmps);
    int *slots = xcalloc(n + 1, sizeof *slots);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        outs[i].changed = false;
        slots[i] = -1;
        size_t oldlen;
        char *olderr = NULL;
        char *old = fs_read_file(outs[i].path, &oldlen, &olderr);
        free(olderr);
        bool same = old && oldlen == outs[i].len && memcmp(old, outs[i].data, oldlen) == 0;
        free(old);
        if (same)
            continue;
        tmps[i] = stage(outs[i].path, outs[i].data, outs[i].len, &slots[i], err);
        if (!tmps[i]) {
            ok = false;
            break;
        }
    }
    /* Every new file is complete on disk: only now replace the old ones. */
    for (size_t i = 0; ok && i < n; i++) {
        if (!tmps[i])
            continue;
        if (rename(tmps[i], outs[i].path) != 0) {
            *err = xstrfmt("cannot rename %s to %s: %s", tmps[i], outs[i].path, strerror(errno));
            ok = false;
            break;
        }
        outs[i].changed = true;
        pending_clear(slots[i]);
        free(tmps[i]);
        tmps[i] = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (tmps[i]) {
            unlink(tmps[i]);
            pending_clear(slots[i]);
            free(tmps[i]);
        }
    }
    free(tmps);
    free(slots);
    return ok;
}

/*
 * Can entries be created in directory `dir`? Tried for real (a directory
 * made and removed at once): permissions say nothing for root, and a
 * read-only mount or a file system like /proc refuses anyway. errno says
 * why not.
 */
static bool can_create_in(const char *dir)
{
    if (access(dir, W_OK | X_OK) != 0)
        return false;
    char *probe = xstrfmt("%s/.pgqc-probe-XXXXXX", dir);
    bool made = mkdtemp(probe) != NULL;
    int e = errno;
    if (made)
        rmdir(probe);
    free(probe);
    errno = e;
    /* A full disk is not a configuration error: writing says "no space left". */
    return made || e == ENOSPC || e == EDQUOT;
}

bool fs_check_output_dir(const char *path, char **err)
{
    if (!*path) {
        *err = xstrdup("an empty path is not a directory");
        return false;
    }
    struct stat st;
    char *p = xstrdup(path);
    /* The directory itself, or the nearest existing parent that would hold it. */
    while (stat(p, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR) {
            *err = xstrfmt("%s: %s", p, strerror(errno));
            free(p);
            return false;
        }
        char *parent = fs_dirname(p);
        if (strcmp(parent, p) == 0) {
            free(parent);
            break;
        }
        free(p);
        p = parent;
    }
    bool ok = true;
    if (!S_ISDIR(st.st_mode)) {
        *err = strcmp(p, path) == 0 ? xstrfmt("%s exists and is not a directory", path)
                                    : xstrfmt("cannot create %s: %s is not a directory", path, p);
        ok = false;
    } else if (!can_create_in(p)) {
        int e = errno;
        *err = strcmp(p, path) == 0 ? xstrfmt("directory %s is not writable: %s", path, strerror(e))
                                    : xstrfmt("cannot create %s: directory %s is not writable: %s",
                                              path, p, strerror(e));
        ok = false;
    }
    free(p);
    return ok;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fs_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool fs_list_sql(const char *path, char ***files, size_t *n, char **err)
{
    size_t alloc = *n;
    if (!fs_is_dir(path)) {
        if (!fs_is_file(path)) {
            *err = xstrfmt("%s: no such file or directory", path);
            return false;
        }
        ALLOC_GROW(*files, *n + 1, alloc);
        (*files)[(*n)++] = xstrdup(path);
        return true;
    }
    DIR *d = opendir(path);
    if (!d) {
        *err = xstrfmt("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    size_t first = *n;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".sql") != 0)
            continue;
        size_t pl = strlen(path);
        char *full = xstrfmt("%s%s%s", path, (pl && path[pl - 1] == '/') ? "" : "/", de->d_name);
        if (!fs_is_file(full)) {
            free(full);
            continue;
        }
        ALLOC_GROW(*files, *n + 1, alloc);
        (*files)[(*n)++] = full;
    }
    closedir(d);
    if (*n > first)
        qsort(*files + first, *n - first, sizeof **files, cmp_str);
    return true;
}

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

/* Append the .sql files below directory `path`, recursively; `seen` holds the directories read. */
static bool list_tree(const char *path, dir_id **seen, size_t *nseen, size_t *seen_alloc,
                      char ***files, size_t *n, size_t *alloc, char **err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = xstrfmt("cannot read %s: %s", path, strerror(errno));
        return false;
    }
    for (size_t i = 0; i < *nseen; i++)
        if ((*seen)[i].dev == st.st_dev && (*seen)[i].ino == st.st_ino)
            return true; /* a symlink loop, or the same directory twice */
    ALLOC_GROW(*seen, *nseen + 1, *seen_alloc);
    (*seen)[(*nseen)++] = (dir_id){st.st_dev, st.st_ino};
    DIR *d = opendir(path);
    if (!d) {
        *err = xstrfmt("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    size_t pl = strlen(path);
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') /* ., .., and hidden files and directories */
            continue;
        char *full = xstrfmt("%s%s%s", path, (pl && path[pl - 1] == '/') ? "" : "/", de->d_name);
        size_t l = strlen(de->d_name);
        if (fs_is_dir(full)) {
            ok = list_tree(full, seen, nseen, seen_alloc, files, n, alloc, err);
            free(full);
        } else if (l >= 5 && strcmp(de->d_name + l - 4, ".sql") == 0 && fs_is_file(full)) {
            ALLOC_GROW(*files, *n + 1, *alloc);
            (*files)[(*n)++] = full;
        } else {
            free(full);
        }
    }
    closedir(d);
    return ok;
}

bool fs_list_sql_tree(const char *path, char ***files, size_t *n, char **err)
{
    if (!fs_is_dir(path))
        return fs_list_sql(path, files, n, err);
    size_t alloc = *n, first = *n, nseen = 0, seen_alloc = 0;
    dir_id *seen = NULL;
    bool ok = list_tree(path, &seen, &nseen, &seen_alloc, files, n, &alloc, err);
    free(seen);
    if (*n > first)
        qsort(*files + first, *n - first, sizeof **files, cmp_str);
    return ok;
}

/*
 * Remove everything inside the directory open as `dfd` (which is closed).
 * Never follows a symbolic link: entries are examined with fstatat
 * (AT_SYMLINK_NOFOLLOW), sub-directories opened with O_NOFOLLOW relative to
 * their parent's descriptor, and everything removed with unlinkat, so a
 * link planted anywhere in the tree is removed, never followed, even when
 * the tree changes while it is being removed.
 */
static void remove_contents(int dfd, int depth, long *budget)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    /* Entries added while we remove are seen by the next pass; stop when a
     * pass removes nothing (what is left cannot be removed), after a few
     * passes, or when the budget of entries is spent. */
    bool removed = true;
    for (int pass = 0; removed && pass < 8; pass++) {
        removed = false;
        rewinddir(d);
        struct dirent *de;
        while ((de = readdir(d)) != NULL && --*budget > 0) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if (unlinkat(dfd, de->d_name, 0) == 0) {
                removed = true;
                continue;
            }
            if ((errno != EISDIR && errno != EPERM) || depth >= 256)
                continue;
            int sub = fs_open_dir_at(dfd, de->d_name);
            if (sub < 0)
                continue;
            remove_contents(sub, depth + 1, budget);
            if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) == 0)
                removed = true;
        }
    }
    closedir(d);
}

bool fs_remove_tree_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT;
    /* Bounded work: a tree someone keeps filling while we remove it is
     * left (and reported) rather than removed forever. */
    long budget = 10 * 1000 * 1000;
    int fd = fs_open_dir_at(dirfd, name);
    if (fd >= 0)
        remove_contents(fd, 0, &budget);
    return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

bool fs_remove_tree(const char *path)
{
    char *parent = fs_dirname(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    bool ok;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        ok = false; /* "dir/", "." or "..": no name to remove */
    } else {
        int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ok = pfd >= 0 ? fs_remove_tree_at(pfd, base) : errno == ENOENT;
        if (pfd >= 0)
            close(pfd);
    }
    free(parent);
    return ok;
}

int fs_open_dir_at(int dirfd, const char *name)
{
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}

char *fs_read_at(int dirfd, const char *name, size_t max, size_t *len, char **err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err = xstrfmt("cannot open %s: %s", name, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        *err = xstrfmt("%s is not a regular file of at most %zu bytes", name, max);
        close(fd);
        return NULL;
    }
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = xstrfmt("cannot read %s: %s", name, strerror(errno));
            close(fd);
            strbuf_release(&sb);
            return NULL;
        }
        if (n == 0)
            break;
        if (sb.len + (size_t)n > max) {
            *err = xstrfmt("%s is larger than %zu bytes", name, max);
            close(fd);
            strbuf_release(&sb);
            return NULL;
        }
        strbuf_add(&sb, buf, (size_t)n);
    }
    close(fd);
    if (len)
        *len = sb.len;
    return strbuf_detach(&sb, NULL);
}

bool fs_write_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode, char **err)
{
    char tmp[300];
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(tmp, sizeof tmp, ".%.200s.tmp.%ld.%ld.%d", name, (long)getpid(), (long)ts.tv_nsec,
                 attempt);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) {
            *err = xstrfmt("cannot create a temporary file for %s: %s", name, strerror(errno));
            return false;
        }
    }
    if (fd < 0) {
        *err = xstrfmt("cannot create a temporary file for %s", name);
        return false;
    }
    size_t off = 0;
    bool ok = true;
    while (ok && off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            ok = false;
        else
            off += (size_t)w;
    }
    ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && renameat(dirfd, tmp, dirfd, name) != 0)
        ok = false;
    if (!ok) {
        *err = xstrfmt("cannot write %s: %s", name, strerror(errno));
        unlinkat(dirfd, tmp, 0);
    }
    return ok;
}

bool fs_mkdirs(const char *path, bool private_dir, char **err)
{
    char *p = xstrdup(path);
    mode_t mode = private_dir ? 0700 : 0755;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) {
            *err = xstrfmt("cannot create %s: %s", p, strerror(errno));
            free(p);
            return false;
        }
        *s = '/';
    }
    if (mkdir(p, mode) != 0 && errno != EEXIST) {
        *err = xstrfmt("cannot create %s: %s", p, strerror(errno));
        free(p);
        return false;
    }
    free(p);
    return true;
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *fs_relpath(const char *base, const char *path)
{
    char *b = realpath(base, NULL), *p = realpath(path, NULL);
    if (!b || !p) {
        free(b);
        free(p);
        return xstrdup(path);
    }
    /* Longest common prefix ending at a path component boundary. */
    size_t common = 0;
    for (size_t i = 0;; i++) {
        bool b_end = b[i] == '\0' || b[i] == '/', p_end = p[i] == '\0' || p[i] == '/';
        if (b_end && p_end)
            common = i;
        if (b[i] != p[i] || !b[i])
            break;
    }
    strbuf sb = STRBUF_INIT;
    for (const char *q = b + common; *q; q++)
        if (*q == '/')
            strbuf_addstr(&sb, "../");
    const char *rest = p + common;
    if (*rest == '/')
        rest++;
    strbuf_addstr(&sb, rest);
    if (!sb.len)
        strbuf_addch(&sb, '.');
    free(b);
    free(p);
    return strbuf_detach(&sb, NULL);
}
