/*
 * migrate_lint.c — the rules of `pgqc migrate lint` (see migrate_lint.h):
 * file names and pairing first, then each script parsed with libpg_query
 * and its statements checked for operations that lock or break a live
 * database.
 */
#include "migrate_lint.h"
#include "migrate_files.h"
#include "fsutil.h"
#include "pgtree.h"
#include "strbuf.h"

#include <pgqc/migrate.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The statement being checked, and where to report on it. */
typedef struct lint_ctx {
    const char *path;
    const char *text;
    bool no_transaction;
    bool down;      /* a .down.sql file: dropping is its job */
    char **created; /* tables created in this file */
    size_t ncreated, calloc_;
    size_t start, end; /* statement bytes, leading comments included */
    size_t report_at;  /* first token of the statement */
    diag_list *dl;
} lint_ctx;

/* Is `rule` listed in a `pgqc:allow` comment in text[from, to)? */
static bool allowed_between(const char *text, size_t from, size_t to, const char *rule)
{
    size_t rl = strlen(rule);
    for (const char *p = text + from; (p = strstr(p, "pgqc:allow")) && (size_t)(p - text) < to;) {
        p += strlen("pgqc:allow");
        while (*p && *p != '\n') {
            while (*p == ' ' || *p == '\t' || *p == ',')
                p++;
            size_t n = strcspn(p, " \t,\n");
            if (n == rl && strncmp(p, rule, rl) == 0)
                return true;
            p += n ? n : 1;
        }
    }
    return false;
}

static bool allowed(const lint_ctx *c, const char *rule)
{
    size_t line_end = c->end;
    while (c->text[line_end] && c->text[line_end] != '\n')
        line_end++; /* a comment after the ';' on the same line */
    return allowed_between(c->text, c->start, line_end, rule);
}

/* A diagnostic on the current statement's first token. */
static diag *at_statement(lint_ctx *c, diag_severity sev, const char *rule, const char *msg)
{
    size_t span = strcspn(c->text + c->report_at, " \n\t;(");
    return diag_at(c->dl, sev, c->path, c->text, c->report_at, span ? span : 1, "[%s] %s", rule,
                   msg);
}

static void report(lint_ctx *c, diag_severity sev, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Report on the current statement unless a `pgqc:allow` comment allows it. */
static void report(lint_ctx *c, diag_severity sev, const char *rule, const char *fmt, ...)
{
    if (allowed(c, rule))
        return;
    strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    diag *d = at_statement(c, sev, rule, msg.buf);
    diag_set_hint(d, "if this is intended, add `-- pgqc:allow %s` above the statement", rule);
    strbuf_release(&msg);
}

static bool is_new_table(const lint_ctx *c, const PgQuery__RangeVar *rv)
{
    for (size_t i = 0; rv && i < c->ncreated; i++)
        if (strcmp(c->created[i], rv->relname) == 0)
            return true;
    return false;
}

static bool column_not_null(const PgQuery__ColumnDef *col, bool *has_default)
{
    bool not_null = col->is_not_null;
    *has_default = col->raw_default != NULL || (col->identity && *col->identity) ||
                   (col->generated && *col->generated);
    for (size_t i = 0; i < col->n_constraints; i++) {
        const ProtobufCMessage *m = pgtree_node_msg(col->constraints[i]);
        if (!PGTREE_IS(m, constraint))
            continue;
        PgQuery__ConstrType t = ((const PgQuery__Constraint *)m)->contype;
        not_null |= t == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL ||
                    t == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
        *has_default |= t == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT ||
                        t == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY ||
                        t == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED;
    }
    return not_null;
}

static void check_add_constraint(lint_ctx *c, const PgQuery__Constraint *k, const char *table)
{
    if (k->skip_validation)
        return;
    if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
        report(c, DIAG_WARNING, "adding-foreign-key-constraint",
               "adding a foreign key to existing table \"%s\" checks every row while blocking "
               "writes to both tables; add it NOT VALID, then VALIDATE CONSTRAINT in a later "
               "migration",
               table);
    else if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
        report(c, DIAG_WARNING, "constraint-missing-not-valid",
               "adding a CHECK constraint to existing table \"%s\" scans it while blocking "
               "writes; add it NOT VALID, then VALIDATE CONSTRAINT in a later migration",
               table);
}

static void check_alter_cmd(lint_ctx *c, const PgQuery__AlterTableCmd *cmd, const char *table)
{
    const ProtobufCMessage *def = pgtree_node_msg(cmd->def);
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
        bool has_default = false;
        if (PGTREE_IS(def, column_def) &&
            column_not_null((const PgQuery__ColumnDef *)def, &has_default) && !has_default)
            report(c, DIAG_ERROR, "adding-required-field",
                   "adding NOT NULL column \"%s\" without a DEFAULT fails on existing table "
                   "\"%s\" as soon as it has rows",
                   ((const PgQuery__ColumnDef *)def)->colname, table);
        break;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
        if (PGTREE_IS(def, constraint))
            check_add_constraint(c, (const PgQuery__Constraint *)def, table);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        report(c, DIAG_WARNING, "adding-not-nullable-field",
               "SET NOT NULL on \"%s\".\"%s\" scans the table under an exclusive lock; add a "
               "CHECK (... IS NOT NULL) NOT VALID constraint and validate it first",
               table, cmd->name);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        report(c, DIAG_WARNING, "changing-column-type",
               "changing the type of \"%s\".\"%s\" may rewrite the table under an exclusive "
               "lock and breaks code that reads the old type",
               table, cmd->name);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        if (!c->down)
            report(c, DIAG_WARNING, "ban-drop-column",
                   "dropping column \"%s\".\"%s\" breaks code that still reads it; stop using it "
                   "in a release first",
                   table, cmd->name);
        break;
    default:
        break;
    }
}

static void check_alter_table(lint_ctx *c, const PgQuery__AlterTableStmt *s)
{
    if (is_new_table(c, s->relation))
        return;
    const char *table = s->relation ? s->relation->relname : "?";
    for (size_t i = 0; i < s->n_cmds; i++) {
        const ProtobufCMessage *m = pgtree_node_msg(s->cmds[i]);
        if (PGTREE_IS(m, alter_table_cmd))
            check_alter_cmd(c, (const PgQuery__AlterTableCmd *)m, table);
    }
}

static void check_concurrently(lint_ctx *c, bool concurrent)
{
    if (concurrent && !c->no_transaction)
        report(c, DIAG_ERROR, "ban-concurrent-index-creation-in-transaction",
               "CONCURRENTLY cannot run inside a transaction; start the file with "
               "`-- pgqc:no-transaction` and keep this statement alone in it");
}

static void check_index(lint_ctx *c, const PgQuery__IndexStmt *s)
{
    check_concurrently(c, s->concurrent);
    if (!s->concurrent && !is_new_table(c, s->relation))
        report(c, DIAG_WARNING, "require-concurrent-index-creation",
               "CREATE INDEX without CONCURRENTLY blocks writes to \"%s\" while it builds",
               s->relation ? s->relation->relname : "?");
}

static void check_drop(lint_ctx *c, const PgQuery__DropStmt *s)
{
    check_concurrently(c, s->concurrent);
    if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && !c->down)
        report(c, DIAG_WARNING, "ban-drop-table",
               "dropping a table loses its data and breaks code that still uses it");
}

static void check_rename(lint_ctx *c, const PgQuery__RenameStmt *s)
{
    if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
        report(c, DIAG_WARNING, "renaming-column",
               "renaming column \"%s\" to \"%s\" breaks code that uses the old name", s->subname,
               s->newname);
    else if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        report(c, DIAG_WARNING, "renaming-table",
               "renaming table \"%s\" to \"%s\" breaks code that uses the old name",
               s->relation ? s->relation->relname : "?", s->newname);
}

/*
 * What the runner refuses (migrate_files.h), as lint errors that no
 * `pgqc:allow` silences: the runner would refuse the file anyway.
 */
static void check_forbidden(lint_ctx *c, const ProtobufCMessage *m)
{
    const char *rule = NULL, *hint = NULL;
    char *msg = migrate_forbidden_statement(m, !c->no_transaction, &rule, &hint);
    if (!msg)
        return;
    diag_set_hint(at_statement(c, DIAG_ERROR, rule, msg), "%s", hint);
    free(msg);
}

static void check_statement(lint_ctx *c, const ProtobufCMessage *m)
{
    check_forbidden(c, m);
    if (PGTREE_IS(m, alter_table_stmt))
        check_alter_table(c, (const PgQuery__AlterTableStmt *)m);
    else if (PGTREE_IS(m, index_stmt))
        check_index(c, (const PgQuery__IndexStmt *)m);
    else if (PGTREE_IS(m, drop_stmt))
        check_drop(c, (const PgQuery__DropStmt *)m);
    else if (PGTREE_IS(m, rename_stmt))
        check_rename(c, (const PgQuery__RenameStmt *)m);
}

static void note_created(lint_ctx *c, const ProtobufCMessage *m)
{
    if (!PGTREE_IS(m, create_stmt))
        return;
    const PgQuery__CreateStmt *s = (const PgQuery__CreateStmt *)m;
    if (!s->relation)
        return;
    ALLOC_GROW(c->created, c->ncreated + 1, c->calloc_);
    c->created[c->ncreated++] = s->relation->relname;
}

void migrate_lint_sql(const char *path, const char *text, bool no_transaction, bool down,
                      diag_list *dl)
{
    pgtree t = pgtree_parse(text);
    if (!t.tree) {
        size_t off = t.error_pos >= 0 ? (size_t)t.error_pos : 0;
        diag_at(dl, DIAG_ERROR, path, text, off, 1, "[syntax-error] %s", t.error);
        pgtree_free(&t);
        return;
    }
    lint_ctx c = {path, text, no_transaction, down, NULL, 0, 0, 0, 0, 0, dl};
    size_t len = strlen(text);
    for (size_t i = 0; i < t.tree->n_stmts; i++) {
        const PgQuery__RawStmt *rs = t.tree->stmts[i];
        c.start = (size_t)rs->stmt_location;
        c.end = rs->stmt_len ? c.start + (size_t)rs->stmt_len : len;
        c.report_at = migrate_statement_start(text, c.start, c.end);
        const ProtobufCMessage *m = pgtree_node_msg(rs->stmt);
        if (no_transaction && i == 1)
            report(&c, DIAG_WARNING, "multiple-statements-no-transaction",
                   "a no-transaction file should hold one statement: when a later one fails, "
                   "the earlier ones stay applied and the migration is left dirty");
        check_statement(&c, m);
        note_created(&c, m);
    }
    free(c.created);
    pgtree_free(&t);
}

/* One file name that follows the pattern. */
typedef struct lint_file {
    const char *path;
    int64_t version;
    char *desc;
    pgqc_file_kind kind;
} lint_file;

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Same version twice (other than an up + down pair), or a down alone. */
static void check_pairing(const lint_file *f, size_t n, diag_list *dl)
{
    for (size_t i = 0; i < n; i++) {
        bool has_up = f[i].kind != PGQC_FILE_DOWN;
        for (size_t k = 0; k < n; k++) {
            if (k == i || f[k].version != f[i].version)
                continue;
            has_up |= f[k].kind != PGQC_FILE_DOWN;
            bool pair = strcmp(f[k].desc, f[i].desc) == 0 &&
                        (f[k].kind == PGQC_FILE_DOWN) != (f[i].kind == PGQC_FILE_DOWN) &&
                        f[k].kind != PGQC_FILE_UP_ONLY && f[i].kind != PGQC_FILE_UP_ONLY;
            if (!pair && k < i)
                diag_plain(dl, DIAG_ERROR, f[i].path,
                           "[duplicate-version] version %" PRId64 " is also used by %s",
                           f[i].version, f[k].path);
        }
        if (!has_up)
            diag_plain(dl, DIAG_ERROR, f[i].path,
                       "[down-without-up] no up migration has version %" PRId64, f[i].version);
    }
}

static void lint_file_sql(const char *path, bool down, diag_list *dl)
{
    char *err = NULL;
    size_t len = 0;
    char *raw = fs_read_file(path, &len, &err);
    if (!raw) {
        diag_plain(dl, DIAG_ERROR, path, "%s", err);
        free(err);
        return;
    }
    char hex[65];
    char *text = pgqc_migration_normalize(raw, len, hex);
    free(raw);
    const char *p = text + strspn(text, " \t");
    bool no_tx = strncmp(p, "-- pgqc:no-transaction", 22) == 0 &&
                 (p[22] == '\0' || p[22] == '\n' || p[22] == ' ' || p[22] == '\t');
    migrate_lint_sql(path, text, no_tx, down, dl);
    free(text);
}

bool migrate_lint_dir(const char *dir, diag_list *dl)
{
    char **paths = NULL, *err = NULL;
    size_t n = 0;
    if (!fs_list_sql(dir, &paths, &n, &err)) {
        diag_plain(dl, DIAG_ERROR, dir, "%s", err);
        free(err);
        return false;
    }
    lint_file *files = xcalloc(n + 1, sizeof *files);
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        lint_file *f = &files[nf];
        const char *why = NULL;
        f->path = paths[i];
        if (!pgqc_migration_parse_name(base_name(paths[i]), &f->version, &f->desc, &f->kind,
                                       &why)) {
            diag_plain(dl, DIAG_ERROR, paths[i], "[naming] %s", why ? why : "invalid name");
            continue;
        }
        nf++;
        lint_file_sql(paths[i], f->kind == PGQC_FILE_DOWN, dl);
    }
    check_pairing(files, nf, dl);
    for (size_t i = 0; i < nf; i++)
        free(files[i].desc);
    free(files);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return true;
}
