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

char *fs_read_file(const char *path, size_t *len, char **err)
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
    if (memchr(sb.buf, '\0', sb.len)) {
        *err = xstrfmt("%s contains a NUL byte: not a text file", path);
        strbuf_release(&sb);
        return NULL;
    }
    if (len)
        *len = sb.len;
    return strbuf_detach(&sb, NULL);
}

/* Signal-safe storage for the temp file being written. */
static char pending_temp[4096];
static volatile sig_atomic_t pending_set;

void fs_set_pending_temp(const char *path)
{
    pending_set = 0;
    if (path && strlen(path) < sizeof pending_temp) {
        memcpy(pending_temp, path, strlen(path) + 1);
        pending_set = 1;
    }
}

void fs_cleanup_pending_temp(void)
{
    if (pending_set)
        unlink(pending_temp);
}

bool fs_write_if_changed(const char *path, const char *data, size_t len, bool *changed, char **err)
{
    *changed = false;
    size_t oldlen;
    char *olderr = NULL;
    char *old = fs_read_file(path, &oldlen, &olderr);
    free(olderr);
    if (old && oldlen == len && memcmp(old, data, len) == 0) {
        free(old);
        return true;
    }
    free(old);

    char *tmp = xstrfmt("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *err = xstrfmt("cannot create a temporary file next to %s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    fs_set_pending_temp(tmp);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err = xstrfmt("cannot write %s: %s", tmp, strerror(errno));
            goto fail;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        *err = xstrfmt("cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        *err = xstrfmt("cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        *err = xstrfmt("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto fail;
    }
    fs_set_pending_temp(NULL);
    free(tmp);
    *changed = true;
    return true;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    fs_set_pending_temp(NULL);
    free(tmp);
    return false;
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
