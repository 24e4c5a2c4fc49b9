/*
 * test_nullability.c — the table-driven nullability suite: every case of
 * nullability_cases.h is one test, named for the behaviour it checks. Each
 * case gets its own schema on one throwaway server; its query goes through
 * the real pipeline (query_file_parse + analyze_queries) and the inferred
 * nullability of every result column and parameter is compared with the
 * expectation. A mismatch prints expected vs actual and the inference's
 * nullable_reason for every column, so one failing run says what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullability_cases.h"
#include "nullcase.h"

static tmpdb *server;
static PGconn *pg;

/* Every analysis, kept for the checks that look across all cases. */
static analysis *results[N_NULL_CASES];

static size_t case_index(const null_case *c)
{
    return (size_t)(c - null_cases);
}

static int group_setup(void **state)
{
    (void)state;
    return nullcase_start(&server, &pg) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_NULL_CASES; i++)
        analysis_free(results[i]);
    nullcase_stop(server, pg);
    return 0;
}

static bool matches(char want, bool nullable)
{
    return want == '*' || (want == 'Y') == nullable;
}

static char letter(bool nullable)
{
    return nullable ? 'Y' : 'N';
}

/* One case: analyse its query and compare every column and parameter. */
static void test_case(void **state)
{
    const null_case *c = *state;
    char *err = NULL;
    if (!nullcase_create_schema(pg, case_index(c), c->schema, &err) ||
        !(results[case_index(c)] = nullcase_analyze(pg, c->name, c->query, &err)))
        fail_msg("%s: %s", c->name, err);
    const an_query *q = &results[case_index(c)]->queries[0];

    size_t want_cols = strlen(c->columns);
    if (q->ncols != want_cols)
        fail_msg("%s: expected %zu result columns, the analysis has %zu", c->name, want_cols,
                 q->ncols);
    size_t want_params = c->params ? strlen(c->params) : q->nparams;
    if (q->nparams != want_params)
        fail_msg("%s: expected %zu parameters, the analysis has %zu", c->name, want_params,
                 q->nparams);

    bool ok = true;
    char actual[64] = "";
    for (size_t i = 0; i < q->ncols && i < sizeof actual - 1; i++) {
        actual[i] = letter(q->cols[i].nullable);
        actual[i + 1] = '\0';
        if (!matches(c->columns[i], q->cols[i].nullable))
            ok = false;
        size_t len = strlen(q->cols[i].name);
        /* "?column?" is PostgreSQL's name for an unnamed expression; a table column may
         * really be named "v!" (then it is its traced source's name, not an override). */
        const char *src = q->cols[i].source;
        size_t slen = src ? strlen(src) : 0;
        bool real_name = src && slen > len && src[slen - len - 1] == '.' &&
                         strcmp(src + slen - len, q->cols[i].name) == 0;
        if (len && (q->cols[i].name[len - 1] == '!' || q->cols[i].name[len - 1] == '?') &&
            strcmp(q->cols[i].name, "?column?") != 0 && !real_name) {
            print_error("%s: column %zu is named \"%s\": the override suffix was not stripped\n",
                        c->name, i + 1, q->cols[i].name);
            ok = false;
        }
    }
    char actual_params[64] = "";
    for (size_t i = 0; i < q->nparams && i < sizeof actual_params - 1; i++) {
        actual_params[i] = letter(q->params[i].nullable);
        actual_params[i + 1] = '\0';
        if (c->params && !matches(c->params[i], q->params[i].nullable))
            ok = false;
    }
    if (ok)
        return;

    print_error("%s\n  query:    %s\n  columns:  expected %s, inferred %s\n", c->name, q->sql,
                c->columns, actual);
    for (size_t i = 0; i < q->ncols; i++)
        print_error("    %-3s %-20s expected %c, inferred %c%s%s\n",
                    matches(c->columns[i], q->cols[i].nullable) ? "" : "!!", q->cols[i].name,
                    c->columns[i], letter(q->cols[i].nullable),
                    q->cols[i].nullable_reason ? " — " : "",
                    q->cols[i].nullable_reason ? q->cols[i].nullable_reason : "");
    if (c->params) {
        print_error("  params:   expected %s, inferred %s\n", c->params, actual_params);
        for (size_t i = 0; i < q->nparams; i++)
            print_error("    %-3s %-20s expected %c, inferred %c%s%s\n",
                        matches(c->params[i], q->params[i].nullable) ? "" : "!!", q->params[i].name,
                        c->params[i], letter(q->params[i].nullable),
                        q->params[i].nullable_reason ? " — " : "",
                        q->params[i].nullable_reason ? q->params[i].nullable_reason : "");
    }
    fail_msg("%s: inferred nullability differs from the expectation", c->name);
}

/* `pgqc describe` must be able to say why: every nullable column has a reason. */
static void test_every_nullable_column_says_why(void **state)
{
    (void)state;
    size_t missing = 0;
    for (size_t i = 0; i < N_NULL_CASES; i++) {
        if (!results[i])
            continue;
        const an_query *q = &results[i]->queries[0];
        for (size_t j = 0; j < q->ncols; j++)
            if (q->cols[j].nullable &&
                (!q->cols[j].nullable_reason || !*q->cols[j].nullable_reason)) {
                print_error("%s: nullable column \"%s\" has no nullable_reason\n",
                            null_cases[i].name, q->cols[j].name);
                missing++;
            }
    }
    assert_int_equal(missing, 0);
}

/* The reason for a NOT NULL domain on a nullable column must name the domain rule. */
static void test_not_null_domain_reason_mentions_the_domain(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_NULL_CASES; i++) {
        if (strcmp(null_cases[i].name, "not_null_domain_on_nullable_column_is_nullable") != 0)
            continue;
        assert_non_null(results[i]);
        const an_column *col = &results[i]->queries[0].cols[0];
        assert_true(col->nullable);
        assert_non_null(col->nullable_reason);
        if (!strstr(col->nullable_reason, "domain"))
            fail_msg("reason \"%s\" does not mention the domain", col->nullable_reason);
        return;
    }
    fail_msg("the domain case is missing from nullability_cases.h");
}

int main(void)
{
    struct CMUnitTest tests[N_NULL_CASES + 2];
    for (size_t i = 0; i < N_NULL_CASES; i++) {
        tests[i] =
            (struct CMUnitTest){null_cases[i].name, test_case, NULL, NULL, (void *)&null_cases[i]};
    }
    tests[N_NULL_CASES] = (struct CMUnitTest)cmocka_unit_test(test_every_nullable_column_says_why);
    tests[N_NULL_CASES + 1] =
        (struct CMUnitTest)cmocka_unit_test(test_not_null_domain_reason_mentions_the_domain);
    return cmocka_run_group_tests_name("nullability", tests, group_setup, group_teardown);
}
