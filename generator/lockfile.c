/*
 * lockfile.c — building, writing, reading and checking pgqc.lock (see
 * lockfile.h).
 */
#include "lockfile.h"
#include "analysis_json.h"
#include "fsutil.h"
#include "jsonout.h"
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

/* Write the lock through `w`; false (after a diagnostic) when a source cannot be hashed. */
static bool write_lock(jsonout *w, const analysis *a, char *const *paths, char *const *keys,
                       size_t npaths, diag_list *dl)
{
    char(*hex)[65] = xcalloc(npaths + 1, sizeof *hex);
    for (size_t i = 0; i < npaths; i++) {
        char *err = NULL;
        if (!file_sha256(paths[i], hex[i], &err)) {
            diag_plain(dl, DIAG_ERROR, paths[i], "%s", err);
            free(err);
            free(hex);
            return false;
        }
    }
    jsonout_object(w);
    jsonout_key(w, "format");
    jsonout_int(w, LOCKFILE_FORMAT);
    jsonout_key(w, "pgqc_version");
    jsonout_str(w, PGQC_VERSION_STRING);
    jsonout_key(w, "files");
    jsonout_object(w);
    for (size_t i = 0; i < npaths; i++) {
        jsonout_key(w, keys[i]);
        jsonout_str(w, hex[i]);
    }
    jsonout_end(w);
    jsonout_key(w, "analysis");
    analysis_write(w, a);
    jsonout_end(w);
    free(hex);
    return true;
}

char *lockfile_text(const analysis *a, char *const *paths, char *const *keys, size_t npaths,
                    diag_list *dl)
{
    strbuf sb = STRBUF_INIT;
    jsonout w;
    jsonout_text_sorted(&w, &sb);
    bool ok = write_lock(&w, a, paths, keys, npaths, dl);
    jsonout_release(&w);
    if (!ok) {
        strbuf_release(&sb);
        return NULL;
    }
    strbuf_addch(&sb, '\n');
    return strbuf_detach(&sb, NULL);
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
