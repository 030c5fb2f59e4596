-- Change tracking for tools that read the store (docs/store.md#change-tracking): every entity table
-- has updated_at, the time the store last wrote a change to the row, and deleted rows are logged
-- in deleted_records, so a reader syncs incrementally by "updated_at >= last seen" plus the log.
-- Twin of schema/postgresql/0015_change_tracking.sql.
--
-- accounts, contacts and opportunities had an updated_at that held the source's modification time
-- (or when abmd wrote the row, when the source sent none); it now means what it means on every
-- other table, and the source's time moves to source_updated_at (NULL when no source sent one).
-- Times are ISO-8601 UTC text with milliseconds (2024-03-01T12:00:00.123Z), every value of the
-- same shape, so they compare correctly as text.
--
-- The triggers below move updated_at whenever a row's content changes, whoever changes it: the
-- writer, a contact's move that takes its touchpoints along, a re-tie, a deletion that unlinks.
-- An UPDATE that leaves every column as it was (a re-sync of an unchanged record) moves nothing.
-- A statement that sets updated_at itself keeps its value. A later migration that adds a column to
-- one of these tables must recreate its *_changed trigger with the new column in the list.
-- SQLite cannot add a NOT NULL column with a time default to a table that has rows: the new
-- columns' default is ''. The writer stamps every row it inserts; the *_stamped triggers stamp a
-- campaign, spend row or survey answer inserted by other means. Touchpoints have none: a trigger
-- on every insert costs the ingest path more than a tenth of its rate (bench/RESULTS.md), so a
-- touchpoint inserted by hand must give updated_at itself.

ALTER TABLE accounts ADD COLUMN source_updated_at TEXT;
ALTER TABLE contacts ADD COLUMN source_updated_at TEXT;
ALTER TABLE opportunities ADD COLUMN source_updated_at TEXT;
ALTER TABLE campaigns ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE touchpoints ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE ad_spend ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_responses ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

-- Rows already stored count as written now: a reader's first read is a full one anyway.
UPDATE accounts SET source_updated_at = updated_at, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE contacts SET source_updated_at = updated_at, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE opportunities SET source_updated_at = updated_at, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE campaigns SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE touchpoints SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE ad_spend SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
UPDATE survey_responses SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');

-- What a reader's "updated_at >= ?" reads. Not on touchpoints: maintaining it costs SQLite about a
-- seventh of the work of storing a touchpoint (bench/RESULTS.md), and a reader scans touchpoints
-- instead. (PostgreSQL, the backend for many readers, has it.)
CREATE INDEX accounts_by_updated_at ON accounts(updated_at);
CREATE INDEX contacts_by_updated_at ON contacts(updated_at);
CREATE INDEX opportunities_by_updated_at ON opportunities(updated_at);
CREATE INDEX campaigns_by_updated_at ON campaigns(updated_at);
CREATE INDEX ad_spend_by_updated_at ON ad_spend(updated_at);
CREATE INDEX survey_responses_by_updated_at ON survey_responses(updated_at);

-- Rows that left the store, kept for deleted_records_retention (daemon config, default 90 days).
-- deletion_id only grows (AUTOINCREMENT: an id is never used again, even after pruning emptied the
-- table), so a reader pages the log by "deletion_id > last seen". Accounts are logged by the writer
-- (core/pipeline/store_deletions.cpp), which knows the source identity whose deletion removed one.
CREATE TABLE deleted_records (
  deletion_id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity      TEXT NOT NULL,     -- accounts | contacts | opportunities | campaigns | touchpoints | survey_responses
  row_id      INTEGER NOT NULL,  -- the row's id in that table (account_id, contact_id, ...)
  source      TEXT NOT NULL,
  external_id TEXT NOT NULL,
  deleted_at  TEXT NOT NULL
);
CREATE INDEX deleted_records_by_time ON deleted_records(deleted_at);

CREATE TRIGGER accounts_changed AFTER UPDATE ON accounts
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.name IS NOT NEW.name OR OLD.domain IS NOT NEW.domain OR
    OLD.registrable_domain IS NOT NEW.registrable_domain OR OLD.industry IS NOT NEW.industry OR
    OLD.employee_count IS NOT NEW.employee_count OR OLD.annual_revenue IS NOT NEW.annual_revenue OR
    OLD.country IS NOT NEW.country OR OLD.is_target IS NOT NEW.is_target OR OLD.tier IS NOT NEW.tier OR
    OLD.created_at IS NOT NEW.created_at OR OLD.source_updated_at IS NOT NEW.source_updated_at OR
    OLD.properties IS NOT NEW.properties) BEGIN
    UPDATE accounts SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE account_id = NEW.account_id;
  END;
CREATE TRIGGER contacts_changed AFTER UPDATE ON contacts
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.account_id IS NOT NEW.account_id OR OLD.source IS NOT NEW.source OR
    OLD.external_id IS NOT NEW.external_id OR OLD.email IS NOT NEW.email OR
    OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name OR
    OLD.title IS NOT NEW.title OR OLD.buying_role IS NOT NEW.buying_role OR
    OLD.created_at IS NOT NEW.created_at OR OLD.source_updated_at IS NOT NEW.source_updated_at OR
    OLD.account_via_domain IS NOT NEW.account_via_domain OR OLD.created_at_known IS NOT NEW.created_at_known) BEGIN
    UPDATE contacts SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE contact_id = NEW.contact_id;
  END;
CREATE TRIGGER opportunities_changed AFTER UPDATE ON opportunities
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.account_id IS NOT NEW.account_id OR OLD.source IS NOT NEW.source OR
    OLD.external_id IS NOT NEW.external_id OR OLD.name IS NOT NEW.name OR OLD.stage IS NOT NEW.stage OR
    OLD.type IS NOT NEW.type OR OLD.amount IS NOT NEW.amount OR OLD.currency IS NOT NEW.currency OR
    OLD.probability IS NOT NEW.probability OR OLD.is_closed IS NOT NEW.is_closed OR
    OLD.is_won IS NOT NEW.is_won OR OLD.created_at IS NOT NEW.created_at OR
    OLD.closed_at IS NOT NEW.closed_at OR OLD.source_updated_at IS NOT NEW.source_updated_at OR
    OLD.account_via_domain IS NOT NEW.account_via_domain OR OLD.expected_close_at IS NOT NEW.expected_close_at) BEGIN
    UPDATE opportunities SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE opportunity_id = NEW.opportunity_id;
  END;
CREATE TRIGGER campaigns_changed AFTER UPDATE ON campaigns
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.source IS NOT NEW.source OR OLD.external_id IS NOT NEW.external_id OR OLD.name IS NOT NEW.name OR
    OLD.channel IS NOT NEW.channel OR OLD.started_at IS NOT NEW.started_at OR OLD.ended_at IS NOT NEW.ended_at) BEGIN
    UPDATE campaigns SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE campaign_id = NEW.campaign_id;
  END;
CREATE TRIGGER campaigns_stamped AFTER INSERT ON campaigns WHEN NEW.updated_at = '' BEGIN
    UPDATE campaigns SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE campaign_id = NEW.campaign_id;
  END;
CREATE TRIGGER touchpoints_changed AFTER UPDATE ON touchpoints
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.account_id IS NOT NEW.account_id OR OLD.contact_id IS NOT NEW.contact_id OR
    OLD.campaign_id IS NOT NEW.campaign_id OR OLD.source IS NOT NEW.source OR
    OLD.external_id IS NOT NEW.external_id OR OLD.channel IS NOT NEW.channel OR
    OLD.activity IS NOT NEW.activity OR OLD.occurred_at IS NOT NEW.occurred_at OR
    OLD.quantity IS NOT NEW.quantity OR OLD.properties IS NOT NEW.properties OR
    OLD.account_via_domain IS NOT NEW.account_via_domain OR
    OLD.account_via_contact IS NOT NEW.account_via_contact) BEGIN
    UPDATE touchpoints SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE touchpoint_id = NEW.touchpoint_id;
  END;
CREATE TRIGGER ad_spend_changed AFTER UPDATE ON ad_spend
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.source IS NOT NEW.source OR OLD.campaign_external_id IS NOT NEW.campaign_external_id OR
    OLD.campaign_id IS NOT NEW.campaign_id OR OLD.date IS NOT NEW.date OR
    OLD.impressions IS NOT NEW.impressions OR OLD.clicks IS NOT NEW.clicks OR OLD.cost IS NOT NEW.cost OR
    OLD.currency IS NOT NEW.currency) BEGIN
    UPDATE ad_spend SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE rowid = NEW.rowid;
  END;
CREATE TRIGGER ad_spend_stamped AFTER INSERT ON ad_spend WHEN NEW.updated_at = '' BEGIN
    UPDATE ad_spend SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE rowid = NEW.rowid;
  END;
CREATE TRIGGER survey_responses_changed AFTER UPDATE ON survey_responses
  WHEN NEW.updated_at IS OLD.updated_at AND (
    OLD.account_id IS NOT NEW.account_id OR OLD.contact_id IS NOT NEW.contact_id OR
    OLD.source IS NOT NEW.source OR OLD.external_id IS NOT NEW.external_id OR OLD.score IS NOT NEW.score OR
    OLD.comment IS NOT NEW.comment OR OLD.responded_at IS NOT NEW.responded_at OR
    OLD.account_via_domain IS NOT NEW.account_via_domain OR
    OLD.account_via_contact IS NOT NEW.account_via_contact) BEGIN
    UPDATE survey_responses SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE response_id = NEW.response_id;
  END;
CREATE TRIGGER survey_responses_stamped AFTER INSERT ON survey_responses WHEN NEW.updated_at = '' BEGIN
    UPDATE survey_responses SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE response_id = NEW.response_id;
  END;
CREATE TRIGGER contacts_deleted AFTER DELETE ON contacts BEGIN
    INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)
      VALUES ('contacts', OLD.contact_id, OLD.source, OLD.external_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
CREATE TRIGGER opportunities_deleted AFTER DELETE ON opportunities BEGIN
    INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)
      VALUES ('opportunities', OLD.opportunity_id, OLD.source, OLD.external_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
CREATE TRIGGER campaigns_deleted AFTER DELETE ON campaigns BEGIN
    INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)
      VALUES ('campaigns', OLD.campaign_id, OLD.source, OLD.external_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
CREATE TRIGGER touchpoints_deleted AFTER DELETE ON touchpoints BEGIN
    INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)
      VALUES ('touchpoints', OLD.touchpoint_id, OLD.source, OLD.external_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
CREATE TRIGGER survey_responses_deleted AFTER DELETE ON survey_responses BEGIN
    INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)
      VALUES ('survey_responses', OLD.response_id, OLD.source, OLD.external_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END;
