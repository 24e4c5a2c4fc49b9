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
#include <stdarg.h>
#include <stdio.h>
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

static void write_options(jsonout *w, const lock_options *opt)
{
    jsonout_object(w);
    jsonout_key(w, "include");
    jsonout_array(w);
    for (size_t i = 0; i < opt->nincludes; i++)
        jsonout_str(w, opt->includes[i]);
    jsonout_end(w);
    jsonout_key(w, "map_type");
    jsonout_array(w);
    for (size_t i = 0; i < opt->nmaps; i++) {
        char *spec = type_map_spec(&opt->maps[i]);
        jsonout_str(w, spec);
        free(spec);
    }
    jsonout_end(w);
    jsonout_end(w);
}

void lockfile_digest(const analysis *a, const lock_options *opt, char hex[65])
{
    /* The digest is over the canonical text of {"analysis": ..., "options": ...}. */
    strbuf sb = STRBUF_INIT;
    jsonout w;
    jsonout_text_sorted(&w, &sb);
    jsonout_object(&w);
    jsonout_key(&w, "analysis");
    analysis_write(&w, a, ANALYSIS_LOCK);
    jsonout_key(&w, "options");
    write_options(&w, opt);
    jsonout_end(&w);
    jsonout_release(&w);
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(sb.buf, sb.len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        /* Only an OpenSSL without SHA-256 gets here: a digest nothing matches. */
        memset(md, 0, sizeof md);
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    strbuf_release(&sb);
}

/* Write the lock through `w`; false (after a diagnostic) when a source cannot be hashed. */
static bool write_lock(jsonout *w, const analysis *a, const lock_options *opt, char *const *paths,
                       char *const *keys, size_t npaths, diag_list *dl)
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
    char digest[65];
    lockfile_digest(a, opt, digest);
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
    jsonout_key(w, "options");
    write_options(w, opt);
    jsonout_key(w, "analysis_sha256");
    jsonout_str(w, digest);
    jsonout_key(w, "analysis");
    analysis_write(w, a, ANALYSIS_LOCK);
    jsonout_end(w);
    free(hex);
    return true;
}

char *lockfile_text(const analysis *a, const lock_options *opt, char *const *paths,
                    char *const *keys, size_t npaths, diag_list *dl)
{
    strbuf sb = STRBUF_INIT;
    jsonout w;
    jsonout_text_sorted(&w, &sb);
    bool ok = write_lock(&w, a, opt, paths, keys, npaths, dl);
    jsonout_release(&w);
    if (!ok) {
        strbuf_release(&sb);
        return NULL;
    }
    strbuf_addch(&sb, '\n');
    return strbuf_detach(&sb, NULL);
}

/* ---- reading ------------------------------------------------------------------ */

static const char regenerate_hint[] = "pgqc.lock is written by `pgqc generate`; do not edit it "
                                      "by hand, regenerate it (and review how it was changed)";

static bool malformed(const char *origin, diag_list *dl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool malformed(const char *origin, diag_list *dl, const char *fmt, ...)
{
    strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    /* Values quoted from the lock are shown, never interpreted by the terminal. */
    for (size_t i = 0; i < msg.len; i++)
        if ((unsigned char)msg.buf[i] < 0x20 || msg.buf[i] == 0x7f)
            msg.buf[i] = '?';
    diag *d = diag_plain(dl, DIAG_ERROR, origin, "malformed lock file: %s", msg.buf);
    diag_set_hint(d, "%s", regenerate_hint);
    strbuf_release(&msg);
    return false;
}

static bool is_sha256_hex(const json_t *v)
{
    if (!json_is_string(v) || json_string_length(v) != 64)
        return false;
    for (const char *p = json_string_value(v); *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool clean_line(const char *s, size_t len, size_t max)
{
    if (len == 0 || len > max || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* "files": {relative path: sha256 hex}. */
static bool read_files(const json_t *files, const char *origin, diag_list *dl)
{
    if (!json_is_object(files))
        return malformed(origin, dl, "$.files: expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)files, key, v)
    {
        if (!clean_line(key, strlen(key), 4096))
            return malformed(origin, dl,
                             "$.files: a file name is empty, too long or contains "
                             "a control character");
        if (!is_sha256_hex(v))
            return malformed(origin, dl, "$.files[\"%s\"]: expected 64 lowercase hex digits", key);
    }
    return true;
}

/* "options": {"include": [header], "map_type": [spec]}. */
static bool read_options(const json_t *o, lock_options *out, const char *origin, diag_list *dl)
{
    const json_t *inc = json_object_get(o, "include"), *maps = json_object_get(o, "map_type");
    if (!json_is_object(o) || json_object_size(o) != 2 || !json_is_array(inc) ||
        !json_is_array(maps))
        return malformed(origin, dl,
                         "$.options: expected an object with arrays \"include\" and \"map_type\"");
    if (json_array_size(inc) > 1024 || json_array_size(maps) > 1024)
        return malformed(origin, dl, "$.options: more than 1024 headers or type mappings");
    out->includes = xcalloc(json_array_size(inc) + 1, sizeof *out->includes);
    for (size_t i = 0; i < json_array_size(inc); i++) {
        const json_t *v = json_array_get(inc, i);
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
            !include_header_ok(json_string_value(v)))
            return malformed(origin, dl,
                             "$.options.include[%zu]: not a header name (no control "
                             "characters, quotes or backslashes)",
                             i);
        out->includes[out->nincludes++] = xstrdup(json_string_value(v));
    }
    out->maps = xcalloc(json_array_size(maps) + 1, sizeof *out->maps);
    for (size_t i = 0; i < json_array_size(maps); i++) {
        const json_t *v = json_array_get(maps, i);
        char *err = NULL;
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return malformed(origin, dl, "$.options.map_type[%zu]: expected a string", i);
        if (!type_map_parse(json_string_value(v), &out->maps[out->nmaps], &err)) {
            malformed(origin, dl, "$.options.map_type[%zu]: %s", i, err);
            free(err);
            return false;
        }
        out->nmaps++;
        for (size_t k = 0; k + 1 < out->nmaps; k++)
            if (strcmp(out->maps[k].pg_type, out->maps[i].pg_type) == 0)
                return malformed(origin, dl, "$.options.map_type[%zu]: type %s is mapped twice", i,
                                 out->maps[i].pg_type);
    }
    return true;
}

void lockfile_free(lockfile *lf)
{
    if (!lf)
        return;
    json_decref(lf->json);
    analysis_free(lf->analysis);
    for (size_t i = 0; i < lf->opt.nmaps; i++)
        type_map_free(&lf->opt.maps[i]);
    free(lf->opt.maps);
    for (size_t i = 0; i < lf->opt.nincludes; i++)
        free((char *)lf->opt.includes[i]);
    free(lf->opt.includes);
    free(lf);
}

lockfile *lockfile_parse(const char *text, size_t len, const char *origin, diag_list *dl)
{
    json_error_t jerr;
    lockfile *lf = xcalloc(1, sizeof *lf);
    lf->json = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!lf->json) {
        for (char *p = jerr.text; *p; p++) /* jansson quotes the input near the error */
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        diag *d = diag_plain(dl, DIAG_ERROR, origin,
                             "lock file is not valid JSON (line %d, column %d: %s)", jerr.line,
                             jerr.column, jerr.text);
        diag_set_hint(d, "%s", regenerate_hint);
        lockfile_free(lf);
        return NULL;
    }
    const json_t *j = lf->json, *format = json_object_get(j, "format");
    static const char *const keys[] = {"analysis", "analysis_sha256", "files",
                                       "format",   "options",         "pgqc_version"};
    bool ok = json_is_object(j);
    if (!ok) {
        malformed(origin, dl, "$: expected an object");
    } else if (!json_is_integer(format) || json_integer_value(format) != LOCKFILE_FORMAT) {
        diag *d = diag_plain(dl, DIAG_ERROR, origin,
                             "not a pgqc lock file of format %d (\"format\" is missing or "
                             "different)",
                             LOCKFILE_FORMAT);
        diag_set_hint(d, "it was written by another version of pgqc: run `pgqc generate` to "
                         "rewrite it");
        ok = false;
    } else {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)j, key, v)
        {
            bool known = false;
            for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !known; i++)
                known = strcmp(keys[i], key) == 0;
            if (!known) {
                ok = malformed(origin, dl, "$: unknown member \"%.64s\"", key);
                break;
            }
        }
        for (size_t i = 0; ok && i < sizeof keys / sizeof keys[0]; i++)
            if (!json_object_get(j, keys[i]))
                ok = malformed(origin, dl, "$.%s: missing", keys[i]);
    }
    const json_t *version = ok ? json_object_get(j, "pgqc_version") : NULL;
    if (ok && (!json_is_string(version) ||
               !clean_line(json_string_value(version), json_string_length(version), 64)))
        ok = malformed(origin, dl, "$.pgqc_version: expected a version string");
    if (ok && !is_sha256_hex(json_object_get(j, "analysis_sha256")))
        ok = malformed(origin, dl, "$.analysis_sha256: expected 64 lowercase hex digits");
    ok = ok && read_files(json_object_get(j, "files"), origin, dl) &&
         read_options(json_object_get(j, "options"), &lf->opt, origin, dl);
    if (ok)
        lf->analysis = analysis_from_json(json_object_get(j, "analysis"), origin, "$.analysis",
                                          lf->opt.maps, lf->opt.nmaps, dl);
    if (!lf->analysis) {
        lockfile_free(lf);
        return NULL;
    }
    char digest[65];
    lockfile_digest(lf->analysis, &lf->opt, digest);
    lf->edited = strcmp(digest, json_string_value(json_object_get(j, "analysis_sha256"))) != 0;
    return lf;
}

lockfile *lockfile_load(const char *path, diag_list *dl, lock_failure *why)
{
    if (!fs_is_file(path)) {
        diag *d = diag_plain(dl, DIAG_ERROR, path, "lock file not found");
        diag_set_hint(d, "run `pgqc generate` (with a database or the embedded one) to create it");
        *why = LOCK_MISSING;
        return NULL;
    }
    size_t len;
    char *err = NULL;
    char *text = fs_read_file(path, &len, &err);
    if (!text) {
        diag_plain(dl, DIAG_ERROR, path, "%s", err);
        free(err);
        *why = LOCK_MALFORMED;
        return NULL;
    }
    lockfile *lf = lockfile_parse(text, len, path, dl);
    free(text);
    if (!lf)
        *why = LOCK_MALFORMED;
    return lf;
}

size_t lockfile_check_sources(const lockfile *lf, const char *lock_path, char *const *paths,
                              char *const *keys, size_t npaths, diag_severity sev, diag_list *dl)
{
    const json_t *files = json_object_get(lf->json, "files");
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
