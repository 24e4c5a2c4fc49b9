-- Posts, each written by a user who may since have been deleted.
CREATE TABLE posts (
    id         bigserial PRIMARY KEY,
    author_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    title      varchar(200) NOT NULL,
    body       text         NOT NULL DEFAULT '',
    score      real,
    published  boolean      NOT NULL DEFAULT false,
    created_at timestamptz  NOT NULL DEFAULT now()
);

CREATE INDEX posts_author_id_idx ON posts (author_id);
