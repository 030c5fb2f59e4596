-- Twin of schema/0004_account_moves.sql. On SQLite this migration fixed the dirty-account marks of
-- 0002's triggers, which an UPSERT's conflict policy made fail; PostgreSQL's ON CONFLICT DO NOTHING
-- never had that fault, and the marks keep it next to the NOT EXISTS guard SQLite now uses.
--
-- Touchpoints tied to an account through their contact (account_via_contact: the touchpoint named no
-- account or domain of its own) follow that contact when it moves to another account, so that a store
-- synced incrementally holds what a full refresh would write (docs/store.md).

ALTER TABLE touchpoints ADD COLUMN account_via_contact boolean NOT NULL DEFAULT false;

-- Rows written before this column existed: a touchpoint with no domain tie that sits on its contact's
-- account is taken to follow that contact (the rule 0003's re-tie used for them).
UPDATE touchpoints SET account_via_contact = true
  WHERE account_via_domain IS NULL AND contact_id IS NOT NULL AND account_id IS NOT NULL
    AND account_id = (SELECT c.account_id FROM contacts c WHERE c.contact_id = touchpoints.contact_id);

DROP TRIGGER touchpoints_account_moved ON touchpoints;
DROP TRIGGER contacts_account_moved ON contacts;
DROP TRIGGER opportunities_account_moved ON opportunities;

CREATE OR REPLACE FUNCTION abm_account_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Both accounts in one statement, in ascending order: two sessions moving rows in opposite
  -- directions then take the marks' locks in the same order and never deadlock.
  INSERT INTO metrics_dirty_accounts(account_id)
    SELECT x.id FROM (VALUES (OLD.account_id), (NEW.account_id)) AS x(id)
    WHERE x.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = x.id)
    ORDER BY x.id
    ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;

-- BEFORE on touchpoints, as in 0002: a row moved to another month's partition fires no AFTER UPDATE.
CREATE TRIGGER touchpoints_account_moved BEFORE UPDATE OF account_id ON touchpoints
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_account_moved();

CREATE TRIGGER opportunities_account_moved AFTER UPDATE OF account_id ON opportunities
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_account_moved();

-- A contact left without an account (its domain was corrected) takes nobody along: its touchpoints
-- were parked by the re-tie and are tied again with it. The UPDATE finds them through
-- touchpoints_by_account, which covers contact_id, so only the old account's touchpoints are read.
CREATE FUNCTION abm_contact_account_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Both accounts in one statement, in ascending order: two sessions moving rows in opposite
  -- directions then take the marks' locks in the same order and never deadlock.
  INSERT INTO metrics_dirty_accounts(account_id)
    SELECT x.id FROM (VALUES (OLD.account_id), (NEW.account_id)) AS x(id)
    WHERE x.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = x.id)
    ORDER BY x.id
    ON CONFLICT DO NOTHING;
  UPDATE touchpoints SET account_id = NEW.account_id
    WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
      AND account_via_contact;
  RETURN NEW;
END
$$;
CREATE TRIGGER contacts_account_moved AFTER UPDATE OF account_id ON contacts
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_contact_account_moved();

-- Writes one touchpoint as SQLite's
--   INSERT INTO touchpoints(...) VALUES(...) ON CONFLICT(source, external_id) DO UPDATE SET <every column>
-- does (core/pipeline/store_writer.cpp): a new (source, external_id) gets a new touchpoint_id; a known
-- one keeps its id and has every other column replaced, quantity NULL meaning 1 and properties NULL
-- meaning {} in both cases. A new occurred_at in another month moves the row to that month's
-- partition. Returns the touchpoint_id.
-- The key row is locked first, so concurrent writes of one touchpoint apply one after the other, and
-- only then is a missing month's partition made (abm_try_touchpoint_partition: without waiting; the
-- row goes to touchpoints_default when it cannot be made at once). In that order a session holding
-- the partition locks never waits for a key that a session waiting for those locks holds, as long
-- as each transaction writes one touchpoint, or its months' partitions exist before it starts.
-- The parameters are named after the columns, so the function can be called with named arguments.
CREATE FUNCTION abm_upsert_touchpoint(
  account_id bigint, contact_id bigint, campaign_id bigint, source text, external_id text, channel text,
  activity text, occurred_at timestamptz, quantity double precision, properties jsonb,
  account_via_domain text, account_via_contact boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  id bigint;
  stored_at timestamptz;
  q constant double precision := coalesce(quantity, 1);
  props constant jsonb := coalesce(properties, '{}');
BEGIN
  IF occurred_at IS NULL OR source IS NULL OR external_id IS NULL THEN
    RAISE EXCEPTION 'abm_upsert_touchpoint: source, external_id and occurred_at are required (got %, %, %)',
      coalesce(source, 'NULL'), coalesce(external_id, 'NULL'), coalesce(occurred_at::text, 'NULL');
  END IF;
  LOOP
    SELECT k.touchpoint_id, k.occurred_at INTO id, stored_at FROM touchpoint_keys k
      WHERE k.source = abm_upsert_touchpoint.source AND k.external_id = abm_upsert_touchpoint.external_id
      FOR UPDATE;
    EXIT WHEN FOUND;
    INSERT INTO touchpoint_keys(source, external_id, occurred_at) VALUES (source, external_id, occurred_at)
      ON CONFLICT ON CONSTRAINT touchpoint_keys_pkey DO NOTHING
      RETURNING touchpoint_id INTO id;
    IF FOUND THEN
      PERFORM abm_try_touchpoint_partition(occurred_at);
      INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel,
                              activity, occurred_at, quantity, properties, account_via_domain, account_via_contact)
        VALUES (id, account_id, contact_id, campaign_id, source, external_id, channel, activity, occurred_at, q,
                props, account_via_domain, account_via_contact);
      RETURN id;
    END IF;
    -- Another session inserted the key since the SELECT: go round and lock it.
  END LOOP;
  IF abm_touchpoint_month(occurred_at) <> abm_touchpoint_month(stored_at) THEN
    PERFORM abm_try_touchpoint_partition(occurred_at);
  END IF;
  FOR attempt IN 1..2 LOOP
    UPDATE touchpoints t
      SET account_id = abm_upsert_touchpoint.account_id, account_via_domain = abm_upsert_touchpoint.account_via_domain,
          account_via_contact = abm_upsert_touchpoint.account_via_contact,
          contact_id = abm_upsert_touchpoint.contact_id, campaign_id = abm_upsert_touchpoint.campaign_id,
          channel = abm_upsert_touchpoint.channel, activity = abm_upsert_touchpoint.activity,
          occurred_at = abm_upsert_touchpoint.occurred_at, quantity = q, properties = props
      WHERE t.touchpoint_id = id AND t.occurred_at = stored_at;
    IF FOUND THEN
      RETURN id;
    END IF;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'abm_upsert_touchpoint: touchpoint % (%, %) is stored at % but could not be updated there',
        id, source, external_id, stored_at;
    END IF;
    -- Not where the key said. Either abm_ensure_touchpoint_partition moved the row out of the default
    -- partition after this statement took its snapshot (it takes no key locks), or the key outlived
    -- its row (a partition was dropped or truncated). Look for it everywhere, with a new snapshot.
    SELECT t.occurred_at INTO stored_at FROM touchpoints t WHERE t.touchpoint_id = id LIMIT 1;
    EXIT WHEN NOT FOUND;
    UPDATE touchpoint_keys k SET occurred_at = stored_at WHERE k.touchpoint_id = id;
  END LOOP;
  -- The key outlived its row: the row is written again, under the same id.
  PERFORM abm_try_touchpoint_partition(occurred_at);
  UPDATE touchpoint_keys k SET occurred_at = abm_upsert_touchpoint.occurred_at WHERE k.touchpoint_id = id;
  INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel,
                          activity, occurred_at, quantity, properties, account_via_domain, account_via_contact)
    VALUES (id, account_id, contact_id, campaign_id, source, external_id, channel, activity, occurred_at, q,
            props, account_via_domain, account_via_contact);
  RETURN id;
END
$$;

-- Writes a batch of touchpoints set-wise, with exactly the effect of abm_upsert_touchpoint on each
-- row: the path for a batch COPYed into a staging table. staged names a table with the columns
--   account_id, contact_id, campaign_id, source, external_id, channel, activity, occurred_at,
--   quantity, properties, account_via_domain, account_via_contact
-- (made, with the types of touchpoints, by: CREATE TEMP TABLE touchpoints_staged AS SELECT account_id,
-- contact_id, campaign_id, source, external_id, channel, activity, occurred_at, quantity, properties,
-- account_via_domain, account_via_contact FROM touchpoints WITH NO DATA), holding each
-- (source, external_id) at most once: of two writes of one touchpoint the caller keeps the last.
-- The existing keys are locked in key order, then the new ones are made (in the order of a seq
-- column when the batch has one, else in key order); the missing months' partitions are then made
-- if that needs no waiting (abm_try_touchpoint_partition); new rows are inserted and known ones
-- updated (moved to another month's partition when their month changed) in one statement each.
-- Returns how many touchpoints were written; their ids are in touchpoint_keys. Two sessions merging batches that share keys lock them in the same order, but a
-- key one session sees as new and the other as existing can still make them wait for each other:
-- PostgreSQL then ends one transaction with a deadlock error, and that batch is written again.
CREATE FUNCTION abm_merge_touchpoints(staged regclass) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  incomplete bigint;
  repeated bigint;
  written bigint := 0;
  new_key_order text := 's.source, s.external_id';
  month timestamptz;
  r record;
BEGIN
  EXECUTE format('SELECT count(*) FILTER (WHERE source IS NULL OR external_id IS NULL OR occurred_at IS NULL),'
                 ' count(*) - count(DISTINCT (source, external_id)) FROM %s', staged) INTO incomplete, repeated;
  IF incomplete > 0 THEN
    RAISE EXCEPTION 'abm_merge_touchpoints: % rows of % have no source, external_id or occurred_at', incomplete, staged;
  END IF;
  IF repeated > 0 THEN
    RAISE EXCEPTION 'abm_merge_touchpoints: % holds % more rows than (source, external_id) keys', staged, repeated
      USING HINT = 'Keep only the last write of each touchpoint in a batch.';
  END IF;
  -- New touchpoints get their ids in the batch's own order when it has one (a seq column: the
  -- order the writer received them, as SQLite numbers them), else in key order.
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = staged AND attname = 'seq' AND NOT attisdropped) THEN
    new_key_order := 's.seq';
  END IF;
  -- The batch's keys: touchpoint_id, where the row is (stored_at), and whether this call made it.
  IF to_regclass('pg_temp.abm_merge_keys') IS NULL THEN
    CREATE TEMP TABLE abm_merge_keys (
      touchpoint_id bigint NOT NULL,
      source        text COLLATE "C" NOT NULL,
      external_id   text COLLATE "C" NOT NULL,
      stored_at     timestamptz NOT NULL,
      fresh         boolean NOT NULL
    ) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM abm_merge_keys;
  LOOP
    EXECUTE format(
      'INSERT INTO abm_merge_keys SELECT k.touchpoint_id, k.source, k.external_id, k.occurred_at, false'
      ' FROM touchpoint_keys k JOIN %s s ON s.source = k.source AND s.external_id = k.external_id'
      ' WHERE NOT EXISTS (SELECT 1 FROM abm_merge_keys m WHERE m.source = k.source AND m.external_id = k.external_id)'
      ' ORDER BY k.source, k.external_id FOR UPDATE OF k', staged);
    EXECUTE format(
      'WITH made AS (INSERT INTO touchpoint_keys(source, external_id, occurred_at)'
      '  SELECT s.source, s.external_id, s.occurred_at FROM %s s'
      '  WHERE NOT EXISTS (SELECT 1 FROM abm_merge_keys m WHERE m.source = s.source AND m.external_id = s.external_id)'
      '  ORDER BY %s'
      '  ON CONFLICT ON CONSTRAINT touchpoint_keys_pkey DO NOTHING'
      '  RETURNING touchpoint_id, source, external_id, occurred_at)'
      ' INSERT INTO abm_merge_keys SELECT touchpoint_id, source, external_id, occurred_at, true FROM made', staged,
      new_key_order);
    EXECUTE format('SELECT count(*) FROM %s s WHERE NOT EXISTS (SELECT 1 FROM abm_merge_keys m'
                   ' WHERE m.source = s.source AND m.external_id = s.external_id)', staged) INTO n;
    EXIT WHEN n = 0;
    -- Keys another session made since they were looked for: go round and lock them.
  END LOOP;
  FOR month IN EXECUTE format('SELECT DISTINCT abm_touchpoint_month(occurred_at) FROM %s', staged) LOOP
    PERFORM abm_try_touchpoint_partition(month);
  END LOOP;
  EXECUTE format(
    'INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel, activity,'
    '                        occurred_at, quantity, properties, account_via_domain, account_via_contact)'
    ' SELECT m.touchpoint_id, s.account_id, s.contact_id, s.campaign_id, s.source, s.external_id, s.channel, s.activity,'
    '        s.occurred_at, coalesce(s.quantity, 1), coalesce(s.properties, ''{}''), s.account_via_domain,'
    '        s.account_via_contact'
    ' FROM abm_merge_keys m JOIN %s s ON s.source = m.source AND s.external_id = m.external_id WHERE m.fresh', staged);
  GET DIAGNOSTICS n = ROW_COUNT;
  written := n;
  DELETE FROM abm_merge_keys WHERE fresh;
  EXECUTE format(
    'WITH done AS (UPDATE touchpoints t SET account_id = s.account_id, account_via_domain = s.account_via_domain,'
    '    account_via_contact = s.account_via_contact, contact_id = s.contact_id, campaign_id = s.campaign_id,'
    '    channel = s.channel, activity = s.activity, occurred_at = s.occurred_at, quantity = coalesce(s.quantity, 1),'
    '    properties = coalesce(s.properties, ''{}'')'
    '  FROM abm_merge_keys m JOIN %s s ON s.source = m.source AND s.external_id = m.external_id'
    '  WHERE t.touchpoint_id = m.touchpoint_id AND t.occurred_at = m.stored_at'
    '  RETURNING t.touchpoint_id)'
    ' DELETE FROM abm_merge_keys m USING done WHERE m.touchpoint_id = done.touchpoint_id', staged);
  GET DIAGNOSTICS n = ROW_COUNT;
  written := written + n;
  -- Rows not where their key said (moved out of the default partition meanwhile, or gone): one by
  -- one, through the function that looks for them. Their keys are locked already.
  FOR r IN EXECUTE format('SELECT s.* FROM abm_merge_keys m JOIN %s s ON s.source = m.source'
                          ' AND s.external_id = m.external_id ORDER BY m.source, m.external_id', staged) LOOP
    PERFORM abm_upsert_touchpoint(r.account_id, r.contact_id, r.campaign_id, r.source, r.external_id, r.channel,
                                  r.activity, r.occurred_at, r.quantity, r.properties, r.account_via_domain,
                                  r.account_via_contact);
    written := written + 1;
  END LOOP;
  DELETE FROM abm_merge_keys;
  RETURN written;
END
$$;
