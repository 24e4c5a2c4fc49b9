-- name: create_post :one
INSERT INTO posts (author_id, title, body, score, published)
VALUES (:author_id, :title, :body, :score, :published)
RETURNING id;

-- name: posts_with_author :many
-- Published or draft posts with their author's email, when the author still exists.
SELECT p.id, p.title, p.score, u.email AS "author_email?"
FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.published = :published
ORDER BY p.id
LIMIT :limit;

-- name: scan_posts :iter
-- Streams every post (constant memory, however many there are).
SELECT id, title, published, created_at FROM posts ORDER BY id;

-- name: count_posts :one
SELECT count(*) AS "n!" FROM posts;
