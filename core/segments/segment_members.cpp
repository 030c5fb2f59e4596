#include "segments/segment_members.hpp"

#include "segments/account_facts.hpp"
#include "segments/filter_eval.hpp"
#include "segments/filter_parser.hpp"
#include "segments/segment_store.hpp"

namespace abm::segments {

Status forEachMatchingAccount(store::Database& db, const Expr& filter, int64_t as_of,
                              const std::function<void(const AccountFacts&)>& visit) {
  std::unordered_map<int64_t, std::vector<ContactFacts>> contacts;
  if (filter.usesContacts()) {
    auto loaded = loadContacts(db, as_of);
    if (!loaded) return loaded.status();
    contacts = std::move(*loaded);
  }
  return forEachAccount(db, contacts, filter.usesProperties(), [&](const AccountFacts& a) {
    if (matches(filter, a)) visit(a);
  });
}

Result<std::vector<int64_t>> matchingAccounts(store::Database& db, const Expr& filter, int64_t as_of) {
  std::vector<int64_t> ids;
  auto s = forEachMatchingAccount(db, filter, as_of, [&](const AccountFacts& a) { ids.push_back(a.account_id); });
  if (!s) return s;
  return ids;
}

Result<std::vector<SegmentMembers>> savedSegmentMembers(store::Database& db, int64_t as_of) {
  auto saved = listSegments(db);
  if (!saved) return saved.status();
  std::vector<std::pair<std::string, Expr>> filters;
  bool contacts_needed = false, properties_needed = false;
  for (const auto& s : *saved) {
    auto parsed = parseFilter(s.filter);
    if (!parsed)
      return Status::error("saved segment '" + s.name + "' has a filter that does not parse: " + parsed.error() +
                           "; fix it with abmctl segments create " + s.name + " '<filter>' --replace");
    contacts_needed = contacts_needed || parsed->usesContacts();
    properties_needed = properties_needed || parsed->usesProperties();
    filters.emplace_back(s.name, std::move(*parsed));
  }
  std::unordered_map<int64_t, std::vector<ContactFacts>> contacts;
  if (contacts_needed) {
    auto loaded = loadContacts(db, as_of);
    if (!loaded) return loaded.status();
    contacts = std::move(*loaded);
  }
  // One pass over the accounts for all segments.
  std::vector<SegmentMembers> out;
  for (const auto& [name, expr] : filters) out.push_back({name, {}});
  auto s = forEachAccount(db, contacts, properties_needed, [&](const AccountFacts& a) {
    for (size_t i = 0; i < filters.size(); ++i)
      if (matches(filters[i].second, a)) out[i].account_ids.push_back(a.account_id);
  });
  if (!s) return s;
  return out;
}

}  // namespace abm::segments
