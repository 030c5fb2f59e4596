#include "metrics/kpis_segments.hpp"

#include <map>

namespace abm::metrics {

KpiSegments::KpiSegments(const std::vector<KpiAccount>& accounts, const std::vector<KpiSavedSegment>& saved)
    : names_{"all", "target", "non_target"} {
  std::map<std::string, size_t> tiers;
  for (const auto& a : accounts)
    if (a.tier) tiers.emplace(*a.tier, 0);
  for (auto& [tier, index] : tiers) {
    index = names_.size();
    names_.push_back("tier:" + tier);
  }
  of_.reserve(accounts.size());
  for (const auto& a : accounts) {
    auto& in = of_[a.id];
    in = {kAll, a.is_target ? kTarget : kNonTarget};
    if (a.tier) in.push_back(tiers.at(*a.tier));
  }
  for (const auto& s : saved) {
    const size_t index = names_.size();
    names_.push_back("segment:" + s.name);
    for (int64_t id : s.account_ids)
      if (auto it = of_.find(id); it != of_.end() && (it->second.empty() || it->second.back() != index))
        it->second.push_back(index);
  }
}

const std::vector<size_t>& KpiSegments::of(int64_t account) const {
  const auto it = of_.find(account);
  return it == of_.end() ? only_all_ : it->second;
}

}  // namespace abm::metrics
