/*
 * test_docs.c — the documentation runs as written: every shell and C
 * snippet of README.md and every docs/NAME.md is extracted and executed, one test
 * per file, so a doc that drifts from the code fails `meson test`.
 *
 * How a file is run. A scratch project is made for it (a copy of the
 * repository's demo: migrations/ and queries/), with `pgqc` from this
 * build first on PATH, pkg-config finding this build's libpgqc (its
 * uninstalled .pc file, and LD_LIBRARY_PATH standing in for an install),
 * EDITOR=true, and `cc` adding the sanitizer flags of a sanitizer build.
 * Its snippets then run in order, in that directory, each as one step:
 *
 *   ```sh     run with `sh -e`; it must exit 0.
 *   ```c      compiled (`cc -std=c11 -Wall -Wextra -Werror -fsyntax-only`)
 *             as a translation unit after <pgqc/pgqc.h> and
 *             <pgqc/migrate.h>: declarations in a doc are checked
 *             against the real headers.
 *
 * When a doc's shell snippets mention DEV_DATABASE_URL or
 * PROD_DATABASE_URL (the docs' name for "your database"), all steps run
 * under one `pgqc run` (with a cache directory of its own), and both
 * variables name its migrated throwaway database (DATABASE_URL itself is unset, so `pgqc generate`
 * uses its embedded default as a reader's would).
 *
 * Directives: HTML comments (invisible on GitHub) on the lines right
 * before a fence, each `<!-- doctest: DIRECTIVE -->`, or:
 *
 *   <!-- illustrative -->          (optionally with a reason after the
 *                                  word) the snippet is not run: an
 *                                  excerpt of generated code, a copy of a
 *                                  header, output, or a command that
 *                                  installs system-wide.
 *   doctest: file PATH             write the snippet to PATH in the
 *                                  scratch project (any language); later
 *                                  steps use it. Not compiled by itself.
 *   doctest: same-as PATH          the snippet equals the repository file
 *                                  PATH, ignoring PATH's comment-only
 *                                  lines (recipes that test_recipes
 *                                  builds).
 *   doctest: c-body                a C snippet of statements: compiled as
 *                                  the body of a function that has
 *                                  `PGconn *pg` and `pgqc_conn *c`.
 *   doctest: c-include PATH        also include PATH (relative to the
 *                                  source root when it exists there, else
 *                                  to the scratch project) before a C
 *                                  snippet.
 *   doctest: before COMMAND        run COMMAND (sh) first: setup the
 *                                  reader already has (a git repository,
 *                                  a query using a type).
 *   doctest: exit N                the shell snippet must exit with N.
 *
 * Fences of other languages (sql, yaml, console, text, none) are not run.
 *
 * Arguments: the meson build directory. Environment: PGQC_EXE,
 * PGQC_SOURCE_ROOT, PGQC_CACHE_DIR (tests/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static const char *build_root;

static const char *src_root(void)
{
    const char *s = getenv("PGQC_SOURCE_ROOT");
    return s ? s : ".";
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- extracting snippets ------------------------------------------------------ */

typedef struct snippet {
    int line;   /* of the opening fence */
    char *lang; /* info string ("" when none) */
    char *text; /* content, fence indentation removed */
    bool illustrative, c_body;
    char *file, *same_as, *c_include, *before;
    int exit_status;
} snippet;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Apply the directive in comment line `l` ("<!-- ... -->") to `sn`. */
static void directive(snippet *sn, const char *doc, int line, char *l)
{
    char *body = trim(l) + 4;
    char *end = strstr(body, "-->");
    if (end)
        *end = '\0';
    body = trim(body);
    if (strncmp(body, "illustrative", 12) == 0) {
        sn->illustrative = true;
        return;
    }
    if (strncmp(body, "doctest:", 8) != 0)
        return; /* some other comment */
    char *d = trim(body + 8);
    if (strncmp(d, "file ", 5) == 0)
        sn->file = strdup(trim(d + 5));
    else if (strncmp(d, "same-as ", 8) == 0)
        sn->same_as = strdup(trim(d + 8));
    else if (strcmp(d, "c-body") == 0)
        sn->c_body = true;
    else if (strncmp(d, "c-include ", 10) == 0)
        sn->c_include = strdup(trim(d + 10));
    else if (strncmp(d, "before ", 7) == 0)
        sn->before = strdup(trim(d + 7));
    else if (strncmp(d, "exit ", 5) == 0)
        sn->exit_status = atoi(d + 5);
    else
        fail_msg("%s:%d: unknown doctest directive \"%s\"", doc, line, d);
}

/* Every fenced block of `doc` (a path), with the directives before it. */
static snippet *extract(const char *doc, size_t *n)
{
    char *text = read_all(doc);
    assert_non_null(text);
    snippet *out = NULL;
    size_t cnt = 0, cap = 0;
    char **lines = NULL;
    size_t nlines = 0, lcap = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (nlines == lcap)
            lines = realloc(lines, (lcap = lcap ? 2 * lcap : 256) * sizeof *lines);
        lines[nlines++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    for (size_t i = 0; i < nlines; i++) {
        const char *l = lines[i];
        size_t indent = strspn(l, " ");
        if (strncmp(l + indent, "```", 3) != 0)
            continue;
        snippet sn = {0};
        sn.line = (int)i + 1;
        char *info = strdup(l + indent + 3);
        sn.lang = strdup(trim(info));
        free(info);
        /* Directives: the comment lines right above (blank lines allowed between). */
        size_t k = i;
        while (k > 0 && lines[k - 1][strspn(lines[k - 1], " \t\r")] == '\0')
            k--;
        while (k > 0 && strncmp(lines[k - 1] + strspn(lines[k - 1], " "), "<!--", 4) == 0) {
            char *copy = strdup(lines[k - 1]);
            directive(&sn, doc, (int)k, copy);
            free(copy);
            k--;
        }
        size_t len = 0, tcap = 256;
        char *t = malloc(tcap);
        t[0] = '\0';
        size_t j = i + 1;
        for (; j < nlines; j++) {
            const char *b = lines[j];
            size_t bi = strspn(b, " ");
            if (strncmp(b + bi, "```", 3) == 0)
                break;
            const char *content = b + (bi < indent ? bi : indent);
            size_t cl = strlen(content);
            while (len + cl + 2 > tcap)
                t = realloc(t, tcap *= 2);
            memcpy(t + len, content, cl);
            len += cl;
            t[len++] = '\n';
            t[len] = '\0';
        }
        if (j >= nlines)
            fail_msg("%s:%d: unterminated code fence", doc, sn.line);
        sn.text = t;
        if (cnt == cap)
            out = realloc(out, (cap = cap ? 2 * cap : 16) * sizeof *out);
        out[cnt++] = sn;
        i = j;
    }
    free(lines);
    free(text);
    *n = cnt;
    return out;
}

static void snippets_free(snippet *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].lang);
        free(s[i].text);
        free(s[i].file);
        free(s[i].same_as);
        free(s[i].c_include);
        free(s[i].before);
    }
    free(s);
}

/* `text` without its comment-only lines (# ...), for same-as. */
static char *without_comment_lines(const char *text)
{
    char *out = malloc(strlen(text) + 1), *w = out;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        const char *q = p + strspn(p, " \t");
        if (*q != '#') {
            memcpy(w, p, n);
            w += n;
        }
        p += n;
    }
    *w = '\0';
    /* Leading blank lines (left by a header comment) do not count. */
    char *s = out + strspn(out, "\n");
    memmove(out, s, strlen(s) + 1);
    return out;
}

/* ---- running a file's snippets -------------------------------------------------- */

/* The step that checks or runs `sn` (a shell command line), or NULL when nothing runs. */
static char *step_for(const snippet *sn, size_t idx, const char *dir)
{
    bool sh = strcmp(sn->lang, "sh") == 0 || strcmp(sn->lang, "bash") == 0;
    bool c = strcmp(sn->lang, "c") == 0;
    if (sn->file) {
        char *path = xasprintf("%s/%s", dir, sn->file);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        tu_runf(NULL, "mkdir -p '%s'", path);
        *slash = '/';
        write_all(path, sn->text);
        free(path);
        return NULL;
    }
    if (sn->illustrative || (!sh && !c))
        return NULL;
    if (sh) {
        char *path = xasprintf("%s/.doctest/step%zu.sh", dir, idx);
        char *script = xasprintf("%s%s\n%s", sn->before ? sn->before : "",
                                 sn->before ? " || exit 99" : "", sn->text);
        write_all(path, script);
        free(script);
        return path;
    }
    char *include = NULL;
    if (sn->c_include) {
        char *in_src = xasprintf("%s/%s", src_root(), sn->c_include);
        include = access(in_src, R_OK) == 0 ? in_src : xasprintf("%s", sn->c_include);
        if (include != in_src)
            free(in_src);
    }
    char *code;
    const char *pre = "#include <pgqc/pgqc.h>\n#include <pgqc/migrate.h>\n#include <stdio.h>\n"
                      "#include <stdlib.h>\n#include <string.h>\n";
    char *inc = include ? xasprintf("#include \"%s\"\n", include) : strdup("");
    if (sn->c_body)
        code = xasprintf("%s%svoid doc_snippet(PGconn *pg, pgqc_conn *c);\n"
                         "void doc_snippet(PGconn *pg, pgqc_conn *c)\n{\n(void)pg;\n(void)c;\n"
                         "#line %d\n%s}\n",
                         pre, inc, sn->line + 1, sn->text);
    else
        code = xasprintf("%s%s#line %d\n%s", pre, inc, sn->line + 1, sn->text);
    char *cpath = xasprintf("%s/.doctest/step%zu.c", dir, idx);
    write_all(cpath, code);
    char *path = xasprintf("%s/.doctest/step%zu.sh", dir, idx);
    char *script =
        xasprintf("%s%scc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I. "
                  "$(pkg-config --cflags pgqc) '%s'\n",
                  sn->before ? sn->before : "", sn->before ? " || exit 99\n" : "", cpath);
    write_all(path, script);
    free(script);
    free(cpath);
    free(code);
    free(inc);
    free(include);
    return path;
}

static void run_doc(void **state)
{
    const char *rel = *state;
    char *doc = xasprintf("%s/%s", src_root(), rel);
    size_t n;
    snippet *sn = extract(doc, &n);
    char *dir = tu_mkdtemp();
    assert_int_equal(tu_runf(NULL,
                             "cp -r '%s/migrations' '%s/queries' '%s/' && mkdir '%s/.doctest' "
                             "'%s/.doctest/bin'",
                             src_root(), src_root(), dir, dir, dir),
                     0);
    /* cc with the sanitizer flags a sanitizer build's libpgqc needs. */
    char *cc = xasprintf("%s/.doctest/bin/cc", dir);
    char *wrapper = xasprintf("#!/bin/sh\nexec /usr/bin/cc %s \"$@\"\n", tu_sanitize_flags());
    write_all(cc, wrapper);
    tu_runf(NULL, "chmod +x '%s'", cc);
    free(wrapper);
    free(cc);

    /* Steps, in document order; a driver runs them and records each status. */
    char **steps = calloc(n + 1, sizeof *steps);
    bool needs_db = false;
    for (size_t i = 0; i < n; i++) {
        if (sn[i].same_as) {
            char *path = xasprintf("%s/%s", src_root(), sn[i].same_as);
            char *want = read_all(path);
            if (!want)
                fail_msg("%s:%d: same-as %s: no such file", rel, sn[i].line, sn[i].same_as);
            char *stripped = without_comment_lines(want);
            if (strcmp(stripped, sn[i].text) != 0)
                fail_msg("%s:%d: the snippet differs from %s (comment lines aside):\n--- file\n"
                         "%s--- snippet\n%s",
                         rel, sn[i].line, sn[i].same_as, stripped, sn[i].text);
            free(stripped);
            free(want);
            free(path);
            continue;
        }
        steps[i] = step_for(&sn[i], i, dir);
        if (steps[i] &&
            (strstr(sn[i].text, "DEV_DATABASE_URL") || strstr(sn[i].text, "PROD_DATABASE_URL")))
            needs_db = true;
    }
    char *driver = xasprintf("%s/.doctest/driver.sh", dir);
    FILE *d = fopen(driver, "w");
    assert_non_null(d);
    fprintf(d,
            "export DEV_DATABASE_URL=\"$DATABASE_URL\" PROD_DATABASE_URL=\"$DATABASE_URL\"\n"
            "unset DATABASE_URL\nexport PGQC_CACHE_DIR='%s'\n",
            getenv("PGQC_CACHE_DIR") ? getenv("PGQC_CACHE_DIR") : "");
    for (size_t i = 0; i < n; i++)
        if (steps[i])
            fprintf(d,
                    "t0=$(date +%%s%%N); sh -e '%s' > '%s.out' 2>&1; echo $? > '%s.status'; "
                    "echo \"step %zu: $(( ($(date +%%s%%N) - t0) / 1000000 )) ms\"\n",
                    steps[i], steps[i], steps[i], i);
    fclose(d);

    char *exe_dir = strdup(tu_pgqc());
    *strrchr(exe_dir, '/') = '\0';
    /* The database for DEV_DATABASE_URL: `pgqc run` with a cache of its own,
     * since the run holds its cache entry while the snippets use theirs. */
    char *outer = needs_db
                      ? xasprintf("PGQC_CACHE_DIR='%s/test-cache-docs' pgqc run --", build_root)
                      : strdup("");
    char *out = NULL;
    int st = tu_runf(&out,
                     "cd '%s' && env -u DATABASE_URL PATH='%s/.doctest/bin:%s':\"$PATH\" "
                     "PKG_CONFIG_PATH='%s/meson-uninstalled' LD_LIBRARY_PATH='%s/runtime' "
                     "EDITOR=true NO_COLOR=1 %s sh '%s'",
                     dir, dir, exe_dir, build_root, build_root, outer, driver);
    free(outer);
    if (st != 0)
        fail_msg("%s: running its snippets failed (exit %d):\n%s", rel, st, out);
    if (getenv("PGQC_DOCTEST_TIMES"))
        fprintf(stderr, "%s:\n%s", rel, out);
    free(out);

    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (!steps[i])
            continue;
        char *sp = xasprintf("%s.status", steps[i]), *op = xasprintf("%s.out", steps[i]);
        char *status = read_all(sp), *output = read_all(op);
        int got = status ? atoi(status) : -1;
        if (got != sn[i].exit_status) {
            fprintf(stderr, "%s:%d: ```%s snippet exited %d (expected %d):\n%s\n--- output\n%s\n",
                    rel, sn[i].line, sn[i].lang, got, sn[i].exit_status, sn[i].text,
                    output ? output : "");
            failures++;
        }
        free(status);
        free(output);
        free(sp);
        free(op);
    }
    for (size_t i = 0; i < n; i++)
        free(steps[i]);
    free(steps);
    free(driver);
    free(exe_dir);
    tu_rmtree(dir);
    free(dir);
    snippets_free(sn, n);
    free(doc);
    assert_int_equal(failures, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MESON_BUILD_DIR\n", argv[0]);
        return 2;
    }
    build_root = argv[1];
    /* README.md and every docs/NAME.md, in name order. */
    char **docs = NULL;
    size_t ndocs = 0;
    docs = realloc(docs, sizeof *docs);
    docs[ndocs++] = strdup("README.md");
    char *docdir = xasprintf("%s/docs", src_root());
    struct dirent **names;
    int nn = scandir(docdir, &names, NULL, alphasort);
    for (int i = 0; i < nn; i++) {
        size_t l = strlen(names[i]->d_name);
        if (l > 3 && strcmp(names[i]->d_name + l - 3, ".md") == 0) {
            docs = realloc(docs, (ndocs + 1) * sizeof *docs);
            docs[ndocs++] = xasprintf("docs/%s", names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    free(docdir);
    struct CMUnitTest *tests = calloc(ndocs, sizeof *tests);
    for (size_t i = 0; i < ndocs; i++) {
        tests[i].name = docs[i];
        tests[i].test_func = run_doc;
        tests[i].initial_state = docs[i];
    }
    int st = _cmocka_run_group_tests("docs", tests, ndocs, NULL, NULL);
    for (size_t i = 0; i < ndocs; i++)
        free(docs[i]);
    free(docs);
    free(tests);
    return st;
}
