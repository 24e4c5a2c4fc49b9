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

-- name: set_post_status :execrows
-- Moves a post to another state and replaces its tags.
UPDATE posts SET status = :status, tags = :tags WHERE id = :id;

-- name: posts_by_status :many
-- Posts in one state, newest first, with their tags.
SELECT id, title, status, tags, created_at
FROM posts
WHERE status = :status
ORDER BY created_at DESC, id DESC;

-- name: posts_since :iter
-- Streams the posts created at or after a moment.
SELECT id, title, status, created_at FROM posts WHERE created_at >= :since ORDER BY id;
