-- The metrics stage's outputs (docs/metrics.md), twin of schema/0002_metrics.sql. Every table is
-- rewritten by each metrics run from the store and as_of; readers see one run's results at a time
-- (one transaction). Figures the stage computes (credits, conversions, values, scores, rates, days,
-- seconds) are double precision, as the C++ computed them; attribution_touches.amount is a copy of
-- the opportunity's amount, money, and numeric like it.

-- Touchpoints of an account in time order, covering every column the metrics stage reads, so that
-- its scan never leaves the index. The columns after the sort key ride along as INCLUDE columns.
CREATE INDEX touchpoints_by_account
  ON touchpoints(account_id, occurred_at, touchpoint_id) INCLUDE (activity, channel, quantity, contact_id, campaign_id);

-- One row per touch of each attributed conversion's path, one share column per rule-based model.
-- rowid on the metric tables: the order rows were written in, as SQLite's rowid, which the
-- metrics stage reads them back in (sums come out the same to the last bit).
CREATE TABLE attribution_touches (
  conversion     text COLLATE "C" NOT NULL CHECK (conversion IN ('pipeline', 'revenue')),
  account_id     bigint NOT NULL,
  opportunity_id bigint NOT NULL,
  touchpoint_id  bigint NOT NULL,
  campaign_id    bigint,
  channel        text COLLATE "C" NOT NULL,
  occurred_at    timestamptz NOT NULL,
  first_touch    double precision NOT NULL,
  last_touch     double precision NOT NULL,
  linear         double precision NOT NULL,
  time_decay     double precision NOT NULL,
  position_based double precision NOT NULL,
  u_shaped       double precision NOT NULL,
  w_shaped       double precision NOT NULL,
  full_path      double precision NOT NULL,
  j_shaped       double precision NOT NULL,
  inverse_j      double precision NOT NULL,
  amount         numeric NOT NULL,  -- the conversion's value: the opportunity's amount
  rowid          bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX attribution_touches_by_opportunity ON attribution_touches(opportunity_id, conversion);
CREATE INDEX attribution_touches_by_account ON attribution_touches(account_id, rowid);

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
  model       text COLLATE "C" NOT NULL,
  conversion  text COLLATE "C" NOT NULL,
  channel     text COLLATE "C" NOT NULL,
  conversions double precision NOT NULL,
  value       double precision NOT NULL,
  PRIMARY KEY (model, conversion, channel)
);

-- campaign_id NULL collects the credit of touches that belong to no campaign.
CREATE TABLE attribution_campaigns (
  model       text COLLATE "C" NOT NULL,
  conversion  text COLLATE "C" NOT NULL,
  campaign_id bigint,
  conversions double precision NOT NULL,
  value       double precision NOT NULL
);
CREATE INDEX attribution_campaigns_by_model ON attribution_campaigns(model, conversion);

-- How many conversions there were, and how many had an empty path (unattributed).
CREATE TABLE attribution_conversions (
  conversion       text COLLATE "C" PRIMARY KEY,
  conversions      bigint NOT NULL,
  attributed       bigint NOT NULL,
  unattributed     bigint NOT NULL,
  value            double precision NOT NULL,
  attributed_value double precision NOT NULL
);

CREATE TABLE account_engagement (
  account_id        bigint PRIMARY KEY,
  as_of             timestamptz NOT NULL,
  score             double precision NOT NULL,
  touchpoints       bigint NOT NULL,
  engaged_contacts  bigint NOT NULL,
  channels          bigint NOT NULL,
  score_prev_window double precision NOT NULL
);

CREATE TABLE account_stage_history (
  account_id bigint NOT NULL,
  stage      text COLLATE "C" NOT NULL,
  entered_at timestamptz NOT NULL,
  exited_at  timestamptz,  -- NULL for the stage the account is in as of as_of
  rowid      bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX account_stage_history_by_account ON account_stage_history(account_id, entered_at);

CREATE TABLE account_stages (
  account_id bigint PRIMARY KEY,
  stage      text COLLATE "C" NOT NULL,
  since      timestamptz NOT NULL
);

CREATE TABLE journey_funnel (
  stage                 text COLLATE "C" PRIMARY KEY,
  position              bigint NOT NULL,
  accounts_entered      bigint NOT NULL,
  accounts_reached_next bigint NOT NULL,
  conversion_rate       double precision,
  median_days_to_next   double precision
);

-- settings stays text: a run compares it as text with the settings it is about to use.
CREATE TABLE metrics_runs (
  run_id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  as_of               timestamptz NOT NULL,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz NOT NULL,
  mode                text COLLATE "C" NOT NULL CHECK (mode IN ('full', 'incremental')),
  settings            text COLLATE "C" NOT NULL,     -- the settings the results were computed with
  accounts            bigint NOT NULL,
  accounts_recomputed bigint NOT NULL,
  touchpoints         bigint NOT NULL,  -- touchpoints read
  conversions         bigint NOT NULL,
  unattributed        bigint NOT NULL,
  seconds             double precision NOT NULL
);

-- What an incremental run needs (operational; readers can ignore these).
-- Accounts whose data changed since the last metrics run: the store writer adds every account it
-- writes a record of; the triggers add the accounts a record moved away from or was tied to later.
CREATE TABLE metrics_dirty_accounts (account_id bigint PRIMARY KEY);

-- The triggers of SQLite's 0002, one function for the three tables. ON CONFLICT DO NOTHING is
-- PostgreSQL's INSERT OR IGNORE, and it holds whatever statement fired the trigger.
CREATE FUNCTION abm_account_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO metrics_dirty_accounts(account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  INSERT INTO metrics_dirty_accounts(account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;
-- BEFORE on touchpoints: an UPDATE that also moves the row to another month's partition fires no
-- AFTER UPDATE row trigger (PostgreSQL runs it as a DELETE and an INSERT), and the mark must not be lost.
CREATE TRIGGER touchpoints_account_moved BEFORE UPDATE OF account_id ON touchpoints
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_account_moved();
CREATE TRIGGER contacts_account_moved AFTER UPDATE OF account_id ON contacts
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_account_moved();
CREATE TRIGGER opportunities_account_moved AFTER UPDATE OF account_id ON opportunities
  FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION abm_account_moved();

-- Each account's channel paths for the Markov and Shapley models, kept between runs.
CREATE TABLE metrics_account_paths (
  account_id  bigint NOT NULL,
  conversion  text COLLATE "C" NOT NULL,
  channels    text COLLATE "C" NOT NULL,   -- e.g. web>email>web
  conversions double precision NOT NULL,
  value       double precision NOT NULL,
  nulls       double precision NOT NULL,
  rowid       bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX metrics_account_paths_by_account ON metrics_account_paths(account_id, rowid);
-- Each account's latest touchpoint as of the last run that computed it.
CREATE TABLE metrics_account_state (account_id bigint PRIMARY KEY, last_touch_at timestamptz);
