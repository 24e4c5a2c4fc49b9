-- Version 2 of the queries of ../../v1: same names, other SQL.

-- name: version :one
SELECT 'v2' AS "version!";

-- name: answer :one
SELECT :x::int8 * 100 + 2 AS "v!", 'v2' AS "version!";

-- name: answers :many
SELECT r.value * :x::int8 * 100 AS "v!" FROM readings r ORDER BY r.id;

-- name: each_answer :iter
SELECT r.id * 1000 + :x::int8 AS "v!" FROM readings r ORDER BY r.id;
