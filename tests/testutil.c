/*
 * testutil.c — helpers for the integration tests (see testutil.h).
 */
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int tu_run(const char *cmd, char **out)
{
    char *full = malloc(strlen(cmd) + 16);
    sprintf(full, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    size_t n;
    while (p && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    int st = p ? pclose(p) : -1;
    if (out)
        *out = buf;
    else
        free(buf);
    if (st < 0)
        return -1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + WTERMSIG(st);
}

int tu_runf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0)
        cmd = NULL;
    va_end(ap);
    int st = tu_run(cmd, out);
    free(cmd);
    return st;
}

char *tu_mkdtemp(void)
{
    char *t = strdup("/tmp/pgqc-test-XXXXXX");
    if (!mkdtemp(t))
        abort();
    chmod(t, 0755);
    return t;
}

void tu_rmtree(const char *path)
{
    char *cmd = malloc(strlen(path) + 16);
    sprintf(cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) {
        /* best effort */
    }
    free(cmd);
}

void tu_write(const char *dir, const char *name, const char *text)
{
    mkdir(dir, 0755);
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    /* Create the directories inside `name` too. */
    for (char *s = path + strlen(dir) + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0755);
            *s = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    free(path);
}

int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int tu_count_processes(const char *needle)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *de;
    char path[300], buf[8192];
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < len; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        buf[len] = '\0';
        if (strstr(buf, needle))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

const char *tu_pgqc(void)
{
    const char *p = getenv("PGQC_EXE");
    return p ? p : "pgqc";
}

const char *tu_sanitize_flags(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *build = getenv("PGQC_BUILD_ROOT");
        cached = tu_runf(NULL, "nm '%s/runtime/libpgqc.a' 2>/dev/null | grep -q __asan_",
                         build ? build : "build") == 0;
    }
    return cached ? "-fsanitize=address,undefined" : "";
}
