ALTER TABLE posts DROP COLUMN tags, DROP COLUMN status;
DROP TYPE post_status;
