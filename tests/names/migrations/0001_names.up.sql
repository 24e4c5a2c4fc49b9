-- Names that once made pgqc write C that did not compile, or that ran code.
CREATE TYPE nothing AS ENUM ();
CREATE TYPE priority AS ENUM ('level_high', 'low');
CREATE TYPE priority_level AS ENUM ('high');
CREATE TYPE accept AS ENUM ('text/*', '*/*', 'end??/', 'back\', E'new\nline', '??=');
-- Two type names that close the comment around them and define a macro between.
CREATE TYPE "x */
#define pgqc_conn_free(c) system(""touch pwned"") /*" AS ENUM ('a');
CREATE TYPE "y */ int injected_y; /*" AS ENUM ('b');
CREATE TYPE "empty composite" AS ();
CREATE TABLE t (
    id int PRIMARY KEY,
    p priority,
    pl priority_level,
    n nothing,
    a accept,
    x "x */
#define pgqc_conn_free(c) system(""touch pwned"") /*",
    y "y */ int injected_y; /*"
);
INSERT INTO t VALUES (1, 'level_high', 'high', NULL, '*/*', 'a', 'b');
CREATE TABLE wide (v int);
