-- Every type pgqc maps, for the round-trip test (tests/test_types.c).
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'very happy');
CREATE SCHEMA other;
CREATE TYPE other.mood AS ENUM ('grumpy', 'calm');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE EXTENSION citext;
CREATE TYPE pair AS (a integer, b text);
CREATE TYPE nested AS (p pair, tags text[], m mood, at timestamptz);

CREATE TABLE everything (
    id          bigserial PRIMARY KEY,
    b           boolean,
    i2          smallint,
    i4          integer,
    i8          bigint,
    f4          real,
    f8          double precision,
    num         numeric,
    t           text,
    vc          varchar(20),
    ch          char(3),
    by          bytea,
    u           uuid,
    d           date,
    tm          time,
    tmtz        timetz,
    ts          timestamp,
    tstz        timestamptz,
    iv          interval,
    js          json,
    jsb         jsonb,
    ip          inet,
    net         cidr,
    mac         macaddr,
    bits        varbit,
    m           money,
    o           oid,
    md          mood,
    omd         other.mood,
    pos         positive_int,
    ints        integer[],
    texts       text[],
    moods       mood[],
    nums        numeric[],
    stamps      timestamptz[],
    ci          citext,
    -- No C mapping: these travel in their text form.
    rng         int4range,
    tsv         tsvector,
    -- Composites: generated structs.
    pr          pair,
    nst         nested
);
