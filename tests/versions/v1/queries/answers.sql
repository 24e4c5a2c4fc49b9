-- Version 1 of a program's queries. Version 2 (../../v2) keeps every query
-- name and the --name prefix, but changes the SQL: the same text shape with
-- another answer (version), and other parameter and result types (answer,
-- answers, each_answer).

-- name: version :one
SELECT 'v1' AS "version!";

-- name: answer :one
SELECT :x::int4 + 1 AS "v!", 'v1' AS "version!";

-- name: answers :many
SELECT r.value + :x::int4 AS "v!" FROM readings r ORDER BY r.id;

-- name: each_answer :iter
SELECT r.id + :x::int4 AS "v!" FROM readings r ORDER BY r.id;
