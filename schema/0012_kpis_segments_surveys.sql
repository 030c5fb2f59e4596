-- What the business KPIs, target lists, saved segments and surveys need (docs/metrics.md#kpis,
-- docs/segments.md). Twin of schema/postgresql/0012_kpis_segments_surveys.sql.

-- What a source knows about an account beyond the fixed columns (technologies, hiring or ad-spend
-- signals): a JSON object that saved segments can filter on (properties.technologies contains ...).
ALTER TABLE accounts ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- When the CRM expects an open deal to close (HubSpot closedate, Salesforce CloseDate): the quarter
-- forecast counts the open deals expected to close by the quarter's end.
ALTER TABLE opportunities ADD COLUMN expected_close_at TEXT;

-- Survey answers (NPS: a score from 0 to 10), keyed by (source, external_id) like every record.
CREATE TABLE survey_responses (
  response_id  INTEGER PRIMARY KEY,
  account_id   INTEGER,
  contact_id   INTEGER,
  source       TEXT NOT NULL,
  external_id  TEXT NOT NULL,
  score        INTEGER NOT NULL CHECK (score >= 0 AND score <= 10),
  comment      TEXT,
  responded_at TEXT NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX survey_responses_by_account ON survey_responses(account_id);
CREATE INDEX survey_responses_by_time ON survey_responses(responded_at);

-- A saved segment: a name and a filter over account, stage, engagement and contact fields
-- (docs/segments.md). KPIs are cut by every saved segment as segment:<name>.
CREATE TABLE segments (
  name       TEXT PRIMARY KEY,
  filter     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Account lists imported from files (abmctl lists import). A target list makes its accounts targets
-- in every KPI; a list with a tier gives that tier to its accounts that have none from their source.
CREATE TABLE account_lists (
  list_id     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  is_target   INTEGER NOT NULL DEFAULT 0 CHECK (is_target = 0 OR is_target = 1),
  tier        TEXT,
  imported_at TEXT NOT NULL
);
CREATE TABLE account_list_members (
  list_id    INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  matched_by TEXT NOT NULL CHECK (matched_by = 'domain' OR matched_by = 'name'),
  PRIMARY KEY (list_id, account_id)
);
CREATE INDEX account_list_members_by_account ON account_list_members(account_id);

-- Whether an account counts as a target, and its tier, for the KPIs and segments: a target is
-- flagged so by its source or is on a target list; the tier is the source's, else that of the most
-- recently imported list with one.
CREATE VIEW account_targeting AS
  SELECT a.account_id,
         CASE WHEN a.is_target = 1 OR EXISTS (
                SELECT 1 FROM account_list_members m JOIN account_lists l ON l.list_id = m.list_id
                WHERE m.account_id = a.account_id AND l.is_target = 1) THEN 1 ELSE 0 END AS is_target,
         COALESCE(a.tier, (
                SELECT l.tier FROM account_list_members m JOIN account_lists l ON l.list_id = m.list_id
                WHERE m.account_id = a.account_id AND l.tier IS NOT NULL
                ORDER BY l.imported_at DESC, l.list_id DESC LIMIT 1)) AS tier
  FROM accounts a;

-- The business KPIs of the last metrics run: one row per (period, segment, metric). value is NULL
-- when its denominator is empty (docs/metrics.md#kpis).
CREATE TABLE kpis (
  as_of        TEXT NOT NULL,
  period       TEXT NOT NULL,      -- last_90d | last_365d | qtd | YYYY-MM
  period_start TEXT NOT NULL,
  period_end   TEXT NOT NULL,      -- exclusive
  segment      TEXT NOT NULL,      -- all | target | non_target | tier:<tier> | segment:<name>
  metric       TEXT NOT NULL,
  value        REAL,
  PRIMARY KEY (period, segment, metric)
);

-- Per campaign and period, and one row per channel with campaign_id NULL (docs/metrics.md#campaign-performance).
CREATE TABLE campaign_performance (
  as_of               TEXT NOT NULL,
  period              TEXT NOT NULL,
  campaign_id         INTEGER,
  channel             TEXT,
  spend               REAL NOT NULL,
  impressions         INTEGER NOT NULL,
  clicks              INTEGER NOT NULL,
  ctr                 REAL,
  cpc                 REAL,
  cpm                 REAL,
  accounts_reached    INTEGER NOT NULL,
  accounts_engaged    INTEGER NOT NULL,
  influenced_pipeline REAL NOT NULL,
  sourced_pipeline    REAL NOT NULL,
  attributed_pipeline REAL NOT NULL,
  attributed_revenue  REAL NOT NULL,
  roas                REAL,
  roi                 REAL,
  cac                 REAL
);
CREATE INDEX campaign_performance_by_period ON campaign_performance(period, campaign_id);
