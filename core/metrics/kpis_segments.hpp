// Which KPI segments each account is in (docs/metrics.md#kpis): all, target, non_target,
// tier:<tier> for every tier present, segment:<name> for every saved segment.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/kpis_input.hpp"

namespace abm::metrics {

class KpiSegments {
 public:
  static constexpr size_t kAll = 0, kTarget = 1, kNonTarget = 2;

  // Tiers come in name order, saved segments in the order given.
  KpiSegments(const std::vector<KpiAccount>& accounts, const std::vector<KpiSavedSegment>& saved);

  const std::vector<std::string>& names() const { return names_; }
  size_t size() const { return names_.size(); }
  // The segments of an account, ascending. A row without an account (0), or with one the store
  // does not know, is only in `all`.
  const std::vector<size_t>& of(int64_t account) const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<int64_t, std::vector<size_t>> of_;
  const std::vector<size_t> only_all_{kAll};
};

}  // namespace abm::metrics
