/*
 * migrate_embed.h — `pgqc migrate embed`: the migration set as C source,
 * so an application can migrate itself at start-up without the files.
 *
 * For a prefix P it emits P_migrations.h declaring
 *
 *     bool P_migrations(pgqc_migration_set **out, pgqc_migrate_result *res);
 *
 * and P_migrations.c defining it: every script's file name and normalised
 * text (pure-ASCII C string literals), loaded with
 * pgqc_migration_set_from_memory(), plus the statement split libpg_query
 * computed for no-transaction scripts, attached with
 * pgqc_migration_set_split() — so the application links only libpgqc.
 * Nothing here prints or writes files; the caller does.
 */
#ifndef PGQC_MIGRATE_EMBED_H
#define PGQC_MIGRATE_EMBED_H

#include <pgqc/migrate.h>

#include "strbuf.h"

/* Append the header and the source for `set` under `prefix` to h / c. */
void migrate_embed(const pgqc_migration_set *set, const char *prefix, strbuf *h, strbuf *c);

#endif
