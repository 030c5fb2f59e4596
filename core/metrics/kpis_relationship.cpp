#include "metrics/kpis_relationship.hpp"

namespace abm::metrics {

CoverageCounter::CoverageCounter(std::vector<KpiPeriod> periods) : periods_(std::move(periods)) {}

void CoverageCounter::mark(std::vector<std::pair<int64_t, uint32_t>>& seen, int64_t key, uint32_t in) {
  for (auto& [k, bits] : seen)
    if (k == key) {
      bits |= in;
      return;
    }
  seen.emplace_back(key, in);
}

void CoverageCounter::add(int64_t account, int64_t contact, int role, int64_t t) {
  if (account != account_) {
    out_of_order_ = out_of_order_ || account < account_;
    finishAccount();
    account_ = account;
  }
  uint32_t in = 0;
  for (size_t p = 0; p < periods_.size(); ++p)
    if (periods_[p].contains(t)) in |= uint32_t{1} << p;
  if (in == 0) return;
  touched_ |= in;
  if (contact == 0) return;
  mark(contacts_, contact, in);
  if (role >= 0) mark(roles_, role, in);
}

void CoverageCounter::finishAccount() {
  for (size_t p = 0; p < periods_.size(); ++p) {
    if (!(touched_ >> p & 1)) continue;
    KpiCoverage c{account_, 0, 0, static_cast<uint8_t>(p)};
    for (const auto& [contact, in] : contacts_) c.contacts += in >> p & 1;
    for (const auto& [role, in] : roles_) c.roles = static_cast<uint16_t>(c.roles + (in >> p & 1));
    out_.push_back(c);
  }
  touched_ = 0;
  contacts_.clear();
  roles_.clear();
}

Result<std::deque<KpiCoverage>> CoverageCounter::result() {
  finishAccount();
  if (out_of_order_) return Status::error("touches for the KPIs must come in account order");
  return std::move(out_);
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
