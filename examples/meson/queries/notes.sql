-- name: add_note :one
-- Stores a note; a NULL tag means untagged.
INSERT INTO notes (body, tag) VALUES (:body, :tag) RETURNING id;

-- name: list_notes :many
-- Every note, oldest first.
SELECT id, body, tag FROM notes ORDER BY id;
