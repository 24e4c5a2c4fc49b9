/*
 * migrate_files.c — the generator's side of migration files (see
 * migrate_files.h): loading a set with every script split into statements
 * by libpg_query and checked for what the runner must refuse (transaction
 * control in a transactional script, changes to pgqc_migrations), and
 * creating new migration files.
 */
#include "migrate_files.h"
#include "fsutil.h"
#include "pgtree.h"
#include "strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pg_query.h>

bool migrate_split_sql(const char *sql, pgqc_stmt_span **spans, size_t *n, char **err, void *ctx)
{
    (void)ctx;
    PgQuerySplitResult r = pg_query_split_with_parser(sql);
    if (r.error) {
        *err = xstrfmt("%s (at byte %d)", r.error->message, r.error->cursorpos);
        pg_query_free_split_result(r);
        return false;
    }
    *spans = xcalloc((size_t)r.n_stmts + 1, sizeof **spans);
    *n = (size_t)r.n_stmts;
    for (int i = 0; i < r.n_stmts; i++) {
        (*spans)[i].offset = (size_t)r.stmts[i]->stmt_location;
        (*spans)[i].length = (size_t)r.stmts[i]->stmt_len;
        if (r.stmts[i]->stmt_len == 0) /* the last statement runs to the end */
            (*spans)[i].length = strlen(sql) - (size_t)r.stmts[i]->stmt_location;
    }
    pg_query_free_split_result(r);
    return true;
}

size_t migrate_statement_start(const char *text, size_t off, size_t end)
{
    while (off < end) {
        if (isspace((unsigned char)text[off])) {
            off++;
        } else if (text[off] == '-' && text[off + 1] == '-') {
            while (off < end && text[off] != '\n')
                off++;
        } else if (text[off] == '/' && text[off + 1] == '*') {
            int depth = 0; /* block comments nest in PostgreSQL */
            do {
                if (text[off] == '/' && text[off + 1] == '*')
                    depth++, off += 2;
                else if (text[off] == '*' && text[off + 1] == '/')
                    depth--, off += 2;
                else
                    off++;
            } while (depth > 0 && off < end);
        } else {
            break;
        }
    }
    return off < end ? off : end;
}

static const char *transaction_keyword(PgQuery__TransactionStmtKind kind)
{
    switch (kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
        return "BEGIN";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        return "START TRANSACTION";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        return "COMMIT";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        return "ROLLBACK";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
        return "PREPARE TRANSACTION";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED:
        return "COMMIT PREPARED";
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED:
        return "ROLLBACK PREPARED";
    default:
        return NULL; /* SAVEPOINT, RELEASE, ROLLBACK TO: fine inside a transaction */
    }
}

/* Is `name` one of the tables where pgqc records migrations and repairs? */
static bool is_tracking_name(const char *name)
{
    return name &&
           (strcmp(name, "pgqc_migrations") == 0 || strcmp(name, "pgqc_migration_repairs") == 0);
}

static bool is_tracking_table(const PgQuery__RangeVar *rv)
{
    return rv && is_tracking_name(rv->relname);
}

/* Does a DROP TABLE name a tracking table (its last name part)? */
static const char *dropped_tracking_table(const PgQuery__DropStmt *d)
{
    if (d->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return NULL;
    for (size_t i = 0; i < d->n_objects; i++) {
        const ProtobufCMessage *m = pgtree_node_msg(d->objects[i]);
        if (!PGTREE_IS(m, list))
            continue;
        const PgQuery__List *l = (const PgQuery__List *)m;
        const ProtobufCMessage *last =
            l->n_items ? pgtree_node_msg(l->items[l->n_items - 1]) : NULL;
        if (PGTREE_IS(last, string) && is_tracking_name(((const PgQuery__String *)last)->sval))
            return ((const PgQuery__String *)last)->sval;
    }
    return NULL;
}

/* What a statement (or a statement nested in it) does to a tracking table. */
typedef struct tracking_change {
    const char *verb;  /* "drop", "create a trigger on", ...; NULL: nothing */
    const char *table; /* which tracking table */
} tracking_change;

/* The tracking table a message changes, with the verb for the message. */
static const PgQuery__RangeVar *changed_relation(const ProtobufCMessage *m, const char **verb)
{
    static const struct {
        const ProtobufCMessageDescriptor *type;
        const char *verb;
    } kinds[] = {
        {&pg_query__alter_table_stmt__descriptor, "alter"},
        {&pg_query__rename_stmt__descriptor, "rename"},
        {&pg_query__create_trig_stmt__descriptor, "create a trigger on"},
        {&pg_query__rule_stmt__descriptor, "create a rule on"},
        {&pg_query__create_policy_stmt__descriptor, "create a policy on"},
        {&pg_query__alter_policy_stmt__descriptor, "alter a policy on"},
        {&pg_query__insert_stmt__descriptor, "insert into"},
        {&pg_query__update_stmt__descriptor, "update"},
        {&pg_query__delete_stmt__descriptor, "delete from"},
        {&pg_query__merge_stmt__descriptor, "merge into"},
        {&pg_query__copy_stmt__descriptor, "copy into"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (m->descriptor != kinds[i].type)
            continue;
        *verb = kinds[i].verb;
        if (PGTREE_IS(m, alter_table_stmt))
            return ((const PgQuery__AlterTableStmt *)m)->relation;
        if (PGTREE_IS(m, rename_stmt))
            return ((const PgQuery__RenameStmt *)m)->relation;
        if (PGTREE_IS(m, create_trig_stmt))
            return ((const PgQuery__CreateTrigStmt *)m)->relation;
        if (PGTREE_IS(m, rule_stmt))
            return ((const PgQuery__RuleStmt *)m)->relation;
        if (PGTREE_IS(m, create_policy_stmt))
            return ((const PgQuery__CreatePolicyStmt *)m)->table;
        if (PGTREE_IS(m, alter_policy_stmt))
            return ((const PgQuery__AlterPolicyStmt *)m)->table;
        if (PGTREE_IS(m, insert_stmt))
            return ((const PgQuery__InsertStmt *)m)->relation;
        if (PGTREE_IS(m, update_stmt))
            return ((const PgQuery__UpdateStmt *)m)->relation;
        if (PGTREE_IS(m, delete_stmt))
            return ((const PgQuery__DeleteStmt *)m)->relation;
        if (PGTREE_IS(m, merge_stmt))
            return ((const PgQuery__MergeStmt *)m)->relation;
        /* COPY ... TO only reads the table */
        return ((const PgQuery__CopyStmt *)m)->is_from ? ((const PgQuery__CopyStmt *)m)->relation
                                                       : NULL;
    }
    return NULL;
}

/*
 * Visitor: note the first change to a tracking table anywhere in the
 * statement, so a DELETE in a WITH, a rule's action, a PREPARE or an
 * EXPLAIN ANALYZE is found as well as a top-level one.
 */
static bool find_tracking_change(const ProtobufCMessage *m, void *ctx)
{
    tracking_change *c = ctx;
    if (c->verb)
        return false;
    const char *verb = NULL;
    const PgQuery__RangeVar *rv = changed_relation(m, &verb);
    if (PGTREE_IS(m, drop_stmt)) {
        c->table = dropped_tracking_table((const PgQuery__DropStmt *)m);
        c->verb = c->table ? "drop" : NULL;
        return true;
    }
    if (PGTREE_IS(m, truncate_stmt)) {
        const PgQuery__TruncateStmt *t = (const PgQuery__TruncateStmt *)m;
        for (size_t i = 0; i < t->n_relations && !rv; i++) {
            const ProtobufCMessage *r = pgtree_node_msg(t->relations[i]);
            if (PGTREE_IS(r, range_var) && is_tracking_table((const PgQuery__RangeVar *)r))
                rv = (const PgQuery__RangeVar *)r;
        }
        verb = "truncate";
    }
    if (is_tracking_table(rv)) {
        c->verb = verb;
        c->table = rv->relname;
    }
    return true;
}

char *migrate_forbidden_statement(const ProtobufCMessage *m, bool in_transaction, const char **rule,
                                  const char **hint)
{
    if (in_transaction && PGTREE_IS(m, transaction_stmt)) {
        const char *kw = transaction_keyword(((const PgQuery__TransactionStmt *)m)->kind);
        if (kw) {
            *rule = "transaction-control";
            *hint = "pgqc runs each migration in its own transaction; remove this statement, or "
                    "make the file's first line `-- pgqc:no-transaction` to run its statements "
                    "one by one outside a transaction";
            return xstrfmt("%s in a migration that runs in a transaction: it would commit or "
                           "end the migration apart from its row in pgqc_migrations",
                           kw);
        }
    }
    tracking_change c = {NULL, NULL};
    pgtree_walk(m, find_tracking_change, &c);
    if (c.verb) {
        *rule = "tracking-table";
        *hint = "pgqc manages pgqc_migrations and pgqc_migration_repairs; a migration must "
                "leave them alone";
        return xstrfmt("a migration must not %s %s, where pgqc records %s", c.verb, c.table,
                       strcmp(c.table, "pgqc_migrations") == 0 ? "the applied migrations"
                                                               : "repairs of migrations");
    }
    return NULL;
}

/* Append an error about `file` at byte `off` of `text` to `res`. */
static void add_error_at(pgqc_migrate_result *res, const char *file, const char *text, size_t off,
                         char *message, const char *hint)
{
    res->errors = xrealloc(res->errors, (res->nerrors + 1) * sizeof *res->errors);
    pgqc_migrate_error *e = &res->errors[res->nerrors++];
    memset(e, 0, sizeof *e);
    e->file = xstrdup(file);
    e->line = 1;
    e->col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            e->line++;
            e->col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            e->col++;
        }
    }
    e->message = message;
    e->hint = xstrdup(hint);
    res->success = false;
    if (res->failure == PGQC_MIGRATE_OK)
        res->failure = PGQC_MIGRATE_FILE_ERROR;
}

/*
 * Could text[start, end), whose first token is at `first`, be a statement
 * migrate_forbidden_statement() refuses? Transaction control starts with
 * one of these keywords, and a change to a tracking table names it (or
 * spells it with U& escapes), so only such statements are parsed: a full
 * parse of every statement costs far more than the split (a
 * 20,000-statement data migration: 1.5 s against 0.3 s).
 */
static bool may_be_forbidden(const char *text, size_t start, size_t end, size_t first)
{
    static const char *const tx[] = {"begin",    "start", "commit", "end",
                                     "rollback", "abort", "prepare"};
    const char *p = text + first;
    size_t n = 0;
    while (first + n < end && isalpha((unsigned char)p[n]))
        n++;
    for (size_t i = 0; i < sizeof tx / sizeof tx[0]; i++)
        if (strlen(tx[i]) == n && strncasecmp(p, tx[i], n) == 0)
            return true;
    static const char name[] = "pgqc_migration";
    size_t nl = sizeof name - 1;
    for (size_t i = start; i < end; i++) {
        if ((text[i] == 'u' || text[i] == 'U') && i + 1 < end && text[i + 1] == '&')
            return true;
        if (i + nl <= end && strncasecmp(text + i, name, nl) == 0)
            return true;
    }
    return false;
}

/*
 * Check one script's statements and, for a transactional one, record its
 * split so the runner can name the statement that failed. A script
 * libpg_query cannot parse is left whole: the server reports its syntax
 * error at run time.
 */
static void check_script(const char *file, const char *sql, bool no_transaction,
                         pgqc_stmt_span **spans, size_t *nspans, pgqc_migrate_result *res)
{
    if (!no_transaction) {
        pgqc_stmt_span *split = NULL;
        size_t n = 0;
        char *err = NULL;
        if (!migrate_split_sql(sql, &split, &n, &err, NULL)) {
            free(err);
            return;
        }
        free(*spans);
        *spans = split;
        *nspans = n;
    }
    for (size_t i = 0; i < *nspans; i++) {
        size_t start = (*spans)[i].offset, end = start + (*spans)[i].length;
        size_t first = migrate_statement_start(sql, start, end);
        if (!may_be_forbidden(sql, start, end, first))
            continue;
        char *one = xstrndup(sql + start, end - start);
        pgtree t = pgtree_parse(one);
        const char *rule = NULL, *hint = NULL;
        char *msg = t.tree && t.tree->n_stmts == 1
                        ? migrate_forbidden_statement(pgtree_node_msg(t.tree->stmts[0]->stmt),
                                                      !no_transaction, &rule, &hint)
                        : NULL;
        if (msg)
            add_error_at(res, file, sql, first, msg, hint);
        pgtree_free(&t);
        free(one);
    }
}

bool migrate_load_set(const char *dir, pgqc_migration_set **out, pgqc_migrate_result *res)
{
    if (!pgqc_migration_set_load_dir(dir, out, res))
        return false;
    pgqc_migrate_result_free(res);
    if (!pgqc_migration_set_split(*out, migrate_split_sql, NULL, res)) {
        pgqc_migration_set_free(*out);
        *out = NULL;
        return false;
    }
    for (size_t i = 0; i < (*out)->count; i++) {
        pgqc_migration *m = &(*out)->items[i];
        check_script(m->up_name, m->up_sql, m->no_transaction, &m->up_stmts, &m->n_up_stmts, res);
        if (m->down_sql)
            check_script(m->down_name, m->down_sql, m->down_no_transaction, &m->down_stmts,
                         &m->n_down_stmts, res);
    }
    if (res->success)
        return true;
    pgqc_migration_set_free(*out);
    *out = NULL;
    return false;
}

bool migrate_name_ok(const char *name)
{
    if (!islower((unsigned char)name[0]))
        return false;
    for (const char *p = name; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

/* Highest version in `dir` and the digit count its names use. */
static void scan_versions(const char *dir, int64_t *highest, int *width)
{
    *highest = 0;
    *width = 4;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t v;
        char *desc = NULL;
        pgqc_file_kind kind;
        const char *why;
        if (!pgqc_migration_parse_name(de->d_name, &v, &desc, &kind, &why))
            continue;
        free(desc);
        if (v >= *highest) {
            *highest = v;
            *width = (int)strspn(de->d_name, "0123456789");
        }
    }
    closedir(d);
}

/* Create `path` with `text`, refusing to overwrite. */
static bool create_new(const char *path, const char *text, char **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        *err = xstrfmt("cannot create %s: %s", path, strerror(errno));
        return false;
    }
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    ok &= close(fd) == 0;
    if (!ok)
        *err = xstrfmt("cannot write %s: %s", path, strerror(errno));
    return ok;
}

bool migrate_new_files(const char *dir, const char *name, char **up_path, char **down_path,
                       char **err)
{
    *up_path = *down_path = NULL;
    if (!migrate_name_ok(name)) {
        *err = xstrfmt("migration name \"%s\" is not snake_case (lower-case letters, digits "
                       "and '_', starting with a letter)",
                       name);
        return false;
    }
    if (!fs_mkdirs(dir, false, err))
        return false;
    int64_t highest;
    int width;
    scan_versions(dir, &highest, &width);
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    *up_path = xstrfmt("%s%s%0*" PRId64 "_%s.up.sql", dir, sep, width, highest + 1, name);
    *down_path = xstrfmt("%s%s%0*" PRId64 "_%s.down.sql", dir, sep, width, highest + 1, name);
    char *up_text = xstrfmt("-- %s: write the change here.\n", name);
    char *down_text = xstrfmt("-- %s: undo exactly what the .up.sql file does.\n", name);
    bool ok = create_new(*up_path, up_text, err);
    if (ok && !create_new(*down_path, down_text, err)) {
        unlink(*up_path); /* ours: created just above */
        ok = false;
    }
    free(up_text);
    free(down_text);
    return ok;
}
