-- name: unknown_column :one
SELECT id, emial FROM users WHERE id = :id;

-- name: unknown_table :many
SELECT id FROM user_s;

-- name: syntax_error :one
SELECT id FROM users WHERE;

-- name: type_mismatch :one
SELECT id FROM users WHERE id = 'abc';

-- name: bad_command :mnay
SELECT id FROM users;

-- name: one_without_columns :one
DELETE FROM users WHERE id = :id;

-- name: exec_on_select :exec
SELECT id FROM users;

-- name: unknown_function :one
SELECT lenght(email) FROM users;
