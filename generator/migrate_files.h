/*
 * migrate_files.h — the generator's side of migration files: loading a
 * set with its scripts split into statements by libpg_query (libpgqc
 * itself has no SQL parser) and checked for statements the runner must
 * refuse, and creating the next-numbered pair of files for
 * `pgqc migrate new`.
 *
 * Errors come back in a pgqc_migrate_result or as a malloc'ed *err;
 * nothing here prints.
 */
#ifndef PGQC_MIGRATE_FILES_H
#define PGQC_MIGRATE_FILES_H

#include <stdbool.h>

#include <stddef.h>

#include <pgqc/migrate.h>
#include <protobuf-c/protobuf-c.h>

/* pgqc_sql_splitter using pg_query_split_with_parser (ctx unused). */
bool migrate_split_sql(const char *sql, pgqc_stmt_span **spans, size_t *n, char **err, void *ctx);

/*
 * Load `dir` and split its scripts into statements (no-transaction scripts
 * must be; a transactional one is split so the runner can name the
 * statement that failed). Refuses, before anything runs, a statement
 * migrate_forbidden_statement() rejects, at its file:line:col
 * (FILE_ERROR). *out is NULL on failure.
 */
bool migrate_load_set(const char *dir, pgqc_migration_set **out, pgqc_migrate_result *res);

/*
 * Why statement `m` may not appear in a migration, malloc'ed, or NULL when
 * it may. With `in_transaction`, transaction control that would end the
 * runner's transaction (BEGIN, START TRANSACTION, COMMIT/END, ROLLBACK/
 * ABORT, PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED; SAVEPOINT and its
 * kin are fine) is refused: rule "transaction-control". Always refused:
 * dropping, truncating, renaming, altering or writing to (INSERT, UPDATE,
 * DELETE, MERGE, COPY FROM) pgqc_migrations or pgqc_migration_repairs, or
 * creating a trigger, rule or policy on them,
 * anywhere in the statement: rule "tracking-table". *rule and *hint are
 * static strings.
 */
char *migrate_forbidden_statement(const ProtobufCMessage *m, bool in_transaction, const char **rule,
                                  const char **hint);

/* The first byte of a statement's first token in text[off, end) (comments skipped). */
size_t migrate_statement_start(const char *text, size_t off, size_t end);

/* Is `name` snake_case: a lower-case letter, then lower-case letters, digits, '_'? */
bool migrate_name_ok(const char *name);

/*
 * Create DIR/NNNN_NAME.up.sql and .down.sql with the next version after
 * the highest in `dir` (created when missing), zero-padded to the width
 * the existing files use (default 4). Paths are returned malloc'ed.
 */
bool migrate_new_files(const char *dir, const char *name, char **up_path, char **down_path,
                       char **err);

#endif
