-- name: latin1_literal :one
-- Saved as Latin-1, not UTF-8.
SELECT id FROM users WHERE display_name = 'José';
