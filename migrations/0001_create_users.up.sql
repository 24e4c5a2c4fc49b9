-- Users of the demo application.
CREATE TABLE users (
    id           bigserial PRIMARY KEY,
    email        text        NOT NULL UNIQUE,
    display_name text,
    age          integer     CHECK (age >= 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
