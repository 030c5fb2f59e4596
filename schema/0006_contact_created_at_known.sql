-- Whether a contact's created_at came from its source. A source that gives none leaves created_at
-- at the time abmd first stored the contact (the column stays NOT NULL for readers), and the
-- metrics stage then takes the contact as created at its first touch (docs/store.md, "Ingest
-- defaults"). Rows stored before this migration count as given by their source.
ALTER TABLE contacts ADD COLUMN created_at_known INTEGER NOT NULL DEFAULT 1
  CHECK (created_at_known = 0 OR created_at_known = 1);
