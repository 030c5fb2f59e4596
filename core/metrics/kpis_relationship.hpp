// Relationship KPIs (docs/metrics.md#kpis): committee_coverage = the mean, over the accounts with a
// touch in the period, of the distinct buying roles among their contacts with a touch in it;
// engaged_contacts = the distinct contacts with a touch in it, summed over those accounts.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

// Counts, from touches streamed in any order, which accounts, contacts and roles had a touch in
// each period: the KpiInput::coverage rows. A touch is any touchpoint of the account, whatever its
// activity; it counts for the account it is on.
class CoverageCounter {
 public:
  explicit CoverageCounter(std::vector<KpiPeriod> periods);
  // A touch of `account` at t, by `contact` (0: none) whose buying role is `role` (a number the
  // caller gives each distinct role; -1: none).
  void add(int64_t account, int64_t contact, int role, int64_t t);
  // Per account and period with a touch, by account and period.
  std::vector<KpiCoverage> result() const;

 private:
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& k) const {
      return std::hash<int64_t>()(k.first * 1000003 ^ k.second);
    }
  };
  std::vector<KpiPeriod> periods_;
  // Bit p set: a touch in period p.
  std::unordered_map<int64_t, uint32_t> accounts_;
  std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, PairHash> contacts_, roles_;
};

void relationshipKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
