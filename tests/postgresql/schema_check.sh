#!/usr/bin/env bash
# Checks the PostgreSQL store schema (schema/postgresql/NNNN_*.sql) against a running server.
#
#   tests/postgresql/schema_check.sh postgresql://user@host:port/dbname[?params]
#
# The URL names a server and a database to connect to first; the script creates fresh databases of
# its own on that server (the role needs CREATEDB), and drops them at the end (kept on failure when
# ABM_KEEP_DB=1). It then:
#   1. runs the migrations in order, each file in one transaction with ON_ERROR_STOP, into two fresh
#      databases at once: nothing in them depends on another database or on timing; and migrates a
#      third one written at version 0003, to check 0004's fill of account_via_contact;
#   2. compares the tables, columns (name, order, nullability, type family), indexes, unique keys
#      and triggers with the SQLite schema (schema/NNNN_*.sql, through the sqlite3 CLI);
#   3. runs schema_check.sql (sample rows in every table, constraints, triggers, partitions, the
#      batch merge against the one-row upsert);
#   4. runs concurrent sessions: two making the same month partitions; two writing the same
#      touchpoints, one per transaction into months not made yet, in transactions of 20 and in
#      merged batches; a writer that must not wait for a reader to make a month; a writer that made
#      a month in an open transaction; and two transactions writing one touchpoint one after the other.
# Exit status 0 when every check passed; the first failure stops the script with a message.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
url=${1:-}
if [[ -z $url ]]; then
  echo "usage: $0 postgresql://user@host:port/dbname (a server where this role may create databases)" >&2
  exit 2
fi
if [[ ! $url =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]]; then
  echo "schema_check: '$url' is not a postgresql:// URL; pass one like postgresql://user@127.0.0.1:5432/postgres" >&2
  exit 2
fi
server=${BASH_REMATCH[1]} params=${BASH_REMATCH[4]}
for tool in psql sqlite3; do
  command -v "$tool" >/dev/null || { echo "schema_check: $tool not found (Debian: postgresql-client, sqlite3)" >&2; exit 2; }
done

db_url() { printf '%s/%s%s' "$server" "$1" "$params"; }
psql_on() {  # psql_on DB [psql args...]
  local db=$1
  shift
  psql "$(db_url "$db")" -X -q -v ON_ERROR_STOP=1 "$@"
}

work=$(mktemp -d)
base="abm_schema_check_$$_$RANDOM"
dbs=("${base}_a" "${base}_b" "${base}_c")
status=1
cleanup() {
  set +e
  for job in $(jobs -p); do kill "$job" 2>/dev/null; done
  wait 2>/dev/null
  if [[ $status -ne 0 && ${ABM_KEEP_DB:-0} == 1 ]]; then
    echo "schema_check: kept databases ${dbs[*]} and $work for inspection" >&2
    return
  fi
  for db in "${dbs[@]}"; do psql "$url" -X -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "schema_check: $*" >&2
  exit 1
}

migrations=("$repo"/schema/postgresql/[0-9][0-9][0-9][0-9]_*.sql)
sqlite_migrations=("$repo"/schema/[0-9][0-9][0-9][0-9]_*.sql)
[[ ${#migrations[@]} -gt 0 && -f ${migrations[0]} ]] || fail "no migrations in $repo/schema/postgresql"
# One PostgreSQL file per SQLite file, with the same name.
diff <(cd "$repo/schema" && ls [0-9][0-9][0-9][0-9]_*.sql) <(cd "$repo/schema/postgresql" && ls [0-9][0-9][0-9][0-9]_*.sql) \
  || fail "schema/ and schema/postgresql/ must hold the same migration files (see the diff above)"

# 1. Migrations, into two fresh databases at once.
for db in "${dbs[@]}"; do
  psql "$url" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" || fail "cannot create database $db on $server"
done
migrate() {
  local db=$1 f
  for f in "${migrations[@]}"; do
    psql_on "$db" -1 -f "$f" >"$work/migrate_$db.log" 2>&1 || { cat "$work/migrate_$db.log" >&2; echo "in $f" >&2; return 1; }
  done
}
pids=()
for db in "${dbs[@]:0:2}"; do
  migrate "$db" &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || fail "the migrations failed on ${dbs[$i]} (while another database was migrated at the same time)"
done
echo "schema_check: ${#migrations[@]} migrations applied to two databases at once"

# 1b. A store written at 0003 and then migrated: 0004 takes the touchpoints that sit on their
# contact's account, and were not tied by a domain, as following their contact.
upgraded=${dbs[2]}
for f in "${migrations[@]}"; do
  version=$(basename "$f")
  ((10#${version%%_*} < 4)) || break
  psql_on "$upgraded" -1 -f "$f" >/dev/null || fail "$f failed on $upgraded"
done
psql_on "$upgraded" >/dev/null <<'SQL' || fail "cannot write a store at version 0003"
INSERT INTO accounts(name, created_at, updated_at) VALUES ('a', now(), now()), ('b', now(), now());
INSERT INTO contacts(account_id, source, external_id, created_at, updated_at) VALUES (1, 'crm', 'C-1', now(), now());
INSERT INTO touchpoint_keys(source, external_id, occurred_at) SELECT 'web', 'T-' || i, '2024-01-01T00:00:00Z' FROM generate_series(1, 4) i;
SELECT abm_ensure_touchpoint_partition('2024-01-01T00:00:00Z');
INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, source, external_id, channel, activity, occurred_at, account_via_domain)
VALUES (1, 1, 1, 'web', 'T-1', 'web', 'page_view', '2024-01-01T00:00:00Z', NULL),         -- follows its contact
       (2, 1, 1, 'web', 'T-2', 'web', 'page_view', '2024-01-01T00:00:00Z', 'a.com'),      -- tied by a domain
       (3, 2, 1, 'web', 'T-3', 'web', 'page_view', '2024-01-01T00:00:00Z', NULL),         -- another account
       (4, 1, NULL, 'web', 'T-4', 'web', 'page_view', '2024-01-01T00:00:00Z', NULL);      -- no contact
SQL
for f in "${migrations[@]}"; do
  version=$(basename "$f")
  ((10#${version%%_*} < 4)) && continue
  psql_on "$upgraded" -1 -f "$f" >/dev/null || fail "$f failed on a store written at version 0003"
done
[[ $(psql_on "$upgraded" -At -c "SELECT string_agg(external_id, ',' ORDER BY external_id) FROM touchpoints WHERE account_via_contact") == T-1 ]] \
  || fail "0004 did not take exactly the touchpoints on their contact's account, not tied by a domain, as following it"
echo "schema_check: a store written at 0003 migrates, and 0004 fills account_via_contact"

# 2. The same contract as SQLite: load SQLite's catalog into temporary tables next to PostgreSQL's.
sqlite_db="$work/sqlite.db"
for f in "${sqlite_migrations[@]}"; do sqlite3 -bail "$sqlite_db" <"$f" || fail "SQLite migration $f failed"; done
sqlite_rows() { sqlite3 -bail -separator '|' "$sqlite_db" "$1"; }
{
  echo "CREATE TEMP TABLE sqlite_columns(tbl text, pos int, col text, not_null int, type text, pk int);"
  echo "COPY sqlite_columns FROM STDIN WITH (FORMAT csv, DELIMITER '|');"
  sqlite_rows "SELECT m.name, p.cid, p.name, p.\"notnull\", upper(p.type), p.pk FROM sqlite_master m, pragma_table_info(m.name) p
               WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
  echo '\.'
  echo "CREATE TEMP TABLE sqlite_indexes(tbl text, name text, cols text, partial int);"
  echo "COPY sqlite_indexes FROM STDIN WITH (FORMAT csv, DELIMITER '|');"
  sqlite_rows "SELECT m.tbl_name, m.name, (SELECT group_concat(coalesce(x.name, '<expr>'), ',') FROM
                 (SELECT name FROM pragma_index_xinfo(m.name) WHERE key ORDER BY seqno) x),
                 (SELECT l.partial FROM pragma_index_list(m.tbl_name) l WHERE l.name = m.name)
               FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.name"
  echo '\.'
  echo "CREATE TEMP TABLE sqlite_uniques(tbl text, cols text);"
  echo "COPY sqlite_uniques FROM STDIN WITH (FORMAT csv, DELIMITER '|');"
  sqlite_rows "SELECT m.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno))
               FROM sqlite_master m, pragma_index_list(m.name) l WHERE m.type = 'table' AND l.origin IN ('u', 'pk')
               UNION SELECT m.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info(m.name)
                                     WHERE pk > 0 ORDER BY pk))
               FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE pk > 0)"
  echo '\.'
  echo "CREATE TEMP TABLE sqlite_triggers(tbl text, name text);"
  echo "COPY sqlite_triggers FROM STDIN WITH (FORMAT csv, DELIMITER '|');"
  sqlite_rows "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
  echo '\.'
  cat "$here/schema_parity.sql"
} >"$work/parity.sql"
psql_on "${dbs[1]}" -f "$work/parity.sql" || fail "the PostgreSQL schema differs from the SQLite one (see above)"

# 3. Sample rows, constraints, triggers and partitions.
psql_on "${dbs[0]}" -f "$here/schema_check.sql" || fail "schema_check.sql failed on ${dbs[0]}"

# 4. Concurrent sessions, on the other database.
db=${dbs[1]}
# 4a. Two sessions make the same twelve month partitions at once: one makes each, both succeed.
for s in 1 2; do
  psql_on "$db" -At -c "SELECT abm_ensure_touchpoint_partition(m) FROM generate_series(timestamptz '2030-01-15T00:00:00Z',
                        timestamptz '2030-12-15T00:00:00Z', interval '1 month') m" >"$work/ensure_$s.out" 2>&1 &
  pids[s]=$!
done
for s in 1 2; do wait "${pids[$s]}" || { cat "$work/ensure_$s.out" >&2; fail "session $s could not make the 2030 partitions"; }; done
psql_on "$db" -c "SELECT 1 / (count(*) = 12)::int FROM pg_inherits WHERE inhparent = 'touchpoints'::regclass
                      AND inhrelid::regclass::text LIKE 'touchpoints_y2030m%'" >/dev/null \
  || fail "two sessions making the same months did not end with exactly twelve 2030 partitions"

# 4b. Two sessions write the same 200 touchpoints at once, each into its own year (whose months have
# no partitions yet), one from the first key up and the other from the last key down, each write its
# own transaction: the keys collide, the months are made by whichever session comes first, and every
# touchpoint moves between the two years' partitions as the sessions overwrite each other.
upserts() {  # upserts SESSION YEAR FIRST LAST STEP
  local s=$1 year=$2 i
  echo "SET synchronous_commit = off;"  # hundreds of one-row transactions; durability is not tested here
  for ((i = $3; i != $5 + $4; i += $5)); do
    echo "SELECT abm_upsert_touchpoint($s, NULL, NULL, 'race', 'R-$(printf %03d "$i")', 'web', 's$s',
            timestamptz '$year-01-01T00:00:00Z' + $((i % 12)) * interval '1 month' + $i * interval '1 minute',
            $s, '{\"session\": $s}', NULL, false);"
  done
}
race() {  # race LABEL: runs $work/race_1.sql and $work/race_2.sql at once
  for s in 1 2; do
    psql_on "$db" -At -f "$work/race_$s.sql" >"$work/race_$s.out" 2>&1 &
    pids[s]=$!
  done
  for s in 1 2; do wait "${pids[$s]}" || { cat "$work/race_$s.out" >&2; fail "$1: session $s failed"; }; done
}
check_race() {  # check_race LABEL
  # Rows that waited in the default partition (a session could not make their month without
  # waiting) move to their months now.
  psql_on "$db" -At -c "SELECT abm_drain_touchpoints_default()" >/dev/null || fail "$1: cannot make the partitions of waiting rows"
  psql_on "$db" <<'SQL' || fail "$1: the touchpoints written by two sessions at once are not consistent (see above)"
DO $$
DECLARE
  n bigint;
BEGIN
  IF (SELECT count(*) FROM touchpoint_keys WHERE source = 'race') <> 200 THEN
    RAISE EXCEPTION 'expected 200 touchpoint keys, found %', (SELECT count(*) FROM touchpoint_keys WHERE source = 'race');
  END IF;
  IF (SELECT count(*) FROM touchpoints WHERE source = 'race') <> 200 THEN
    RAISE EXCEPTION 'expected 200 touchpoint rows, found %', (SELECT count(*) FROM touchpoints WHERE source = 'race');
  END IF;
  IF (SELECT count(DISTINCT touchpoint_id) FROM touchpoints WHERE source = 'race') <> 200 THEN
    RAISE EXCEPTION 'two touchpoints share an id';
  END IF;
  SELECT count(*) INTO n FROM touchpoints t JOIN touchpoint_keys k USING (touchpoint_id)
    WHERE t.source = 'race' AND (t.occurred_at <> k.occurred_at OR t.external_id <> k.external_id);
  IF n > 0 THEN
    RAISE EXCEPTION '% touchpoints disagree with their key', n;
  END IF;
  -- Each row is wholly one session's write: its account, activity, quantity, properties and year agree.
  SELECT count(*) INTO n FROM touchpoints WHERE source = 'race'
    AND NOT (activity = 's' || account_id AND quantity = account_id AND (properties ->> 'session')::bigint = account_id
             AND extract(year FROM occurred_at AT TIME ZONE 'UTC') = 2040 + account_id);
  IF n > 0 THEN
    RAISE EXCEPTION '% touchpoints mix the two sessions'' writes', n;
  END IF;
  SELECT count(*) INTO n FROM touchpoints t WHERE t.source = 'race'
    AND t.tableoid::regclass::text <> abm_touchpoint_partition_name(t.occurred_at);
  IF n > 0 THEN
    RAISE EXCEPTION '% touchpoints are not in their month''s partition', n;
  END IF;
  IF EXISTS (SELECT 1 FROM touchpoints_default) THEN
    RAISE EXCEPTION 'rows are left in the default partition';
  END IF;
END
$$;
SQL
}
upserts 1 2041 1 200 1 >"$work/race_1.sql"
upserts 2 2042 200 1 -1 >"$work/race_2.sql"
race "one touchpoint per transaction"
check_race "one touchpoint per transaction"
# 4c. The same in transactions of 20 touchpoints, keys in ascending order in both sessions (as a
# writer should take them, so that two never wait for each other's keys), the months made ahead.
batches() {  # batches SESSION YEAR: the blocks of 20 keys, session 2 from the last block down
  local s=$1 year=$2 b first
  for ((b = 0; b < 10; ++b)); do
    first=$((b * 20 + 1))
    [[ $s == 2 ]] && first=$((181 - b * 20))
    echo "BEGIN;"
    upserts "$s" "$year" "$first" $((first + 19)) 1
    echo "COMMIT;"
  done
}
batches 1 2041 >"$work/race_1.sql"
batches 2 2042 >"$work/race_2.sql"
race "transactions of 20 touchpoints"
check_race "transactions of 20 touchpoints"
# 4d. The same batches staged and merged by abm_merge_touchpoints; the months exist, made ahead as a
# writer should (a transaction that makes a partition holds touchpoints_default until it ends).
merges() {  # merges SESSION YEAR
  local s=$1 year=$2 b first
  echo "SET synchronous_commit = off;"
  echo "CREATE TEMP TABLE touchpoints_staged AS SELECT account_id, contact_id, campaign_id, source, external_id, channel,
          activity, occurred_at, quantity, properties, account_via_domain, account_via_contact FROM touchpoints WITH NO DATA;"
  for ((b = 0; b < 10; ++b)); do
    first=$((b * 20 + 1))
    [[ $s == 2 ]] && first=$((181 - b * 20))
    echo "BEGIN;"
    echo "TRUNCATE touchpoints_staged;"
    echo "INSERT INTO touchpoints_staged SELECT $s, NULL, NULL, 'race', 'R-' || lpad(i::text, 3, '0'), 'web', 's$s',
            timestamptz '$year-01-01T00:00:00Z' + (i % 12) * interval '1 month' + i * interval '1 minute', $s,
            '{\"session\": $s}', NULL, false FROM generate_series($first, $((first + 19))) i;"
    echo "SELECT 1 / (abm_merge_touchpoints('touchpoints_staged') = 20)::int;"
    echo "COMMIT;"
  done
}
merges 1 2041 >"$work/race_1.sql"
merges 2 2042 >"$work/race_2.sql"
race "merged batches of 20 touchpoints"
check_race "merged batches of 20 touchpoints"
echo "schema_check: two sessions writing the same touchpoints and making the same months at once stay consistent"

# 4e. A writer needing a new month while a reader has touchpoints open does not wait for the reader:
# the partition cannot be attached at once, so the row goes to the default partition, and moves to
# its month when the partition is made after the reader is done. (lock_timeout only turns a wait, a
# failure of this check, into an error instead of a hang.)
coproc READER { psql_on "$db" -At 2>&1; }
reader_in=${READER[1]} reader_out=${READER[0]}
printf '%s\n' "BEGIN;" "SELECT count(*) FROM touchpoints;" "\\echo READING" >&"$reader_in"
line=
while [[ $line != READING ]]; do read -r -u "$reader_out" line || fail "the reading session ended early"; done
psql_on "$db" -At -c "SET lock_timeout = '10s'" -c "SELECT abm_upsert_touchpoint(NULL, NULL, NULL, 'hold', 'H-1', 'web',
  'page_view', '2050-01-10T00:00:00Z', NULL, NULL, NULL, false)" >/dev/null \
  || fail "a writer needing a new month waited for a reader"
psql_on "$db" -At -c "SELECT 1 / (tableoid = 'touchpoints_default'::regclass)::int FROM touchpoints WHERE external_id = 'H-1'" \
  >/dev/null || fail "the row of a month that could not be made at once is not in the default partition"
printf '%s\n' "COMMIT;" "\\q" >&"$reader_in"
wait "$READER_PID" || fail "the reading session failed"
psql_on "$db" -At -c "SELECT abm_ensure_touchpoint_partition('2050-01-01T00:00:00Z')" >/dev/null || fail "cannot make January 2050"
psql_on "$db" -At -c "SELECT 1 / (tableoid = 'touchpoints_y2050m01'::regclass)::int FROM touchpoints WHERE external_id = 'H-1'" \
  >/dev/null || fail "the waiting row did not move to its month"

# 4f. A writer that made a partition inside its open transaction holds the default partition; a second
# writer of another new month goes on once the first commits, and nothing is lost.
coproc HOLDER { psql_on "$db" -At 2>&1; }
holder_in=${HOLDER[1]} holder_out=${HOLDER[0]}
printf '%s\n' "BEGIN;" "SELECT abm_upsert_touchpoint(NULL, NULL, NULL, 'hold', 'H-2', 'web', 'page_view',
  '2050-02-10T00:00:00Z', NULL, NULL, NULL, false);" "\\echo HOLDING" >&"$holder_in"
line=
while [[ $line != HOLDING ]]; do read -r -u "$holder_out" line || fail "the holding session ended early"; done
psql_on "$db" -At -c "SELECT abm_upsert_touchpoint(NULL, NULL, NULL, 'hold', 'H-3', 'web', 'page_view',
  '2050-03-10T00:00:00Z', NULL, NULL, NULL, false)" >"$work/second.out" 2>&1 &
second=$!
printf '%s\n' "COMMIT;" "\\q" >&"$holder_in"
wait "$HOLDER_PID" || fail "the holding session failed"
wait "$second" || { cat "$work/second.out" >&2; fail "the second writer failed"; }
psql_on "$db" -At -c "SELECT abm_drain_touchpoints_default()" >/dev/null || fail "cannot make the partitions of waiting rows"
psql_on "$db" -At -c "SELECT 1 / (count(*) = 3 AND bool_and(tableoid::regclass::text = abm_touchpoint_partition_name(occurred_at)))::int
                      FROM touchpoints WHERE source = 'hold'" >/dev/null \
  || fail "after both writers committed, their rows are not all in their months' partitions"
echo "schema_check: writers do not wait for readers to make a month, and a month made in an open transaction holds no one forever"

# 4g. Two writes of one touchpoint, each moving it to another month, while the first is still open:
# the second waits for the first (on the touchpoint's key) and then moves the row again, by
# abm_upsert_touchpoint and by abm_merge_touchpoints alike. Without the key lock the second would
# find the row moved under it and fail.
blocked_on_lock() {  # blocked_on_lock APPLICATION_NAME: true once that session waits for a lock
  [[ $(psql_on "$db" -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
                              AND wait_event_type = 'Lock'") == 1 ]]
}
stage_sql() {  # stage_sql EXTERNAL_ID TIMESTAMP ACTIVITY: a one-row merge
  echo "CREATE TEMP TABLE IF NOT EXISTS touchpoints_staged AS SELECT account_id, contact_id, campaign_id, source,
          external_id, channel, activity, occurred_at, quantity, properties, account_via_domain, account_via_contact
          FROM touchpoints WITH NO DATA;
        TRUNCATE touchpoints_staged;
        INSERT INTO touchpoints_staged(source, external_id, channel, activity, occurred_at, account_via_contact)
          VALUES ('hold', '$1', 'web', '$3', '$2', false);
        SELECT abm_merge_touchpoints('touchpoints_staged');"
}
upsert_sql() {  # upsert_sql EXTERNAL_ID TIMESTAMP ACTIVITY
  echo "SELECT abm_upsert_touchpoint(NULL, NULL, NULL, 'hold', '$1', 'web', '$3', '$2', NULL, NULL, NULL, false);"
}
for how in upsert_sql stage_sql; do
  key="K-$how"
  psql_on "$db" -At -c "$($how "$key" 2041-03-03T00:00:00Z first)" >/dev/null || fail "$how: cannot write $key"
  coproc FIRST { psql_on "$db" -At 2>&1; }
  first_in=${FIRST[1]} first_out=${FIRST[0]}
  printf '%s\n' "BEGIN;" "$($how "$key" 2041-05-05T00:00:00Z second)" "\\echo WRITTEN" >&"$first_in"
  line=
  while [[ $line != WRITTEN ]]; do read -r -u "$first_out" line || fail "$how: the first writer ended early"; done
  PGAPPNAME=abm_schema_check_second psql_on "$db" -At -c "$($how "$key" 2041-07-07T00:00:00Z third)" \
    >"$work/third.out" 2>&1 &
  third=$!
  while kill -0 "$third" 2>/dev/null && ! blocked_on_lock abm_schema_check_second; do sleep 0.05; done
  printf '%s\n' "COMMIT;" "\\q" >&"$first_in"
  wait "$FIRST_PID" || fail "$how: the first writer failed"
  wait "$third" || { cat "$work/third.out" >&2; fail "$how: a write of a touchpoint another transaction was moving failed"; }
  psql_on "$db" -At -c "SELECT 1 / (count(*) = 1 AND bool_and(activity = 'third' AND occurred_at = '2041-07-07T00:00:00Z'
                          AND tableoid = 'touchpoints_y2041m07'::regclass))::int FROM touchpoints WHERE external_id = '$key'" \
    >/dev/null || fail "$how: the last write of $key is not the one stored"
done
echo "schema_check: a write waits for another transaction writing the same touchpoint, then applies"

status=0
echo "schema_check: all checks passed"
