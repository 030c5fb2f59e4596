-- Survey responses are tied to accounts as touchpoints are (docs/store.md#survey_responses): a
-- response tied through a registrable domain remembers it, so a later fix of that account's domain
-- re-ties it, and a response that has its account only through its contact follows that contact
-- when it moves to another account. Twin of schema/0013_survey_response_ties.sql.

ALTER TABLE survey_responses ADD COLUMN account_via_domain text COLLATE "C";
ALTER TABLE survey_responses ADD COLUMN account_via_contact boolean NOT NULL DEFAULT false;
CREATE INDEX survey_responses_by_contact ON survey_responses(contact_id);

CREATE OR REPLACE FUNCTION abm_contact_account_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Both accounts in one statement, in ascending order: two sessions moving rows in opposite
  -- directions then take the marks' locks in the same order and never deadlock.
  INSERT INTO metrics_dirty_accounts(account_id)
    SELECT x.id FROM (VALUES (OLD.account_id), (NEW.account_id)) AS x(id)
    WHERE x.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM metrics_dirty_accounts d WHERE d.account_id = x.id)
    ORDER BY x.id
    ON CONFLICT DO NOTHING;
  UPDATE touchpoints SET account_id = NEW.account_id
    WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
      AND account_via_contact;
  UPDATE survey_responses SET account_id = NEW.account_id
    WHERE NEW.account_id IS NOT NULL AND account_id = OLD.account_id AND contact_id = NEW.contact_id
      AND account_via_contact;
  RETURN NEW;
END
$$;
