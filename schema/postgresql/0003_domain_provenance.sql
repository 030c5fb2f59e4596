-- Which registrable domain tied a row to its account (twin of schema/0003_domain_provenance.sql):
-- set when a contact, opportunity or touchpoint found its account by a domain or an email's domain,
-- NULL when an explicit id (or, for a touchpoint, its contact) did. When an account's domain is later
-- corrected, exactly the rows that depended on the old domain are untied and tied again (see
-- docs/store.md, "Identity").
ALTER TABLE contacts ADD COLUMN account_via_domain text COLLATE "C";
ALTER TABLE opportunities ADD COLUMN account_via_domain text COLLATE "C";
ALTER TABLE touchpoints ADD COLUMN account_via_domain text COLLATE "C";

-- Only rows tied by a domain are indexed, and they are looked up with their account.
CREATE INDEX contacts_by_via_domain ON contacts(account_id, account_via_domain) WHERE account_via_domain IS NOT NULL;
CREATE INDEX opportunities_by_via_domain ON opportunities(account_id, account_via_domain)
  WHERE account_via_domain IS NOT NULL;
CREATE INDEX touchpoints_by_via_domain ON touchpoints(account_id, account_via_domain)
  WHERE account_via_domain IS NOT NULL;
