// The late-binding pass: references parked in pending_links are retried against the store as it is
// now, so records that arrived before their account, contact or campaign are tied once it exists.
#include <string>
#include <vector>

#include "pipeline/store_writer.hpp"

namespace abm::pipeline {

namespace {

struct LinkRule {
  std::string entity;
  std::string key;  // the entity's row id column
  std::string field;
  std::string kind;
  std::string lookup;  // SQL giving the target id for pending row p
};

// Order matters: contacts get their accounts before touchpoints borrow them through "contact".
// An account by registrable domain; of two, the one with the most contacts.
constexpr const char* kByDomain =
    "(SELECT a.account_id FROM accounts a WHERE a.registrable_domain = p.ref ORDER BY"
    " (SELECT count(*) FROM contacts c WHERE c.account_id = a.account_id) DESC, a.account_id LIMIT 1)";
constexpr const char* kByAccountId =
    "(SELECT account_id FROM account_identities i WHERE i.source = p.source AND i.external_id = p.ref)";
constexpr const char* kByCampaignId =
    "(SELECT campaign_id FROM campaigns c WHERE c.source = p.source AND c.external_id = p.ref)";

// Records about a person (touchpoints, survey responses) are tied alike (StoreWriter::tiePerson).
void addPersonRules(std::vector<LinkRule>& rules, const std::string& entity, const std::string& key) {
  rules.push_back({entity, key, "contact_id", "external_id",
                   "(SELECT contact_id FROM contacts c WHERE c.source = p.source AND c.external_id = p.ref)"});
  rules.push_back({entity, key, "contact_id", "email", "(SELECT min(contact_id) FROM contacts c WHERE c.email = p.ref)"});
  // An event that carried only an anonymousId: the user it was linked to (migration 0007), once
  // that user's contact exists.
  rules.push_back({entity, key, "contact_id", "anonymous",
                   "(SELECT c.contact_id FROM event_identities e JOIN contacts c ON c.source = e.source AND"
                   " c.external_id = e.user_id WHERE e.source = p.source AND e.anonymous_id = p.ref)"});
  rules.push_back({entity, key, "account_id", "external_id", kByAccountId});
  rules.push_back({entity, key, "account_id", "domain", kByDomain});
  rules.push_back({entity, key, "account_id", "contact",
                   "(SELECT c.account_id FROM " + entity + " t JOIN contacts c ON c.contact_id = t.contact_id WHERE t." +
                       key + " = p.row_id)"});
}

const std::vector<LinkRule>& linkRules() {
  static const std::vector<LinkRule> rules = [] {
    std::vector<LinkRule> r = {
        {"contacts", "contact_id", "account_id", "external_id", kByAccountId},
        {"contacts", "contact_id", "account_id", "domain", kByDomain},
        {"opportunities", "opportunity_id", "account_id", "external_id", kByAccountId},
        {"opportunities", "opportunity_id", "account_id", "domain", kByDomain},
    };
    addPersonRules(r, "touchpoints", "touchpoint_id");
    r.push_back({"touchpoints", "touchpoint_id", "campaign_id", "external_id", kByCampaignId});
    addPersonRules(r, "survey_responses", "response_id");
    r.push_back({"ad_spend", "rowid", "campaign_id", "external_id", kByCampaignId});
    return r;
  }();
  return rules;
}

}  // namespace

Status StoreWriter::resolvePendingLinks() {
  if (auto s = flushGathered(); !s) return endIfHalfWritten(s);
  auto any = db_.prepare("SELECT 1 FROM pending_links LIMIT 1");
  if (!any) return any.status();
  const auto first = any->step();
  if (first == store::Statement::Step::Error) return Status::error("reading pending links: " + any->status().message());
  if (first == store::Statement::Step::Done) return Status::ok();

  for (const auto& r : linkRules()) {
    const std::string& e = r.entity;
    const std::string& k = r.key;
    const std::string& f = r.field;
    // A row tied by a domain remembers which, so a later fix of that account's domain can re-tie it.
    const bool by_domain = r.kind == "domain";
    // A record that borrows its contact's account follows the contact when it moves (0004, 0013).
    const bool by_contact = r.kind == "contact";
    const std::string sql = "UPDATE " + e + " SET " + f + " = l.target" +
                            (by_domain ? ", account_via_domain = l.ref" : "") +
                            (by_contact ? ", account_via_contact = TRUE" : "") +
                            " FROM (SELECT p.row_id AS row_id, p.ref AS ref, " + r.lookup +
                            " AS target FROM pending_links p WHERE p.entity = '" + e + "' AND p.field = '" + f +
                            "' AND p.ref_kind = '" + r.kind + "') AS l WHERE " + e + "." + k +
                            " = l.row_id AND l.target IS NOT NULL AND " + e + "." + f + " IS NULL";
    if (auto s = db_.exec(sql); !s) return Status::error("resolving pending " + e + "." + f + " links: " + s.message());
  }
  // Drop links whose field is now set (by this pass or by a later write of the same record).
  for (const char* target : {"contacts|contact_id|account_id", "opportunities|opportunity_id|account_id",
                             "touchpoints|touchpoint_id|contact_id", "touchpoints|touchpoint_id|account_id",
                             "touchpoints|touchpoint_id|campaign_id", "survey_responses|response_id|contact_id",
                             "survey_responses|response_id|account_id", "ad_spend|rowid|campaign_id"}) {
    std::string t = target;
    const auto a = t.find('|'), b = t.rfind('|');
    const std::string e = t.substr(0, a), k = t.substr(a + 1, b - a - 1), f = t.substr(b + 1);
    const std::string sql = "DELETE FROM pending_links WHERE entity = '" + e + "' AND field = '" + f +
                            "' AND EXISTS (SELECT 1 FROM " + e + " x WHERE x." + k +
                            " = pending_links.row_id AND x." + f + " IS NOT NULL)";
    if (auto s = db_.exec(sql); !s) return Status::error("clearing resolved links: " + s.message());
  }
  return Status::ok();
}

}  // namespace abm::pipeline
