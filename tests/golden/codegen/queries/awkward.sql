-- name: get_order :one
-- The doc comment */ must not end the C comment early.
SELECT * FROM "Orders" WHERE "Order Id" = :id;

-- name: order_with_invoice :many
SELECT o."Order Id", i.id, o."int", i.id, 1 + 1, count(*) OVER () AS "count!"
FROM "Orders" o JOIN billing.invoices i ON i.order_id = o."Order Id"
WHERE o.state = :state AND i.status = :status;

-- name: by_keywords :iter
SELECT "default", "register" FROM "Orders" WHERE "int" = :int AND "default" = :default;

-- name: params_named_like_arguments :execrows
UPDATE "Orders" SET "default" = :out WHERE "Order Id" = :c AND "int" = :ctx;

-- name: set_states :exec
UPDATE billing.invoices SET status = :status, local = :local WHERE id = ANY(:ids::bigint[]);

-- name: sql_with_strings :one
SELECT 'a "quoted" \ string */' || E'\t' || $$??=$$ AS s;

-- name: params_named_like_locals :many
SELECT id, flag FROM billing.invoices WHERE id = :pgqc_values AND flag = :pgqc_s;
