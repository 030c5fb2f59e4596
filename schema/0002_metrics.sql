-- The metrics stage's outputs (docs/metrics.md). Every table is rewritten by each metrics run from
-- the store and as_of; readers see one run's results at a time (one transaction).

-- Touchpoints of an account in time order, covering every column the metrics stage reads, so that
-- its scan never leaves the index (2.6x faster than looking each row up in the table).
CREATE INDEX touchpoints_by_account
  ON touchpoints(account_id, occurred_at, touchpoint_id, activity, channel, quantity, contact_id, campaign_id);

-- One row per touch of each attributed conversion's path, one share column per rule-based model.
CREATE TABLE attribution_touches (
  conversion     TEXT NOT NULL CHECK (conversion = 'pipeline' OR conversion = 'revenue'),
  account_id     INTEGER NOT NULL,
  opportunity_id INTEGER NOT NULL,
  touchpoint_id  INTEGER NOT NULL,
  campaign_id    INTEGER,
  channel        TEXT NOT NULL,
  occurred_at    TEXT NOT NULL,
  first_touch    REAL NOT NULL,
  last_touch     REAL NOT NULL,
  linear         REAL NOT NULL,
  time_decay     REAL NOT NULL,
  position_based REAL NOT NULL,
  u_shaped       REAL NOT NULL,
  w_shaped       REAL NOT NULL,
  full_path      REAL NOT NULL,
  j_shaped       REAL NOT NULL,
  inverse_j      REAL NOT NULL,
  amount         REAL NOT NULL    -- the conversion's value: the opportunity's amount
);
CREATE INDEX attribution_touches_by_opportunity ON attribution_touches(opportunity_id, conversion);
CREATE INDEX attribution_touches_by_account ON attribution_touches(account_id);

-- The same credits in long form for BI tools: value = credit × the conversion's amount.
CREATE VIEW attribution_credits AS
  SELECT 'first_touch' AS model, t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.first_touch AS credit, t.first_touch * t.amount AS value FROM attribution_touches t
  UNION ALL SELECT 'last_touch', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.last_touch, t.last_touch * t.amount FROM attribution_touches t
  UNION ALL SELECT 'linear', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.linear, t.linear * t.amount FROM attribution_touches t
  UNION ALL SELECT 'time_decay', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.time_decay, t.time_decay * t.amount FROM attribution_touches t
  UNION ALL SELECT 'position_based', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.position_based, t.position_based * t.amount FROM attribution_touches t
  UNION ALL SELECT 'u_shaped', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.u_shaped, t.u_shaped * t.amount FROM attribution_touches t
  UNION ALL SELECT 'w_shaped', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.w_shaped, t.w_shaped * t.amount FROM attribution_touches t
  UNION ALL SELECT 'full_path', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.full_path, t.full_path * t.amount FROM attribution_touches t
  UNION ALL SELECT 'j_shaped', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.j_shaped, t.j_shaped * t.amount FROM attribution_touches t
  UNION ALL SELECT 'inverse_j', t.conversion, t.opportunity_id, t.touchpoint_id, t.campaign_id, t.channel,
         t.inverse_j, t.inverse_j * t.amount FROM attribution_touches t;

CREATE TABLE attribution_channels (
  model       TEXT NOT NULL,
  conversion  TEXT NOT NULL,
  channel     TEXT NOT NULL,
  conversions REAL NOT NULL,
  value       REAL NOT NULL,
  PRIMARY KEY (model, conversion, channel)
);

-- campaign_id NULL collects the credit of touches that belong to no campaign.
CREATE TABLE attribution_campaigns (
  model       TEXT NOT NULL,
  conversion  TEXT NOT NULL,
  campaign_id INTEGER,
  conversions REAL NOT NULL,
  value       REAL NOT NULL
);
CREATE INDEX attribution_campaigns_by_model ON attribution_campaigns(model, conversion);

-- How many conversions there were, and how many had an empty path (unattributed).
CREATE TABLE attribution_conversions (
  conversion       TEXT PRIMARY KEY,
  conversions      INTEGER NOT NULL,
  attributed       INTEGER NOT NULL,
  unattributed     INTEGER NOT NULL,
  value            REAL NOT NULL,
  attributed_value REAL NOT NULL
);

CREATE TABLE account_engagement (
  account_id        INTEGER PRIMARY KEY,
  as_of             TEXT NOT NULL,
  score             REAL NOT NULL,
  touchpoints       INTEGER NOT NULL,
  engaged_contacts  INTEGER NOT NULL,
  channels          INTEGER NOT NULL,
  score_prev_window REAL NOT NULL
);

CREATE TABLE account_stage_history (
  account_id INTEGER NOT NULL,
  stage      TEXT NOT NULL,
  entered_at TEXT NOT NULL,
  exited_at  TEXT              -- NULL for the stage the account is in as of as_of
);
CREATE INDEX account_stage_history_by_account ON account_stage_history(account_id, entered_at);

CREATE TABLE account_stages (
  account_id INTEGER PRIMARY KEY,
  stage      TEXT NOT NULL,
  since      TEXT NOT NULL
);

CREATE TABLE journey_funnel (
  stage                 TEXT PRIMARY KEY,
  position              INTEGER NOT NULL,
  accounts_entered      INTEGER NOT NULL,
  accounts_reached_next INTEGER NOT NULL,
  conversion_rate       REAL,
  median_days_to_next   REAL
);

CREATE TABLE metrics_runs (
  run_id              INTEGER PRIMARY KEY,
  as_of               TEXT NOT NULL,
  started_at          TEXT NOT NULL,
  finished_at         TEXT NOT NULL,
  mode                TEXT NOT NULL CHECK (mode = 'full' OR mode = 'incremental'),
  settings            TEXT NOT NULL,     -- the settings the results were computed with
  accounts            INTEGER NOT NULL,
  accounts_recomputed INTEGER NOT NULL,
  touchpoints         INTEGER NOT NULL,  -- touchpoints read
  conversions         INTEGER NOT NULL,
  unattributed        INTEGER NOT NULL,
  seconds             REAL NOT NULL
);

-- What an incremental run needs (operational; readers can ignore these).
-- Accounts whose data changed since the last metrics run: the store writer adds every account it
-- writes a record of; the triggers add the accounts a record moved away from or was tied to later.
CREATE TABLE metrics_dirty_accounts (account_id INTEGER PRIMARY KEY);
CREATE TRIGGER touchpoints_account_moved AFTER UPDATE OF account_id ON touchpoints
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL;
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL;
  END;
CREATE TRIGGER contacts_account_moved AFTER UPDATE OF account_id ON contacts
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL;
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL;
  END;
CREATE TRIGGER opportunities_account_moved AFTER UPDATE OF account_id ON opportunities
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL;
    INSERT OR IGNORE INTO metrics_dirty_accounts SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL;
  END;
-- Each account's channel paths for the Markov and Shapley models, kept between runs.
CREATE TABLE metrics_account_paths (
  account_id  INTEGER NOT NULL,
  conversion  TEXT NOT NULL,
  channels    TEXT NOT NULL,   -- e.g. web>email>web
  conversions REAL NOT NULL,
  value       REAL NOT NULL,
  nulls       REAL NOT NULL
);
CREATE INDEX metrics_account_paths_by_account ON metrics_account_paths(account_id);
-- Each account's latest touchpoint as of the last run that computed it.
CREATE TABLE metrics_account_state (account_id INTEGER PRIMARY KEY, last_touch_at TEXT);
