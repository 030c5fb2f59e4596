-- The PostgreSQL schema against the SQLite one, run by schema_check.sh after it has loaded SQLite's
-- catalog into the temporary tables sqlite_columns, sqlite_indexes, sqlite_uniques and
-- sqlite_triggers. Same tables and views, same columns in the same order with the same nullability
-- and a type of the same family, same indexes on the same columns, same keys, same triggers. What
-- PostgreSQL has more (touchpoint_keys, the partitions, the touchpoint indexes of 0001, the triggers
-- that keep touchpoint_keys in step) is listed here by name, so anything else is a difference.
-- A column named rowid stands for SQLite's implicit one and is left out of the comparison, as is
-- its place at the end of an index and its own unique key.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TEMP VIEW pg_columns AS
  SELECT c.relname::text AS tbl, (row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) - 1)::int AS pos,
         a.attname::text AS col, a.attnotnull AS not_null, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname <> 'rowid'
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
    AND c.relname <> 'touchpoint_keys';

CREATE TEMP VIEW pg_indexes_cols AS
  SELECT t.relname::text AS tbl, i.relname::text AS name, x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
         EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) AS backs_constraint,
         (SELECT string_agg(CASE WHEN x.indkey[k - 1] = 0 THEN '<expr>' ELSE pg_get_indexdef(x.indexrelid, k, true) END,
                            ',' ORDER BY k)
          FROM generate_series(1, x.indnatts) k
          WHERE x.indkey[k - 1] = 0 OR pg_get_indexdef(x.indexrelid, k, true) <> 'rowid') AS cols
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  WHERE t.relnamespace = current_schema()::regnamespace AND NOT t.relispartition;

CREATE TEMP VIEW pg_keys AS
  SELECT t.relname::text AS tbl, k.contype,
         (SELECT string_agg(a.attname, ',' ORDER BY u.n) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, n)
          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.attnum) AS cols
  FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
  WHERE t.relnamespace = current_schema()::regnamespace AND NOT t.relispartition AND k.contype IN ('p', 'u')
    AND k.conkey <> ARRAY[(SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'rowid')];

DO $$
DECLARE
  r record;
  problems text[] := '{}';
BEGIN
  -- Tables, views and columns: name and position.
  FOR r IN (SELECT tbl, pos, col FROM sqlite_columns EXCEPT SELECT tbl, pos, col FROM pg_columns) ORDER BY 1, 2 LOOP
    problems := problems || format('SQLite has %s.%s at position %s; PostgreSQL does not', r.tbl, r.col, r.pos);
  END LOOP;
  FOR r IN (SELECT tbl, pos, col FROM pg_columns EXCEPT SELECT tbl, pos, col FROM sqlite_columns) ORDER BY 1, 2 LOOP
    problems := problems || format('PostgreSQL has %s.%s at position %s; SQLite does not', r.tbl, r.col, r.pos);
  END LOOP;
  -- Types of the same family; nullability as SQLite declares it (its primary keys aside: SQLite
  -- reports an INTEGER PRIMARY KEY, and a rowid table's other keys, as nullable).
  FOR r IN SELECT s.tbl, s.col, s.type AS stype, p.type AS ptype, s.not_null AS snn, p.not_null AS pnn, s.pk
           FROM sqlite_columns s JOIN pg_columns p USING (tbl, col) ORDER BY 1, 2 LOOP
    IF NOT (CASE coalesce(r.stype, '')
             WHEN 'INTEGER' THEN r.ptype IN ('bigint', 'boolean')
             WHEN 'TEXT' THEN r.ptype IN ('text', 'timestamp with time zone', 'date', 'jsonb')
             WHEN 'REAL' THEN r.ptype IN ('double precision', 'numeric')
             WHEN '' THEN true  -- a view's computed column
             ELSE false END) THEN
      problems := problems || format('%s.%s: SQLite %s is PostgreSQL %s, not a type of its family', r.tbl, r.col,
                                     r.stype, r.ptype);
    END IF;
    IF r.pk = 0 AND (r.snn = 1) <> r.pnn THEN
      problems := problems || format('%s.%s: NOT NULL on SQLite is %s, on PostgreSQL %s', r.tbl, r.col, r.snn = 1, r.pnn);
    END IF;
  END LOOP;
  -- Indexes: SQLite's by name, on the same table and columns, partial where SQLite's is.
  FOR r IN SELECT s.tbl, s.name, s.cols, s.partial, p.tbl AS ptbl, p.cols AS pcols, p.partial AS ppartial
           FROM sqlite_indexes s LEFT JOIN pg_indexes_cols p USING (name) ORDER BY s.name LOOP
    IF r.ptbl IS NULL THEN
      problems := problems || format('index %s of SQLite is missing', r.name);
    ELSIF r.ptbl <> r.tbl OR r.pcols <> r.cols OR r.ppartial <> (r.partial = 1) THEN
      problems := problems || format('index %s: SQLite %s(%s)%s, PostgreSQL %s(%s)%s', r.name, r.tbl, r.cols,
                                     CASE WHEN r.partial = 1 THEN ' partial' ELSE '' END, r.ptbl, r.pcols,
                                     CASE WHEN r.ppartial THEN ' partial' ELSE '' END);
    END IF;
  END LOOP;
  FOR r IN SELECT name, tbl FROM pg_indexes_cols p
           WHERE NOT backs_constraint AND NOT EXISTS (SELECT 1 FROM sqlite_indexes s WHERE s.name = p.name)
             AND (tbl, name) NOT IN (('touchpoints', 'touchpoints_by_source_key'), ('touchpoints', 'touchpoints_by_contact'),
                                     ('touchpoints', 'touchpoints_by_campaign'), ('touchpoints', 'touchpoints_by_occurred_at'),
                                     ('touchpoints', 'touchpoints_by_updated_at'))
           ORDER BY name LOOP
    problems := problems || format('index %s on %s is not in SQLite and not a documented PostgreSQL index', r.name, r.tbl);
  END LOOP;
  -- Keys. (source, external_id) of touchpoints lives on touchpoint_keys, and touchpoints' primary
  -- key holds the partition key too.
  FOR r IN SELECT s.tbl, s.cols FROM sqlite_uniques s
           WHERE NOT EXISTS (SELECT 1 FROM pg_keys p WHERE p.tbl = s.tbl AND p.cols = s.cols)
             AND (s.tbl, s.cols) NOT IN (('touchpoints', 'source,external_id'), ('touchpoints', 'touchpoint_id'))
           ORDER BY 1, 2 LOOP
    problems := problems || format('%s: key (%s) of SQLite is missing', r.tbl, r.cols);
  END LOOP;
  FOR r IN SELECT p.tbl, p.cols FROM pg_keys p
           WHERE NOT EXISTS (SELECT 1 FROM sqlite_uniques s WHERE s.tbl = p.tbl AND s.cols = p.cols)
             AND (p.tbl, p.cols) NOT IN (('touchpoints', 'touchpoint_id,occurred_at'), ('touchpoint_keys', 'source,external_id'),
                                         ('touchpoint_keys', 'touchpoint_id'))
           ORDER BY 1, 2 LOOP
    problems := problems || format('%s: key (%s) is not in SQLite', r.tbl, r.cols);
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_keys WHERE tbl = 'touchpoint_keys' AND contype = 'p' AND cols = 'source,external_id') THEN
    problems := problems || 'touchpoint_keys is not keyed by (source, external_id)'::text;
  END IF;
  -- Triggers: SQLite's by name on the same table; PostgreSQL's own two keep touchpoint_keys in step.
  -- SQLite's *_stamped triggers (0015) stamp updated_at on a row inserted without it, what the
  -- column's default does on PostgreSQL.
  FOR r IN SELECT s.tbl, s.name FROM sqlite_triggers s
           WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgname = s.name AND g.tgrelid = s.tbl::regclass
                               AND NOT g.tgisinternal)
             AND s.name <> s.tbl || '_stamped'
           ORDER BY 2 LOOP
    problems := problems || format('trigger %s on %s of SQLite is missing', r.name, r.tbl);
  END LOOP;
  FOR r IN SELECT c.relname AS tbl, g.tgname AS name FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
           WHERE c.relnamespace = current_schema()::regnamespace AND NOT c.relispartition AND NOT g.tgisinternal
             AND g.tgname NOT IN (SELECT name FROM sqlite_triggers)
             AND g.tgname NOT IN ('touchpoints_key_follows', 'touchpoints_keys_forget')
           ORDER BY 2 LOOP
    problems := problems || format('trigger %s on %s is not in SQLite', r.name, r.tbl);
  END LOOP;
  -- The SQLite catalog was loaded (an empty one would compare equal to nothing).
  IF (SELECT count(DISTINCT tbl) FROM sqlite_columns) < 25 OR (SELECT count(*) FROM sqlite_indexes) < 20
     OR (SELECT count(*) FROM sqlite_triggers) < 3 THEN
    problems := problems || 'the SQLite catalog was not loaded'::text;
  END IF;
  IF cardinality(problems) > 0 THEN
    RAISE EXCEPTION E'the PostgreSQL schema differs from SQLite''s:\n  %', array_to_string(problems, E'\n  ');
  END IF;
END
$$;
\echo schema_parity.sql: same tables, columns, indexes, keys and triggers as the SQLite schema
