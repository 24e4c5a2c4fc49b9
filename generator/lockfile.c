/*
 * lockfile.c — building, writing, reading and checking pgqc.lock (see
 * lockfile.h).
 */
#include "lockfile.h"
#include "analysis_json.h"
#include "fsutil.h"
#include "strbuf.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *lockfile_default_path(const char *migrations_dir)
{
    char *dir = xstrdup(migrations_dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    char *slash = strrchr(dir, '/');
    char *path;
    if (!slash)
        path = xstrdup("pgqc.lock");
    else if (slash == dir)
        path = xstrdup("/pgqc.lock");
    else
        path = xstrfmt("%.*s/pgqc.lock", (int)(slash - dir), dir);
    free(dir);
    return path;
}

bool file_sha256(const char *path, char hex[65], char **err)
{
    size_t len;
    char *text = fs_read_file(path, &len, err);
    if (!text)
        return false;
    unsigned char md[32];
    unsigned int mdlen = 0;
    bool ok = EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) && mdlen == 32;
    free(text);
    if (!ok) {
        *err = xstrfmt("cannot hash %s", path);
        return false;
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return true;
}

json_t *lockfile_build(const analysis *a, char *const *paths, char *const *keys, size_t npaths,
                       diag_list *dl)
{
    json_t *files = json_object();
    for (size_t i = 0; i < npaths; i++) {
        char hex[65], *err = NULL;
        if (!file_sha256(paths[i], hex, &err)) {
            diag_plain(dl, DIAG_ERROR, paths[i], "%s", err);
            free(err);
            json_decref(files);
            return NULL;
        }
        json_object_set_new(files, keys[i], json_string(hex));
    }
    json_t *lock = json_object();
    json_object_set_new(lock, "format", json_integer(LOCKFILE_FORMAT));
    json_object_set_new(lock, "pgqc_version", json_string(PGQC_VERSION_STRING));
    json_object_set_new(lock, "files", files);
    json_object_set_new(lock, "analysis", analysis_to_json(a));
    return lock;
}

char *lockfile_render(const json_t *lock)
{
    char *s = json_dumps(lock, JSON_INDENT(2) | JSON_SORT_KEYS);
    char *out = xstrfmt("%s\n", s ? s : "{}");
    free(s);
    return out;
}

json_t *lockfile_read(const char *path, diag_list *dl)
{
    json_error_t jerr;
    if (!fs_is_file(path)) {
        diag *d = diag_plain(dl, DIAG_ERROR, path, "lock file not found");
        diag_set_hint(d, "run `pgqc generate` (with a database or the embedded one) to create it");
        return NULL;
    }
    json_t *lock = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!lock) {
        diag *d = diag_plain(dl, DIAG_ERROR, path, "lock file is not valid JSON (line %d: %s)",
                             jerr.line, jerr.text);
        diag_set_hint(d, "do not edit pgqc.lock by hand; run `pgqc generate` to rewrite it");
        return NULL;
    }
    json_t *format = json_object_get(lock, "format");
    if (!json_is_integer(format) || json_integer_value(format) != LOCKFILE_FORMAT ||
        !json_is_object(json_object_get(lock, "files")) ||
        !json_is_object(json_object_get(lock, "analysis"))) {
        diag *d = diag_plain(dl, DIAG_ERROR, path,
                             "not a pgqc lock file of format %d (missing or different \"format\", "
                             "\"files\" or \"analysis\")",
                             LOCKFILE_FORMAT);
        diag_set_hint(d, "run `pgqc generate` to rewrite it");
        json_decref(lock);
        return NULL;
    }
    return lock;
}

size_t lockfile_check_sources(const json_t *lock, const char *lock_path, char *const *paths,
                              char *const *keys, size_t npaths, diag_severity sev, diag_list *dl)
{
    const json_t *files = json_object_get(lock, "files");
    size_t stale = 0;
    for (size_t i = 0; i < npaths; i++) {
        const json_t *want = json_object_get(files, keys[i]);
        char hex[65], *err = NULL;
        if (!want) {
            diag_plain(dl, sev, paths[i], "file is not in %s (added since it was written)",
                       lock_path);
            stale++;
        } else if (!file_sha256(paths[i], hex, &err)) {
            diag_plain(dl, sev, paths[i], "%s", err);
            free(err);
            stale++;
        } else if (!json_is_string(want) || strcmp(json_string_value(want), hex) != 0) {
            diag_plain(dl, sev, paths[i], "file changed since %s was written", lock_path);
            stale++;
        }
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)files, key, value)
    {
        bool present = false;
        for (size_t i = 0; i < npaths && !present; i++)
            present = strcmp(keys[i], key) == 0;
        if (!present) {
            diag_plain(dl, sev, key,
                       "file is in %s but no longer exists (or is no longer an input)", lock_path);
            stale++;
        }
    }
    return stale;
}

analysis *lockfile_analysis(const json_t *lock, const char *lock_path, diag_list *dl)
{
    return analysis_from_json(json_object_get(lock, "analysis"), lock_path, dl);
}
