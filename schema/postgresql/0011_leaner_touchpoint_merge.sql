-- Twin of schema/0011_leaner_touchpoint_merge.sql. abm_merge_touchpoints (0004) with the same
-- effect and less work per batch (bench/RESULTS.md, "Inside one merge"): the batch's keys are
-- counted as they are found or made instead of looked for again after each round; the UPDATE of
-- known touchpoints and the pass over rows not where their key said are skipped when the batch has
-- no known touchpoint, or every known one was updated in place; the duplicate check groups by hash
-- instead of sorting; the key list is emptied with TRUNCATE.
CREATE OR REPLACE FUNCTION abm_merge_touchpoints(staged regclass) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  total bigint;
  incomplete bigint;
  repeated boolean;
  found_keys bigint := 0;
  known bigint := 0;
  n bigint;
  written bigint := 0;
  new_key_order text := 's.source, s.external_id';
  month timestamptz;
  r record;
BEGIN
  EXECUTE format('SELECT count(*), count(*) FILTER (WHERE source IS NULL OR external_id IS NULL OR occurred_at IS NULL)'
                 ' FROM %s', staged) INTO total, incomplete;
  IF incomplete > 0 THEN
    RAISE EXCEPTION 'abm_merge_touchpoints: % rows of % have no source, external_id or occurred_at', incomplete, staged;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s GROUP BY source, external_id HAVING count(*) > 1)', staged)
    INTO repeated;
  IF repeated THEN
    EXECUTE format('SELECT count(*) - count(DISTINCT (source, external_id)) FROM %s', staged) INTO n;
    RAISE EXCEPTION 'abm_merge_touchpoints: % holds % more rows than (source, external_id) keys', staged, n
      USING HINT = 'Keep only the last write of each touchpoint in a batch.';
  END IF;
  IF total = 0 THEN
    RETURN 0;
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
  ELSE
    TRUNCATE abm_merge_keys;
  END IF;
  LOOP
    EXECUTE format(
      'INSERT INTO abm_merge_keys SELECT k.touchpoint_id, k.source, k.external_id, k.occurred_at, false'
      ' FROM touchpoint_keys k JOIN %s s ON s.source = k.source AND s.external_id = k.external_id'
      ' WHERE NOT EXISTS (SELECT 1 FROM abm_merge_keys m WHERE m.source = k.source AND m.external_id = k.external_id)'
      ' ORDER BY k.source, k.external_id FOR UPDATE OF k', staged);
    GET DIAGNOSTICS n = ROW_COUNT;
    known := known + n;
    found_keys := found_keys + n;
    EXIT WHEN found_keys = total;
    EXECUTE format(
      'WITH made AS (INSERT INTO touchpoint_keys(source, external_id, occurred_at)'
      '  SELECT s.source, s.external_id, s.occurred_at FROM %s s'
      '  WHERE NOT EXISTS (SELECT 1 FROM abm_merge_keys m WHERE m.source = s.source AND m.external_id = s.external_id)'
      '  ORDER BY %s'
      '  ON CONFLICT ON CONSTRAINT touchpoint_keys_pkey DO NOTHING'
      '  RETURNING touchpoint_id, source, external_id, occurred_at)'
      ' INSERT INTO abm_merge_keys SELECT touchpoint_id, source, external_id, occurred_at, true FROM made', staged,
      new_key_order);
    GET DIAGNOSTICS n = ROW_COUNT;
    found_keys := found_keys + n;
    EXIT WHEN found_keys = total;
    -- Keys another session made since they were looked for: go round and lock them.
  END LOOP;
  FOR month IN EXECUTE format('SELECT DISTINCT abm_touchpoint_month(occurred_at) FROM %s', staged) LOOP
    PERFORM abm_try_touchpoint_partition(month);
  END LOOP;
  IF known < total THEN
    EXECUTE format(
      'INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel, activity,'
      '                        occurred_at, quantity, properties, account_via_domain, account_via_contact)'
      ' SELECT m.touchpoint_id, s.account_id, s.contact_id, s.campaign_id, s.source, s.external_id, s.channel, s.activity,'
      '        s.occurred_at, coalesce(s.quantity, 1), coalesce(s.properties, ''{}''), s.account_via_domain,'
      '        s.account_via_contact'
      ' FROM abm_merge_keys m JOIN %s s ON s.source = m.source AND s.external_id = m.external_id WHERE m.fresh', staged);
    GET DIAGNOSTICS n = ROW_COUNT;
    written := n;
  END IF;
  IF known = 0 THEN
    RETURN written;
  END IF;
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
  IF n = known THEN
    RETURN written;
  END IF;
  -- Rows not where their key said (moved out of the default partition meanwhile, or gone): one by
  -- one, through the function that looks for them. Their keys are locked already.
  FOR r IN EXECUTE format('SELECT s.* FROM abm_merge_keys m JOIN %s s ON s.source = m.source'
                          ' AND s.external_id = m.external_id ORDER BY m.source, m.external_id', staged) LOOP
    PERFORM abm_upsert_touchpoint(r.account_id, r.contact_id, r.campaign_id, r.source, r.external_id, r.channel,
                                  r.activity, r.occurred_at, r.quantity, r.properties, r.account_via_domain,
                                  r.account_via_contact);
    written := written + 1;
  END LOOP;
  RETURN written;
END
$$;
