/*
 * cache.c — where the cache lives, its lock, and its markers (see cache.h).
 *
 * This file knows the layout of the cache directory and nothing about
 * PostgreSQL beyond "a data directory"; dbsource.c decides when to build,
 * verify and use what is here.
 */
#include "cache.h"
#include "fsutil.h"
#include "strbuf.h"
#include "tmpdb.h"

#include <openssl/evp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char cluster_marker[] = "pgqc cache 1: initdb complete\n";

static bool file_says(const char *path, const char *want);

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
    env = getenv("HOME");
    if (env && *env)
        return xstrfmt("%s/.cache/pgqc", env);
    *err = xstrdup("no cache directory: set PGQC_CACHE_DIR, XDG_CACHE_HOME or HOME");
    return NULL;
}

/* The entry key: which server binaries, which build of them, which user. */
static bool entry_key(const char *bindir, char key[13], char **err)
{
    char *postgres = xstrfmt("%s/postgres", bindir);
    struct stat st;
    if (stat(postgres, &st) != 0) {
        *err = xstrfmt("cannot stat %s: %s", postgres, strerror(errno));
        free(postgres);
        return false;
    }
    free(postgres);
    uid_t uid;
    gid_t gid;
    bool drop;
    if (!tmpdb_server_user(&uid, &gid, &drop, err))
        return false;
    char *id = xstrfmt("%s\n%lu %lu %lld %lld\n%lu\n", bindir, (unsigned long)st.st_dev,
                       (unsigned long)st.st_ino, (long long)st.st_size,
                       (long long)st.st_mtim.tv_sec, (unsigned long)uid);
    hex_sha256(id, strlen(id), key, 12);
    free(id);
    return true;
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

bool cache_open(const char *root, const char *bindir, int wait_ms, cache_entry *ce, bool *waited,
                char **err)
{
    memset(ce, 0, sizeof *ce);
    ce->lockfd = -1;
    *waited = false;
    char key[13];
    if (!entry_key(bindir, key, err))
        return false;
    /* Private unless pgqc is root: then the server user must get through it. */
    if (!fs_mkdirs(root, geteuid() != 0, err))
        return false;
    ce->dir = xstrfmt("%s/cluster-%s", root, key);
    ce->datadir = xstrfmt("%s/data", ce->dir);
    if (mkdir(ce->dir, 0700) != 0 && errno != EEXIST) {
        *err = xstrfmt("cannot create %s: %s", ce->dir, strerror(errno));
        goto fail;
    }
    if (!tmpdb_prepare_dir(ce->dir, err))
        goto fail;
    char *lockpath = xstrfmt("%s/lock", ce->dir);
    ce->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (ce->lockfd < 0) {
        *err = xstrfmt("cannot open %s: %s", lockpath, strerror(errno));
        free(lockpath);
        goto fail;
    }
    if (!lock_entry(ce->lockfd, wait_ms, waited)) {
        *err = xstrfmt("%s is still locked by another pgqc after %d ms", lockpath, wait_ms);
        free(lockpath);
        goto fail;
    }
    free(lockpath);
    char *server = xstrfmt("%s/server", ce->dir);
    char *line = xstrfmt("%s\n", bindir);
    bool changed, ok = fs_write_if_changed(server, line, strlen(line), &changed, err);
    free(server);
    free(line);
    if (!ok)
        goto fail;
    return true;
fail:
    cache_close(ce);
    return false;
}

size_t cache_prune_superseded(const char *root, const char *bindir, const cache_entry *ce)
{
    DIR *d = opendir(root);
    if (!d)
        return 0;
    char *line = xstrfmt("%s\n", bindir);
    const char *mine = strrchr(ce->dir, '/') + 1;
    size_t removed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "cluster-", 8) != 0 || strcmp(de->d_name, mine) == 0)
            continue;
        char *dir = xstrfmt("%s/%s", root, de->d_name);
        char *server = xstrfmt("%s/server", dir);
        char *lockpath = xstrfmt("%s/lock", dir);
        if (file_says(server, line)) {
            int fd = open(lockpath, O_RDWR | O_CLOEXEC);
            if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
                /* Marker first, so an interrupted removal is never taken for a cluster. */
                char *marker = xstrfmt("%s/cluster.ok", dir);
                unlink(marker);
                free(marker);
                if (fs_remove_tree(dir))
                    removed++;
            }
            if (fd >= 0)
                close(fd);
        }
        free(dir);
        free(server);
        free(lockpath);
    }
    closedir(d);
    free(line);
    return removed;
}

void cache_close(cache_entry *ce)
{
    if (ce->lockfd >= 0)
        close(ce->lockfd);
    free(ce->dir);
    free(ce->datadir);
    memset(ce, 0, sizeof *ce);
    ce->lockfd = -1;
}

/* Does `path` hold exactly `want`? */
static bool file_says(const char *path, const char *want)
{
    char *err = NULL;
    size_t len = 0;
    char *text = fs_read_file(path, &len, &err);
    free(err);
    bool ok = text && len == strlen(want) && memcmp(text, want, len) == 0;
    free(text);
    return ok;
}

static bool write_marker(const char *path, const char *text, char **err)
{
    bool changed;
    return fs_write_if_changed(path, text, strlen(text), &changed, err);
}

bool cache_cluster_ready(const cache_entry *ce)
{
    char *marker = xstrfmt("%s/cluster.ok", ce->dir);
    char *version = xstrfmt("%s/PG_VERSION", ce->datadir);
    bool ok = file_says(marker, cluster_marker) && fs_is_file(version);
    free(marker);
    free(version);
    return ok;
}

bool cache_mark_cluster(const cache_entry *ce, char **err)
{
    char *marker = xstrfmt("%s/cluster.ok", ce->dir);
    bool ok = write_marker(marker, cluster_marker, err);
    free(marker);
    return ok;
}

void cache_forget_cluster(const cache_entry *ce)
{
    /* Markers first: an interrupted removal leaves an entry that is rebuilt. */
    char *marker = xstrfmt("%s/cluster.ok", ce->dir);
    unlink(marker);
    free(marker);
    size_t n = 0;
    char **all = cache_stale_templates(ce, 0, &n);
    for (size_t i = 0; i < n; i++) {
        cache_forget_template(ce, all[i]);
        free(all[i]);
    }
    free(all);
    fs_remove_tree(ce->datadir);
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

static char *template_marker(const cache_entry *ce, const char *hash)
{
    return xstrfmt("%s/template-%s.ok", ce->dir, hash);
}

static char *template_marker_text(const char *hash)
{
    return xstrfmt("pgqc cache 1: template %s migrated\n", hash);
}

bool cache_template_ready(const cache_entry *ce, const char *hash)
{
    char *marker = template_marker(ce, hash);
    char *text = template_marker_text(hash);
    bool ok = file_says(marker, text);
    if (ok)
        utimensat(AT_FDCWD, marker, NULL, 0); /* last use, for pruning */
    free(marker);
    free(text);
    return ok;
}

bool cache_mark_template(const cache_entry *ce, const char *hash, char **err)
{
    char *marker = template_marker(ce, hash);
    char *text = template_marker_text(hash);
    bool ok = write_marker(marker, text, err);
    free(marker);
    free(text);
    return ok;
}

void cache_forget_template(const cache_entry *ce, const char *hash)
{
    char *marker = template_marker(ce, hash);
    unlink(marker);
    free(marker);
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
    DIR *d = opendir(ce->dir);
    if (!d)
        return NULL;
    used_template *all = NULL;
    size_t count = 0, alloc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len != strlen("template-") + 16 + strlen(".ok") ||
            strncmp(de->d_name, "template-", 9) != 0 || strcmp(de->d_name + 25, ".ok") != 0)
            continue;
        char *path = xstrfmt("%s/%s", ce->dir, de->d_name);
        struct stat st;
        if (stat(path, &st) == 0) {
            ALLOC_GROW(all, count + 1, alloc);
            memcpy(all[count].hash, de->d_name + 9, 16);
            all[count].hash[16] = '\0';
            all[count].used = st.st_mtim;
            count++;
        }
        free(path);
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
