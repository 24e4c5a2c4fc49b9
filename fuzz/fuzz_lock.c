/*
 * fuzz_lock.c — libFuzzer target for the lock file reader
 * (generator/lockfile.c, generator/analysis_read.c) and the emitter behind
 * it: `generate --offline` and `pgqc check` feed whatever pgqc.lock holds
 * to both, and the lock is not trusted (issue 12).
 *
 * Input: the lock file's bytes. Checks besides "no crash, no UB, no leak":
 *   - a refused lock has exactly one error, reported at the lock's path;
 *   - an accepted lock emits code without crashing;
 *   - an accepted lock whose digest matches (what `generate --offline`
 *     uses) is written back by lockfile_text() and read again to the same
 *     text: the reader accepts nothing the writer cannot reproduce.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit_c.h"
#include "lockfile.h"
#include "strbuf.h"

#include "fuzz_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list dl = DIAG_LIST_INIT;
    lockfile *lf = lockfile_parse((const char *)data, size, "pgqc.lock", &dl);
    if (!lf) {
        FUZZ_CHECK(dl.errors == 1 && dl.items[0].file &&
                   strcmp(dl.items[0].file, "pgqc.lock") == 0);
        diag_list_free(&dl);
        return 0;
    }
    FUZZ_CHECK(dl.errors == 0);
    strbuf h = STRBUF_INIT, c = STRBUF_INIT;
    emit_options eo = {"db",          "db.h",           lf->opt.maps,
                       lf->opt.nmaps, lf->opt.includes, lf->opt.nincludes};
    emit_c(lf->analysis, &eo, &h, &c, &dl);
    strbuf_release(&h);
    strbuf_release(&c);
    if (!lf->edited) {
        char *text = lockfile_text(lf->analysis, &lf->opt, NULL, NULL, 0, &dl);
        FUZZ_CHECK(text != NULL);
        lockfile *again = lockfile_parse(text, strlen(text), "pgqc.lock", &dl);
        FUZZ_CHECK(again != NULL && !again->edited);
        char *text2 = lockfile_text(again->analysis, &again->opt, NULL, NULL, 0, &dl);
        FUZZ_CHECK(text2 != NULL && strcmp(text, text2) == 0);
        free(text);
        free(text2);
        lockfile_free(again);
    }
    lockfile_free(lf);
    diag_list_free(&dl);
    return 0;
}
