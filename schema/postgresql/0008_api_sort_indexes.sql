-- Twin of schema/0008_api_sort_indexes.sql. The read API pages its lists by keyset (docs/api.md): a
-- page asks for the rows after the last one it gave, in the order of the list's sort key and id. With
-- an index on (key, id) a page seeks to where the previous one ended and reads only its own rows,
-- however deep in the list it is. The expressions are exactly those of the API's ORDER BY (a missing
-- name or domain sorts as the empty text); the columns are COLLATE "C" (0001), so the order is
-- SQLite's byte order and an ORDER BY without a COLLATE clause uses these indexes.
CREATE INDEX accounts_by_name ON accounts(coalesce(name, ''), account_id);
CREATE INDEX accounts_by_domain ON accounts(coalesce(domain, ''), account_id);
CREATE INDEX accounts_by_created_at ON accounts(created_at, account_id);
CREATE INDEX opportunities_by_created_at ON opportunities(created_at, opportunity_id);
