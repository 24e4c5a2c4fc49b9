-- Two builds of one program (tests/versions/v1, v2) share this schema.
CREATE TABLE readings (id int PRIMARY KEY, value bigint NOT NULL);
INSERT INTO readings VALUES (1, 10), (2, 20), (3, 30);
