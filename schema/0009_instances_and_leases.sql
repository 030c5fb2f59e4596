-- Several daemons on one store (issue 12). Every running abmd (and every abmctl sync) registers as
-- an instance and heartbeats; work that must run in one place at a time (a connector's sync) is
-- taken with a lease row its holder renews. All times are written from the store's own clock, so
-- machines whose clocks differ still agree on what has expired.
CREATE TABLE instances (
  instance_id  TEXT PRIMARY KEY,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  version      TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);

-- resource: "connector:<name>" (later also "metrics:<shard>"); holder: an instance_id. A lease whose
-- expires_at has passed is free to take; until someone takes it the row stays as it was.
CREATE TABLE leases (
  resource    TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  renewed_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);
CREATE INDEX leases_by_holder ON leases(holder);

-- Which instance ran the run (NULL for runs from before this migration).
ALTER TABLE sync_runs ADD COLUMN instance_id TEXT;
