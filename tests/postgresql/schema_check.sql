-- Checks of the PostgreSQL store schema (schema/postgresql/0001..0009), run by schema_check.sh on a
-- database that has just been migrated: sample rows in every table, the constraints, the triggers,
-- and touchpoint partitioning (months, moves, the default partition). Every check raises an
-- exception on a wrong result; psql runs this with ON_ERROR_STOP, so the first failure fails the test.
\set ON_ERROR_STOP 1
\set QUIET 1
\o /dev/null

-- Month boundaries are UTC whatever the session's zone: a zone with DST and an offset makes a
-- wrong boundary visible (2024-03-01T02:00:00Z is still February in New York).
SET TimeZone = 'America/New_York';
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.expect(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'schema check failed: %', what;
  END IF;
END
$$;

-- Runs sql and expects it to fail with SQLSTATE state.
CREATE FUNCTION pg_temp.expect_error(sql text, state text, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  RAISE EXCEPTION 'schema check failed: % (no error from: %)', what, sql;
EXCEPTION WHEN OTHERS THEN
  IF SQLSTATE <> state THEN
    IF SQLERRM LIKE 'schema check failed:%' THEN
      RAISE;
    END IF;
    RAISE EXCEPTION 'schema check failed: % (expected SQLSTATE %, got %: %)', what, state, SQLSTATE, SQLERRM;
  END IF;
END
$$;

-- Where a touchpoint's row lives now.
CREATE FUNCTION pg_temp.partition_of(id bigint) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(tableoid::regclass::text, ',') FROM touchpoints WHERE touchpoint_id = id
$$;

SELECT pg_temp.expect((SELECT count(*) FROM touchpoints) = 0 AND (SELECT count(*) FROM accounts) = 0,
                      'the database is freshly migrated (no rows yet)');

-- ---------------------------------------------------------------------------------------------
-- Accounts, identities, merges, contacts, opportunities, campaigns
-- ---------------------------------------------------------------------------------------------
INSERT INTO accounts(name, domain, registrable_domain, industry, employee_count, annual_revenue, country,
                     is_target, tier, created_at, updated_at)
VALUES ('Acme', 'eu.acme.com', 'acme.com', 'Software', 1200, 125000000.10, 'DE', true, 'A',
        '2024-01-02T03:04:05Z', '2024-02-01T00:00:00Z'),
       (NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT, NULL, '2024-01-03T00:00:00Z', '2024-01-03T00:00:00Z'),
       ('beta', 'beta.io', 'beta.io', NULL, NULL, NULL, NULL, false, NULL, '2024-01-04T00:00:00Z', '2024-01-04T00:00:00Z');
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM accounts) = '{1,2,3}',
                      'accounts get ids 1, 2, 3 from their identity');
SELECT pg_temp.expect((SELECT is_target FROM accounts WHERE account_id = 2) = false, 'is_target defaults to false');
SELECT pg_temp.expect((SELECT annual_revenue FROM accounts WHERE account_id = 1) = 125000000.10,
                      'annual_revenue keeps its decimal value exactly (numeric)');
SELECT pg_temp.expect((SELECT abm_iso_timestamp(created_at) FROM accounts WHERE account_id = 1) = '2024-01-02T03:04:05Z',
                      'abm_iso_timestamp gives the SQLite text form in UTC whatever the session zone');
SELECT pg_temp.expect_error($$INSERT INTO accounts(created_at, updated_at) VALUES (NULL, now())$$, '23502',
                            'accounts.created_at is NOT NULL');
-- Byte order, as SQLite's BINARY collation: upper case before lower case, and the API's sort index
-- serves ORDER BY coalesce(name, '').
SELECT pg_temp.expect((SELECT array_agg(coalesce(name, '') ORDER BY coalesce(name, ''), account_id) FROM accounts)
                      = '{"",Acme,beta}', 'names sort byte by byte (COLLATE "C")');

INSERT INTO account_identities(source, external_id, account_id)
VALUES ('crm', 'A-1', 1), ('ads', 'acme-ads', 1), ('crm', 'B-3', 3);
SELECT pg_temp.expect_error($$INSERT INTO account_identities VALUES ('crm', 'A-1', 2)$$, '23505',
                            'account_identities is keyed by (source, external_id)');
INSERT INTO account_identities VALUES ('crm', 'A-1', 2)
  ON CONFLICT (source, external_id) DO UPDATE SET account_id = excluded.account_id;
SELECT pg_temp.expect((SELECT account_id FROM account_identities WHERE source = 'crm' AND external_id = 'A-1') = 2,
                      'the identity upsert of the store writer works on account_identities');
UPDATE account_identities SET account_id = 1 WHERE source = 'crm' AND external_id = 'A-1';

INSERT INTO account_merges(account_id, source, external_id, rule, matched_value, merged_at)
VALUES (1, 'ads', 'acme-ads', 'registrable_domain', 'acme.com', '2024-01-05T00:00:00Z');
SELECT pg_temp.expect((SELECT merge_id FROM account_merges) = 1, 'account_merges gets merge_id 1');

INSERT INTO contacts(account_id, source, external_id, email, first_name, last_name, title, buying_role,
                     created_at, updated_at, account_via_domain)
VALUES (1, 'crm', 'C-1', 'ann@acme.com', 'Ann', 'Lee', 'CTO', 'decision_maker', '2024-01-10T00:00:00Z',
        '2024-01-10T00:00:00Z', NULL),
       (1, 'crm', 'C-2', 'bob@acme.com', 'Bob', 'Roe', NULL, NULL, '2024-01-11T00:00:00Z', '2024-01-11T00:00:00Z',
        'acme.com'),
       (NULL, 'web', 'anon-user', NULL, NULL, NULL, NULL, NULL, '2024-01-12T00:00:00Z', '2024-01-12T00:00:00Z', NULL);
SELECT pg_temp.expect((SELECT bool_and(created_at_known) FROM contacts), 'created_at_known defaults to true (0006)');
SELECT pg_temp.expect_error($$INSERT INTO contacts(source, external_id, created_at, updated_at)
                              VALUES ('crm', 'C-1', now(), now())$$, '23505', 'contacts: UNIQUE (source, external_id)');
-- The store writer's contact upsert, in PostgreSQL's words: created_at_known only ever rises.
INSERT INTO contacts(account_id, source, external_id, created_at, updated_at, created_at_known)
VALUES (1, 'crm', 'C-1', '2024-01-09T00:00:00Z', '2024-01-20T00:00:00Z', false)
ON CONFLICT (source, external_id) DO UPDATE SET updated_at = excluded.updated_at,
  created_at_known = contacts.created_at_known OR excluded.created_at_known;
SELECT pg_temp.expect((SELECT created_at_known AND updated_at = '2024-01-20T00:00:00Z' FROM contacts
                       WHERE external_id = 'C-1'), 'a contact upsert updates its row in place');

INSERT INTO opportunities(account_id, source, external_id, name, stage, type, amount, currency, probability,
                          is_closed, is_won, created_at, closed_at, updated_at, account_via_domain)
VALUES (1, 'crm', 'O-1', 'Acme renewal', 'Closed Won', 'renewal', 50000.25, 'EUR', 1, true, true,
        '2024-01-15T00:00:00Z', '2024-03-15T00:00:00Z', '2024-03-15T00:00:00Z', NULL),
       (3, 'crm', 'O-2', 'Beta pilot', 'Discovery', 'new_business', NULL, NULL, 0.2, DEFAULT, DEFAULT,
        '2024-02-01T00:00:00Z', NULL, '2024-02-01T00:00:00Z', 'beta.io');
SELECT pg_temp.expect((SELECT NOT is_closed AND NOT is_won FROM opportunities WHERE external_id = 'O-2'),
                      'is_closed and is_won default to false');
SELECT pg_temp.expect_error($$INSERT INTO opportunities(source, external_id, type, created_at, updated_at)
                              VALUES ('crm', 'O-9', 'upsell', now(), now())$$, '23514',
                            'opportunities.type is one of new_business, expansion, renewal');
SELECT pg_temp.expect_error($$INSERT INTO opportunities(source, external_id, created_at, updated_at)
                              VALUES ('crm', 'O-1', now(), now())$$, '23505', 'opportunities: UNIQUE (source, external_id)');

INSERT INTO campaigns(source, external_id, name, channel, started_at, ended_at)
VALUES ('ads', 'K-1', 'Spring ads', 'ads', '2024-03-01T00:00:00Z', NULL),
       ('crm', 'K-2', 'Webinar', 'event', NULL, NULL);
SELECT pg_temp.expect_error($$INSERT INTO campaigns(source, external_id, channel) VALUES ('ads', 'K-3', 'tv')$$,
                            '23514', 'campaigns.channel is one of the seven channels');
SELECT pg_temp.expect_error($$INSERT INTO campaigns(source, external_id) VALUES ('ads', 'K-1')$$, '23505',
                            'campaigns: UNIQUE (source, external_id)');

-- ---------------------------------------------------------------------------------------------
-- Touchpoints: upsert, partitions by month, moves, the default partition
-- ---------------------------------------------------------------------------------------------
SELECT pg_temp.expect((SELECT count(*) FROM pg_inherits WHERE inhparent = 'touchpoints'::regclass) = 1,
                      'a fresh store has only the default partition');
SELECT pg_temp.expect(abm_touchpoint_partition_name('2024-03-01T02:00:00Z') = 'touchpoints_y2024m03'
                      AND abm_touchpoint_partition_name('2024-02-29T23:59:59Z') = 'touchpoints_y2024m02',
                      'partition names follow the UTC month');

-- Three touchpoints in three months. Positional arguments: account, contact, campaign, source,
-- external_id, channel, activity, occurred_at, quantity, properties, account_via_domain, account_via_contact.
SELECT pg_temp.expect(abm_upsert_touchpoint(1, 1, 1, 'web', 'T-1', 'web', 'page_view', '2024-01-31T23:30:00Z',
                                            NULL, NULL, NULL, true) = 1, 'the first touchpoint gets id 1');
SELECT pg_temp.expect(abm_upsert_touchpoint(1, 2, NULL, 'web', 'T-2', 'email', 'email_open', '2024-02-10T08:00:00Z',
                                            2, '{"url": "/pricing"}', 'acme.com', false) = 2,
                      'the second touchpoint gets id 2');
SELECT pg_temp.expect(abm_upsert_touchpoint(
                        account_id => 3, contact_id => NULL, campaign_id => 1, source => 'ads', external_id => 'T-3',
                        channel => 'ads', activity => 'ad_click', occurred_at => '2024-03-01T02:00:00Z',
                        quantity => 1.5, properties => '{"utm_source": "linkedin"}', account_via_domain => NULL,
                        account_via_contact => false) = 3, 'named arguments work; the third touchpoint gets id 3');
SELECT pg_temp.expect(pg_temp.partition_of(1) = 'touchpoints_y2024m01', 'T-1 is in January''s partition');
SELECT pg_temp.expect(pg_temp.partition_of(2) = 'touchpoints_y2024m02', 'T-2 is in February''s partition');
SELECT pg_temp.expect(pg_temp.partition_of(3) = 'touchpoints_y2024m03',
                      'T-3 (March 1st, 02:00 UTC: February 29th in New York) is in March''s partition');
SELECT pg_temp.expect((SELECT quantity = 1 AND properties = '{}'::jsonb FROM touchpoints WHERE touchpoint_id = 1),
                      'quantity NULL is stored as 1 and properties NULL as {}');
SELECT pg_temp.expect((SELECT properties ->> 'url' FROM touchpoints WHERE touchpoint_id = 2) = '/pricing',
                      'properties is jsonb');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_default) = 0, 'nothing went to the default partition');
-- The partitions were attached, so they carry the parent's indexes, checks and row triggers.
SELECT pg_temp.expect((SELECT count(*) FROM pg_index WHERE indrelid = 'touchpoints_y2024m01'::regclass)
                      = (SELECT count(*) FROM pg_index WHERE indrelid = 'touchpoints'::regclass),
                      'a month partition has every index of touchpoints');
SELECT pg_temp.expect((SELECT count(*) FROM pg_trigger WHERE tgrelid = 'touchpoints_y2024m01'::regclass)
                      = (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'touchpoints'::regclass
                           AND (tgtype & 1) = 1), 'a month partition has every row trigger of touchpoints');
SELECT pg_temp.expect_error($$INSERT INTO touchpoints(touchpoint_id, source, external_id, channel, activity, occurred_at)
                              VALUES (99, 'web', 'X', 'fax', 'other', '2024-01-05T00:00:00Z')$$, '23514',
                            'touchpoints.channel is checked in every partition');
SELECT pg_temp.expect_error($$SELECT abm_upsert_touchpoint(1, 1, 1, 'web', 'T-9', 'web', 'page_view', NULL,
                                                          NULL, NULL, NULL, false)$$, 'P0001',
                            'abm_upsert_touchpoint refuses a touchpoint without occurred_at');

-- The same touchpoint again, same month: same id, every column replaced.
TRUNCATE metrics_dirty_accounts;
SELECT pg_temp.expect(abm_upsert_touchpoint(3, NULL, NULL, 'web', 'T-1', 'social', 'social_engagement',
                                            '2024-01-20T00:00:00Z', 4, '{"a": 1}', 'beta.io', false) = 1,
                      'an upsert of a known touchpoint keeps its id');
SELECT pg_temp.expect((SELECT account_id = 3 AND contact_id IS NULL AND campaign_id IS NULL AND channel = 'social'
                              AND activity = 'social_engagement' AND occurred_at = '2024-01-20T00:00:00Z'
                              AND quantity = 4 AND properties = '{"a": 1}' AND account_via_domain = 'beta.io'
                              AND NOT account_via_contact
                       FROM touchpoints WHERE touchpoint_id = 1), 'an upsert replaces every column');
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'a touchpoint moved from account 1 to 3 marks both dirty');
SELECT pg_temp.expect((SELECT occurred_at FROM touchpoint_keys WHERE touchpoint_id = 1) = '2024-01-20T00:00:00Z',
                      'touchpoint_keys follows occurred_at within a month');

-- The same touchpoint moved to another month (and another account): the row moves partition.
TRUNCATE metrics_dirty_accounts;
SELECT pg_temp.expect(abm_upsert_touchpoint(1, 1, 1, 'web', 'T-1', 'web', 'page_view', '2024-05-05T05:05:05Z',
                                            NULL, NULL, NULL, true) = 1, 'an upsert that changes month keeps the id');
SELECT pg_temp.expect(pg_temp.partition_of(1) = 'touchpoints_y2024m05',
                      'a touchpoint whose month changed lives (only) in the new month''s partition');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_y2024m01) = 0, 'January is empty after the move');
SELECT pg_temp.expect((SELECT occurred_at FROM touchpoint_keys WHERE source = 'web' AND external_id = 'T-1')
                      = '2024-05-05T05:05:05Z', 'touchpoint_keys follows the move');
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'a move across partitions that changes the account still marks both accounts dirty');
SELECT pg_temp.expect((SELECT quantity = 1 AND properties = '{}'::jsonb AND account_via_contact
                       FROM touchpoints WHERE touchpoint_id = 1), 'the moved row has the new values');

-- A direct UPDATE across months (not through the upsert) keeps the key in step too.
UPDATE touchpoints SET occurred_at = '2024-02-11T00:00:00Z' WHERE touchpoint_id = 2;
SELECT pg_temp.expect(pg_temp.partition_of(2) = 'touchpoints_y2024m02', 'T-2 stayed in February');
UPDATE touchpoints SET occurred_at = '2024-03-11T00:00:00Z' WHERE touchpoint_id = 2;
SELECT pg_temp.expect(pg_temp.partition_of(2) = 'touchpoints_y2024m03', 'T-2 moved to March by a plain UPDATE');
SELECT pg_temp.expect((SELECT occurred_at FROM touchpoint_keys WHERE touchpoint_id = 2) = '2024-03-11T00:00:00Z',
                      'a plain UPDATE of occurred_at keeps touchpoint_keys in step');
SELECT pg_temp.expect(abm_upsert_touchpoint(1, 2, NULL, 'web', 'T-2', 'email', 'email_open', '2024-02-10T08:00:00Z',
                                            2, '{"url": "/pricing"}', 'acme.com', false) = 2, 'T-2 is found by the upsert');
SELECT pg_temp.expect(pg_temp.partition_of(2) = 'touchpoints_y2024m02', 'T-2 is moved back to February by the upsert');

-- A touchpoint far in the future written while its partition could not be made (a writer gave up
-- waiting for the lock): it waits in the default partition.
INSERT INTO touchpoint_keys(source, external_id, occurred_at) VALUES ('web', 'T-future', '2999-07-15T12:00:00Z');
INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel, activity,
                        occurred_at, quantity, properties, account_via_domain, account_via_contact)
  SELECT touchpoint_id, 1, 1, NULL, source, external_id, 'web', 'page_view', occurred_at, 1, '{}', NULL, true
  FROM touchpoint_keys WHERE external_id = 'T-future';
SELECT pg_temp.expect(pg_temp.partition_of(4) = 'touchpoints_default', 'the far-future touchpoint waits in the default partition');
SELECT pg_temp.expect(to_regclass('touchpoints_y2999m07') IS NULL, 'July 2999 has no partition yet');
-- Making its month's partition moves it there (PostgreSQL would refuse a partition whose range
-- has rows in the default partition).
SELECT pg_temp.expect(abm_ensure_touchpoint_partition('2999-07-01T00:00:00Z')::text = 'touchpoints_y2999m07',
                      'abm_ensure_touchpoint_partition makes a month whose rows wait in the default partition');
SELECT pg_temp.expect(pg_temp.partition_of(4) = 'touchpoints_y2999m07', 'the waiting row moved to its partition');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_default) = 0, 'the default partition is empty again');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoint_keys WHERE touchpoint_id = 4) = 1,
                      'moving rows out of the default partition keeps their keys');
SET TimeZone = 'UTC';
SELECT pg_temp.expect((SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'touchpoints_y2999m07'::regclass)
                      = 'FOR VALUES FROM (''2999-07-01 00:00:00+00'') TO (''2999-08-01 00:00:00+00'')',
                      'the partition holds exactly July 2999, UTC');
SET TimeZone = 'America/New_York';
SELECT pg_temp.expect(abm_ensure_touchpoint_partition('2999-07-31T23:59:59Z') = 'touchpoints_y2999m07'::regclass,
                      'abm_ensure_touchpoint_partition is idempotent');
SELECT pg_temp.expect(abm_upsert_touchpoint(1, 1, NULL, 'web', 'T-future', 'web', 'form_submit', '2999-07-16T00:00:00Z',
                                            NULL, NULL, NULL, true) = 4, 'the moved touchpoint keeps its id');
SELECT pg_temp.expect((SELECT activity FROM touchpoints_y2999m07 WHERE touchpoint_id = 4) = 'form_submit',
                      'the moved touchpoint is updated in place by the upsert');
-- The partition got the parent's row triggers when it was attached.
TRUNCATE metrics_dirty_accounts;
UPDATE touchpoints SET account_id = 3 WHERE touchpoint_id = 4;
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'the account trigger fires in a partition made by abm_ensure_touchpoint_partition');
-- The upsert makes a missing month itself.
SELECT pg_temp.expect(abm_upsert_touchpoint(NULL, NULL, NULL, 'web', 'T-5', 'web', 'page_view', '2031-12-31T23:59:59Z',
                                            NULL, NULL, NULL, false) = 5, 'a touchpoint of a new month gets id 5');
SELECT pg_temp.expect(pg_temp.partition_of(5) = 'touchpoints_y2031m12', 'an upsert makes the partition of a new month');

-- A deleted touchpoint takes its key along; synced again it is a new row with a new id.
DELETE FROM touchpoints WHERE source = 'web' AND external_id = 'T-5';
SELECT pg_temp.expect(NOT EXISTS (SELECT 1 FROM touchpoint_keys WHERE external_id = 'T-5'),
                      'deleting a touchpoint deletes its key');
SELECT pg_temp.expect(abm_upsert_touchpoint(NULL, NULL, NULL, 'web', 'T-5', 'web', 'page_view', '2031-12-01T00:00:00Z',
                                            NULL, NULL, NULL, false) = 6, 'a deleted touchpoint synced again gets a new id');
-- A key whose row is gone without the trigger (a partition truncated): the upsert writes the row again.
TRUNCATE touchpoints_y2031m12;
SELECT pg_temp.expect(abm_upsert_touchpoint(NULL, NULL, NULL, 'web', 'T-5', 'web', 'page_view', '2031-12-02T00:00:00Z',
                                            NULL, NULL, NULL, false) = 6, 'a key without its row keeps its id');
SELECT pg_temp.expect(pg_temp.partition_of(6) = 'touchpoints_y2031m12', 'a key without its row gets the row back');
-- abm_drain_touchpoints_default makes every month that has rows waiting, and only those.
INSERT INTO touchpoint_keys(source, external_id, occurred_at)
  VALUES ('web', 'T-wait-1', '2997-05-01T00:00:00Z'), ('web', 'T-wait-2', '2997-05-31T23:59:59Z'),
         ('web', 'T-wait-3', '2996-12-31T23:59:59Z');
INSERT INTO touchpoints(touchpoint_id, source, external_id, channel, activity, occurred_at)
  SELECT touchpoint_id, source, external_id, 'web', 'page_view', occurred_at FROM touchpoint_keys
  WHERE external_id LIKE 'T-wait-%';
SELECT pg_temp.expect(abm_drain_touchpoints_default() = 2, 'abm_drain_touchpoints_default makes the two waiting months');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_default) = 0
                      AND (SELECT count(*) FROM touchpoints_y2997m05) = 2 AND (SELECT count(*) FROM touchpoints_y2996m12) = 1,
                      'the waiting rows moved to their months');
SELECT pg_temp.expect(abm_drain_touchpoints_default() = 0, 'with nothing waiting, abm_drain_touchpoints_default does nothing');
DELETE FROM touchpoints WHERE external_id LIKE 'T-wait-%';
-- (source, external_id) stays unique through touchpoint_keys.
SELECT pg_temp.expect_error($$INSERT INTO touchpoint_keys(source, external_id, occurred_at)
                              VALUES ('web', 'T-1', now())$$, '23505', 'touchpoint_keys: (source, external_id) is unique');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints) = (SELECT count(*) FROM touchpoint_keys)
                      AND NOT EXISTS (SELECT 1 FROM touchpoints t JOIN touchpoint_keys k USING (touchpoint_id)
                                      WHERE t.occurred_at <> k.occurred_at OR t.source <> k.source
                                         OR t.external_id <> k.external_id),
                      'every touchpoint has exactly its key, with its occurred_at');

-- ---------------------------------------------------------------------------------------------
-- abm_merge_touchpoints: a staged batch has the effect of abm_upsert_touchpoint on each of its rows.
-- Each batch is written twice, merged under source 'merge' and upserted row by row under 'rowwise',
-- and the two must agree on every column, on ids' order, on the partition and on the keys.
-- ---------------------------------------------------------------------------------------------
CREATE TEMP TABLE touchpoints_staged AS SELECT account_id, contact_id, campaign_id, source, external_id, channel,
  activity, occurred_at, quantity, properties, account_via_domain, account_via_contact FROM touchpoints WITH NO DATA;

CREATE FUNCTION pg_temp.write_both(batch jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  DELETE FROM touchpoints_staged;
  INSERT INTO touchpoints_staged SELECT b.account_id, b.contact_id, b.campaign_id, 'merge', b.external_id, b.channel,
    b.activity, b.occurred_at, b.quantity, b.properties, b.account_via_domain, b.account_via_contact
    FROM jsonb_populate_recordset(NULL::touchpoints_staged, batch) b;
  written := abm_merge_touchpoints('touchpoints_staged');
  PERFORM pg_temp.expect(written = jsonb_array_length(batch), format('the merge wrote %s of %s rows', written,
                                                                      jsonb_array_length(batch)));
  PERFORM abm_upsert_touchpoint(b.account_id, b.contact_id, b.campaign_id, 'rowwise', b.external_id, b.channel,
                                b.activity, b.occurred_at, b.quantity, b.properties, b.account_via_domain,
                                b.account_via_contact)
    FROM jsonb_populate_recordset(NULL::touchpoints_staged, batch) b ORDER BY b.external_id;
END
$$;

CREATE FUNCTION pg_temp.merge_agrees(what text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  differences bigint;
BEGIN
  WITH written AS (
    SELECT t.source, t.external_id, t.account_id, t.contact_id, t.campaign_id, t.channel, t.activity, t.occurred_at,
           t.quantity, t.properties, t.account_via_domain, t.account_via_contact, t.tableoid::regclass::text AS part,
           k.occurred_at AS key_at, rank() OVER (PARTITION BY t.source ORDER BY t.touchpoint_id) AS id_rank
    FROM touchpoints t JOIN touchpoint_keys k USING (touchpoint_id) WHERE t.source IN ('merge', 'rowwise')),
  m AS (SELECT external_id, account_id, contact_id, campaign_id, channel, activity, occurred_at, quantity, properties,
               account_via_domain, account_via_contact, part, key_at, id_rank FROM written WHERE source = 'merge'),
  w AS (SELECT external_id, account_id, contact_id, campaign_id, channel, activity, occurred_at, quantity, properties,
               account_via_domain, account_via_contact, part, key_at, id_rank FROM written WHERE source = 'rowwise')
  SELECT count(*) INTO differences FROM ((SELECT * FROM m EXCEPT SELECT * FROM w) UNION ALL (SELECT * FROM w EXCEPT SELECT * FROM m)) d;
  PERFORM pg_temp.expect(differences = 0, format('%s: merged and upserted touchpoints differ in %s rows', what, differences));
  PERFORM pg_temp.expect((SELECT count(*) FROM touchpoints WHERE source = 'merge')
                         = (SELECT count(*) FROM touchpoint_keys WHERE source = 'merge'), what || ': one key per merged row');
END
$$;

SELECT pg_temp.write_both('[
  {"account_id": 1, "contact_id": 1, "campaign_id": 1, "external_id": "M-1", "channel": "web", "activity": "page_view",
   "occurred_at": "2024-01-05T00:00:00Z", "quantity": null, "properties": null, "account_via_contact": true},
  {"account_id": 3, "external_id": "M-2", "channel": "email", "activity": "email_open",
   "occurred_at": "2024-02-05T00:00:00Z", "quantity": 2, "properties": {"url": "/a"}, "account_via_domain": "beta.io",
   "account_via_contact": false},
  {"external_id": "M-3", "channel": "ads", "activity": "ad_click", "occurred_at": "2035-04-05T00:00:00Z",
   "quantity": 1, "properties": {}, "account_via_contact": false}]');
SELECT pg_temp.merge_agrees('new touchpoints');
SELECT pg_temp.expect(to_regclass('touchpoints_y2035m04') IS NOT NULL, 'the merge made the partition of a new month');
TRUNCATE metrics_dirty_accounts;
SELECT pg_temp.write_both('[
  {"account_id": 3, "contact_id": 1, "campaign_id": null, "external_id": "M-1", "channel": "social",
   "activity": "social_engagement", "occurred_at": "2024-01-06T00:00:00Z", "quantity": 5, "properties": {"b": 2},
   "account_via_contact": false},
  {"account_id": 1, "external_id": "M-2", "channel": "email", "activity": "email_click",
   "occurred_at": "2024-03-05T00:00:00Z", "quantity": 1, "properties": null, "account_via_contact": true},
  {"external_id": "M-3", "channel": "ads", "activity": "ad_click", "occurred_at": "2024-01-05T00:00:00Z",
   "quantity": 1, "properties": {}, "account_via_contact": false},
  {"external_id": "M-4", "channel": "web", "activity": "page_view", "occurred_at": "2036-06-06T00:00:00Z",
   "account_via_contact": false}]');
SELECT pg_temp.merge_agrees('updates in place, moves to other months, a new month');
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'merged moves between accounts mark the accounts dirty');
-- Rows waiting in the default partition (written when their month could not be made) are found
-- by the merge too: its batch makes their month, which moves them, and then updates them there.
INSERT INTO touchpoint_keys(source, external_id, occurred_at)
  VALUES ('merge', 'M-5', '2998-01-01T00:00:00Z'), ('rowwise', 'M-5', '2998-01-01T00:00:00Z');
INSERT INTO touchpoints(touchpoint_id, source, external_id, channel, activity, occurred_at)
  SELECT touchpoint_id, source, external_id, 'web', 'page_view', occurred_at FROM touchpoint_keys WHERE external_id = 'M-5';
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_default) = 2, 'two rows wait in the default partition');
SELECT pg_temp.write_both('[
  {"external_id": "M-5", "channel": "web", "activity": "form_submit", "occurred_at": "2998-01-02T00:00:00Z",
   "account_via_contact": false},
  {"external_id": "M-1", "channel": "web", "activity": "page_view", "occurred_at": "2024-01-06T00:00:00Z",
   "account_via_contact": false}]');
SELECT pg_temp.merge_agrees('rows waiting in the default partition');
SELECT pg_temp.expect((SELECT count(*) FROM touchpoints_default) = 0
                      AND (SELECT count(*) FROM touchpoints_y2998m01 WHERE activity = 'form_submit') = 2,
                      'the waiting rows were moved and updated');
SELECT pg_temp.expect_error($$INSERT INTO touchpoints_staged(source, external_id, channel, activity, occurred_at)
                              VALUES ('merge', 'M-9', 'web', 'other', now()), ('merge', 'M-9', 'web', 'other', now());
                              SELECT abm_merge_touchpoints('touchpoints_staged')$$, 'P0001',
                            'abm_merge_touchpoints refuses a batch with one touchpoint twice');
SELECT pg_temp.expect_error($$DELETE FROM touchpoints_staged;
                              INSERT INTO touchpoints_staged(source, external_id, channel, activity)
                              VALUES ('merge', 'M-9', 'web', 'other');
                              SELECT abm_merge_touchpoints('touchpoints_staged')$$, 'P0001',
                            'abm_merge_touchpoints refuses a touchpoint without occurred_at');

-- ---------------------------------------------------------------------------------------------
-- Contacts moving accounts take the touchpoints that follow them (0004)
-- ---------------------------------------------------------------------------------------------
TRUNCATE metrics_dirty_accounts;
-- Contact 1 (account 1) has T-1 (account_via_contact) and T-future (account 3 now, via_contact).
UPDATE contacts SET account_id = 3 WHERE contact_id = 1;
SELECT pg_temp.expect((SELECT account_id FROM touchpoints WHERE touchpoint_id = 1) = 3,
                      'a touchpoint that follows its contact moves with it');
SELECT pg_temp.expect((SELECT account_id FROM touchpoints WHERE touchpoint_id = 2) = 1,
                      'a touchpoint that names its own account stays');
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'a contact moving accounts marks both dirty');
TRUNCATE metrics_dirty_accounts;
UPDATE contacts SET account_id = NULL WHERE contact_id = 1;
SELECT pg_temp.expect((SELECT account_id FROM touchpoints WHERE touchpoint_id = 1) = 3,
                      'a contact left without an account takes nobody along');
SELECT pg_temp.expect((SELECT array_agg(account_id) FROM metrics_dirty_accounts) = '{3}',
                      'a contact left without an account marks its old account');
UPDATE opportunities SET account_id = 1 WHERE external_id = 'O-2';
UPDATE opportunities SET account_id = 3 WHERE external_id = 'O-2';
SELECT pg_temp.expect((SELECT array_agg(account_id ORDER BY account_id) FROM metrics_dirty_accounts) = '{1,3}',
                      'an opportunity moving accounts marks both dirty, twice without a conflict');
UPDATE opportunities SET name = 'Beta pilot 2' WHERE external_id = 'O-2';  -- no account change, no trigger

-- ---------------------------------------------------------------------------------------------
-- Ad spend, runs, state, rejects, pending links
-- ---------------------------------------------------------------------------------------------
INSERT INTO ad_spend(source, campaign_external_id, campaign_id, date, impressions, clicks, cost, currency)
VALUES ('ads', 'K-1', 1, '2024-03-01', 1000, 10, 12.34, 'EUR'),
       ('ads', 'K-1', 1, '2024-03-02', DEFAULT, DEFAULT, DEFAULT, NULL),
       ('ads', 'K-404', NULL, '2024-03-01', 5, 0, -1.5, 'EUR');
SELECT pg_temp.expect((SELECT sum(cost) FROM ad_spend) = 10.84, 'costs add up exactly (numeric), refunds included');
SELECT pg_temp.expect((SELECT impressions = 0 AND clicks = 0 AND cost = 0 FROM ad_spend WHERE date = '2024-03-02'),
                      'ad_spend counts and cost default to 0');
SELECT pg_temp.expect_error($$INSERT INTO ad_spend(source, campaign_external_id, date) VALUES ('ads', 'K-1', '2024-03-01')$$,
                            '23505', 'ad_spend: one row per (source, campaign, day)');
SELECT pg_temp.expect_error($$INSERT INTO ad_spend(source, campaign_external_id, date) VALUES ('ads', 'K-1', '2024-02-30')$$,
                            '22008', 'ad_spend.date is a date');

INSERT INTO sync_runs(connector, started_at, status, full_refresh, owner, owner_pid)
VALUES ('crm', '2024-03-01T00:00:00Z', 'running', true, 'abmd', 4242);
UPDATE sync_runs SET finished_at = '2024-03-01T00:01:00Z', status = 'succeeded', records = 10, rejected = 1 WHERE run_id = 1;
INSERT INTO sync_runs(connector, started_at, status) VALUES ('ads', '2024-03-01T00:00:00Z', 'rate_limited');
SELECT pg_temp.expect((SELECT full_refresh FROM sync_runs WHERE run_id = 1)
                      AND (SELECT NOT full_refresh AND records = 0 AND rejected = 0 AND owner IS NULL FROM sync_runs
                           WHERE run_id = 2), 'sync_runs: full_refresh is boolean, counts default to 0');
SELECT pg_temp.expect_error($$INSERT INTO sync_runs(connector, started_at, status) VALUES ('crm', now(), 'done')$$,
                            '23514', 'sync_runs.status is checked');

INSERT INTO sync_state(connector, stream, state, updated_at)
VALUES ('crm', 'contacts', '{"cursor":  "2024-03-01",  "page": 2}', '2024-03-01T00:01:00Z');
INSERT INTO sync_state VALUES ('crm', 'contacts', '{"cursor": "2024-03-02"}', '2024-03-02T00:00:00Z')
  ON CONFLICT (connector, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at;
SELECT pg_temp.expect((SELECT state FROM sync_state) = '{"cursor": "2024-03-02"}',
                      'sync_state keeps the plugin''s checkpoint text as given');

INSERT INTO rejected_records(run_id, connector, stream, origin, reason, data, rejected_at)
VALUES (1, 'crm', 'contacts', 'contacts.csv:42', 'field ''email'': expected an email', 'x,y,not-json',
        '2024-03-01T00:00:30Z'),
       (1, 'crm', 'contacts', NULL, 'field ''quantity'': expected a quantity from 0 to 1e9, got -1', NULL,
        '2024-03-01T00:00:31Z');
SELECT pg_temp.expect((SELECT count(*) FROM rejected_records WHERE run_id = 1) = 2, 'rejected_records holds non-JSON data');

INSERT INTO pending_links(entity, row_id, field, ref_kind, source, ref)
VALUES ('touchpoints', 5, 'contact_id', 'anonymous', 'web', 'anon-1'),
       ('contacts', 3, 'account_id', 'domain', 'web', 'gamma.io');
INSERT INTO pending_links VALUES ('contacts', 3, 'account_id', 'domain', 'web', 'delta.io')
  ON CONFLICT (entity, row_id, field, ref_kind) DO UPDATE SET source = excluded.source, ref = excluded.ref;
SELECT pg_temp.expect((SELECT ref FROM pending_links WHERE entity = 'contacts') = 'delta.io',
                      'pending_links is keyed by (entity, row_id, field, ref_kind)');

-- ---------------------------------------------------------------------------------------------
-- Metric tables and the attribution_credits view
-- ---------------------------------------------------------------------------------------------
INSERT INTO attribution_touches(conversion, account_id, opportunity_id, touchpoint_id, campaign_id, channel, occurred_at,
                                first_touch, last_touch, linear, time_decay, position_based, u_shaped, w_shaped,
                                full_path, j_shaped, inverse_j, amount)
VALUES ('revenue', 1, 1, 2, NULL, 'email', '2024-02-10T08:00:00Z', 1, 0, 0.5, 0.25, 0.4, 0.5, 0.3, 0.2, 0.1, 0.6,
        50000.25),
       ('revenue', 1, 1, 1, 1, 'web', '2024-05-05T05:05:05Z', 0, 1, 0.5, 0.75, 0.6, 0.5, 0.7, 0.8, 0.9, 0.4, 50000.25);
SELECT pg_temp.expect_error($$INSERT INTO attribution_touches VALUES ('mql', 1, 1, 1, NULL, 'web', now(),
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)$$, '23514', 'attribution_touches.conversion is checked');
SELECT pg_temp.expect((SELECT count(*) FROM attribution_credits) = 20, 'attribution_credits has one row per model and touch');
SELECT pg_temp.expect((SELECT sum(value) FROM attribution_credits WHERE model = 'linear') = 50000.25
                      AND (SELECT sum(credit) FROM attribution_credits WHERE model = 'first_touch') = 1,
                      'attribution_credits: value = credit x amount');

INSERT INTO attribution_channels VALUES ('linear', 'revenue', 'web', 0.5, 25000.125), ('linear', 'revenue', 'email', 0.5, 25000.125);
SELECT pg_temp.expect_error($$INSERT INTO attribution_channels VALUES ('linear', 'revenue', 'web', 1, 1)$$, '23505',
                            'attribution_channels: one row per (model, conversion, channel)');
INSERT INTO attribution_campaigns VALUES ('linear', 'revenue', 1, 0.5, 25000.125), ('linear', 'revenue', NULL, 0.5, 25000.125);
INSERT INTO attribution_conversions VALUES ('revenue', 1, 1, 0, 50000.25, 50000.25), ('pipeline', 2, 1, 1, 50000.25, 50000.25);
INSERT INTO account_engagement VALUES (1, '2024-06-01T00:00:00Z', 12.5, 3, 2, 2, 4.25);
INSERT INTO account_engagement VALUES (1, '2024-06-02T00:00:00Z', 13.5, 4, 2, 2, 4.25)
  ON CONFLICT (account_id) DO UPDATE SET as_of = excluded.as_of, score = excluded.score, touchpoints = excluded.touchpoints;
SELECT pg_temp.expect((SELECT score FROM account_engagement) = 13.5, 'account_engagement is one row per account');
INSERT INTO account_stage_history VALUES (1, 'engaged', '2024-01-31T23:30:00Z', '2024-03-15T00:00:00Z'),
                                         (1, 'customer', '2024-03-15T00:00:00Z', NULL);
INSERT INTO account_stages VALUES (1, 'customer', '2024-03-15T00:00:00Z');
INSERT INTO journey_funnel VALUES ('aware', 1, 2, 1, 0.5, 12.25), ('customer', 5, 1, 0, NULL, NULL);
INSERT INTO metrics_runs(as_of, started_at, finished_at, mode, settings, accounts, accounts_recomputed, touchpoints,
                         conversions, unattributed, seconds)
VALUES ('2024-06-01T00:00:00Z', '2024-06-01T00:00:01Z', '2024-06-01T00:00:02Z', 'full', '{"half_life_days":7}', 3, 3, 5,
        2, 1, 0.25);
SELECT pg_temp.expect_error($$INSERT INTO metrics_runs(as_of, started_at, finished_at, mode, settings, accounts,
                              accounts_recomputed, touchpoints, conversions, unattributed, seconds)
                              VALUES (now(), now(), now(), 'partial', '', 0, 0, 0, 0, 0, 0)$$, '23514',
                            'metrics_runs.mode is full or incremental');
SELECT pg_temp.expect((SELECT settings FROM metrics_runs) = '{"half_life_days":7}', 'metrics_runs.settings is kept as text');
INSERT INTO metrics_account_paths VALUES (1, 'revenue', 'email>web', 1, 50000.25, 0);
INSERT INTO metrics_account_state VALUES (1, '2024-05-05T05:05:05Z'), (2, NULL);
SELECT pg_temp.expect_error($$INSERT INTO metrics_dirty_accounts VALUES (1), (1)$$, '23505',
                            'metrics_dirty_accounts: one row per account');

-- ---------------------------------------------------------------------------------------------
-- The event collector's tables (0007)
-- ---------------------------------------------------------------------------------------------
INSERT INTO event_identities VALUES ('web', 'anon-1', 'anon-user', '2024-03-01T00:00:00Z');
SELECT pg_temp.expect_error($$INSERT INTO event_identities VALUES ('web', 'anon-1', 'other', now())$$, '23505',
                            'event_identities: the first link of an anonymousId is the only one');
INSERT INTO event_messages VALUES ('web', 'm-1', '2024-03-01T00:00:00Z');
INSERT INTO event_messages VALUES ('web', 'm-1', '2024-03-01T00:00:05Z') ON CONFLICT DO NOTHING;
SELECT pg_temp.expect((SELECT received_at FROM event_messages) = '2024-03-01T00:00:00Z', 'a messageId is stored once');
INSERT INTO push_sources(connector, events_received, last_event_at) VALUES ('web', 3, '2024-03-01T00:00:00Z');
INSERT INTO push_sources(connector, events_received, last_event_at) VALUES ('web', 2, '2024-02-01T00:00:00Z')
  ON CONFLICT (connector) DO UPDATE SET events_received = push_sources.events_received + excluded.events_received,
    last_event_at = greatest(push_sources.last_event_at, excluded.last_event_at);
INSERT INTO push_sources(connector, events_refused) VALUES ('web', 1)
  ON CONFLICT (connector) DO UPDATE SET events_refused = push_sources.events_refused + excluded.events_refused;
SELECT pg_temp.expect((SELECT events_received = 5 AND events_refused = 1 AND last_event_at = '2024-03-01T00:00:00Z'
                       FROM push_sources), 'push_sources counts add up and keep the latest event time');

-- instances and leases (0009): a lease is taken by one conditional upsert, only when free, expired
-- or already the taker's (core/store/lease_keeper.cpp runs the same statement).
INSERT INTO instances VALUES ('db1:4242', 'db1', 4242, '0.1.0', now(), now());
INSERT INTO leases VALUES ('connector:crm', 'db1:4242', now(), now(), now() + interval '60 seconds');
PREPARE take_lease(text) AS
  INSERT INTO leases VALUES ('connector:crm', $1, now(), now(), now() + interval '60 seconds')
  ON CONFLICT (resource) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
    renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
  WHERE leases.expires_at < now() OR leases.holder = excluded.holder RETURNING holder;
EXECUTE take_lease('db2:5151');
SELECT pg_temp.expect((SELECT holder FROM leases) = 'db1:4242', 'a live lease of another holder is not taken');
UPDATE leases SET expires_at = now() - interval '1 second';
EXECUTE take_lease('db2:5151');
SELECT pg_temp.expect((SELECT holder FROM leases) = 'db2:5151', 'an expired lease is taken');
DEALLOCATE take_lease;
UPDATE sync_runs SET instance_id = 'db2:5151' WHERE run_id = 1;
SELECT pg_temp.expect_error($$INSERT INTO leases VALUES ('connector:crm', 'db3:1', now(), now(), now())$$,
                            '23505', 'one lease row per resource');

-- connector_config_problems (0014): one row per (instance, connector); since is a time.
INSERT INTO connector_config_problems VALUES ('db1:4242', 'crm', '/etc/abmd/connectors.d/crm.json',
                                              '/etc/abmd/connectors.d/crm.json: schedule: bad', '2024-03-01T00:00:00Z');
SELECT pg_temp.expect_error($$INSERT INTO connector_config_problems VALUES ('db1:4242', 'crm', 'f', 'p', now())$$,
                            '23505', 'one problem row per instance and connector');

-- metrics cycles (0010): a cycle with its shards and its dirty snapshot; mode is full or incremental,
-- one row per shard and per account of a cycle, and times read back in the store's format.
INSERT INTO metrics_cycles(as_of, settings, mode, previous_as_of, shards, opened_by, opened_at)
  VALUES ('2024-03-01T00:00:00Z', '{}', 'incremental', '2024-02-01T00:00:00Z', 2, 'db1:4242', now());
INSERT INTO metrics_cycle_shards(cycle_id, shard) VALUES (1, 0), (1, 1);
UPDATE metrics_cycle_shards SET done_by = 'db1:4242', done_at = now(), accounts = 3 WHERE shard = 0;
INSERT INTO metrics_cycle_dirty VALUES (1, 1);
SELECT pg_temp.expect((SELECT count(*) - count(done_at) FROM metrics_cycle_shards WHERE cycle_id = 1) = 1,
                      'a cycle counts its pending shards');
SELECT pg_temp.expect((SELECT as_of = '2024-03-01T00:00:00Z' AND finished_at IS NULL FROM metrics_cycles),
                      'a new cycle is open');
SELECT pg_temp.expect_error($$INSERT INTO metrics_cycles(as_of, settings, mode, shards, opened_by, opened_at)
                              VALUES (now(), '{}', 'partial', 1, 'db1:4242', now())$$,
                            '23514', 'metrics_cycles.mode is full or incremental');
SELECT pg_temp.expect_error($$INSERT INTO metrics_cycle_shards(cycle_id, shard) VALUES (1, 1)$$,
                            '23505', 'one row per shard of a cycle');
SELECT pg_temp.expect_error($$INSERT INTO metrics_cycle_dirty VALUES (1, 1)$$,
                            '23505', 'one dirty mark per account of a cycle');

-- KPIs, lists, segments and surveys (0012): a target list makes its accounts targets and lends its
-- tier to those without one; a score is 0 to 10; one KPI row per (period, segment, metric).
INSERT INTO survey_responses(account_id, contact_id, source, external_id, score, comment, responded_at)
  VALUES (1, NULL, 'csv', 'r1', 9, 'great', '2024-03-01T00:00:00Z');
SELECT pg_temp.expect_error($$INSERT INTO survey_responses(source, external_id, score, responded_at)
                              VALUES ('csv', 'r2', 11, now())$$, '23514', 'a survey score is 0 to 10');
SELECT pg_temp.expect_error($$INSERT INTO survey_responses(source, external_id, score, responded_at)
                              VALUES ('csv', 'r1', 5, now())$$, '23505', 'one survey response per (source, external_id)');
INSERT INTO segments VALUES ('fintech', 'industry = "Fintech"', now(), now());
INSERT INTO account_lists(name, is_target, tier, imported_at) VALUES ('q3 targets', true, 'tier 2', now());
INSERT INTO account_list_members SELECT 1, account_id, 'domain' FROM accounts ORDER BY account_id LIMIT 1;
SELECT pg_temp.expect((SELECT bool_and(t.is_target) AND bool_and(t.tier IS NOT NULL)
                       FROM account_targeting t JOIN account_list_members m USING (account_id)),
                      'a target list makes its accounts targets with a tier');
SELECT pg_temp.expect((SELECT properties = '{}'::jsonb FROM accounts ORDER BY account_id LIMIT 1),
                      'accounts.properties is an empty object by default');
INSERT INTO kpis VALUES (now(), 'last_90d', now() - interval '90 days', now(), 'all', 'win_rate', NULL);
SELECT pg_temp.expect_error($$INSERT INTO kpis VALUES (now(), 'last_90d', now(), now(), 'all', 'win_rate', 0.5)$$,
                            '23505', 'one KPI row per (period, segment, metric)');
INSERT INTO campaign_performance(as_of, period, campaign_id, channel, spend, impressions, clicks, accounts_reached,
                                 accounts_engaged, influenced_pipeline, sourced_pipeline, attributed_pipeline,
                                 attributed_revenue)
  VALUES (now(), 'last_90d', NULL, 'ads', 0, 0, 0, 0, 0, 0, 0, 0, 0);

-- Every table of the contract holds rows now (the views excepted).
DO $$
DECLARE
  t text;
  n bigint;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c
           WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  LOOP
    EXECUTE format('SELECT count(*) FROM %I', t) INTO n;
    PERFORM pg_temp.expect(n > 0, format('table %s has sample rows', t));
  END LOOP;
END
$$;

\echo schema_check.sql: all checks passed
