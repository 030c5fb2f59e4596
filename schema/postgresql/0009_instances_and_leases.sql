-- Twin of schema/0009_instances_and_leases.sql. Several daemons on one store (issue 12): every
-- running abmd (and every abmctl sync) registers as an instance and heartbeats; work that must run
-- in one place at a time (a connector's sync) is taken with a lease row its holder renews. All times
-- are written from the store's own clock (now()), so machines whose clocks differ still agree on
-- what has expired.
CREATE TABLE instances (
  instance_id  text COLLATE "C" PRIMARY KEY,
  host         text COLLATE "C" NOT NULL,
  pid          bigint NOT NULL,
  version      text COLLATE "C" NOT NULL,
  started_at   timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);

-- resource: 'connector:<name>' (later also 'metrics:<shard>'); holder: an instance_id. A lease whose
-- expires_at has passed is free to take; until someone takes it the row stays as it was.
CREATE TABLE leases (
  resource    text COLLATE "C" PRIMARY KEY,
  holder      text COLLATE "C" NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX leases_by_holder ON leases(holder);

-- Which instance ran the run (NULL for runs from before this migration).
ALTER TABLE sync_runs ADD COLUMN instance_id text COLLATE "C";
