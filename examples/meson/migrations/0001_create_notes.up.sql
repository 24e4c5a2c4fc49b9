-- The one table of the make/CMake example.
CREATE TABLE notes (
    id   bigserial PRIMARY KEY,
    body text NOT NULL,
    tag  text
);
