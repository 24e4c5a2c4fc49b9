-- name: insert_everything :one
INSERT INTO everything (b, i2, i4, i8, f4, f8, num, t, vc, ch, by, u, d, tm, tmtz, ts, tstz, iv,
                        js, jsb, ip, net, mac, bits, m, o, md, omd, pos, ints, texts, moods, stamps)
VALUES (:b, :i2, :i4, :i8, :f4, :f8, :num, :t, :vc, :ch, :by, :u, :d, :tm, :tmtz, :ts, :tstz, :iv,
        :js, :jsb, :ip, :net, :mac, :bits, :m, :o, :md, :omd, :pos, :ints, :texts, :moods, :stamps)
RETURNING id;

-- name: get_everything :one
SELECT * FROM everything WHERE id = :id;

-- name: set_numbers :exec
UPDATE everything SET nums = :nums::text[]::numeric[] WHERE id = :id;

-- name: all_moods :many
SELECT md, count(*) AS n FROM everything WHERE md IS NOT NULL GROUP BY md ORDER BY md;

-- name: big_bytea :one
SELECT :data::bytea AS data, length(:data::bytea) AS len;

-- name: set_ci :one
UPDATE everything SET ci = :ci WHERE id = :id RETURNING ci;

-- name: find_ci :many
SELECT id FROM everything WHERE ci = :ci;

-- name: set_range :one
-- A parameter and a RETURNING column without a C mapping: text forms.
UPDATE everything SET rng = :rng, pr = :pr WHERE id = :id RETURNING id, rng, pr;

-- name: set_nested :one
-- A composite parameter travels as text; the column comes back as a struct.
UPDATE everything SET nst = :nst WHERE id = :id RETURNING nst;

-- name: jsonb_array :one
SELECT ARRAY['{"a": 1}'::jsonb, NULL, '[]'::jsonb] AS docs;
