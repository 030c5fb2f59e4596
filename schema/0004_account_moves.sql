-- A record that moves to another account must never fail its run. The triggers of 0002 marked the
-- accounts with INSERT OR IGNORE, but a trigger's conflict clause is overridden by the statement that
-- fires it: under the writer's UPSERT (ON CONFLICT DO UPDATE, whose policy is ABORT) a mark that was
-- already there failed the run with "UNIQUE constraint failed: metrics_dirty_accounts.account_id".
-- The marks are now guarded by NOT EXISTS, so no conflict can arise whatever fired the trigger.
--
-- Touchpoints tied to an account through their contact (account_via_contact = 1: the touchpoint
-- named no account or domain of its own) follow that contact when it moves to another account, so
-- that a store synced incrementally holds what a full refresh would write (docs/store.md).

ALTER TABLE touchpoints ADD COLUMN account_via_contact INTEGER NOT NULL DEFAULT 0;

-- Rows written before this column existed: a touchpoint with no domain tie that sits on its contact's
-- account is taken to follow that contact (the rule 0003's re-tie used for them).
UPDATE touchpoints SET account_via_contact = 1
  WHERE account_via_domain IS NULL AND contact_id IS NOT NULL AND account_id IS NOT NULL
    AND account_id = (SELECT c.account_id FROM contacts c WHERE c.contact_id = touchpoints.contact_id);

DROP TRIGGER touchpoints_account_moved;
DROP TRIGGER contacts_account_moved;
DROP TRIGGER opportunities_account_moved;

CREATE TRIGGER touchpoints_account_moved AFTER UPDATE OF account_id ON touchpoints
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT INTO metrics_dirty_accounts(account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = OLD.account_id);
    INSERT INTO metrics_dirty_accounts(account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = NEW.account_id);
  END;

CREATE TRIGGER opportunities_account_moved AFTER UPDATE OF account_id ON opportunities
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT INTO metrics_dirty_accounts(account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = OLD.account_id);
    INSERT INTO metrics_dirty_accounts(account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = NEW.account_id);
  END;

-- A contact left without an account (its domain was corrected) takes nobody along: its touchpoints
-- were parked by the re-tie and are tied again with it. The UPDATE finds them through
-- touchpoints_by_account, which covers contact_id, so only the old account's touchpoints are read.
CREATE TRIGGER contacts_account_moved AFTER UPDATE OF account_id ON contacts
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT INTO metrics_dirty_accounts(account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = OLD.account_id);
    INSERT INTO metrics_dirty_accounts(account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = NEW.account_id);
    UPDATE touchpoints SET account_id = NEW.account_id
      WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
        AND account_via_contact = 1;
  END;
