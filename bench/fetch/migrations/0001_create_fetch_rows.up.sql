-- bench/fetch schema: the table every fetch variant reads in full. It is
-- created empty so that generating code at build time stays quick; the
-- benchmark program fills it (fetch_bench.c, fill_table) with
-- generate_series before measuring.
CREATE TABLE fetch_rows (
    id         bigint           PRIMARY KEY,
    name       text             NOT NULL,
    created_at timestamptz      NOT NULL,
    score      integer,
    ratio      double precision NOT NULL
);
