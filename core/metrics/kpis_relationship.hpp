// Relationship KPIs (docs/metrics.md#kpis): committee_coverage = the mean, over the accounts with a
// touch in the period, of the distinct buying roles among their contacts with a touch in it;
// engaged_contacts = the distinct contacts with a touch in it, summed over those accounts.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "metrics/kpis_input.hpp"
#include "metrics/kpis_table.hpp"

namespace abm::metrics {

// Counts which contacts and roles of each account had a touch in each period, from touches
// streamed in ascending account order: the KpiInput::coverage rows. A touch is any touchpoint of
// the account, whatever its activity; it counts for the account it is on.
class CoverageCounter {
 public:
  explicit CoverageCounter(std::vector<KpiPeriod> periods);
  // A touch of `account` at t, by `contact` (0: none) whose buying role is `role` (a number the
  // caller gives each distinct role; -1: none).
  void add(int64_t account, int64_t contact, int role, int64_t t);
  // Per account and period with a touch, by account and period; an error if the touches were not
  // in account order.
  Result<std::deque<KpiCoverage>> result();

 private:
  void finishAccount();
  // Sets the bits `in` of the entry for `key` in a list of (key, periods) pairs.
  static void mark(std::vector<std::pair<int64_t, uint32_t>>& seen, int64_t key, uint32_t in);

  std::vector<KpiPeriod> periods_;
  int64_t account_ = 0;
  uint32_t touched_ = 0;  // bit p: the current account had a touch in period p
  std::vector<std::pair<int64_t, uint32_t>> contacts_, roles_;  // of the current account
  std::deque<KpiCoverage> out_;
  bool out_of_order_ = false;
};

void relationshipKpis(const KpiInput& in, KpiTable& table);

}  // namespace abm::metrics
