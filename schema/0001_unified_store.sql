-- The unified account/touchpoint store: the public contract other tools read (docs/store.md).
-- Timestamps are ISO-8601 UTC text, booleans 0/1, money REAL. Every source record is keyed by
-- (source, external_id); re-syncing a record updates its row in place.
-- CHECKs are written as OR chains: an IN list costs SQLite an ephemeral index on every insert.

CREATE TABLE accounts (
  account_id     INTEGER PRIMARY KEY,
  name           TEXT,
  domain         TEXT,             -- normalized: lowercase, no scheme, www., port or path
  registrable_domain TEXT,         -- domain cut to its registrable part (eu.acme.com -> acme.com): what matches
  industry       TEXT,
  employee_count INTEGER,
  annual_revenue REAL,
  country        TEXT,
  is_target      INTEGER NOT NULL DEFAULT 0 CHECK (is_target = 0 OR is_target = 1),
  tier           TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX accounts_by_registrable_domain ON accounts(registrable_domain);

-- Which source record maps to which account; several sources may point at one account.
CREATE TABLE account_identities (
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  account_id  INTEGER NOT NULL,
  PRIMARY KEY (source, external_id)
) WITHOUT ROWID;
CREATE INDEX account_identities_by_account ON account_identities(account_id);

-- Audit of source records that joined an existing account rather than creating one: which record,
-- which rule, on what value.
CREATE TABLE account_merges (
  merge_id      INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL,
  source        TEXT NOT NULL,
  external_id   TEXT NOT NULL,
  rule          TEXT NOT NULL,     -- registrable_domain
  matched_value TEXT NOT NULL,
  merged_at     TEXT NOT NULL
);
CREATE INDEX account_merges_by_account ON account_merges(account_id);

CREATE TABLE contacts (
  contact_id  INTEGER PRIMARY KEY,
  account_id  INTEGER,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  email       TEXT,                -- lowercase
  first_name  TEXT,
  last_name   TEXT,
  title       TEXT,
  buying_role TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX contacts_by_email ON contacts(email);
CREATE INDEX contacts_by_account ON contacts(account_id);

CREATE TABLE opportunities (
  opportunity_id INTEGER PRIMARY KEY,
  account_id     INTEGER,
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  name           TEXT,
  stage          TEXT,
  type           TEXT CHECK (type = 'new_business' OR type = 'expansion' OR type = 'renewal'),
  amount         REAL,
  currency       TEXT,
  probability    REAL,
  is_closed      INTEGER NOT NULL DEFAULT 0 CHECK (is_closed = 0 OR is_closed = 1),
  is_won         INTEGER NOT NULL DEFAULT 0 CHECK (is_won = 0 OR is_won = 1),
  created_at     TEXT NOT NULL,
  closed_at      TEXT,
  updated_at     TEXT NOT NULL,
  UNIQUE (source, external_id)
);
CREATE INDEX opportunities_by_account ON opportunities(account_id);

CREATE TABLE campaigns (
  campaign_id INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  name        TEXT,
  channel     TEXT CHECK (channel = 'email' OR channel = 'ads' OR channel = 'web' OR channel = 'social' OR channel = 'event' OR channel = 'sales' OR channel = 'other'),
  started_at  TEXT,
  ended_at    TEXT,
  UNIQUE (source, external_id)
);

CREATE TABLE touchpoints (
  touchpoint_id INTEGER PRIMARY KEY,
  account_id    INTEGER,
  contact_id    INTEGER,
  campaign_id   INTEGER,
  source        TEXT NOT NULL,
  external_id   TEXT NOT NULL,
  channel       TEXT NOT NULL CHECK (channel = 'email' OR channel = 'ads' OR channel = 'web' OR channel = 'social' OR channel = 'event' OR channel = 'sales' OR channel = 'other'),
  activity      TEXT NOT NULL,
  occurred_at   TEXT NOT NULL,
  quantity      REAL NOT NULL DEFAULT 1,
  properties    TEXT NOT NULL DEFAULT '{}',   -- a JSON object
  UNIQUE (source, external_id)
);

-- One row per (source, campaign, day). campaign_external_id keeps the row's identity even before
-- its campaign has arrived; campaign_id is filled in once it has.
CREATE TABLE ad_spend (
  source               TEXT NOT NULL,
  campaign_external_id TEXT NOT NULL,
  campaign_id          INTEGER,
  date                 TEXT NOT NULL,          -- YYYY-MM-DD
  impressions          INTEGER NOT NULL DEFAULT 0,
  clicks               INTEGER NOT NULL DEFAULT 0,
  cost                 REAL NOT NULL DEFAULT 0,
  currency             TEXT,
  PRIMARY KEY (source, campaign_external_id, date)
);

-- A connector's checkpoint per stream, committed in the same transaction as the records it covers.
CREATE TABLE sync_state (
  connector  TEXT NOT NULL,
  stream     TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (connector, stream)
) WITHOUT ROWID;

CREATE TABLE sync_runs (
  run_id       INTEGER PRIMARY KEY,
  connector    TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  status       TEXT NOT NULL CHECK (status = 'running' OR status = 'succeeded' OR status = 'failed' OR status = 'retry' OR status = 'interrupted' OR status = 'rate_limited'),
  records      INTEGER NOT NULL DEFAULT 0,
  rejected     INTEGER NOT NULL DEFAULT 0,
  full_refresh INTEGER NOT NULL DEFAULT 0,
  error        TEXT
);
CREATE INDEX sync_runs_by_connector ON sync_runs(connector, run_id);

-- Source rows that could not be stored, kept so nothing is silently lost.
CREATE TABLE rejected_records (
  run_id      INTEGER NOT NULL,
  connector   TEXT NOT NULL,
  stream      TEXT NOT NULL,
  origin      TEXT,
  reason      TEXT NOT NULL,
  data        TEXT,
  rejected_at TEXT NOT NULL
);
CREATE INDEX rejected_records_by_run ON rejected_records(run_id);

-- References that could not be resolved yet (the account or contact has not arrived). Each sync ends
-- by retrying them; a resolved link is deleted. ref_kind: external_id | domain | email | contact.
CREATE TABLE pending_links (
  entity   TEXT NOT NULL,    -- contacts | opportunities | touchpoints | ad_spend
  row_id   INTEGER NOT NULL,
  field    TEXT NOT NULL,    -- account_id | contact_id | campaign_id
  ref_kind TEXT NOT NULL,
  source   TEXT NOT NULL,
  ref      TEXT NOT NULL,
  PRIMARY KEY (entity, row_id, field, ref_kind)
) WITHOUT ROWID;
