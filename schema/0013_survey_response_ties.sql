-- Survey responses are tied to accounts as touchpoints are (docs/store.md#survey_responses): a
-- response tied through a registrable domain remembers it, so a later fix of that account's domain
-- re-ties it, and a response that has its account only through its contact follows that contact
-- when it moves to another account. Twin of schema/postgresql/0013_survey_response_ties.sql.

ALTER TABLE survey_responses ADD COLUMN account_via_domain TEXT;
ALTER TABLE survey_responses ADD COLUMN account_via_contact INTEGER NOT NULL DEFAULT 0;
CREATE INDEX survey_responses_by_contact ON survey_responses(contact_id);

DROP TRIGGER contacts_account_moved;
CREATE TRIGGER contacts_account_moved AFTER UPDATE OF account_id ON contacts
  WHEN OLD.account_id IS NOT NEW.account_id BEGIN
    INSERT INTO metrics_dirty_accounts(account_id) SELECT OLD.account_id WHERE OLD.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = OLD.account_id);
    INSERT INTO metrics_dirty_accounts(account_id) SELECT NEW.account_id WHERE NEW.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = NEW.account_id);
    UPDATE touchpoints SET account_id = NEW.account_id
      WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
        AND account_via_contact = 1;
    UPDATE survey_responses SET account_id = NEW.account_id
      WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
        AND account_via_contact = 1;
  END;
