-- name: with_byte_order_mark :one
SELECT id FROM users WHERE id = :id;
