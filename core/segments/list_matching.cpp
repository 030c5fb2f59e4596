#include "segments/list_matching.hpp"

#include "pipeline/domain.hpp"
#include "segments/company_name.hpp"

namespace abm::segments {

namespace {

std::string idList(const std::vector<int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

}  // namespace

AccountIndex::AccountIndex(const std::vector<AccountKeys>& accounts) {
  for (const auto& a : accounts) {
    if (!a.registrable_domain.empty()) by_domain_[a.registrable_domain].push_back(a.account_id);
    const auto n = normalizeCompanyName(a.name);
    if (!n.empty()) by_name_[n].push_back(a.account_id);
  }
}

Result<AccountIndex> AccountIndex::load(store::Database& db) {
  auto st = db.prepare("SELECT account_id, name, registrable_domain FROM accounts ORDER BY account_id");
  if (!st) return st.status();
  std::vector<AccountKeys> accounts;
  while (st->step() == store::Step::Row)
    accounts.push_back({st->columnInt(0), st->isNull(1) ? "" : st->columnText(1), st->isNull(2) ? "" : st->columnText(2)});
  if (auto s = st->status(); !s) return Status::error("reading accounts to match a list: " + s.message());
  return AccountIndex(accounts);
}

RowMatch AccountIndex::match(const std::string& name, const std::string& domain,
                             const pipeline::PublicSuffixList& suffixes) const {
  RowMatch m;
  std::string why;
  if (!domain.empty()) {
    if (auto d = pipeline::normalizeDomain(domain)) {
      const auto key = suffixes.registrableDomain(*d);
      auto found = by_domain_.find(key);
      if (found != by_domain_.end() && found->second.size() == 1)
        return {MatchOutcome::Matched, "domain", found->second, ""};
      if (found != by_domain_.end()) {
        m = {MatchOutcome::Ambiguous, "", found->second, "domain " + key + " is that of accounts " + idList(found->second)};
        if (name.empty()) return m;
      }
      why = "no account has the domain " + key;
    } else {
      why = "'" + domain + "' is not a domain";
    }
  }
  if (!name.empty()) {
    const auto n = normalizeCompanyName(name);
    auto found = by_name_.find(n);
    if (found != by_name_.end() && found->second.size() == 1)
      return {MatchOutcome::Matched, "name", found->second, ""};
    if (found != by_name_.end())
      return {MatchOutcome::Ambiguous, "", found->second,
              "the name '" + n + "' is that of accounts " + idList(found->second)};
    if (m.outcome == MatchOutcome::Ambiguous) return m;
    why += std::string(why.empty() ? "" : "; ") + "no account is named '" + n + "'";
  }
  if (name.empty() && domain.empty()) why = "no company name or domain";
  return {MatchOutcome::Unmatched, "", {}, why};
}

}  // namespace abm::segments
