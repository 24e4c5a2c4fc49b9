-- bench/fetch queries: the same SELECT as a :many (all rows in one result,
-- decoded into a row array) and as an :iter (streamed in single-row mode).
-- Every hand-written variant in the benchmark sends this exact SQL text.

-- name: fetch_all :many
-- Every row of the benchmark table, up to :row_limit.
SELECT id, name, created_at, score, ratio FROM fetch_rows LIMIT :row_limit;

-- name: scan_all :iter
-- The same rows, streamed one at a time.
SELECT id, name, created_at, score, ratio FROM fetch_rows LIMIT :row_limit;
