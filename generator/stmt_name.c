/*
 * stmt_name.c — prepared-statement names that identify the exact statement
 * (see stmt_name.h).
 */
#include "stmt_name.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

bool stmt_name(const char *fn, const an_query *q, char out[STMT_NAME_MAX + 1])
{
    const char *sql = q->wire_sql ? q->wire_sql : q->sql;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
              EVP_DigestUpdate(ctx, sql, strlen(sql));
    for (size_t i = 0; ok && i < q->nparams; i++) {
        const char *type = q->params[i].type_name ? q->params[i].type_name : "";
        ok = EVP_DigestUpdate(ctx, "", 1) && EVP_DigestUpdate(ctx, type, strlen(type));
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen * 2 >= STMT_NAME_HASH_HEX;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return false;
    /* fn is ASCII (a C identifier), so cutting it at any byte is safe. */
    size_t keep = strlen(fn);
    if (keep > STMT_NAME_MAX - 1 - STMT_NAME_HASH_HEX)
        keep = STMT_NAME_MAX - 1 - STMT_NAME_HASH_HEX;
    memcpy(out, fn, keep);
    out[keep] = '_';
    for (size_t i = 0; i < STMT_NAME_HASH_HEX / 2; i++)
        snprintf(out + keep + 1 + 2 * i, 3, "%02x", md[i]);
    return true;
}
