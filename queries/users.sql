-- name: create_user :one
-- Inserts a user and returns the stored row.
INSERT INTO users (email, display_name, age)
VALUES (:email, :display_name, :age)
RETURNING id, email, display_name, age, created_at;

-- name: get_user :one
-- Returns one user by id.
SELECT id, email, display_name, age, created_at FROM users WHERE id = :id;

-- name: list_users :many
-- Every user, oldest account first.
SELECT id, email, display_name, age FROM users ORDER BY id;

-- name: rename_user :execrows
UPDATE users SET display_name = :display_name WHERE id = :id;

-- name: delete_user :exec
DELETE FROM users WHERE id = :id;
