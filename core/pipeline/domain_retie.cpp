// A later fix of an account's domain re-ties the records that depended on it. Rows that found the
// account through the old registrable domain (account_via_domain) are untied and parked in
// pending_links under that domain, as are touchpoints and survey responses that borrowed their
// account from such a contact; the late-binding pass at the end of the batch ties them to whichever
// account holds the old domain now (or leaves them waiting for one), and ties rows waiting for the
// new domain to this account. Explicit ids are never undone.
#include <string>
#include <vector>

#include "pipeline/store_writer.hpp"

namespace abm::pipeline {

// A row parked again replaces what it waited for before (a literal, to be joined to the SQL below).
#define kRepark " ON CONFLICT(entity, row_id, field, ref_kind) DO UPDATE SET source = excluded.source, ref = excluded.ref"

Status StoreWriter::retieDomain(int64_t account_id, const std::string& old_key) {
  // Records that follow a contact go first, while the contact still points at the account.
  auto followers = [](const std::string& table, const std::string& key) {
    return std::vector<std::string>{
        "INSERT INTO pending_links(entity, row_id, field, ref_kind, source, ref) SELECT '" + table + "', t." + key +
            ", 'account_id', 'contact', t.source, '' FROM " + table + " t JOIN contacts c ON c.contact_id = t.contact_id"
            " WHERE t.account_id = ?1 AND t.account_via_contact AND c.account_id = ?1 AND c.account_via_domain = ?2" kRepark,
        "UPDATE " + table + " SET account_id = NULL WHERE account_id = ?1 AND account_via_contact AND contact_id IN"
            " (SELECT contact_id FROM contacts WHERE account_id = ?1 AND account_via_domain = ?2)"};
  };
  // Rows that found the account through the old domain themselves.
  auto byDomain = [](const std::string& table, const std::string& key) {
    return std::vector<std::string>{
        "INSERT INTO pending_links(entity, row_id, field, ref_kind, source, ref) SELECT '" + table + "', " + key +
            ", 'account_id', 'domain', source, ?2 FROM " + table + " WHERE account_id = ?1 AND account_via_domain = ?2" kRepark,
        "UPDATE " + table + " SET account_id = NULL, account_via_domain = NULL WHERE account_id = ?1"
            " AND account_via_domain = ?2"};
  };
  std::vector<std::string> steps;
  for (auto part : {followers("touchpoints", "touchpoint_id"), followers("survey_responses", "response_id"),
                    byDomain("contacts", "contact_id"), byDomain("opportunities", "opportunity_id"),
                    byDomain("touchpoints", "touchpoint_id"), byDomain("survey_responses", "response_id")})
    steps.insert(steps.end(), part.begin(), part.end());
#undef kRepark
  for (const std::string& sql : steps) {
    auto st = adhoc(sql, account_id);
    if (!st) return Status::error("re-tying rows of the old domain " + old_key + ": " + st.error());
    (*st)->bindStatic(2, old_key);
    if (auto s = (*st)->run(); !s) return Status::error("re-tying rows of the old domain " + old_key + ": " + s.message());
  }
  ids_.forget();  // the cache still maps the old domain, and contacts, to this account
  return Status::ok();
}

}  // namespace abm::pipeline
