-- Names that are not valid C identifiers, C keywords, duplicates: the
-- generated code must still compile and name them predictably.
CREATE TYPE "Order Status" AS ENUM ('new', 'in progress', 'done!', 'DONE');
CREATE SCHEMA billing;
CREATE TYPE billing.status AS ENUM ('open', 'paid');
CREATE TYPE status AS ENUM ('draft', 'live');
-- Same C name as billing.status: numbered.
CREATE TYPE billing_status AS ENUM ('due', 'waived');

CREATE TABLE "Orders" (
    "Order Id"  bigint PRIMARY KEY,
    "int"       integer NOT NULL,
    "default"   text,
    "register"  boolean NOT NULL DEFAULT false,
    "ñame"      text NOT NULL,
    "2fa"       boolean,
    "__x"       integer,
    "_Upper"    integer,
    state       "Order Status" NOT NULL DEFAULT 'new',
    tags        text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE billing.invoices (
    id       bigint PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES "Orders" ("Order Id"),
    status   billing.status NOT NULL,
    local    status,
    amount   numeric(12, 2) NOT NULL,
    flag     billing_status
);
