CREATE TYPE priority AS ENUM ('low', 'high');
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    display_name text
);
CREATE TABLE todos (
    id bigint PRIMARY KEY,
    title text NOT NULL,
    done boolean NOT NULL DEFAULT false,
    prio priority
);
