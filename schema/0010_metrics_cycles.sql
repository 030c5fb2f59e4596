-- The metrics stage split over the instances sharing a store (docs/metrics.md#sharded-runs).
-- A cycle is one computation of every metric as of one time. Its accounts are split into shards by
-- account_id % shards; each shard is computed by whichever instance leases it ("metrics/<cycle>/<shard>"
-- in leases) and written in one transaction, and the instance that writes the last shard rebuilds
-- the global results and records the run in metrics_runs. Times come from the store's clock.
CREATE TABLE metrics_cycles (
  cycle_id       INTEGER PRIMARY KEY,
  as_of          TEXT NOT NULL,
  settings       TEXT NOT NULL,   -- settingsText(): an instance with other settings does not join
  mode           TEXT NOT NULL CHECK (mode = 'full' OR mode = 'incremental'),
  previous_as_of TEXT,            -- the as_of of the run an incremental cycle builds on
  shards         INTEGER NOT NULL,
  opened_by      TEXT NOT NULL,   -- instance_id
  opened_at      TEXT NOT NULL,
  finished_by    TEXT,            -- the instance that wrote the last shard
  finished_at    TEXT             -- NULL while the cycle is open; at most one cycle is open
);
CREATE INDEX metrics_cycles_by_finished ON metrics_cycles(finished_at);

-- One row per shard of a cycle, made when the cycle opens; done_at stays NULL until its results are
-- written. The counts add up to the cycle's row in metrics_runs.
CREATE TABLE metrics_cycle_shards (
  cycle_id            INTEGER NOT NULL,
  shard               INTEGER NOT NULL,
  done_by             TEXT,
  done_at             TEXT,
  accounts            INTEGER NOT NULL DEFAULT 0,
  accounts_recomputed INTEGER NOT NULL DEFAULT 0,
  touchpoints         INTEGER NOT NULL DEFAULT 0,
  attribution_rows    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (cycle_id, shard)
);

-- The dirty marks an incremental cycle works from, moved out of metrics_dirty_accounts when the
-- cycle opened: marks written after that stay there for the next cycle. Dropped when it finishes.
CREATE TABLE metrics_cycle_dirty (
  cycle_id   INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  PRIMARY KEY (cycle_id, account_id)
);
