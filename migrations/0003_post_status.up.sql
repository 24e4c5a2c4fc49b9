-- A workflow state and free-form tags for posts.
CREATE TYPE post_status AS ENUM ('draft', 'published', 'archived');

ALTER TABLE posts
    ADD COLUMN status post_status NOT NULL DEFAULT 'draft',
    ADD COLUMN tags   text[]      NOT NULL DEFAULT '{}';

UPDATE posts SET status = 'published' WHERE published;
