/*
 * nullability_cases.h — the table of nullability cases shared by
 * test_nullability.c (does the inference say what PostgreSQL semantics and
 * the rules of DESIGN.md "Analysis" require?) and test_soundness.c (does
 * any column inferred non-null ever come back NULL on random data?).
 *
 * Each case is a schema snippet (run in the case's own schema), one query in
 * pgqc's annotated format, and the expected nullability of every result
 * column and, optionally, of every parameter:
 *
 *     'N'  must be inferred non-null (PostgreSQL cannot produce NULL here and
 *          the rules say the inference proves it);
 *     'Y'  must be inferred nullable (PostgreSQL can produce NULL here);
 *     '*'  either is acceptable: PostgreSQL cannot produce NULL, but the
 *          rules do not require the inference to prove it (the soundness
 *          test still checks whatever the inference says).
 *
 * Expectations follow PostgreSQL, not what the inference happens to say.
 * An empty `columns` string means the statement returns no columns; a NULL
 * `params` means parameters are not checked.
 */
#ifndef PGQC_NULLABILITY_CASES_H
#define PGQC_NULLABILITY_CASES_H

#include <stddef.h>

typedef struct null_case {
    const char *name;    /* the behaviour; also the test's name */
    const char *schema;  /* DDL, run with the case's schema first on search_path */
    const char *query;   /* one annotated query */
    const char *columns; /* one letter per result column: N, Y or * */
    const char *params;  /* one letter per parameter, or NULL when not checked */
} null_case;

#define MANY(sql) "-- name: q :many\n" sql ";\n"
#define EXEC(sql) "-- name: q :exec\n" sql ";\n"

/*
 * Schemas most cases share. posts.body is nullable, comments.body is not.
 * There are no foreign keys on purpose: with posts.user_id REFERENCES users,
 * "users RIGHT JOIN posts" could never produce a NULL user, and the
 * expectations here are about what PostgreSQL can produce.
 */
#define S_USERS                                                                                    \
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text, age int);"
#define S_POSTS                                                                                    \
    S_USERS "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL, "                 \
            "title text NOT NULL, body text, score int NOT NULL);"
#define S_COMMENTS                                                                                 \
    S_POSTS "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint NOT NULL, "              \
            "body text NOT NULL);"
#define S_AB                                                                                       \
    "CREATE TABLE a (k int NOT NULL, x text NOT NULL);"                                            \
    "CREATE TABLE b (k int NOT NULL, y text NOT NULL);"
#define S_DOMAINS                                                                                  \
    S_USERS "CREATE DOMAIN email_addr AS text NOT NULL;"                                           \
            "CREATE TABLE contacts (id bigint PRIMARY KEY, email email_addr, "                     \
            "backup email_addr NOT NULL, note text);"
#define S_USER_VIEW S_POSTS "CREATE VIEW user_emails AS SELECT id, email, name FROM users;"
#define S_TAGGED    "CREATE TABLE tagged (id int PRIMARY KEY, tags int[] NOT NULL);"
#define S_DOCS      "CREATE TABLE docs (id int PRIMARY KEY, data jsonb NOT NULL);"
#define S_TREE      "CREATE TABLE tree (id int PRIMARY KEY, parent_id int REFERENCES tree);"

static const null_case null_cases[] = {
    /* ---- table columns ---- */
    {"not_null_columns_are_non_null", S_USERS, MANY("SELECT id, email FROM users"), "NN", NULL},
    {"columns_without_not_null_are_nullable", S_USERS, MANY("SELECT name, age FROM users"), "YY",
     NULL},
    {"primary_key_column_is_non_null", "CREATE TABLE t (id int PRIMARY KEY, v text);",
     MANY("SELECT id, v FROM t"), "NY", NULL},
    {"star_expands_to_each_columns_nullability", S_USERS, MANY("SELECT * FROM users"), "NNYY",
     NULL},
    {"qualified_star_follows_the_table", S_USERS, MANY("SELECT u.* FROM users u"), "NNYY", NULL},
    {"schema_qualified_table_is_resolved",
     "CREATE SCHEMA qual_case; CREATE TABLE qual_case.t (id int PRIMARY KEY, v text);",
     MANY("SELECT t.id, t.v FROM qual_case.t"), "NY", NULL},
    {"distinct_order_by_limit_keep_nullability", S_USERS,
     MANY("SELECT DISTINCT email, name FROM users ORDER BY email LIMIT 10"), "NY", NULL},

    /* ---- joins ---- */
    {"inner_join_keeps_not_null", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id"), "NN", NULL},
    {"cross_join_and_comma_join_keep_not_null", S_POSTS,
     MANY("SELECT u.email, p.title, x.id FROM users u CROSS JOIN posts p, users x"), "NNN", NULL},
    {"left_join_makes_right_side_nullable", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id"), "NY",
     NULL},
    {"left_join_makes_right_side_primary_key_nullable", S_POSTS,
     MANY("SELECT u.id, p.id FROM users u LEFT OUTER JOIN posts p ON p.user_id = u.id"), "NY",
     NULL},
    {"right_join_makes_left_side_nullable", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u RIGHT JOIN posts p ON p.user_id = u.id"), "YN",
     NULL},
    {"full_join_makes_both_sides_nullable", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u FULL JOIN posts p ON p.user_id = u.id"), "YY",
     NULL},
    {"chained_left_joins_make_every_joined_table_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u LEFT JOIN posts p ON p.user_id = u.id "
          "LEFT JOIN comments c ON c.post_id = p.id"),
     "NYY", NULL},
    {"inner_join_nested_in_left_join_is_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u LEFT JOIN (posts p JOIN comments c ON "
          "c.post_id = p.id) ON p.user_id = u.id"),
     "NYY", NULL},
    {"left_join_nested_in_inner_join_keeps_its_nullable_side", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u JOIN (posts p LEFT JOIN comments c ON "
          "c.post_id = p.id) ON p.user_id = u.id"),
     "NNY", NULL},
    {"right_join_over_left_join_makes_whole_left_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM (users u LEFT JOIN posts p ON p.user_id = u.id) "
          "RIGHT JOIN comments c ON c.post_id = p.id"),
     "YYN", NULL},
    {"inner_join_after_left_join_keeps_third_table_not_null", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u LEFT JOIN posts p ON p.user_id = u.id "
          "JOIN comments c ON c.post_id = p.id"),
     "N*N", NULL},
    {"full_join_then_inner_join_keeps_left_side_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u FULL JOIN posts p ON p.user_id = u.id "
          "JOIN comments c ON c.post_id = p.id"),
     "Y*N", NULL},
    {"self_left_join_makes_only_the_second_alias_nullable", S_USERS,
     MANY("SELECT a.email, b.email FROM users a LEFT JOIN users b ON b.id = a.id + 1"), "NY", NULL},
    {"left_join_using_nullable_right_columns", S_AB,
     MANY("SELECT k, a.x, b.y FROM a LEFT JOIN b USING (k)"), "*NY", NULL},
    {"full_join_using_makes_both_sides_nullable", S_AB,
     MANY("SELECT k, a.x, b.y FROM a FULL JOIN b USING (k)"), "*YY", NULL},
    {"right_join_using_makes_left_side_nullable", S_AB,
     MANY("SELECT k, a.x, b.y FROM a RIGHT JOIN b USING (k)"), "*YN", NULL},
    {"outer_join_inside_exists_does_not_affect_outer_columns", S_POSTS,
     MANY("SELECT u.email FROM users u WHERE EXISTS (SELECT 1 FROM posts p LEFT JOIN users x ON "
          "x.id = p.user_id WHERE p.user_id = u.id)"),
     "N", NULL},

    {"star_over_left_join_makes_right_table_columns_nullable",
     S_USERS "CREATE TABLE orders (order_id bigint PRIMARY KEY, owner bigint NOT NULL, total int "
             "NOT NULL, note text);",
     MANY("SELECT * FROM users u LEFT JOIN orders o ON o.owner = u.id"), "NNYYYYYY", NULL},
    {"qualified_star_of_left_joined_table_is_nullable", S_POSTS,
     MANY("SELECT p.* FROM users u LEFT JOIN posts p ON p.user_id = u.id"), "YYYYY", NULL},
    {"right_join_nested_in_left_join_is_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u LEFT JOIN (posts p RIGHT JOIN comments c "
          "ON c.post_id = p.id) ON p.user_id = u.id"),
     "NYY", NULL},
    {"full_join_nested_in_inner_join_keeps_its_other_side_nullable", S_COMMENTS,
     MANY("SELECT u.email, p.title, c.body FROM users u JOIN (posts p FULL JOIN comments c ON "
          "c.post_id = p.id) ON p.user_id = u.id"),
     "N*Y", NULL},
    {"literal_in_subquery_on_nullable_side_is_nullable", S_POSTS,
     MANY("SELECT u.email, s.one FROM users u LEFT JOIN (SELECT 1 AS one, user_id FROM posts) s "
          "ON s.user_id = u.id"),
     "NY", NULL},
    {"anti_join_right_side_is_nullable", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id "
          "IS NULL"),
     "NY", NULL},
    {"partitioned_table_columns_follow_the_parent",
     "CREATE TABLE pt (id int NOT NULL, v text) PARTITION BY RANGE (id);"
     "CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (1000);",
     MANY("SELECT id, v FROM pt"), "NY", NULL},

    {"join_alias_keeps_the_nullable_side_nullable", S_POSTS,
     MANY("SELECT j.email, j.title FROM (users u LEFT JOIN posts p ON p.user_id = u.id) AS j"),
     "NY", NULL},
    {"unqualified_column_of_left_joined_table_is_nullable", S_POSTS,
     MANY("SELECT email, title FROM users u LEFT JOIN posts p ON p.user_id = u.id"), "NY", NULL},
    {"table_statement_follows_the_table", S_USERS, MANY("TABLE users"), "NNYY", NULL},
    {"values_statement_combines_its_rows", "", MANY("VALUES (1, 'a'), (2, NULL)"), "NY", NULL},

    /* ---- LATERAL ---- */
    {"left_join_lateral_subquery_is_nullable", S_POSTS,
     MANY("SELECT u.email, x.title FROM users u LEFT JOIN LATERAL (SELECT p.title FROM posts p "
          "WHERE p.user_id = u.id ORDER BY p.id LIMIT 1) x ON true"),
     "NY", NULL},
    {"cross_join_lateral_subquery_keeps_not_null", S_POSTS,
     MANY("SELECT u.email, x.title FROM users u CROSS JOIN LATERAL (SELECT p.title FROM posts p "
          "WHERE p.user_id = u.id) x"),
     "NN", NULL},
    {"lateral_subquery_carries_outer_column_nullability", S_USERS,
     MANY("SELECT x.e, x.n FROM users u, LATERAL (SELECT u.email AS e, u.name AS n) x"), "NY",
     NULL},
    {"lateral_over_left_joined_table_sees_it_nullable", S_POSTS,
     MANY("SELECT u.email, x.t FROM users u LEFT JOIN posts p ON p.user_id = u.id CROSS JOIN "
          "LATERAL (SELECT p.title AS t) x"),
     "NY", NULL},
    {"unnest_in_from_yields_nullable_elements", S_TAGGED,
     MANY("SELECT t.id, g.v FROM tagged t CROSS JOIN LATERAL unnest(t.tags) AS g(v)"), "NY", NULL},

    {"lateral_aggregate_without_group_by_is_nullable_except_count", S_POSTS,
     MANY("SELECT u.email, x.m, x.n FROM users u CROSS JOIN LATERAL (SELECT max(p.title) AS m, "
          "count(*) AS n FROM posts p WHERE p.user_id = u.id) x"),
     "NYN", NULL},

    /* ---- aggregates ---- */
    {"count_star_is_non_null", S_USERS, MANY("SELECT count(*) FROM users"), "N", NULL},
    {"count_of_nullable_column_is_non_null", S_USERS,
     MANY("SELECT count(name), count(DISTINCT age) FROM users"), "NN", NULL},
    {"count_with_filter_is_non_null", S_POSTS,
     MANY("SELECT count(*) FILTER (WHERE score > 1) FROM posts"), "N", NULL},
    {"min_without_group_by_is_nullable", S_USERS, MANY("SELECT min(id) FROM users"), "Y", NULL},
    {"max_without_group_by_is_nullable", S_USERS, MANY("SELECT max(email) FROM users"), "Y", NULL},
    {"sum_without_group_by_is_nullable", S_POSTS, MANY("SELECT sum(score) FROM posts"), "Y", NULL},
    {"avg_without_group_by_is_nullable", S_POSTS, MANY("SELECT avg(score)::float8 FROM posts"), "Y",
     NULL},
    {"array_agg_without_group_by_is_nullable", S_USERS,
     MANY("SELECT array_agg(id)::text FROM users"), "Y", NULL},
    {"string_agg_without_group_by_is_nullable", S_USERS,
     MANY("SELECT string_agg(email, ',') FROM users"), "Y", NULL},
    {"unlisted_aggregate_without_group_by_is_nullable", S_POSTS,
     MANY("SELECT bool_and(score > 0) FROM posts"), "Y", NULL},
    {"aggregate_with_empty_grouping_is_nullable", S_POSTS,
     MANY("SELECT max(score) FROM posts GROUP BY ()"), "Y", NULL},
    {"coalesce_over_aggregate_is_non_null", S_POSTS,
     MANY("SELECT coalesce(sum(score), 0) FROM posts"), "N", NULL},
    {"group_by_keeps_group_key_and_count_non_null", S_POSTS,
     MANY("SELECT user_id, count(*) FROM posts GROUP BY user_id"), "NN", NULL},
    {"group_by_nullable_key_is_nullable", S_USERS,
     MANY("SELECT name, count(*) FROM users GROUP BY name"), "YN", NULL},
    {"min_max_sum_of_not_null_column_per_group_may_be_non_null", S_POSTS,
     MANY("SELECT user_id, min(score), max(title), sum(score), array_agg(title)::text FROM posts "
          "GROUP BY user_id"),
     "N****", NULL},
    {"min_of_nullable_column_per_group_is_nullable", S_POSTS,
     MANY("SELECT user_id, min(body) FROM posts GROUP BY user_id"), "NY", NULL},
    {"aggregate_with_filter_per_group_is_nullable", S_POSTS,
     MANY("SELECT user_id, max(score) FILTER (WHERE score > 3) FROM posts GROUP BY user_id"), "NY",
     NULL},
    {"aggregate_of_left_joined_column_per_group_is_nullable", S_POSTS,
     MANY("SELECT u.id, count(p.id), max(p.title), string_agg(p.title, ',') FROM users u LEFT "
          "JOIN posts p ON p.user_id = u.id GROUP BY u.id"),
     "NNYY", NULL},
    {"rollup_makes_group_key_nullable", S_POSTS,
     MANY("SELECT user_id, count(*) FROM posts GROUP BY ROLLUP (user_id)"), "YN", NULL},
    {"cube_makes_every_group_key_nullable", S_POSTS,
     MANY("SELECT user_id, title, count(*) FROM posts GROUP BY CUBE (user_id, title)"), "YYN",
     NULL},
    {"grouping_sets_make_group_key_nullable", S_POSTS,
     MANY("SELECT user_id, score, count(*) FROM posts GROUP BY GROUPING SETS ((user_id), "
          "(score))"),
     "YYN", NULL},

    {"rollup_grand_total_makes_grouped_aggregate_nullable", S_POSTS,
     MANY("SELECT user_id, max(score), count(*) FROM posts GROUP BY ROLLUP (user_id)"), "YYN",
     NULL},
    {"empty_grouping_set_makes_grouped_aggregate_nullable", S_POSTS,
     MANY("SELECT max(title) FROM posts GROUP BY GROUPING SETS ((user_id), ())"), "Y", NULL},

    /* ---- window functions ---- */
    {"ranking_window_functions_are_non_null", S_USERS,
     MANY("SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY email), "
          "dense_rank() OVER (ORDER BY email) FROM users"),
     "NNNN", NULL},
    {"lag_and_lead_are_nullable", S_USERS,
     MANY("SELECT lag(email) OVER (ORDER BY id), lead(id) OVER (ORDER BY id) FROM users"), "YY",
     NULL},
    {"lag_with_non_null_default_may_be_non_null", S_USERS,
     MANY("SELECT lag(email, 1, 'none') OVER (ORDER BY id) FROM users"), "*", NULL},
    {"count_over_window_is_non_null", S_USERS,
     MANY("SELECT count(*) OVER (), count(name) OVER (PARTITION BY age) FROM users"), "NN", NULL},
    {"sum_over_possibly_empty_frame_is_nullable", S_POSTS,
     MANY("SELECT sum(score) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM "
          "posts"),
     "Y", NULL},
    {"nth_value_and_first_value_of_nullable_are_nullable", S_USERS,
     MANY("SELECT nth_value(email, 2) OVER (ORDER BY id), first_value(name) OVER (ORDER BY id) "
          "FROM users"),
     "YY", NULL},

    {"window_frame_excluding_current_row_is_nullable", S_POSTS,
     MANY("SELECT max(score) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND CURRENT ROW EXCLUDE "
          "CURRENT ROW) FROM posts"),
     "Y", NULL},
    {"window_aggregate_with_filter_is_nullable", S_POSTS,
     MANY("SELECT max(score) FILTER (WHERE score > 3) OVER () FROM posts"), "Y", NULL},

    /* ---- literals, casts, operators, functions ---- */
    {"literals_are_non_null", "", MANY("SELECT 1 AS one, 'x' AS s, true AS b, 2.5::float8 AS f"),
     "NNNN", NULL},
    {"null_literal_is_nullable", "", MANY("SELECT NULL::text AS n, CAST(NULL AS int) AS i"), "YY",
     NULL},
    {"cast_of_non_null_is_non_null_and_of_nullable_is_nullable", S_USERS,
     MANY("SELECT id::text, CAST(email AS varchar(50)), age::bigint, '2024-01-01'::date FROM "
          "users"),
     "NNYN", NULL},
    {"arithmetic_and_concatenation_of_non_null_are_non_null", S_USERS,
     MANY("SELECT id + 1, id * 2, email || '!', 'a' || 'b' FROM users"), "NNNN", NULL},
    {"operator_with_nullable_operand_is_nullable", S_USERS,
     MANY("SELECT age + 1, email || name, age > 3 FROM users"), "YYY", NULL},
    {"comparison_of_non_null_is_non_null", S_USERS, MANY("SELECT id = 1, email <> 'x' FROM users"),
     "NN", NULL},
    {"boolean_and_of_nullable_comparison_is_nullable", S_USERS,
     MANY("SELECT email <> 'x' AND age > 1 FROM users"), "Y", NULL},
    {"in_list_with_nullable_operand_is_nullable", S_USERS, MANY("SELECT age IN (1, 2) FROM users"),
     "Y", NULL},
    {"whitelisted_functions_of_non_null_are_non_null", S_USERS,
     MANY("SELECT lower(email), upper(email), length(email) FROM users"), "NNN", NULL},
    {"whitelisted_function_of_nullable_is_nullable", S_USERS,
     MANY("SELECT lower(name), length(name) FROM users"), "YY", NULL},
    {"array_length_of_non_null_array_is_nullable", S_TAGGED,
     MANY("SELECT array_length(tags, 1) FROM tagged"), "Y", NULL},
    {"array_subscript_is_nullable", S_TAGGED, MANY("SELECT tags[1] FROM tagged"), "Y", NULL},
    {"jsonb_field_of_non_null_document_is_nullable", S_DOCS,
     MANY("SELECT data, data ->> 'k', data -> 'k' FROM docs"), "NYY", NULL},
    {"regex_substring_of_non_null_is_nullable", S_USERS,
     MANY("SELECT substring(email from 'x(.)') FROM users"), "Y", NULL},
    {"strict_user_function_may_return_null_for_non_null_input",
     "CREATE TABLE t (id int PRIMARY KEY);"
     "CREATE FUNCTION always_null(int) RETURNS int LANGUAGE sql STRICT AS 'SELECT NULL::int';",
     MANY("SELECT always_null(id) FROM t"), "Y", NULL},
    {"nullif_is_nullable", S_USERS, MANY("SELECT nullif(email, ''), nullif(id, 1) FROM users"),
     "YY", NULL},

    /* ---- COALESCE and CASE ---- */
    {"coalesce_is_non_null_when_any_argument_is", S_USERS,
     MANY("SELECT coalesce(name, email), coalesce(name, 'anon'), coalesce(age, id::int) FROM "
          "users"),
     "NNN", NULL},
    {"coalesce_of_nullable_arguments_is_nullable", S_USERS,
     MANY("SELECT coalesce(name, age::text), coalesce(name, NULL) FROM users"), "YY", NULL},
    {"coalesce_over_left_join_with_non_null_fallback_is_non_null", S_POSTS,
     MANY("SELECT coalesce(p.title, u.email) FROM users u LEFT JOIN posts p ON p.user_id = u.id"),
     "N", NULL},
    {"case_with_non_null_branches_and_else_is_non_null", S_USERS,
     MANY("SELECT CASE WHEN age > 18 THEN 'adult' ELSE 'minor' END, CASE WHEN age IS NULL THEN "
          "email ELSE id::text END FROM users"),
     "NN", NULL},
    {"simple_case_with_else_is_non_null", S_USERS,
     MANY("SELECT CASE age WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END FROM users"), "N",
     NULL},
    {"case_without_else_is_nullable", S_USERS,
     MANY("SELECT CASE WHEN age > 18 THEN 'adult' END FROM users"), "Y", NULL},
    {"case_with_nullable_branch_is_nullable", S_USERS,
     MANY("SELECT CASE WHEN age > 2 THEN name ELSE email END FROM users"), "Y", NULL},
    {"case_with_else_null_is_nullable", S_USERS,
     MANY("SELECT CASE WHEN age > 18 THEN email ELSE NULL END FROM users"), "Y", NULL},

    /* ---- subqueries in expressions ---- */
    {"exists_is_non_null", S_POSTS,
     MANY("SELECT u.id, EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id) FROM users u"), "NN",
     NULL},
    {"scalar_subquery_is_nullable", S_POSTS,
     MANY("SELECT (SELECT p.title FROM posts p WHERE p.user_id = u.id ORDER BY p.id LIMIT 1) AS t "
          "FROM users u"),
     "Y", NULL},
    {"scalar_subquery_of_count_may_be_non_null", S_POSTS,
     MANY("SELECT (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u"), "*",
     NULL},
    {"coalesce_of_scalar_subquery_is_non_null", S_POSTS,
     MANY("SELECT coalesce((SELECT max(score) FROM posts), 0) AS m"), "N", NULL},
    {"in_subquery_over_nullable_column_is_nullable", S_POSTS,
     MANY("SELECT u.email IN (SELECT p.body FROM posts p) FROM users u"), "Y", NULL},

    /* ---- CTEs ---- */
    {"cte_carries_column_nullability", S_USERS,
     MANY("WITH x AS (SELECT id, name FROM users) SELECT id, name FROM x"), "NY", NULL},
    {"cte_with_column_list_carries_nullability", S_USERS,
     MANY("WITH x(a, b) AS (SELECT id, name FROM users) SELECT a, b FROM x"), "NY", NULL},
    {"cte_with_left_join_carries_nullable_side", S_POSTS,
     MANY("WITH x AS (SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id) "
          "SELECT id, title FROM x"),
     "NY", NULL},
    {"cte_with_aggregate_without_group_by_is_nullable", S_USERS,
     MANY("WITH x AS (SELECT max(id) AS m, count(*) AS c FROM users) SELECT m, c FROM x"), "YN",
     NULL},
    {"cte_on_nullable_side_of_left_join_is_nullable", S_POSTS,
     MANY("WITH x AS (SELECT user_id, title FROM posts) SELECT u.email, x.title FROM users u LEFT "
          "JOIN x ON x.user_id = u.id"),
     "NY", NULL},
    {"cte_named_like_a_table_shadows_it", S_POSTS,
     MANY("WITH users AS (SELECT p.id, u.email FROM posts p LEFT JOIN users u ON u.id = "
          "p.user_id) SELECT id, email FROM users"),
     "NY", NULL},
    {"unused_cte_with_outer_join_does_not_affect_columns", S_POSTS,
     MANY("WITH c AS (SELECT p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id) SELECT "
          "email FROM users"),
     "N", NULL},
    {"recursive_cte_combines_its_branches", S_TREE,
     MANY("WITH RECURSIVE r AS (SELECT id, parent_id, 0 AS depth FROM tree WHERE parent_id IS "
          "NULL UNION ALL SELECT t.id, t.parent_id, r.depth + 1 FROM tree t JOIN r ON t.parent_id "
          "= r.id) SELECT id, parent_id, depth FROM r"),
     "NY*", NULL},
    {"data_modifying_cte_returning_follows_the_table", S_USERS,
     MANY("WITH ins AS (INSERT INTO users (id, email, name) VALUES (:id, :email, :name) "
          "RETURNING id, email, name) SELECT id, email, name FROM ins"),
     "NNY", "NN*"},

    {"recursive_cte_with_null_in_recursive_branch_is_nullable", "",
     MANY("WITH RECURSIVE r(n, label) AS (SELECT 1, 'x'::text UNION ALL SELECT n + 1, NULL FROM r "
          "WHERE n < 3) SELECT n, label FROM r"),
     "*Y", NULL},
    {"where_is_not_null_inside_cte_carries_out", S_USERS,
     MANY("WITH x AS (SELECT name FROM users WHERE name IS NOT NULL) SELECT name FROM x"), "N",
     NULL},
    {"where_is_not_null_on_cte_column_narrows", S_USERS,
     MANY("WITH x AS (SELECT name FROM users) SELECT name FROM x WHERE name IS NOT NULL"), "N",
     NULL},

    /* ---- subqueries in FROM, VALUES ---- */
    {"subquery_in_from_carries_column_nullability", S_USERS,
     MANY("SELECT s.email, s.name FROM (SELECT email, name FROM users) s"), "NY", NULL},
    {"subquery_in_from_with_left_join_carries_nullable_side", S_POSTS,
     MANY("SELECT s.title FROM (SELECT p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id) "
          "s"),
     "Y", NULL},
    {"subquery_in_from_with_aggregates", S_USERS,
     MANY("SELECT s.c, s.m FROM (SELECT count(*) AS c, max(id) AS m FROM users) s"), "NY", NULL},
    {"subquery_in_from_with_computed_columns", S_USERS,
     MANY("SELECT s.n, s.l FROM (SELECT id + 1 AS n, coalesce(name, '') AS l FROM users) s"), "NN",
     NULL},
    {"subquery_on_nullable_side_of_left_join_is_nullable", S_POSTS,
     MANY("SELECT u.email, s.n, coalesce(s.n, 0) FROM users u LEFT JOIN (SELECT user_id, count(*) "
          "AS n FROM posts GROUP BY user_id) s ON s.user_id = u.id"),
     "NYN", NULL},
    {"values_list_combines_its_rows", "",
     MANY("SELECT v.n, v.s FROM (VALUES (1, 'a'), (2, NULL)) AS v(n, s)"), "NY", NULL},

    {"narrowed_subquery_on_nullable_side_of_left_join_is_nullable", S_USERS,
     MANY("SELECT u.email, s.name FROM users u LEFT JOIN (SELECT id, name FROM users WHERE name IS "
          "NOT NULL) s ON s.id = u.id + 1"),
     "NY", NULL},
    {"union_with_null_branch_inside_subquery_is_nullable", "",
     MANY("SELECT s.a FROM (SELECT 1 AS a UNION ALL SELECT NULL) s"), "Y", NULL},

    /* ---- set operations ---- */
    {"union_all_of_non_null_branches_is_non_null", S_POSTS,
     MANY("SELECT email FROM users UNION ALL SELECT title FROM posts"), "N", NULL},
    {"union_with_a_nullable_branch_is_nullable", S_POSTS,
     MANY("SELECT email FROM users UNION SELECT body FROM posts"), "Y", NULL},
    {"union_with_null_literal_branch_is_nullable", S_POSTS,
     MANY("SELECT id, email FROM users UNION ALL SELECT id, NULL FROM posts"), "NY", NULL},
    {"union_of_three_branches_checks_each", S_POSTS,
     MANY("SELECT email FROM users UNION ALL SELECT title FROM posts UNION ALL SELECT name FROM "
          "users"),
     "Y", NULL},
    {"intersect_of_nullable_columns_is_nullable", S_POSTS,
     MANY("SELECT name FROM users INTERSECT SELECT body FROM posts"), "Y", NULL},
    {"intersect_with_a_non_null_branch_may_be_non_null", S_POSTS,
     MANY("SELECT email FROM users INTERSECT SELECT body FROM posts"), "*", NULL},
    {"except_with_nullable_left_branch_is_nullable", S_POSTS,
     MANY("SELECT name FROM users EXCEPT SELECT title FROM posts"), "Y", NULL},
    {"except_with_non_null_left_branch_may_be_non_null", S_POSTS,
     MANY("SELECT email FROM users EXCEPT SELECT body FROM posts"), "*", NULL},
    {"union_inside_subquery_in_from", S_POSTS,
     MANY("SELECT s.x FROM (SELECT email AS x FROM users UNION ALL SELECT title FROM posts) s"),
     "N", NULL},

    /* ---- views ---- */
    {"view_column_selecting_not_null_column_is_non_null", S_USER_VIEW,
     MANY("SELECT id, email, name FROM user_emails"), "NNY", NULL},
    {"view_star_follows_its_definition", S_USER_VIEW, MANY("SELECT * FROM user_emails"), "NNY",
     NULL},
    {"view_with_left_join_carries_nullable_side",
     S_POSTS "CREATE VIEW user_titles AS SELECT u.email, p.title FROM users u LEFT JOIN posts p ON "
             "p.user_id = u.id;",
     MANY("SELECT email, title FROM user_titles"), "NY", NULL},
    {"view_with_aggregates",
     S_POSTS
     "CREATE VIEW post_stats AS SELECT user_id, count(*) AS n, max(title) AS last_title FROM "
     "posts GROUP BY user_id;",
     MANY("SELECT user_id, n, last_title FROM post_stats"), "NN*", NULL},
    {"view_with_renamed_columns",
     S_USERS "CREATE VIEW v(uid, mail) AS SELECT id, email FROM users;",
     MANY("SELECT uid, mail FROM v"), "NN", NULL},
    {"view_with_computed_columns",
     S_USERS
     "CREATE VIEW labels AS SELECT id, coalesce(name, email) AS label, nullif(name, '') AS nick "
     "FROM users;",
     MANY("SELECT label, nick FROM labels"), "NY", NULL},
    {"view_of_a_view_is_inferred_through_both",
     S_USER_VIEW "CREATE VIEW adult_emails AS SELECT email FROM user_emails WHERE id > 0;",
     MANY("SELECT email FROM adult_emails"), "N", NULL},
    {"view_on_nullable_side_of_left_join_is_nullable", S_USER_VIEW,
     MANY("SELECT u.email, v.email FROM users u LEFT JOIN user_emails v ON v.id = u.id + 1"), "NY",
     NULL},
    /* The same view twice in one query: its parsed definition is reused (catalog_view_tree),
     * and the outer join still applies to the second use only. */
    {"view_used_twice_reuses_its_definition", S_USER_VIEW,
     MANY("SELECT a.email, b.email AS other, b.name FROM user_emails a LEFT JOIN user_emails b ON "
          "b.id = a.id + 1"),
     "NYY", NULL},
    {"materialized_view_nullable_column_is_nullable",
     S_USERS "CREATE MATERIALIZED VIEW mv AS SELECT id, name FROM users;",
     MANY("SELECT id, name FROM mv"), "*Y", NULL},

    {"view_with_where_is_not_null_is_non_null",
     S_USERS "CREATE VIEW named AS SELECT id, name FROM users WHERE name IS NOT NULL;",
     MANY("SELECT id, name FROM named"), "NN", NULL},
    {"view_with_union_combines_its_branches",
     S_POSTS
     "CREATE VIEW all_texts AS SELECT email AS t FROM users UNION ALL SELECT body FROM posts;",
     MANY("SELECT t FROM all_texts"), "Y", NULL},
    {"where_is_not_null_on_view_column_narrows",
     S_POSTS "CREATE VIEW user_titles AS SELECT u.email, p.title FROM users u LEFT JOIN posts p ON "
             "p.user_id = u.id;",
     MANY("SELECT email, title FROM user_titles WHERE title IS NOT NULL"), "NN", NULL},

    /* ---- domains ---- */
    {"not_null_domain_on_nullable_column_is_nullable", S_DOMAINS,
     MANY("SELECT email, backup, note FROM contacts"), "YNY", NULL},
    {"not_null_domain_column_on_nullable_side_of_join_is_nullable", S_DOMAINS,
     MANY("SELECT c.backup FROM users u LEFT JOIN contacts c ON c.id = u.id"), "Y", NULL},
    {"domain_without_not_null_follows_the_column",
     "CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 10);"
     "CREATE TABLE s (id int PRIMARY KEY, a short_text NOT NULL, b short_text);",
     MANY("SELECT a, b FROM s"), "NY", NULL},
    {"not_null_domain_through_view_is_nullable",
     S_DOMAINS "CREATE VIEW contact_emails AS SELECT email FROM contacts;",
     MANY("SELECT email FROM contact_emails"), "Y", NULL},

    {"domain_over_not_null_domain_on_nullable_column_is_nullable",
     "CREATE DOMAIN d1 AS text NOT NULL; CREATE DOMAIN d2 AS d1;"
     "CREATE TABLE dd (id int PRIMARY KEY, v d2);",
     MANY("SELECT v FROM dd"), "Y", NULL},

    /* ---- WHERE x IS NOT NULL ---- */
    {"where_is_not_null_narrows_the_column", S_USERS,
     MANY("SELECT name, age FROM users WHERE name IS NOT NULL"), "NY", NULL},
    {"where_is_not_null_narrows_inside_and", S_USERS,
     MANY("SELECT name FROM users WHERE age > 1 AND name IS NOT NULL"), "N", NULL},
    {"where_is_not_null_under_or_does_not_narrow", S_USERS,
     MANY("SELECT name FROM users WHERE name IS NOT NULL OR age > 1"), "Y", NULL},
    {"where_is_not_null_narrows_left_joined_column", S_POSTS,
     MANY("SELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE "
          "p.title IS NOT NULL"),
     "NN", NULL},
    {"is_not_null_in_left_join_condition_does_not_narrow", S_POSTS,
     MANY("SELECT u.email, p.body FROM users u LEFT JOIN posts p ON p.user_id = u.id AND p.body "
          "IS NOT NULL"),
     "NY", NULL},
    {"is_not_null_narrows_only_the_named_alias", S_USERS,
     MANY("SELECT a.name, b.name FROM users a JOIN users b ON b.id = a.id + 1 WHERE b.name IS NOT "
          "NULL"),
     "YN", NULL},
    {"is_not_null_in_subquery_does_not_narrow_outer_query", S_USERS,
     MANY("SELECT u.name FROM users u WHERE u.age IN (SELECT x.age FROM users x WHERE x.name IS "
          "NOT NULL)"),
     "Y", NULL},

    {"is_not_null_on_one_column_does_not_narrow_its_neighbours", S_POSTS,
     MANY("SELECT p.title, p.body FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id IS "
          "NOT NULL"),
     "*Y", NULL},

    {"is_not_null_on_left_side_in_left_join_condition_does_not_narrow", S_POSTS,
     MANY("SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id AND u.name IS "
          "NOT NULL"),
     "YY", NULL},
    {"is_not_null_in_full_join_condition_does_not_narrow", S_POSTS,
     MANY("SELECT u.name, p.body FROM users u FULL JOIN posts p ON p.user_id = u.id AND u.name IS "
          "NOT NULL AND p.body IS NOT NULL"),
     "YY", NULL},
    {"is_not_null_in_inner_join_nested_on_nullable_side_does_not_narrow", S_COMMENTS,
     MANY("SELECT u.email, p.body FROM users u LEFT JOIN (posts p JOIN comments c ON c.post_id = "
          "p.id AND p.body IS NOT NULL) ON p.user_id = u.id"),
     "NY", NULL},
    {"where_is_not_null_narrows_only_its_own_union_branch", S_USERS,
     MANY("SELECT name FROM users WHERE name IS NOT NULL UNION ALL SELECT name FROM users"), "Y",
     NULL},
    {"is_not_null_in_scalar_subquery_does_not_narrow_outer_column", S_POSTS,
     MANY("SELECT u.name, (SELECT p.id FROM posts p WHERE u.name IS NOT NULL ORDER BY p.id LIMIT "
          "1) FROM users u"),
     "YY", NULL},
    {"is_not_null_under_or_inside_and_does_not_narrow", S_USERS,
     MANY("SELECT name FROM users WHERE (name IS NOT NULL OR age > 1) AND id > 0"), "Y", NULL},
    {"where_is_not_null_does_not_make_aggregate_non_null", S_USERS,
     MANY("SELECT max(name), min(name) FROM users WHERE name IS NOT NULL"), "YY", NULL},
    {"where_is_not_null_does_not_make_lag_non_null", S_USERS,
     MANY("SELECT lag(name) OVER (ORDER BY id) FROM users WHERE name IS NOT NULL"), "Y", NULL},
    {"where_is_not_null_inside_scalar_subquery_keeps_it_nullable", S_USERS,
     MANY("SELECT (SELECT x.name FROM users x WHERE x.name IS NOT NULL AND x.id > u.id ORDER BY "
          "x.id LIMIT 1) FROM users u"),
     "Y", NULL},
    {"where_is_not_null_then_case_without_else_is_nullable", S_USERS,
     MANY("SELECT CASE WHEN age > 2 THEN name END FROM users WHERE name IS NOT NULL"), "Y", NULL},

    {"is_not_null_inside_left_joined_lateral_does_not_narrow_outer_column", S_USERS,
     MANY("SELECT u.name, x.one FROM users u LEFT JOIN LATERAL (SELECT 1 AS one WHERE u.name IS "
          "NOT NULL) x ON true"),
     "YY", NULL},
    {"is_not_null_inside_not_exists_does_not_narrow", S_POSTS,
     MANY("SELECT u.name FROM users u WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = "
          "u.id AND u.name IS NOT NULL)"),
     "Y", NULL},
    {"negated_is_not_null_does_not_narrow", S_USERS,
     MANY("SELECT name FROM users WHERE NOT (name IS NOT NULL)"), "Y", NULL},
    {"is_not_null_compared_to_false_does_not_narrow", S_USERS,
     MANY("SELECT name FROM users WHERE (name IS NOT NULL) = false"), "Y", NULL},
    {"is_not_null_inside_case_does_not_narrow", S_USERS,
     MANY("SELECT name FROM users WHERE CASE WHEN age > 1 THEN name IS NOT NULL ELSE true END"),
     "Y", NULL},
    {"is_not_null_of_coalesce_does_not_narrow_its_arguments", S_USERS,
     MANY("SELECT name FROM users WHERE coalesce(name, age::text) IS NOT NULL"), "Y", NULL},

    /* ---- overrides ---- */
    {"bang_override_makes_nullable_column_non_null", S_USERS,
     MANY("SELECT id, name AS \"name!\" FROM users"), "NN", NULL},
    {"question_override_makes_non_null_column_nullable", S_USERS,
     MANY("SELECT email AS \"email?\" FROM users"), "Y", NULL},
    {"bang_override_on_left_joined_column", S_POSTS,
     MANY("SELECT p.title AS \"title!\" FROM users u LEFT JOIN posts p ON p.user_id = u.id"), "N",
     NULL},
    {"bang_override_on_aggregate", S_USERS, MANY("SELECT max(id) AS \"m!\" FROM users"), "N", NULL},

    /* ---- overridden parameters flowing into columns ---- */
    {"question_parameter_through_a_cast_is_nullable", "", MANY("SELECT :x?::int AS y"), "Y", "Y"},
    {"bang_parameter_through_a_cast_is_non_null", "", MANY("SELECT :x!::int AS y"), "N", "N"},
    {"question_parameter_in_arithmetic_is_nullable", "", MANY("SELECT :x?::int + 1 AS y"), "Y",
     "Y"},
    {"question_parameter_through_a_subquery_is_nullable", "",
     MANY("SELECT y FROM (SELECT :x?::int AS y) s"), "Y", "Y"},
    {"question_parameter_in_values_is_nullable", "",
     MANY("SELECT a FROM (VALUES (:x?::int), (1)) v(a)"), "Y", "Y"},
    {"coalesce_of_question_parameter_and_literal_is_non_null", "",
     MANY("SELECT coalesce(:x?::text, 'none') AS y"), "N", "Y"},
    {"coalesce_of_question_parameter_and_nullable_column_is_nullable", S_USERS,
     MANY("SELECT coalesce(:x?::text, name) AS y FROM users"), "Y", "Y"},
    {"coalesce_of_question_parameter_and_non_null_column_is_non_null", S_USERS,
     MANY("SELECT coalesce(:x?::text, email) AS y FROM users"), "N", "Y"},
    {"case_branch_with_question_parameter_is_nullable", S_USERS,
     MANY("SELECT CASE WHEN age > 1 THEN :x?::text ELSE email END AS y FROM users"), "Y", "Y"},
    {"case_branches_with_bang_parameter_are_non_null", S_USERS,
     MANY("SELECT CASE WHEN id > 1 THEN :x!::text ELSE email END AS y FROM users"), "N", "N"},
    {"function_of_question_parameter_is_nullable", "",
     MANY("SELECT lower(:x?::text) AS l, length(:x?::text) AS n"), "YY", "Y"},
    {"function_of_bang_parameter_is_non_null", "", MANY("SELECT lower(:x!::text) AS l"), "N", "N"},
    {"question_parameter_compared_in_select_list_is_nullable", S_USERS,
     MANY("SELECT id = :x?::bigint AS same FROM users"), "Y", "Y"},
    {"question_parameter_under_bang_column_is_forced_non_null", "",
     MANY("SELECT :x?::int AS \"y!\""), "N", "Y"},
    {"insert_returning_column_written_from_question_parameter_is_nullable", S_USERS,
     MANY("INSERT INTO users (id, email, name) VALUES (:id, :email, :name?) RETURNING name, "
          "email"),
     "YN", "NNY"},
    {"insert_returning_not_null_column_written_from_question_parameter_is_non_null", S_USERS,
     MANY("INSERT INTO users (id, email) VALUES (:id, :email?) RETURNING email"), "N", "NY"},
    {"insert_returning_expression_of_question_parameter_is_nullable", S_USERS,
     MANY("INSERT INTO users (id, email) VALUES (:id, :email) RETURNING upper(:tag?::text) AS t, "
          "id"),
     "YN", "NNY"},
    {"insert_bang_parameter_into_nullable_column_returning", S_USERS,
     MANY("INSERT INTO users (id, email, name) VALUES (:id, :email, :name!) RETURNING name"), "*",
     "NNN"},
    {"update_set_question_parameter_returning_is_nullable", S_USERS,
     MANY("UPDATE users SET name = :name? WHERE id = :id RETURNING name, id"), "YN", "YN"},
    {"update_set_bang_parameter_returning_is_non_null", S_USERS,
     MANY("UPDATE users SET name = :name! WHERE id = :id RETURNING name"), "N", "NN"},
    {"update_set_coalesce_of_question_parameter_returning_is_non_null", S_USERS,
     MANY("UPDATE users SET name = coalesce(:name?::text, 'anon') WHERE id = :id RETURNING name"),
     "N", "YN"},
    {"update_set_not_null_column_from_question_parameter_returning_is_non_null", S_USERS,
     MANY("UPDATE users SET email = :email? WHERE id = :id RETURNING email"), "N", "YN"},
    {"update_set_question_parameter_into_int_column_returning_is_nullable", S_USERS,
     MANY("UPDATE users SET age = :age?::int + 1 WHERE id = :id RETURNING age"), "Y", "YN"},

    /* ---- RETURNING ---- */
    {"insert_returning_follows_the_table", S_USERS,
     MANY("INSERT INTO users (id, email, name) VALUES (:id, :email, :name) RETURNING id, email, "
          "name"),
     "NNY", "NNY"},
    {"insert_returning_star_follows_the_table", S_USERS,
     MANY("INSERT INTO users (id, email) VALUES (:id, :email) RETURNING *"), "NNYY", "NN"},
    {"insert_returning_expressions", S_USERS,
     MANY("INSERT INTO users (id, email) VALUES (:id, :email) RETURNING id + 1, coalesce(name, "
          "email), nullif(email, '')"),
     "NNY", "NN"},
    {"insert_select_returning_follows_the_table", S_POSTS,
     MANY("INSERT INTO users (id, email) SELECT id + 100, title FROM posts RETURNING id, email, "
          "name"),
     "NNY", ""},
    {"update_returning_follows_the_table", S_USERS,
     MANY("UPDATE users SET name = :name WHERE id = :id RETURNING id, email, name"), "NNY", "YN"},
    {"update_from_returning_follows_each_table", S_POSTS,
     MANY("UPDATE posts p SET title = u.email FROM users u WHERE u.id = p.user_id RETURNING "
          "p.title, u.name, p.body"),
     "NYY", ""},
    {"delete_returning_follows_the_table", S_USERS,
     MANY("DELETE FROM users WHERE id = :id RETURNING email, age"), "NY", "N"},
    {"delete_returning_star_follows_the_table", S_USERS,
     MANY("DELETE FROM users WHERE email = :email RETURNING *"), "NNYY", "N"},
    {"delete_using_returning_follows_each_table", S_POSTS,
     MANY("DELETE FROM posts p USING users u WHERE u.id = p.user_id AND u.email = :email "
          "RETURNING p.title, u.age"),
     "NY", "N"},
    {"insert_on_conflict_do_nothing_returning", S_USERS,
     MANY("INSERT INTO users (id, email) VALUES (:id, :email) ON CONFLICT DO NOTHING RETURNING "
          "id, email"),
     "NN", "NN"},

    {"update_from_with_left_join_returning_is_nullable", S_POSTS,
     MANY("UPDATE users u SET age = 1 FROM users x LEFT JOIN posts p ON p.user_id = x.id WHERE "
          "x.id = u.id RETURNING u.email, p.title"),
     "NY", ""},

    /* ---- parameters ---- */
    {"where_parameter_is_non_null", S_USERS, MANY("SELECT email FROM users WHERE id = :id"), "N",
     "N"},
    {"positional_parameter_is_non_null", S_USERS, MANY("SELECT email FROM users WHERE id = $1"),
     "N", "N"},
    {"question_override_makes_parameter_nullable", S_USERS,
     MANY("SELECT email FROM users WHERE id = :id? OR :id? IS NULL"), "N", "Y"},
    {"insert_parameter_for_nullable_column_is_nullable", S_USERS,
     EXEC("INSERT INTO users (id, email, name, age) VALUES (:id, :email, :name, :age)"), "",
     "NNYY"},
    {"insert_parameters_follow_the_column_list_order", S_USERS,
     EXEC("INSERT INTO users (name, id, email) VALUES (:name, :id, :email)"), "", "YNN"},
    {"insert_without_column_list_follows_table_order", S_USERS,
     EXEC("INSERT INTO users VALUES (:id, :email, :name, :age)"), "", "NNYY"},
    {"insert_multi_row_values_checks_every_row", S_USERS,
     EXEC("INSERT INTO users (id, email, age) VALUES (:id1, :email1, :age1), (:id2, :email2, "
          ":age2)"),
     "", "NNYNNY"},
    {"insert_parameter_through_cast_is_nullable", S_USERS,
     EXEC("INSERT INTO users (id, email, age) VALUES (:id, :email, :age::int)"), "", "NNY"},
    {"bang_override_makes_insert_parameter_non_null", S_USERS,
     EXEC("INSERT INTO users (id, email, name) VALUES (:id, :email, :name!)"), "", "NNN"},
    {"update_set_parameter_follows_the_column", S_USERS,
     EXEC("UPDATE users SET email = :email, age = :age WHERE id = :id"), "", "NYN"},
    {"update_set_parameter_through_cast_is_nullable", S_USERS,
     EXEC("UPDATE users SET age = :age::int WHERE id = :id"), "", "YN"},
    {"on_conflict_do_update_set_parameters_follow_the_columns", S_USERS,
     MANY("INSERT INTO users (id, email, name) VALUES (:id, :email, :name) ON CONFLICT (id) DO "
          "UPDATE SET name = :new_name, email = :new_email RETURNING id, email, name"),
     "NNY", "NNYYN"},
    {"on_conflict_excluded_returning_follows_the_table", S_USERS,
     MANY("INSERT INTO users (id, email, name) VALUES (:id, :email, :name) ON CONFLICT (id) DO "
          "UPDATE SET name = EXCLUDED.name RETURNING name, email"),
     "YN", "NNY"},
    {"insert_values_with_default_keeps_parameter_positions", S_USERS,
     EXEC("INSERT INTO users VALUES (:id, :email, DEFAULT, :age)"), "", "NNY"},
    /* Found by the soundness test and the corpus review, fixed in the inference. */
    {"date_part_of_infinite_timestamp_is_nullable",
     "CREATE TABLE events (id int PRIMARY KEY, at timestamp NOT NULL);",
     MANY("SELECT date_part('month', at), extract(month FROM at)::float8 FROM events"), "YY", NULL},
    {"current_schema_is_nullable", "", MANY("SELECT current_schema() AS s"), "Y", NULL},
    {"rollup_reintroduces_null_after_where_is_not_null", S_USERS,
     MANY("SELECT name, count(*) FROM users WHERE name IS NOT NULL GROUP BY ROLLUP (name)"), "YN",
     NULL},
    {"cube_reintroduces_null_after_where_is_not_null", S_USERS,
     MANY("SELECT name, age, count(*) FROM users WHERE name IS NOT NULL AND age IS NOT NULL GROUP "
          "BY CUBE (name, age)"),
     "YYN", NULL},
    {"parameter_feeding_not_null_and_nullable_columns_is_non_null", S_USERS,
     EXEC("INSERT INTO users (id, email, name) VALUES (:id, :v, :v)"), "", "NN"},
    {"update_multi_column_set_parameters_follow_the_columns", S_USERS,
     EXEC("UPDATE users SET (name, age) = (:name, :age) WHERE id = :id"), "", "YYN"},
    {"update_returning_sees_the_new_value_not_the_where_narrowed_old_one", S_USERS,
     MANY("UPDATE users SET name = :new_name WHERE name = :old_name RETURNING name, id"), "YN",
     "YN"},
    {"real_column_name_ending_in_bang_is_not_an_override",
     "CREATE TABLE t (id int NOT NULL, \"v!\" int);", MANY("SELECT * FROM t"), "NY", NULL},
    {"parameter_written_by_a_data_modifying_cte_follows_its_column", S_USERS,
     MANY("WITH u AS (UPDATE users SET name = :name WHERE id = :id RETURNING name) "
          "SELECT name FROM u"),
     "Y", "YN"},
};

#define N_NULL_CASES (sizeof null_cases / sizeof null_cases[0])

#endif
