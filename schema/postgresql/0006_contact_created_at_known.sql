-- Twin of schema/0006_contact_created_at_known.sql. Whether a contact's created_at came from its
-- source. A source that gives none leaves created_at at the time abmd first stored the contact (the
-- column stays NOT NULL for readers), and the metrics stage then takes the contact as created at its
-- first touch (docs/store.md, "Ingest defaults"). Rows stored before this migration count as given by
-- their source.
ALTER TABLE contacts ADD COLUMN created_at_known boolean NOT NULL DEFAULT true;
