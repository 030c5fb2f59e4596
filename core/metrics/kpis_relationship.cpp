#include "metrics/kpis_relationship.hpp"

#include <map>

namespace abm::metrics {

CoverageCounter::CoverageCounter(std::vector<KpiPeriod> periods) : periods_(std::move(periods)) {}

void CoverageCounter::add(int64_t account, int64_t contact, int role, int64_t t) {
  uint32_t in = 0;
  for (size_t p = 0; p < periods_.size(); ++p)
    if (periods_[p].contains(t)) in |= uint32_t{1} << p;
  if (in == 0) return;
  accounts_[account] |= in;
  if (contact == 0) return;
  contacts_[{account, contact}] |= in;
  if (role >= 0) roles_[{account, role}] |= in;
}

std::vector<KpiCoverage> CoverageCounter::result() const {
  // account -> per period: contacts, roles
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> counts;
  for (const auto& [account, in] : accounts_) counts[account].resize(periods_.size());
  auto count = [&](const auto& seen, bool roles) {
    for (const auto& [key, in] : seen) {
      auto& per_period = counts[key.first];
      for (size_t p = 0; p < periods_.size(); ++p)
        if (in >> p & 1) ++(roles ? per_period[p].second : per_period[p].first);
    }
  };
  count(contacts_, false);
  count(roles_, true);
  std::vector<KpiCoverage> out;
  for (const auto& [account, per_period] : counts) {
    const uint32_t in = accounts_.at(account);
    for (size_t p = 0; p < periods_.size(); ++p)
      if (in >> p & 1) out.push_back({account, p, per_period[p].first, per_period[p].second});
  }
  return out;
}

void relationshipKpis(const KpiInput& in, KpiTable& table) {
  struct Sums {
    int64_t accounts = 0, contacts = 0, roles = 0;
  };
  auto sums = table.grid<Sums>();
  for (const auto& c : in.coverage)
    for (size_t s : table.segments().of(c.account)) {
      Sums& sum = sums.at(s, c.period);
      ++sum.accounts;
      sum.contacts += c.contacts;
      sum.roles += c.roles;
    }
  for (size_t p = 0; p < table.periods().size(); ++p)
    for (size_t s = 0; s < table.segments().size(); ++s) {
      const Sums& sum = sums.at(s, p);
      table.set(Kpi::CommitteeCoverage, s, p, ratio(static_cast<double>(sum.roles), static_cast<double>(sum.accounts)));
      table.set(Kpi::EngagedContacts, s, p, static_cast<double>(sum.contacts));
    }
}

}  // namespace abm::metrics
