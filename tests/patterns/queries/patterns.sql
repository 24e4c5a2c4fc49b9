-- name: find_users :many
-- The optional filter of docs/queries.md: NULL matches every user.
SELECT id, email FROM users WHERE (:name? IS NULL OR display_name = :name) ORDER BY id;

-- name: todos_by_priority :many
-- The same on an enum, a type whose OID is not fixed.
SELECT id FROM todos WHERE (:prio? IS NULL OR prio = :prio) ORDER BY id;

-- name: todos_matching :many
-- Two optional filters, one used twice before its typed use.
SELECT id FROM todos
WHERE (:title? IS NULL OR :title? = '' OR title = :title)
  AND (:done? IS NULL OR done = :done)
ORDER BY id;

-- name: todo_exists :one
-- Existence check: PGQC_OK or PGQC_NO_ROWS.
SELECT FROM todos WHERE id = :id;

-- name: count_open_todos :many
-- Row count: no columns, so *count is all there is.
SELECT FROM todos WHERE NOT done AND (:prio? IS NULL OR prio = :prio);
