/*
 * migrate_lint.h — `pgqc migrate lint`: static checks of a migration
 * directory, reported as diagnostics whose message starts with the rule id
 * in brackets ("[ban-drop-column] ...").
 *
 * File rules: naming, duplicate-version, down-without-up, syntax-error
 * (libpg_query, exact position). Statement rules (rule ids follow squawk's
 * where squawk has the same rule): adding-required-field (error),
 * ban-concurrent-index-creation-in-transaction (error),
 * require-concurrent-index-creation, constraint-missing-not-valid,
 * adding-foreign-key-constraint, adding-not-nullable-field,
 * changing-column-type, ban-drop-column, ban-drop-table, renaming-column,
 * renaming-table, multiple-statements-no-transaction. The runner's own
 * refusals (migrate_forbidden_statement: transaction-control,
 * tracking-table) are errors no `pgqc:allow` silences. A table created
 * earlier in the same file is new: locking it is harmless, so the
 * "existing table" rules skip it. A comment `-- pgqc:allow RULE[, RULE]` on
 * or above a statement silences those rules for that statement.
 *
 * Nothing here prints; problems are appended to the diag_list.
 */
#ifndef PGQC_MIGRATE_LINT_H
#define PGQC_MIGRATE_LINT_H

#include "diag.h"

/* Lint every .sql file in `dir`; false when the directory cannot be read. */
bool migrate_lint_dir(const char *dir, diag_list *dl);

/*
 * Lint one script's SQL (`text`, normalised) as file `path`; `down` for a
 * .down.sql file, where dropping is expected and not reported.
 */
void migrate_lint_sql(const char *path, const char *text, bool no_transaction, bool down,
                      diag_list *dl);

#endif
