-- name: list :many
SELECT id FROM t ORDER BY id;

-- name: list_run :many
SELECT id + 1 AS id FROM t ORDER BY id;

-- name: list_decode :one
SELECT id AS "pgqc_result_", id AS "errno", id AS "linux", id AS "EOF", id AS "a */ b"
FROM t ORDER BY id LIMIT 1;

-- name: by_len :one
-- A parameter named like a libc function, one named like another query's
-- function, and the function's own argument names.
-- The doc comment's line ends in a trigraph ??/
-- and the next line would be spliced onto it.
SELECT id FROM t WHERE id = :strlen AND id = :db_list_run AND id = :c AND id = :out
    AND id = :pgqc_s AND id = :free;

-- name: enums :one
SELECT p, pl, n, a, x, y FROM t WHERE id = 1;

-- name: priority_level_high :one
SELECT 'low'::priority AS p, 'high'::priority_level AS pl;

-- name: empty_record :one
SELECT ROW()::"empty composite" AS e;

-- name: big_numeric :one
SELECT '1e65540'::numeric AS big, '-1e-16383'::numeric AS tiny;
